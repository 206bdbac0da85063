%% Pins: a bad action crashes the machine with
%% bad_action_from_state_function after the actions before it ran (here a
%% reply); terminate sees the next state and the new data of the result.
-module(bad_action_new_state).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{100, {cast, bump}}, {200, {call, c1, go}}, {300, {cast, after_crash}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {{call, From}, go} ->
            {next_state, b, Data + 5, [{reply, From, x}, {timeout, bogus, y}]};
        _ ->
            {keep_state, Data + 1}
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    keep_state_and_data.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
