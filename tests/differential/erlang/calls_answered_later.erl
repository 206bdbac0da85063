%% Pins: a call's From can be stored in the data and answered from a later
%% state, here by the enter call of that state, in the order stored.
-module(calls_answered_later).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {call, c1, work}}, {200, {call, c2, work}},
      {300, {call, c3, work}}],
     600}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, idle, []}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, idle, Data) ->
    {keep_state, [], [{reply, From, done} || From <- Data]};
event(enter, _OldState, busy, _Data) ->
    keep_state_and_data;
event({call, From}, work, idle, Data) ->
    {next_state, busy, Data ++ [From], [{state_timeout, 150, done}]};
event({call, From}, work, busy, Data) ->
    {keep_state, Data ++ [From]};
event(state_timeout, done, busy, Data) ->
    {next_state, idle, Data}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
