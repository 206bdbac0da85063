"""HotStuff-2: two phases, double certificates and the epoch pacemaker."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from consensus.protocols import hotstuff2
from consensus.protocols.hotstuff_common import GENESIS, GENESIS_QC, QC, Block
from tests.protocols.hotstuff_runs import (
    D,
    StubContext,
    commit_times,
    deliver,
    of_kind,
    propose_time,
    run,
    scenario,
    sends_in_view,
    start_machine,
    tolerated_scenario,
)

TIMEOUT = 1000
BACKOFF = 2
DELTA = 100
SILENT_1 = [{"node": 1, "behaviour": "silent"}]


@pytest.mark.parametrize("n", [4, 7, 10])
def test_commit_five_delays_after_proposal(n):
    """Propose, vote, prepare, vote2 to the next leader, its proposal: 5d.

    The next leader commits at 4d, when it forms the double certificate.
    """
    _, events = run(scenario("hotstuff2", n, stop={"time_ms": 150}))
    for height in (1, 2, 3):
        proposed = propose_time(events, height)
        times = commit_times(events, height)
        assert len(times) == n, height
        assert max(times.values()) - proposed == 5 * D, height
        assert min(times.values()) - proposed == 4 * D, height
        assert times[height % n] - proposed == 4 * D, height


@pytest.mark.parametrize("n", [4, 7, 10])
def test_view_costs_four_broadcasts(n):
    _, events = run(scenario("hotstuff2", n, stop={"time_ms": 200}))
    view = 2
    assert sends_in_view(events, view) == 4 * (n - 1)
    for kind in ("propose", "vote", "prepare", "vote2"):
        assert len(of_kind(events, "send", view=view, msg=kind)) == n - 1, kind


def test_lock_before_vote2():
    """Every party locks on the certificate it then signs in vote2."""
    _, events = run(scenario("hotstuff2", stop={"time_ms": 40}))
    for node in range(4):
        lock = of_kind(events, "lock", node=node, view=0)
        vote2 = of_kind(events, "vote", node=node, view=0, phase="vote2")
        assert len(lock) == len(vote2) == 1, node
        assert lock[0]["seq"] < vote2[0]["seq"], node
        assert lock[0]["value"] == vote2[0]["value"], node


def test_double_certificate_quorum_commits():
    _, events = run(scenario("hotstuff2", n=7, stop={"time_ms": 60}))
    doubles = of_kind(events, "qc", phase="vote2", height=1)
    assert len(doubles) == 1
    assert len(doubles[0]["signers"]) == 5
    commits = of_kind(events, "commit", height=1)
    assert len(commits) == 7
    assert all(commit["quorum"] == doubles[0]["signers"] for commit in commits)


def test_silent_next_leader_bound():
    """Node 1 is silent, so view 0's vote2 messages and view 1 are lost.

    With n = 4 an epoch is views {0, 1}. The view-0 timer fires at TIMEOUT
    and moves every party to view 1 without messages. View 1 times out
    after BACKOFF * TIMEOUT; it ends epoch 0, so a round of wishes (d)
    enters view 2, whose leader waits DELTA and commits 5d later (node 2
    itself at 4d): next commit <= TIMEOUT * (1 + BACKOFF) + d + DELTA + 5d.
    """
    summary, events = run(scenario("hotstuff2", faults=SILENT_1))
    reasons = {
        view: {event["reason"] for event in of_kind(events, "view_change", view=view)}
        for view in (1, 2)
    }
    assert reasons[1] == {"timer"}
    assert reasons[2] == {"timeout_certificate"}
    bound = TIMEOUT * (1 + BACKOFF) + D + DELTA + 5 * D
    honest = {0, 2, 3}
    times = commit_times(events, 2)
    assert honest <= set(times)
    assert max(times[node] for node in honest) <= bound
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []


@pytest.mark.parametrize("delta", [100, 300])
def test_leader_waits_delta_after_timeout(delta):
    """After a timeout certificate the leader proposes delta_ms after entering."""
    doc = scenario("hotstuff2", faults=SILENT_1, params={"delta_ms": delta})
    doc["stop"] = {"time_ms": 4000}
    _, events = run(doc)
    entered = of_kind(events, "view_change", node=2, view=2)[0]["t"]
    proposed = of_kind(events, "propose", node=2, view=2)[0]["t"]
    assert proposed - entered == delta


def test_status_reports_locks():
    """n = 7: node 1 is silent and node 3 withholds votes but sends status.

    View 1 fails, and the leader of view 2 logs the lock of every status
    that arrived during its DELTA wait.
    """
    doc = scenario(
        "hotstuff2",
        7,
        faults=[*SILENT_1, {"node": 3, "behaviour": "withhold_votes"}],
        stop={"time_ms": 4000},
    )
    _, events = run(doc)
    status = of_kind(events, "view_change_status", view=2)
    assert len(status) == 1
    assert status[0]["leader"] == 2
    reports = {report["sender"]: report for report in status[0]["reports"]}
    assert set(reports) == {0, 2, 3, 4, 5, 6}
    assert reports[3]["faulty"] is True
    lock = {"view": 0, "value": "h1.v0.n0", "height": 1}
    for sender in (0, 2, 4, 5, 6):
        assert reports[sender]["faulty"] is False, sender
        assert reports[sender]["lock"] == lock, sender


def test_wishes_form_timeout_certificate():
    """Each of the three speaking parties wishes once, for the first view
    of epoch 1 (view 2), and for no other view."""
    _, events = run(scenario("hotstuff2", faults=SILENT_1, stop={"time_ms": 3500}))
    wishes = of_kind(events, "send", msg="wish")
    assert len(wishes) == 3 * 3
    assert {wish["view"] for wish in wishes} == {2}
    assert {wish["node"] for wish in wishes} == {0, 2, 3}


def test_recovered_party_catches_up():
    """Node 2 crashes and restarts with an empty state; proposals carry it
    into the current view and it commits new heights again."""
    recover = 2500
    doc = scenario(
        "hotstuff2",
        faults=[
            {
                "node": 2,
                "behaviour": "crash_recover",
                "at_ms": 100,
                "recover_ms": recover,
            }
        ],
        stop={"time_ms": 5000},
    )
    summary, events = run(doc)
    after = [e for e in of_kind(events, "commit", node=2) if e["t"] > recover]
    assert after, "node 2 committed nothing after recovering"
    assert summary["safety_violations"] == []


def test_restarted_stable_leader_rejoins_view():
    """Node 1, leader of view 5 under stable rotation, restarted in view 0.

    The vote2 messages for its view-5 certificate of height 1 arrive
    afterwards. It forms the double certificate, commits, enters view 5
    and proposes height 2 there, instead of staying in view 0 with the
    height of view 5's next instance.
    """
    ctx = StubContext(1, 4, {"delta_ms": DELTA, "leader_rotation": "stable"})
    machine = start_machine(hotstuff2.HotStuff2, ctx)
    assert machine.state == (0, 0, "propose")
    block = Block(GENESIS, "B1", 5, GENESIS_QC)
    cert = QC("vote", 5, block, frozenset({0, 2, 3}))
    for sender in (0, 2, 3):
        deliver(ctx, machine, hotstuff2.Vote2(sender, 5, 1, "B1", cert))

    commits = [e for e in ctx.events if e["kind"] == "commit"]
    assert [(e["view"], e["height"]) for e in commits] == [(5, 1)]
    proposals = [e for e in ctx.events if e["kind"] == "propose"]
    assert [(e["view"], e["height"]) for e in proposals] == [(5, 2)]
    assert machine.state == (5, 2, "prepare")


@pytest.mark.parametrize("seed", range(20))
def test_equivocating_leader_stays_safe(seed):
    doc = scenario(
        "hotstuff2",
        faults=[{"node": 0, "behaviour": "equivocate"}],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 30}},
        stop={"time_ms": 3000},
        seed=seed,
    )
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 5


def test_partition_heals_at_gst():
    heal = 3000
    doc = scenario(
        "hotstuff2",
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
@given(doc=tolerated_scenario("hotstuff2"))
def test_agreement_with_tolerated_faults(doc):
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
