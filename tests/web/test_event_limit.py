"""A run stopped at QS_EVENTS_MAX: status, error and event count."""

import dataclasses
import json

import pytest
from django.test import Client

from dashboard.config import Config
from dashboard.runs import selectors, services
from dashboard.runs.models import Run
from dashboard.runs.validation import scenario_validate

EVENTS_MAX = 300


@pytest.fixture
def config(settings) -> Config:  # type: ignore[no-untyped-def]
    """The server's configuration with QS_EVENTS_MAX set to EVENTS_MAX."""
    settings.CONFIG = dataclasses.replace(settings.CONFIG, events_max=EVENTS_MAX)
    return settings.CONFIG


def execute(stop: dict, config: Config) -> Run:
    """Execute a toy run with ``stop`` through the server's own services."""
    scenario = scenario_validate({"protocol": "toy", "stop": stop}, config)
    run = Run.objects.create(slug="limit-run", scenario=scenario, protocol="toy", n=4)
    services.run_execute(run.slug)
    run.refresh_from_db()
    return run


@pytest.fixture
def capped_run(config: Config) -> Run:
    """A run that would go on far past EVENTS_MAX events."""
    return execute({"time_ms": 600_000}, config)


def read_events(run: Run) -> list[dict]:
    return [json.loads(line) for line in selectors.run_events_after(run, 0, 10_000)]


@pytest.mark.django_db
def test_capped_run_fails_with_limit(capped_run: Run) -> None:
    assert capped_run.status == "failed"
    assert capped_run.summary["end_reason"] == "event_limit"
    assert f"limit of {EVENTS_MAX} events" in capped_run.error


@pytest.mark.django_db
def test_limit_counts_events_before_run_end(capped_run: Run) -> None:
    """QS_EVENTS_MAX counts like stop.events: the closing violations and
    run_end come after the capped event."""
    events = read_events(capped_run)
    closing = events[EVENTS_MAX:]

    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    assert events[EVENTS_MAX - 1]["kind"] not in ("violation", "run_end")
    assert closing[-1]["kind"] == "run_end"
    assert all(event["kind"] == "violation" for event in closing[:-1])
    assert capped_run.events == len(events)
    assert capped_run.summary["events"] == len(events)


@pytest.mark.django_db
def test_api_event_count_includes_run_end(capped_run: Run) -> None:
    body = Client().get(f"/api/runs/{capped_run.slug}").json()

    assert body["event_count"] == EVENTS_MAX + 1


@pytest.mark.django_db
def test_stop_events_at_limit_is_done(config: Config) -> None:
    """stop.events may equal QS_EVENTS_MAX, and such a run ends on its own
    condition with as many events as a run stopped by the limit."""
    run = execute({"events": EVENTS_MAX}, config)

    assert run.status == "done"
    assert run.summary["end_reason"] == "events"
    assert run.error == ""
    assert run.events == EVENTS_MAX + 1
