"""The reaper marks failed the running runs whose heartbeat stopped."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.runs.eventlog import ChunkLog, chunks_read
from dashboard.runs.models import Run
from dashboard.runs.services import runs_fail_stale


def running_run(slug: str, heartbeat_age_s: float, logged: int) -> Run:
    run = Run.objects.create(
        slug=slug,
        scenario={},
        protocol="toy",
        n=4,
        status="running",
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_age_s),
    )
    lines = [json.dumps({"seq": seq}) for seq in range(1, logged + 1)]
    ChunkLog().append(run, 1, lines)
    return run


@pytest.mark.django_db
def test_reaper_fails_stale_run_keeping_log() -> None:
    stale = running_run("stale", heartbeat_age_s=120, logged=40)
    fresh = running_run("fresh", heartbeat_age_s=0, logged=5)

    marked = runs_fail_stale()
    stale.refresh_from_db()
    fresh.refresh_from_db()

    assert marked == 1
    assert stale.status == "failed"
    assert "no heartbeat" in stale.error
    assert stale.events == 40
    assert stale.log_archived
    assert len(chunks_read(stale, 0, 100)) == 40
    assert fresh.status == "running"


@pytest.mark.django_db
def test_reaper_leaves_finished_runs() -> None:
    done = running_run("done", heartbeat_age_s=120, logged=3)
    Run.objects.filter(pk=done.pk).update(status="done")

    assert runs_fail_stale() == 0
    done.refresh_from_db()
    assert done.status == "done"
