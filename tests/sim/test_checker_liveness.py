"""Checker liveness: stalls of the run and lagging nodes after GST."""

from consensus.sim.checker import COMMIT_FIELDS, Checker
from consensus.sim.runner import Simulation
from tests.sim.checker_streams import Stream, scenario


def ticks(stream, start, stop, step=100):
    return [
        stream.event(t, "timer_fire", 0, timer="state")
        for t in range(start, stop, step)
    ]


def feed(checker, events):
    found = []
    for event in events:
        found.extend(checker.observe(event))
    return found


def decide(stream, t, height, nodes=(0, 1, 2, 3), step=1):
    """Return a proposal at ``t`` and its commits at ``nodes``, ``step`` ms apart."""
    value = f"v{height}"
    events = [stream.propose(t, 0, height, value)]
    for offset, node in enumerate(nodes, 1):
        events.append(stream.commit(t + offset * step, node, height, value))
    return events


def test_stall_after_gst_reported_once():
    stream = Stream()
    checker = Checker(scenario(gst_ms=500))
    commit = stream.commit(600, 1, 1, "a")
    events = [stream.propose(550, 0, 1, "a"), commit] + ticks(stream, 700, 4000)
    found = feed(checker, events)
    assert [v["property"] for v in found] == ["liveness"]
    evidence = found[0]["evidence"]
    assert evidence["from"] == 600
    assert evidence["to"] == 1700
    assert evidence["stall_ms"] == 1000
    assert evidence["last_commit"]["seq"] == commit["seq"]


def test_stall_before_gst_not_reported():
    stream = Stream()
    checker = Checker(scenario(gst_ms=5000))
    assert feed(checker, ticks(stream, 0, 5900)) == []


def test_stall_counted_from_gst():
    stream = Stream()
    checker = Checker(scenario(gst_ms=5000))
    found = feed(checker, ticks(stream, 0, 6200))
    assert found[0]["evidence"]["from"] == 5000
    assert found[0]["evidence"]["last_commit"] is None


def test_new_stall_after_commit_reported_again():
    stream = Stream()
    checker = Checker(scenario())
    events = ticks(stream, 0, 1500)
    events += [stream.propose(1500, 0, 1, "a"), stream.commit(1550, 2, 1, "a")]
    events += ticks(stream, 1600, 2800)
    found = feed(checker, events)
    assert [v["evidence"]["from"] for v in found] == [0, 1550]


def test_steady_commits_no_stall():
    stream = Stream()
    checker = Checker(scenario())
    events = []
    for height in range(1, 30):
        events += decide(stream, height * 500, height)
    assert feed(checker, events) == []
    assert checker.finish(30 * 500) == []


def test_faulty_commits_do_not_reset_stall():
    stream = Stream()
    checker = Checker(scenario(faults=[{"node": 3, "behaviour": "silent"}]))
    events = [stream.propose(0, 3, 1, "a"), stream.commit(800, 3, 1, "a")]
    events += ticks(stream, 900, 1200)
    assert [v["property"] for v in feed(checker, events)] == ["liveness"]


def test_finish_reports_final_stall():
    checker = Checker(scenario())
    assert [v["property"] for v in checker.finish(2500)] == ["liveness"]


def test_too_many_faults_no_liveness():
    stream = Stream()
    faults = [{"node": 0, "behaviour": "silent"}, {"node": 1, "behaviour": "silent"}]
    checker = Checker(scenario(faults=faults))
    assert feed(checker, ticks(stream, 0, 5000)) == []
    assert checker.finish(5000) == []


def test_unhealed_partition_no_liveness():
    checker = Checker(scenario(partitions=[{"groups": [[0, 1], [2, 3]]}]))
    assert checker.finish(9000) == []


def test_partition_heal_starts_clock():
    partitions = [{"groups": [[0, 1], [2, 3]], "start_ms": 0, "heal_ms": 3000}]
    checker = Checker(scenario(partitions=partitions))
    assert checker.finish(3900) == []
    assert checker.liveness_violations == []
    assert checker.finish(4100)[0]["evidence"]["from"] == 3000


def test_lossy_network_no_liveness():
    checker = Checker(scenario(loss=0.1))
    assert checker.finish(9000) == []


# --- lagging nodes ------------------------------------------------------------


def fields(commit):
    return {key: commit[key] for key in COMMIT_FIELDS}


def steady(stream, first, last, start=100, every=300, nodes=(0, 1, 2)):
    """Return heights ``first`` to ``last``, one every ``every`` ms, at ``nodes``."""
    events = []
    for height in range(first, last + 1):
        events += decide(stream, start + every * (height - 1), height, nodes)
    return events


def lags(found):
    return [v for v in found if "node" in v["evidence"]]


def run_stalls(found):
    return [v for v in found if "node" not in v["evidence"]]


def test_lagging_node_reported_with_evidence():
    stream = Stream()
    checker = Checker(scenario())
    events = decide(stream, 100, 1)
    own_commit = events[-1]
    events += steady(stream, 2, 7)
    found = feed(checker, events)
    assert [v["property"] for v in found] == ["liveness"]
    evidence = found[0]["evidence"]
    # Node 3 fell behind at the first commit of height 2 (401 ms). Its
    # deadline passed at 1401 ms and the next event came at 1600 ms, the
    # proposal of height 6.
    others = [e for e in events if e["kind"] == "commit" and e["t"] < 1600]
    assert evidence == {
        "node": 3,
        "from": 401,
        "to": 1600,
        "stall_ms": 1000,
        "last_commit": fields(own_commit),
        "others_last_commit": fields(others[-1]),
        "max_height": 5,
    }
    assert evidence["others_last_commit"]["node"] == 2


def test_lagging_node_without_commits():
    stream = Stream()
    checker = Checker(scenario())
    found = feed(checker, steady(stream, 1, 5))
    assert len(found) == 1
    evidence = found[0]["evidence"]
    assert evidence["node"] == 3
    assert evidence["from"] == 101
    assert evidence["last_commit"] is None


def test_lagging_node_reported_once():
    stream = Stream()
    checker = Checker(scenario())
    events = decide(stream, 100, 1) + steady(stream, 2, 30)
    found = feed(checker, events)
    found += checker.finish(9100)
    assert [v["evidence"]["node"] for v in found] == [3]


def test_lagging_node_recovers_then_lags_again():
    stream = Stream()
    checker = Checker(scenario())
    events = decide(stream, 100, 1) + steady(stream, 2, 9)
    # Height 9 is decided at 2500 ms. Node 3 catches up on heights 2 to 9
    # at 2510 ms and then misses height 10 (2801 ms) and the ones after.
    catch_up = [stream.commit(2510, 3, height, f"v{height}") for height in range(2, 10)]
    events += catch_up + steady(stream, 10, 16)
    found = feed(checker, events)
    assert [v["evidence"]["node"] for v in found] == [3, 3]
    first, second = (v["evidence"] for v in found)
    assert first["from"] == 401
    assert first["last_commit"]["height"] == 1
    assert second["from"] == 2801
    assert second["to"] == 4000
    assert second["last_commit"] == fields(catch_up[-1])
    assert second["max_height"] == 13


def test_lagging_nodes_reported_oldest_first():
    stream = Stream()
    checker = Checker(scenario(n=7))
    events = decide(stream, 100, 1, nodes=range(7))
    events += decide(stream, 400, 2, nodes=(0, 1, 2, 3, 4, 5))
    events += steady(stream, 3, 9, nodes=(0, 1, 2, 3, 4))
    found = feed(checker, events)
    assert [v["evidence"]["node"] for v in found] == [6, 5]
    assert [v["evidence"]["from"] for v in found] == [401, 701]


def test_run_stall_gives_no_node_reports():
    stream = Stream()
    checker = Checker(scenario())
    events = []
    for height in range(1, 4):
        # Node 3 commits each height 150 ms after node 0.
        events += decide(stream, 300 * height, height, step=50)
    events += ticks(stream, 1200, 5000)
    found = feed(checker, events) + checker.finish(5000)
    assert len(found) == 1
    assert run_stalls(found) == found
    assert found[0]["evidence"]["from"] == 1100
    assert found[0]["evidence"]["to"] == 2200


def test_run_stall_restarts_node_clocks():
    stream = Stream()
    checker = Checker(scenario())
    # Only node 0 commits height 1 before the run stalls, so the others are
    # behind from 101 ms on. The stall ends at 2001 ms and node 3 follows
    # 900 ms later, within stall_ms of the commit that ended the stall.
    events = decide(stream, 100, 1, nodes=(0,)) + ticks(stream, 200, 2000)
    events += [stream.commit(2001, 1, 1, "v1"), stream.commit(2002, 2, 1, "v1")]
    events += [stream.commit(2900, 3, 1, "v1")]
    events += steady(stream, 2, 8, start=2700, nodes=(0, 1, 2, 3))
    found = feed(checker, events)
    assert len(found) == 1
    assert found[0]["evidence"]["from"] == 101
    assert lags(found) == []


def test_node_behind_before_run_stall_reported():
    stream = Stream()
    checker = Checker(scenario())
    events = decide(stream, 100, 1) + decide(stream, 400, 2, nodes=(0, 1, 2))
    events += ticks(stream, 500, 2000)
    found = feed(checker, events)
    assert [v["evidence"].get("node") for v in found] == [3, None]
    lag, stall = (v["evidence"] for v in found)
    assert lag["from"] == 401
    assert lag["to"] == 1500
    assert stall["from"] == 403
    assert stall["to"] == 1500


def test_faulty_node_never_reported():
    stream = Stream()
    checker = Checker(scenario(faults=[{"node": 3, "behaviour": "silent"}]))
    events = decide(stream, 100, 1) + steady(stream, 2, 20)
    assert feed(checker, events) == []
    assert checker.finish(6000) == []


def test_faulty_commits_put_no_node_behind():
    stream = Stream()
    checker = Checker(scenario(faults=[{"node": 3, "behaviour": "equivocate"}]))
    events = [stream.propose(50, 3, 40, "far"), stream.commit(60, 3, 40, "far")]
    events += steady(stream, 1, 20, nodes=(0, 1, 2))
    found = feed(checker, events)
    assert found == []


def test_lag_before_gst_not_reported():
    stream = Stream()
    checker = Checker(scenario(gst_ms=5000))
    events = decide(stream, 100, 1) + steady(stream, 2, 30)
    before = [e for e in events if e["t"] <= 6000]
    assert feed(checker, before) == []
    after = [e for e in events if e["t"] > 6000]
    found = feed(checker, after)
    assert [v["evidence"]["node"] for v in found] == [3]
    assert found[0]["evidence"]["from"] == 5000
    assert found[0]["evidence"]["to"] == 6100


def test_lag_before_heal_not_reported():
    partitions = [{"groups": [[0, 1, 2], [3]], "start_ms": 0, "heal_ms": 3000}]
    stream = Stream()
    checker = Checker(scenario(partitions=partitions))
    events = decide(stream, 100, 1) + steady(stream, 2, 20)
    before = [e for e in events if e["t"] <= 4000]
    assert feed(checker, before) == []
    found = feed(checker, [e for e in events if e["t"] > 4000])
    assert [v["evidence"]["node"] for v in found] == [3]
    assert found[0]["evidence"]["from"] == 3000
    assert found[0]["evidence"]["to"] == 4001


def test_unhealed_partition_no_lag():
    partitions = [{"groups": [[0, 1, 2], [3]], "start_ms": 0}]
    stream = Stream()
    checker = Checker(scenario(partitions=partitions))
    assert feed(checker, steady(stream, 1, 20)) == []
    assert checker.finish(7000) == []


# --- through the simulator ----------------------------------------------------


def partitioned(protocol):
    """Return a run with node 3 cut off from the others until 2000 ms."""
    partition = {"groups": [[0, 1, 2], [3]], "start_ms": 0, "heal_ms": 2000}
    return {
        "protocol": protocol,
        "n": 4,
        "network": {
            "latency": {"dist": "constant", "ms": 10},
            "partitions": [partition],
        },
        "stop": {"time_ms": 10_000},
        "liveness": {"stall_ms": 2000},
        "seed": 1,
    }


def test_simulated_lagging_node_reported():
    # A toy node catches up only from one height behind, by the certificate
    # in a proposal, so node 3 stays behind after the heal.
    summary = Simulation(partitioned("toy")).run()
    violations = summary["liveness_violations"]
    assert len(violations) == 1
    evidence = violations[0]["evidence"]
    assert evidence["node"] == 3
    assert evidence["from"] == 2000
    assert evidence["last_commit"] is None
    assert evidence["others_last_commit"]["node"] != 3
    assert evidence["max_height"] >= 10
    assert summary["committed_heights"] == 0


def test_simulated_catch_up_not_reported():
    # PBFT's state transfer brings node 3 back to the others' height.
    summary = Simulation(partitioned("pbft")).run()
    assert summary["liveness_violations"] == []
    assert summary["committed_heights"] > 100


def test_simulated_steady_run_not_reported():
    doc = {
        "protocol": "toy",
        "n": 4,
        "network": {"latency": {"dist": "constant", "ms": 10}},
        "stop": {"time_ms": 10_000},
        "liveness": {"stall_ms": 500},
        "seed": 1,
    }
    summary = Simulation(doc).run()
    assert summary["liveness_violations"] == []
    assert summary["committed_heights"] > 100
