"""Pruned collector state, over hundreds of heights.

A HotStuff-2 collector keeps the instances whose double certificate it
formed (``Party.doubled``), and a chained HotStuff collector the digests
of the blocks it certified (``Chain.certified``), so that votes arriving
after a certificate do not form it again. Both drop the entries that no
later message can reach. These tests check that the sets stay small in
long runs and that no certificate forms twice. The recorded logs in
``test_hotstuff_recorded_logs.py`` check that the runs are otherwise
unchanged.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import pytest

from consensus.sim.runner import Simulation
from tests.protocols.hotstuff_runs import D, Event, of_kind, scenario

# Each protocol's pruned field of the per-node state, and the phase of the
# certificates that it keeps from forming twice.
PRUNED = {
    "hotstuff2": ("doubled", "vote2"),
    "chained_hotstuff": ("certified", "generic"),
}
ROTATIONS = ("round_robin", "stable")
LONG_RUN_HEIGHTS = 300
# Unpruned, the sets grow by one entry per certificate a node forms: about
# LONG_RUN_HEIGHTS / n per node under round_robin, LONG_RUN_HEIGHTS at a
# stable leader. Pruned, the largest size in these runs is 3.
MAX_ENTRIES = 4


@cache
def long_run(protocol: str, rotation: str) -> tuple[dict[str, Any], list[Event], int]:
    """Run n = 4 until every node committed LONG_RUN_HEIGHTS heights.

    Return the summary, the events and the largest size of the pruned set
    of any node at any commit event.
    """
    field = PRUNED[protocol][0]
    doc = scenario(
        protocol,
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 3 * D}},
        params={"leader_rotation": rotation},
        stop={"time_ms": 3_600_000, "heights": LONG_RUN_HEIGHTS},
    )
    events: list[Event] = []
    peak = 0

    def record(event: Event) -> None:
        nonlocal peak
        events.append(event)
        if event["kind"] == "commit":
            for machine in simulation.network.targets:
                peak = max(peak, len(getattr(machine.data, field)))

    simulation = Simulation(doc, [record])
    summary = simulation.run()
    return summary, events, peak


@pytest.mark.parametrize("rotation", ROTATIONS)
@pytest.mark.parametrize("protocol", sorted(PRUNED))
def test_pruned_set_stays_small(protocol, rotation):
    summary, _, peak = long_run(protocol, rotation)
    assert summary["committed_heights"] == LONG_RUN_HEIGHTS
    assert peak <= MAX_ENTRIES


@pytest.mark.parametrize("rotation", ROTATIONS)
@pytest.mark.parametrize("protocol", sorted(PRUNED))
def test_certificate_forms_once(protocol, rotation):
    """With n = 4 a quorum is 3 votes, so a fourth vote reaches the
    collector after most certificates have formed. It forms none again."""
    _, events, _ = long_run(protocol, rotation)
    phase = PRUNED[protocol][1]
    formed = Counter(
        (event["node"], event["view"], event["height"], event["value"])
        for event in of_kind(events, "qc", phase=phase)
    )
    assert len(formed) >= LONG_RUN_HEIGHTS
    assert max(formed.values()) == 1
