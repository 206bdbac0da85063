"""End to end with Redis: Daphne, a Celery worker and the shared database.

The database is PostgreSQL when it runs on 127.0.0.1:5432, else a SQLite
file (see tests.web.processes). The runs use the real simulator with the
toy protocol.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.processes import Server, start_worker, stop_process
from tests.web.streamclient import (
    consecutive,
    get_json,
    get_jsonl,
    post_json,
    read_stream,
)


@pytest.fixture(scope="module")
def worker(
    celery_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    process = start_worker(celery_env, Path(tmp_path_factory.mktemp("worker")))
    yield
    stop_process(process)


def submit(server: Server, scenario: dict) -> dict:
    status, body = post_json(f"{server.http}/api/runs", scenario)
    assert status == 201, body
    return body


def test_celery_stream_matches_log(celery_server: Server, worker: None) -> None:
    run = submit(celery_server, {"protocol": "toy", "n": 4})
    stream = asyncio.run(read_stream(run["websocket"]))
    stored = get_jsonl(run["events"])
    detail = get_json(run["api"])

    assert stream.status["status"] == "done"
    assert consecutive(stream.seqs, 1)
    assert stream.status["events"] == len(stream.events)
    assert stream.events == stored
    assert stream.status["summary"] == stored[-1]["summary"]
    assert detail["summary"] == stored[-1]["summary"]


def test_celery_midway_and_reconnect(celery_server: Server, worker: None) -> None:
    """Clients joining midway or reconnecting with after= miss nothing."""
    run = submit(celery_server, {"protocol": "toy", "n": 4, "stop": {"time_ms": 60000}})

    async def clients() -> tuple:
        early = asyncio.create_task(read_stream(run["websocket"]))
        head = await read_stream(run["websocket"], until_seq=5000)
        tail = await read_stream(run["websocket"], after=head.seqs[-1])
        return await early, head, tail

    early, head, tail = asyncio.run(clients())
    stored = get_jsonl(run["events"])

    assert early.events == stored
    assert consecutive(head.seqs, 1)
    assert consecutive(tail.seqs, head.seqs[-1] + 1)
    assert head.events + tail.events == stored
    assert tail.status["events"] == len(stored)


def test_celery_large_run_stays_within_frame_limit(
    celery_server: Server, worker: None
) -> None:
    """hotstuff2 at n=256 through Redis: the live batches the worker
    publishes and the catch-up pages of a late client all fit Daphne's
    1 MiB message limit, and both clients get seq 1..N once each."""
    scenario = {"protocol": "hotstuff2", "n": 256, "stop": {"events": 5000}}
    run = submit(celery_server, scenario)
    live = asyncio.run(read_stream(run["websocket"]))
    late = asyncio.run(read_stream(run["websocket"]))
    stored = get_jsonl(run["events"])

    assert len(stored) > 5000
    for stream in (live, late):
        assert stream.status is not None, stream.kinds
        assert stream.status["status"] == "done"
        assert consecutive(stream.seqs, 1)
        assert stream.events == stored
        assert stream.status["events"] == len(stored)
        assert max(stream.sizes) <= 1024 * 1024  # Daphne's default limit
