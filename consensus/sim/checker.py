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
after every partition has healed. From then on, a span longer than
``liveness.stall_ms`` without a commit by an honest node is reported once,
when it is detected. The clock restarts at the next honest commit.
"""

from __future__ import annotations

import math
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
        # A stall is reported at the first event after the deadline, which
        # is infinite while liveness is not watched or a stall was reported.
        self._since = self._watch_from
        self._deadline = math.inf
        if self._watch_from is not None:
            self._deadline = self._watch_from + self._stall_ms

    @property
    def safety_violations(self) -> list[dict[str, Any]]:
        """Violations of agreement, integrity or validity, in log order."""
        return [v for v in self.violations if v["property"] in SAFETY]

    @property
    def liveness_violations(self) -> list[dict[str, Any]]:
        """Stalls reported so far, in log order."""
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
        watch_from = self._watch_from
        if watch_from is not None:
            committed_at: float = commit["t"]
            since = max(watch_from, committed_at)
            self._since = since
            self._deadline = since + self._stall_ms

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

    def _check_stall(self, now: float, found: list[Finding]) -> None:
        if now <= self._deadline:
            return
        self._deadline = math.inf
        evidence = {
            "from": self._since,
            "to": now,
            "stall_ms": self._stall_ms,
            "last_commit": self._last_commit,
        }
        found.append((LIVENESS, evidence))


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
