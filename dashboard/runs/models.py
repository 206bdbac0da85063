"""Stored runs and their event logs.

A :class:`Run` moves through ``queued``, ``running`` and one of the final
statuses ``done``, ``failed`` or ``cancelled``; it never leaves a final
status. Its events are numbered by ``seq`` from 1 with no gaps, and
``events`` is the highest seq written to the run's log so far. The log of
a finished run lives in :class:`RunChunk` rows; while it runs with Redis it
lives in a Redis Stream (see :mod:`dashboard.runs.eventlog`).
"""

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    """Life-cycle status of a run."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset({Status.DONE, Status.FAILED, Status.CANCELLED})


class Run(models.Model):
    """One submitted scenario, its progress and its outcome.

    ``scenario`` is the normalized document. ``heartbeat_at`` is refreshed
    by whoever executes the run; a running run whose heartbeat is older
    than the configured stale time is marked failed by the reaper.
    ``dispatched_at`` and ``dispatches`` record when the run's task was last
    sent to the executor and how many times; a queued run whose message
    was lost is sent again from them.
    ``client`` is a keyed hash of the submitter's address, kept only for
    rate limiting.
    """

    slug = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    scenario = models.JSONField()
    protocol = models.CharField(max_length=32)
    n = models.PositiveIntegerField()
    progress = models.FloatField(default=0.0)
    events = models.PositiveBigIntegerField(default=0)
    summary = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    log_archived = models.BooleanField(default=False)
    client = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(default=timezone.now)
    dispatches = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["client", "created_at"]),
            models.Index(fields=["status", "dispatched_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.slug} ({self.protocol}, {self.status})"

    @property
    def is_final(self) -> bool:
        """True once the run is done, failed or cancelled."""
        return self.status in FINAL_STATUSES


class RunChunk(models.Model):
    """A contiguous slice of a run's log: events first_seq..last_seq.

    ``data`` is the zlib-compressed JSON lines of the events, one line per
    event, in seq order. Chunks of one run never overlap.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="chunks")
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["first_seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_seq"], name="chunk_unique")
        ]
        indexes = [models.Index(fields=["run", "last_seq"])]
