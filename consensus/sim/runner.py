"""Running a scenario: nodes, network, faults, log, checker and metrics.

A :class:`Simulation` builds one virtual runtime, one machine per node (two
for a twins node), the network and the fault plan, then runs the runtime
in chunks of items until a stop condition holds:

- ``time``: the clock would pass ``stop.time_ms`` (items due exactly then
  still run);
- ``heights``: every honest node has committed heights 1..``stop.heights``;
- ``events``: the log contains ``stop.events`` events;
- ``event_limit``: the log contains ``max_events`` events, a cap the caller
  sets outside the scenario and that counts like ``stop.events``;
- ``frozen``: the clock stood still for a window of :func:`frozen_limit`
  events, as in a run of one node or with zero latency, whose protocol
  keeps committing at one instant and would never reach ``stop.time_ms``;
- ``idle``: nothing is scheduled any more.

The log ends at the event that met a heights, events or event_limit
condition, plus the violations the checker derives from that event: the
log is closed there, and the next attempt to log raises
:class:`~consensus.sim.log.LogClosed`, which unwinds to
:meth:`Simulation.run`. Then come the checker's
final findings and ``run_end``, whose ``summary`` is what :meth:`run`
returns. Every event goes, numbered, to the sinks in order, then to the
metrics and the checker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from ..engine import Machine, VirtualRuntime
from ..protocols import get_protocol
from .checker import Checker
from .context import Drop, SimContext
from .faults import FaultPlan, RoutedTransmit, fault_event
from .log import (
    SCHEMA_VERSION,
    Event,
    EventLog,
    JsonlSink,
    LogClosed,
    NodeObserver,
)
from .metrics import Metrics
from .network import Network
from .scenario import DEFAULT_LIMITS, load

# Runtime items per chunk: the stop checks and progress run between chunks.
# One item may deliver a whole broadcast (see Network.group_deliveries).
CHUNK = 128


def frozen_limit(n: int) -> int:
    """Return how many events at one instant end a run as ``frozen``.

    A busy instant has about 2 n (n - 1) events (a round of all-to-all
    votes sent and delivered), so the bound leaves ten times that.
    """
    return max(100_000, 20 * n * n)


class Observing(Protocol):
    """The checker interface the simulation uses.

    ``kinds`` names the event kinds ``observe`` needs (None: all of them);
    the log routes only those, which keeps the per-message cost down.
    """

    kinds: frozenset[str] | None

    def observe(self, event: Event) -> list[Event]: ...

    def finish(self, now: float) -> list[Event]: ...


class Summarizing(Protocol):
    """The metrics interface the simulation uses; ``kinds`` as for Observing.

    ``close`` gives the end time and event count of the whole log, which
    the metrics cannot count from the kinds they see.
    """

    kinds: frozenset[str] | None

    def observe(self, event: Event) -> None: ...

    def close(self, now: float, events: int) -> None: ...

    def summary(self) -> dict[str, Any]: ...


class Offline:
    """Stands in for the machine of a node that is down from time 0."""

    stopped = True

    def receive(self, event_type: Any, content: Any) -> None:
        """Ignore the event, as a stopped machine does."""


class Simulation:
    """One run of a scenario; :meth:`run` runs it once and returns the summary.

    ``scenario`` may be a raw document: it is loaded (validated and
    normalized) first. ``sinks`` get every event in log order. ``progress``
    gets the fraction done (0 to 1) at most about a hundred times a run,
    and 1.0 at the end. ``checker`` and ``metrics`` default to the
    simulator's own. ``max_events`` caps the events before the closing
    ones (the checker's violations at the capped event, its final
    findings and ``run_end``), as ``stop.events`` does (None for no cap).
    The default cap, the scenario loader's limit on ``stop.events``, also
    ends a run whose protocol commits forever without time passing.
    """

    def __init__(
        self,
        scenario: dict[str, Any],
        sinks: Iterable[Callable[[Event], Any]] = (),
        progress: Callable[[float], None] | None = None,
        *,
        checker: Observing | None = None,
        metrics: Summarizing | None = None,
        max_events: int | None = DEFAULT_LIMITS.events_max,
    ) -> None:
        self.scenario = load(scenario)
        self.checker: Observing = checker or Checker(self.scenario)
        self.metrics: Summarizing = metrics or Metrics(self.scenario)
        self.progress = progress
        self.max_events = max_events
        self.n: int = self.scenario["n"]
        self.stop: dict[str, Any] = self.scenario["stop"]
        self.plan = FaultPlan(
            self.scenario["faults"], self.n, self.scenario.get("twins_worlds", ())
        )
        self.runtime = VirtualRuntime()
        self.log = EventLog(self._now)
        for sink in sinks:
            self.log.subscribe(sink, batch=getattr(sink, "broadcast", None))
        self.log.subscribe(
            self.metrics.observe,
            self.metrics.kinds,
            batch=getattr(self.metrics, "broadcast", None),
        )
        self.log.subscribe(
            self.checker.observe,
            self.checker.kinds,
            batch=getattr(self.checker, "broadcast", None),
        )
        self.log.subscribe(self._on_commit, ("commit",))
        self.log.subscribe(self._on_violation, ("violation",))
        self._set_event_limit()
        self.network = Network(
            self.runtime,
            self.log.emit,
            self.scenario["network"],
            self.n,
            self.scenario["seed"],
            self.log.emit_broadcast,
        )
        self.violations: list[dict[str, Any]] = []
        self.committed_heights = 0
        self._height_nodes: dict[int, set[int]] = {}
        self._reason: str | None = None
        self._end_t: float = 0

        self._reported = 0.0
        self._ran = False

    def _now(self) -> float:
        return self.runtime.now

    # Setup.

    def _set_event_limit(self) -> None:
        limits = [x for x in (self.stop["events"], self.max_events) if x is not None]
        if limits:
            self.log.limit = min(limits)
            self.log.on_limit = self._on_event_limit
        self.log.watch_clock(frozen_limit(self.n), self._on_frozen)

    def _on_frozen(self) -> None:
        self._halt("frozen")

    def _start(self) -> None:
        scenario = self.scenario
        self.log.emit(
            {
                "seq": 0,
                "t": 0,
                "kind": "run_start",
                "schema_version": SCHEMA_VERSION,
                "scenario": scenario,
                "seed": scenario["seed"],
            }
        )
        for event in self.plan.start_events():
            self.log.emit(event)
        self._protocol = get_protocol(scenario["protocol"])
        self.network.world = [self.plan.world(node) for node in range(self.n)]
        for node in range(self.n):
            self._start_node(node)

    def _start_node(self, node: int) -> None:
        fault = self.plan.by_node.get(node, {})
        behaviour = fault.get("behaviour")
        if behaviour == "delay":
            self.network.sender_delay[node] = fault["delay_ms"]
        if behaviour == "twins":
            self._start_twins(node)
            return
        if behaviour in ("crash", "crash_recover"):
            self.runtime.schedule_at(fault["at_ms"], self._crash, node)
            if behaviour == "crash_recover":
                self.runtime.schedule_at(fault["recover_ms"], self._recover, node)
            if fault["at_ms"] <= 0:
                self.network.targets[node] = Offline()
                return
        self.network.targets[node] = self._spawn(node)

    def _start_twins(self, node: int) -> None:
        """Start both instances of twins ``node``, one per world (see faults)."""
        first = self._spawn(node, reach=self.plan.reach(node, 0), twin=0)
        second = self._spawn(node, reach=self.plan.reach(node, 1), twin=1)
        self.network.targets[node] = None
        self.network.twin_routes[node] = (first, second)

    def _spawn(
        self, node: int, reach: tuple[int, ...] | None = None, twin: int | None = None
    ) -> Machine:
        network = self.network
        routed: RoutedTransmit = network.transmit
        drop: Drop = network.drop
        if twin is not None:
            routed = partial(network.transmit, twin=twin)
            drop = partial(network.drop, twin=twin)
        transmit = self.plan.outgoing(
            node, routed, drop, self.log.emit, self._now, twin
        )
        instance = twin or 0
        context = SimContext(
            node,
            self.n,
            dict(self.scenario["params"]),
            self.plan.faulty,
            self.runtime,
            self.log.emit,
            transmit,
            drop,
            reach,
            instance,
        )
        module = self._protocol(context)
        observer = NodeObserver(
            node,
            self.log.emit,
            self._now,
            bool(getattr(module, "state_enter", False)),
            {"twin": instance} if instance else None,
        )
        name = (node, instance) if instance else node
        return self.runtime.spawn(module, name=name, observer=observer)

    # Crash and recovery.

    def _crash(self, node: int) -> None:
        behaviour = self.plan.by_node[node]["behaviour"]
        self.log.emit(fault_event(self.runtime.now, node, behaviour, "crash"))
        machine = self.network.targets[node]
        if machine is not None:
            machine.stopped = True

    def _recover(self, node: int) -> None:
        behaviour = self.plan.by_node[node]["behaviour"]
        self.log.emit(fault_event(self.runtime.now, node, behaviour, "recover"))
        self.network.targets[node] = self._spawn(node)

    # Stop conditions.

    def _halt(self, reason: str) -> None:
        if self._reason is None:
            self._reason = reason
            self._end_t = self.runtime.now
            self.log.open = False

    def _on_event_limit(self) -> None:
        events = self.stop["events"]
        self._halt("events" if events == self.log.seq else "event_limit")

    def _on_commit(self, event: Event) -> None:
        node = event["node"]
        height = event["height"]
        if node in self.plan.faulty or height <= self.committed_heights:
            return
        self._height_nodes.setdefault(height, set()).add(node)
        honest = max(len(self.plan.honest), 1)
        done = self.committed_heights
        while len(self._height_nodes.get(done + 1, ())) >= honest:
            del self._height_nodes[done + 1]
            done += 1
        self.committed_heights = done
        target = self.stop["heights"]
        if target is not None and done >= target:
            self._halt("heights")

    def _on_violation(self, event: Event) -> None:
        self.violations.append(
            {"property": event["property"], "evidence": event["evidence"]}
        )

    # Running.

    def run(self) -> dict[str, Any]:
        """Run the scenario to its stop condition; return the summary."""
        if self._ran:
            raise RuntimeError("a Simulation runs once; create a new one")
        self._ran = True
        try:
            self._start()
            self._run_chunks()
        except LogClosed:
            pass
        return self._finish()

    def _run_chunks(self) -> None:
        runtime = self.runtime
        until = self.stop["time_ms"]
        while self._reason is None:
            if runtime.next_time() is None:
                self._halt("idle")
                self._end_t = self.log.last_t
                return
            ran = runtime.run(until=until, max_items=CHUNK)
            if ran < CHUNK:
                if runtime.next_time() is None:
                    self._halt("idle")
                    self._end_t = self.log.last_t
                else:
                    self._halt("time")
            self._report_progress()

    def _report_progress(self) -> None:
        if self.progress is None:
            return
        fractions = []
        if self.stop["time_ms"]:
            fractions.append(self.runtime.now / self.stop["time_ms"])
        if self.stop["heights"]:
            fractions.append(self.committed_heights / self.stop["heights"])
        if self.stop["events"]:
            fractions.append(self.log.seq / self.stop["events"])
        fraction = min(max(fractions, default=0.0), 1.0)
        if fraction >= self._reported + 0.01:
            self._reported = fraction
            self.progress(fraction)

    def _finish(self) -> dict[str, Any]:
        log = self.log
        log.open = True
        now = self._end_t
        for event in self.checker.finish(now):
            log.emit(log.numbered(event, now))
        self.metrics.close(now, log.seq + 1)
        summary = dict(self.metrics.summary())
        summary["safety_violations"] = [
            v for v in self.violations if v["property"] != "liveness"
        ]
        summary["liveness_violations"] = [
            v for v in self.violations if v["property"] == "liveness"
        ]
        summary["committed_heights"] = self.committed_heights
        summary["events"] = log.seq + 1
        summary["sim_time_ms"] = now
        summary["end_reason"] = self._reason
        end: dict[str, Any] = {
            "seq": 0,
            "t": now,
            "kind": "run_end",
            "reason": self._reason,
        }
        if self._reason == "event_limit":
            # The cap is not part of the scenario, so the log records it
            # for a replay to apply again.
            end["event_limit"] = self.max_events
        end["summary"] = summary
        log.emit(end)
        if self.progress is not None:
            self.progress(1.0)
        return summary


def run_scenario(
    doc: dict[str, Any] | str,
    events_path: str | Path | None = None,
    sinks: Iterable[Callable[[Event], Any]] = (),
    progress: Callable[[float], None] | None = None,
    max_events: int | None = DEFAULT_LIMITS.events_max,
) -> dict[str, Any]:
    """Load and run the scenario ``doc``; return the summary.

    With ``events_path`` the log is streamed to that file as JSON lines
    while the run goes on; it is complete when this returns.
    ``max_events`` is the cap of :class:`Simulation`.
    """
    scenario = load(doc)
    all_sinks = list(sinks)
    if events_path is None:
        return Simulation(scenario, all_sinks, progress, max_events=max_events).run()
    with JsonlSink(events_path) as writer:
        return Simulation(
            scenario, [writer, *all_sinks], progress, max_events=max_events
        ).run()
