%% Pins: a zero event timeout is delivered once the queue is empty and
%% before the next external event, even one already in the mailbox; an
%% inserted event cancels it; set on a change of state it fires in the
%% new state.
-module(event_timeout_zero).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, z1}}, {200, {cast, z2}}, {200, {cast, other}},
      {300, {cast, z3}}, {400, {cast, z4}}],
     500}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> handle_event_function.

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    case {Type, Content} of
        {cast, z1} ->
            {keep_state, Data + 1, [{timeout, 0, ez1}]};
        {cast, z2} ->
            {keep_state, Data + 1, [{timeout, 0, ez2}]};
        {cast, z3} ->
            {keep_state, Data + 1, [{timeout, 0, ez3}, {next_event, internal, i}]};
        {cast, z4} ->
            {next_state, {b, Data}, Data + 1, [{timeout, 0, ez4}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
