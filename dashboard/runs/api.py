"""The JSON API of runs (documented in docs/api.md).

``POST /api/runs`` takes a scenario document and returns the new run's
slug and addresses; ``GET /api/runs/<slug>`` returns its status, scenario
and summary; ``GET /api/runs/<slug>/events`` pages through its log. The
API uses no cookies, so it is exempt from CSRF checks; it requires a JSON
content type on writes, which a cross-site form cannot send.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dashboard.runs import selectors, services
from dashboard.runs.models import Run
from dashboard.runs.validation import ScenarioInvalid

MAX_BODY_BYTES = 1_000_000


@csrf_exempt
@require_POST
def runs_create(request: HttpRequest) -> HttpResponse:
    if request.content_type != "application/json":
        return _error(415, "", "the body must be a scenario as application/json")
    if len(request.body) > MAX_BODY_BYTES:
        return _error(413, "", f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        doc = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "", "the body is not valid UTF-8")
    try:
        run = services.run_create(doc, services.client_address(request.META))
    except ScenarioInvalid as invalid:
        return _invalid(invalid)
    except services.AdmissionRefused as refused:
        return _error(refused.status, "", refused.message)
    return JsonResponse(run_links(request, run), status=201)


@csrf_exempt
@require_POST
def run_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    if request.content_type != "application/json":
        return _error(415, "", "the body must be a JSON object as application/json")
    if selectors.run_get(slug) is None:
        return _error(404, "slug", f"no run {slug!r}")
    run = services.run_cancel(slug)
    return JsonResponse(run_detail(request, run))


@require_GET
def run_read(request: HttpRequest, slug: str) -> HttpResponse:
    run = selectors.run_get(slug)
    if run is None:
        return _error(404, "slug", f"no run {slug!r}")
    return JsonResponse(run_detail(request, run))


@require_GET
def run_events(request: HttpRequest, slug: str) -> HttpResponse:
    run = selectors.run_get(slug)
    if run is None:
        return _error(404, "slug", f"no run {slug!r}")
    after = _query_int(request, "after", 0, 0, selectors.SEQ_MAX)
    limit = _query_int(request, "limit", 1000, 1, selectors.EVENTS_PAGE_MAX)
    if isinstance(after, str):
        return _error(400, "after", after)
    if isinstance(limit, str):
        return _error(400, "limit", limit)
    lines = selectors.run_events_after(run, after, limit)
    head = {"slug": run.slug, "status": run.status, "after": after}
    head["next"] = after + len(lines)
    body = json.dumps(head)[:-1] + ',"events":[' + ",".join(lines) + "]}"
    return HttpResponse(body, content_type="application/json")


def run_links(request: HttpRequest, run: Run) -> dict[str, Any]:
    """Return the slug of ``run`` and the absolute addresses that serve it."""
    page = request.build_absolute_uri(reverse("runs:detail", args=[run.slug]))
    scheme = "wss" if request.is_secure() else "ws"
    return {
        "slug": run.slug,
        "url": page,
        "api": request.build_absolute_uri(reverse("runs:api-read", args=[run.slug])),
        "websocket": f"{scheme}://{request.get_host()}/ws/runs/{run.slug}/",
        "events": request.build_absolute_uri(
            reverse("runs:events-jsonl", args=[run.slug])
        ),
    }


def run_detail(request: HttpRequest, run: Run) -> dict[str, Any]:
    """Return the public fields of ``run`` with its addresses."""
    return {
        **run_links(request, run),
        "status": run.status,
        "progress": run.progress,
        "event_count": selectors.run_event_count(run),
        "scenario": run.scenario,
        "summary": run.summary,
        "error": run.error,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _query_int(
    request: HttpRequest, name: str, default: int, low: int, high: int | None
) -> int | str:
    """Return a query parameter as an int, or the error message as a str."""
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return f"{raw!r} is not an integer"
    if value < low or (high is not None and value > high):
        allowed = f"{low} to {high}" if high is not None else f">= {low}"
        return f"{value} is out of range; allowed {allowed}"
    return value


def _invalid(invalid: ScenarioInvalid) -> JsonResponse:
    errors = [
        {"field": field, "message": text} for field, text in invalid.errors.items()
    ]
    return JsonResponse({"errors": errors}, status=400)


def _error(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": field, "message": message}]}, status=status
    )
