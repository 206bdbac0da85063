"""Query integers of the API: ASCII digits in range, else a 400 saying why.

``after`` and ``limit`` of ``GET /api/runs/<slug>/events`` and the
websocket's ``after`` accept only ``[0-9]+``. Python's ``int()`` would also
take ``5_0``, ``+5``, `` 5``, Arabic-Indic and fullwidth digits. An error
names the parameter, quotes the value (a long one by its first 20
characters and its length) and gives the allowed range.
"""

from __future__ import annotations

import pytest
from django.test import Client

from dashboard.runs.consumers import parse_after
from dashboard.runs.selectors import SEQ_MAX
from tests.web.apiclient import create_run

AFTER_RANGE = f"allowed 0 to {SEQ_MAX}"
LIMIT_RANGE = "allowed 1 to 10000"

# (query, field, the whole message)
BAD_QUERIES = [
    ("after=abc", "after", f"'abc' is not a non-negative integer; {AFTER_RANGE}"),
    ("after=", "after", f"an empty value is not a non-negative integer; {AFTER_RANGE}"),
    ("after=5_0", "after", f"'5_0' is not a non-negative integer; {AFTER_RANGE}"),
    ("after=%D9%A3", "after", f"'\u0663' is not a non-negative integer; {AFTER_RANGE}"),
    (
        "after=%EF%BC%95",
        "after",
        f"'\uff15' is not a non-negative integer; {AFTER_RANGE}",
    ),
    ("after=%2B5", "after", f"'+5' is not a non-negative integer; {AFTER_RANGE}"),
    ("after=%205", "after", f"' 5' is not a non-negative integer; {AFTER_RANGE}"),
    ("after=-1", "after", f"'-1' is not a non-negative integer; {AFTER_RANGE}"),
    (
        "after=" + "9" * 29,
        "after",
        f"99999999999999999999... (29 digits) is out of range; {AFTER_RANGE}",
    ),
    (
        "after=" + "9" * 5000,
        "after",
        f"99999999999999999999... (5000 digits) is out of range; {AFTER_RANGE}",
    ),
    (
        "after=" + "x" * 5000,
        "after",
        "'xxxxxxxxxxxxxxxxxxxx'... (5000 characters) is not a non-negative "
        f"integer; {AFTER_RANGE}",
    ),
    (f"after={SEQ_MAX + 1}", "after", f"{SEQ_MAX + 1} is out of range; {AFTER_RANGE}"),
    ("limit=0", "limit", f"0 is out of range; {LIMIT_RANGE}"),
    ("limit=10001", "limit", f"10001 is out of range; {LIMIT_RANGE}"),
    (
        "limit=" + "9" * 5000,
        "limit",
        f"99999999999999999999... (5000 digits) is out of range; {LIMIT_RANGE}",
    ),
    ("limit=", "limit", f"an empty value is not a non-negative integer; {LIMIT_RANGE}"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field", "message"), BAD_QUERIES)
def test_events_query_rejected(
    client: Client, query: str, field: str, message: str
) -> None:
    slug = create_run(client)
    response = client.get(f"/api/runs/{slug}/events?{query}")
    errors = response.json()["errors"]

    assert response.status_code == 400
    assert errors == [{"field": field, "message": message}]
    assert len(message) < 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "after"),
    [("", 0), ("after=0", 0), ("after=007", 7), (f"after={SEQ_MAX}", SEQ_MAX)],
)
def test_events_query_accepted(client: Client, query: str, after: int) -> None:
    slug = create_run(client)
    response = client.get(f"/api/runs/{slug}/events?{query}&limit=10000")

    assert response.status_code == 200
    assert response.json()["after"] == after


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", 0),
        (b"other=1", 0),
        (b"after=12", 12),
        (b"after=0012", 12),
        (b"after=", None),
        (b"after", None),
        (b"after=5_0", None),
        (b"after=%D9%A3", None),
        (b"after=%EF%BC%95", None),
        (b"after=%2B5", None),
        (b"after=+5", None),
        (b"after=%205", None),
        (b"after=" + b"9" * 5000, None),
        (b"after=" + b"0" * 5000, 0),
        (b"after=1&after=x", None),
    ],
)
def test_parse_after_strict(query: bytes, expected: int | None) -> None:
    assert parse_after(query) == expected
