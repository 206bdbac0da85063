%% Pins: an event timeout is cancelled by an inserted event, by a
%% postponed event retried after a change of state and by a zero state
%% timeout delivered before it.
-module(event_timeout_cancel_by_queued).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3, b/3]).

script() ->
    {[{100, {cast, p}}, {200, {cast, go}}, {300, {cast, go2}},
      {400, {cast, go3}}, {500, {cast, go4}}],
     700}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, p} ->
            {keep_state_and_data, [postpone]};
        {cast, go} ->
            {keep_state, Data + 1,
             [{timeout, 50, et1}, {next_event, internal, i}]};
        {cast, go2} ->
            {next_state, b, Data + 1, [{timeout, 50, et2}]};
        _ ->
            {keep_state, Data + 1}
    end.

b(Type, Content, Data) ->
    diff_harness:trace([b, Type, Content, Data]),
    case {Type, Content} of
        {cast, go3} ->
            {keep_state, Data + 1, [{timeout, 50, et3}]};
        {cast, go4} ->
            {keep_state, Data + 1, [{timeout, 50, et4}, {state_timeout, 0, s0}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
