%% Pins: zero timeouts of several kinds are delivered in action-list order
%% after the inserted events and before an external event already in the
%% mailbox; restarting one moves it to the end, updating one keeps its
%% place, and the inserted event cancels the zero event timeout.
-module(zero_timeouts_order).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, handle_event/4, terminate/3]).

script() ->
    {[{100, {cast, go}}, {100, {cast, ext}}], 200}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> handle_event_function.

handle_event(Type, Content, State, Data) ->
    diff_harness:trace([State, Type, Content, Data]),
    case {Type, Content} of
        {cast, go} ->
            {keep_state, Data + 1,
             [{{timeout, n2}, 0, z_n2},
              {state_timeout, 0, z_st},
              {{timeout, n1}, 0, z_n1},
              {timeout, 0, z_ev},
              {next_event, internal, i}]};
        {internal, i} ->
            {keep_state, Data + 1,
             [{{timeout, n2}, 0, z_n2b}, {state_timeout, update, z_st2}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
