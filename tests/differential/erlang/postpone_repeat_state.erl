%% Pins: repeat_state reruns the state enter call but is no change of
%% state, so postponed events wait until the next real change of state.
%% A lone postpone action may be given without a list.
-module(postpone_repeat_state).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, x}}, {200, {cast, repeat}}, {300, {cast, y}},
      {400, {cast, repeat_data}}, {500, {cast, go}}, {600, {cast, back}}],
     700}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, idle, 0}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, _State, _Data) ->
    keep_state_and_data;
event(cast, repeat, idle, _Data) ->
    repeat_state_and_data;
event(cast, repeat_data, idle, Data) ->
    {repeat_state, Data + 1};
event(cast, go, idle, Data) ->
    {next_state, busy, Data + 1};
event(_Type, _Content, idle, _Data) ->
    {keep_state_and_data, postpone};
event(cast, back, busy, Data) ->
    {next_state, idle, Data};
event(_Type, _Content, busy, Data) ->
    {keep_state, Data + 10}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
