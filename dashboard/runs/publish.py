"""Publishing run updates from synchronous code to the run's Channels group.

Runs execute in plain threads (a Celery worker, or the embedded runner
thread), but channel layers are asyncio code. A :class:`Publisher` hands
each ``group_send`` to an event loop with ``run_coroutine_threadsafe``.
Sends stay in order, and the executing thread waits only while
``MAX_PENDING`` sends are still in flight.

The in-memory channel layer only works on the loop that serves the
websockets, so the embedded mode passes the ASGI server's loop; a worker
process starts a private loop thread of its own. Messages are:

- ``run.events``: ``first`` and ``last`` seq and ``text``, the websocket
  ``events`` message ready to send, with ``progress`` and ``published``
  (wall-clock time of the send, in seconds since the epoch) in its head.
  Building the frame once here, as one string, spares every consumer a
  decode and re-encode of thousands of lines. A batch whose message would
  exceed ``FRAME_BYTES_MAX`` goes out as several ``run.events`` messages
  of consecutive seqs (see :func:`events_frames`);
- ``run.status``: ``status``, ``summary``, ``error`` and ``events`` (the
  last seq in the log).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Sends allowed in flight before the publishing thread waits for the loop.
MAX_PENDING = 64

# Largest websocket message the server sends, in UTF-8 bytes. Daphne does
# not send a message over its ``--websocket-max-message-size`` (1 MiB by
# default): it closes the socket with 1011 instead. So every message stays
# at half of that. Events messages hold fewer events, and a message that
# one event or a status alone makes larger goes out as ``part`` messages
# (see :func:`message_parts` and docs/api.md).
FRAME_BYTES_MAX = 512 * 1024


def events_message(lines: list[str], head: dict[str, Any] | None = None) -> str:
    """Build a websocket ``events`` message around serialized event lines."""
    start = json.dumps({"type": "events", **(head or {})})[:-1]
    return start + ',"events":[' + ",".join(lines) + "]}"


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def events_frames(
    lines: list[str],
    head: dict[str, Any] | None = None,
    limit: int = FRAME_BYTES_MAX,
) -> list[tuple[str, int]]:
    """Split ``lines`` into events messages of at most ``limit`` bytes.

    Returns each message with its number of events; together they hold
    every line once, in order. A line too large for any message gets one
    of its own, which :func:`message_parts` then cuts into parts.
    """
    base = _utf8_len(events_message([], head))
    frames: list[tuple[str, int]] = []
    group: list[str] = []
    size = base
    for line in lines:
        grown = size + _utf8_len(line) + (1 if group else 0)
        if group and grown > limit:
            frames.append((events_message(group, head), len(group)))
            group = []
            grown = base + _utf8_len(line)
        group.append(line)
        size = grown
    if group:
        frames.append((events_message(group, head), len(group)))
    return frames


def message_parts(text: str, limit: int = FRAME_BYTES_MAX) -> list[str]:
    """Return ``text`` as the websocket messages that carry it.

    That is ``[text]`` itself when it fits in ``limit`` bytes. Otherwise
    ``text`` is cut into pieces sent as ``{"type": "part", "more": ...,
    "data": piece}`` messages of at most ``limit`` bytes each. The client
    joins the ``data`` of consecutive parts up to the one whose ``more`` is
    false, and handles the result as the message it is.
    """
    if _utf8_len(text) <= limit:
        return [text]
    budget = limit - 64  # room for the part message's own keys
    parts: list[str] = []
    start = 0
    step = budget // 2
    while start < len(text):
        piece = text[start : start + step]
        data = json.dumps(piece)
        if len(data) > budget and step > 1:
            step //= 2
            continue
        start += len(piece)
        more = "true" if start < len(text) else "false"
        parts.append('{"type":"part","more":' + more + ',"data":' + data + "}")
    return parts


def run_group(slug: str) -> str:
    """Name the Channels group of run ``slug``."""
    return f"run.{slug}"


class Publisher:
    """Sends group messages on one event loop from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[Future[None]] = []

    def events(self, slug: str, first: int, lines: list[str], progress: float) -> None:
        head = {"progress": progress, "published": time.time()}
        for text, count in events_frames(lines, head):
            message = {
                "type": "run.events",
                "first": first,
                "last": first + count - 1,
                "text": text,
            }
            self._send(slug, message)
            first += count

    def status(
        self, slug: str, run_status: str, summary: Any, error: str, events: int
    ) -> None:
        message = {
            "type": "run.status",
            "status": run_status,
            "summary": summary,
            "error": error,
            "events": events,
        }
        self._send(slug, message)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every send so far has reached the channel layer."""
        for future in self.pending:
            self._wait(future, timeout)
        self.pending.clear()

    def _send(self, slug: str, message: dict[str, Any]) -> None:
        layer = get_channel_layer()
        coroutine = layer.group_send(run_group(slug), message)
        self.pending.append(asyncio.run_coroutine_threadsafe(coroutine, self.loop))
        if len(self.pending) >= MAX_PENDING:
            self._wait(self.pending.pop(0), 5.0)
        self.pending = [future for future in self.pending if not future.done()]

    def _wait(self, future: Future[None], timeout: float) -> None:
        # A lost message is not fatal: consumers refill gaps from the log.
        try:
            future.result(timeout)
        except Exception:
            logger.exception("group send failed; consumers will read the log")


_embedded_loop: asyncio.AbstractEventLoop | None = None
_private: tuple[int, asyncio.AbstractEventLoop] | None = None
_lock = threading.Lock()


def use_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Publish on ``loop`` from now on: the ASGI server's, in embedded mode."""
    global _embedded_loop
    _embedded_loop = loop


def publisher() -> Publisher:
    """Return a publisher on the embedded loop or on this process's own."""
    if _embedded_loop is not None:
        return Publisher(_embedded_loop)
    return Publisher(_private_loop())


def _private_loop() -> asyncio.AbstractEventLoop:
    """Start, once per process, a daemon thread that runs an event loop."""
    global _private
    with _lock:
        # A forked worker child inherits the variable but not the thread.
        if _private is None or _private[0] != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="quorumscope-publisher", daemon=True
            )
            thread.start()
            _private = (os.getpid(), loop)
        return _private[1]
