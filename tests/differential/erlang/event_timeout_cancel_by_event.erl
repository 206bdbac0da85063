%% Pins: any event cancels a running event timeout, also one that only
%% keeps state and data and one that is postponed.
-module(event_timeout_cancel_by_event).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, arm}}, {200, {cast, poke}}, {300, {cast, arm}},
      {400, {info, held}}, {500, {cast, arm_short}}],
     700}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, idle, 0}.

callback_mode() -> handle_event_function.

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    case {Type, Content} of
        {cast, arm} -> {keep_state, Data + 1, [{timeout, 150, et1}]};
        {cast, arm_short} -> {keep_state, Data + 1, [{timeout, 50, et2}]};
        {info, held} -> {keep_state_and_data, [postpone]};
        _ -> keep_state_and_data
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
