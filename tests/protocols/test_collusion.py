"""More than t colluding Byzantine parties break agreement in every protocol.

The attack follows Twins (Bano et al., "Twins: BFT Systems Made Robust",
OPODIS 2021). Each colluding node runs two honest instances under its id.
The simulator places the first instances in one world with the first half
of the honest nodes, and the second instances in another world with the
second half. Links between honest nodes of different worlds never
deliver (their latency is far beyond the run, and GST never comes), so
each world runs the protocol on its own. With n = 4 and twins on 0 and 1
the worlds are {0, 1, 2} and {0', 1', 3}: n - t parties each. Node 0
leads the first view, and its second instance proposes the conflicting
twin of its value, so each world commits a different value at height 1.

Chained HotStuff needs four leaders in a row inside one world (three
consecutive certified views, plus the leader who forms the third
certificate), and the leader of view v is node v mod n. An n = 4 world
holds three ids, so chained HotStuff cannot commit there: its row uses
n = 7 with three twins nodes, where each world holds five ids.
"""

from __future__ import annotations

from typing import Any

import pytest

from consensus.sim.protocol import conflicting_value
from tests.protocols.hotstuff_runs import D, run, severed

# name -> (protocol, params, n, twins nodes)
ATTACKS: dict[str, tuple[str, dict[str, Any], int, tuple[int, ...]]] = {
    "pbft": ("pbft", {}, 4, (0, 1)),
    "tendermint": ("tendermint", {}, 4, (0, 1)),
    "hotstuff": ("hotstuff", {}, 4, (0, 1)),
    "hotstuff_two_phase": ("hotstuff", {"variant": "two_phase"}, 4, (0, 1)),
    "chained_hotstuff": ("chained_hotstuff", {}, 7, (0, 1, 2)),
    "hotstuff2": ("hotstuff2", {}, 4, (0, 1)),
}


def worlds(n: int, twins: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """Return the honest nodes of the first and of the second world."""
    honest = [node for node in range(n) if node not in twins]
    half = (len(honest) + 1) // 2
    return honest[:half], honest[half:]


def twins_attack(
    protocol: str, params: dict[str, Any], n: int, twins: tuple[int, ...]
) -> dict[str, Any]:
    """Return the scenario: twins nodes, and the honest worlds cut apart."""
    first, second = worlds(n, twins)
    links = [link for a in first for b in second for link in severed(a, b)]
    return {
        "protocol": protocol,
        "params": params,
        "n": n,
        "faults": [{"node": node, "behaviour": "twins"} for node in twins],
        "network": {
            "latency": {"dist": "constant", "ms": D},
            "links": links,
            "gst_ms": 10**12,
        },
        "stop": {"time_ms": 8000, "heights": 1},
        "seed": 1,
    }


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_twins_fork_height_one(name: str) -> None:
    """Each world commits its own value at height 1; the checker reports
    the two commits, and each quorum is the twins plus one world."""
    protocol, params, n, twins = ATTACKS[name]
    first, second = worlds(n, twins)
    summary, _ = run(twins_attack(protocol, params, n, twins))
    violations = summary["safety_violations"]
    assert violations, "no safety violation reported"
    assert violations[0]["property"] == "agreement"

    evidence = violations[0]["evidence"]
    assert evidence["height"] == 1
    commit_a, commit_b = evidence["commits"]
    assert commit_a["height"] == commit_b["height"] == 1
    assert {commit_a["node"], commit_b["node"]} & set(first)
    assert {commit_a["node"], commit_b["node"]} & set(second)
    original = min(commit_a["value"], commit_b["value"])
    assert {commit_a["value"], commit_b["value"]} == {
        original,
        conflicting_value(original),
    }

    quorums = sorted(evidence["quorums"])
    assert quorums == sorted([commit_a["quorum"], commit_b["quorum"]])
    assert quorums == [sorted([*twins, *first]), sorted([*twins, *second])]
    assert evidence["quorum_intersection"] == sorted(twins)


def test_chained_hotstuff_four_stalls() -> None:
    """At n = 4 no world of chained HotStuff has four leaders in a row, so
    the twins attack commits nothing instead of forking."""
    doc = twins_attack("chained_hotstuff", {}, 4, (0, 1))
    summary, events = run(doc)
    assert summary["safety_violations"] == []
    assert [event for event in events if event["kind"] == "commit"] == []
