"""A running run's ``event_count`` is the last seq of its log right now.

The executor records the count in the run row only at its heartbeat, so
the API reads a running run's count from the live log instead.
"""

import json

import pytest
from django.test import Client

from dashboard.runs.eventlog import ChunkLog
from dashboard.runs.models import Run


def lines(first: int, last: int) -> list[str]:
    return [
        json.dumps({"seq": s, "t": 0, "kind": "test"}) for s in range(first, last + 1)
    ]


@pytest.mark.django_db
def test_running_run_counts_logged_events_before_heartbeat() -> None:
    run = Run.objects.create(
        slug="count-running",
        scenario={},
        protocol="toy",
        n=4,
        status="running",
        events=10,
    )
    ChunkLog().append(run, 1, lines(1, 10))
    ChunkLog().append(run, 11, lines(11, 25))
    detail = Client().get("/api/runs/count-running").json()
    assert detail["event_count"] == 25


@pytest.mark.django_db
def test_final_run_keeps_recorded_count() -> None:
    run = Run.objects.create(
        slug="count-done", scenario={}, protocol="toy", n=4, status="done", events=7
    )
    ChunkLog().append(run, 1, lines(1, 7))
    assert Client().get("/api/runs/count-done").json()["event_count"] == 7
