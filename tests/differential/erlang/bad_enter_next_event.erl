%% Pins: an enter call may not insert events; the machine crashes with
%% bad_state_enter_action_from_state_function and the action in the
%% reason.
-module(bad_enter_next_event).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, go}}, {200, {cast, after_crash}}], 300}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, b, Data) ->
    {keep_state, Data + 1, [{next_event, internal, x}]};
event(enter, _OldState, _State, _Data) ->
    keep_state_and_data;
event(cast, go, a, Data) ->
    {next_state, b, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
