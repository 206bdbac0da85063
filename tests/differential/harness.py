"""Python side of the differential tests: runs a scenario on VirtualRuntime.

A scenario is a callback module (a :class:`Traced` subclass) and a script of
timed inputs, the same as in the Erlang module of the same name under
``erlang/``. :func:`run_scenario` produces the trace that
``erlang/diff_harness.erl`` prints for that module, line for line:

- callbacks write their own lines through :meth:`Traced.log`;
- ``> cast Msg``, ``> info Msg`` and ``> call Label Msg`` mark each input
  when the driver sends it;
- ``< Label Reply`` records a reply reaching the driver;
- ``down Reason`` records that the machine has stopped, or
  ``down {error,Tag}`` when the engine raised a
  :class:`~consensus.engine.StateMachineError` whose reason has that tag.

Terms print as Erlang terms with no quoting: strings as atoms, tuples in
braces, lists in brackets and a call's From as ``from``.

The Erlang driver reads the machine's messages only just before it sends a
group of inputs and at the end, so a stop shows up as a ``down`` line at the
first of those moments after it. The Python driver checks for a stop at the
same moments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from consensus.engine import (
    From,
    Machine,
    StateMachine,
    StateMachineError,
    VirtualRuntime,
)

# A step is (at_ms, "cast", msg), (at_ms, "info", msg) or
# (at_ms, "call", label, msg).
Step = tuple[Any, ...]

# Upper bound on scheduled items per scenario, so a looping machine fails
# the test instead of hanging it.
MAX_ITEMS = 10_000


def format_term(term: Any) -> str:
    """Return ``term`` in the canonical format of ``diff_harness:fmt/1``."""
    if isinstance(term, bool):
        return "true" if term else "false"
    if isinstance(term, From):
        return "from"
    if isinstance(term, str):
        return term
    if isinstance(term, int):
        return str(term)
    if isinstance(term, tuple):
        return "{" + ",".join(format_term(item) for item in term) + "}"
    if isinstance(term, list):
        return "[" + ",".join(format_term(item) for item in term) + "]"
    raise TypeError(f"no canonical form for {term!r}; use str, int, tuple or list")


def format_line(fields: Sequence[Any]) -> str:
    """Join ``fields`` into one trace line."""
    return " ".join(format_term(field) for field in fields)


class Traced(StateMachine):
    """Callback module base class that writes trace lines.

    ``init`` receives the base time for absolute timeouts (0 on the virtual
    clock) and should call :meth:`attach`, the counterpart of
    ``diff_harness:attach/1``. ``terminate`` traces its arguments.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.base = 0

    def attach(self, base: int) -> int:
        """Trace ``init``, store ``base`` and return it."""
        self.base = base
        self.log("init")
        return base

    def log(self, *fields: Any) -> None:
        """Write one trace line made of ``fields``."""
        self.lines.append(format_line(fields))

    def terminate(self, reason: Any, state: Any, data: Any) -> None:
        self.log("terminate", reason, state, data)


@dataclass(frozen=True)
class Scenario:
    """One scripted scenario: a callback module, its inputs and end time."""

    name: str
    module: Callable[[list[str]], Traced]
    steps: tuple[Step, ...]
    end: int


class _Driver:
    """Send a scenario's inputs and record the replies and the stop."""

    def __init__(self, runtime: VirtualRuntime, machine: Machine, lines: list[str]):
        self.runtime = runtime
        self.machine = machine
        self.lines = lines
        self.error_tag: Any = None
        self.down_reported = False

    def send_group(self, steps: Sequence[Step]) -> None:
        self.report_down()
        for step in steps:
            self.send(step)

    def send(self, step: Step) -> None:
        kind = step[1]
        if kind == "cast":
            self.lines.append(format_line((">", "cast", step[2])))
            self.runtime.cast(self.machine, step[2])
        elif kind == "info":
            self.lines.append(format_line((">", "info", step[2])))
            self.runtime.info(self.machine, step[2])
        elif kind == "call":
            label, request = step[2], step[3]
            self.lines.append(format_line((">", "call", label, request)))
            caller = From(self._reply_recorder(label))
            self.runtime.schedule(0, self.machine.receive, ("call", caller), request)
        else:
            raise ValueError(f"invalid step {step!r}: expected cast, info or call")

    def _reply_recorder(self, label: Any) -> Callable[[Any], None]:
        def record(value: Any) -> None:
            self.lines.append(format_line(("<", label, value)))

        return record

    def report_down(self) -> None:
        if self.down_reported or not self.machine.stopped:
            return
        self.down_reported = True
        if self.error_tag is not None:
            self.lines.append(format_line(("down", ("error", self.error_tag))))
        else:
            self.lines.append(format_line(("down", self.machine.stop_reason)))


def run_scenario(scenario: Scenario) -> list[str]:
    """Run ``scenario`` on a fresh VirtualRuntime and return its trace."""
    lines: list[str] = []
    runtime = VirtualRuntime()
    machine = runtime.spawn(scenario.module(lines), 0, name=scenario.name)
    driver = _Driver(runtime, machine, lines)
    for at, group in groupby(scenario.steps, key=lambda step: step[0]):
        runtime.schedule_at(at, driver.send_group, list(group))
    runtime.schedule_at(scenario.end, driver.report_down)

    budget = MAX_ITEMS
    while runtime.next_time() is not None:
        try:
            budget -= runtime.run(max_items=budget)
        except StateMachineError as error:
            budget -= 1
            driver.error_tag = error.reason[0]
        if budget <= 0:
            raise AssertionError(f"{scenario.name}: still busy after {MAX_ITEMS} items")
    if runtime.now > scenario.end:
        raise AssertionError(
            f"{scenario.name}: events at {runtime.now} ms, after the end at "
            f"{scenario.end} ms; the Erlang driver stops watching at the end"
        )
    return lines
