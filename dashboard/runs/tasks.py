"""Celery tasks of runs: thin wrappers around the service functions."""

from celery import shared_task

from dashboard.runs import services


@shared_task(name="runs.execute")
def run_task(slug: str) -> str | None:
    """Execute run ``slug``; the service records every outcome itself."""
    return services.run_execute(slug)


@shared_task(name="runs.fail_stale")
def runs_fail_stale_task() -> int:
    """Mark failed the running runs whose executor stopped responding."""
    return services.runs_fail_stale()
