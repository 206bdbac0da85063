%% Pins: within one action list the last action of each timeout kind
%% (each name for named timeouts) wins, whether it sets, cancels or
%% replaces a zero timeout.
-module(timeout_last_action_wins).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, go}}], 500}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, go} ->
            {keep_state, Data + 1,
             [{state_timeout, 50, s1}, {state_timeout, 150, s2},
              {{timeout, n}, 50, n1}, {{timeout, n}, cancel},
              {{timeout, m}, cancel}, {{timeout, m}, 250, m2},
              {timeout, 350, e1}, {timeout, 50, e2},
              {{timeout, k}, 0, k0}, {{timeout, k}, 200, k1}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
