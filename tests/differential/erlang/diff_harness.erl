%% Differential-test driver: runs gen_statem scenarios and prints traces.
%%
%% A scenario module exports script/0, returning {Steps, EndMs}, and the
%% gen_statem callbacks. Steps is a list of {AtMs, Input}, where Input is
%% {cast, Msg}, {info, Msg} or {call, Label, Msg}. init/1 receives
%% {Tracer, BaseMs} to pass to attach/1, which returns BaseMs, the value of
%% erlang:monotonic_time(millisecond) at the start, for absolute timeouts.
%% Callbacks report with trace/1.
%%
%% Each trace line is a list of terms printed by fmt/1. The driver adds
%% "> cast Msg" style lines when it sends an input, "< Label Reply" when a
%% reply arrives and "down Reason" when the machine exits. Before each
%% group of inputs due at the same time it reads every message already
%% received, so the position of an input line in the trace tells what had
%% happened before it was sent. A group of two or more inputs is sent while
%% the machine is suspended (sys:suspend/1), so all of them are in its
%% mailbox before it handles the first.
%%
%% The scripts keep every input at least 50 ms away from any timer expiry.
%% The driver checks that it woke up on time and that the machine had
%% handled each input within ?LATE_MS; a run that missed either on a
%% loaded machine is run again, up to ?ATTEMPTS times. Run the VM with one
%% scheduler (+S 1), so that a stalled scheduler delays timers and the
%% driver alike and fires them in order of expiry.
%%
%% Usage: erl +S 1 -noshell -pa BeamDir -run diff_harness main Scenario...
%% Prints one "Scenario<TAB>Line" per trace line, scenarios in argument
%% order, and halts. Retries are reported on standard error.
-module(diff_harness).
-export([main/1, attach/1, trace/1, fmt/1]).

-define(SCENARIO_TIMEOUT_MS, 30000).
-define(LATE_MS, 20).
-define(ATTEMPTS, 5).

main(Names) ->
    ok = logger:set_primary_config(level, none),
    %% Load every module first, so no scenario's start waits behind the
    %% code loading of the others.
    [{module, _} = code:ensure_loaded(M)
     || M <- [gen_statem, sys, timer | [list_to_atom(N) || N <- Names]]],
    Parent = self(),
    Runners = [{Name, spawn(fun() -> Parent ! {done, Name, run(Name, ?ATTEMPTS)} end)}
               || Name <- Names],
    lists:foreach(fun({Name, _Pid}) -> print(Name, await(Name)) end, Runners),
    halt(0).

await(Name) ->
    receive
        {done, Name, Lines} -> Lines
    after ?SCENARIO_TIMEOUT_MS ->
        [[harness_error, timed_out]]
    end.

print(Name, Lines) ->
    lists:foreach(
      fun(Fields) -> io:put_chars([Name, $\t, fmt_line(Fields), $\n]) end,
      Lines).

%% Runs one attempt in a fresh process, so no message of an earlier
%% attempt's machine can reach a later attempt's driver.
run(Name, Attempts) ->
    Parent = self(),
    Pid = spawn(fun() -> Parent ! {attempt, self(), safe_run(Name)} end),
    receive
        {attempt, Pid, {late, _Lines}} when Attempts > 1 ->
            io:format(standard_error, "~s: late run, trying again~n", [Name]),
            run(Name, Attempts - 1);
        {attempt, Pid, {late, Lines}} ->
            Lines ++ [[harness_error, late, ?ATTEMPTS]];
        {attempt, Pid, {on_time, Lines}} ->
            Lines
    end.

safe_run(Name) ->
    try
        run_once(list_to_atom(Name))
    catch
        Class:Reason:Stack ->
            {on_time, [[harness_error, Class, text("~0p ~0p", [Reason, Stack])]]}
    end.

%% Called by init/1 with its argument: makes the calling process report to
%% the driver, traces "init" and returns the base time for absolute timeouts.
attach({Tracer, Base}) ->
    put('$diff_tracer', Tracer),
    trace([init]),
    Base.

%% Sends one trace line from a callback in the machine process.
trace(Fields) ->
    get('$diff_tracer') ! {trace, Fields},
    ok.

run_once(Module) ->
    {Steps, End} = Module:script(),
    Base = erlang:monotonic_time(millisecond),
    {ok, Pid} = gen_statem:start(Module, {self(), Base}, []),
    MRef = erlang:monitor(process, Pid),
    S0 = settle(Base, #{pid => Pid, mref => MRef, requests => [], lines => [],
                        late => false}),
    S1 = lists:foldl(
           fun({At, Inputs}, S) ->
                   settle(Base + At, send_group(Inputs, checkpoint(Base + At, S)))
           end,
           S0, group(Steps)),
    #{lines := Lines, late := Late} = checkpoint(Base + End, S1),
    erlang:demonitor(MRef, [flush]),
    exit(Pid, kill),
    {case Late of true -> late; false -> on_time end, lists:reverse(Lines)}.

%% Waits until Time, then reads what the machine sent so far.
checkpoint(Time, #{pid := Pid, late := Late} = S) ->
    sleep_until(Time),
    Overslept = erlang:monotonic_time(millisecond) - Time > ?LATE_MS,
    drain(S#{late := Late orelse Overslept orelse busy(Pid)}).

%% Waits until the machine has handled everything it was sent at Time, so
%% the timers it started then are due when the script says.
settle(Time, #{pid := Pid, late := Late} = S) ->
    case busy(Pid) of
        true ->
            timer:sleep(1),
            settle(Time, S);
        false ->
            Slow = erlang:monotonic_time(millisecond) - Time > ?LATE_MS,
            S#{late := Late orelse Slow}
    end.

busy(Pid) ->
    case erlang:process_info(Pid, [status, message_queue_len]) of
        undefined -> false;
        [{status, waiting}, {message_queue_len, 0}] -> false;
        _ -> true
    end.

sleep_until(Time) ->
    Delay = Time - erlang:monotonic_time(millisecond),
    if Delay > 0 -> timer:sleep(Delay);
       true -> ok
    end.

group([]) ->
    [];
group([{At, Input} | Rest]) ->
    {Same, Later} = lists:splitwith(fun({T, _}) -> T =:= At end, Rest),
    [{At, [Input | [I || {_, I} <- Same]]} | group(Later)].

send_group([Input], S) ->
    send(Input, S);
send_group(Inputs, #{pid := Pid} = S) ->
    Suspended = try sys:suspend(Pid) of ok -> true catch exit:_ -> false end,
    S1 = lists:foldl(fun send/2, S, Inputs),
    Suspended andalso sys:resume(Pid),
    S1.

send({cast, Msg}, #{pid := Pid} = S) ->
    ok = gen_statem:cast(Pid, Msg),
    add(['>', cast, Msg], S);
send({info, Msg}, #{pid := Pid} = S) ->
    Pid ! Msg,
    add(['>', info, Msg], S);
send({call, Label, Msg}, #{pid := Pid, requests := Requests} = S) ->
    RequestId = gen_statem:send_request(Pid, Msg),
    add(['>', call, Label, Msg], S#{requests := [{RequestId, Label} | Requests]}).

drain(S) ->
    receive
        Msg -> drain(handle(Msg, S))
    after 0 ->
        S
    end.

handle({trace, Fields}, S) ->
    add(Fields, S);
handle({'DOWN', MRef, process, _, Reason}, #{mref := MRef} = S) ->
    add([down, exit_reason(Reason)], S);
handle(Msg, #{requests := Requests} = S) ->
    case match_reply(Msg, Requests) of
        {Label, {reply, Reply}} ->
            add(['<', Label, Reply], S#{requests := lists:keydelete(Label, 2, Requests)});
        {Label, {error, _}} ->
            %% The machine exited before it replied: no reply line, as on
            %% the Python side, where the From is never answered.
            S#{requests := lists:keydelete(Label, 2, Requests)};
        no_reply ->
            add([unexpected_message, text("~0p", [Msg])], S)
    end.

match_reply(_Msg, []) ->
    no_reply;
match_reply(Msg, [{RequestId, Label} | Rest]) ->
    case gen_statem:check_response(Msg, RequestId) of
        no_reply -> match_reply(Msg, Rest);
        Response -> {Label, Response}
    end.

%% A crash exits with {Reason, Stacktrace}; only the tag of Reason is kept.
exit_reason({{Tag, _}, [Frame | _]}) when is_atom(Tag), is_tuple(Frame) ->
    {error, Tag};
exit_reason(Reason) ->
    Reason.

add(Fields, #{lines := Lines} = S) ->
    S#{lines := [Fields | Lines]}.

fmt_line(Fields) ->
    lists:join($\s, [fmt(F) || F <- Fields]).

text(Format, Args) ->
    iolist_to_binary(io_lib:format(Format, Args)).

%% Canonical term format, shared with tests/differential/harness.py.
fmt(T) when is_atom(T) -> atom_to_list(T);
fmt(T) when is_integer(T) -> integer_to_list(T);
fmt(T) when is_binary(T) -> T;
fmt({Pid, _Tag}) when is_pid(Pid) -> "from";
fmt(T) when is_tuple(T) -> ["{", lists:join($,, [fmt(E) || E <- tuple_to_list(T)]), "}"];
fmt(T) when is_list(T) -> ["[", lists:join($,, [fmt(E) || E <- T]), "]"];
fmt(T) -> io_lib:format("~0p", [T]).
