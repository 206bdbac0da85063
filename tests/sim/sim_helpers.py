"""Shared builders for the simulator tests: scenarios, networks, messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from consensus.engine import VirtualRuntime
from consensus.sim.log import ListSink
from consensus.sim.network import Network
from consensus.sim.protocol import PROPOSAL, Message
from consensus.sim.runner import Simulation


@dataclass(frozen=True, slots=True)
class Ping(Message):
    """A test message carrying a value."""

    kind: ClassVar[str] = "ping"
    category: ClassVar[str] = PROPOSAL

    value: str = "x"


class Inbox:
    """A receiver that records (time, message) for each delivery."""

    def __init__(self, runtime: VirtualRuntime) -> None:
        self.runtime = runtime
        self.stopped = False
        self.received: list[tuple[float, Any]] = []

    def receive(self, event_type: Any, content: Any) -> None:
        self.received.append((self.runtime.now, content))


def network_config(**overrides: Any) -> dict[str, Any]:
    """Return a normalized network section with ``overrides`` applied."""
    config: dict[str, Any] = {
        "latency": {"dist": "constant", "ms": 10},
        "links": [],
        "loss": 0.0,
        "duplicate": 0.0,
        "partitions": [],
        "gst_ms": 0,
        "pre_gst_max_delay_ms": 0,
        "delta_ms": 100_000,
    }
    config.update(overrides)
    return config


def build_network(
    n: int = 2, seed: int = 1, **overrides: Any
) -> tuple[VirtualRuntime, Network, list[Inbox], ListSink]:
    """Return a runtime, a network of ``n`` inboxes and its event sink."""
    runtime = VirtualRuntime()
    sink = ListSink()
    counter = iter(range(1, 10**9))

    def emit(event: dict[str, Any]) -> None:
        event["seq"] = next(counter)
        sink(event)

    network = Network(runtime, emit, network_config(**overrides), n, seed)
    inboxes = [Inbox(runtime) for _ in range(n)]
    for node, inbox in enumerate(inboxes):
        network.targets[node] = inbox
    return runtime, network, inboxes, sink


def toy(n: int = 4, **overrides: Any) -> dict[str, Any]:
    """Return a toy-protocol scenario document with ``overrides`` applied."""
    doc: dict[str, Any] = {
        "protocol": "toy",
        "n": n,
        "stop": {"time_ms": 200},
        "seed": 1,
    }
    doc.update(overrides)
    return doc


def run(doc: dict[str, Any], **options: Any) -> tuple[dict[str, Any], ListSink]:
    """Run ``doc``; return the summary and a sink holding the whole log."""
    sink = ListSink()
    summary = Simulation(doc, [sink], **options).run()
    return summary, sink
