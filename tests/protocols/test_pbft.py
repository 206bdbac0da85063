"""PBFT: view changes, prepared certificates, timers and state transfer.

The cross-protocol module checks the good case, equivocation, partitions
and the colluding majority; these tests cover what is PBFT's own. Links
take a constant d = 10 ms and the view timer T is 1000 ms unless a test
says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from consensus.protocols.pbft import (
    Certificate,
    NewView,
    Pbft,
    PrePrepare,
    ViewChange,
    select,
)
from tests.protocols.bft_runs import (
    CATCH_UP_KINDS,
    honest_commits,
    of_kind,
    run,
    scenario,
    sends_of,
    tolerated_scenarios,
)

D = 10
T = 1000


def test_good_case_sends_no_catch_up() -> None:
    """Without faults no fetch or state transfer is ever sent."""
    _, events = run(scenario("pbft", 7, stop={"time_ms": 2000}))
    assert sends_of(events, CATCH_UP_KINDS) == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"node": 0, "behaviour": "silent"},
        {"node": 0, "behaviour": "crash", "at_ms": 45},
    ],
    ids=["silent", "crash"],
)
def test_leader_fault_commits_within_bound(fault: dict[str, Any]) -> None:
    """The next height commits at most T + 4d after it started.

    The timer fires T after the height started; the view changes reach
    the new primary after d, its NEW-VIEW the backups after 2d, their
    prepares after 3d and the commits after 4d.
    """
    summary, events = run(
        scenario("pbft", faults=[fault], stop={"time_ms": 10_000, "heights": 4})
    )
    commits = honest_commits(events, {0})
    changes = of_kind(events, "view_change")
    assert changes, "no view change"
    changed = min(e["t"] for e in changes)
    stalled = min(c["height"] for c in commits if c["t"] > changed)
    started = max((c["t"] for c in commits if c["height"] == stalled - 1), default=0)
    latest = max(c["t"] for c in commits if c["height"] == stalled)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] == 4
    assert latest <= started + T + 4 * D


def test_view_change_reproposes_prepared_value() -> None:
    """Every node prepares view 0's value, then the commits are cut off.

    The new primary must re-propose that value in view 1 instead of its
    own, and report the locks it collected.
    """
    cut = {"groups": [[0], [1], [2], [3]], "start_ms": 15, "heal_ms": 500}
    doc = scenario(
        "pbft",
        network={"latency": {"dist": "constant", "ms": D}, "partitions": [cut]},
        stop={"time_ms": 5000, "heights": 1},
    )
    _, events = run(doc)
    commits = honest_commits(events)
    status = of_kind(events, "view_change_status")[0]
    assert {c["value"] for c in commits} == {"h1.v0.n0"}
    assert {c["view"] for c in commits} == {1}
    assert status["leader"] == 1
    assert all(r["lock"] == {"view": 0, "value": "h1.v0.n0"} for r in status["reports"])


def test_backup_joins_on_view_changes() -> None:
    """Node 3 runs late and joins view 1 on t + 1 view changes, before its timer.

    Its link from the primary takes 300 ms, so its timer for height 2
    fires at 1300; the other backups time out at 1030.
    """
    slow = {"from": 0, "to": 3, "latency": {"dist": "constant", "ms": 300}}
    doc = scenario(
        "pbft",
        faults=[{"node": 0, "behaviour": "crash", "at_ms": 25}],
        network={
            "latency": {"dist": "constant", "ms": D},
            "links": [slow],
            "delta_ms": 1000,
        },
        stop={"time_ms": 5000, "heights": 2},
    )
    summary, events = run(doc)
    joined = [e for e in of_kind(events, "view_change") if e["node"] == 3]
    assert summary["committed_heights"] == 2
    assert joined[0]["reason"] == "join"
    assert joined[0]["t"] < 300 + T


def test_consecutive_view_changes_double_timer() -> None:
    """Primaries 0, 1 and 2 are silent; the new-view timer doubles each time.

    View 1 starts at T; its new-view timer starts once the view changes
    arrive (d later) and runs T, view 2's runs 2T.
    """
    silent = [{"node": i, "behaviour": "silent"} for i in range(3)]
    doc = scenario("pbft", 10, faults=silent, stop={"time_ms": 20_000, "heights": 1})
    summary, events = run(doc)
    starts = {
        e["view"]: e["t"] for e in of_kind(events, "view_change") if e["node"] == 5
    }
    assert summary["committed_heights"] == 1
    assert starts == {1: T, 2: T + D + T, 3: T + D + T + D + 2 * T}


def test_lagging_node_catches_up_by_transfer() -> None:
    """Node 3 is cut off for two seconds; commit certificates bring it back."""
    cut = {"groups": [[0, 1, 2], [3]], "start_ms": 0, "heal_ms": 2000}
    doc = scenario(
        "pbft",
        network={"latency": {"dist": "constant", "ms": D}, "partitions": [cut]},
        stop={"time_ms": 3000},
    )
    summary, events = run(doc)
    lagging = [c for c in honest_commits(events) if c["node"] == 3]
    others = {c["height"]: c["value"] for c in honest_commits(events) if c["node"] == 0}
    assert sends_of(events, frozenset({"state_transfer"})) > 0
    assert summary["committed_heights"] > 50
    assert all(others[c["height"]] == c["value"] for c in lagging)


def _view_change(sender: int, height: int, prepared: Certificate | None) -> ViewChange:
    return ViewChange(sender, 1, height, prepared, None)


def test_select_takes_highest_prepared_view() -> None:
    """h* is the top height; the value is that of the highest-view certificate there."""
    low = Certificate(0, 2, "old", frozenset({0, 1, 2}))
    high = Certificate(3, 2, "new", frozenset({0, 1, 3}))
    stale = Certificate(5, 1, "stale", frozenset({0, 1, 3}))
    changes = (
        _view_change(0, 2, low),
        _view_change(1, 2, high),
        _view_change(2, 1, stale),
    )
    assert select(changes) == (2, "new")


def test_select_without_certificates_is_free() -> None:
    """No prepared certificate at h*: the new primary may propose any value."""
    changes = tuple(_view_change(i, 3, None) for i in range(3))
    assert select(changes) == (3, None)


class Context:
    """The fields of a node context that PBFT's new-view check reads."""

    def __init__(self, node: int, n: int = 4) -> None:
        self.id = node
        self.n = n
        self.t = (n - 1) // 3
        self.quorum = n - self.t
        self.params: dict[str, Any] = {"view_timeout_ms": T, "backoff": 2.0}
        self.faulty: frozenset[int] = frozenset()


@pytest.mark.parametrize(("value", "accepted"), [("prepared", True), ("other", False)])
def test_backup_checks_new_view_value(value: str, accepted: bool) -> None:
    """A NEW-VIEW must carry the value of the prepared certificate it includes."""
    prepared = Certificate(0, 1, "prepared", frozenset({0, 2, 3}))
    changes = (
        _view_change(1, 1, None),
        _view_change(2, 1, prepared),
        _view_change(3, 1, None),
    )
    new_view = NewView(1, 1, changes, PrePrepare(1, 1, 1, value))
    backup = Pbft(Context(2))
    assert backup._valid_new_view(new_view) is accepted


def test_backup_rejects_new_view_short_of_quorum() -> None:
    """Two view changes are not a quorum of four."""
    changes = (_view_change(1, 1, None), _view_change(2, 1, None))
    new_view = NewView(1, 1, changes, PrePrepare(1, 1, 1, "any"))
    backup = Pbft(Context(3))
    assert backup._valid_new_view(new_view) is False


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=tolerated_scenarios("pbft"))
def test_tolerated_faults_keep_agreement(doc: dict[str, Any]) -> None:
    """With at most t faulty nodes no two honest nodes commit different values."""
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
