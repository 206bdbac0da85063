%% Pins: next_event actions of every event type are handled in list order,
%% before the events already queued, and each handled event cancels a
%% running event timeout.
-module(next_event_list_order).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, go}}, {100, {cast, later}}, {100, {info, last}}], 200}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case Content of
        go ->
            {keep_state, Data + 1,
             [{timeout, 50, never},
              {next_event, internal, i1},
              {next_event, cast, c1},
              {next_event, info, n1},
              {next_event, {timeout, n}, t1},
              {next_event, state_timeout, s1},
              {next_event, timeout, e1}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
