%% Pins: a zero state timeout set on a change of state is delivered after
%% the inserted and retried postponed events and before the next external
%% event; a further change of state before its delivery cancels it.
-module(state_timeout_zero_order).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, x}}, {200, {cast, go}}, {200, {cast, y}},
      {300, {cast, go2}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, _State, _Data) ->
    keep_state_and_data;
event(cast, go, a, Data) ->
    {next_state, b, Data + 1,
     [{state_timeout, 0, s0}, {next_event, internal, i}]};
event(_Type, _Content, a, _Data) ->
    {keep_state_and_data, [postpone]};
event(cast, go2, b, Data) ->
    {next_state, c, Data + 1,
     [{state_timeout, 0, s1}, {next_event, internal, flip}]};
event(internal, flip, c, Data) ->
    {next_state, d, Data + 1};
event(_Type, _Content, _State, Data) ->
    {keep_state, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
