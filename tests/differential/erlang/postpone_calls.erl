%% Pins: postponed calls are retried on the change of state in the order
%% they arrived and are answered from the new state.
-module(postpone_calls).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {call, c1, first}}, {200, {call, c2, second}},
      {300, {cast, ready}}, {400, {call, c3, third}}],
     500}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, waiting, 0}.

callback_mode() -> handle_event_function.

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    case {State, Type} of
        {waiting, {call, _From}} ->
            {keep_state_and_data, [postpone]};
        {waiting, cast} ->
            {next_state, ready, Data};
        {ready, {call, From}} ->
            {keep_state, Data + 1, [{reply, From, {Content, Data}}]}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
