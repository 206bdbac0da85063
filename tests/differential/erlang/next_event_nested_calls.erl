%% Pins: events inserted while handling an inserted event come before the
%% older inserted ones (depth first); a call can be passed on as an
%% inserted call event or inside an internal event and answered there.
-module(next_event_nested_calls).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, go}}, {200, {call, c1, ask}}, {300, {call, c2, relay}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, go} ->
            {keep_state, Data + 1,
             [{next_event, internal, i1}, {next_event, internal, i2}]};
        {internal, i1} ->
            {keep_state, Data + 1,
             [{next_event, internal, i11}, {next_event, internal, i12}]};
        {{call, From}, ask} ->
            {keep_state_and_data, [{next_event, internal, {answer, From}}]};
        {internal, {answer, From}} ->
            {keep_state, Data + 1, [{reply, From, {answered, Data}}]};
        {{call, From}, relay} ->
            {keep_state_and_data, [{next_event, {call, From}, {relayed, relay}}]};
        {{call, From}, {relayed, _}} ->
            {keep_state, Data + 1, [{reply, From, {relayed, Data}}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
