%% Pins: {stop, Reason, NewData} calls terminate with Reason and NewData
%% and the machine exits with Reason.
-module(stop_reason_and_data).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, bump}}, {200, {cast, halt}}, {300, {cast, after_stop}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, {a, 1}, 0}.

callback_mode() -> handle_event_function.

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    case Content of
        halt -> {stop, {shutdown, done}, {final, Data}};
        _ -> {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
