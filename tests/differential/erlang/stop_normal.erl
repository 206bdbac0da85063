%% Pins: the stop result stops with reason normal and calls terminate with
%% the current state and data; running timers never fire and later
%% inputs get no callback and no reply.
-module(stop_normal).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, arm}}, {200, {cast, halt}},
      {300, {cast, after_stop}}, {300, {call, c1, late}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case Content of
        arm -> {keep_state, Data + 1, [{{timeout, n}, 150, x}, {state_timeout, 80, y}]};
        halt -> stop;
        _ -> keep_state_and_data
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
