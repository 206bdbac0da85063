"""The JSON API of runs (documented in docs/api.md).

``POST /api/runs`` takes a scenario document and returns the new run's
slug and addresses; ``GET /api/runs/<slug>`` returns its status, scenario
and summary; ``GET /api/runs/<slug>/events`` pages through its log. The
API uses no cookies, so it is exempt from CSRF checks; it requires a JSON
content type on writes, which a cross-site form cannot send.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from consensus.sim import scenario
from consensus.sim.scenario import ScenarioError
from dashboard.runs import selectors, services
from dashboard.runs.models import Run
from dashboard.runs.validation import ScenarioInvalid

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
# A rejected document lists at most this many errors, then one saying how
# many more there were, and each field path and message is cut to a length:
# 50,000 unknown keys must not make a response of megabytes.
ERRORS_LISTED_MAX = 20
FIELD_CHARS_MAX = 200
MESSAGE_CHARS_MAX = 500
# A query value longer than this is quoted by its first characters and its
# length.
VALUE_CHARS_SHOWN = 20
_DIGITS = re.compile("[0-9]+")


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
        response = _error(refused.status, "", refused.message)
        if refused.retry_after is not None:
            response["Retry-After"] = str(refused.retry_after)
        return response
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
        doc = _json_strict(body)
    except RecursionError:
        return _error(400, "", "the body is not valid JSON: nested too deeply")
    except ScenarioError as error:
        message = error.message
        if not error.field:
            # Malformed JSON: the decoder's message gives the position.
            message = "the body is not valid JSON: " + message.removeprefix(
                "invalid JSON "
            )
        return _error(400, error.field, _cut(message, MESSAGE_CHARS_MAX))
    except ValueError as error:  # UnicodeDecodeError is a ValueError
        message = f"the body is not valid JSON: {error}"
        return _error(400, "", _cut(message, MESSAGE_CHARS_MAX))
    if not isinstance(doc, dict):
        kind = type(doc).__name__.replace("NoneType", "null")
        return _error(400, "", f"the body must be a JSON object, not {kind}")
    if selectors.run_get(slug) is None:
        return _error(404, "slug", f"no run {slug!r}")
    run = services.run_cancel(slug)
    return JsonResponse(run_detail(request, run))


# Read-only views change nothing, so a POST or DELETE to them gets 405
# from require_safe rather than a CSRF failure.
@csrf_exempt
@require_safe
def run_read(request: HttpRequest, slug: str) -> HttpResponse:
    run = selectors.run_get(slug)
    if run is None:
        return _error(404, "slug", f"no run {slug!r}")
    return JsonResponse(run_detail(request, run))


@csrf_exempt
@require_safe
def run_events(request: HttpRequest, slug: str) -> HttpResponse:
    run = selectors.run_get(slug)
    if run is None:
        return _error(404, "slug", f"no run {slug!r}")
    try:
        after = query_integer(request.GET, "after", 0, 0, selectors.SEQ_MAX)
        limit = query_integer(request.GET, "limit", 1000, 1, selectors.EVENTS_PAGE_MAX)
    except QueryInvalid as invalid:
        return _error(400, invalid.field, invalid.message)
    lines = selectors.run_events_after(run, after, limit)
    head = {"slug": run.slug, "status": run.status, "after": after}
    head["next"] = after + len(lines)
    body = json.dumps(head)[:-1] + ',"events":[' + ",".join(lines) + "]}"
    return HttpResponse(body, content_type="application/json")


class JsonErrorsMiddleware:
    """Middleware that puts every error under /api/ in the API's JSON form.

    The API views build their own errors, but Django itself returns an HTML
    404 for a path that no route matches, an empty 405 for a wrong method
    and an HTML 500 for an uncaught exception. This middleware, first in
    MIDDLEWARE so it gets the final response, replaces such a body with
    ``{"errors": [{"field": "", "message": ...}]}`` and keeps the status
    and the headers that matter to a client (Allow, Retry-After).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path_info
        under_api = path == "/api" or path.startswith("/api/")
        if not under_api or response.status_code < 400:
            return response
        shown_path = _cut(repr(path), FIELD_CHARS_MAX)
        if response.get("Content-Type", "").startswith("application/json"):
            logger.info(
                "%s %s rejected with %d",
                request.method,
                shown_path,
                response.status_code,
            )
            return response
        replaced = _error(response.status_code, "", _status_message(request, response))
        logger.info(
            "%s %s failed with %d: %s",
            request.method,
            shown_path,
            response.status_code,
            _status_message(request, response),
        )
        for header in ("Allow", "Retry-After"):
            if header in response:
                replaced[header] = response[header]
        return replaced


def _status_message(request: HttpRequest, response: HttpResponse) -> str:
    path = _cut(repr(request.path), FIELD_CHARS_MAX)
    if response.status_code == 404:
        return f"not found: no API resource at {path}"
    if response.status_code == 405:
        allowed = response.get("Allow", "")
        return f"method {request.method} is not allowed on {path}; allowed {allowed}"
    return f"{response.status_code} {response.reason_phrase}"


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


class QueryInvalid(ValueError):
    """A query parameter that is not an integer in its allowed range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def query_integer(
    query: Mapping[str, str], name: str, default: int, low: int, high: int
) -> int:
    """Parse query parameter ``name`` as an integer, ``default`` if absent.

    Only ASCII digits are accepted: Python's ``int()`` would also
    take a sign, spaces, underscores and non-ASCII digits such as "\u0663".
    An empty value is invalid. Raises :class:`QueryInvalid` naming the
    value and the allowed range ``low`` to ``high``.
    """
    raw = query.get(name)
    if raw is None:
        return default
    allowed = f"allowed {low} to {high}"
    if not _DIGITS.fullmatch(raw):
        quoted = "an empty value" if raw == "" else _show_value(raw)
        raise QueryInvalid(name, f"{quoted} is not a non-negative integer; {allowed}")
    # A value longer than the bound's digits is out of range without int(),
    # which refuses strings of over 4,300 digits.
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(high)) or not low <= int(digits) <= high:
        raise QueryInvalid(name, f"{_show_value(raw)} is out of range; {allowed}")
    return int(digits)


def _show_value(raw: str) -> str:
    """Quote a query value, a long one by its start and its length."""
    if _DIGITS.fullmatch(raw):
        if len(raw) <= VALUE_CHARS_SHOWN:
            return raw
        return f"{raw[:VALUE_CHARS_SHOWN]}... ({len(raw)} digits)"
    if len(raw) <= VALUE_CHARS_SHOWN:
        return repr(raw)
    return f"{raw[:VALUE_CHARS_SHOWN]!r}... ({len(raw)} characters)"


def _json_strict(body: bytes) -> Any:
    """Parse a UTF-8 JSON body, rejecting what Python's json module allows.

    NaN, Infinity and -Infinity are not JSON, and a number beyond the float
    range (1e400, an integer of 400 digits) has no value here, so each
    raises ValueError. A key given twice in one object raises ScenarioError
    on the key's path, as in a scenario, because which value would count is
    not defined.
    """
    value = scenario.decode(body.decode("utf-8"))
    _reject_non_finite(value)
    return value


def _reject_non_finite(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        text = getattr(value, "text", repr(value))
        if text in ("NaN", "Infinity", "-Infinity"):
            raise ValueError(
                f"{text} is not a JSON value; JSON has no NaN or infinities"
            )
        raise ValueError(
            f"{scenario.abbreviate(text)} is beyond the range of a 64-bit "
            "floating-point number"
        )
    if isinstance(value, dict):
        for item in value.values():
            _reject_non_finite(item)
    elif isinstance(value, list):
        for item in value:
            _reject_non_finite(item)


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
