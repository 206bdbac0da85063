"""Scenario builders and log queries for the HotStuff-family tests.

Every helper runs the real simulator and reads its event log.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from consensus.engine import Machine, VirtualRuntime
from consensus.sim.runner import Simulation

Event = dict[str, Any]

D = 10  # the constant one-way delay of the good-case scenarios, in ms
FAULT_BEHAVIOURS = (
    "silent",
    "crash",
    "crash_recover",
    "equivocate",
    "double_vote",
    "withhold_votes",
    "delay",
    "twins",
)


def scenario(protocol: str, n: int = 4, **overrides: Any) -> dict[str, Any]:
    """Return a scenario: constant ``D`` ms links, no faults, 10 s."""
    doc: dict[str, Any] = {
        "protocol": protocol,
        "n": n,
        "network": {"latency": {"dist": "constant", "ms": D}},
        "stop": {"time_ms": 10_000},
        "seed": 1,
    }
    doc.update(overrides)
    return doc


def run(doc: dict[str, Any]) -> tuple[dict[str, Any], list[Event]]:
    """Run ``doc``; return the summary and every event of the log."""
    events: list[Event] = []
    summary = Simulation(doc, [events.append]).run()
    return summary, events


def of_kind(events: list[Event], kind: str, **match: Any) -> list[Event]:
    """Return the events of ``kind`` whose fields equal ``match``."""
    return [
        event
        for event in events
        if event["kind"] == kind
        and all(event.get(key) == value for key, value in match.items())
    ]


def commit_times(events: list[Event], height: int) -> dict[int, float]:
    """Return when each node committed ``height``."""
    return {e["node"]: e["t"] for e in of_kind(events, "commit", height=height)}


def sends_in_view(events: list[Event], view: int) -> int:
    """Count the point-to-point sends of messages of ``view``."""
    return len(of_kind(events, "send", view=view))


def propose_time(events: list[Event], height: int) -> float:
    """Return when ``height`` was first proposed."""
    return min(e["t"] for e in of_kind(events, "propose", height=height))


def severed(a: int, b: int) -> list[dict[str, Any]]:
    """Return link overrides that keep messages between ``a`` and ``b`` away.

    Before GST the simulator delivers a message after its sampled latency,
    so with GST out of reach these links never deliver within a test run.
    """
    never = {"dist": "constant", "ms": 10**9}
    return [
        {"from": a, "to": b, "latency": never},
        {"from": b, "to": a, "latency": never},
    ]


@st.composite
def fault_entry(draw: st.DrawFn, node: int) -> dict[str, Any]:
    """Draw one fault entry for ``node``."""
    behaviour = draw(st.sampled_from(FAULT_BEHAVIOURS))
    entry: dict[str, Any] = {"node": node, "behaviour": behaviour}
    if behaviour in ("crash", "crash_recover"):
        entry["at_ms"] = draw(st.integers(0, 1500))
    if behaviour == "crash_recover":
        entry["recover_ms"] = entry["at_ms"] + draw(st.integers(1, 1500))
    if behaviour == "delay":
        entry["delay_ms"] = draw(st.integers(1, 300))
    return entry


@st.composite
def tolerated_scenario(draw: st.DrawFn, protocol: str) -> dict[str, Any]:
    """Draw a scenario of ``protocol`` with at most t faulty nodes.

    Latency, loss, duplication, GST and one partition are drawn too.
    """
    n = draw(st.sampled_from([4, 5, 7]))
    t = (n - 1) // 3
    nodes = draw(st.lists(st.integers(0, n - 1), max_size=t, unique=True))
    network: dict[str, Any] = {
        "latency": {
            "dist": "uniform",
            "low_ms": 1,
            "high_ms": draw(st.sampled_from([5, 30, 200])),
        },
        "loss": draw(st.sampled_from([0.0, 0.05, 0.2])),
        "duplicate": draw(st.sampled_from([0.0, 0.1])),
        "gst_ms": draw(st.sampled_from([0, 1000])),
        "pre_gst_max_delay_ms": draw(st.sampled_from([0, 300])),
    }
    if draw(st.booleans()):
        order = draw(st.permutations(range(n)))
        cut = draw(st.integers(1, n - 1))
        start = draw(st.integers(0, 1000))
        network["partitions"] = [
            {
                "groups": [list(order[:cut]), list(order[cut:])],
                "start_ms": start,
                "heal_ms": start + draw(st.integers(100, 2000)),
            }
        ]
    return {
        "protocol": protocol,
        "n": n,
        "faults": [draw(fault_entry(node)) for node in nodes],
        "network": network,
        "params": {"view_timeout_ms": draw(st.sampled_from([200, 1000]))},
        "stop": {"time_ms": 4000},
        "seed": draw(st.integers(0, 10_000)),
    }


class StubContext:
    """A NodeContext that records what one protocol instance sends and emits.

    It runs a single machine on its own virtual runtime, for tests that
    hand-craft the messages the machine receives.
    """

    def __init__(self, node: int, n: int, params: dict[str, Any]) -> None:
        self.id = node
        self.n = n
        self.t = (n - 1) // 3
        self.quorum = n - self.t
        self.params = {"view_timeout_ms": 1000, "backoff": 2.0, **params}
        self.faulty: frozenset[int] = frozenset()
        self.runtime = VirtualRuntime()
        self.sent: list[tuple[int | None, Any]] = []
        self.events: list[Event] = []

    @property
    def now(self) -> float:
        return self.runtime.now

    def send(self, destination: int, message: Any) -> None:
        self.sent.append((destination, message))

    def broadcast(self, message: Any) -> None:
        self.sent.append((None, message))

    def emit(self, kind: str, **fields: Any) -> None:
        self.events.append({"kind": kind, "t": self.now, **fields})

    def leader(self, view: int) -> int:
        return view % self.n

    def proposal(self, height: int, view: int) -> str:
        return f"h{height}.v{view}.n{self.id}"


def start_machine(module_class: Any, ctx: StubContext) -> Machine:
    """Spawn ``module_class(ctx)`` on the context's runtime and settle it."""
    machine = ctx.runtime.spawn(module_class(ctx))
    ctx.runtime.run(until=0)
    return machine


def deliver(ctx: StubContext, machine: Machine, *messages: Any) -> None:
    """Cast ``messages`` to ``machine`` in order, running each to completion."""
    for message in messages:
        ctx.runtime.cast(machine, message)
        ctx.runtime.run(until=ctx.runtime.now)
