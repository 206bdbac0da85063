%% Pins: named (generic) timeouts run on across changes of state and
%% events until they fire or are cancelled, here by an enter call; the
%% states are tuples, which handle_event_function allows.
-module(named_timeout_survives_changes).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, next}}, {200, {cast, next}}, {300, {cast, next}}], 500}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, {s, 1}, 0, [{{timeout, long}, 350, fired}]}.

callback_mode() -> [handle_event_function, state_enter].

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    event(Type, Content, State, Data).

event(enter, _OldState, {s, 3}, _Data) ->
    {keep_state_and_data, [{{timeout, gone}, cancel}]};
event(enter, _OldState, _State, _Data) ->
    keep_state_and_data;
event(cast, next, {s, 1}, Data) ->
    {next_state, {s, 2}, Data + 1,
     [{{timeout, short}, 50, quick}, {{timeout, gone}, 150, never}]};
event(cast, next, {s, N}, Data) ->
    {next_state, {s, N + 1}, Data + 1};
event(_Type, _Content, _State, Data) ->
    {keep_state, Data + 1}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
