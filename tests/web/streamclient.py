"""A websocket and HTTP client for the end-to-end tests of runs."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

TIMEOUT_S = 60


def handshake_status(url: str) -> int | None:
    """Return the HTTP status that refused the handshake, None if accepted."""

    async def attempt() -> int | None:
        try:
            async with connect(url, open_timeout=30):
                return None
        except InvalidStatus as refused:
            return refused.response.status_code

    return asyncio.run(attempt())


def post_json(url: str, body: Any) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        return json.load(response)


def get_jsonl(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        return [json.loads(line) for line in response.read().splitlines()]


@dataclass
class Stream:
    """What one websocket connection received, in order."""

    meta: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, Any] | None = None
    kinds: list[str] = field(default_factory=list)
    # The size in bytes of every websocket message, parts included.
    sizes: list[int] = field(default_factory=list)

    @property
    def seqs(self) -> list[int]:
        return [event["seq"] for event in self.events]


async def read_stream(url: str, after: int = 0, until_seq: int | None = None) -> Stream:
    """Read ``url`` from ``after`` until the status, or until ``until_seq``."""
    stream = Stream()
    async with asyncio.timeout(TIMEOUT_S):
        async with connect(f"{url}?after={after}", max_size=None) as socket:
            parts: list[str] = []
            async for raw in socket:
                stream.sizes.append(len(raw.encode() if isinstance(raw, str) else raw))
                message = json.loads(raw)
                if message["type"] == "part":
                    stream.kinds.append("part")
                    parts.append(message["data"])
                    if message["more"]:
                        continue
                    message = json.loads("".join(parts))
                    parts = []
                stream.kinds.append(message["type"])
                if message["type"] == "meta":
                    stream.meta = message
                elif message["type"] == "events":
                    stream.events.extend(message["events"])
                elif message["type"] == "status":
                    stream.status = message
                    break
                if until_seq is not None and stream.events:
                    if stream.events[-1]["seq"] >= until_seq:
                        break
    return stream


def consecutive(seqs: list[int], first: int) -> bool:
    """True when ``seqs`` is first, first + 1, ... with no gap or repeat."""
    return seqs == list(range(first, first + len(seqs)))
