"""The simulated network: latency, loss, duplication, partitions, GST.

:class:`Network` carries protocol messages between nodes on the virtual
runtime. For each point-to-point message it logs a ``send`` event, then
either drops it (``drop`` with reason ``loss`` or ``partition``) or
schedules its delivery, which logs ``deliver`` and hands the message to
the receiving machine as a cast event (or logs ``drop`` with reason
``crashed`` when that machine has stopped).

Delivery time, for a message sent at ``t`` with sampled link latency
``l``:

- at or after GST: ``t + min(l, delta_ms)``;
- before GST the adversary adds a delay ``a`` drawn uniformly from
  ``[0, pre_gst_max_delay_ms]``, but never past GST + delta: the message
  arrives at ``min(t + l + a, max(gst_ms + delta_ms, t + l))``;
- a sender with the ``delay`` fault adds its ``delay_ms`` on top.

Partitions are checked when a message is sent: a message between two
groups of a partition that is active then (``start_ms <= t < heal_ms``) is
dropped. Messages already in flight when a partition starts still arrive.

Randomness comes from one ``random.Random`` stream per purpose (latency,
loss, duplicate, adversary), seeded with the string ``"{seed}:{purpose}"``,
so a run is the same under any ``PYTHONHASHSEED``. Sampled latencies are
rounded to 1 µs so the log stays readable.

Cost per message is independent of ``n``: the latency samplers of a
sender's links are built into one list the first time it sends, and
everything else is a list index or a comparison.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..engine import CAST, VirtualRuntime
from .log import Event
from .protocol import Message

Sampler = Callable[[], float]


class Receiver(Protocol):
    """The receiving end of a node: an engine machine, or a stand-in."""

    stopped: bool

    def receive(self, event_type: Any, content: Any) -> None: ...


def rng(seed: int, purpose: str) -> random.Random:
    """Return the random stream of ``purpose`` for a run seeded with ``seed``."""
    return random.Random(f"{seed}:{purpose}")


def sampler(latency: dict[str, Any], stream: random.Random) -> Sampler:
    """Return a function drawing one latency (ms) from the ``latency`` spec.

    Negative draws of the normal distribution are clamped to 0.
    """
    dist = latency["dist"]
    if dist == "constant":
        ms = latency["ms"]
        return lambda: ms
    if dist == "uniform":
        low, high = latency["low_ms"], latency["high_ms"]
        uniform = stream.uniform
        return lambda: round(uniform(low, high), 3)
    if dist == "normal":
        mean, stdev = latency["mean_ms"], latency["stdev_ms"]
        gauss = stream.gauss
        return lambda: round(max(0.0, gauss(mean, stdev)), 3)
    if dist == "exponential":
        rate = 1.0 / latency["mean_ms"]
        expovariate = stream.expovariate
        return lambda: round(expovariate(rate), 3)
    if dist == "lognormal":
        mu, sigma = latency["mu"], latency["sigma"]
        lognormvariate = stream.lognormvariate
        return lambda: round(lognormvariate(mu, sigma), 3)
    raise ValueError(
        f"network latency dist {dist!r} is not one of constant, uniform, "
        "normal, exponential, lognormal"
    )


class Partition:
    """One partition: node groups cut off from each other in [start, heal)."""

    __slots__ = ("group_of", "start_ms", "heal_ms")

    def __init__(self, spec: dict[str, Any], n: int) -> None:
        self.group_of = [-1] * n
        for index, group in enumerate(spec["groups"]):
            for node in group:
                self.group_of[node] = index
        self.start_ms: float = spec["start_ms"]
        heal = spec.get("heal_ms")
        self.heal_ms: float = float("inf") if heal is None else heal

    def cuts(self, now: float, source: int, destination: int) -> bool:
        """Tell whether a message sent at ``now`` between the two is dropped."""
        return (
            self.start_ms <= now < self.heal_ms
            and self.group_of[source] != self.group_of[destination]
        )


class Network:
    """Carries messages between ``n`` nodes as configured by ``config``.

    ``config`` is the normalized ``network`` section of a scenario.
    ``targets[i]`` is the machine that receives messages addressed to node
    ``i``. The runner replaces it when a node recovers, and sets it to None
    for a twins node, whose receiver is its instance in the sender's world
    (``twin_routes[i][world]``). ``world[i]`` is the twins world of node
    ``i`` when it runs one instance, and a twins instance names its own
    world when it transmits. ``sender_delay[i]`` is the extra delay of node
    ``i``'s messages (the ``delay`` fault).

    ``group_deliveries`` makes the deliveries of one transmission that are
    due at the same time one runtime item; the log is the same without it.
    """

    group_deliveries = True

    def __init__(
        self,
        runtime: VirtualRuntime,
        emit: Callable[[Event], None],
        config: dict[str, Any],
        n: int,
        seed: int,
        emit_broadcast: Callable[[list[Event]], None] | None = None,
    ) -> None:
        self._runtime = runtime
        self._emit = emit
        self._emit_broadcast = emit_broadcast or self._emit_each
        self.n = n
        self.targets: list[Receiver | None] = [None] * n
        self.twin_routes: dict[int, tuple[Receiver, Receiver]] = {}
        self.world: list[int] = [0] * n
        self.sender_delay: list[float] = [0] * n
        self.sent = 0
        self.delivered = 0

        self._latency_rng = rng(seed, "latency")
        self._default = sampler(config["latency"], self._latency_rng)
        self._overrides = {
            (link["from"], link["to"]): sampler(link["latency"], self._latency_rng)
            for link in config["links"]
        }
        self._rows: list[list[Sampler] | None] = [None] * n

        self._loss: float = config["loss"]
        self._loss_draw = rng(seed, "loss").random
        self._duplicate: float = config["duplicate"]
        self._duplicate_draw = rng(seed, "duplicate").random
        self._partitions = [Partition(spec, n) for spec in config["partitions"]]

        self._gst: float = config["gst_ms"]
        self._delta: float = config["delta_ms"]
        self._adversary_max: float = config["pre_gst_max_delay_ms"]
        self._adversary_draw = rng(seed, "adversary").uniform

    def _emit_each(self, events: list[Event]) -> None:
        for event in events:
            self._emit(event)

    # Latency.

    def _row(self, source: int) -> list[Sampler]:
        """Return the latency samplers of ``source``'s links, by destination."""
        row = [self._default] * self.n
        for (link_source, destination), link_sampler in self._overrides.items():
            if link_source == source:
                row[destination] = link_sampler
        self._rows[source] = row
        return row

    def arrival(self, now: float, latency: float) -> float:
        """Return the delivery time of a message sent at ``now`` (no fault delay)."""
        if now >= self._gst:
            return now + (latency if latency < self._delta else self._delta)
        natural = now + latency
        delayed = natural + round(self._adversary_draw(0, self._adversary_max), 3)
        bound = max(self._gst + self._delta, natural)
        return delayed if delayed < bound else bound

    # Sending.

    def transmit(
        self,
        source: int,
        message: Message,
        destinations: Sequence[int],
        twin: int | None = None,
        world: int | None = None,
    ) -> None:
        """Send ``message`` from ``source`` to each of ``destinations``.

        ``twin`` is the world of the sending instance of a twins node, and
        None for a node with one instance. The ``send`` events of instance
        1 carry ``"twin": 1``. ``world`` is the world the message travels
        in, which picks the instance of a twins recipient. It defaults to
        ``twin``, or to ``self.world[source]`` for a node with one instance.
        A scenario whose twins worlds change by view passes it.
        """
        runtime = self._runtime
        now = runtime.now
        emit = self._emit
        kind = message.kind
        category = message.category
        view = message.view
        size = message.size()
        fields = message.fields()
        row = self._rows[source]
        if row is None:
            row = self._row(source)
        extra = self.sender_delay[source]
        loss = self._loss
        duplicate = self._duplicate
        partitions = self._partitions
        synchronous = now >= self._gst
        delta = self._delta
        post_at = runtime.post_at
        deliver = self._deliver
        # Deliveries due at one time go in one runtime item. Duplicates
        # could fall between them in a bucket, so with duplication on each
        # delivery is its own item.
        grouped = self.group_deliveries and not duplicate
        groups: dict[float, list[int]] | None = {} if grouped else None
        if world is None:
            world = self.world[source] if twin is None else twin
        events: list[Event] = [
            {
                "seq": 0,
                "t": now,
                "kind": "send",
                "node": source,
                "to": destination,
                "msg": kind,
                "category": category,
                "view": view,
                "size": size,
                "fields": fields,
            }
            for destination in destinations
        ]
        if twin:
            for event in events:
                event["twin"] = twin
        # Without loss or an active partition no send is dropped, so the
        # broadcast's send events are logged together, ahead of scheduling.
        together = not loss and not (partitions and self._any_cut(now))
        if together and events:
            self._emit_broadcast(events)
        for index, destination in enumerate(destinations):
            if not together:
                emit(events[index])
                if loss and self._loss_draw() < loss:
                    self.drop(source, destination, message, "loss", twin)
                    continue
                if partitions and self._cut(now, source, destination):
                    self.drop(source, destination, message, "partition", twin)
                    continue
            latency = row[destination]()
            if synchronous:
                when = now + (latency if latency < delta else delta) + extra
            else:
                when = self.arrival(now, latency) + extra
            if groups is not None:
                group = groups.get(when)
                if group is None:
                    groups[when] = [destination]
                else:
                    group.append(destination)
                continue
            post_at(when, deliver, source, [destination], message, world)
            if self._duplicate_draw() < duplicate:
                again = self.arrival(now, row[destination]()) + extra
                post_at(again, deliver, source, [destination], message, world, True)
        if groups:
            for when, group in groups.items():
                post_at(when, deliver, source, group, message, world)
        self.sent += len(destinations)

    def _any_cut(self, now: float) -> bool:
        """Tell whether some partition is active at ``now``."""
        for partition in self._partitions:
            if partition.start_ms <= now < partition.heal_ms:
                return True
        return False

    def _cut(self, now: float, source: int, destination: int) -> bool:
        for partition in self._partitions:
            if partition.cuts(now, source, destination):
                return True
        return False

    def drop(
        self,
        source: int,
        destination: int,
        message: Message,
        reason: str,
        twin: int | None = None,
    ) -> None:
        """Log that ``message`` from ``source`` to ``destination`` was dropped.

        ``twin`` is as for :meth:`transmit`.
        """
        event: Event = {
            "seq": 0,
            "t": self._runtime.now,
            "kind": "drop",
            "node": source,
            "to": destination,
            "msg": message.kind,
            "reason": reason,
        }
        if twin:
            event["twin"] = twin
        self._emit(event)

    # Delivery.

    def _deliver(
        self,
        source: int,
        destinations: list[int],
        message: Message,
        world: int,
        duplicate: bool = False,
    ) -> None:
        """Deliver ``message`` to each of ``destinations``, in order, now.

        One runtime item stands for deliveries that would be consecutive
        items of one due time: the network posts them in one loop, and an
        item scheduled while they run is due later or runs after the whole
        bucket. So the log is the one that separate items would give.
        ``duplicate`` marks the deliveries of a duplicated message.
        """
        targets = self.targets
        emit = self._emit
        now = self._runtime.now
        kind = message.kind
        view = message.view
        for destination in destinations:
            machine = targets[destination]
            twin = None
            if machine is None:
                machine = self.twin_routes[destination][world]
                twin = world
            if machine.stopped:
                self.drop(source, destination, message, "crashed")
                continue
            event: Event = {
                "seq": 0,
                "t": now,
                "kind": "deliver",
                "node": destination,
                "from": source,
                "msg": kind,
                "view": view,
            }
            if duplicate:
                event["duplicate"] = True
            if twin:
                event["twin"] = twin
            emit(event)
            self.delivered += 1
            machine.receive(CAST, message)
