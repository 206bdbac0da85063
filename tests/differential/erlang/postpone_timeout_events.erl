%% Pins: timeout events can be postponed like any other event; a postponed
%% state timeout event is retried after the change of state although the
%% change cancels the state timeout timer itself.
-module(postpone_timeout_events).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{300, {cast, go}}], 400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0, [{state_timeout, 150, st}, {{timeout, n}, 250, nt}]}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case Type of
        cast -> {next_state, b, Data + 1, [{state_timeout, 50, st_b}]};
        _ -> {keep_state, Data + 1, [postpone]}
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    {keep_state, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
