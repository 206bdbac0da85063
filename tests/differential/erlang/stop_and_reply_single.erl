%% Pins: stop_and_reply takes a single reply action without a list and
%% keeps the data when it gives no new data.
-module(stop_and_reply_single).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, bump}}, {200, {call, c1, quit}}], 300}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> handle_event_function.

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    case {Type, Content} of
        {{call, From}, quit} -> {stop_and_reply, {shutdown, quit}, {reply, From, bye}};
        _ -> {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
