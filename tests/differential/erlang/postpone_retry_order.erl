%% Pins: postponed events are retried only on a change of state, oldest
%% first; keep_state and next_state to the same state do not retry them.
-module(postpone_retry_order).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([locked/3, open/3]).

script() ->
    {[{100, {cast, a}}, {200, {cast, b}}, {300, {cast, noop}},
      {400, {cast, same}}, {500, {cast, unlock}}, {600, {cast, lock}},
      {700, {cast, c}}, {800, {cast, unlock}}],
     900}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, locked, 0}.

callback_mode() -> state_functions.

locked(Type, Content, Data) ->
    diff_harness:trace([locked, Type, Content, Data]),
    case Content of
        unlock -> {next_state, open, Data + 1};
        noop -> keep_state_and_data;
        same -> {next_state, locked, Data + 1};
        _ -> {keep_state_and_data, [postpone]}
    end.

open(Type, Content, Data) ->
    diff_harness:trace([open, Type, Content, Data]),
    case Content of
        lock -> {next_state, locked, Data};
        _ -> {keep_state, Data + 10}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
