%% Pins: the initial enter call gets the initial state as old state and
%% runs before the events init inserts; the enter call's timeouts join
%% init's (its event timeout is cancelled by the inserted event); a reply
%% action is sent before the enter call of the next state runs.
-module(enter_initial_actions).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {call, c1, go}}, {300, {cast, rep}}], 500}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, start, 0, [{next_event, internal, boot}, {state_timeout, 250, st0}]}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, start, Data) ->
    {keep_state, Data + 1, [{{timeout, n}, 150, nt}, {timeout, 50, et}]};
event(enter, _OldState, run, _Data) ->
    {keep_state_and_data, [{state_timeout, 100, run_st}]};
event({call, From}, go, start, Data) ->
    {next_state, run, Data + 1, [{reply, From, going}]};
event(cast, rep, run, _Data) ->
    repeat_state_and_data;
event(_Type, _Content, _State, Data) ->
    {keep_state, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
