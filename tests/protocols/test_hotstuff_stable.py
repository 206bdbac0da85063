"""Stable leader rotation in the HotStuff family.

Under ``leader_rotation = "stable"`` a view contains a run of instances, one
per height, all led by node ``view mod n``. Only a timeout moves the view
and the leader on. Each row below is one protocol choice.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.protocols.hotstuff_runs import (
    D,
    commit_times,
    of_kind,
    propose_time,
    run,
    scenario,
    tolerated_scenario,
)

TIMEOUT = 1000
DELTA = 100
STABLE = {"leader_rotation": "stable"}

# name -> (protocol, extra params)
CHOICES: dict[str, tuple[str, dict[str, Any]]] = {
    "hotstuff": ("hotstuff", {}),
    "two_phase": ("hotstuff", {"variant": "two_phase"}),
    "chained": ("chained_hotstuff", {}),
    "hotstuff2": ("hotstuff2", {}),
}

# name -> (messages per decision as a function of n, delays between two
# proposals, delays from a proposal to the last commit of its block), from
# the good case under stable rotation in docs/protocols.md.
GOOD_CASE = {
    "hotstuff": (lambda n: 7 * (n - 1), 6, 7),
    "two_phase": (lambda n: 5 * (n - 1), 4, 5),
    "chained": (lambda n: 2 * (n - 1), 2, 7),
    "hotstuff2": (lambda n: 4 * (n - 1), 4, 5),
}

# name -> delays from the replicas' view timer firing to the next commit
# by every honest node, with a crashed stable leader (docs/protocols.md).
TAKEOVER_DELAYS = {
    "hotstuff": 8 * D,
    "two_phase": 6 * D,
    "chained": 8 * D,
    "hotstuff2": DELTA + 5 * D,
}


def stable_scenario(name: str, n: int = 4, **overrides: Any) -> dict[str, Any]:
    protocol, params = CHOICES[name]
    return scenario(protocol, n, params={**STABLE, **params}, **overrides)


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_one_leader_across_decisions(name):
    """Node 0 proposes every height in view 0, and no node changes view."""
    summary, events = run(stable_scenario(name, stop={"time_ms": 300}))
    proposals = of_kind(events, "propose")
    assert len(proposals) >= 5
    assert {event["node"] for event in proposals} == {0}
    assert {event["view"] for event in proposals} == {0}
    assert [event["height"] for event in proposals] == list(
        range(1, len(proposals) + 1)
    )
    assert of_kind(events, "view_change") == []
    assert summary["committed_heights"] >= 3


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_round_robin_changes_leader(name):
    """The contrast: without stable rotation heights 1 to 4 have four
    proposers."""
    protocol, params = CHOICES[name]
    _, events = run(scenario(protocol, params=params, stop={"time_ms": 300}))
    proposers = {
        event["node"] for event in of_kind(events, "propose") if event["height"] <= 4
    }
    assert proposers == {0, 1, 2, 3}


@pytest.mark.parametrize("n", [4, 7])
@pytest.mark.parametrize("name", sorted(CHOICES))
def test_stable_good_case_counts(name, n):
    """Between the proposals of heights 3 and 4 the run sends exactly one
    decision's messages, and each block commits the derived delays after
    its proposal."""
    count, interval, latency = GOOD_CASE[name]
    _, events = run(stable_scenario(name, n, stop={"time_ms": 400}))
    third, fourth = propose_time(events, 3), propose_time(events, 4)
    assert fourth - third == interval * D
    sends = [e for e in of_kind(events, "send") if third <= e["t"] < fourth]
    assert len(sends) == count(n)
    for height in (2, 3):
        times = commit_times(events, height)
        assert len(times) == n, height
        assert max(times.values()) - propose_time(events, height) == latency * D


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_crashed_stable_leader_replaced(name):
    """Node 0 crashes after leading several heights. The replicas' view
    timers, restarted when they entered the current instance (at most d
    after the crash), move them to view 1. Node 1 then commits within the
    derived delays and stays leader for every later height."""
    crash = 205
    doc = stable_scenario(
        name, faults=[{"node": 0, "behaviour": "crash", "at_ms": crash}]
    )
    doc["stop"] = {"time_ms": 2500}
    summary, events = run(doc)
    before = [e for e in of_kind(events, "propose") if e["t"] <= crash]
    after = [e for e in of_kind(events, "propose") if e["t"] > crash]
    assert {event["node"] for event in before} == {0}
    assert len(after) >= 5
    assert {event["node"] for event in after} == {1}
    assert {event["view"] for event in after} == {1}
    assert {event["view"] for event in of_kind(events, "view_change")} == {1}
    committed = max(e["height"] for e in of_kind(events, "commit") if e["t"] <= crash)
    times = commit_times(events, committed + 1)
    assert set(times) >= {1, 2, 3}
    bound = crash + D + TIMEOUT + TAKEOVER_DELAYS[name]
    assert max(times[node] for node in (1, 2, 3)) <= bound
    assert summary["safety_violations"] == []
    assert summary["liveness_violations"] == []


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_silent_stable_leader_replaced(name):
    """Node 0 never sends, so view 0 fails and node 1 leads every height."""
    doc = stable_scenario(name, faults=[{"node": 0, "behaviour": "silent"}])
    doc["stop"] = {"time_ms": 2500}
    summary, events = run(doc)
    honest = [e for e in of_kind(events, "propose") if e["node"] != 0]
    assert len(honest) >= 5
    assert {event["node"] for event in honest} == {1}
    assert summary["committed_heights"] >= 5
    assert summary["safety_violations"] == []


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("name", sorted(CHOICES))
def test_equivocating_stable_leader_stays_safe(name, seed):
    """Node 0 keeps the lead and sends each half of the others another
    value at every height."""
    doc = stable_scenario(
        name,
        faults=[{"node": 0, "behaviour": "equivocate"}],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 30}},
        stop={"time_ms": 3000},
        seed=seed,
    )
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 3


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("name", sorted(CHOICES))
def test_two_faults_of_seven_stay_safe(name, seed):
    """n = 7 with t = 2: an equivocating stable leader and a double voter."""
    doc = stable_scenario(
        name,
        7,
        faults=[
            {"node": 0, "behaviour": "equivocate"},
            {"node": 3, "behaviour": "double_vote"},
        ],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 30}},
        stop={"time_ms": 3000},
        seed=seed,
    )
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 3


@pytest.mark.parametrize("name", sorted(CHOICES))
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=tolerated_scenario("hotstuff"))
def test_agreement_with_tolerated_faults(name, data):
    protocol, params = CHOICES[name]
    doc = {**data, "protocol": protocol}
    doc["params"] = {**data["params"], **STABLE, **params}
    summary, _ = run(doc)
    assert summary["safety_violations"] == []
