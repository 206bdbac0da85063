%% Pins: an event that postpones itself and changes state is retried in
%% the new state right after the older postponed events, and before the
%% events that were already queued behind it.
-module(postpone_and_change_state).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{100, {cast, p1}}, {200, {cast, p2}},
      {300, {cast, jump}}, {300, {cast, q}}, {300, {info, r}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [state_functions, state_enter].

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {enter, _} -> keep_state_and_data;
        {cast, jump} -> {next_state, b, Data + 1, [postpone]};
        {cast, _} -> {keep_state_and_data, [postpone]};
        _ -> keep_state_and_data
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    {keep_state, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
