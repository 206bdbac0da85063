"""Every error under /api/ is JSON in the documented form.

The views write their own errors, and :class:`JsonErrorsMiddleware` gives
the same form to what Django returns itself: a path no route matches
(404), a wrong method (405, with its Allow header) and an uncaught
exception (500). A cancel body must be JSON as RFC 8259 defines it: no
NaN or infinities, and no key given twice.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from datetime import timedelta

import pytest
from django.test import Client

from dashboard.runs import selectors
from dashboard.runs.models import Run
from tests.web.apiclient import create_run


def only_error(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert len(errors) == 1
    return dict(errors[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/runs/nope", "no run 'nope'"),
        ("/api/runs/nope/events", "no run 'nope'"),
        ("/api/runs/a%00b", "not found: no API resource at '/api/runs/a\\x00b'"),
        (
            "/api/runs/a.b/events",
            "not found: no API resource at '/api/runs/a.b/events'",
        ),
        ("/api/nothing", "not found: no API resource at '/api/nothing'"),
        ("/api", "not found: no API resource at '/api'"),
    ],
)
def test_api_404_is_json(client: Client, path: str, message: str) -> None:
    response = client.get(path)
    error = only_error(response)

    assert response.status_code == 404
    assert message in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/api/runs", "POST"),
        ("delete", "/api/runs", "POST"),
        ("post", "/api/runs/{slug}", "GET, HEAD"),
        ("delete", "/api/runs/{slug}", "GET, HEAD"),
        ("put", "/api/runs/{slug}/events", "GET, HEAD"),
        ("post", "/api/runs/{slug}/events", "GET, HEAD"),
        ("get", "/api/runs/{slug}/cancel", "POST"),
    ],
)
def test_api_405_is_json(method: str, path: str, allow: str) -> None:
    # Browsers' CSRF rules apply, as they do on a real server.
    client = Client(enforce_csrf_checks=True)
    url = path.format(slug=create_run(client))
    response = getattr(client, method)(url)
    error = only_error(response)

    assert response.status_code == 405
    assert response["Allow"] == allow
    assert error["field"] == ""
    assert error["message"] == (
        f"method {method.upper()} is not allowed on {url!r}; allowed {allow}"
    )


@pytest.mark.django_db
def test_api_500_is_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(slug: str) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(selectors, "run_get", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/runs/abc")
    error = only_error(response)

    assert response.status_code == 500
    assert error["field"] == ""
    assert error["message"] == "500 Internal Server Error"
    assert "database gone" not in error["message"]


@pytest.mark.django_db
def test_page_404_stays_html(client: Client) -> None:
    response = client.get("/runs/nope/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_rate_limit_sends_retry_after(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(settings.CONFIG, runs_per_minute=2)
    create_run(client)
    create_run(client)
    response = client.post(
        "/api/runs",
        data=json.dumps({"protocol": "toy"}),
        content_type="application/json",
    )
    error = only_error(response)
    retry_after = int(response["Retry-After"])

    assert response.status_code == 429
    assert 55 <= retry_after <= 60
    assert f"try again in {retry_after} s" in error["message"]
    assert Run.objects.count() == 2


@pytest.mark.django_db
def test_retry_after_counts_oldest_run(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    """Only the runs that must leave the window count: with a limit of 2
    and runs 50 s and 10 s old, one more may come once the older leaves."""
    settings.CONFIG = dataclasses.replace(settings.CONFIG, runs_per_minute=2)
    older, newer = create_run(client), create_run(client)
    now = Run.objects.get(slug=newer).created_at
    Run.objects.filter(slug=older).update(created_at=now - timedelta(seconds=50))
    Run.objects.filter(slug=newer).update(created_at=now - timedelta(seconds=10))
    response = client.post(
        "/api/runs",
        data=json.dumps({"protocol": "toy"}),
        content_type="application/json",
    )

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        (b'{"a": NaN}', "", "NaN is not a JSON value"),
        (b'{"a": Infinity}', "", "Infinity is not a JSON value"),
        (b'{"a": [-Infinity]}', "", "-Infinity is not a JSON value"),
        (
            b'{"a": 1e400}',
            "",
            "1e400 is beyond the range of a 64-bit floating-point number",
        ),
        (
            b'{"a": 1' + b"0" * 5000 + b"}",
            "",
            "10000000000000000000... (5001 digits) is beyond the range",
        ),
        (b'{"a": 1, "a": 2}', "a", 'key "a" is given twice in one object'),
        (b'{"a": {"b": 1, "b": 1}}', "a.b", 'key "b" is given twice in one object'),
        (b'{"a": 1', "", "the body is not valid JSON"),
        (b'{"a": "\xff"}', "", "the body is not valid JSON"),
    ],
)
def test_cancel_rejects_invalid_json(
    client: Client, body: bytes, field: str, text: str
) -> None:
    slug = create_run(client)
    response = client.post(
        f"/api/runs/{slug}/cancel", data=body, content_type="application/json"
    )
    error = only_error(response)

    assert response.status_code == 400
    assert error["field"] == field
    assert text in error["message"]
    assert Run.objects.get(slug=slug).status == "queued"


@pytest.mark.django_db
def test_cancel_accepts_plain_object(client: Client) -> None:
    slug = create_run(client)
    response = client.post(
        f"/api/runs/{slug}/cancel",
        data=b'{"reason": 1.5e300, "n": [1, 2]}',
        content_type="application/json",
    )

    assert response.status_code == 200
    assert Run.objects.get(slug=slug).status == "cancelled"


@pytest.mark.django_db
def test_api_500_logs_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(slug: str) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(selectors, "run_get", broken)
    stream = io.StringIO()
    handlers = [
        handler
        for handler in logging.getLogger("django.request").handlers
        if type(handler) is logging.StreamHandler
    ]
    streams = [handler.setStream(stream) for handler in handlers]
    try:
        Client(raise_request_exception=False).get("/api/runs/abc")
    finally:
        for handler, old in zip(handlers, streams, strict=True):
            handler.setStream(old)

    assert "Internal Server Error: /api/runs/abc" in stream.getvalue()
    assert "RuntimeError: database gone" in stream.getvalue()


@pytest.mark.django_db
def test_api_head_reads_run(client: Client) -> None:
    slug = create_run(client)
    response = client.head(f"/api/runs/{slug}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_api_rejection_logs_one_line(client: Client) -> None:
    stream = io.StringIO()
    handlers = [
        handler
        for handler in logging.getLogger("dashboard").handlers
        if type(handler) is logging.StreamHandler
    ]
    streams = [handler.setStream(stream) for handler in handlers]
    try:
        client.get("/api/runs/nope")
        client.get("/api/nothing")
    finally:
        for handler, old in zip(handlers, streams, strict=True):
            handler.setStream(old)
    lines = stream.getvalue().splitlines()

    assert len(lines) == 2
    assert "GET '/api/runs/nope' rejected with 404" in lines[0]
    assert "GET '/api/nothing' failed with 404: not found" in lines[1]
