%% Two-state toggle for the engine benchmark: every cast flips the state
%% and counts one event; a `count` call replies with the count.
-module(engine_bench_toggle).
-behaviour(gen_statem).
-export([init/1, callback_mode/0, off/3, on/3]).

init([]) -> {ok, off, 0}.

callback_mode() -> state_functions.

off(cast, _, Count) -> {next_state, on, Count + 1};
off({call, From}, count, Count) -> {keep_state_and_data, [{reply, From, Count}]}.

on(cast, _, Count) -> {next_state, off, Count + 1};
on({call, From}, count, Count) -> {keep_state_and_data, [{reply, From, Count}]}.
