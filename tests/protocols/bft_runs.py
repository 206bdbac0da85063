"""Scenario builders and log queries for the protocol tests.

Every helper runs the real simulator (:class:`consensus.sim.runner.Simulation`)
and reads its event log; nothing here stands in for a protocol.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from consensus.sim.runner import Simulation

Event = dict[str, Any]

# Message kinds that re-deliver or fetch earlier messages, not counted in
# the per-decision message patterns.
CATCH_UP_KINDS = frozenset({"relay", "status", "fetch", "state_transfer"})


def scenario(protocol: str, n: int = 4, **overrides: Any) -> dict[str, Any]:
    """Return a scenario document: constant 10 ms links, no faults, 10 s."""
    doc: dict[str, Any] = {
        "version": 1,
        "protocol": protocol,
        "n": n,
        "network": {"latency": {"dist": "constant", "ms": 10}},
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


def of_kind(events: list[Event], kind: str) -> list[Event]:
    """Return the events of ``kind``, in log order."""
    return [event for event in events if event["kind"] == kind]


def honest_commits(events: list[Event], faulty: set[int] | None = None) -> list[Event]:
    """Return the commit events of nodes outside ``faulty``."""
    faulty = faulty or set()
    return [e for e in of_kind(events, "commit") if e["node"] not in faulty]


def first_propose_time(events: list[Event], height: int) -> float:
    """Return when the first ``propose`` event of ``height`` was logged."""
    return min(e["t"] for e in of_kind(events, "propose") if e["height"] == height)


def messages_for_height(events: list[Event], height: int) -> int:
    """Count the sends of protocol messages that carry ``height``.

    Relays and catch-up messages are left out: they are counted apart.
    """
    return sum(
        1
        for event in of_kind(events, "send")
        if event["msg"] not in CATCH_UP_KINDS
        and event["fields"].get("height") == height
    )


def sends_of(events: list[Event], kinds: frozenset[str]) -> int:
    """Count the sends of messages of ``kinds``."""
    return sum(1 for event in of_kind(events, "send") if event["msg"] in kinds)


BEHAVIOURS = (
    "silent",
    "crash",
    "crash_recover",
    "equivocate",
    "double_vote",
    "withhold_votes",
    "delay",
    "twins",
)


@st.composite
def fault(draw: st.DrawFn, node: int) -> dict[str, Any]:
    """Draw one fault entry for ``node``."""
    behaviour = draw(st.sampled_from(BEHAVIOURS))
    entry: dict[str, Any] = {"node": node, "behaviour": behaviour}
    if behaviour in ("crash", "crash_recover"):
        entry["at_ms"] = draw(st.integers(0, 2000))
    if behaviour == "crash_recover":
        entry["recover_ms"] = entry["at_ms"] + draw(st.integers(1, 2000))
    if behaviour == "delay":
        entry["delay_ms"] = draw(st.integers(1, 300))
    return entry


@st.composite
def network(draw: st.DrawFn, n: int) -> dict[str, Any]:
    """Draw a network: random latency, loss, duplicates, GST, a partition."""
    high = draw(st.sampled_from([5, 30, 200]))
    config: dict[str, Any] = {
        "latency": {"dist": "uniform", "low_ms": 1, "high_ms": high},
        "loss": draw(st.sampled_from([0.0, 0.05, 0.2])),
        "duplicate": draw(st.sampled_from([0.0, 0.1])),
        "gst_ms": draw(st.sampled_from([0, 1500])),
        "pre_gst_max_delay_ms": draw(st.sampled_from([0, 400])),
    }
    if draw(st.booleans()):
        order = draw(st.permutations(range(n)))
        cut = draw(st.integers(1, n - 1))
        start = draw(st.integers(0, 1500))
        config["partitions"] = [
            {
                "groups": [list(order[:cut]), list(order[cut:])],
                "start_ms": start,
                "heal_ms": start + draw(st.integers(100, 3000)),
            }
        ]
    return config


@st.composite
def tolerated_scenarios(draw: st.DrawFn, protocol: str) -> dict[str, Any]:
    """Draw a scenario of ``protocol`` with at most t faulty nodes."""
    n = draw(st.sampled_from([4, 5, 7]))
    t = (n - 1) // 3
    nodes = draw(st.lists(st.integers(0, n - 1), max_size=t, unique=True))
    return {
        "version": 1,
        "protocol": protocol,
        "n": n,
        "faults": [draw(fault(node)) for node in nodes],
        "network": draw(network(n)),
        "params": {"view_timeout_ms": draw(st.sampled_from([300, 1000]))},
        "stop": {"time_ms": 8000, "heights": 20},
        "seed": draw(st.integers(0, 10_000)),
    }
