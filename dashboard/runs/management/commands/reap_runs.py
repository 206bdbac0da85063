"""``manage.py reap_runs``: mark failed the runs whose executor died."""

from django.core.management.base import BaseCommand

from dashboard.runs.services import runs_fail_stale


class Command(BaseCommand):
    help = (
        "Mark failed every running run with no heartbeat for QS_STALE_S seconds, "
        "keeping the events it wrote. The web process does this on its own "
        "every QS_REAPER_INTERVAL_S seconds; use this from cron when no web "
        "process runs."
    )

    def handle(self, *args: object, **options: object) -> None:
        marked = runs_fail_stale()
        self.stdout.write(f"marked {marked} stale run(s) failed")
