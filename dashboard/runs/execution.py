"""Executing one run: the simulator's events go to the log and the group.

:class:`EventBatcher` is the simulator sink. It serializes each event to
its JSON line (a broadcast's send events at once), collects lines into a
batch, and flushes a batch when it has ``batch_events`` events or is
``batch_ms`` old: the batch is appended to the run's log first and then
published, so a consumer that hears of a batch can always read it back.
Between batches, at most once per ``heartbeat_s``, it refreshes the run's
heartbeat and progress and looks at the cancel flag. A cancelled or
reaped run stops by an exception raised from the sink, which unwinds the
simulator. The server's event limit is the simulator's own ``max_events``
cap, which ends the log with ``run_end``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db.models import F
from django.utils import timezone

from consensus.sim.log import LineEncoder
from dashboard.config import Config
from dashboard.runs.eventlog import ChunkLog, StreamLog
from dashboard.runs.models import Run, Status
from dashboard.runs.publish import Publisher

logger = logging.getLogger(__name__)


class RunStopped(Exception):
    """Raised from the sink to end a run early; ``status`` is its outcome."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class EventBatcher:
    """The simulator sink that batches, logs and publishes a run's events."""

    def __init__(
        self, run: Run, log: ChunkLog | StreamLog, publisher: Publisher, config: Config
    ) -> None:
        self.run = run
        self.log = log
        self.publisher = publisher
        self.config = config
        self.lines: list[str] = []
        self.encoder = LineEncoder()
        self.first = 1
        self.last_written = 0
        self.progress = 0.0
        self.batch_started = time.monotonic()
        self.last_beat = time.monotonic()

    def __call__(self, event: dict[str, Any]) -> None:
        seq = event["seq"]
        if seq != self.first + len(self.lines):
            raise RuntimeError(
                f"run {self.run.slug}: event seq {seq} out of order; "
                f"expected {self.first + len(self.lines)}"
            )
        if not self.lines:
            self.batch_started = time.monotonic()
        self.lines.append(self.encoder.encode(event))
        self._flush_when_due()

    def broadcast(self, events: list[dict[str, Any]]) -> None:
        """Take the send events of one broadcast but its first, at once."""
        first = events[0]["seq"]
        if first != self.first + len(self.lines):
            raise RuntimeError(
                f"run {self.run.slug}: event seq {first} out of order; "
                f"expected {self.first + len(self.lines)}"
            )
        if not self.lines:
            self.batch_started = time.monotonic()
        self.lines.extend(self.encoder.sends(events))
        self._flush_when_due()

    def _flush_when_due(self) -> None:
        elapsed_ms = (time.monotonic() - self.batch_started) * 1000
        if (
            len(self.lines) >= self.config.batch_events
            or elapsed_ms >= self.config.batch_ms
        ):
            self.flush()

    def set_progress(self, fraction: float) -> None:
        self.progress = max(0.0, min(1.0, fraction))

    def flush(self) -> None:
        """Write and publish the pending batch, then beat if it is time."""
        if self.lines:
            lines, self.lines = self.lines, []
            self.log.append(self.run, self.first, lines)
            self.publisher.events(self.run.slug, self.first, lines, self.progress)
            self.last_written = self.first + len(lines) - 1
            self.first = self.last_written + 1
        if time.monotonic() - self.last_beat >= self.config.heartbeat_s:
            self.beat()

    def beat(self) -> None:
        """Record progress and heartbeat; stop if the run was cancelled."""
        self.last_beat = time.monotonic()
        updated = Run.objects.filter(pk=self.run.pk, status=Status.RUNNING).update(
            heartbeat_at=timezone.now(),
            progress=self.progress,
            events=self.last_written,
        )
        if not updated:
            raise RunStopped(Status.FAILED, "the run was marked failed while running")
        if Run.objects.filter(pk=self.run.pk, cancel_requested=True).exists():
            raise RunStopped(Status.CANCELLED, "cancelled on request")


def claim(slug: str) -> Run | None:
    """Move run ``slug`` from queued to running; None if it was not queued."""
    now = timezone.now()
    claimed = Run.objects.filter(slug=slug, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return None
    return Run.objects.get(slug=slug)


def simulate(run: Run, batcher: EventBatcher) -> dict[str, Any]:
    """Run the scenario through the simulator; return its summary."""
    from consensus.sim.runner import Simulation

    simulation = Simulation(
        run.scenario,
        sinks=[batcher],
        progress=batcher.set_progress,
        max_events=batcher.config.events_max,
    )
    summary = simulation.run()
    batcher.flush()
    return summary


def finish(
    run: Run,
    log: ChunkLog | StreamLog,
    publisher: Publisher,
    status: str,
    summary: Any = None,
    error: str = "",
) -> bool:
    """Archive the log, record the outcome and announce it.

    The update only applies to a run that is still running, so a run the
    reaper has already failed keeps that outcome. Returns whether it applied.
    """
    last = log.archive(run)
    updated = Run.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=status,
        summary=summary,
        error=error,
        events=last,
        progress=1.0 if status == Status.DONE else F("progress"),
        log_archived=True,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if updated:
        publisher.status(run.slug, status, summary, error, last)
    publisher.flush()
    return bool(updated)
