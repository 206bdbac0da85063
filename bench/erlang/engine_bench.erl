%% Driver of the Erlang side of bench/engine.py. For each workload it
%% starts the gen_statem, casts the numbers 1..N to it from this process,
%% then waits for a `count` call, which the machine replies to only after it
%% has handled every cast. The rate is N over the time from the first cast
%% to the reply. N is calibrated so one run takes about the requested
%% time, and the best rate of the repeated runs is printed as JSON.
%%
%% Usage: erl -noshell -pa DIR -run engine_bench main SECONDS REPEAT
-module(engine_bench).
-export([main/1]).

-define(WORKLOADS, [
    {toggle, engine_bench_toggle},
    {toggle_enter, engine_bench_toggle_enter},
    {timer_pingpong, engine_bench_pingpong}
]).

main([SecondsText, RepeatText]) ->
    Seconds = parse_number(SecondsText),
    Repeat = list_to_integer(RepeatText),
    Results = [
        {Name, best_rate(Module, Seconds, Repeat)}
     || {Name, Module} <- ?WORKLOADS
    ],
    io:format("~s~n", [to_json(Results)]),
    halt(0).

parse_number(Text) ->
    try list_to_float(Text)
    catch error:badarg -> float(list_to_integer(Text))
    end.

best_rate(Module, Seconds, Repeat) ->
    N = calibrate(Module, Seconds, 10000),
    Times = [run(Module, N) || _ <- lists:seq(1, Repeat)],
    {N, N / lists:min(Times)}.

%% Grow N until a run takes a fifth of the target, then scale it up.
calibrate(Module, Seconds, N) ->
    Elapsed = run(Module, N),
    if
        Elapsed >= Seconds / 5 -> max(N, round(N * Seconds / Elapsed));
        true -> calibrate(Module, Seconds, N * 4)
    end.

%% Return the seconds one run of N casts takes.
run(Module, N) ->
    {ok, Pid} = gen_statem:start(Module, [], []),
    erlang:garbage_collect(),
    Start = erlang:monotonic_time(nanosecond),
    cast_numbers(Pid, 1, N),
    Count = gen_statem:call(Pid, count, infinity),
    Stop = erlang:monotonic_time(nanosecond),
    ok = gen_statem:stop(Pid),
    case Count of
        N -> (Stop - Start) / 1.0e9;
        _ -> error({handled_count_mismatch, Module, Count, N})
    end.

cast_numbers(_, I, N) when I > N -> ok;
cast_numbers(Pid, I, N) ->
    gen_statem:cast(Pid, I),
    cast_numbers(Pid, I + 1, N).

to_json(Results) ->
    Fields = [
        io_lib:format("\"~s\": {\"n\": ~b, \"rate\": ~.1f}", [Name, N, Rate])
     || {Name, {N, Rate}} <- Results
    ],
    Release = erlang:system_info(otp_release),
    Schedulers = erlang:system_info(schedulers_online),
    Meta = io_lib:format(
        "\"otp_release\": \"~s\", \"schedulers\": ~b", [Release, Schedulers]
    ),
    ["{", lists:join(", ", Fields ++ [Meta]), "}"].
