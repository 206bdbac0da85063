"""Metrics computed from hand-built event streams."""

import pytest

from consensus.sim.metrics import Metrics, latency_stats, percentile
from tests.sim.checker_streams import Stream, scenario

SUMMARY_KEYS = {
    "protocol",
    "n",
    "seed",
    "committed_heights",
    "messages",
    "bytes",
    "messages_by_type",
    "bytes_by_type",
    "first_commit_ms",
    "commit_latency_ms",
    "per_node_latency_ms",
    "throughput",
    "views",
    "view_changes",
    "recovery_ms",
    "events",
    "sim_time_ms",
    "end_reason",
}


def run(metrics, events):
    for event in events:
        metrics.observe(event)
    return metrics.summary()


def commit_all(stream, t, height, value, nodes=range(4), view=0):
    return [stream.commit(t + node, node, height, value, view=view) for node in nodes]


def test_empty_run_summary():
    summary = Metrics(scenario()).summary()
    assert set(summary) == SUMMARY_KEYS
    assert summary["first_commit_ms"] is None
    assert summary["commit_latency_ms"] == {
        "p50": None,
        "p95": None,
        "max": None,
        "count": 0,
    }
    assert summary["throughput"] == 0.0
    assert summary["recovery_ms"] is None


def test_commit_latency_per_node():
    stream = Stream()
    events = [stream.propose(100, 0, 1, "a")] + commit_all(stream, 130, 1, "a")
    summary = run(Metrics(scenario()), events)
    assert summary["per_node_latency_ms"]["2"]["max"] == 32
    assert summary["commit_latency_ms"]["max"] == 33
    assert summary["commit_latency_ms"]["count"] == 4
    assert summary["first_commit_ms"] == 130


def test_latency_from_first_proposal():
    """A re-proposal of the same value does not restart the clock."""
    stream = Stream()
    events = [stream.propose(100, 0, 1, "a"), stream.propose(400, 1, 1, "a", view=1)]
    events += [stream.commit(500, 2, 1, "a", view=1)]
    summary = run(Metrics(scenario()), events)
    assert summary["commit_latency_ms"]["max"] == 400


def test_faulty_commits_not_counted():
    stream = Stream()
    faults = [{"node": 3, "behaviour": "silent"}]
    events = [stream.propose(0, 0, 1, "a"), stream.commit(10, 3, 1, "a")]
    summary = run(Metrics(scenario(faults=faults)), events)
    assert summary["first_commit_ms"] is None
    assert summary["per_node_latency_ms"] == {}


def test_committed_heights_need_all_honest():
    stream = Stream()
    events = [stream.propose(0, 0, 1, "a"), stream.propose(50, 0, 2, "b")]
    events += commit_all(stream, 10, 1, "a")
    events += commit_all(stream, 60, 2, "b", nodes=[0, 1, 2])
    summary = run(Metrics(scenario()), events)
    assert summary["committed_heights"] == 1


def test_committed_heights_out_of_order():
    """Height 2 completing before height 1 counts once 1 completes."""
    stream = Stream()
    events = commit_all(stream, 10, 2, "b") + commit_all(stream, 20, 1, "a")
    summary = run(Metrics(scenario()), events)
    assert summary["committed_heights"] == 2


def test_committed_heights_ignore_faulty():
    stream = Stream()
    faults = [{"node": 1, "behaviour": "crash", "at_ms": 0}]
    events = commit_all(stream, 10, 1, "a", nodes=[0, 2, 3])
    summary = run(Metrics(scenario(faults=faults)), events)
    assert summary["committed_heights"] == 1


def test_throughput_per_simulated_second():
    stream = Stream()
    events = []
    for height in range(1, 5):
        events += commit_all(stream, height * 100, height, f"v{height}")
    events.append(stream.event(2000, "run_end", reason="time", summary=None))
    summary = run(Metrics(scenario()), events)
    assert summary["throughput"] == 2.0
    assert summary["sim_time_ms"] == 2000
    assert summary["end_reason"] == "time"


def test_messages_and_bytes_by_type():
    stream = Stream()
    events = [
        stream.send(0, 0, 1, "prepare", 128),
        stream.send(0, 0, 2, "prepare", 128),
        stream.send(1, 1, 0, "commit", 192),
    ]
    summary = run(Metrics(scenario()), events)
    assert summary["messages"] == 3
    assert summary["bytes"] == 448
    assert summary["messages_by_type"] == {"commit": 1, "prepare": 2}
    assert summary["bytes_by_type"] == {"commit": 192, "prepare": 256}


def test_views_and_view_changes():
    stream = Stream()
    faults = [{"node": 3, "behaviour": "silent"}]
    events = [
        stream.event(10, "view_change", 0, view=1, reason="timeout"),
        stream.event(11, "view_change", 1, view=1, reason="timeout"),
        stream.event(20, "view_change", 2, view=2, reason="timeout"),
        stream.event(30, "view_change", 3, view=9, reason="timeout"),
    ]
    summary = run(Metrics(scenario(faults=faults)), events)
    assert summary["views"] == 2
    assert summary["view_changes"] == 2


def test_events_counted():
    stream = Stream()
    events = [stream.event(t, "timer_fire", 0, timer="state") for t in range(7)]
    assert run(Metrics(scenario()), events)["events"] == 7


def test_recovery_after_leader_crash():
    stream = Stream()
    faults = [{"node": 0, "behaviour": "crash", "at_ms": 500}]
    events = [stream.propose(0, 0, 1, "a")] + commit_all(
        stream, 10, 1, "a", nodes=[1, 2, 3]
    )
    events.append(stream.event(500, "fault", 0, behaviour="crash", action="crash"))
    events.append(stream.event(1500, "view_change", 1, view=1, reason="timeout"))
    events.append(stream.propose(1510, 1, 2, "b", view=1))
    events += commit_all(stream, 1540, 2, "b", nodes=[1, 2, 3], view=1)
    summary = run(Metrics(scenario(faults=faults)), events)
    assert summary["recovery_ms"] == 1041


def test_recovery_when_faulty_becomes_leader():
    """A silent node 1 ruins view 1 when the view moves to it."""
    stream = Stream()
    faults = [{"node": 1, "behaviour": "silent"}]
    events = [stream.event(0, "fault", 1, behaviour="silent", action="silent")]
    events.append(stream.event(1000, "view_change", 0, view=1, reason="timeout"))
    events.append(stream.event(3000, "view_change", 0, view=2, reason="timeout"))
    events.append(stream.propose(3010, 2, 1, "a", view=2))
    events += commit_all(stream, 3050, 1, "a", nodes=[0, 2, 3], view=2)
    summary = run(Metrics(scenario(faults=faults)), events)
    assert summary["recovery_ms"] == 2050


def test_follower_fault_no_recovery():
    stream = Stream()
    faults = [{"node": 2, "behaviour": "crash", "at_ms": 5}]
    events = [stream.event(5, "fault", 2, behaviour="crash", action="crash")]
    events += [stream.propose(6, 0, 1, "a")] + commit_all(
        stream, 20, 1, "a", nodes=[0, 1, 3]
    )
    assert run(Metrics(scenario(faults=faults)), events)["recovery_ms"] is None


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0, 1), (10, 1), (11, 2), (50, 5), (95, 10), (100, 10)],
)
def test_percentile_nearest_rank(p, expected):
    assert percentile(list(range(1, 11)), p) == expected


def test_latency_stats_single_sample():
    assert latency_stats([7.5]) == {"p50": 7.5, "p95": 7.5, "max": 7.5, "count": 1}


def tendermint_scenario(faults):
    doc = scenario(faults=faults)
    doc["protocol"] = "tendermint"
    return doc


def test_recovery_when_rounds_restart():
    """Tendermint's rounds start at 0 at each height: node 1, silent, is the
    round-0 proposer of height 2, so height 2 is the outage."""
    stream = Stream()
    faults = [{"node": 1, "behaviour": "silent"}]
    events = [stream.event(0, "fault", 1, behaviour="silent", action="silent")]
    events += [stream.propose(5, 0, 1, "a")]
    events += commit_all(stream, 40, 1, "a", nodes=[0, 2, 3])
    events.append(stream.event(1100, "view_change", 0, view=1, height=2))
    events.append(stream.propose(1110, 2, 2, "b", view=1))
    events += commit_all(stream, 1140, 2, "b", nodes=[0, 2, 3], view=1)
    summary = run(Metrics(tendermint_scenario(faults)), events)
    assert summary["recovery_ms"] == 1140 - 40
    assert summary["views"] == 1


def test_no_recovery_when_proposers_are_honest():
    stream = Stream()
    faults = [{"node": 3, "behaviour": "silent"}]
    events = [stream.event(0, "fault", 3, behaviour="silent", action="silent")]
    for height in (1, 2):
        events.append(stream.propose(height * 50, height - 1, height, f"v{height}"))
        events += commit_all(stream, height * 50 + 30, height, f"v{height}", [0, 1, 2])
    summary = run(Metrics(tendermint_scenario(faults)), events)
    assert summary["recovery_ms"] is None
