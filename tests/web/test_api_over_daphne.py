"""API errors and websocket ``after`` checks as Daphne serves them.

Daphne, not Django, writes the status line: ASGI sends no reason phrase,
and Twisted's table lacks 429 ("Unknown Status" then), so
``dashboard.asgi`` adds the missing phrases. The websocket's ``after``
follows the HTTP API's rules, so every value the API rejects refuses the
handshake.
"""

from __future__ import annotations

import asyncio
import http.client
import json
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect

from tests.web.processes import (
    Server,
    migrate,
    process_env,
    start_daphne,
    stop_process,
)
from tests.web.streamclient import handshake_status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Daphne in embedded mode that admits one run per client per minute."""
    folder = tmp_path_factory.mktemp("api-daphne")
    env = process_env(f"sqlite:///{folder / 'runs.sqlite3'}", None)
    env["QS_RUNS_PER_MINUTE"] = "1"
    migrate(env)
    server = start_daphne(env, folder)
    yield server
    stop_process(server.process)


@pytest.fixture(scope="module")
def slug(server: Server) -> str:
    status, _, _, body = request(server, "POST", "/api/runs", b'{"protocol": "toy"}')
    assert status == 201
    return str(json.loads(body)["slug"])


def request(
    server: Server, method: str, path: str, body: bytes | None = None
) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """Send one request; return the status, reason phrase, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.reason, response.headers, response.read()
    finally:
        connection.close()


def test_rate_limit_status_line(server: Server, slug: str) -> None:
    status, reason, headers, body = request(
        server, "POST", "/api/runs", b'{"protocol": "toy"}'
    )
    retry_after = int(headers["Retry-After"])

    assert status == 429
    assert reason == "Too Many Requests"
    assert 1 <= retry_after <= 60
    assert "rate limit reached" in json.loads(body)["errors"][0]["message"]


@pytest.mark.parametrize(
    ("method", "path", "status", "field"),
    [
        ("GET", "/api/runs/nope", 404, "slug"),
        ("GET", "/api/runs/a%00b", 404, ""),
        ("GET", "/api/runs", 405, ""),
    ],
)
def test_errors_are_json(
    server: Server, method: str, path: str, status: int, field: str
) -> None:
    got, _, headers, body = request(server, method, path)

    assert got == status
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "query",
    [
        "?after=",
        "?after=5_0",
        "?after=%D9%A3",
        "?after=%EF%BC%95",
        "?after=%2B5",
        "?after=%205",
        "?after=-1",
        "?after=" + "9" * 5000,
    ],
)
def test_websocket_rejects_bad_after(server: Server, slug: str, query: str) -> None:
    assert handshake_status(f"{server.ws}/ws/runs/{slug}/{query}") == 403


@pytest.mark.parametrize("query", ["", "?after=0", "?after=3"])
def test_websocket_accepts_digits(server: Server, slug: str, query: str) -> None:
    async def meta_after() -> int:
        async with connect(f"{server.ws}/ws/runs/{slug}/{query}") as socket:
            meta = json.loads(await asyncio.wait_for(socket.recv(), 30))
            return int(meta["after"])

    assert asyncio.run(meta_after()) == (3 if query.endswith("3") else 0)
