"""Chained HotStuff: the pipeline, the chain rules and view changes."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings

from tests.protocols.hotstuff_runs import (
    D,
    commit_times,
    of_kind,
    propose_time,
    run,
    scenario,
    sends_in_view,
    tolerated_scenario,
)

TIMEOUT = 1000


@pytest.mark.parametrize("n", [4, 7, 10])
def test_commit_seven_delays_after_proposal(n):
    """A block commits when the proposal three views later arrives.

    Four proposals and three vote rounds: 7d, or 6d at the leader of
    that later view, which handles its own proposal at once.
    """
    _, events = run(scenario("chained_hotstuff", n, stop={"time_ms": 150}))
    for height in (1, 2, 3):
        proposed = propose_time(events, height)
        times = commit_times(events, height)
        assert len(times) == n, height
        assert max(times.values()) - proposed == 7 * D, height
        assert min(times.values()) - proposed == 6 * D, height


@pytest.mark.parametrize("n", [4, 7, 10])
def test_view_costs_two_broadcasts(n):
    """A view sends one proposal broadcast and one round of votes."""
    _, events = run(scenario("chained_hotstuff", n, stop={"time_ms": 150}))
    assert sends_in_view(events, 2) == 2 * (n - 1)
    assert len(of_kind(events, "send", view=2, msg="vote")) == n - 1


def test_new_block_every_two_delays():
    _, events = run(scenario("chained_hotstuff", stop={"time_ms": 150}))
    starts = [propose_time(events, height) for height in range(1, 6)]
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert gaps == [2 * D] * 4


def test_lock_on_two_chain():
    """A replica locks on a block when the proposal two views later arrives."""
    _, events = run(scenario("chained_hotstuff", stop={"time_ms": 150}))
    for lock in of_kind(events, "lock", node=2):
        carrier = [
            e
            for e in of_kind(events, "propose", view=lock["view"] + 2)
            if e["t"] <= lock["t"]
        ]
        assert len(carrier) == 1, lock


@pytest.mark.parametrize("seed", range(20))
def test_equivocating_leader_stays_safe(seed):
    doc = scenario(
        "chained_hotstuff",
        faults=[{"node": 0, "behaviour": "equivocate"}],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 30}},
        stop={"time_ms": 3000},
        seed=seed,
    )
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 5


def test_faulty_leader_costs_one_timer():
    """n = 7 and node 1, the leader of view 1, is silent after GST (time 0).

    The replicas enter view 1 at d and time out after TIMEOUT; the leader
    of view 2 proposes after one NEW-VIEW delay, and that block commits
    7d later: next commit <= d + timer + 8d.
    """
    doc = scenario("chained_hotstuff", 7, faults=[{"node": 1, "behaviour": "silent"}])
    summary, events = run(doc)
    changes = of_kind(events, "view_change", view=2)
    assert {event["reason"] for event in changes} == {"timeout"}
    assert max(commit_times(events, 1).values()) <= D + TIMEOUT + 8 * D
    status = of_kind(events, "view_change_status", view=2)
    assert len(status) == 1
    assert len(status[0]["reports"]) == 5
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []


def test_needs_four_honest_leaders_in_a_row():
    """With n = 4 and round-robin leaders, one silent node never commits.

    A commit needs blocks of three consecutive views plus the leader of
    the fourth view to certify the last of them: four honest leaders in a
    row. Here every fourth leader is silent.
    """
    doc = scenario("chained_hotstuff", faults=[{"node": 1, "behaviour": "silent"}])
    summary, events = run(doc)
    honest = [e for e in of_kind(events, "commit") if e["node"] != 1]
    assert honest == []
    assert summary["committed_heights"] == 0
    assert len(of_kind(events, "lock", node=0)) > 0
    assert len(summary["liveness_violations"]) == 1


def test_partition_heals_at_gst():
    heal = 3000
    doc = scenario(
        "chained_hotstuff",
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
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []
    assert summary["committed_heights"] == 5
    assert min(event["t"] for event in of_kind(events, "commit")) > heal


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=tolerated_scenario("chained_hotstuff"))
def test_agreement_with_tolerated_faults(doc):
    summary, _ = run(doc)
    assert summary["safety_violations"] == []


def proposal_ranks(events):
    """Return the (view, height) of every proposal sent, paired with the
    (view, height) of the certificate it carries."""
    ranks = []
    for event in of_kind(events, "send", msg="generic"):
        fields = event["fields"]
        justify = fields["justify"]
        block = (fields["view"], fields["height"])
        ranks.append((block, (justify["view"], justify["height"])))
    return ranks


@pytest.mark.parametrize("rotation", ["round_robin", "stable"])
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=tolerated_scenario("chained_hotstuff"))
def test_certificate_ranks_below_block(rotation, doc):
    """Every proposed block ranks above the certificate it carries.

    Before it checks safeNode, a replica raises its lock to the
    certificate that the proposal's parent carries. By this invariant that
    certificate ranks below the parent, whose certificate the proposal
    carries. So whenever the update raises the lock, the proposal's
    certificate ranks above the old lock too, safeNode's liveness clause
    holds, and checking safeNode before the update would give the same
    vote.
    """
    doc = {**doc, "params": {**doc["params"], "leader_rotation": rotation}}
    _, events = run(doc)
    ranks = proposal_ranks(events)
    assert ranks
    for block, justify in ranks:
        assert justify < block, (block, justify)


@pytest.mark.parametrize("rotation", ["round_robin", "stable"])
def test_twins_certificates_rank_below_block(rotation):
    """Two twins nodes at n = 4, more than t, still propose only blocks
    that rank above their certificates."""
    doc = scenario(
        "chained_hotstuff",
        faults=[
            {"node": 0, "behaviour": "twins"},
            {"node": 1, "behaviour": "twins"},
        ],
        params={"leader_rotation": rotation, "view_timeout_ms": 300},
        stop={"time_ms": 6000},
    )
    _, events = run(doc)
    ranks = proposal_ranks(events)
    assert len({block for block, _ in ranks}) > 10
    for block, justify in ranks:
        assert justify < block, (block, justify)
