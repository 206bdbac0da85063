"""The websocket stream of one run: stored events, then live ones, in order.

A client connects to ``ws/runs/<slug>/?after=<seq>`` and receives one
``meta`` message, ``events`` batches holding every event with seq > after
exactly once in seq order, and a final ``status`` message, after which
nothing more comes and the client closes the socket.

The order of steps makes that hold. The consumer joins the run's group
before it reads anything, so every batch published after that moment
reaches it. It then sends one page of the log from ``after`` on, or all
of it when the run is final. ``sent`` is the last seq sent: a live batch
wholly at or below it is a duplicate and dropped, and a batch that starts
past ``sent + 1`` makes the consumer read the gap from the log first (the
rest of a late joiner's backlog, or messages the channel layer lost). That
works because the executor appends a batch to the log before publishing
it. The gap is read only up to the batch, never to the end of a log that
is still growing: a consumer chasing the end of the log would read every
event from Redis on its own, and twenty of them on one run fall behind
for good. A watchdog reads the log and the status when no message came for
a while, so a lost final status message cannot leave a client waiting.

Every message goes out through :meth:`RunConsumer._send_text`, which keeps
it within ``FRAME_BYTES_MAX``: pages and live batches come already split
into events messages of that size, and a message still larger (one huge
event, a huge status) is cut into ``part`` messages, sent back to back
under the lock so nothing comes between them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from consensus.sim.log import dumps
from dashboard.runs import api, selectors
from dashboard.runs.models import FINAL_STATUSES, Run
from dashboard.runs.pages import page_cache
from dashboard.runs.publish import events_message, message_parts, run_group

logger = logging.getLogger(__name__)

CATCH_UP_PAGE = 5000
WATCHDOG_S = 2.0
CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_FOUND = 4404


def parse_after(query_string: bytes) -> int | None:
    """Return the ``after`` query parameter (0 when absent); None if invalid.

    The rules are the HTTP API's (:func:`api.query_integer`): ASCII digits
    only, so an empty ``after=`` is invalid, and the last value counts when
    the parameter is given more than once.
    """
    pairs = parse_qsl(query_string.decode("latin1"), keep_blank_values=True)
    try:
        return api.query_integer(dict(pairs), "after", 0, 0, selectors.SEQ_MAX)
    except api.QueryInvalid as invalid:
        logger.info("websocket handshake rejected: %s", invalid)
        return None


class RunConsumer(AsyncWebsocketConsumer):
    """Streams one run's log to one websocket client, gap-free."""

    async def connect(self) -> None:
        self.slug: str = self.scope["url_route"]["kwargs"]["slug"]
        self.group = run_group(self.slug)
        self.lock = asyncio.Lock()
        self.finished = False
        self.watchdog: asyncio.Task[None] | None = None
        after = parse_after(self.scope["query_string"])
        if after is None:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        self.sent = after

        await self.channel_layer.group_add(self.group, self.channel_name)
        run = await database_sync_to_async(selectors.run_get)(self.slug)
        if run is None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.run = run
        events = await database_sync_to_async(selectors.run_event_count)(run)
        await self.accept()
        await self._send_text(json.dumps(_meta(run, after, events)))
        self.last_heard = asyncio.get_running_loop().time()
        async with self.lock:
            await self._send_page(CATCH_UP_PAGE)
            await self._finish_if_final()
        if not self.finished:
            self.watchdog = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections in a worker thread
        # before every handler. This consumer reaches the database only
        # through database_sync_to_async, which closes them itself, so live
        # batches skip that thread hop: one per client per batch.
        if message["type"] == "run.events":
            await self.run_events(message)
            return
        await super().dispatch(message)

    async def run_events(self, message: dict[str, Any]) -> None:
        self.last_heard = asyncio.get_running_loop().time()
        async with self.lock:
            if self.finished or message["last"] <= self.sent:
                return
            if message["first"] > self.sent + 1:
                logger.debug(
                    "run %s: gap after seq %d; reading the log", self.slug, self.sent
                )
                await self._catch_up(until=message["first"] - 1)
                if self.sent < message["first"] - 1:
                    # NOTE: the executor logs a batch before publishing it,
                    # so this only happens if the log lost events. Sending
                    # the batch would leave a gap, so the consumer waits for
                    # the next batch or the watchdog to read the log again.
                    logger.warning(
                        "run %s: log ends at seq %d before live batch at %d",
                        self.slug,
                        self.sent,
                        message["first"],
                    )
                    return
            text = message["text"]
            if message["first"] <= self.sent:
                text = _tail(text, self.sent + 1 - message["first"])
            await self._send_text(text)
            self.sent = message["last"]

    async def run_status(self, message: dict[str, Any]) -> None:
        async with self.lock:
            if self.finished:
                return
            await self._catch_up()
            await self._send_status(
                message["status"],
                message["summary"],
                message["error"],
                message.get("events", self.sent),
            )

    async def _catch_up(self, until: int | None = None) -> None:
        """Send the events the log contains past ``sent``, up to ``until``.

        Without ``until`` it reads until the log has no more, which ends
        quickly only when the log stops growing: for a final run, or for a
        run the watchdog found silent.
        """
        while until is None or self.sent < until:
            limit = CATCH_UP_PAGE
            if until is not None:
                limit = min(limit, until - self.sent)
            if not await self._send_page(limit):
                return

    async def _send_page(self, limit: int) -> int:
        """Send up to ``limit`` logged events past ``sent``; return the count."""
        texts, count = await page_cache().read(self.run, self.sent, limit)
        for text in texts:
            await self._send_text(text)
        self.sent += count
        return count

    async def _send_text(self, text: str) -> None:
        """Send one message, as ``part`` messages if it is too large."""
        for part in message_parts(text):
            await self.send(text_data=part)

    async def _finish_if_final(self) -> None:
        run = await database_sync_to_async(selectors.run_get)(self.slug)
        if run is not None and run.status in FINAL_STATUSES:
            await self._catch_up()
            await self._send_status(run.status, run.summary, run.error, run.events)

    async def _send_status(
        self, status: str, summary: Any, error: str, events: int
    ) -> None:
        # The log's own count: ``sent`` starts at the client's ``after``,
        # which may lie beyond the end of the log.
        message = {
            "type": "status",
            "status": status,
            "summary": summary,
            "error": error,
            "events": events,
        }
        await self._send_text(json.dumps(message))
        self.finished = True
        # The client closes the socket. A close from the server would be
        # aborted by Daphne after one second without the client's reply,
        # which drops whatever a slow client has not read yet.
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _watch(self) -> None:
        """Poll the log and status while the channel layer is quiet."""
        loop = asyncio.get_running_loop()
        while not self.finished:
            await asyncio.sleep(WATCHDOG_S)
            if loop.time() - self.last_heard < WATCHDOG_S:
                continue
            async with self.lock:
                if self.finished:
                    return
                await self._catch_up()
                await self._finish_if_final()


def _tail(text: str, skip: int) -> str:
    """Drop the first ``skip`` events of an events message (a rare overlap).

    Re-serializing with the simulator's own ``dumps`` gives the same bytes.
    """
    message = json.loads(text)
    lines = [dumps(event) for event in message.pop("events")[skip:]]
    del message["type"]
    return events_message(lines, message)


def _meta(run: Run, after: int, events: int) -> dict[str, Any]:
    return {
        "type": "meta",
        "slug": run.slug,
        "status": run.status,
        "protocol": run.protocol,
        "n": run.n,
        "scenario": run.scenario,
        "after": after,
        "events": events,
    }
