%% Pins: an enter call may stop the machine; terminate then sees the new
%% state; a reply action of the event is sent before that enter call.
-module(stop_from_enter).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {call, c1, go}}, {200, {cast, after_stop}}], 300}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, b, _Data) ->
    {stop, {shutdown, entered}};
event(enter, _OldState, _State, _Data) ->
    keep_state_and_data;
event({call, From}, go, a, Data) ->
    {next_state, b, Data + 1, [{reply, From, ok}]}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
