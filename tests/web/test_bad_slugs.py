"""A slug outside the slug alphabet is a 404, on PostgreSQL as on SQLite.

PostgreSQL refuses a NUL byte in a text value (``DataError``), so a slug
such as ``a%00b`` that reached a query gave a 500 there and a 404 on
SQLite. The routes match only the slug alphabet, so such a path is a 404
(a refused handshake for the websocket) before any query, on both.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.web.processes import (
    Server,
    migrate,
    process_env,
    start_daphne,
    stop_process,
)
from tests.web.streamclient import handshake_status, post_json

BAD_SLUGS = ["a%00b", "%00", "a%0Ab", "a.b", "a%20b", "x" * 33]
HTTP_PATHS = [
    "/api/runs/{slug}",
    "/runs/{slug}/",
    "/api/runs/{slug}/events",
    "/runs/{slug}/events.jsonl",
]


@pytest.fixture(scope="module")
def postgres_server(
    postgres_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Daphne embedded (no Redis) on a PostgreSQL database."""
    env = process_env(postgres_database_url, None)
    migrate(env)
    server = start_daphne(env, tmp_path_factory.mktemp("postgres-web"))
    yield server
    stop_process(server.process)


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest) -> Server:
    name = "embedded_server" if request.param == "sqlite" else "postgres_server"
    return request.getfixturevalue(name)


def status_of(url: str, method: str = "GET", data: bytes | None = None) -> int:
    headers = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def assert_no_server_error(server: Server) -> None:
    log = server.log.read_text(errors="replace")
    assert "DataError" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.parametrize("slug", BAD_SLUGS)
@pytest.mark.parametrize("template", HTTP_PATHS)
def test_bad_slug_page_is_404(server: Server, template: str, slug: str) -> None:
    assert status_of(server.http + template.format(slug=slug)) == 404
    assert_no_server_error(server)


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_bad_slug_cancel_is_404(server: Server, slug: str) -> None:
    url = f"{server.http}/api/runs/{slug}/cancel"
    assert status_of(url, "POST", b"{}") == 404
    assert_no_server_error(server)


@pytest.mark.parametrize("source", ["%00", "a%00b", "a.b"])
def test_bad_from_is_404(server: Server, source: str) -> None:
    """A bad ``from`` is handled as an unknown run: 404."""
    assert status_of(f"{server.http}/runs/new?from={source}") == 404
    assert_no_server_error(server)


@pytest.mark.parametrize("slug", ["a%00b", "%00", "a.b"])
def test_bad_slug_websocket_is_refused(server: Server, slug: str) -> None:
    """Refused in the handshake (403), as the consumer does an unknown run."""
    assert handshake_status(f"{server.ws}/ws/runs/{slug}/") == 403
    assert_no_server_error(server)


def test_unknown_websocket_path_is_refused(server: Server) -> None:
    assert handshake_status(f"{server.ws}/ws/nothing/") == 403
    assert_no_server_error(server)


def test_good_slug_still_served(server: Server) -> None:
    status, created = post_json(f"{server.http}/api/runs", {"protocol": "toy"})
    assert status == 201
    slug = created["slug"]
    for template in HTTP_PATHS:
        assert status_of(server.http + template.format(slug=slug)) == 200, template
    assert status_of(f"{server.http}/runs/new?from={slug}") == 200
    assert_no_server_error(server)
