"""Handing a queued run to whatever executes runs in this deployment."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings

logger = logging.getLogger(__name__)

# The wait before a re-send doubles per send, up to this many doublings.
REDISPATCH_DOUBLINGS_MAX = 8


def run_enqueue(slug: str) -> None:
    """Queue run ``slug`` on the embedded runner or as a Celery task."""
    if settings.CONFIG.embedded:
        from dashboard.runs.background import embedded_runner

        embedded_runner().submit(slug)
        return
    from dashboard.runs.tasks import run_task

    run_task.delay(slug)
    logger.info("run %s sent to the Celery queue", slug)


def redispatch_due(waited: timedelta, dispatches: int, redispatch_s: float) -> bool:
    """Tell whether a queued run sent ``dispatches`` times is due a re-send.

    The first re-send comes ``redispatch_s`` after the first send, and each
    later one waits twice as long as the one before, at most
    ``2 ** REDISPATCH_DOUBLINGS_MAX`` times ``redispatch_s``.
    """
    doublings = min(max(dispatches - 1, 0), REDISPATCH_DOUBLINGS_MAX)
    return waited.total_seconds() >= redispatch_s * 2**doublings
