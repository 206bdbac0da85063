%% Pins: an absolute timeout whose time has passed fires as a new message,
%% so after the events already in the mailbox.
-module(timeout_absolute_past_queued).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, arm_past}}, {100, {cast, queued}}], 200}.

init(Args) ->
    put(base, diff_harness:attach(Args)),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, arm_past} ->
            {keep_state, Data + 1,
             [{state_timeout, get(base) + 50, late, [{abs, true}]}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
