%% Pins: updating a running state timeout changes its content but not its
%% time; updating one that is not running delivers the content at once;
%% an update in the same result as a change of state finds the old
%% state's timeout cancelled and so fires at once in the new state;
%% cancel and infinity stop a running state timeout.
-module(state_timeout_update).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{100, {cast, upd}}, {300, {cast, upd2}}, {400, {cast, arm}},
      {500, {cast, move}}, {600, {cast, arm}}, {700, {cast, can}},
      {800, {cast, inf}}],
     1000}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0, [{state_timeout, 250, orig}]}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, upd} ->
            {keep_state, Data + 1, [{state_timeout, update, new}]};
        {cast, upd2} ->
            {keep_state, Data + 1, [{state_timeout, update, fresh}]};
        {cast, arm} ->
            {keep_state, Data + 1, [{state_timeout, 250, armed}]};
        {cast, move} ->
            {next_state, b, Data + 1, [{state_timeout, update, moved}]};
        _ ->
            {keep_state, Data + 1}
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    case {Type, Content} of
        {cast, arm} ->
            {keep_state, Data + 1, [{state_timeout, 150, armed_b}]};
        {cast, can} ->
            {keep_state, Data + 1, [{state_timeout, cancel}]};
        {cast, inf} ->
            {keep_state, Data + 1,
             [{state_timeout, 50, i1}, {state_timeout, infinity, i2}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
