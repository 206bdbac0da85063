"""The toy protocol's message pattern written directly on SimPy, as a peer.

``run(n, heights, path)`` simulates what ``consensus/protocols/toy.py``
sends, without the engine, faults, checker or metrics: per height the
leader (node ``(height - 1) mod n``) sends its proposal to the n - 1
others, every node sends its vote to the n - 1 others when it has the
proposal, and a node commits when it has votes from ``n - t`` nodes,
its own included, then moves to the next height. Links take a constant
10 ms. Every node is a SimPy process that reads its inbox, a
``simpy.Store``, and every message waits in a ``simpy.Timeout``.

Each send, delivery and commit is written to ``path`` as a JSON line with
the json module, with the keys the simulator's log uses, so the peer
serializes about as many bytes per message as the simulator does. It
writes no state, timer or vote events, which are about 2 % of the
simulator's log at n = 64.

Messages of a later height wait in the node until it gets there, as the
toy protocol postpones them. The run stops when every node has committed
``heights`` heights.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import IO, Any

import simpy

LATENCY_MS = 10
BATCH = 2048

_ENCODER = json.JSONEncoder(separators=(",", ":"))


class _Log:
    """Numbers events and writes them as JSON lines in batches."""

    def __init__(self, file: IO[str]) -> None:
        self.file = file
        self.seq = 0
        self.lines: list[str] = []

    def write(self, event: dict[str, Any]) -> None:
        self.seq += 1
        event["seq"] = self.seq
        self.lines.append(_ENCODER.encode(event))
        if len(self.lines) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.lines.append("")
            self.file.write("\n".join(self.lines))
            self.lines.clear()


class _Network:
    """Sends messages between the nodes' inboxes with a fixed delay."""

    def __init__(self, env: simpy.Environment, n: int, log: _Log) -> None:
        self.env = env
        self.n = n
        self.log = log
        self.inboxes = [simpy.Store(env) for _ in range(n)]
        self.delivered = 0

    def broadcast(self, source: int, message: tuple[str, int, str]) -> None:
        kind, height, value = message
        fields = {"view": height - 1, "height": height, "value": value}
        for destination in range(self.n):
            if destination == source:
                continue
            self.log.write(
                {
                    "seq": 0,
                    "t": self.env.now,
                    "kind": "send",
                    "node": source,
                    "to": destination,
                    "msg": kind,
                    "category": kind,
                    "view": height - 1,
                    "size": 128,
                    "fields": fields,
                }
            )
            timeout = self.env.timeout(LATENCY_MS)
            timeout.callbacks.append(self._arrival(source, destination, message))

    def _arrival(
        self, source: int, destination: int, message: tuple[str, int, str]
    ) -> Any:
        def arrive(_: simpy.Event) -> None:
            self.log.write(
                {
                    "seq": 0,
                    "t": self.env.now,
                    "kind": "deliver",
                    "node": destination,
                    "from": source,
                    "msg": message[0],
                    "view": message[1] - 1,
                }
            )
            self.delivered += 1
            self.inboxes[destination].put((source, message))

        return arrive


def _node(
    env: simpy.Environment, network: _Network, node: int, heights: int
) -> Generator[simpy.Event, Any, None]:
    """Run one node until it has committed ``heights`` heights."""
    n = network.n
    quorum = n - (n - 1) // 3
    later: dict[int, list[tuple[int, tuple[str, int, str]]]] = {}
    height = 1
    while height <= heights:
        votes: set[int] = set()
        voted = False
        if (height - 1) % n == node:
            value = f"h{height}.v{height - 1}.n{node}"
            network.broadcast(node, ("propose", height, value))
            network.broadcast(node, ("vote", height, value))
            votes.add(node)
            voted = True
        pending = later.pop(height, [])
        while len(votes) < quorum:
            if pending:
                source, message = pending.pop(0)
            else:
                source, message = yield network.inboxes[node].get()
            kind, at, value = message
            if at > height:
                later.setdefault(at, []).append((source, message))
                continue
            if at < height:
                continue
            if kind == "propose":
                if not voted:
                    voted = True
                    network.broadcast(node, ("vote", height, value))
                    votes.add(node)
            else:
                votes.add(source)
        network.log.write(
            {"seq": 0, "t": env.now, "kind": "commit", "node": node, "height": height}
        )
        height += 1


def run(n: int, heights: int, path: str) -> int:
    """Simulate ``heights`` heights at ``n`` nodes, logging to ``path``.

    Returns the number of messages delivered.
    """
    env = simpy.Environment()
    with open(path, "w", encoding="utf-8") as file:
        log = _Log(file)
        network = _Network(env, n, log)
        for node in range(n):
            env.process(_node(env, network, node, heights))
        env.run()
        log.flush()
    return network.delivered
