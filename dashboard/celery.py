"""The Celery application that executes runs when ``REDIS_URL`` is set.

Start a worker with ``celery -A dashboard worker``. Its configuration is
the ``CELERY_*`` settings in :mod:`dashboard.settings`. A worker that
becomes ready sends again the task of every run left queued past
``QS_REDISPATCH_S``, so runs whose messages were lost while no worker ran
do not wait for the web processes' next check.
"""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

logger = logging.getLogger(__name__)

app = Celery("dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def redispatch_on_ready(**kwargs: Any) -> None:
    """Send again the queued runs whose messages may be lost."""
    from django.db import close_old_connections

    from dashboard.runs.services import runs_redispatch_stale

    try:
        sent = runs_redispatch_stale()
    except Exception:
        logger.exception("worker ready: sending queued runs again raised")
        return
    finally:
        close_old_connections()
    logger.info("worker ready: sent %d queued runs again", sent)
