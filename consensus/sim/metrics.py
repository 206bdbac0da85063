"""Run metrics computed from the event stream alone.

:class:`Metrics` receives each event once, in log order, and does constant work
per event (amortized: the count of fully committed heights advances by one
step per height), because the simulator logs hundreds of thousands of
events per second. Sorting for percentiles happens once, in
:meth:`Metrics.summary`.

Definitions, with honest nodes being those not named in ``faults``:

- commit latency: from the first ``propose`` event of a height's committed
  value to each honest node's ``commit`` of it. A committed value with no
  propose event of its own (the conflicting twin an equivocating leader
  sent) is timed from the propose of its twin. Percentiles use the
  nearest-rank method: p is the smallest sample with at least p % of the
  samples at or below it.
- committed_heights: H such that every honest node committed each height
  1..H; throughput is H per simulated second.
- views: the highest view in an honest node's ``propose`` or
  ``view_change`` event. view_changes counts the distinct views that some
  honest node entered through a ``view_change`` event.
- recovery_ms: the longest time from a leader fault to the next honest
  commit. A leader fault starts at the first ``fault`` event of a node
  while it leads the current view, or when the view moves to a faulty
  node whose faults have started. The leader of a view is the node seen
  proposing in it, the ``leader`` of a ``view_change_status`` event, or
  else ``view mod n``. A protocol whose views (rounds) start again at
  every height, as Tendermint's do, declares it with the class attribute
  ``views_restart_per_height`` and names its leaders with ``leader_of``.
  Its views are then ordered by (height, view), an honest commit of
  height h moves the run to round 0 of height h + 1, and an outage that
  starts at height h ends at the first honest commit of height h or above.
"""

from __future__ import annotations

import math
from typing import Any

from ..protocols import get_protocol
from .protocol import conflicting_value

# The run's place in a protocol: (height, view) when views start again at
# every height, else (0, view).
Position = tuple[int, int]


class Metrics:
    """Accumulates the summary of one run, one event at a time.

    Invariant: ``committed_heights`` is the largest H such that every
    honest node has a commit event for each of the heights 1..H.
    """

    # Set below the handler table: the kinds observe() reads.
    kinds: frozenset[str] | None = None

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.n: int = scenario["n"]
        self.faulty = frozenset(fault["node"] for fault in scenario["faults"])
        self.honest_count = self.n - len(self.faulty)
        self.events = 0
        self.now: float = 0.0
        self.end_reason: str | None = None
        self.messages = 0
        self.bytes = 0
        self.messages_by_type: dict[str, int] = {}
        self.bytes_by_type: dict[str, int] = {}
        self.first_commit_ms: float | None = None
        self.latencies: dict[int, list[float]] = {}
        self.committed_heights = 0
        self.views = 0
        self.changed_views: set[int] = set()
        self.recoveries: list[float] = []
        self._proposed_at: dict[tuple[int, Any], float] = {}
        self._height_nodes: dict[int, set[int]] = {}
        self._leaders: dict[Position, int] = {}
        self._fault_started: set[int] = set()
        self._outage_since: float | None = None
        self._outage_height = 0
        protocol = get_protocol(scenario["protocol"])
        self._per_height = bool(getattr(protocol, "views_restart_per_height", False))
        self._leader_of = getattr(protocol, "leader_of", None)
        self._params: dict[str, Any] = scenario["params"]
        self._position: Position = (1, 0) if self._per_height else (0, 0)

    def close(self, now: float, events: int) -> None:
        """Set the end time and event count of a log seen only in part."""
        self.now = now
        self.events = events

    def observe(self, event: dict[str, Any]) -> None:
        """Account for one event of the log."""
        self.events += 1
        self.now = event["t"]
        kind = event["kind"]
        if kind == "send":
            self._on_send(event)
            return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, event)

    def broadcast(self, events: list[dict[str, Any]]) -> None:
        """Account for the send events of one broadcast but its first."""
        count = len(events)
        first = events[0]
        kind = first["msg"]
        size = first["size"] * count
        self.events += count
        self.now = first["t"]
        self.messages += count
        self.bytes += size
        self.messages_by_type[kind] = self.messages_by_type.get(kind, 0) + count
        self.bytes_by_type[kind] = self.bytes_by_type.get(kind, 0) + size

    # --- per kind ----------------------------------------------------------

    def _on_send(self, event: dict[str, Any]) -> None:
        kind = event["msg"]
        size = event["size"]
        self.messages += 1
        self.bytes += size
        self.messages_by_type[kind] = self.messages_by_type.get(kind, 0) + 1
        self.bytes_by_type[kind] = self.bytes_by_type.get(kind, 0) + size

    def _on_propose(self, event: dict[str, Any]) -> None:
        key = (event["height"], event["value"])
        self._proposed_at.setdefault(key, event["t"])
        position = self._at(event)
        self._leaders.setdefault(position, event["node"])
        if event["node"] not in self.faulty:
            self._enter(position, event["t"])

    def _on_view_change(self, event: dict[str, Any]) -> None:
        if event["node"] in self.faulty:
            return
        self.changed_views.add(event["view"])
        self._enter(self._at(event), event["t"])

    def _on_view_status(self, event: dict[str, Any]) -> None:
        leader = event.get("leader")
        if leader is not None:
            self._leaders.setdefault(self._at(event), leader)

    def _on_fault(self, event: dict[str, Any]) -> None:
        node = event["node"]
        if node in self._fault_started:
            return
        self._fault_started.add(node)
        if node == self._leader(self._position):
            self._start_outage(event["t"])

    def _on_commit(self, event: dict[str, Any]) -> None:
        node = event["node"]
        if node in self.faulty:
            return
        t = event["t"]
        if self.first_commit_ms is None:
            self.first_commit_ms = t
        self._time_commit(node, event["height"], event["value"], t)
        self._count_height(node, event["height"])
        if self._outage_since is not None and event["height"] >= self._outage_height:
            self.recoveries.append(t - self._outage_since)
            self._outage_since = None
        if self._per_height:
            self._enter((event["height"] + 1, 0), t)

    def _on_run_end(self, event: dict[str, Any]) -> None:
        self.end_reason = event.get("reason")

    # --- helpers -----------------------------------------------------------

    def _at(self, event: dict[str, Any]) -> Position:
        """Return the position an event's view names."""
        if self._per_height:
            return (event.get("height", self._position[0]), event["view"])
        return (0, event["view"])

    def _enter(self, position: Position, t: float) -> None:
        self.views = max(self.views, position[1])
        if position <= self._position:
            return
        self._position = position
        leader = self._leader(position)
        if leader in self.faulty and leader in self._fault_started:
            self._start_outage(t)

    def _leader(self, position: Position) -> int:
        leader = self._leaders.get(position)
        if leader is not None:
            return leader
        height, view = position
        if self._leader_of is not None:
            return int(self._leader_of(self.n, self._params, height, view))
        # NOTE: for leader_rotation "stable" a view whose leader was never
        # seen is assumed to follow view mod n, like round robin.
        return view % self.n

    def _start_outage(self, t: float) -> None:
        if self._outage_since is None:
            self._outage_since = t
            # Commits of heights before the faulty leader's do not end it.
            self._outage_height = self._position[0]

    def _time_commit(self, node: int, height: int, value: Any, t: float) -> None:
        proposed = self._proposed_at.get((height, value))
        if proposed is None:
            proposed = self._proposed_at.get((height, conflicting_value(value)))
        if proposed is None:
            return
        self.latencies.setdefault(node, []).append(t - proposed)

    def _count_height(self, node: int, height: int) -> None:
        if height <= self.committed_heights:
            return
        self._height_nodes.setdefault(height, set()).add(node)
        while len(self._height_nodes.get(self.committed_heights + 1, ())) >= max(
            self.honest_count, 1
        ):
            del self._height_nodes[self.committed_heights + 1]
            self.committed_heights += 1

    # --- summary -----------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Return the summary keys that the event stream determines."""
        everything = [x for samples in self.latencies.values() for x in samples]
        seconds = self.now / 1000
        return {
            "protocol": self.scenario["protocol"],
            "n": self.n,
            "seed": self.scenario["seed"],
            "committed_heights": self.committed_heights,
            "messages": self.messages,
            "bytes": self.bytes,
            "messages_by_type": dict(sorted(self.messages_by_type.items())),
            "bytes_by_type": dict(sorted(self.bytes_by_type.items())),
            "first_commit_ms": self.first_commit_ms,
            "commit_latency_ms": latency_stats(everything),
            "per_node_latency_ms": {
                str(node): latency_stats(self.latencies[node])
                for node in sorted(self.latencies)
            },
            "throughput": round(self.committed_heights / seconds, 6)
            if seconds
            else 0.0,
            "views": self.views,
            "view_changes": len(self.changed_views),
            "recovery_ms": max(self.recoveries) if self.recoveries else None,
            "events": self.events,
            "sim_time_ms": self.now,
            "end_reason": self.end_reason,
        }


_HANDLERS = {
    "propose": Metrics._on_propose,
    "view_change": Metrics._on_view_change,
    "view_change_status": Metrics._on_view_status,
    "fault": Metrics._on_fault,
    "commit": Metrics._on_commit,
    "run_end": Metrics._on_run_end,
}
# The kinds a simulation needs to route to Metrics.observe; the rest only
# move the clock and the count, which close() sets at the end.
Metrics.kinds = frozenset({"send", *_HANDLERS})


def percentile(samples: list[float], p: float) -> float:
    """Return the nearest-rank ``p``-th percentile of sorted ``samples``."""
    rank = max(1, math.ceil(p / 100 * len(samples)))
    return samples[rank - 1]


def latency_stats(samples: list[float]) -> dict[str, Any]:
    """Return p50, p95 and max of ``samples`` (nulls when there are none)."""
    if not samples:
        return {"p50": None, "p95": None, "max": None, "count": 0}
    ordered = sorted(samples)
    return {
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "max": ordered[-1],
        "count": len(ordered),
    }
