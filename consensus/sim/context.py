"""The simulator's implementation of :class:`~consensus.sim.protocol.NodeContext`.

One :class:`SimContext` belongs to one protocol instance. Its sends go
through the node's outgoing path, which is the network itself for an
honest node and a fault wrapper around it for a faulty one (see
:mod:`consensus.sim.faults`). A twins instance reaches only the nodes of
its world: ``broadcast`` sends to them, and ``send`` to a node outside it
is dropped with reason ``fault``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..engine import VirtualRuntime
from .log import Event
from .protocol import Message, conflicting_value

Transmit = Callable[[int, Message, Sequence[int]], None]
Drop = Callable[[int, int, Message, str], None]


class SimContext:
    """What one protocol instance sees of the simulation.

    ``n`` parties tolerate ``t = (n - 1) // 3`` faults with quorums of
    ``n - t``. ``faulty`` is the set of node ids that have a fault entry in
    the scenario, so a protocol can report it (for example in the status a
    new leader collects). The leader of view ``v`` is node ``v mod n``
    under either rotation: ``leader_rotation`` tells the protocol whether
    to move to a new view at every height (``round_robin``) or only on a
    view change (``stable``). ``twin`` is 1 for the second instance of a
    twins node and 0 otherwise; that instance proposes the conflicting
    twin of every value, so the two instances disagree.
    """

    __slots__ = (
        "id",
        "n",
        "t",
        "quorum",
        "params",
        "faulty",
        "twin",
        "_runtime",
        "_emit",
        "_transmit",
        "_drop",
        "_others",
        "_reach",
    )

    def __init__(
        self,
        node: int,
        n: int,
        params: dict[str, Any],
        faulty: frozenset[int],
        runtime: VirtualRuntime,
        emit: Callable[[Event], None],
        transmit: Transmit,
        drop: Drop,
        reach: Sequence[int] | None = None,
        twin: int = 0,
    ) -> None:
        self.id = node
        self.n = n
        self.t = (n - 1) // 3
        self.quorum = n - self.t
        self.params = params
        self.faulty = faulty
        self.twin = twin
        self._runtime = runtime
        self._emit = emit
        self._transmit = transmit
        self._drop = drop
        others = [other for other in range(n) if other != node]
        self._others: tuple[int, ...] = tuple(others if reach is None else reach)
        self._reach = None if reach is None else frozenset(reach)

    @property
    def now(self) -> float:
        """Current simulated time in ms."""
        return self._runtime.now

    def send(self, destination: int, message: Message) -> None:
        """Send ``message`` to node ``destination`` (never to oneself)."""
        if destination == self.id or not 0 <= destination < self.n:
            raise ValueError(
                f"node {self.id} cannot send {message.kind!r} to {destination!r}; "
                f"the destination must be another node id in 0..{self.n - 1}"
            )
        if self._reach is not None and destination not in self._reach:
            self._drop(self.id, destination, message, "fault")
            return
        self._transmit(self.id, message, (destination,))

    def broadcast(self, message: Message) -> None:
        """Send ``message`` to every other node this instance reaches."""
        self._transmit(self.id, message, self._others)

    def emit(self, kind: str, **fields: Any) -> None:
        """Log a protocol event of ``kind`` for this node, stamped now."""
        event: Event = {"seq": 0, "t": self._runtime.now, "kind": kind}
        event["node"] = self.id
        event.update(fields)
        if self.twin:
            event["twin"] = self.twin
        self._emit(event)

    def leader(self, view: int) -> int:
        """Return the leader of ``view``: node ``view mod n``."""
        return view % self.n

    def proposal(self, height: int, view: int) -> str:
        """Return the value this node proposes at ``height`` in ``view``."""
        value = f"h{height}.v{view}.n{self.id}"
        return conflicting_value(value) if self.twin else value
