%% Pins: updating the event timeout always delivers the new content at
%% once, because the event that updates it has cancelled it already;
%% cancel and infinity stop it; of several event timeouts in one action
%% list the last wins.
-module(event_timeout_update_cancel).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, arm}}, {200, {cast, upd}}, {300, {cast, can}},
      {400, {cast, two}}, {500, {cast, inf}}],
     700}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, arm} -> {keep_state, Data + 1, [{timeout, 250, a1}]};
        {cast, upd} -> {keep_state, Data + 1, [{timeout, update, u1}]};
        {cast, can} -> {keep_state, Data + 1, [{timeout, 150, c1}, {timeout, cancel}]};
        {cast, two} -> {keep_state, Data + 1, [{timeout, 150, first}, {timeout, 50, second}]};
        {cast, inf} -> {keep_state, Data + 1, [{timeout, 50, x}, {timeout, infinity, y}]};
        _ -> {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
