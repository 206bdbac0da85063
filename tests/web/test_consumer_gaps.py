"""The run consumer fills gaps from the log and drops duplicates.

The tests drive :class:`RunConsumer` in-process through Channels'
communicator with the in-memory layer, writing the log and sending the
group messages by hand, so they can lose and repeat messages at will.
"""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from dashboard.runs.consumers import parse_after
from dashboard.runs.eventlog import ChunkLog
from dashboard.runs.models import Run
from dashboard.runs.publish import events_message, run_group
from dashboard.runs.routing import websocket_urlpatterns

APPLICATION = URLRouter(websocket_urlpatterns)


def lines(first: int, last: int) -> list[str]:
    return [
        json.dumps({"seq": seq, "t": seq, "kind": "test"})
        for seq in range(first, last + 1)
    ]


def make_run(status: str, logged: int) -> Run:
    run = Run.objects.create(
        slug=f"gap-{status}",
        scenario={},
        protocol="toy",
        n=4,
        status=status,
        events=logged,
    )
    if logged:
        ChunkLog().append(run, 1, lines(1, logged))
    return run


def group_message(first: int, last: int) -> dict:
    return {
        "type": "run.events",
        "first": first,
        "last": last,
        "text": events_message(lines(first, last), {"published": 0.0}),
    }


async def receive_seqs(communicator: WebsocketCommunicator, count: int) -> list[int]:
    seqs: list[int] = []
    while len(seqs) < count:
        message = json.loads(await communicator.receive_from(timeout=5))
        assert message["type"] == "events", message
        seqs.extend(event["seq"] for event in message["events"])
    return seqs


@pytest.mark.django_db(transaction=True)
def test_consumer_fills_dropped_batch() -> None:
    """Batch 11..20 never arrives, 25..30 comes twice, 29..35 overlaps.

    The consumer reads the lost batch from the log, drops the repeat and
    sends only 31..35 of the overlapping batch.
    """
    run = make_run("running", 10)

    async def scenario() -> tuple[list[int], dict]:
        communicator = WebsocketCommunicator(
            APPLICATION, f"/ws/runs/{run.slug}/?after=0"
        )
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        meta = json.loads(await communicator.receive_from(timeout=5))
        seqs = await receive_seqs(communicator, 10)
        await sync_to_async(ChunkLog().append)(run, 11, lines(11, 30))
        layer = get_channel_layer()
        await layer.group_send(run_group(run.slug), group_message(21, 30))
        seqs += await receive_seqs(communicator, 20)
        await layer.group_send(run_group(run.slug), group_message(25, 30))
        await sync_to_async(ChunkLog().append)(run, 31, lines(31, 35))
        await layer.group_send(run_group(run.slug), group_message(29, 35))
        seqs += await receive_seqs(communicator, 5)
        await Run.objects.filter(pk=run.pk).aupdate(status="done", events=35)
        status_message = {
            "type": "run.status",
            "status": "done",
            "summary": {"x": 1},
            "error": "",
            "events": 35,
        }
        await layer.group_send(run_group(run.slug), status_message)
        final = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return [meta["type"]] + seqs, final

    seqs, final = asyncio.run(scenario())

    assert seqs == ["meta", *range(1, 36)]
    assert final["type"] == "status"
    assert final["events"] == 35
    assert final["summary"] == {"x": 1}


@pytest.mark.django_db(transaction=True)
def test_consumer_watchdog_finds_final_status() -> None:
    """The status message is lost; the watchdog reads the status itself."""
    run = make_run("running", 5)

    async def scenario() -> dict:
        communicator = WebsocketCommunicator(
            APPLICATION, f"/ws/runs/{run.slug}/?after=0"
        )
        await communicator.connect(timeout=5)
        await communicator.receive_from(timeout=5)
        await receive_seqs(communicator, 5)
        await sync_to_async(ChunkLog().append)(run, 6, lines(6, 8))
        await Run.objects.filter(pk=run.pk).aupdate(
            status="failed", error="lost", events=8
        )
        rest = json.loads(await communicator.receive_from(timeout=10))
        final = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return {"rest": [e["seq"] for e in rest["events"]], "final": final}

    result = asyncio.run(scenario())

    assert result["rest"] == [6, 7, 8]
    assert result["final"]["status"] == "failed"
    assert result["final"]["error"] == "lost"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["/ws/runs/none/?after=0", "/ws/runs/gap-done/?after=-1"]
)
def test_consumer_rejects_bad_request(path: str) -> None:
    make_run("done", 0)

    async def scenario() -> bool:
        communicator = WebsocketCommunicator(APPLICATION, path)
        connected, _ = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected

    assert asyncio.run(scenario()) is False


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", 0),
        (b"after=12", 12),
        (b"after=-1", None),
        (b"after=x", None),
        (b"after=99999999999999999999999", None),
    ],
)
def test_parse_after_bounds(query: bytes, expected: int | None) -> None:
    assert parse_after(query) == expected


@pytest.mark.django_db(transaction=True)
def test_status_counts_log_not_after() -> None:
    """A client that names an ``after`` past the end of a finished log gets
    no events, and the status message gives the log's own count."""
    run = make_run("done", 12)

    async def scenario() -> dict:
        communicator = WebsocketCommunicator(
            APPLICATION, f"/ws/runs/{run.slug}/?after=99999"
        )
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        meta = json.loads(await communicator.receive_from(timeout=5))
        assert meta["type"] == "meta"
        status = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return status

    status = asyncio.run(scenario())

    assert status["type"] == "status"
    assert status["events"] == 12


async def receive_frames(
    communicator: WebsocketCommunicator, count: int
) -> list[tuple[list[int], bool]]:
    """Return the seqs of the next ``count`` events frames and if each is live."""
    frames = []
    for _ in range(count):
        message = json.loads(await communicator.receive_from(timeout=5))
        assert message["type"] == "events", message
        seqs = [event["seq"] for event in message["events"]]
        frames.append((seqs, "published" in message))
    return frames


@pytest.mark.django_db(transaction=True)
def test_consumer_fills_gap_up_to_batch() -> None:
    """The log runs ahead of the live batches, as for a consumer that lags.

    The consumer reads from the log only the gap before the live batch and
    sends the live batches as they come, instead of reading the log to its
    end and dropping every live batch as a duplicate.
    """
    run = make_run("running", 10)

    async def scenario() -> list[tuple[list[int], bool]]:
        communicator = WebsocketCommunicator(
            APPLICATION, f"/ws/runs/{run.slug}/?after=0"
        )
        await communicator.connect(timeout=5)
        await communicator.receive_from(timeout=5)
        await receive_seqs(communicator, 10)
        await sync_to_async(ChunkLog().append)(run, 11, lines(11, 50))
        layer = get_channel_layer()
        await layer.group_send(run_group(run.slug), group_message(21, 30))
        await layer.group_send(run_group(run.slug), group_message(31, 50))
        frames = await receive_frames(communicator, 3)
        await communicator.disconnect()
        return frames

    frames = asyncio.run(scenario())

    assert frames[0] == (list(range(11, 21)), False)
    assert frames[1] == (list(range(21, 31)), True)
    assert frames[2] == (list(range(31, 51)), True)
