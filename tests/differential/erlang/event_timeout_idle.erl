%% Pins: an event timeout fires when no event arrives first, also when
%% set by init and as a bare integer action (content = the time); time
%% infinity starts no timer; a bare 0 is delivered at once.
-module(event_timeout_idle).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{300, {cast, ping}}, {400, {cast, inf}}, {500, {cast, zero}}], 600}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0, [{timeout, 50, boot}]}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {timeout, boot} -> {keep_state, Data + 1, [100]};
        {cast, ping} -> {keep_state, Data + 1, [{timeout, 50, t2}]};
        {cast, inf} -> {keep_state, Data + 1, [{timeout, infinity, never}]};
        {cast, zero} -> {keep_state, Data + 1, 0};
        _ -> {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
