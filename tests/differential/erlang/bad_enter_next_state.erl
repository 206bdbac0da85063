%% Pins: an enter call that returns next_state to another state crashes
%% the machine with bad_state_enter_return_from_state_function; terminate
%% sees the state being entered and the result in the reason.
-module(bad_enter_next_state).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{100, {cast, go}}, {200, {cast, after_crash}}], 300}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [state_functions, state_enter].

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case Type of
        enter -> keep_state_and_data;
        _ -> {next_state, b, Data + 1}
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    {next_state, c, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
