%% Pins: a state timeout survives keep_state and next_state to the same
%% state, is cancelled by a change of state, and one set in the same
%% result as a change of state runs in the new state.
-module(state_timeout_keep_and_change).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([idle/3, busy/3]).

script() ->
    {[{100, {cast, noop}}, {300, {cast, same}}, {600, {cast, arm}},
      {700, {cast, leave}}, {800, {cast, back}}],
     900}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, idle, 0, [{state_timeout, 150, boot}]}.

callback_mode() -> state_functions.

idle(Type, Content, Data) ->
    diff_harness:trace([idle, Type, Content, Data]),
    case {Type, Content} of
        {state_timeout, boot} ->
            {next_state, busy, Data + 1, [{state_timeout, 100, work}]};
        {cast, same} ->
            {next_state, idle, Data + 1};
        {cast, arm} ->
            {keep_state, Data + 1, [{state_timeout, 150, lost}]};
        {cast, leave} ->
            {next_state, busy, Data + 1};
        _ ->
            keep_state_and_data
    end.

busy(Type, Content, Data) ->
    diff_harness:trace([busy, Type, Content, Data]),
    case {Type, Content} of
        {state_timeout, work} ->
            {next_state, idle, Data + 1, [{state_timeout, 200, again}]};
        {cast, back} ->
            {next_state, idle, Data + 1};
        _ ->
            keep_state_and_data
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
