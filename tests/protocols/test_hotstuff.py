"""Basic HotStuff: good-case cost, view changes, safety and its limit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.protocols.hotstuff_runs import (
    D,
    commit_times,
    of_kind,
    run,
    scenario,
    sends_in_view,
    severed,
    tolerated_scenario,
)

TIMEOUT = 1000


@pytest.mark.parametrize("n", [4, 7, 10])
def test_first_view_takes_eight_delays(n):
    """View 0 starts at time 0: NEW-VIEW, then four leader phases."""
    _, events = run(scenario("hotstuff", n, stop={"time_ms": 200}))
    times = commit_times(events, 1)
    assert len(times) == n
    assert times[0] == 7 * D  # the leader decides on forming the commitQC
    assert max(times.values()) == 8 * D


@pytest.mark.parametrize("n", [4, 7, 10])
def test_view_costs_eight_broadcasts(n):
    """A view sends NEW-VIEW, four leader broadcasts and three vote rounds."""
    _, events = run(scenario("hotstuff", n, stop={"time_ms": 400}))
    view = 2
    assert sends_in_view(events, view) == 8 * (n - 1)
    assert len(of_kind(events, "send", view=view, msg="new_view")) == n - 1
    assert len(of_kind(events, "send", view=view, msg="vote")) == 3 * (n - 1)
    for kind in ("prepare", "pre_commit", "commit", "decide"):
        assert len(of_kind(events, "send", view=view, msg=kind)) == n - 1, kind


def test_heights_follow_every_eight_delays():
    _, events = run(scenario("hotstuff", stop={"time_ms": 300}))
    for height in (1, 2, 3):
        assert max(commit_times(events, height).values()) == 8 * D * height


def test_key_then_lock_then_commit():
    """Each replica keeps the prepareQC, then locks, then commits."""
    _, events = run(scenario("hotstuff", stop={"time_ms": 80}))
    for node in range(4):
        key = of_kind(events, "key", node=node)
        lock = of_kind(events, "lock", node=node)
        commit = of_kind(events, "commit", node=node)
        assert len(key) == len(lock) == len(commit) == 1, node
        assert key[0]["seq"] < lock[0]["seq"] < commit[0]["seq"], node
        assert key[0]["value"] == lock[0]["value"] == commit[0]["value"], node


def test_new_leader_reports_keys():
    """The leader of view 1 logs the prepareQC each NEW-VIEW carried."""
    _, events = run(scenario("hotstuff", stop={"time_ms": 100}))
    status = of_kind(events, "view_change_status", view=1)
    assert len(status) == 1
    assert status[0]["leader"] == 1
    reports = status[0]["reports"]
    assert len(reports) == 3
    assert 1 in [report["sender"] for report in reports]
    for report in reports:
        assert report["lock"]["value"] == "h1.v0.n0", report
        assert report["lock"]["view"] == 0, report
        assert report["faulty"] is False, report


def test_status_marks_faulty_sender():
    """Node 2 withholds its votes but still sends NEW-VIEW to the leader."""
    doc = scenario(
        "hotstuff",
        faults=[{"node": 2, "behaviour": "withhold_votes"}],
        stop={"time_ms": 50},
    )
    _, events = run(doc)
    reports = of_kind(events, "view_change_status", view=0)[0]["reports"]
    faulty = {report["sender"]: report["faulty"] for report in reports}
    assert faulty[2] is True
    assert faulty[0] is False
    assert all(report["lock"] is None for report in reports)


def test_commit_quorum_lists_signers():
    _, events = run(scenario("hotstuff", n=7, stop={"time_ms": 80}))
    commits = of_kind(events, "commit", height=1)
    qcs = of_kind(events, "qc", phase="commit", height=1)
    assert len(qcs) == 1
    assert all(commit["quorum"] == qcs[0]["signers"] for commit in commits)
    assert len(qcs[0]["signers"]) == 5


@pytest.mark.parametrize("seed", range(20))
def test_equivocating_leader_stays_safe(seed):
    """Node 0 leads view 0 and sends each half of the others another value."""
    doc = scenario(
        "hotstuff",
        faults=[{"node": 0, "behaviour": "equivocate"}],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 30}},
        stop={"time_ms": 3000},
        seed=seed,
    )
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 5


@pytest.mark.parametrize(
    "fault",
    [
        {"node": 1, "behaviour": "silent"},
        {"node": 1, "behaviour": "crash", "at_ms": 50},
    ],
    ids=["silent", "crash"],
)
def test_faulty_leader_costs_one_timer(fault):
    """Node 1 leads view 1, which starts at 8d after GST (time 0).

    The view timer moves everyone to view 2 after TIMEOUT; its NEW-VIEW
    round and four phases commit height 2 by 8d later:
    next commit <= view start + timer + 8d.
    """
    summary, events = run(scenario("hotstuff", faults=[fault]))
    view_start = 8 * D
    changes = of_kind(events, "view_change", view=2)
    assert {event["reason"] for event in changes} == {"timeout"}
    assert max(commit_times(events, 2).values()) <= view_start + TIMEOUT + 8 * D
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []


def test_drifted_views_meet_again():
    """A 100 ms view timer is shorter than many views here (exponential
    latency, mean 20 ms), so the replicas time out at different moments and
    drift two views apart, each side too small for a quorum. The leader of
    the view the others reached jumps to it on t + 1 NEW-VIEW messages."""
    doc = scenario(
        "hotstuff",
        5,
        network={
            "latency": {"dist": "exponential", "mean_ms": 20},
            "duplicate": 0.1,
            "pre_gst_max_delay_ms": 300,
        },
        params={"view_timeout_ms": 100},
        stop={"time_ms": 6000},
        seed=438269,
    )
    summary, events = run(doc)
    assert of_kind(events, "view_change", reason="new_view") != []
    assert summary["liveness_violations"] == []
    assert summary["committed_heights"] >= 10


def test_partition_heals_at_gst():
    """Halves of two cannot commit; after the heal at GST they do and agree."""
    heal = 3000
    doc = scenario(
        "hotstuff",
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


def test_twins_break_agreement():
    """Two of four Byzantine: nodes 0 and 1 run as twins, and 2 and 3
    never hear each other (asynchrony before a GST that never comes).

    Each twins instance lives in one world with one honest node, so world
    {0, 1, 2} and world {0', 1', 3} each form quorums on their own and
    commit different values at the same height. The checker reports the
    fork with both quorums.
    """
    doc = scenario(
        "hotstuff",
        faults=[
            {"node": 0, "behaviour": "twins"},
            {"node": 1, "behaviour": "twins"},
        ],
        network={
            "latency": {"dist": "constant", "ms": D},
            "links": severed(2, 3),
            "gst_ms": 10**12,
        },
        stop={"time_ms": 8000},
    )
    summary, _ = run(doc)
    violations = summary["safety_violations"]
    assert violations, "no safety violation reported"
    assert violations[0]["property"] == "agreement"
    evidence = violations[0]["evidence"]
    assert evidence["height"] == 1
    first, second = evidence["commits"]
    assert {first["node"], second["node"]} == {2, 3}
    assert first["value"] != second["value"]
    assert sorted(evidence["quorums"]) == [[0, 1, 2], [0, 1, 3]]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=tolerated_scenario("hotstuff"))
def test_agreement_with_tolerated_faults(doc):
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
