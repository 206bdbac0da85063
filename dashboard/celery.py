"""The Celery application that executes runs when ``REDIS_URL`` is set.

Start a worker with ``celery -A dashboard worker``. Its configuration is
the ``CELERY_*`` settings in :mod:`dashboard.settings`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
