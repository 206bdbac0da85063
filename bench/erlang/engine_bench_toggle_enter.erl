%% The toggle of engine_bench_toggle with state enter calls on: every
%% state change also runs an enter call that changes nothing.
-module(engine_bench_toggle_enter).
-behaviour(gen_statem).
-export([init/1, callback_mode/0, off/3, on/3]).

init([]) -> {ok, off, 0}.

callback_mode() -> [state_functions, state_enter].

off(enter, _, _) -> keep_state_and_data;
off(cast, _, Count) -> {next_state, on, Count + 1};
off({call, From}, count, Count) -> {keep_state_and_data, [{reply, From, Count}]}.

on(enter, _, _) -> keep_state_and_data;
on(cast, _, Count) -> {next_state, off, Count + 1};
on({call, From}, count, Count) -> {keep_state_and_data, [{reply, From, Count}]}.
