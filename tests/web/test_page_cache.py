"""The page cache reads a page of a run's log once for all its consumers."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async

from dashboard.runs.eventlog import ChunkLog
from dashboard.runs.models import Run
from dashboard.runs.pages import PageCache


def lines(first: int, last: int) -> list[str]:
    return [json.dumps({"seq": seq, "kind": "test"}) for seq in range(first, last + 1)]


def logged_run(logged: int) -> Run:
    run = Run.objects.create(
        slug="paged", scenario={}, protocol="toy", n=4, status="running"
    )
    ChunkLog().append(run, 1, lines(1, logged))
    return run


def seqs(texts: list[str]) -> list[int]:
    return [event["seq"] for text in texts for event in json.loads(text)["events"]]


@pytest.mark.django_db(transaction=True)
def test_page_cache_shares_concurrent_reads() -> None:
    run = logged_run(30)

    async def scenario() -> list[tuple[list[str], int]]:
        cache = PageCache(size=4)
        return await asyncio.gather(*(cache.read(run, 0, 30) for _ in range(20)))

    pages = asyncio.run(scenario())
    texts = {id(text) for text, _ in pages}

    assert len(texts) == 1
    assert pages[0][1] == 30
    assert seqs(pages[0][0]) == list(range(1, 31))


@pytest.mark.django_db(transaction=True)
def test_page_cache_rereads_short_page() -> None:
    run = logged_run(10)

    async def scenario() -> tuple[int, int, int]:
        cache = PageCache(size=4)
        _, short = await cache.read(run, 0, 30)
        await sync_to_async(ChunkLog().append)(run, 11, lines(11, 30))
        _, full = await cache.read(run, 0, 30)
        _, empty = await cache.read(run, 30, 30)
        return short, full, empty

    short, full, empty = asyncio.run(scenario())

    assert short == 10
    assert full == 30
    assert empty == 0


@pytest.mark.django_db(transaction=True)
def test_page_cache_keeps_latest_pages() -> None:
    run = logged_run(40)

    async def scenario() -> tuple[list[tuple[str, int, int]], bool]:
        cache = PageCache(size=2)
        first = await cache.read(run, 0, 10)
        for after in (10, 20, 30):
            await cache.read(run, after, 10)
        again = await cache.read(run, 0, 10)
        return list(cache.pages), again[0] is first[0]

    keys, same = asyncio.run(scenario())

    assert keys == [("paged", 30, 10), ("paged", 0, 10)]
    assert same is False


@pytest.mark.django_db(transaction=True)
def test_page_of_long_events_is_split_by_size() -> None:
    """A page over FRAME_BYTES_MAX is several messages, all its events once."""
    from dashboard.runs.publish import FRAME_BYTES_MAX

    run = Run.objects.create(
        slug="long", scenario={}, protocol="toy", n=256, status="running"
    )
    pad = "x" * 1500
    long_lines = [
        json.dumps({"seq": seq, "kind": "test", "pad": pad}) for seq in range(1, 1001)
    ]
    ChunkLog().append(run, 1, long_lines)

    texts, count = asyncio.run(PageCache(size=4).read(run, 0, 1000))

    assert count == 1000
    assert len(texts) > 1
    assert all(len(text.encode()) <= FRAME_BYTES_MAX for text in texts)
    assert seqs(texts) == list(range(1, 1001))
