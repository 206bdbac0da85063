"""Service functions of runs: every write to a run goes through here.

Views, the API, consumers, Celery tasks and the embedded runner stay thin
and call these. ``run_create`` admits a scenario, ``run_execute`` runs it
to a final status, ``run_cancel`` asks a run to stop,
``runs_fail_stale`` marks failed the running runs whose executor stopped
sending heartbeats (a killed worker, a crashed server) and
``runs_redispatch_stale`` sends again the task of queued runs whose broker
message may be lost.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from dashboard.runs import dispatch, execution
from dashboard.runs.eventlog import live_log
from dashboard.runs.models import Run, Status
from dashboard.runs.publish import publisher
from dashboard.runs.validation import scenario_validate

logger = logging.getLogger(__name__)

# The rate limit counts a client's runs created within this window.
RATE_WINDOW = timedelta(minutes=1)


class AdmissionRefused(Exception):
    """A valid scenario the server will not take now; ``status`` is HTTP's.

    ``retry_after`` is the number of seconds until the client may submit
    again, for the Retry-After header, or None when it is unknown.
    """

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def client_address(meta: Mapping[str, Any]) -> str:
    """Return the address of the client that sent a request with ``meta``.

    Each reverse proxy appends the address it received the request from to
    X-Forwarded-For, so behind ``trusted_proxies`` proxies the client is
    the entry that many places from the right. Entries further left were
    written by the client and are ignored. Without trusted proxies, or when
    the header has fewer entries than that, the address is REMOTE_ADDR.
    """
    remote = str(meta.get("REMOTE_ADDR", ""))
    hops = settings.CONFIG.trusted_proxies
    if hops == 0:
        return remote
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
    entries = [entry.strip() for entry in forwarded.split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < hops:
        return remote
    return entries[-hops]


def client_key(address: str) -> str:
    """Return a keyed hash of a client address, so no address is stored."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def run_create(doc: Any, client_address: str) -> Run:
    """Validate ``doc``, admit it and queue a run; return the stored run.

    Raises ScenarioInvalid for a bad document and AdmissionRefused when
    the client is over its rate or the queue is full; nothing is stored
    then.
    """
    config = settings.CONFIG
    scenario = scenario_validate(doc, config)
    client = client_key(client_address)
    now = timezone.now()
    recent = Run.objects.filter(client=client, created_at__gte=now - RATE_WINDOW)
    count = recent.count()
    if count >= config.runs_per_minute:
        wait = _rate_wait_s(recent, count - config.runs_per_minute, now)
        raise AdmissionRefused(
            429,
            f"rate limit reached: {config.runs_per_minute} runs per minute "
            f"per client; try again in {wait} s",
            retry_after=wait,
        )
    queued = Run.objects.filter(status=Status.QUEUED).count()
    if queued >= config.queued_runs_max:
        raise AdmissionRefused(
            503, f"server busy: {queued} runs are queued; try again later"
        )
    run = Run.objects.create(
        slug=secrets.token_urlsafe(12),
        scenario=scenario,
        protocol=scenario["protocol"],
        n=scenario["n"],
        client=client,
    )
    transaction.on_commit(lambda: dispatch.run_enqueue(run.slug))
    logger.info("run %s queued (%s, n=%d)", run.slug, run.protocol, run.n)
    return run


def _rate_wait_s(recent: Any, index: int, now: Any) -> int:
    """Return the whole seconds until the client is under its rate again.

    The client may submit once all but ``runs_per_minute - 1`` of its
    ``recent`` runs have left the window, that is when its run at
    ``index`` (oldest first) is older than RATE_WINDOW.
    """
    created = recent.order_by("created_at").values_list("created_at", flat=True)
    leaves = created[index] + RATE_WINDOW
    return max(1, math.ceil((leaves - now).total_seconds()))


def run_execute(slug: str) -> str | None:
    """Execute queued run ``slug`` to a final status; return that status.

    Returns None, doing nothing, when the run is not queued: a message the
    broker delivered twice, or a run the reaper already failed.
    """
    run = execution.claim(slug)
    if run is None:
        logger.info("run %s not queued; skipping", slug)
        return None
    config = settings.CONFIG
    log = live_log(config)
    channel = publisher()
    batcher = execution.EventBatcher(run, log, channel, config)
    logger.info("run %s started", slug)
    status, summary, error = Status.FAILED, None, ""
    try:
        summary = execution.simulate(run, batcher)
        status = Status.DONE
        if summary.get("end_reason") == "event_limit":
            status = Status.FAILED
            error = (
                f"stopped at the server's limit of {config.events_max} events "
                "per run; the summary covers the events up to there"
            )
        elif summary.get("end_reason") == "frozen":
            status = Status.FAILED
            error = (
                f"stopped at {summary.get('sim_time_ms')} ms: simulated time "
                "stood still while events kept coming (one node, or zero "
                "latency, lets a protocol commit forever at one instant); "
                "the summary covers the events up to there"
            )
    except execution.RunStopped as stop:
        status, error = stop.status, stop.reason
        _flush_quietly(batcher)
        logger.info("run %s stopped: %s", slug, stop.reason)
    except SoftTimeLimitExceeded:
        error = f"timed out after {config.soft_time_limit_s} s"
        _flush_quietly(batcher)
        logger.warning("run %s timed out after %d s", slug, config.soft_time_limit_s)
    except Exception as exc:
        error = f"simulation failed: {type(exc).__name__}: {exc}"
        _flush_quietly(batcher)
        logger.exception("run %s failed", slug)
    applied = execution.finish(run, log, channel, status, summary, error)
    logger.info("run %s ended %s (recorded: %s)", slug, status, applied)
    close_old_connections()
    return status


def _flush_quietly(batcher: execution.EventBatcher) -> None:
    """Write what the batcher holds, so a stopped run keeps its events."""
    try:
        batcher.flush()
    except execution.RunStopped:
        pass
    except Exception:
        logger.exception("run %s: writing the last batch failed", batcher.run.slug)


def run_cancel(slug: str) -> Run:
    """Ask run ``slug`` to stop; a queued run is cancelled at once."""
    run = Run.objects.get(slug=slug)
    Run.objects.filter(pk=run.pk, status=Status.RUNNING).update(cancel_requested=True)
    cancelled = Run.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED,
        cancel_requested=True,
        error="cancelled on request",
        log_archived=True,
        finished_at=timezone.now(),
    )
    if cancelled:
        channel = publisher()
        channel.status(slug, Status.CANCELLED, None, "cancelled on request", 0)
        channel.flush()
    logger.info("run %s cancel requested", slug)
    run.refresh_from_db()
    return run


def runs_fail_stale() -> int:
    """Mark failed every running run with no heartbeat for ``stale_s``.

    The events its executor wrote stay in the log, which is archived.
    Returns the number of runs marked.
    """
    config = settings.CONFIG
    cutoff = timezone.now() - timedelta(seconds=config.stale_s)
    marked = 0
    for run in Run.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff):
        marked += _run_fail_stale(run, cutoff, config.stale_s)
    return marked


def runs_redispatch_stale() -> int:
    """Send again the task of every queued run that waited too long.

    A run still queued ``redispatch_s`` after its task was sent may have
    lost its broker message (a broker restart, a worker killed holding it),
    so its task is sent again. Each further send waits twice as long as the
    one before, so a run that only waits behind busy workers gets a few
    duplicate messages, not one per check. A duplicate is harmless because
    ``run_execute`` claims the run queued->running in one UPDATE and the
    other messages find it no longer queued. The embedded runner keeps its
    queue in memory and queues the waiting runs again when it starts, so
    this does nothing in embedded mode. Returns the number of runs sent.
    """
    config = settings.CONFIG
    if config.embedded:
        return 0
    now = timezone.now()
    cutoff = now - timedelta(seconds=config.redispatch_s)
    waiting = Run.objects.filter(status=Status.QUEUED, dispatched_at__lt=cutoff)
    sent = 0
    for run in waiting.only("pk", "slug", "dispatched_at", "dispatches"):
        if not dispatch.redispatch_due(
            now - run.dispatched_at, run.dispatches, config.redispatch_s
        ):
            continue
        # Only the process whose UPDATE matches the old time sends again.
        claimed = Run.objects.filter(
            pk=run.pk, status=Status.QUEUED, dispatched_at=run.dispatched_at
        ).update(dispatched_at=now, dispatches=F("dispatches") + 1)
        if not claimed:
            continue
        logger.warning(
            "run %s still queued %.0f s after dispatch %d; sending it again",
            run.slug,
            (now - run.dispatched_at).total_seconds(),
            run.dispatches,
        )
        dispatch.run_enqueue(run.slug)
        sent += 1
    return sent


def _run_fail_stale(run: Run, cutoff: Any, stale_s: float) -> int:
    error = f"the executor stopped responding (no heartbeat for {stale_s:g} s)"
    log = live_log(settings.CONFIG)
    try:
        last = log.archive(run)
    except Exception:
        logger.exception("run %s: archiving the log of a stale run failed", run.slug)
        return 0
    updated = Run.objects.filter(
        pk=run.pk, status=Status.RUNNING, heartbeat_at__lt=cutoff
    ).update(
        status=Status.FAILED,
        error=error,
        events=last,
        log_archived=True,
        finished_at=timezone.now(),
    )
    if updated:
        logger.warning(
            "run %s marked failed: %s; %d events kept", run.slug, error, last
        )
        channel = publisher()
        channel.status(run.slug, Status.FAILED, None, error, last)
        channel.flush()
    return updated
