"""End to end in embedded mode: Daphne with the runner thread and SQLite.

The runs use the real simulator with the toy protocol.
"""

import asyncio
import json

from consensus.sim.log import ListSink, dumps
from consensus.sim.runner import Simulation
from tests.web.processes import Server
from tests.web.streamclient import (
    consecutive,
    get_json,
    get_jsonl,
    post_json,
    read_stream,
)

LONG_RUN = {"protocol": "toy", "n": 4, "stop": {"time_ms": 60000}}


def submit(server: Server, scenario: dict) -> dict:
    status, body = post_json(f"{server.http}/api/runs", scenario)
    assert status == 201, body
    return body


def test_stream_matches_stored_log(embedded_server: Server) -> None:
    """A client that connects at submission sees seq 1..N, then the status."""
    run = submit(embedded_server, {"protocol": "toy", "n": 4})
    stream = asyncio.run(read_stream(run["websocket"]))
    stored = get_jsonl(run["events"])
    detail = get_json(run["api"])

    assert stream.kinds[0] == "meta"
    assert stream.kinds[-1] == "status"
    assert stream.status["status"] == "done"
    assert consecutive(stream.seqs, 1)
    assert stream.status["events"] == len(stream.events)
    assert stream.events == stored
    assert stored[-1]["kind"] == "run_end"
    assert stream.status["summary"] == stored[-1]["summary"]
    assert detail["summary"] == stored[-1]["summary"]
    assert detail["event_count"] == len(stored)


def test_stored_log_matches_simulator(embedded_server: Server) -> None:
    """The worker's lines are the simulator's own log, byte for byte."""
    run = submit(embedded_server, {"protocol": "toy", "n": 7})
    asyncio.run(read_stream(run["websocket"]))
    stored = get_jsonl(run["events"])
    local = ListSink()
    Simulation(get_json(run["api"])["scenario"], [local]).run()
    expected = [json.loads(dumps(event)) for event in local.events]
    assert any(event["kind"] == "send" for event in stored)
    assert stored == expected


def test_finished_run_permalink_replays(embedded_server: Server) -> None:
    run = submit(embedded_server, {"protocol": "toy", "n": 4, "seed": 7})
    first = asyncio.run(read_stream(run["websocket"]))
    again = asyncio.run(read_stream(run["websocket"]))

    assert again.meta["status"] == "done"
    assert again.events == first.events
    assert again.status == first.status


def test_midway_joiner_gets_whole_stream(embedded_server: Server) -> None:
    """A second client connects after the first has seen 5,000 events."""
    run = submit(embedded_server, LONG_RUN)

    async def both() -> tuple:
        early = asyncio.create_task(read_stream(run["websocket"]))
        while True:
            partial = await read_stream(run["websocket"], until_seq=5000)
            if partial.seqs and partial.seqs[-1] >= 5000:
                break
        late = await read_stream(run["websocket"])
        return await early, late

    early, late = asyncio.run(both())
    assert consecutive(early.seqs, 1)
    assert consecutive(late.seqs, 1)
    assert late.meta["status"] in ("running", "done")
    assert late.events == early.events
    assert late.status["events"] == len(early.events)


def test_reconnect_with_after_continues(embedded_server: Server) -> None:
    """A client drops at some seq K and reconnects with after=K."""
    run = submit(embedded_server, LONG_RUN)
    head = asyncio.run(read_stream(run["websocket"], until_seq=3000))
    last = head.seqs[-1]
    tail = asyncio.run(read_stream(run["websocket"], after=last))
    stored = get_jsonl(run["events"])

    assert consecutive(head.seqs, 1)
    assert consecutive(tail.seqs, last + 1)
    assert head.events + tail.events == stored
    assert tail.meta["after"] == last


def test_cancel_stops_running_run(embedded_server: Server) -> None:
    run = submit(
        embedded_server, {"protocol": "toy", "n": 7, "stop": {"time_ms": 600000}}
    )
    asyncio.run(read_stream(run["websocket"], until_seq=2000))
    status, _ = post_json(f"{run['api']}/cancel", {})
    stream = asyncio.run(read_stream(run["websocket"]))
    stored = get_jsonl(run["events"])

    assert status == 200
    assert stream.status["status"] == "cancelled"
    assert consecutive(stream.seqs, 1)
    assert stream.events == stored
    assert get_json(run["api"])["status"] == "cancelled"


def test_frozen_clock_run_fails_clearly(embedded_server: Server) -> None:
    """A run of one node commits forever at t = 0; it ends failed with a
    message that gives the reason, and its log is kept."""
    run = submit(
        embedded_server, {"protocol": "pbft", "n": 1, "stop": {"time_ms": 100}}
    )
    stream = asyncio.run(read_stream(run["websocket"]))
    detail = get_json(run["api"])

    assert stream.status["status"] == "failed"
    assert "simulated time stood still" in detail["error"]
    assert detail["summary"]["end_reason"] == "frozen"
    assert consecutive(stream.seqs, 1)
    assert stream.events[-1]["kind"] == "run_end"
