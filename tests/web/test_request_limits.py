"""Bodies that are malformed or too large get a short, clear error.

The cancel endpoint takes only a JSON object. A rejected scenario lists at
most 20 errors and stays small however many there are. A form or API body
over Django's upload limits gets a message naming the limit (JSON 413 from
the API, the form page with what could be kept from the form) instead of
Django's bare "Bad Request (400)".
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from dashboard.runs import selectors
from dashboard.runs.models import Run

FORM = {
    "protocol": "toy",
    "view_timeout_ms": "1000",
    "backoff": "2",
    "leader_rotation": "round_robin",
    "n": "7",
    "latency_dist": "constant",
    "latency_ms": "10",
    "loss": "0",
    "duplicate": "0",
    "gst_ms": "0",
    "pre_gst_max_delay_ms": "0",
    "delta_ms": "100",
    "stop_time_ms": "5000",
    "stall_ms": "5000",
    "seed": "1",
}


def api_post(client: Client, path: str, body: bytes | str) -> object:
    return client.post(path, data=body, content_type="application/json")


def form_post(client: Client, fields: list[tuple[str, str]]) -> object:
    return client.post(
        "/runs/new",
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )


def new_run(client: Client) -> str:
    response = api_post(client, "/api/runs", json.dumps({"protocol": "toy"}))
    assert response.status_code == 201
    return response.json()["slug"]


# -- slugs (SQLite, in-process; tests/web/test_bad_slugs.py runs PostgreSQL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/a%00b",
        "/runs/a%00b/",
        "/api/runs/a%00b/events",
        "/runs/a%00b/events.jsonl",
        "/runs/new?from=%00",
        "/runs/new?from=a%00b",
    ],
)
def test_nul_slug_is_404_without_query(
    client: Client, path: str, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 404


@pytest.mark.django_db
def test_run_get_never_queries_a_bad_slug(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        for slug in ["a\x00b", "", "a/b", "a b", "ü", "x" * 33]:
            assert selectors.run_get(slug) is None


# -- cancel takes a JSON object


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("{", "not valid JSON"),
        ("[1]", "must be a JSON object, not list"),
        ("1", "must be a JSON object, not int"),
        ("null", "must be a JSON object, not null"),
        ('"x"', "must be a JSON object, not str"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (b"\xff{}", "not valid JSON"),
    ],
)
def test_cancel_rejects_body_not_an_object(client: Client, body, text: str) -> None:  # type: ignore[no-untyped-def]
    slug = new_run(client)
    response = api_post(client, f"/api/runs/{slug}/cancel", body)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert text in error["message"]
    assert Run.objects.get(slug=slug).status == "queued"


@pytest.mark.django_db
def test_cancel_accepts_an_object(client: Client) -> None:
    slug = new_run(client)
    response = api_post(client, f"/api/runs/{slug}/cancel", '{"reason": "x"}')
    assert response.status_code == 200
    assert Run.objects.get(slug=slug).status == "cancelled"


# -- many errors


@pytest.mark.django_db
def test_api_lists_at_most_20_errors(client: Client) -> None:
    doc = {"protocol": "toy", **{f"key{i}": i for i in range(50_000)}}
    body = json.dumps(doc)
    assert len(body) > 800_000
    response = api_post(client, "/api/runs", body)

    assert response.status_code == 400
    assert len(response.content) < 20_000
    errors = response.json()["errors"]
    assert len(errors) == 21
    assert errors[-1] == {"field": "", "message": "and 49980 more errors"}
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_api_cuts_long_error_fields(client: Client) -> None:
    doc = {"protocol": "toy", "k" * 300_000: 1}
    response = api_post(client, "/api/runs", json.dumps(doc))

    assert response.status_code == 400
    assert len(response.content) < 5_000
    [error] = response.json()["errors"]
    assert error["field"].startswith("kkk")
    assert error["field"].endswith("\u2026")


@pytest.mark.django_db
def test_form_lists_at_most_20_errors_per_field(client: Client) -> None:
    extra = json.dumps({f"unknown_key_{i}": i for i in range(50_000)})
    assert len(extra) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = form_post(client, [*FORM.items(), ("extra_params", extra)])

    assert response.status_code == 400
    page = response.content.decode()
    assert "and 49980 more errors" in page
    listed = re.search(
        r'<ul class="errorlist" id="id_extra_params_error">(.*?)</ul>', page, re.S
    )
    assert listed is not None
    items = re.findall(r"<li>(.*?)</li>", listed.group(1))
    assert len(items) == 21
    assert items[-1] == "and 49980 more errors"
    # The textarea keeps the text; the errors add little to it.
    assert len(page) < len(html.escape(extra)) + 50_000
    assert Run.objects.count() == 0


# -- over Django's upload limits


@pytest.mark.django_db
def test_api_body_over_upload_limit_is_json_413(client: Client) -> None:
    body = json.dumps({"protocol": "toy", "pad": "x" * 3_000_000})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api_post(client, "/api/runs", body)

    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert "larger than 1000000 bytes" in error["message"]


@pytest.mark.django_db
def test_cancel_over_upload_limit(client: Client) -> None:
    slug = new_run(client)
    body = json.dumps({"pad": "x" * 3_000_000})
    response = api_post(client, f"/api/runs/{slug}/cancel", body)

    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]
    assert Run.objects.get(slug=slug).status == "queued"


@pytest.mark.django_db
def test_form_field_over_upload_limit_keeps_the_rest() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/runs/new")
    token = page.cookies["csrftoken"].value
    faults = "x" * 3_000_000
    fields = [("csrfmiddlewaretoken", token), *FORM.items(), ("faults", faults)]
    fields.append(("partitions", ""))
    response = form_post(client, fields)

    assert response.status_code == 413
    text = response.content.decode()
    assert "larger than the server&#x27;s limit of 2,621,440 bytes" in text
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in text
    alert = re.search(r"role=\"alert\">(.*?)</div>", text, re.S).group(1)
    assert "Too large and left out: Faults (3,000,007 bytes)." in alert
    assert 'value="7"' in text  # n kept
    assert "Bad Request (400)" not in text
    assert len(text) < 200_000
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_multipart_form_over_upload_limit_gets_the_page(client: Client) -> None:
    response = client.post("/runs/new", data={**FORM, "faults": "x" * 3_000_000})

    assert response.status_code == 413
    text = response.content.decode()
    assert "2,621,440 bytes" in text
    assert "Nothing of it could be kept" in text
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_form_with_too_many_fields_keeps_its_own() -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/runs/new").cookies["csrftoken"].value
    fields = [("csrfmiddlewaretoken", token), *FORM.items()]
    fields += [(f"junk{i}", "1") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)]
    response = form_post(client, fields)

    assert response.status_code == 413
    text = response.content.decode()
    assert "more than 1000 fields" in text
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in text
    assert 'value="7"' in text
    assert "junk" not in text
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_form_under_limits_still_needs_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = form_post(client, list(FORM.items()))
    assert response.status_code == 403
