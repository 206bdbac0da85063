"""The Quorumscope web dashboard: submit runs, watch them live, replay them.

Importing the package loads the Celery app, so ``shared_task`` functions
bind to it in every process that uses Django.
"""

from dashboard.celery import app as celery_app

__all__ = ["celery_app"]
