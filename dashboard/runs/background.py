"""Background threads of the ASGI process: the embedded runner and the reaper.

:class:`EmbeddedRunner` executes runs one at a time in a daemon thread
when no ``REDIS_URL`` is configured, calling the same service function as
the Celery task. :class:`Reaper` runs in every web process, marks failed
the running runs whose executor stopped sending heartbeats and, with
Celery, sends again the task of runs left queued too long.

Both start from :class:`StartBackground`, an ASGI middleware, on the first
connection the server accepts: that is the first moment the server's event
loop is known, and the embedded runner must publish on it because the
in-memory channel layer serves only that loop.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from dashboard.runs import publish

logger = logging.getLogger(__name__)


class EmbeddedRunner:
    """A daemon thread that executes queued runs in submission order."""

    def __init__(self) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def submit(self, slug: str) -> None:
        self.start()
        self.queue.put(slug)

    def start(self) -> None:
        with self.lock:
            if self.thread is not None:
                return
            self.thread = threading.Thread(
                target=self._work, name="quorumscope-runner", daemon=True
            )
            self.thread.start()
        logger.info("embedded runner started")

    def _work(self) -> None:
        self._requeue_waiting()
        while True:
            slug = self.queue.get()
            try:
                from dashboard.runs.services import run_execute

                run_execute(slug)
            except Exception:
                logger.exception("embedded runner: run %s raised", slug)
            finally:
                close_old_connections()

    def _requeue_waiting(self) -> None:
        """Queue the runs left queued by an earlier process, oldest first."""
        from dashboard.runs.selectors import runs_queued_slugs

        try:
            for slug in runs_queued_slugs():
                self.queue.put(slug)
        except Exception:
            logger.exception("embedded runner: reading queued runs failed")
        finally:
            close_old_connections()


class Reaper:
    """A daemon thread that checks stale runs every ``reaper_interval_s``.

    Each check calls ``runs_fail_stale`` and ``runs_redispatch_stale``.
    """

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._work, name="quorumscope-reaper", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        logger.info("reaper started, every %g s", self.interval_s)

    def _work(self) -> None:
        from dashboard.runs.services import runs_fail_stale, runs_redispatch_stale

        while not self.stopped.wait(self.interval_s):
            try:
                runs_fail_stale()
            except Exception:
                logger.exception("reaper: marking stale runs failed raised")
            try:
                runs_redispatch_stale()
            except Exception:
                logger.exception("reaper: sending queued runs again raised")
            finally:
                close_old_connections()


_runner = EmbeddedRunner()
_reaper: Reaper | None = None
_started = threading.Lock()


def embedded_runner() -> EmbeddedRunner:
    """Return this process's embedded runner."""
    return _runner


def background_start(loop: asyncio.AbstractEventLoop) -> None:
    """Start the reaper, and in embedded mode the runner, once per process."""
    global _reaper
    with _started:
        if _reaper is not None:
            return
        config = settings.CONFIG
        if config.embedded:
            publish.use_loop(loop)
            _runner.start()
        _reaper = Reaper(config.reaper_interval_s)
        _reaper.start()


class StartBackground:
    """ASGI middleware that starts the background threads on first use."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if _reaper is None:
            background_start(asyncio.get_running_loop())
        return await self.app(scope, receive, send)
