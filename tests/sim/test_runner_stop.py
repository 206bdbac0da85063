"""Stop conditions, progress reports and the summary of a run."""

import pytest

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
