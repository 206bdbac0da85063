%% Pins: state timeouts set by enter calls, including the initial one;
%% when the event's result and the enter call both set one, the enter
%% call's, collected last, wins.
-module(state_timeout_enter_wins).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, go}}], 500}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, a, _Data) ->
    {keep_state_and_data, [{state_timeout, 50, init_enter}]};
event(enter, _OldState, b, _Data) ->
    {keep_state_and_data, [{state_timeout, 150, from_enter}]};
event(enter, _OldState, c, Data) ->
    {keep_state, Data + 1, [{state_timeout, 100, c_enter}]};
event(cast, go, a, Data) ->
    {next_state, b, Data + 1, [{state_timeout, 50, from_event}]};
event(state_timeout, from_enter, b, Data) ->
    {next_state, c, Data + 1};
event(_Type, _Content, _State, Data) ->
    {keep_state, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
