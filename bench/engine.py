"""Engine benchmark: events per second of the gen_statem engine and others.

Three workloads run on four state-machine implementations, in one command
on one machine:

- ``toggle``: two states, every cast flips the state (state_functions).
- ``toggle_enter``: the same with state enter calls on; each enter call
  returns ``keep_state_and_data``.
- ``timer_pingpong``: casts carry the numbers 1..N; each handled cast flips
  between ping and pong and re-arms a state timeout and an event timeout of
  1000 ms, which never fire while casts keep coming. Every number ``i`` with
  ``i % 100 == 99`` is postponed when it first arrives and handled after the
  next state change.

The Quorumscope machine runs on :class:`VirtualRuntime` in two harnesses,
and both time the casts together with ``run()`` until the runtime is idle:

- queued (the plain workload names): all N casts are queued, then the
  runtime runs. The N live queue items give CPython's cyclic garbage
  collector many objects to scan, and the figures include that cost.
- batched (names ending in ``_batched``): the runtime runs after every 100
  casts, so the queue stays short, as in a simulation.

On the timer workload both include popping every cancelled timer from the
runtime's heap, because the virtual runtime keeps a cancelled timer there
until its due time. ``toggle_observed`` is the toggle with an observer that
does nothing, to price an attached observer against ``toggle``.

Erlang/OTP's ``gen_statem`` runs the same workloads from
``bench/erlang/`` (compiled with ``erlc`` into a temporary directory): a
driver process casts N events and then waits for a call that the machine
replies to after the last cast. It runs twice, with the default schedulers
and with ``+S 1`` (one scheduler), because with two schedulers the driver
and the machine can run on two cores while Python uses one. The
``transitions`` and ``python-statemachine`` packages run the toggle only,
triggering the event N times; they count nothing, while the other two add
one to an integer per event.

N is calibrated per workload so one run takes about ``--seconds``; the
reported rate is the best of ``--repeat`` runs. The garbage collector is on
in every measured run; only ``--profile`` turns it off, for one comparison
run. Run from the repository root::

    .venv/bin/python bench/engine.py          # table with ratios
    .venv/bin/python bench/engine.py --json   # machine-readable figures
    .venv/bin/python bench/engine.py --profile timer_pingpong
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from consensus.engine import (  # noqa: E402
    CAST,
    StateMachine,
    VirtualRuntime,
    event_timeout,
    state_timeout,
)
from consensus.engine.events import KEEP_STATE_AND_DATA, POSTPONE  # noqa: E402

ERLANG_DIR = Path(__file__).resolve().parent / "erlang"
WORKLOADS = ("toggle", "toggle_enter", "timer_pingpong")
TARGETS = (
    # (workload, baseline system, minimum ratio quorumscope / baseline)
    ("toggle", "erlang", 1.0),
    ("toggle", "transitions", 10.0),
    ("timer_pingpong", "erlang", 0.5),
)

# Run: a function that handles n events and returns the seconds it took.
Run = Callable[[int], float]


# Quorumscope callback modules.


class Toggle(StateMachine):
    """A machine with two states. Every cast flips the state and counts it."""

    def init(self) -> Any:
        return ("ok", "off", 0)

    def off(self, event_type: Any, content: Any, count: int) -> Any:
        return ("next_state", "on", count + 1)

    def on(self, event_type: Any, content: Any, count: int) -> Any:
        return ("next_state", "off", count + 1)


class ToggleEnter(Toggle):
    """The toggle with state enter calls that change nothing."""

    state_enter = True

    def off(self, event_type: Any, content: Any, count: int) -> Any:
        if event_type == "enter":
            return KEEP_STATE_AND_DATA
        return ("next_state", "on", count + 1)

    def on(self, event_type: Any, content: Any, count: int) -> Any:
        if event_type == "enter":
            return KEEP_STATE_AND_DATA
        return ("next_state", "off", count + 1)


PING_PONG_TIMEOUTS = [state_timeout(1000, "st"), event_timeout(1000, "et")]
POSTPONE_ONLY = (KEEP_STATE_AND_DATA, [POSTPONE])


class PingPong(StateMachine):
    """Ping-pong that re-arms two timers per cast and postpones 1 % of casts.

    A cast ``i`` with ``i % 100 == 99`` arrives when the count is ``i - 1``,
    so it is postponed. The next state change retries it when the count is
    ``i``, and then it is handled. After casts 1..N the count is N.
    """

    def init(self) -> Any:
        return ("ok", "ping", 0)

    def ping(self, event_type: Any, content: Any, count: int) -> Any:
        if event_type == CAST:
            if content % 100 == 99 and count == content - 1:
                return POSTPONE_ONLY
            return ("next_state", "pong", count + 1, PING_PONG_TIMEOUTS)
        return KEEP_STATE_AND_DATA

    def pong(self, event_type: Any, content: Any, count: int) -> Any:
        if event_type == CAST:
            if content % 100 == 99 and count == content - 1:
                return POSTPONE_ONLY
            return ("next_state", "ping", count + 1, PING_PONG_TIMEOUTS)
        return KEEP_STATE_AND_DATA


def ignore_record(machine: Any, kind: str, *fields: Any) -> None:
    """Accept an observer record and drop it."""


def quorumscope_run(
    module: type[StateMachine], observer: Any = None, batch: int | None = None
) -> Run:
    """Build a run that casts 1..n to a fresh machine and runs until idle.

    With ``batch`` unset all n casts are queued before the runtime runs.
    With a ``batch`` the runtime runs after every ``batch`` casts until no
    event is due at the current virtual time, so the queue stays short.
    """

    def run(n: int) -> float:
        runtime = VirtualRuntime()
        machine = runtime.spawn(module(), observer=observer)
        cast = runtime.cast
        step = n if batch is None else batch
        start = time.perf_counter()
        for first in range(1, n + 1, step):
            for number in range(first, min(first + step, n + 1)):
                cast(machine, number)
            runtime.run(until=runtime.now)
        runtime.run()
        elapsed = time.perf_counter() - start
        if machine.data != n:
            raise RuntimeError(f"{module.__name__} handled {machine.data} of {n}")
        return elapsed

    return run


BATCH = 100

# Workload name -> (callback module, observer).
QUORUMSCOPE_SPECS: dict[str, tuple[type[StateMachine], Any]] = {
    "toggle": (Toggle, None),
    "toggle_enter": (ToggleEnter, None),
    "timer_pingpong": (PingPong, None),
    "toggle_observed": (Toggle, ignore_record),
}
QUORUMSCOPE_RUNS: dict[str, Run] = {
    name: quorumscope_run(module, observer)
    for name, (module, observer) in QUORUMSCOPE_SPECS.items()
} | {
    f"{name}_batched": quorumscope_run(module, observer, BATCH)
    for name, (module, observer) in QUORUMSCOPE_SPECS.items()
}


# Python packages.


def check_toggled(state: str, n: int, system: str) -> None:
    expected = "off" if n % 2 == 0 else "on"
    if state != expected:
        raise RuntimeError(f"{system} ended in {state!r} after {n} toggles")


def transitions_toggle(n: int) -> float:
    """Trigger a ``transitions`` toggle n times; returns the seconds taken."""
    from transitions import Machine

    class Model:
        state: str

    model = Model()
    Machine(
        model=model,
        states=["off", "on"],
        transitions=[["toggle", "off", "on"], ["toggle", "on", "off"]],
        initial="off",
        auto_transitions=False,
    )
    trigger = model.toggle  # type: ignore[attr-defined]
    start = time.perf_counter()
    for _ in range(n):
        trigger()
    elapsed = time.perf_counter() - start
    check_toggled(model.state, n, "transitions")
    return elapsed


def statemachine_toggle(n: int) -> float:
    """Trigger a ``python-statemachine`` toggle n times; returns the seconds."""
    from statemachine import State
    from statemachine import StateMachine as PackageStateMachine

    class PackageToggle(PackageStateMachine):
        off = State(initial=True)
        on = State()
        toggle = off.to(on) | on.to(off)

    machine = PackageToggle()
    trigger = machine.toggle
    start = time.perf_counter()
    for _ in range(n):
        trigger()
    elapsed = time.perf_counter() - start
    check_toggled(machine.current_state_value, n, "python-statemachine")
    return elapsed


# Measurement.


def calibrate(run: Run, seconds: float) -> int:
    """Return an n for which ``run(n)`` takes about ``seconds``."""
    n = 1000
    while True:
        gc.collect()
        elapsed = run(n)
        if elapsed >= seconds / 5:
            return max(n, round(n * seconds / elapsed))
        n *= 4


def best_rate(run: Run, seconds: float, repeat: int) -> dict[str, float]:
    """Measure ``run`` ``repeat`` times; returns n and the best events/s."""
    n = calibrate(run, seconds)
    times = []
    for _ in range(repeat):
        gc.collect()
        times.append(run(n))
    return {"n": n, "rate": n / min(times)}


def python_figures(seconds: float, repeat: int) -> dict[str, Any]:
    """Measure the Quorumscope engine and the two Python packages."""
    quorumscope = {
        name: best_rate(run, seconds, repeat) for name, run in QUORUMSCOPE_RUNS.items()
    }
    return {
        "quorumscope": quorumscope,
        "transitions": {"toggle": best_rate(transitions_toggle, seconds, repeat)},
        "python_statemachine": {
            "toggle": best_rate(statemachine_toggle, seconds, repeat)
        },
    }


def erlang_figures(
    seconds: float, repeat: int, schedulers: int | None
) -> dict[str, Any] | None:
    """Compile and run the Erlang side; returns None when Erlang is missing."""
    if shutil.which("erl") is None or shutil.which("erlc") is None:
        print(
            "erl or erlc not found on PATH: skipping the Erlang figures; "
            "install Erlang/OTP (Debian package erlang-base) to get them",
            file=sys.stderr,
        )
        return None
    flags = [] if schedulers is None else ["+S", str(schedulers)]
    with tempfile.TemporaryDirectory() as build:
        sources = sorted(str(path) for path in ERLANG_DIR.glob("*.erl"))
        subprocess.run(["erlc", "-o", build, *sources], check=True, timeout=120)
        command = ["erl", *flags, "-noshell", "-pa", build]
        command += ["-run", "engine_bench", "main", str(seconds), str(repeat)]
        # Each workload calibrates and runs for about seconds * (repeat + 2);
        # allow three times that.
        limit = 60 + 3 * len(WORKLOADS) * seconds * (repeat + 2)
        done = subprocess.run(command, timeout=limit, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"erl failed with exit status {done.returncode}: {done.stderr.strip()}"
        )
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


# Output.


def rates(figures: dict[str, Any] | None) -> dict[str, float] | None:
    """Map workload to events per second, or None for a missing system."""
    if figures is None:
        return None
    return {
        name: value["rate"]
        for name, value in figures.items()
        if isinstance(value, dict)
    }


def run_sizes(results: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        system: {
            name: value["n"]
            for name, value in figures.items()
            if isinstance(value, dict)
        }
        for system, figures in results.items()
        if figures is not None
    }


def json_report(
    results: dict[str, Any], seconds: float, repeat: int, load: tuple[float, float]
) -> str:
    report: dict[str, Any] = {
        system: rates(figures) for system, figures in results.items()
    }
    erlang = results["erlang"] or {}
    report["method"] = {
        "statistic": f"best of {repeat} runs, events per second",
        "seconds_per_run": seconds,
        "n": run_sizes(results),
        "otp_release": erlang.get("otp_release"),
        "erlang_schedulers": erlang.get("schedulers"),
        "load_average_1min": {"start": load[0], "end": load[1]},
    }
    return json.dumps(report, indent=2)


def ratio(
    results: dict[str, Any], workload: str, baseline: str, batched: bool = False
) -> float | None:
    """Return quorumscope's rate over ``baseline``'s on ``workload``.

    ``batched`` picks the quorumscope figure of the batched harness. The
    result is None when either figure is missing.
    """
    ours = rates(results["quorumscope"]) or {}
    theirs = rates(results[baseline]) or {}
    key = f"{workload}_batched" if batched else workload
    if key not in ours or workload not in theirs:
        return None
    return ours[key] / theirs[workload]


def format_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


COLUMNS = (
    ("quorumscope", "quorumscope"),
    ("erlang", "erlang"),
    ("erlang_one_scheduler", "erlang +S 1"),
    ("transitions", "transitions"),
    ("python_statemachine", "python-sm"),
)


def rate_table(results: dict[str, Any]) -> list[str]:
    lines = [f"{'workload':<24}" + "".join(f"{title:>13}" for _, title in COLUMNS)]
    for workload in QUORUMSCOPE_RUNS:
        cells = [
            format_rate((rates(results[system]) or {}).get(workload))
            for system, _ in COLUMNS
        ]
        lines.append(f"{workload:<24}" + "".join(f"{cell:>13}" for cell in cells))
    return lines


def ratio_lines(results: dict[str, Any]) -> list[str]:
    lines = ["Ratios, quorumscope / other (queued harness, batched in brackets):"]
    for workload in WORKLOADS:
        parts = []
        for system, title in COLUMNS[1:]:
            queued = ratio(results, workload, system)
            batched = ratio(results, workload, system, batched=True)
            if queued is not None:
                parts.append(
                    f"{title} {format_ratio(queued)} ({format_ratio(batched)})"
                )
        lines.append(f"  {workload:<16}" + ", ".join(parts))

    ours = rates(results["quorumscope"]) or {}
    queued = ours["toggle_observed"] / ours["toggle"]
    batched = ours["toggle_observed_batched"] / ours["toggle_batched"]
    lines.append(
        "  toggle with a no-op observer / without: "
        f"{format_ratio(queued)} ({format_ratio(batched)})"
    )
    return lines


def verdict(value: float | None, minimum: float) -> str:
    if value is None:
        return "no figure"
    return "met" if value >= minimum else "not met"


def target_lines(results: dict[str, Any]) -> list[str]:
    lines = ["Targets (queued harness, batched in brackets):"]
    for workload, baseline, minimum in TARGETS:
        figures = [ratio(results, workload, baseline, batched=b) for b in (False, True)]
        verdicts = [verdict(value, minimum) for value in figures]
        lines.append(
            f"  {workload} >= {minimum:g}x {baseline}: "
            f"{format_ratio(figures[0])} {verdicts[0]} "
            f"({format_ratio(figures[1])} {verdicts[1]})"
        )
    return lines


def table_report(
    results: dict[str, Any], seconds: float, repeat: int, load: tuple[float, float]
) -> str:
    heading = f"Events per second, best of {repeat} runs of about {seconds:g} s each."
    erlang = results["erlang"]
    if erlang is not None:
        heading += f" Erlang/OTP {erlang['otp_release']}."
    cpus = os.cpu_count()
    load_line = (
        f"1-minute load average {load[0]:.2f} at the start, {load[1]:.2f} at the "
        f"end, on {cpus} CPUs."
    )
    lines = [heading, load_line, "", *rate_table(results), ""]
    lines += [*ratio_lines(results), "", *target_lines(results)]
    return "\n".join(lines)


# Profile.


def profile(workload: str, n: int) -> str:
    """Profile one Quorumscope run; returns the top costs per event."""
    run = QUORUMSCOPE_RUNS[workload]
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    run(n)
    profiler.disable()
    # Stats.stats maps (file, line, function) to (primitive calls, calls,
    # own time, cumulative time, callers); pstats has no public accessor.
    table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    entries = sorted(table.items(), key=lambda item: item[1][2], reverse=True)
    lines = [
        f"{workload}, n={n}, cProfile (its overhead inflates every figure)",
        f"{'own ns/event':>12} {'cum ns/event':>12} {'calls/event':>11}  function",
    ]
    for (filename, line, function), (_, calls, own, cumulative, _) in entries[:15]:
        where = f"{Path(filename).name}:{line}({function})"
        lines.append(
            f"{own / n * 1e9:>12.0f} {cumulative / n * 1e9:>12.0f} "
            f"{calls / n:>11.2f}  {where}"
        )
    return "\n".join(lines)


def phase_costs(workload: str, n: int, collect: bool) -> tuple[float, float, int]:
    """Time the queued harness in two phases, queueing and running.

    Returns nanoseconds per event for each phase and the larger of the
    runtime's item counts at the two phase ends. With ``collect`` False the
    cyclic garbage collector is off for the run, to show what it costs.
    """
    module, observer = QUORUMSCOPE_SPECS[workload.removesuffix("_batched")]
    runtime = VirtualRuntime()
    machine = runtime.spawn(module(), observer=observer)
    gc.collect()
    if not collect:
        gc.disable()
    try:
        start = time.perf_counter()
        for number in range(1, n + 1):
            runtime.cast(machine, number)
        queued = time.perf_counter()
        runtime.run(until=runtime.now)
        leftover = runtime.pending()
        runtime.run()
        done = time.perf_counter()
    finally:
        gc.enable()
    return (queued - start) / n * 1e9, (done - queued) / n * 1e9, max(n, leftover)


def phase_report(workload: str, n: int) -> str:
    lines = [f"{workload} without the batches, n={n}, ns per event:"]
    for collect in (True, False):
        queue, run, items = phase_costs(workload, n, collect)
        lines.append(
            f"  garbage collector {'on ' if collect else 'off'}: queue {queue:.0f}, "
            f"run {run:.0f}, total {queue + run:.0f}; up to {items} items queued"
        )
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON figures")
    parser.add_argument(
        "--seconds",
        type=float,
        default=1.0,
        help="target duration of one measured run, in seconds (default 1.0)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per measurement; the best is reported (default 3)",
    )
    parser.add_argument(
        "--profile",
        choices=sorted(QUORUMSCOPE_RUNS),
        help="profile one Quorumscope workload with cProfile instead",
    )
    parser.add_argument(
        "--profile-events",
        type=int,
        default=200_000,
        help="events in the profiled run (default 200000)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if arguments.profile:
        print(profile(arguments.profile, arguments.profile_events))
        print(phase_report(arguments.profile, arguments.profile_events))
        return
    seconds, repeat = arguments.seconds, arguments.repeat
    # Other processes slow every figure down, so the output shows the load.
    load_before = os.getloadavg()[0]
    results = python_figures(seconds, repeat)
    results["erlang"] = erlang_figures(seconds, repeat, None)
    results["erlang_one_scheduler"] = erlang_figures(seconds, repeat, 1)
    load = (load_before, os.getloadavg()[0])
    if arguments.json:
        print(json_report(results, seconds, repeat, load))
    else:
        print(table_report(results, seconds, repeat, load))


if __name__ == "__main__":
    main()
