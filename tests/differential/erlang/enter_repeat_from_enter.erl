%% Pins: an enter call that returns repeat_state is called again at once;
%% an enter call may return next_state to its own state.
-module(enter_repeat_from_enter).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{200, {cast, check}}], 300}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [state_functions, state_enter].

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case Type of
        enter when Data < 2 -> {repeat_state, Data + 1};
        enter -> {keep_state, Data, [{state_timeout, 50, done}]};
        state_timeout -> {next_state, b, Data + 1};
        _ -> keep_state_and_data
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    case Type of
        enter -> {next_state, b, Data + 1, [{state_timeout, 50, b_done}]};
        _ -> {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
