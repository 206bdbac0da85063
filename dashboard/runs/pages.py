"""Catch-up pages of run logs, read once per web process for all consumers.

Clients that join a run together read the same pages of its log: from the
same ``after``, in pages of the same size. A full page never changes,
because the log only grows at its end and no seq is reused, so a
:class:`PageCache` keeps the latest full pages as ready websocket
messages. It also reads a page only once however many consumers ask for
it at the same moment, which is what twenty clients joining one run do.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict

from channels.db import database_sync_to_async

from dashboard.runs import selectors
from dashboard.runs.models import Run
from dashboard.runs.publish import events_frames

# Full pages kept per event loop. At 5,000 events of about 130 bytes (a
# toy run's; events of larger runs are longer) that is an estimated 10 MB.
PAGE_CACHE_SIZE = 16

# A page is its events messages, each within FRAME_BYTES_MAX bytes (the
# events of large runs are long, so 5,000 of them can pass a megabyte),
# and the number of events in all of them.
Page = tuple[list[str], int]
PageKey = tuple[str, int, int]


class PageCache:
    """The last ``size`` full pages read, and the pages being read now."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[PageKey, asyncio.Task[Page]] = OrderedDict()

    async def read(self, run: Run, after: int, limit: int) -> Page:
        """Return the events messages of up to ``limit`` events past ``after``.

        The messages contain consecutive events in seq order. The list is
        empty, with a count of 0, when the log has no event past ``after``.
        """
        key = (run.slug, after, limit)
        task = self.pages.get(key)
        if task is None:
            task = asyncio.ensure_future(_page_read(run, after, limit))
            self.pages[key] = task
            task.add_done_callback(lambda done: self._settle(key, done))
        else:
            self.pages.move_to_end(key)
        # A consumer that disconnects must not cancel the others' read.
        return await asyncio.shield(task)

    def _settle(self, key: PageKey, task: asyncio.Task[Page]) -> None:
        """Keep a finished read only if it is a full page, then trim."""
        full = (
            not task.cancelled()
            and task.exception() is None
            and task.result()[1] == key[2]
        )
        if not full and self.pages.get(key) is task:
            del self.pages[key]
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)


async def _page_read(run: Run, after: int, limit: int) -> Page:
    lines = await database_sync_to_async(selectors.run_events_after)(run, after, limit)
    return ([text for text, _ in events_frames(lines)], len(lines))


_caches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PageCache] = (
    weakref.WeakKeyDictionary()
)


def page_cache() -> PageCache:
    """Return the page cache of the running event loop."""
    loop = asyncio.get_running_loop()
    cache = _caches.get(loop)
    if cache is None:
        cache = _caches[loop] = PageCache(PAGE_CACHE_SIZE)
    return cache
