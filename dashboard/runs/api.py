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

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dashboard.runs import selectors, services
from dashboard.runs.models import Run
from dashboard.runs.validation import ScenarioInvalid

MAX_BODY_BYTES = 1_000_000
# A rejected document lists at most this many errors, then one saying how
# many more there were, and each field path and message is cut to a length:
# 50,000 unknown keys must not make a response of megabytes.
ERRORS_LISTED_MAX = 20
FIELD_CHARS_MAX = 200
MESSAGE_CHARS_MAX = 500


@csrf_exempt
@require_POST
def runs_create(request: HttpRequest) -> HttpResponse:
    if request.content_type != "application/json":
        return _error(415, "", "the body must be a scenario as application/json")
    body = _body(request)
    if body is None:
        return _too_large()
    try:
        doc = body.decode("utf-8")
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
    body = _body(request)
    if body is None:
        return _too_large()
    try:
        doc = json.loads(body)
    except RecursionError:
        return _error(400, "", "the body is not valid JSON: nested too deeply")
    except ValueError as error:  # UnicodeDecodeError is a ValueError
        return _error(400, "", f"the body is not valid JSON: {error}")
    if not isinstance(doc, dict):
        kind = type(doc).__name__.replace("NoneType", "null")
        return _error(400, "", f"the body must be a JSON object, not {kind}")
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


def _body(request: HttpRequest) -> bytes | None:
    """Return the request body, or None when it is over MAX_BODY_BYTES.

    Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE at all
    (RequestDataTooBig); that is the same error here.
    """
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return body if len(body) <= MAX_BODY_BYTES else None


def _too_large() -> JsonResponse:
    limit = MAX_BODY_BYTES
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return _error(413, "", f"the body is larger than {limit} bytes")


def _invalid(invalid: ScenarioInvalid) -> JsonResponse:
    items = list(invalid.errors.items())
    errors = [
        {
            "field": _cut(field, FIELD_CHARS_MAX),
            "message": _cut(text, MESSAGE_CHARS_MAX),
        }
        for field, text in items[:ERRORS_LISTED_MAX]
    ]
    more = len(items) - ERRORS_LISTED_MAX
    if more > 0:
        errors.append({"field": "", "message": f"and {more} more errors"})
    return JsonResponse({"errors": errors}, status=400)


def _cut(text: str, limit: int) -> str:
    """Return ``text``, cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _error(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": field, "message": message}]}, status=status
    )
