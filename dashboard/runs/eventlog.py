"""The event log of a run: append while it runs, read from any seq, archive.

Events are stored as their JSON lines, exactly as the simulator serializes
them, in batches of consecutive seqs. A batch is appended to the log before
it is announced on the channel layer, so whatever a consumer hears about
can already be read back.

Two places hold a log. :class:`ChunkLog` writes each batch straight into
:class:`~dashboard.runs.models.RunChunk` rows; the embedded mode uses it.
:class:`StreamLog` appends each batch as one entry of a Redis Stream whose
entry id is ``<last seq>-0``, so ``XRANGE`` from ``<after + 1>-0`` finds
the first batch that holds an event past ``after``. When the run ends,
:func:`archive` copies the stream into chunks and lets the stream expire.
Readers try the stream first and the chunks second, so a running run
reads from Redis and a finished one from the database once its stream
expired.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Iterator

import redis
from django.db import transaction

from dashboard.config import Config
from dashboard.runs.models import Run, RunChunk

# Seconds an archived stream stays readable, for readers that looked at
# the database just before the archive committed.
STREAM_GRACE_S = 600
ARCHIVE_CHUNK_EVENTS = 5000


def encode(lines: list[str]) -> bytes:
    """Compress a batch of JSON lines for a chunk."""
    return zlib.compress("\n".join(lines).encode(), 1)


def decode(data: bytes | memoryview) -> list[str]:
    """Return the JSON lines of a chunk."""
    return zlib.decompress(bytes(data)).decode().split("\n")


def slice_after(first: int, lines: list[str], after: int) -> list[str]:
    """Return the lines of a batch starting at ``first`` with seq > after."""
    return lines[max(0, after + 1 - first) :]


class ChunkLog:
    """A log kept in the database from the first event on."""

    def append(self, run: Run, first: int, lines: list[str]) -> None:
        RunChunk.objects.create(
            run=run,
            first_seq=first,
            last_seq=first + len(lines) - 1,
            data=encode(lines),
        )

    def read(self, run: Run, after: int, limit: int) -> list[str]:
        return []

    def last_seq(self, run: Run) -> int:
        """Return the last seq appended so far, 0 for none."""
        return _chunks_last_seq(run)

    def archive(self, run: Run) -> int:
        """Return the last seq stored: the chunks are the archive already."""
        return _chunks_last_seq(run)


class StreamLog:
    """A log kept in a Redis Stream while the run runs."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)

    def append(self, run: Run, first: int, lines: list[str]) -> None:
        last = first + len(lines) - 1
        self.redis.xadd(
            stream_key(run.slug),
            {"first": first, "data": "\n".join(lines)},
            id=f"{last}-0",
        )

    def read(self, run: Run, after: int, limit: int) -> list[str]:
        out: list[str] = []
        cursor = f"{after + 1}-0"
        while len(out) < limit:
            entries = self.redis.xrange(stream_key(run.slug), min=cursor, count=16)
            if not entries:
                break
            for entry_id, fields in entries:
                first = int(fields[b"first"])
                lines = fields[b"data"].decode().split("\n")
                out.extend(slice_after(first, lines, after + len(out)))
                cursor = f"{int(entry_id.split(b'-')[0]) + 1}-0"
        return out[:limit]

    def last_seq(self, run: Run) -> int:
        """Return the last seq appended so far, 0 for none: one XREVRANGE."""
        entries = self.redis.xrevrange(stream_key(run.slug), count=1)
        return int(entries[0][0].split(b"-")[0]) if entries else 0

    def archive(self, run: Run) -> int:
        """Copy the stream into chunks, once; return the last seq stored."""
        if _chunks_last_seq(run):
            return _chunks_last_seq(run)
        chunks = list(_merge(run, self._batches(run.slug)))
        with transaction.atomic():
            RunChunk.objects.bulk_create(chunks)
        self.redis.expire(stream_key(run.slug), STREAM_GRACE_S)
        return chunks[-1].last_seq if chunks else 0

    def _batches(self, slug: str) -> Iterator[tuple[int, list[str]]]:
        cursor = "-"
        while True:
            entries = self.redis.xrange(stream_key(slug), min=cursor, count=256)
            if not entries:
                return
            for entry_id, fields in entries:
                yield int(fields[b"first"]), fields[b"data"].decode().split("\n")
                cursor = f"{int(entry_id.split(b'-')[0]) + 1}-0"


def stream_key(slug: str) -> str:
    """Name the Redis Stream that contains the live log of run ``slug``."""
    return f"quorumscope:run:{slug}:log"


def _merge(run: Run, batches: Iterable[tuple[int, list[str]]]) -> Iterator[RunChunk]:
    """Join consecutive batches into chunks of about ARCHIVE_CHUNK_EVENTS."""
    first, lines = 0, []
    for batch_first, batch in batches:
        if lines and first + len(lines) != batch_first:
            raise ValueError(f"run {run.slug}: log has a gap before seq {batch_first}")
        if not lines:
            first = batch_first
        lines.extend(batch)
        if len(lines) >= ARCHIVE_CHUNK_EVENTS:
            yield _chunk(run, first, lines)
            lines = []
    if lines:
        yield _chunk(run, first, lines)


def _chunk(run: Run, first: int, lines: list[str]) -> RunChunk:
    return RunChunk(
        run=run, first_seq=first, last_seq=first + len(lines) - 1, data=encode(lines)
    )


def _chunks_last_seq(run: Run) -> int:
    last = RunChunk.objects.filter(run=run).order_by("-last_seq").first()
    return last.last_seq if last else 0


def chunks_read(run: Run, after: int, limit: int) -> list[str]:
    """Return up to ``limit`` stored lines of ``run`` with seq > after."""
    out: list[str] = []
    chunks = RunChunk.objects.filter(run=run, last_seq__gt=after).order_by("first_seq")
    for chunk in chunks.iterator(chunk_size=8):
        out.extend(slice_after(chunk.first_seq, decode(chunk.data), after + len(out)))
        if len(out) >= limit:
            break
    return out[:limit]


@functools.cache
def live_log(config: Config) -> ChunkLog | StreamLog:
    """Return the log that running runs append to under ``config``."""
    if config.redis_url is None:
        return ChunkLog()
    return StreamLog(config.redis_url)
