"""HotStuff-2's epoch pacemaker: timers inside an epoch, wishes between.

An epoch is t + 1 views: {0, 1}, {2, 3}, ... for n = 4 and {0, 1, 2},
{3, 4, 5}, ... for n = 7. Node 1 is silent in every scenario here, so
view 0's vote2 messages (sent to node 1) and view 1 are lost, and the
same happens each time node 1's turn comes round.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.protocols.hotstuff_runs import D, commit_times, of_kind, run, scenario

TIMEOUT = 1000
BACKOFF = 2
DELTA = 100
SILENT_1 = [{"node": 1, "behaviour": "silent"}]


def silent_run(n: int, stop_ms: int, **overrides):
    doc = scenario("hotstuff2", n, faults=SILENT_1, stop={"time_ms": stop_ms})
    doc.update(overrides)
    return run(doc)


def test_mid_epoch_failures_send_no_wishes():
    """n = 7: views 0 and 1 fail inside epoch {0, 1, 2}, so the timers alone
    move every party to view 2. Its leader waits DELTA for the statuses
    and commits 5d later (node 3, the collector, at 4d), so the last
    honest commit of height 2 comes at TIMEOUT * (1 + BACKOFF) + DELTA + 5d.
    """
    summary, events = silent_run(7, 4000)
    assert of_kind(events, "send", msg="wish") == []
    for view in (1, 2):
        reasons = {
            event["reason"] for event in of_kind(events, "view_change", view=view)
        }
        assert reasons == {"timer"}, view
    times = commit_times(events, 2)
    honest = {0, 2, 3, 4, 5, 6}
    assert honest <= set(times)
    bound = TIMEOUT * (1 + BACKOFF) + DELTA + 5 * D
    assert max(times[node] for node in honest) == bound
    assert summary["safety_violations"] == []


def test_epoch_end_failure_needs_wishes():
    """n = 4: view 1 is the last view of epoch {0, 1}, so leaving it takes
    one round of wishes (d) for view 2, and the last honest commit of
    height 2 comes at TIMEOUT * (1 + BACKOFF) + d + DELTA + 5d."""
    _, events = silent_run(4, 4000)
    reasons = {event["reason"] for event in of_kind(events, "view_change", view=2)}
    assert reasons == {"timeout_certificate"}
    times = commit_times(events, 2)
    bound = TIMEOUT * (1 + BACKOFF) + D + DELTA + 5 * D
    assert max(times[node] for node in (0, 2, 3)) == bound


@pytest.mark.parametrize(
    ("n", "stop_ms", "epoch_starts"),
    [(4, 10_000, [2, 6, 10]), (7, 8_000, [9, 15])],
    ids=["n4", "n7"],
)
def test_wishes_per_epoch(n, stop_ms, epoch_starts):
    """Every synchronisation sends one wish from each of the n - 1 speaking
    parties to the n - 1 others, (n - 1)^2 in all, and only for the first
    view of an epoch.

    With n = 4 node 1 leads views 1, 5 and 9, each the last view of an
    epoch. With n = 7 its views are 1, 8 and 15: view 1 falls inside epoch
    {0, 1, 2} and costs no wish, view 8 ends epoch {6, 7, 8}, and view 14,
    whose vote2 messages go to node 1, ends epoch {12, 13, 14}.
    """
    _, events = silent_run(n, stop_ms)
    per_view = Counter(event["view"] for event in of_kind(events, "send", msg="wish"))
    assert sorted(per_view) == epoch_starts
    t = (n - 1) // 3
    for view, count in per_view.items():
        assert view % (t + 1) == 0, view
        assert count == (n - 1) * (n - 1), view


def test_timeout_certificate_enters_epoch():
    """The leader of an epoch's first view attaches the certificate of
    n - t wishes for it to its proposal."""
    _, events = silent_run(4, 4000)
    proposals = of_kind(events, "send", msg="propose", view=2)
    assert proposals
    certificate = proposals[0]["fields"]["timeout_cert"]
    assert certificate["view"] == 1
    assert len(certificate["signers"]) >= 3


@pytest.mark.parametrize("seed", range(10))
def test_two_faults_of_seven_stay_safe(seed):
    """n = 7 with t = 2: a silent party and an equivocating leader, random
    delays, a short view timer so that epochs pass by timers and wishes."""
    doc = scenario(
        "hotstuff2",
        7,
        faults=[*SILENT_1, {"node": 3, "behaviour": "equivocate"}],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 60}},
        params={"view_timeout_ms": 200},
        stop={"time_ms": 5000},
        seed=seed,
    )
    summary, events = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 3
    assert of_kind(events, "view_change", reason="timer")
