"""A broadcast's send events logged together give the log they give one by one."""

import json

from consensus.sim.log import EventLog, LineEncoder, LogClosed, dumps
from consensus.sim.runner import Simulation
from tests.sim.sim_helpers import run, toy

TWINS = toy(
    n=7,
    faults=[
        {"node": 0, "behaviour": "twins"},
        {"node": 1, "behaviour": "twins"},
        {"node": 2, "behaviour": "equivocate"},
    ],
    network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 9}},
    stop={"time_ms": 300},
    seed=5,
)


def one_by_one(doc):
    """Run ``doc`` with a sink that takes no batches, so every event of the
    log goes through ``EventLog.emit`` on its own."""
    events = []
    Simulation(doc, [events.append]).run()
    return events


def test_batched_log_equals_unbatched():
    _, sink = run(TWINS)
    assert any(event.get("twin") for event in sink.events)
    assert sink.events == one_by_one(TWINS)


def test_event_limit_inside_a_broadcast():
    doc = toy(n=7, stop={"time_ms": None, "heights": None, "events": 0})
    _, full = run({**doc, "stop": {"time_ms": 200}})
    sends = [event["seq"] for event in full.events if event["kind"] == "send"]
    # A seq in the middle of a run of sends from one broadcast.
    limit = next(
        seq
        for seq in sends
        if seq - 1 in sends and seq + 1 in sends and seq > len(full.events) // 2
    )
    doc["stop"]["events"] = limit
    _, sink = run(doc)
    assert sink.events[limit - 1] == full.events[limit - 1]
    assert sink.events[limit - 2]["kind"] == "send"
    assert [event["kind"] for event in sink.events[limit:]] == ["run_end"]
    assert sink.events[:-1] == one_by_one(doc)[:-1]


def broadcast_events(count, twin=None):
    fields = {"value": "h1.v0.n0"}
    events = []
    for destination in range(1, count + 1):
        event = {
            "seq": 0,
            "t": 12.5,
            "kind": "send",
            "node": 0,
            "to": destination,
            "msg": "vote",
            "category": "vote",
            "view": 0,
            "size": 128,
            "fields": fields,
        }
        if twin:
            event["twin"] = twin
        events.append(event)
    return events


def test_consumer_without_batch_gets_each_event():
    log = EventLog(lambda: 0)
    seen, batches = [], []
    log.subscribe(seen.append)
    log.subscribe(lambda event: None, batch=batches.append)
    log.emit_broadcast(broadcast_events(4))
    assert [event["seq"] for event in seen] == [1, 2, 3, 4]
    assert batches == []


def test_consumers_with_batches_get_the_rest_at_once():
    log = EventLog(lambda: 0)
    seen, batches = [], []
    log.subscribe(seen.append, batch=batches.append)
    log.emit_broadcast(broadcast_events(4))
    assert [event["seq"] for event in seen] == [1]
    assert [[event["seq"] for event in batch] for batch in batches] == [[2, 3, 4]]
    assert log.seq == 4


def test_closed_log_refuses_a_broadcast():
    log = EventLog(lambda: 0)
    log.subscribe(lambda event: None, batch=lambda events: None)
    log.limit = 2
    log.on_limit = lambda: setattr(log, "open", False)
    try:
        log.emit_broadcast(broadcast_events(3))
    except LogClosed:
        pass
    else:
        raise AssertionError("a broadcast past the event limit was logged")
    assert log.seq == 2


def test_broadcast_lines_match_json_dumps():
    for twin in (None, 1):
        events = broadcast_events(5, twin)
        for seq, event in enumerate(events, 1):
            event["seq"] = seq
        expected = [dumps(event) for event in events]
        assert LineEncoder().sends(events) == expected
        assert [json.loads(line) for line in expected] == events


def test_broadcast_lines_fallback_path():
    events = broadcast_events(3)
    for seq, event in enumerate(events, 1):
        event["seq"] = seq
    events[2]["to"] = True
    assert LineEncoder().sends(events) == [dumps(event) for event in events]
