"""Queued runs whose broker message was lost are sent again and run once.

The runs are stored straight into the shared database by a ``manage.py
shell`` process, with no task sent, which is what a run looks like after
its broker message was lost. A Celery worker that becomes ready sends
again the runs queued past QS_REDISPATCH_S, and so does the reaper of a
Daphne process on every check. A second message for a run that already
ran finds it no longer queued and does nothing.
"""

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery

from dashboard.runs.dispatch import redispatch_due
from tests.web.processes import (
    PYTHON,
    ROOT,
    start_daphne,
    start_worker,
    stop_process,
    wait_for,
)
from tests.web.streamclient import consecutive, get_json

SCENARIO = {"protocol": "toy", "n": 4, "stop": {"time_ms": 2000}}
RUN_TIMEOUT_S = 60

CREATE_QUEUED = """
import secrets
from datetime import timedelta
from django.conf import settings
from django.utils import timezone
from dashboard.runs.models import Run
from dashboard.runs.validation import scenario_validate
scenario = scenario_validate({doc!r}, settings.CONFIG)
run = Run.objects.create(
    slug=secrets.token_urlsafe(12),
    scenario=scenario,
    protocol=scenario["protocol"],
    n=scenario["n"],
    dispatched_at=timezone.now() - timedelta(seconds={age_s}),
)
print(run.slug)
"""

READ_RUN = """
import json
from dashboard.runs.eventlog import chunks_read
from dashboard.runs.models import Run
run = Run.objects.get(slug={slug!r})
lines = chunks_read(run, 0, 10**6) if run.log_archived else []
print(json.dumps({{
    "status": run.status,
    "events": run.events,
    "dispatches": run.dispatches,
    "seqs": [json.loads(line)["seq"] for line in lines],
}}))
"""


def django_shell(env: dict[str, str], code: str) -> str:
    """Run ``code`` in ``manage.py shell`` on ``env``'s database."""
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def store_queued_run(env: dict[str, str], age_s: float) -> str:
    """Store a queued run dispatched ``age_s`` ago without sending its task."""
    return django_shell(env, CREATE_QUEUED.format(doc=SCENARIO, age_s=age_s))


def read_run(env: dict[str, str], slug: str) -> dict:
    return json.loads(django_shell(env, READ_RUN.format(slug=slug)))


def wait_final(env: dict[str, str], slug: str) -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        run = read_run(env, slug)
        if run["status"] not in ("queued", "running"):
            return run
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"run {slug} still {run['status']} after {RUN_TIMEOUT_S} s"
            )
        time.sleep(0.5)


def send_run_task(env: dict[str, str], slug: str, times: int) -> None:
    """Send the execute task of run ``slug`` to the broker ``times`` times."""
    with Celery(broker=env["REDIS_URL"]) as client:
        for _ in range(times):
            client.send_task("runs.execute", args=[slug])


def with_env(env: dict[str, str], **values: str) -> dict[str, str]:
    return {**env, **values}


@pytest.fixture(scope="module")
def patient_env(celery_env: dict[str, str]) -> dict[str, str]:
    """Processes that send a queued run again only after 10 minutes."""
    return with_env(celery_env, QS_REDISPATCH_S="600")


@pytest.fixture(scope="module")
def patient_worker(
    patient_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A running worker; yields the folder of its log."""
    folder = Path(tmp_path_factory.mktemp("patient"))
    process = start_worker(patient_env, folder)
    yield folder
    stop_process(process)


def worker_log(folder: Path) -> str:
    return "\n".join(path.read_text() for path in folder.glob("worker-*.log"))


def test_worker_start_sends_lost_run(
    celery_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = with_env(celery_env, QS_REDISPATCH_S="5")
    slug = store_queued_run(env, age_s=60)
    folder = Path(tmp_path_factory.mktemp("starting"))
    worker = start_worker(env, folder)
    try:
        run = wait_final(env, slug)
    finally:
        stop_process(worker)

    assert run["status"] == "done"
    assert run["dispatches"] == 2
    assert consecutive(run["seqs"], 1)
    assert len(run["seqs"]) == run["events"]
    assert f"run {slug} still queued" in worker_log(folder)


def test_worker_start_keeps_waiting_run_queued(
    patient_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    slug = store_queued_run(patient_env, age_s=60)
    folder = Path(tmp_path_factory.mktemp("waiting"))
    worker = start_worker(patient_env, folder)
    try:
        time.sleep(1)
        waiting = read_run(patient_env, slug)
        # Finish it, so no queued run is left for the next test's reaper.
        send_run_task(patient_env, slug, times=1)
        finished = wait_final(patient_env, slug)
    finally:
        stop_process(worker)

    assert waiting["status"] == "queued"
    assert waiting["dispatches"] == 1
    assert f"run {slug} still queued" not in worker_log(folder)
    assert finished["status"] == "done"


def test_reaper_sends_lost_run(
    patient_env: dict[str, str],
    patient_worker: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    slug = store_queued_run(patient_env, age_s=0)
    env = with_env(patient_env, QS_REDISPATCH_S="1")
    server = start_daphne(env, Path(tmp_path_factory.mktemp("reaping")))
    try:
        # The reaper starts with the first connection the server accepts.
        get_json(f"{server.http}/api/runs/{slug}")
        wait_for(
            lambda: get_json(f"{server.http}/api/runs/{slug}")["status"] == "done",
            f"run {slug} to be done",
            timeout=RUN_TIMEOUT_S,
        )
    finally:
        stop_process(server.process)
    run = read_run(patient_env, slug)

    assert run["status"] == "done"
    assert run["dispatches"] >= 2
    assert consecutive(run["seqs"], 1)
    assert len(run["seqs"]) == run["events"]
    assert f"run {slug} still queued" in server.log.read_text()


def test_duplicate_message_runs_once(
    patient_env: dict[str, str], patient_worker: Path
) -> None:
    slug = store_queued_run(patient_env, age_s=0)
    send_run_task(patient_env, slug, times=2)
    run = wait_final(patient_env, slug)
    skipped = f"run {slug} not queued; skipping"
    wait_for(lambda: skipped in worker_log(patient_worker), "the second message")
    log = worker_log(patient_worker)

    assert run["status"] == "done"
    assert log.count(f"run {slug} started") == 1
    assert log.count(skipped) == 1
    assert consecutive(run["seqs"], 1)
    assert len(run["seqs"]) == run["events"]


# (seconds since the last send, sends so far, whether a re-send is due)
REDISPATCH_CASES = [
    (59, 1, False),
    (60, 1, True),
    (119, 2, False),
    (120, 2, True),
    (239, 3, False),
    (240, 3, True),
    (60 * 256 - 1, 30, False),
    (60 * 256, 30, True),
]


@pytest.mark.parametrize(("waited_s", "dispatches", "due"), REDISPATCH_CASES)
def test_redispatch_wait_doubles(waited_s: float, dispatches: int, due: bool) -> None:
    waited = timedelta(seconds=waited_s)

    assert redispatch_due(waited, dispatches, redispatch_s=60) is due
