"""Selectors of runs: every read of runs and their logs goes through here."""

from __future__ import annotations

import re

from django.conf import settings

from dashboard.runs.eventlog import chunks_read, live_log
from dashboard.runs.models import Run, Status

EVENTS_PAGE_MAX = 10_000
# Largest seq a client may name in ``after``: far above any run's event
# limit, and within both Redis stream ids and JavaScript's exact integers.
SEQ_MAX = 2**53 - 1
# Slugs are secrets.token_urlsafe(12): URL-safe base64, within the 32
# characters of the slug column. The URL routes match this pattern.
SLUG_PATTERN = "[A-Za-z0-9_-]{1,32}"
_SLUG = re.compile(SLUG_PATTERN)


def slug_valid(slug: str) -> bool:
    """Tell whether ``slug`` is in the alphabet and length of run slugs."""
    return _SLUG.fullmatch(slug) is not None


def run_get(slug: str) -> Run | None:
    """Return run ``slug``, or None when there is none.

    A string that no slug can equal (a NUL byte, which PostgreSQL refuses in
    a text value, or any other character outside the slug alphabet) is never
    sent to the database.
    """
    if not slug_valid(slug):
        return None
    return Run.objects.filter(slug=slug).first()


def runs_recent(limit: int = 50) -> list[Run]:
    """Return the most recently created runs, newest first."""
    return list(Run.objects.order_by("-created_at")[:limit])


def runs_queued_slugs() -> list[str]:
    """Return the slugs of the queued runs, oldest first."""
    queued = Run.objects.filter(status=Status.QUEUED).order_by("created_at")
    return list(queued.values_list("slug", flat=True))


def run_events_after(run: Run, after: int, limit: int) -> list[str]:
    """Return up to ``limit`` JSON lines of ``run``'s log with seq > after.

    The lines are consecutive from ``after + 1``. The live log comes first,
    so pages of a running run cost no database query. An archived stream
    stays complete until it expires, and after that the database has it.
    """
    limit = max(0, min(limit, EVENTS_PAGE_MAX))
    lines = live_log(settings.CONFIG).read(run, after, limit)
    if lines:
        return lines
    return chunks_read(run, after, limit)


def run_event_count(run: Run) -> int:
    """Return the highest seq in ``run``'s log at this moment.

    A running run's ``events`` field is refreshed only at its heartbeat,
    so for one the live log is asked: an index lookup of its last chunk,
    or one XREVRANGE of its stream. Other runs' field is exact.
    """
    if run.status != Status.RUNNING:
        return run.events
    return max(run.events, live_log(settings.CONFIG).last_seq(run))
