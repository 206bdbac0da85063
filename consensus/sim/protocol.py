"""The contract between the simulator and a protocol callback module.

A protocol is a :class:`~consensus.engine.StateMachine` subclass whose
constructor takes one :class:`NodeContext`. The simulator creates one
instance per node, spawns it on the shared virtual runtime, and delivers
every message to it as a ``cast`` event whose content is the
:class:`Message`. The protocol talks back only through the context: it
sends, broadcasts and reports protocol facts (votes, certificates, locks,
commits) with ``emit``, which become events in the run's log.

Authenticated channels are assumed: ``Message.sender`` is the node that
sent it, and the simulator guarantees it for honest nodes. A certificate
is the set of node ids whose votes a node actually received.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, Protocol

# Message categories: the simulator's fault behaviours act on these.
PROPOSAL = "proposal"
VOTE = "vote"
VIEW_CHANGE = "view_change"
NEW_VIEW = "new_view"
OTHER = "other"


def conflicting_value(value: Any) -> Any:
    """Return the value an equivocating node pairs with ``value``.

    It is deterministic, so two colluding faulty nodes pick the same twin
    without talking, and applying it twice gives back the original.
    """
    if isinstance(value, str):
        return value[:-1] if value.endswith("'") else value + "'"
    return value


@dataclass(frozen=True, slots=True)
class Message:
    """Base of all protocol messages.

    Subclasses set ``kind`` (the message type named in the event log, for
    example ``"prepare"``) and ``category``. Proposals and votes carry the
    proposed ``value``, which the fault behaviours replace through
    :meth:`conflicting`.
    """

    kind: ClassVar[str] = "message"
    category: ClassVar[str] = OTHER

    sender: int
    view: int

    def conflicting(self) -> Message:
        """Return the twin of this message that an equivocator sends."""
        value = getattr(self, "value", None)
        if value is None:
            return self
        return replace(self, value=conflicting_value(value))  # type: ignore[call-arg]

    def size(self) -> int:
        """Estimate the encoded size in bytes: a header plus signatures."""
        return 64 + 64 * self.signatures()

    def signatures(self) -> int:
        """Count the signatures the message carries (one for its sender)."""
        return 1

    def fields(self) -> dict[str, Any]:
        """Return the message's fields for the event log (JSON values)."""
        return {
            name: _jsonable(getattr(self, name))
            for name in _field_names(type(self))
            if name != "sender"
        }


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    # dataclasses.fields() leaves out the ClassVars kind and category, which
    # __dataclass_fields__ would include.
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in fields(cls))
    return names


def _jsonable(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Message):
        return {"kind": value.kind, **value.fields()}
    if hasattr(value, "to_json"):
        return value.to_json()
    return value


class NodeContext(Protocol):
    """What a protocol instance may know and do inside the simulator.

    ``n`` parties tolerate ``t = (n - 1) // 3`` faults and use quorums of
    ``quorum = n - t`` (2t + 1 when n = 3t + 1). ``params`` holds the
    scenario's protocol parameters (timeouts in ms, backoff factor, leader
    rotation) with defaults filled in. ``faulty`` holds the ids that have
    a fault entry in the scenario, so a leader can report them.
    """

    id: int
    n: int
    t: int
    quorum: int
    params: dict[str, Any]
    faulty: frozenset[int]

    @property
    def now(self) -> float:
        """Current simulated time in ms."""
        ...

    def send(self, destination: int, message: Message) -> None:
        """Send ``message`` to one node; sending to oneself is not allowed."""
        ...

    def broadcast(self, message: Message) -> None:
        """Send ``message`` to every other node (never to the sender)."""
        ...

    def emit(self, kind: str, **fields: Any) -> None:
        """Add a protocol event (vote, qc, lock, commit, ...) to the log."""
        ...

    def leader(self, view: int) -> int:
        """Return the leader of ``view`` under the scenario's rotation."""
        ...

    def proposal(self, height: int, view: int) -> str:
        """Return the value an honest leader proposes at ``height``."""
        ...
