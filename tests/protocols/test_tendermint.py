"""Tendermint: round changes, locks, growing timeouts and relays.

The cross-protocol module checks the good case, equivocation, partitions
and the colluding majority; these tests cover what is Tendermint's own.
Links take a constant d = 10 ms; timeoutPropose(0) is 1000 ms,
timeoutPrecommit(0) 500 ms and each round adds 500 ms to every timeout.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

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
PROPOSE = 1000
PRECOMMIT = 500
DELTA = 500


def test_good_case_sends_no_relays() -> None:
    """Without faults nobody relays or asks for decisions."""
    _, events = run(scenario("tendermint", 7, stop={"time_ms": 2000}))
    assert sends_of(events, CATCH_UP_KINDS) == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"node": 0, "behaviour": "silent"},
        {"node": 0, "behaviour": "crash", "at_ms": 35},
    ],
    ids=["silent", "crash"],
)
def test_proposer_fault_commits_at_bound(fault: dict[str, Any]) -> None:
    """A height whose round-0 proposer is down commits within the bound.

    timeoutPropose(0) fires, the nil prevotes arrive after d, the nil
    precommits after 2d, timeoutPrecommit(0) starts round 1, whose
    proposal, prevotes and precommits take 3d more: the bound is
    timeoutPropose(0) + timeoutPrecommit(0) + 5d after the height began,
    which is also the run's recovery time. Node 0 proposes round 0 of
    heights 1 and 5.
    """
    summary, events = run(
        scenario("tendermint", faults=[fault], stop={"time_ms": 10_000, "heights": 5})
    )
    commits = honest_commits(events, {0})
    stalled = 1 if fault["behaviour"] == "silent" else 5
    started = max((c["t"] for c in commits if c["height"] == stalled - 1), default=0)
    latest = max(c["t"] for c in commits if c["height"] == stalled)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] == 5
    assert latest == started + PROPOSE + PRECOMMIT + 5 * D
    assert summary["recovery_ms"] == PROPOSE + PRECOMMIT + 5 * D


def test_round_timeouts_grow_linearly() -> None:
    """Proposers of rounds 0 and 1 are silent; round 2 starts later by the deltas.

    Round r ends timeoutPropose(r) + 2d + timeoutPrecommit(r) after it
    starts, with timeout(r) = timeout(0) + r * delta.
    """
    silent = [{"node": 0, "behaviour": "silent"}, {"node": 1, "behaviour": "silent"}]
    doc = scenario(
        "tendermint", 7, faults=silent, stop={"time_ms": 10_000, "heights": 1}
    )
    summary, events = run(doc)
    starts = {
        e["view"]: e["t"] for e in of_kind(events, "view_change") if e["node"] == 4
    }
    round_1 = PROPOSE + 2 * D + PRECOMMIT
    round_2 = round_1 + (PROPOSE + DELTA) + 2 * D + (PRECOMMIT + DELTA)
    assert summary["committed_heights"] == 1
    assert starts == {1: round_1, 2: round_2}


def test_single_honest_lock_neither_breaks_nor_stalls() -> None:
    """Only node 2 sees the prevote quorum of round 0 and locks; all are honest.

    Node 3 gets the proposal after 2 s and prevotes nil on its timeout;
    node 2's prevote reaches nodes 0 and 1 only after 4 s, so they see
    two prevotes for the value and one nil, and precommit nil. Round 1
    then decides node 1's fresh value while node 2 still holds its lock,
    and the run goes on deciding heights. Gossip is slowed down so that
    only the rules of Algorithm 1 act.
    """
    links = [
        {"from": 0, "to": 3, "latency": {"dist": "constant", "ms": 2000}},
        {"from": 2, "to": 0, "latency": {"dist": "constant", "ms": 4000}},
        {"from": 2, "to": 1, "latency": {"dist": "constant", "ms": 4000}},
    ]
    doc = scenario(
        "tendermint",
        params={"gossip_ms": 8000},
        network={
            "latency": {"dist": "constant", "ms": D},
            "links": links,
            "gst_ms": 6000,
        },
        stop={"time_ms": 20_000, "heights": 3},
    )
    summary, events = run(doc)
    round_0_locks = [
        e for e in of_kind(events, "lock") if e["height"] == 1 and e["view"] == 0
    ]
    decided = {c["value"] for c in honest_commits(events) if c["height"] == 1}
    assert [e["node"] for e in round_0_locks] == [2]
    assert summary["safety_violations"] == []
    assert decided == {"h1.v1.n1"}
    assert summary["committed_heights"] == 3


def test_restarted_node_catches_up_by_status() -> None:
    """Node 2 restarts from height 1; the decisions relayed to it agree."""
    fault = {"node": 2, "behaviour": "crash_recover", "at_ms": 500, "recover_ms": 1500}
    doc = scenario("tendermint", faults=[fault], stop={"time_ms": 5000})
    summary, events = run(doc)
    decided = {
        c["height"]: c["value"] for c in honest_commits(events) if c["node"] == 0
    }
    restarted = [
        c for c in of_kind(events, "commit") if c["node"] == 2 and c["t"] > 1500
    ]
    assert sends_of(events, frozenset({"status"})) > 0
    assert max(c["height"] for c in restarted) >= max(decided) - 1
    assert all(decided[c["height"]] == c["value"] for c in restarted)
    assert summary["safety_violations"] == []


def test_gossip_resends_after_partition() -> None:
    """A partition freezes a round; relays after the heal let it finish."""
    cut = {"groups": [[0, 1], [2, 3]], "start_ms": 5, "heal_ms": 2500}
    doc = scenario(
        "tendermint",
        network={"latency": {"dist": "constant", "ms": D}, "partitions": [cut]},
        stop={"time_ms": 10_000, "heights": 2},
    )
    summary, events = run(doc)
    assert sends_of(events, frozenset({"relay"})) > 0
    assert summary["committed_heights"] == 2
    assert summary["safety_violations"] == []


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=tolerated_scenarios("tendermint"))
def test_tolerated_faults_keep_agreement(doc: dict[str, Any]) -> None:
    """With at most t faulty nodes no two honest nodes commit different values."""
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
