"""Online checks of safety and liveness over a run's event stream.

The simulation feeds every numbered event to :meth:`Checker.observe` and
calls :meth:`Checker.finish` once at the end. Each returns the violations
found, as event dicts ``{"kind": "violation", "property": ..., "evidence":
{...}}`` that the simulation numbers and logs. Every node named in the
scenario's ``faults`` counts as faulty, whatever its behaviour, and only
commits of the other (honest) nodes are judged.

Safety properties, checked at every commit event:

- agreement: no two honest nodes commit different values at one height.
  Reported once per height and pair of values, with both commit events and
  the nodes found in both quorums.
- integrity: no honest node commits twice at one height, even the same
  value.
- validity: a committed value was proposed. A value counts as proposed when
  an earlier ``propose`` event or ``send`` of a proposal carried it, or when
  it is the conflicting twin (see :func:`~consensus.sim.protocol.
  conflicting_value`) of a value a faulty node proposed, because the fault
  behaviours send such twins on that node's behalf.

Liveness is checked only where partial synchrony promises it: at most
``t = (n - 1) // 3`` faulty nodes, no message loss, and only after GST and
after every partition has healed. From then on, two kinds of stall are
reported, each once, at the first event that shows it:

- a stall of the whole run: a span longer than ``liveness.stall_ms``
  without a commit by any honest node. Its clock restarts at the next
  honest commit. Evidence: ``from`` (when the clock started), ``to``
  (when the stall was detected), ``stall_ms`` and ``last_commit``, the
  last honest commit or None.
- a lagging node: an honest node that is behind (another honest node has
  committed a height above its highest) and has committed nothing for
  longer than ``liveness.stall_ms``, while another honest node committed
  in that span. The node's clock starts at the latest of its last commit,
  the first commit of a height above it, the start of the watch and the
  commit that ended the last stall of the whole run. It restarts when the
  node commits again. Evidence: ``node``, ``from``, ``to`` and
  ``stall_ms`` as above, ``last_commit`` (the node's own, or None),
  ``others_last_commit`` (the last honest commit, which is another
  node's) and ``max_height``, the highest height an honest node has
  committed.

A stall of the whole run is not also reported per node: a node's clock
needs a later commit by another node, and every clock restarts at the
commit that ends the stall. Requiring the node to be behind keeps a node
that committed a height a few ms before the others from being reported
when the whole run then stalls.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

from .protocol import PROPOSAL, conflicting_value

SAFETY = ("agreement", "integrity", "validity")
LIVENESS = "liveness"
# Kinds whose content the checker reads; others only advance the clock.
_JUDGED = frozenset({"commit", "propose", "send"})
COMMIT_FIELDS = ("seq", "t", "node", "height", "value", "view", "quorum")

# A violation found while handling one event: (property, evidence).
Finding = tuple[str, dict[str, Any]]


class Checker:
    """Checks agreement, integrity, validity and liveness of one run.

    Invariant: each height keeps the first honest commit of every value
    seen there, and each agreement pair and stall is reported once.
    """

    # Every kind: a stall is noticed at the first event past its deadline.
    kinds: frozenset[str] | None = None

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.faulty = frozenset(fault["node"] for fault in scenario["faults"])
        self.violations: list[dict[str, Any]] = []
        self._commits: dict[int, dict[Any, dict[str, Any]]] = {}
        self._committed: dict[tuple[int, int], dict[str, Any]] = {}
        self._reported_pairs: set[tuple[int, frozenset[Any]]] = set()
        self._proposed: set[Any] = set()
        self._stall_ms = scenario["liveness"]["stall_ms"]
        self._watch_from = _liveness_start(scenario, len(self.faulty))
        self._last_commit: dict[str, Any] | None = None
        honest = [node for node in range(scenario["n"]) if node not in self.faulty]
        self._behind = _BehindTracker(honest)
        watch_start = math.inf if self._watch_from is None else self._watch_from
        # The clock of a stall of the whole run starts at ``_since``. Its
        # deadline is infinite while liveness is not watched or after a
        # reported stall, until the next honest commit.
        self._since: float = watch_start
        self._run_deadline = math.inf
        self._run_stalled = False
        # No node's lag clock starts before this time: the watch start, or
        # the commit that ended the last reported stall of the whole run.
        self._lag_floor: float = watch_start
        # The earlier of the run's and the lagging nodes' deadlines, so
        # observe needs one comparison per event.
        self._deadline = math.inf
        if self._watch_from is not None:
            self._run_deadline = self._watch_from + self._stall_ms
            self._deadline = self._run_deadline

    @property
    def safety_violations(self) -> list[dict[str, Any]]:
        """Violations of agreement, integrity or validity, in log order."""
        return [v for v in self.violations if v["property"] in SAFETY]

    @property
    def liveness_violations(self) -> list[dict[str, Any]]:
        """Stalls of the run and lagging nodes reported so far, in log order."""
        return [v for v in self.violations if v["property"] == LIVENESS]

    def observe(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Take one event; return the violations it reveals."""
        kind = event["kind"]
        if event["t"] <= self._deadline and (
            kind not in _JUDGED
            or (kind == "send" and event.get("category") != PROPOSAL)
        ):
            return []
        found: list[Finding] = []
        self._check_stall(event["t"], found)
        if kind == "commit" and event.get("node") not in self.faulty:
            self._check_commit(event, found)
        elif kind == "propose":
            self._note_proposal(event.get("node"), event.get("value"))
        elif kind == "send" and event.get("category") == PROPOSAL:
            fields = event.get("fields") or {}
            self._note_proposal(event.get("node"), fields.get("value"))
        return self._record(found)

    def broadcast(self, events: list[dict[str, Any]]) -> None:
        """Take the send events of one broadcast but its first.

        They find nothing :meth:`observe` did not find at the first: they
        have its time, so the stall deadline was checked, and its sender
        and value, so a proposal was noted.
        """

    def finish(self, now: float) -> list[dict[str, Any]]:
        """Close the run at simulated time ``now``; return a final stall."""
        found: list[Finding] = []
        self._check_stall(now, found)
        return self._record(found)

    def _record(self, found: list[Finding]) -> list[dict[str, Any]]:
        events = []
        for property_name, evidence in found:
            violation = {"property": property_name, "evidence": evidence}
            self.violations.append(violation)
            events.append({"kind": "violation", **violation})
        return events

    def _note_proposal(self, node: Any, value: Any) -> None:
        if value is None:
            return
        self._proposed.add(value)
        if node in self.faulty:
            self._proposed.add(conflicting_value(value))

    # --- safety ------------------------------------------------------------

    def _check_commit(self, event: dict[str, Any], found: list[Finding]) -> None:
        commit: dict[str, Any] = {key: event.get(key) for key in COMMIT_FIELDS}
        self._check_integrity(commit, found)
        self._check_agreement(commit, found)
        if commit["value"] not in self._proposed:
            found.append(("validity", {"commit": commit}))
        self._last_commit = commit
        if self._watch_from is not None:
            self._restart_clocks(commit)

    def _check_integrity(self, commit: dict[str, Any], found: list[Finding]) -> None:
        key = (commit["node"], commit["height"])
        earlier = self._committed.get(key)
        if earlier is None:
            self._committed[key] = commit
            return
        evidence = {
            "node": commit["node"],
            "height": commit["height"],
            "commits": [earlier, commit],
        }
        found.append(("integrity", evidence))

    def _check_agreement(self, commit: dict[str, Any], found: list[Finding]) -> None:
        height = commit["height"]
        by_value = self._commits.setdefault(height, {})
        by_value.setdefault(commit["value"], commit)
        for value, other in by_value.items():
            if value == commit["value"]:
                continue
            pair = (height, frozenset((value, commit["value"])))
            if pair in self._reported_pairs:
                continue
            self._reported_pairs.add(pair)
            found.append(("agreement", _agreement_evidence(other, commit)))

    # --- liveness ----------------------------------------------------------

    def _restart_clocks(self, commit: dict[str, Any]) -> None:
        """Restart the run's clock and the committing node's at ``commit``.

        It runs at every honest commit, so it avoids calls where it can.
        """
        committed_at: float = commit["t"]
        # The floor is the watch start until a stall of the whole run ends
        # at a commit, and later commits come no earlier than that one.
        floor = self._lag_floor
        since = committed_at if committed_at > floor else floor
        if self._run_stalled:
            # The stall of the whole run was reported for every node, so
            # no node's lag clock counts the span before this commit.
            self._run_stalled = False
            self._lag_floor = floor = since
        self._since = since
        self._run_deadline = since + self._stall_ms
        deadline = self._run_deadline
        oldest = self._behind.commit(commit)
        if oldest is not None:
            # The rule of _lag_start, inlined. A start before ``since``
            # gives a deadline before the run's, so no min() is needed.
            start = oldest if oldest > floor else floor
            if start < since:
                deadline = start + self._stall_ms
        self._deadline = deadline

    def _lag_start(self) -> float | None:
        """Return when the clock of the oldest behind node started.

        Returns None when no node is behind, or when no honest node has
        committed since that start, because then the whole run stalls.
        """
        behind = self._behind.oldest()
        if behind is None:
            return None
        start = max(behind, self._lag_floor)
        if start >= self._since:
            return None
        return start

    def _lag_deadline(self) -> float:
        start = self._lag_start()
        return math.inf if start is None else start + self._stall_ms

    def _check_stall(self, now: float, found: list[Finding]) -> None:
        if now <= self._deadline:
            return
        # Nodes fall behind in time order, so the oldest comes first and
        # the loop stops at the first whose deadline has not passed.
        while (start := self._lag_start()) is not None:
            if now <= start + self._stall_ms:
                break
            node, last_commit = self._behind.pop_oldest()
            evidence = {
                "node": node,
                "from": start,
                "to": now,
                "stall_ms": self._stall_ms,
                "last_commit": last_commit,
                "others_last_commit": self._last_commit,
                "max_height": self._behind.max_height,
            }
            found.append((LIVENESS, evidence))
        if now > self._run_deadline:
            self._run_deadline = math.inf
            self._run_stalled = True
            evidence = {
                "from": self._since,
                "to": now,
                "stall_ms": self._stall_ms,
                "last_commit": self._last_commit,
            }
            found.append((LIVENESS, evidence))
        self._deadline = min(self._run_deadline, self._lag_deadline())


class _BehindTracker:
    """Record of which honest nodes are behind the highest height, and since when.

    A node is at the top while no honest node has committed a height above
    its highest. It falls behind when another node commits a height above
    it, or when it commits below the top. ``_behind_since`` maps each node
    behind to that time, and since time never goes back, appending keeps it
    in time order with the longest behind first. A node leaves it when it
    commits or when :meth:`pop_oldest` takes it. Each commit costs O(1)
    amortized, because a node at the top moves to ``_behind_since`` at most
    once per commit of its own.
    """

    def __init__(self, nodes: list[Any]) -> None:
        self.max_height = 0
        self._highest: dict[Any, int] = {}
        self._last: dict[Any, dict[str, Any]] = {}
        self._top: dict[Any, None] = dict.fromkeys(nodes)
        self._behind_since: OrderedDict[Any, float] = OrderedDict()

    def commit(self, commit: dict[str, Any]) -> float | None:
        """Record an honest ``commit``; return what :meth:`oldest` returns."""
        node = commit["node"]
        height: int = commit["height"]
        highest = self._highest.get(node, 0)
        if height > highest:
            self._highest[node] = highest = height
        self._last[node] = commit
        behind_since = self._behind_since
        behind_since.pop(node, None)
        self._top.pop(node, None)
        if highest > self.max_height:
            self.max_height = highest
            t = commit["t"]
            for other in self._top:
                behind_since[other] = t
            self._top = {node: None}
        elif highest == self.max_height:
            self._top[node] = None
        else:
            behind_since[node] = commit["t"]
        return next(iter(behind_since.values()), None)

    def oldest(self) -> float | None:
        """Return when the node longest behind fell behind, or None."""
        return next(iter(self._behind_since.values()), None)

    def pop_oldest(self) -> tuple[Any, dict[str, Any] | None]:
        """Remove the node longest behind; return it and its last commit.

        The node stays out until it commits again, so it is reported once.
        """
        node, _ = self._behind_since.popitem(last=False)
        return node, self._last.get(node)


def _agreement_evidence(
    first: dict[str, Any], second: dict[str, Any]
) -> dict[str, Any]:
    both = set(first["quorum"] or ()) & set(second["quorum"] or ())
    return {
        "height": second["height"],
        "commits": [first, second],
        "quorums": [first["quorum"], second["quorum"]],
        "quorum_intersection": sorted(both),
    }


def _liveness_start(scenario: dict[str, Any], faulty: int) -> float | None:
    """Return when liveness is promised, or None if it never is."""
    n = scenario["n"]
    network = scenario["network"]
    if faulty > (n - 1) // 3 or network["loss"] > 0:
        return None
    start: float = network["gst_ms"]
    for partition in network["partitions"]:
        if len(partition["groups"]) < 2:
            continue
        if partition["heal_ms"] is None:
            return None
        start = max(start, partition["heal_ms"])
    return start
