"""The toy protocol commits without faults and stays safe with one liar."""

import pytest

from tests.sim.sim_helpers import run, toy


def commits_by_height(sink):
    values = {}
    for event in sink.of_kind("commit"):
        values.setdefault(event["height"], set()).add(event["value"])
    return values


@pytest.mark.parametrize("n", [4, 7])
def test_commits_without_faults(n):
    summary, _ = run(toy(n=n, stop={"time_ms": 200}))
    assert summary["committed_heights"] >= 9
    assert summary["safety_violations"] == []


def test_single_node_commits_at_once():
    """With n = 1 the leader's own vote is a quorum, so no time passes."""
    summary, _ = run(toy(n=1, stop={"time_ms": None, "heights": 5}))
    assert summary["committed_heights"] == 5
    assert summary["sim_time_ms"] == 0


def test_height_takes_two_delays():
    _, sink = run(toy(stop={"time_ms": 100}))
    first = sink.of_kind("commit")[0]
    assert first["t"] == 20


def test_messages_per_height_match_pattern():
    n = 7
    _, sink = run(toy(n=n, stop={"time_ms": 10_000, "heights": 2}))
    sends = [e for e in sink.of_kind("send") if e["fields"]["height"] == 1]
    assert len(sends) == (n - 1) + n * (n - 1)


def test_commit_quorum_lists_voters():
    _, sink = run(toy(n=4, stop={"time_ms": 25}))
    commit = sink.of_kind("commit")[0]
    assert len(commit["quorum"]) == 3
    assert commit["quorum"] == sorted(commit["quorum"])


def test_stable_rotation_keeps_view():
    _, sink = run(toy(params={"leader_rotation": "stable"}, stop={"time_ms": 100}))
    assert {event["view"] for event in sink.of_kind("commit")} == {0}


def test_view_change_after_silent_leader():
    """Node 0 leads view 0 and sends nothing; the view timer moves all to view 1."""
    summary, sink = run(
        toy(
            faults=[{"node": 0, "behaviour": "silent"}],
            params={"view_timeout_ms": 100},
            stop={"time_ms": 300},
        )
    )
    changes = sink.of_kind("view_change")
    assert {e["view"] for e in changes if e["t"] == 100} == {1}
    assert summary["committed_heights"] >= 1


def test_future_messages_postponed():
    _, sink = run(
        toy(network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 20}})
    )
    assert sink.of_kind("postpone") != []


@pytest.mark.parametrize("seed", range(20))
def test_one_equivocator_keeps_agreement(seed):
    summary, sink = run(
        toy(
            faults=[{"node": 0, "behaviour": "equivocate"}],
            network={"latency": {"dist": "uniform", "low_ms": 5, "high_ms": 15}},
            seed=seed,
        )
    )
    assert summary["safety_violations"] == []
    assert summary["committed_heights"] >= 1


def test_two_colluders_break_agreement():
    """With n = 4 two liars exceed t = 1: nodes 2 and 3 commit different values."""
    summary, sink = run(
        toy(
            faults=[
                {"node": 0, "behaviour": "equivocate"},
                {"node": 1, "behaviour": "double_vote"},
            ],
            stop={"time_ms": 30},
        )
    )
    assert commits_by_height(sink)[1] == {"h1.v0.n0", "h1.v0.n0'"}
    properties = [v["property"] for v in summary["safety_violations"]]
    assert "agreement" in properties
    assert sink.of_kind("violation") != []
