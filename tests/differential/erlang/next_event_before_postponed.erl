%% Pins: after a change of state the machine handles the enter call, then
%% the inserted events in list order, then the retried postponed events,
%% then the rest of the queue. An inserted event may itself be postponed.
-module(next_event_before_postponed).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, x}}, {200, {cast, y}},
      {300, {cast, go}}, {300, {cast, z}},
      {400, {cast, back}}, {500, {cast, again}}],
     600}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, []}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, _State, _Data) ->
    keep_state_and_data;
event(cast, go, a, Data) ->
    {next_state, b, [go | Data],
     [{next_event, internal, i1}, {next_event, internal, i2}]};
event(cast, again, a, Data) ->
    {next_state, b, [again | Data]};
event(_Type, _Content, a, _Data) ->
    {keep_state_and_data, [postpone]};
event(cast, back, b, Data) ->
    {next_state, a, [back | Data], [{next_event, internal, stay}]};
event(_Type, Content, b, Data) ->
    {keep_state, [Content | Data]}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
