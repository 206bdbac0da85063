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
  decode and re-encode of thousands of lines;
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


def events_message(lines: list[str], head: dict[str, Any] | None = None) -> str:
    """Build a websocket ``events`` message around serialized event lines."""
    start = json.dumps({"type": "events", **(head or {})})[:-1]
    return start + ',"events":[' + ",".join(lines) + "]}"


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
        message = {
            "type": "run.events",
            "first": first,
            "last": first + len(lines) - 1,
            "text": events_message(lines, head),
        }
        self._send(slug, message)

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
