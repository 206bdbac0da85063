"""Stop conditions, progress reports and the summary of a run."""

import pytest

from consensus.sim.log import EventLog
from consensus.sim.runner import frozen_limit
from tests.sim.sim_helpers import run, toy

ALL_CRASHED = [{"node": node, "behaviour": "crash", "at_ms": 0} for node in range(4)]


def test_time_limit_ends_run():
    summary, sink = run(toy(stop={"time_ms": 95}))
    assert summary["end_reason"] == "time"
    assert summary["sim_time_ms"] == 95
    assert max(e["t"] for e in sink.events) == 95


def test_heights_limit_ends_at_commit():
    summary, sink = run(toy(stop={"time_ms": 10_000, "heights": 3}))
    assert summary["end_reason"] == "heights"
    assert summary["committed_heights"] == 3
    assert sink.events[-2]["kind"] == "commit"
    assert sink.events[-2]["height"] == 3


def test_events_limit_ends_at_count():
    summary, sink = run(toy(stop={"time_ms": None, "events": 100}))
    assert summary["end_reason"] == "events"
    assert len(sink.events) == 101
    assert summary["events"] == 101


def test_max_events_caps_log():
    summary, sink = run(toy(stop={"time_ms": 10_000}), max_events=50)
    assert summary["end_reason"] == "event_limit"
    assert len(sink.events) == 51


def test_idle_when_nothing_scheduled():
    summary, sink = run(toy(faults=ALL_CRASHED, stop={"time_ms": 5000}))
    assert summary["end_reason"] == "idle"
    assert summary["sim_time_ms"] == 0
    assert sink.events[-1]["t"] == 0


def test_progress_rises_to_one():
    reports = []
    run(toy(stop={"time_ms": 2000}), progress=reports.append)
    assert reports == sorted(reports)
    assert reports[-1] == 1.0
    assert len(reports) > 2


def test_summary_counts_messages():
    summary, sink = run(toy(stop={"time_ms": 95}))
    assert summary["messages"] == len(sink.of_kind("send"))
    assert summary["events"] == len(sink.events)


def test_simulation_runs_once():
    from consensus.sim.runner import Simulation

    simulation = Simulation(toy())
    simulation.run()
    with pytest.raises(RuntimeError, match="runs once"):
        simulation.run()


@pytest.mark.parametrize(
    "doc",
    [
        toy(n=1, stop={"time_ms": 100}),
        toy(
            n=4,
            network={"latency": {"dist": "constant", "ms": 0}},
            stop={"time_ms": 100},
        ),
    ],
    ids=["one node", "zero latency"],
)
def test_frozen_clock_ends_run(doc):
    """Runs whose protocol commits forever at t = 0 end as frozen, long
    before the default event cap."""
    window = frozen_limit(doc["n"])
    summary, sink = run(doc)
    assert summary["end_reason"] == "frozen"
    assert summary["sim_time_ms"] == 0
    assert summary["committed_heights"] > 0
    assert 2 * window < summary["events"] <= 3 * window + 2
    assert sink.events[-1]["kind"] == "run_end"


def test_busy_instant_is_not_frozen():
    """All n (n - 1) votes of a height land at one instant; at n = 64 with
    a constant latency that is far below the window."""
    summary, _ = run(toy(n=64, stop={"time_ms": None, "heights": 3}))
    assert summary["end_reason"] == "heights"


def test_clock_watch_and_late_limit():
    now = [0]
    log = EventLog(lambda: now[0])
    frozen = []
    log.watch_clock(10, lambda: frozen.append(log.seq))
    for _ in range(25):
        log.emit({"seq": 0, "t": 5, "kind": "tick"})
    assert frozen == [20]
    limited = []
    log.limit = 30
    log.on_limit = lambda: limited.append(log.seq)
    for t in range(6, 16):
        log.emit({"seq": 0, "t": t, "kind": "tick"})
    assert limited == [30]
    assert frozen == [20]
