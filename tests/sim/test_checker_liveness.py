"""Checker liveness: stalls after GST are reported once per stall."""

from consensus.sim.checker import Checker
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
        t = height * 500
        events += [
            stream.propose(t, 0, height, f"v{height}"),
            stream.commit(t + 20, 1, height, f"v{height}"),
        ]
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
