"""No websocket message passes Daphne's limit, however large the events.

Daphne refuses to send a message over 1 MiB (its default
``--websocket-max-message-size``) and closes the socket with 1011. The
first 5,000 events of a hotstuff2 run of 256 nodes take about 1.2 MB,
so a catch-up page of them used to be one such message. The server now
keeps every message within ``FRAME_BYTES_MAX``: events messages hold fewer
events, and one that a single event or status alone makes larger is cut
into ``part`` messages that the client joins.
"""

import asyncio
import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from dashboard.runs.eventlog import ChunkLog, encode
from dashboard.runs.models import Run
from dashboard.runs.publish import (
    FRAME_BYTES_MAX,
    Publisher,
    events_frames,
    events_message,
    message_parts,
    run_group,
)
from dashboard.runs.routing import websocket_urlpatterns
from tests.web.processes import Server
from tests.web.streamclient import (
    consecutive,
    get_json,
    get_jsonl,
    post_json,
    read_stream,
)

LARGE_RUN = {"protocol": "hotstuff2", "n": 256, "stop": {"events": 5000}}
DAPHNE_LIMIT = 1024 * 1024


def line(seq: int, pad: int) -> str:
    return json.dumps({"seq": seq, "t": 0, "kind": "test", "pad": "x" * pad})


# Splitting, without a server.


def test_events_frames_split_by_bytes_in_order() -> None:
    lines = [line(seq, 1500) for seq in range(1, 2001)]
    frames = events_frames(lines, {"published": 1.0})
    assert len(frames) > 1
    assert sum(count for _, count in frames) == len(lines)
    seqs = []
    for text, count in frames:
        assert len(text.encode()) <= FRAME_BYTES_MAX
        message = json.loads(text)
        assert message["published"] == 1.0
        assert len(message["events"]) == count
        seqs += [event["seq"] for event in message["events"]]
    assert seqs == list(range(1, 2001))


def test_events_frames_keep_small_batches_whole() -> None:
    lines = [line(seq, 10) for seq in range(1, 101)]
    assert events_frames(lines) == [(events_message(lines), 100)]


def test_oversized_event_gets_a_frame_of_its_own() -> None:
    lines = [line(1, 10), line(2, 3 * FRAME_BYTES_MAX), line(3, 10)]
    assert [count for _, count in events_frames(lines)] == [1, 1, 1]


@pytest.mark.parametrize("filler", ["x", '"', "\\", "é", "\U0001f600", "\n"])
def test_message_parts_join_back(filler: str) -> None:
    text = json.dumps(
        {"type": "status", "summary": filler * 900_000}, ensure_ascii=False
    )
    parts = message_parts(text)
    assert len(parts) > 1
    data = []
    for index, part in enumerate(parts):
        assert len(part.encode()) <= FRAME_BYTES_MAX
        message = json.loads(part)
        assert message["type"] == "part"
        assert message["more"] == (index < len(parts) - 1)
        data.append(message["data"])
    assert "".join(data) == text


def test_small_message_is_sent_as_is() -> None:
    assert message_parts('{"type":"meta"}') == ['{"type":"meta"}']


# The consumer in-process: a live batch with one huge event.


def join_parts(raw: list[str]) -> list[dict]:
    messages, parts = [], []
    for text in raw:
        message = json.loads(text)
        if message["type"] == "part":
            parts.append(message["data"])
            if message["more"]:
                continue
            message = json.loads("".join(parts))
            parts = []
        messages.append(message)
    return messages


@pytest.mark.django_db(transaction=True)
def test_live_batch_with_huge_event_arrives_in_parts() -> None:
    """The publisher splits a live batch; the consumer cuts the huge event
    and the huge status into parts, and nothing exceeds the limit."""
    run = Run.objects.create(
        slug="huge-live", scenario={}, protocol="toy", n=4, status="running"
    )
    lines = [line(1, 100), line(2, 3 * FRAME_BYTES_MAX), line(3, 100)]
    sent: list[dict] = []

    async def scenario() -> list[str]:
        communicator = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns), "/ws/runs/huge-live/?after=0"
        )
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        raw = [await communicator.receive_from(timeout=5)]  # meta
        await sync_to_async(ChunkLog().append)(run, 1, lines)
        layer = get_channel_layer()
        original = layer.group_send

        async def record(group: str, message: dict) -> None:
            sent.append(message)
            await original(group, message)

        layer.group_send = record
        try:
            Publisher(asyncio.get_running_loop()).events(run.slug, 1, lines, 0.5)
            await asyncio.sleep(0.2)
        finally:
            layer.group_send = original
        await Run.objects.filter(pk=run.pk).aupdate(status="done", events=3)
        status = {
            "type": "run.status",
            "status": "done",
            "summary": {"big": "y" * (2 * FRAME_BYTES_MAX)},
            "error": "",
            "events": 3,
        }
        await layer.group_send(run_group(run.slug), status)
        while join_parts(raw)[-1]["type"] != "status":
            raw.append(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return raw

    raw = asyncio.run(scenario())
    assert [(m["first"], m["last"]) for m in sent] == [(1, 1), (2, 2), (3, 3)]
    assert all(len(text.encode()) <= FRAME_BYTES_MAX for text in raw)
    messages = join_parts(raw)
    kinds = [m["type"] for m in messages]
    assert kinds == ["meta", "events", "events", "events", "status"]
    seqs = [e["seq"] for m in messages if m["type"] == "events" for e in m["events"]]
    assert seqs == [1, 2, 3]
    assert len(messages[2]["events"][0]["pad"]) == 3 * FRAME_BYTES_MAX
    assert messages[-1]["summary"]["big"] == "y" * (2 * FRAME_BYTES_MAX)


# Real Daphne, embedded mode.


def submit(server: Server, scenario: dict) -> dict:
    status, body = post_json(f"{server.http}/api/runs", scenario)
    assert status == 201, body
    return body


def wait_final(run: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        detail = get_json(run["api"])
        if detail["status"] in ("done", "failed", "cancelled"):
            return detail
        time.sleep(0.2)
    raise TimeoutError(f"run {run['slug']} did not finish")


def assert_complete(stream, stored: list[dict]) -> None:  # type: ignore[no-untyped-def]
    assert stream.status is not None, stream.kinds
    assert stream.status["status"] == "done"
    assert consecutive(stream.seqs, 1)
    assert stream.events == stored
    assert stream.status["events"] == len(stored)
    assert max(stream.sizes) <= FRAME_BYTES_MAX


def test_large_run_live_and_permalink(embedded_server: Server) -> None:
    """hotstuff2 at n=256: a live client and a late one get every event."""
    run = submit(embedded_server, LARGE_RUN)
    live = asyncio.run(read_stream(run["websocket"]))
    wait_final(run)
    late = asyncio.run(read_stream(run["websocket"]))
    stored = get_jsonl(run["events"])

    first_page = sum(len(json.dumps(e, separators=(",", ":"))) for e in stored[:5000])
    assert first_page > DAPHNE_LIMIT  # the scenario still tests the limit
    assert len(stored) > 5000
    assert_complete(live, stored)
    assert_complete(late, stored)
    assert late.kinds.count("events") > 2

    # The REST pages of the same log, at their largest.
    page = get_json(f"{run['api']}/events?after=0&limit=10000")
    assert page["events"] == stored[:10000]


def insert_run(database: Path, slug: str, lines: list[str], summary: dict) -> None:
    """Store a finished run straight into the server's SQLite database."""
    now = datetime.now(UTC).isoformat(sep=" ")
    with sqlite3.connect(database) as connection:
        cursor = connection.execute(
            "INSERT INTO runs_run (slug, status, scenario, protocol, n, progress,"
            " events, summary, error, cancel_requested, log_archived, client,"
            " created_at, started_at, heartbeat_at, finished_at, dispatched_at,"
            " dispatches) VALUES (?, 'done', '{}', 'toy', 4, 1.0, ?, ?, '', 0, 1,"
            " '', ?, ?, ?, ?, ?, 1)",
            (slug, len(lines), json.dumps(summary), now, now, now, now, now),
        )
        connection.execute(
            "INSERT INTO runs_runchunk (run_id, first_seq, last_seq, data)"
            " VALUES (?, 1, ?, ?)",
            (cursor.lastrowid, len(lines), encode(lines)),
        )


def test_event_and_status_over_the_limit(embedded_server: Server) -> None:
    """One event and a status of 1.5 MB each reach a client through Daphne."""
    big = 3 * DAPHNE_LIMIT // 2
    lines = [line(1, 100), line(2, big), line(3, 100)]
    summary = {"big": "s" * big}
    database = Path(str(embedded_server.log.parent / "runs.sqlite3"))
    insert_run(database, "hugeevents1", lines, summary)
    stream = asyncio.run(
        read_stream(f"ws://127.0.0.1:{embedded_server.port}/ws/runs/hugeevents1/")
    )
    assert stream.seqs == [1, 2, 3]
    assert stream.events[1]["pad"] == "x" * big
    assert stream.status["summary"] == summary
    assert stream.status["events"] == 3
    assert "part" in stream.kinds
    assert max(stream.sizes) <= FRAME_BYTES_MAX
