"""``manage.py reap_runs``: fail runs whose executor died, resend lost ones."""

from django.core.management.base import BaseCommand

from dashboard.runs.services import runs_fail_stale, runs_redispatch_stale


class Command(BaseCommand):
    help = (
        "Mark failed every running run with no heartbeat for QS_STALE_S seconds, "
        "keeping the events it wrote, and with Celery send again the task of "
        "every run still queued QS_REDISPATCH_S seconds after it was sent. The "
        "web process does this on its own every QS_REAPER_INTERVAL_S seconds; "
        "use this from cron when no web process runs."
    )

    def handle(self, *args: object, **options: object) -> None:
        marked = runs_fail_stale()
        self.stdout.write(f"marked {marked} stale run(s) failed")
        sent = runs_redispatch_stale()
        self.stdout.write(f"sent {sent} queued run(s) again")
