%% Ping-pong with timers for the engine benchmark. Casts carry the numbers
%% 1..N. Each handled cast flips between ping and pong, counts one event
%% and re-arms a state timeout and an event timeout of 1000 ms, which never
%% fire while casts keep coming. A number I with I rem 100 =:= 99 is
%% postponed when it first arrives (the count is then I - 1); the next
%% state change retries it, and then the count is I, so it is handled.
-module(engine_bench_pingpong).
-behaviour(gen_statem).
-export([init/1, callback_mode/0, ping/3, pong/3]).

-define(TIMEOUTS, [{state_timeout, 1000, st}, {timeout, 1000, et}]).

init([]) -> {ok, ping, 0}.

callback_mode() -> state_functions.

ping(cast, I, Count) when I rem 100 =:= 99, Count =:= I - 1 ->
    {keep_state_and_data, [postpone]};
ping(cast, _, Count) -> {next_state, pong, Count + 1, ?TIMEOUTS};
ping(EventType, Content, Count) -> other(EventType, Content, Count).

pong(cast, I, Count) when I rem 100 =:= 99, Count =:= I - 1 ->
    {keep_state_and_data, [postpone]};
pong(cast, _, Count) -> {next_state, ping, Count + 1, ?TIMEOUTS};
pong(EventType, Content, Count) -> other(EventType, Content, Count).

other({call, From}, count, Count) -> {keep_state_and_data, [{reply, From, Count}]};
other(state_timeout, st, _) -> keep_state_and_data;
other(timeout, et, _) -> keep_state_and_data.
