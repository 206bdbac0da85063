%% Pins: updating a running named timeout keeps its time; updating a
%% stopped one delivers at once; setting a running one again restarts it
%% with the new time and content; infinity cancels it; names are
%% independent.
-module(named_timeout_update_restart).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, arm}}, {200, {cast, upd}}, {400, {cast, upd3}},
      {500, {cast, arm_w}}, {600, {cast, restart}}, {700, {cast, arm_m}},
      {800, {cast, inf}}],
     1000}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {cast, arm} -> {keep_state, Data + 1, [{{timeout, n}, 250, v1}]};
        {cast, upd} -> {keep_state, Data + 1, [{{timeout, n}, update, v2}]};
        {cast, upd3} -> {keep_state, Data + 1, [{{timeout, n}, update, v3}]};
        {cast, arm_w} -> {keep_state, Data + 1, [{{timeout, n}, 250, w1}]};
        {cast, restart} -> {keep_state, Data + 1, [{{timeout, n}, 50, w2}]};
        {cast, arm_m} -> {keep_state, Data + 1, [{{timeout, m}, 150, m1}]};
        {cast, inf} -> {keep_state, Data + 1, [{{timeout, m}, infinity, x}]};
        _ -> {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
