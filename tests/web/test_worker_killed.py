"""A worker killed with SIGKILL mid-run leaves a failed run and its events.

The worker's whole process group (the Celery main process and its pool
child) is killed while the run streams. Nothing in the worker can react,
so the outcome rests on the heartbeat: the reaper in the Daphne process
sees no heartbeat for QS_STALE_S (2 s here), archives what the worker
wrote to the Redis Stream and marks the run failed.
"""

import asyncio
import os
import signal
import time
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


def test_killed_worker_fails_run(
    celery_server: Server,
    celery_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The shared limit of 400,000 events lets a fast machine finish the run
    # before the kill lands, so this worker may log many more.
    env = {**celery_env, "QS_EVENTS_MAX": "20000000"}
    worker = start_worker(env, Path(tmp_path_factory.mktemp("doomed")))
    try:
        scenario = {"protocol": "toy", "n": 7, "stop": {"time_ms": 600000}}
        status, run = post_json(f"{celery_server.http}/api/runs", scenario)
        assert status == 201, run
        head = asyncio.run(read_stream(run["websocket"], until_seq=5000))
        os.killpg(worker.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        stream = asyncio.run(read_stream(run["websocket"]))
        waited = time.monotonic() - killed_at
    finally:
        stop_process(worker)
    stored = get_jsonl(run["events"])
    detail = get_json(run["api"])

    assert head.seqs[-1] >= 5000
    assert stream.status["status"] == "failed"
    assert "heartbeat" in stream.status["error"]
    assert detail["status"] == "failed"
    assert waited < 15
    assert len(stored) >= head.seqs[-1]
    assert consecutive([event["seq"] for event in stored], 1)
    assert stored[-1]["kind"] != "run_end"
    assert stream.events == stored
    assert detail["event_count"] == len(stored)
