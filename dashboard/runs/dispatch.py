"""Handing a queued run to whatever executes runs in this deployment."""

from __future__ import annotations

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def run_enqueue(slug: str) -> None:
    """Queue run ``slug`` on the embedded runner or as a Celery task."""
    if settings.CONFIG.embedded:
        from dashboard.runs.background import embedded_runner

        embedded_runner().submit(slug)
        return
    from dashboard.runs.tasks import run_task

    run_task.delay(slug)
    logger.info("run %s sent to the Celery queue", slug)
