"""Two-phase HotStuff loses liveness where the key phase keeps it.

The scenario follows the argument for the third phase of HotStuff: one
honest replica holds a lock that the others never learned, and its
NEW-VIEW is slower than the rest. Node 0 withholds its votes (one fault,
within t = 1), and node 1's links are slower (30 ms against 10 ms).
Node 1 leads view 1; a short partition cuts it off exactly while it
broadcasts the prepareQC of view 1, so node 1 alone keeps that
certificate:

- two-phase: node 1 alone is locked on view 1. The leaders of views 2
  and 3 propose on the view-0 certificate from the first n - t NEW-VIEW
  messages. Node 1 rejects them (safeNode fails) and node 0 does not
  vote, so neither view gathers a quorum. Only view 4, led by node 0 whose own
  vote counts, commits height 2.
- three-phase: the lost certificate is only node 1's key, while its lock
  stays on view 0, so it accepts the leader of view 2's proposal and
  view 2 commits.
"""

from __future__ import annotations

import pytest

from tests.protocols.hotstuff_runs import D, commit_times, of_kind, run, scenario

SLOW = {"dist": "constant", "ms": 3 * D}
# When node 1 broadcasts the prepareQC of view 1 in each variant (ms).
PREPARE_QC_SENT = {"two_phase": 110, "three_phase": 130}


def lone_lock(variant: str) -> dict:
    sent = PREPARE_QC_SENT[variant]
    return scenario(
        "hotstuff",
        params={"variant": variant},
        faults=[{"node": 0, "behaviour": "withhold_votes"}],
        network={
            "latency": {"dist": "constant", "ms": D},
            "links": [{"from": 1, "to": other, "latency": SLOW} for other in (0, 2, 3)],
            "partitions": [
                {"groups": [[1], [0, 2, 3]], "start_ms": sent - 5, "heal_ms": sent + 5}
            ],
        },
        stop={"time_ms": 9000},
    )


@pytest.mark.parametrize("variant", ["two_phase", "three_phase"])
def test_partition_drops_prepare_qc(variant):
    """The scenario is the one described: node 1's pre-commit never arrives."""
    _, events = run(lone_lock(variant))
    drops = of_kind(events, "drop", node=1, msg="pre_commit", reason="partition")
    assert [drop["to"] for drop in drops] == [0, 2, 3]
    assert {drop["t"] for drop in drops} == {PREPARE_QC_SENT[variant]}


def test_two_phase_stalls_on_lone_lock():
    summary, events = run(lone_lock("two_phase"))
    locks = of_kind(events, "lock", view=1)
    assert [lock["node"] for lock in locks] == [1]
    for view in (2, 3):
        votes = of_kind(events, "vote", node=1, view=view, phase="prepare")
        assert votes == [], f"node 1 voted in view {view}"
        assert of_kind(events, "qc", view=view) == [], view
    height2 = of_kind(events, "commit", height=2)
    assert {commit["view"] for commit in height2} == {4}
    assert min(commit["t"] for commit in height2) > 7000
    assert summary["safety_violations"] == []
    assert len(summary["liveness_violations"]) == 1


def test_three_phase_key_keeps_liveness():
    summary, events = run(lone_lock("three_phase"))
    keys = of_kind(events, "key", view=1)
    assert [key["node"] for key in keys] == [1]
    assert of_kind(events, "lock", view=1) == []
    assert len(of_kind(events, "vote", node=1, view=2, phase="prepare")) == 1
    height2 = of_kind(events, "commit", height=2)
    assert {commit["view"] for commit in height2} == {2}
    assert max(commit["t"] for commit in height2) < 1300
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []


@pytest.mark.parametrize("n", [4, 7, 10])
def test_two_phase_good_case(n):
    """NEW-VIEW, prepare, pre-commit and decide: 6d and 6(n - 1) a view."""
    doc = scenario("hotstuff", n, params={"variant": "two_phase"})
    doc["stop"] = {"time_ms": 300}
    _, events = run(doc)
    assert max(commit_times(events, 1).values()) == 6 * D
    assert len(of_kind(events, "send", view=2)) == 6 * (n - 1)
    assert of_kind(events, "send", view=2, msg="commit") == []
    assert of_kind(events, "key") == []


def test_unknown_variant_rejected():
    """The scenario loader rejects the variant before any node starts."""
    doc = scenario("hotstuff", params={"variant": "one_phase"})
    with pytest.raises(ValueError, match="params.variant") as raised:
        run(doc)
    assert "allowed: three_phase, two_phase" in str(raised.value)
