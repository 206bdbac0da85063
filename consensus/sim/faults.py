"""Fault behaviours: what a faulty node does to the messages it sends.

A :class:`FaultPlan` holds the scenario's fault entries (at most one per
node) and builds each faulty node's outgoing path, a wrapper around
:meth:`Network.transmit <consensus.sim.network.Network.transmit>`:

- ``silent``: every message is dropped (``drop``, reason ``fault``);
- ``withhold_votes``: messages of category ``vote`` are dropped likewise;
- ``equivocate``: proposals and votes go unchanged to the first half of
  the honest recipients and as their conflicting twin
  (:meth:`Message.conflicting`) to the second half;
- ``double_vote``: the same split, for votes only;
- ``delay``: every message arrives ``delay_ms`` later (set on the network);
- ``crash``, ``crash_recover`` and ``twins`` act on the node's machines
  and are carried out by the runner.

The halves split the honest nodes other than the sender, sorted by id; the
first half has the extra node when the count is odd. Faulty recipients
always get the original, so colluding faulty nodes see one story.

The same halves lay out the two worlds of the ``twins`` behaviour, after
Bano et al., "Twins: BFT Systems Made Robust", OPODIS 2021. A twins node
runs two honest instances under its id. Instance 0 lives in world 0 with
the first honest half and every faulty node that is not a twins node.
Instance 1 lives in world 1 with the second honest half. An instance
reaches the nodes of its world and the same-world instance of every other
twins node, and a message to a twins node goes to the instance in the
sender's world. So with n = 4 and twins on 0 and 1, the worlds are
{0, 1, 2} and {0', 1', 3}: each holds n - t parties. The worlds do not
cut honest nodes off from each other. A scenario that wants them apart
says so, for example with links that never deliver before a GST that
never comes.

A scenario may instead script the layout by view (``twins_worlds``), as
the Twins adversary changes its partition from round to round. Each entry
names the nodes with one instance that sit in world 1 from its
``from_view`` on, and the others sit in world 0. A message of view ``v``
follows the layout in force at ``v``. An honest node's message to a twins
node goes to the instance in the honest node's world. A twins instance
reaches only the nodes of its own world, and two nodes with one instance
in different worlds do not reach each other. :class:`WorldGate` drops the
cut messages with reason ``fault`` before they reach the network. The
layout depends on the view number that every message carries, and on
nothing else of the protocol.

Every fault action is logged as a ``fault`` event: one ``start`` event at
time 0 for the behaviours that last the whole run, one
``conflicting_message`` event (naming the recipients of the twin) per
message split, and ``crash``/``recover`` events when they happen.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .context import Drop, Transmit
from .log import Event
from .protocol import PROPOSAL, VOTE, Message

BEHAVIOURS = (
    "silent",
    "crash",
    "crash_recover",
    "equivocate",
    "double_vote",
    "withhold_votes",
    "delay",
    "twins",
)
# Behaviours active from the start to the end of the run.
LASTING = ("silent", "equivocate", "double_vote", "withhold_votes", "delay", "twins")


class RoutedTransmit(Protocol):
    """A node's way into the network that accepts the world of the message.

    ``world`` picks the instance of a twins recipient (see
    :meth:`Network.transmit <consensus.sim.network.Network.transmit>`).
    """

    def __call__(
        self,
        source: int,
        message: Message,
        destinations: Sequence[int],
        *,
        world: int | None = None,
    ) -> None: ...


def fault_event(
    now: float, node: int, behaviour: str, action: str, **fields: Any
) -> Event:
    """Return a ``fault`` event (unnumbered) for ``node``."""
    event: Event = {"seq": 0, "t": now, "kind": "fault", "node": node}
    event["behaviour"] = behaviour
    event["action"] = action
    event.update(fields)
    return event


class FaultPlan:
    """The fault entries of a scenario, by node, the honest halves and the
    twins worlds that those halves lay out.

    ``twins_worlds`` is the scenario's schedule of layouts by view, already
    validated: the first entry starts at view 0 and ``from_view`` rises.
    When it is empty the halves fix the worlds for the whole run.
    """

    def __init__(
        self,
        faults: list[dict[str, Any]],
        n: int,
        twins_worlds: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.n = n
        self.by_node: dict[int, dict[str, Any]] = {
            fault["node"]: fault for fault in faults
        }
        self.faulty = frozenset(self.by_node)
        self.honest = tuple(node for node in range(n) if node not in self.faulty)
        self.twins = frozenset(
            node
            for node, fault in self.by_node.items()
            if fault["behaviour"] == "twins"
        )
        self._world_1 = frozenset(self.honest[(len(self.honest) + 1) // 2 :])
        self._layout_views = [entry["from_view"] for entry in twins_worlds]
        self._layouts = [
            tuple(1 if node in entry["world_1"] else 0 for node in range(n))
            for entry in twins_worlds
        ]

    @property
    def scheduled(self) -> bool:
        """True when the scenario scripts the twins worlds by view."""
        return bool(self._layouts)

    def layout(self, view: int) -> tuple[int, ...]:
        """Return each node's world for messages of ``view`` under the schedule.

        A negative view follows the first layout. The entries of twins nodes
        are 0 and mean nothing, because such a node is in both worlds.
        """
        index = bisect_right(self._layout_views, view) - 1
        return self._layouts[max(index, 0)]

    def behaviour(self, node: int) -> str | None:
        """Return the behaviour of ``node``, or None for an honest node."""
        fault = self.by_node.get(node)
        return None if fault is None else str(fault["behaviour"])

    def second_half(self, node: int) -> frozenset[int]:
        """Return the honest nodes that get the twins of ``node``'s messages."""
        recipients = [other for other in self.honest if other != node]
        return frozenset(recipients[(len(recipients) + 1) // 2 :])

    def world(self, node: int) -> int:
        """Return the twins world (0 or 1) of ``node``, a node with one instance."""
        return 1 if node in self._world_1 else 0

    def reach(self, node: int, world: int) -> tuple[int, ...]:
        """Return the nodes that twins ``node``'s instance in ``world`` reaches.

        Under a schedule that is every other node, because the instance's
        :class:`WorldGate` decides per message.
        """
        return tuple(
            other
            for other in range(self.n)
            if other != node
            and (self.scheduled or other in self.twins or self.world(other) == world)
        )

    def start_events(self) -> list[Event]:
        """Return the ``fault`` events logged at time 0, in node order."""
        events = []
        for node in sorted(self.by_node):
            fault = self.by_node[node]
            behaviour = fault["behaviour"]
            if behaviour == "delay":
                events.append(
                    fault_event(0, node, behaviour, "start", delay_ms=fault["delay_ms"])
                )
            elif behaviour in LASTING:
                events.append(fault_event(0, node, behaviour, "start"))
        return events

    def outgoing(
        self,
        node: int,
        transmit: RoutedTransmit,
        drop: Drop,
        emit: Callable[[Event], None],
        clock: Callable[[], float],
        twin: int | None = None,
    ) -> Transmit:
        """Return the outgoing path of ``node``: ``transmit`` or a wrapper.

        ``twin`` is the world of the instance when ``node`` is a twins node.
        Under a schedule a :class:`WorldGate` sits next to the network, so a
        fault behaviour acts on every message before the layout cuts it.
        """
        path: Transmit = transmit
        if self.scheduled:
            path = WorldGate(self, twin, transmit, drop)
        behaviour = self.behaviour(node)
        if behaviour == "silent":
            return Suppress(drop, path, None)
        if behaviour == "withhold_votes":
            return Suppress(drop, path, frozenset((VOTE,)))
        if behaviour == "equivocate":
            categories = frozenset((PROPOSAL, VOTE))
        elif behaviour == "double_vote":
            categories = frozenset((VOTE,))
        else:
            return path
        return Split(behaviour, categories, self.second_half(node), path, emit, clock)


class Suppress:
    """Drops the messages of ``categories`` (all messages when None)."""

    def __init__(
        self, drop: Drop, transmit: Transmit, categories: frozenset[str] | None
    ) -> None:
        self._drop = drop
        self._transmit = transmit
        self._categories = categories

    def __call__(
        self, source: int, message: Message, destinations: Sequence[int]
    ) -> None:
        if self._categories is not None and message.category not in self._categories:
            self._transmit(source, message, destinations)
            return
        for destination in destinations:
            self._drop(source, destination, message, "fault")


class Split:
    """Sends the twin of messages of ``categories`` to ``second`` recipients."""

    def __init__(
        self,
        behaviour: str,
        categories: frozenset[str],
        second: frozenset[int],
        transmit: Transmit,
        emit: Callable[[Event], None],
        clock: Callable[[], float],
    ) -> None:
        self._behaviour = behaviour
        self._categories = categories
        self._second = second
        self._transmit = transmit
        self._emit = emit
        self._clock = clock

    def __call__(
        self, source: int, message: Message, destinations: Sequence[int]
    ) -> None:
        twin = message.conflicting()
        if message.category not in self._categories or twin == message:
            self._transmit(source, message, destinations)
            return
        first = [node for node in destinations if node not in self._second]
        second = [node for node in destinations if node in self._second]
        if first:
            self._transmit(source, message, first)
        if second:
            self._emit(
                fault_event(
                    self._clock(),
                    source,
                    self._behaviour,
                    "conflicting_message",
                    msg=message.kind,
                    view=message.view,
                    value=getattr(twin, "value", None),
                    to=second,
                )
            )
            self._transmit(source, twin, second)


class WorldGate:
    """An outgoing path that passes each message only to the nodes in the
    sender's world of the message's view.

    ``twin`` is the world of a twins instance, or None for a node with one
    instance, whose world is read from the layout of each message's view.
    Twins recipients are in both worlds and always pass; the network then
    delivers to their instance in the sender's world.
    """

    def __init__(
        self,
        plan: FaultPlan,
        twin: int | None,
        transmit: RoutedTransmit,
        drop: Drop,
    ) -> None:
        self._plan = plan
        self._twin = twin
        self._transmit = transmit
        self._drop = drop

    def __call__(
        self, source: int, message: Message, destinations: Sequence[int]
    ) -> None:
        layout = self._plan.layout(message.view)
        world = layout[source] if self._twin is None else self._twin
        twins = self._plan.twins
        passed = []
        for destination in destinations:
            if destination in twins or layout[destination] == world:
                passed.append(destination)
            else:
                self._drop(source, destination, message, "fault")
        if passed:
            self._transmit(source, message, passed, world=world)
