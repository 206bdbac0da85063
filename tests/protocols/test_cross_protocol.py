"""Checks every protocol must pass, one table row per protocol.

The good-case rows give the message count per decision and the commit
latency in message delays d, both derived from each protocol's message
pattern in docs/protocols.md (a broadcast to the n - 1 others counts
n - 1; a node's own vote is never sent). The latency runs from the first
propose event of a height to the commit of each honest node.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.protocols.bft_runs import (
    first_propose_time,
    honest_commits,
    messages_for_height,
    run,
    scenario,
)

D = 10

# protocol -> (messages per decision as a function of n, commit latency in d)
GOOD_CASE: dict[str, tuple[Callable[[int], int], int]] = {
    "pbft": (lambda n: 2 * n * (n - 1), 3),
    "tendermint": (lambda n: (n - 1) * (2 * n + 1), 3),
}

SAFE_PROTOCOLS = ["pbft", "tendermint"]
HEIGHTS = 3

# The HotStuff family: one collector (the leader, or the next one) forms
# each certificate, so the collector commits a delay before the others,
# and NEW-VIEW and certificate messages carry no height of their own. Rows
# give the messages of one view (which decides one block) and the delays
# from a height's first propose event to its last honest commit; basic
# HotStuff adds the NEW-VIEW delay before the proposal, 8d from view start.
VIEW_GOOD_CASE: dict[str, tuple[Callable[[int], int], int]] = {
    "hotstuff": (lambda n: 8 * (n - 1), 7),
    "chained_hotstuff": (lambda n: 2 * (n - 1), 7),
    "hotstuff2": (lambda n: 4 * (n - 1), 5),
}
ALL_PROTOCOLS = SAFE_PROTOCOLS + sorted(VIEW_GOOD_CASE)


@pytest.mark.parametrize("n", [4, 7, 10])
@pytest.mark.parametrize("protocol", sorted(GOOD_CASE))
def test_good_case_message_count(protocol: str, n: int) -> None:
    """Each of the first heights costs exactly the derived message count."""
    count, _ = GOOD_CASE[protocol]
    doc = scenario(protocol, n, stop={"time_ms": 10_000, "heights": HEIGHTS})
    summary, events = run(doc)
    assert summary["committed_heights"] == HEIGHTS
    for height in range(1, HEIGHTS + 1):
        assert messages_for_height(events, height) == count(n), height


@pytest.mark.parametrize("n", [4, 7, 10])
@pytest.mark.parametrize("protocol", sorted(GOOD_CASE))
def test_good_case_commit_latency(protocol: str, n: int) -> None:
    """Every honest node commits each height the derived delays after its proposal."""
    _, delays = GOOD_CASE[protocol]
    doc = scenario(protocol, n, stop={"time_ms": 10_000, "heights": HEIGHTS})
    _, events = run(doc)
    commits = honest_commits(events)
    assert len(commits) == n * HEIGHTS
    for commit in commits:
        start = first_propose_time(events, commit["height"])
        assert commit["t"] - start == delays * D, commit


@pytest.mark.parametrize("n", [4, 7, 10])
@pytest.mark.parametrize("protocol", sorted(VIEW_GOOD_CASE))
def test_view_good_case_message_count(protocol: str, n: int) -> None:
    """A middle view (view 2) sends exactly the derived message count."""
    count, _ = VIEW_GOOD_CASE[protocol]
    doc = scenario(protocol, n, stop={"time_ms": 400})
    _, events = run(doc)
    sends = [e for e in events if e["kind"] == "send" and e["view"] == 2]
    assert len(sends) == count(n)


@pytest.mark.parametrize("n", [4, 7, 10])
@pytest.mark.parametrize("protocol", sorted(VIEW_GOOD_CASE))
def test_view_good_case_commit_latency(protocol: str, n: int) -> None:
    """The last honest node commits a height the derived delays after its proposal."""
    _, delays = VIEW_GOOD_CASE[protocol]
    doc = scenario(protocol, n, stop={"time_ms": 10_000, "heights": HEIGHTS})
    _, events = run(doc)
    for height in range(1, HEIGHTS + 1):
        times = [c["t"] for c in honest_commits(events) if c["height"] == height]
        assert len(times) == n, height
        start = first_propose_time(events, height)
        assert max(times) - start == delays * D, height


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("protocol", ALL_PROTOCOLS)
def test_equivocating_leader_stays_safe(protocol: str, seed: int) -> None:
    """Node 0 leads first and sends two values; the honest nodes still agree."""
    doc = scenario(
        protocol,
        faults=[{"node": 0, "behaviour": "equivocate"}],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 30}},
        stop={"time_ms": 6000, "heights": 8},
        seed=seed,
    )
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 1


@pytest.mark.parametrize("protocol", ALL_PROTOCOLS)
def test_partition_heals_at_gst(protocol: str) -> None:
    """Two halves of four cannot commit; after the heal at GST they do, and agree."""
    heal = 3000
    doc = scenario(
        protocol,
        network={
            "latency": {"dist": "uniform", "low_ms": 5, "high_ms": 15},
            "partitions": [
                {"groups": [[0, 1], [2, 3]], "start_ms": 0, "heal_ms": heal}
            ],
            "gst_ms": heal,
        },
        stop={"time_ms": 20_000, "heights": 5},
        seed=3,
    )
    summary, events = run(doc)
    commits = honest_commits(events)
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []
    assert summary["committed_heights"] == 5
    assert min(commit["t"] for commit in commits) > heal


# The HotStuff family is left out: its certificates have a single collector,
# which gets the original of every faulty message, so these two faults
# cannot fork it (see docs/protocols.md). tests/protocols/test_collusion.py
# forks every protocol with twins instead.
@pytest.mark.parametrize("protocol", SAFE_PROTOCOLS)
def test_colluding_majority_breaks_agreement(protocol: str) -> None:
    """Two of four Byzantine: an equivocating leader and a double voter.

    Each honest node receives a quorum for a different value, so the checker
    must report conflicting commits at height 1, with both quorums.
    """
    doc = scenario(
        protocol,
        faults=[
            {"node": 0, "behaviour": "equivocate"},
            {"node": 1, "behaviour": "double_vote"},
        ],
        stop={"time_ms": 2000, "heights": 1},
    )
    summary, _ = run(doc)
    violations = summary["safety_violations"]
    assert violations, "no safety violation reported"
    evidence = violations[0]["evidence"]
    assert violations[0]["property"] == "agreement"
    assert evidence["height"] == 1
    first, second = evidence["commits"]
    assert first["value"] != second["value"]
    assert {first["node"], second["node"]} == {2, 3}
    assert all(len(quorum) == 3 for quorum in evidence["quorums"])
