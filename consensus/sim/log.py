"""The run's event log: numbering, fan-out, serialization and sinks.

Every event of a run passes through one :class:`EventLog`. It gives the
event the next sequence number (``seq`` runs 1, 2, 3, ... with no gaps)
and hands it to each subscribed consumer in the order they subscribed. A
consumer may return a list of further events (the checker returns
violations); those are numbered and logged right after the event that
caused them, before anything else happens.

An event is a plain dict whose keys come in a fixed order: ``seq``, ``t``
(simulated ms), ``kind``, then ``node`` for node-specific kinds, then the
kind's own fields. Producers build the dict with ``seq`` set to 0 and the
log fills it in, which keeps the key at the front at no cost. Consumers
must treat events as read-only: one ``fields`` dict is shared by all the
send events of a broadcast.

:func:`dumps` is the one serialization, byte-identical to
``json.dumps(event, separators=(",", ":"))``. :class:`JsonlSink` streams
lines to a file in bounded batches and :class:`ListSink` keeps events in
memory for tests. :class:`NodeObserver` turns the engine's observer records
into ``state``, ``postpone`` and ``timer_*`` events.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from ..engine import EVENT_TIMEOUT, STATE_TIMEOUT, Machine
from .protocol import Message

SCHEMA_VERSION = 1

Event = dict[str, Any]
Consumer = Callable[[Event], Any]
BatchConsumer = Callable[[list[Event]], None]
Subscription = tuple[Consumer, frozenset[str] | None, BatchConsumer | None]

_ENCODER = json.JSONEncoder(separators=(",", ":"))
# Matches no value by identity: the encoder's caches start empty with it.
_UNSET = object()


def dumps(event: Event) -> str:
    """Serialize ``event`` as one compact JSON line (without the newline)."""
    return _ENCODER.encode(event)


class LogClosed(Exception):
    """Raised by :meth:`EventLog.emit` once the log is closed.

    It unwinds whatever was producing events (a machine's callback, the
    network) back to the runner, which ends the run.
    """


class EventLog:
    """Numbers events and fans them out to consumers, per kind.

    ``subscribe(consumer, kinds)`` registers a consumer for the given kinds
    (all kinds when ``kinds`` is None). The routing table is built lazily,
    one tuple of consumers per kind, so emitting costs one dict lookup plus
    the consumer calls. While ``open`` is false, :meth:`emit` raises
    :class:`LogClosed`: the runner closes the log when a stop condition is
    met, so the log ends at the event that met it and the run stops there,
    even inside a callback that would never return to the runtime.

    ``limit`` and ``on_limit``: when the event numbered ``limit`` has been
    logged, ``on_limit`` is called once. :meth:`watch_clock` adds a check
    that the clock moves.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.seq = 0
        self.last_t: float = 0
        self.open = True
        self._limit: int | None = None
        self.on_limit: Callable[[], None] | None = None
        # The next seq at which emit looks at the limit or the clock watch.
        self._next_check: float = 0
        self._window = 0
        self._window_end: float = math.inf
        self._window_t: float = -math.inf
        self._on_frozen: Callable[[], None] | None = None
        self._clock = clock
        self._consumers: list[Subscription] = []
        self._routes: dict[str, tuple[Consumer, ...]] = {}
        self._batch_routes: dict[str, tuple[BatchConsumer, ...] | None] = {}

    @property
    def limit(self) -> int | None:
        """The seq whose event makes the log call ``on_limit``, or None."""
        return self._limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        self._limit = limit
        self._next_check = 0

    def watch_clock(self, window: int, on_frozen: Callable[[], None]) -> None:
        """Call ``on_frozen`` once the clock is still for ``window`` events.

        The log compares the time of every ``window``-th event with the
        time of the one ``window`` events before, so a clock stopped for
        ``window`` to ``2 * window`` events is noticed, at no cost per event.
        """
        self._window = window
        self._window_end = self.seq + window
        self._window_t = -math.inf
        self._on_frozen = on_frozen
        self._next_check = 0

    def subscribe(
        self,
        consumer: Consumer,
        kinds: Iterable[str] | None = None,
        *,
        batch: BatchConsumer | None = None,
    ) -> None:
        """Send every later event of ``kinds`` (or of all kinds) to ``consumer``.

        ``batch``, when given, takes the events of one broadcast at once
        (see :meth:`emit_broadcast`) and must leave the consumer as calling
        it on each would, returning nothing. A consumer object with a
        ``for_kind(kind)`` method is asked for the callable to use for each
        kind, so it can serve common kinds without dispatching on them.
        """
        selected = None if kinds is None else frozenset(kinds)
        self._consumers.append((consumer, selected, batch))
        self._routes.clear()
        self._batch_routes.clear()

    def emit(self, event: Event) -> None:
        """Number ``event``, hand it to its consumers, then log what they add.

        Events added by consumers are logged even when the event that
        caused them closed the log. Raises :class:`LogClosed` when the log
        is closed.
        """
        if not self.open:
            raise LogClosed
        self.seq = seq = self.seq + 1
        event["seq"] = seq
        self.last_t = event["t"]
        route = self._routes.get(event["kind"])
        if route is None:
            route = self._route(event["kind"])
        extra: list[Event] | None = None
        for consumer in route:
            added = consumer(event)
            if added:
                extra = [*extra, *added] if extra else list(added)
        if seq >= self._next_check:
            self._checkpoint(seq, event["t"])
        if extra:
            for added_event in extra:
                self._force(self.numbered(added_event))

    def _checkpoint(self, seq: int, t: float) -> None:
        """Call the limit and clock-watch callbacks whose seq has come."""
        limit = self._limit
        if seq == limit and self.on_limit is not None:
            self.on_limit()
        if seq >= self._window_end:
            if t == self._window_t and self._on_frozen is not None:
                self._on_frozen()
            self._window_t = t
            self._window_end = seq + self._window
        ahead = self._window_end
        if limit is not None and seq < limit < ahead:
            ahead = limit
        self._next_check = ahead

    def _force(self, event: Event) -> None:
        """Log ``event`` whether or not the log is open."""
        was_open = self.open
        self.open = True
        self.emit(event)
        self.open = was_open

    def numbered(self, event: Event, now: float | None = None) -> Event:
        """Return ``event`` with ``seq`` and ``t`` first, as every event has.

        ``t`` is kept when ``event`` has one, else it is ``now`` (the
        clock's time when ``now`` is None).
        """
        if "t" in event:
            t = event["t"]
        else:
            t = self._clock() if now is None else now
        ordered: Event = {"seq": 0, "t": t}
        for key, value in event.items():
            if key not in ("seq", "t"):
                ordered[key] = value
        return ordered

    def emit_broadcast(self, events: list[Event]) -> None:
        """Log the send events of one broadcast, in order.

        The events share every field but ``seq`` and ``to``. The first goes
        through :meth:`emit`. When every consumer of the kind has a
        ``batch`` and the event limit falls outside the rest, the rest go
        to each ``batch`` in one call. Otherwise each goes through
        :meth:`emit`. The log is the same either way, because the events
        after the first tell a consumer nothing new it could report.
        """
        self.emit(events[0])
        count = len(events) - 1
        if not count:
            return
        kind = events[0]["kind"]
        routes = self._batch_routes
        route = routes[kind] if kind in routes else self._batch_route(kind)
        seq = self.seq
        if route is None or not self.open or self._next_check <= seq + count:
            for event in events[1:]:
                self.emit(event)
            return
        rest = events[1:]
        for event in rest:
            seq += 1
            event["seq"] = seq
        self.seq = seq
        for batch in route:
            batch(rest)

    def _route(self, kind: str) -> tuple[Consumer, ...]:
        route = []
        for consumer, kinds, _ in self._consumers:
            if kinds is None or kind in kinds:
                for_kind = getattr(consumer, "for_kind", None)
                route.append(consumer if for_kind is None else for_kind(kind))
        self._routes[kind] = found = tuple(route)
        return found

    def _batch_route(self, kind: str) -> tuple[BatchConsumer, ...] | None:
        route: list[BatchConsumer] = []
        for _, kinds, batch in self._consumers:
            if kinds is None or kind in kinds:
                if batch is None:
                    self._batch_routes[kind] = None
                    return None
                route.append(batch)
        self._batch_routes[kind] = found = tuple(route)
        return found


class JsonlSink:
    """Writes events as JSON lines, streaming in batches of ``batch`` lines.

    At most ``batch`` serialized lines are held at a time, so a run of any
    length needs bounded memory. Call :meth:`close` (or use it as a context
    manager) to write the last batch. Lines are byte-identical to
    :func:`dumps`; ``send`` and ``deliver`` events, most of a log, take a
    faster path (see :class:`LineEncoder`).
    """

    def __init__(self, target: str | Path | IO[str], batch: int = 2048) -> None:
        if isinstance(target, (str, Path)):
            self._file: IO[str] = open(target, "w", encoding="utf-8")  # noqa: SIM115
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self._batch = batch
        self._lines: list[str] = []
        self._encoder = LineEncoder()
        self._encode = self._encoder.encode
        self.count = 0

    def __call__(self, event: Event) -> None:
        lines = self._lines
        lines.append(self._encode(event))
        if len(lines) >= self._batch:
            self.flush()

    def for_kind(self, kind: str) -> Consumer:
        """Return the callable that takes events of ``kind`` (see EventLog)."""
        if kind == "deliver":
            return self._deliver_writer()
        return self

    def _deliver_writer(self) -> Consumer:
        """Return a writer of deliver events, the most frequent kind."""
        lines = self._lines
        batch = self._batch
        flush = self.flush
        encode = self._encoder.deliver

        def write(event: Event) -> None:
            lines.append(encode(event))
            if len(lines) >= batch:
                flush()

        return write

    def broadcast(self, events: list[Event]) -> None:
        """Take the send events of one broadcast but its first (see EventLog)."""
        lines = self._lines
        lines.extend(self._encoder.sends(events))
        if len(lines) >= self._batch:
            self.flush()

    def flush(self) -> None:
        """Write the lines held so far."""
        lines = self._lines
        if lines:
            lines.append("")
            self._file.write("\n".join(lines))
            self.count += len(lines) - 1
            lines.clear()

    def close(self) -> None:
        """Write the last lines and close the file if this sink opened it."""
        self.flush()
        if self._owned:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> JsonlSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LineEncoder:
    """Serializes events exactly as :func:`dumps` does, faster for the common ones.

    A ``send`` or ``deliver`` event whose keys and value types are the ones
    the network produces is formatted directly: ints and finite floats
    (``t - t == 0`` rules out inf and nan) print as ``repr`` does, which is
    what the json module writes. The part
    of a send event after ``to`` is the same for every recipient of one
    message, so it is serialized once and reused while the next send event
    has the same message fields (the same ``fields`` object and equal
    message kind, category, view and size). Any other event goes through
    the json module.
    """

    def __init__(self) -> None:
        self._fields: Any = None
        self._head: tuple[Any, ...] = ()
        self._tail = ""
        # Message kind -> its JSON string, for the kinds seen so far.
        self.names: dict[str, str] = {}
        # The objects of the last deliver event formatted directly, and its
        # line around seq and node (see deliver).
        self._deliver_t: Any = _UNSET
        self._deliver_from: Any = _UNSET
        self._deliver_msg: Any = _UNSET
        self._deliver_view: Any = _UNSET
        self._deliver_middle = ""
        self._deliver_tail = ""

    def encode(self, event: Event) -> str:
        """Return the JSON line of ``event``, without the newline."""
        kind = event["kind"]
        if kind == "deliver":
            return self.deliver(event)
        if kind == "send":
            return self._send(event)
        return _ENCODER.encode(event)

    def sends(self, events: list[Event]) -> list[str]:
        """Return the JSON lines of send events that differ only in ``seq``
        and ``to``, as the events of one broadcast do."""
        first = events[0]
        tail = self._send_tail(first) if first["kind"] == "send" else None
        if tail is None or not all(
            type(event["seq"]) is int and type(event["to"]) is int for event in events
        ):
            return [self.encode(event) for event in events]
        head = f',"t":{first["t"]!r},"kind":"send","node":{first["node"]},"to":'
        return [f'{{"seq":{e["seq"]}{head}{e["to"]},{tail}' for e in events]

    def _send(self, event: Event) -> str:
        tail = self._send_tail(event)
        if tail is None:
            return _ENCODER.encode(event)
        return (
            f'{{"seq":{event["seq"]},"t":{event["t"]!r},"kind":"send",'
            f'"node":{event["node"]},"to":{event["to"]},{tail}'
        )

    def _send_tail(self, event: Event) -> str | None:
        """Return the part of a send event's line after ``to``, or None when
        the event must go through the json module."""
        if len(event) != 10:
            return None
        seq, t, node, to = event["seq"], event["t"], event["node"], event["to"]
        if not (type(t) is int or (type(t) is float and t - t == 0.0)):
            return None
        if type(seq) is not int or type(node) is not int or type(to) is not int:
            return None
        fields = event["fields"]
        head = (event["msg"], event["category"], event["view"], event["size"])
        if fields is not self._fields or head != self._head:
            tail = _ENCODER.encode(
                {
                    "msg": head[0],
                    "category": head[1],
                    "view": head[2],
                    "size": head[3],
                    "fields": fields,
                }
            )
            self._fields, self._head, self._tail = fields, head, tail[1:]
        return self._tail

    def deliver(self, event: Event) -> str:
        """Return the JSON line of the ``deliver`` event ``event``.

        The deliveries of one message at one time share the objects of
        ``t``, ``from``, ``msg`` and ``view``, so the line around ``seq``
        and ``node`` is kept for as long as the next event has the same
        four objects. Identity is enough because all four are immutable.
        """
        node = event["node"]
        if (
            event["t"] is self._deliver_t
            and event["from"] is self._deliver_from
            and event["view"] is self._deliver_view
            and event["msg"] is self._deliver_msg
            and type(node) is int
            and type(event["seq"]) is int
            and len(event) == 7
        ):
            middle, tail = self._deliver_middle, self._deliver_tail
        else:
            parts = self._deliver_parts(event)
            if parts is None:
                return _ENCODER.encode(event)
            middle, tail = parts
        return f'{{"seq":{event["seq"]}{middle}{node}{tail}'

    def _deliver_parts(self, event: Event) -> tuple[str, str] | None:
        """Return a deliver event's line before and after ``node``'s value,
        and keep them for the next event, or None when the event must go
        through the json module."""
        if len(event) != 7:
            return None
        seq, t, node = event["seq"], event["t"], event["node"]
        source, name, view = event["from"], event["msg"], event["view"]
        if not (type(t) is int or (type(t) is float and t - t == 0.0)):
            return None
        if type(seq) is not int or type(node) is not int or type(source) is not int:
            return None
        if type(name) is not str or type(view) is not int:
            return None
        quoted = self.names.get(name)
        if quoted is None:
            quoted = self.names[name] = _ENCODER.encode(name)
        self._deliver_t, self._deliver_from = t, source
        self._deliver_msg, self._deliver_view = name, view
        self._deliver_middle = f',"t":{t!r},"kind":"deliver","node":'
        self._deliver_tail = f',"from":{source},"msg":{quoted},"view":{view}}}'
        return self._deliver_middle, self._deliver_tail


class ListSink:
    """Keeps every event in :attr:`events`, for tests and small runs."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def broadcast(self, events: list[Event]) -> None:
        """Keep the send events of one broadcast but its first."""
        self.events.extend(events)

    def of_kind(self, kind: str) -> list[Event]:
        """Return the events of ``kind``, in log order."""
        return [event for event in self.events if event["kind"] == kind]


def timer_name(timeout_type: Any) -> Any:
    """Return the log name of an engine timeout type.

    An event timeout is ``"event"``, a state timeout ``"state"`` and a named
    timeout its name (as a string unless it is already a JSON scalar).
    """
    if timeout_type == EVENT_TIMEOUT:
        return "event"
    if timeout_type == STATE_TIMEOUT:
        return "state"
    name = timeout_type[1]
    if isinstance(name, (str, int, float, bool)) or name is None:
        return name
    return str(name)


class NodeObserver:
    """The engine observer of one node: engine records in, log events out.

    It logs a ``state`` event on each entry into a state (the initial state
    has ``from_state`` null), ``postpone`` for each postponed event and
    ``timer_set``, ``timer_cancel`` and ``timer_fire`` for timers. For a
    module with state enter calls the state event is logged at the enter
    record, before the enter call runs, so what the enter call emits
    follows it. Other records (handle, insert, reply, stop, timer_update)
    are ignored; the engine does not send ``handle`` records, the most
    frequent, to it at all.
    """

    __slots__ = ("_node", "_emit", "_clock", "_extra", "_enter_calls", "_initial")

    # The engine skips handle records, which this observer ignores.
    handle_records = False

    def __init__(
        self,
        node: int,
        emit: Callable[[Event], None],
        clock: Callable[[], float],
        enter_calls: bool,
        extra: Event | None = None,
    ) -> None:
        self._node = node
        self._emit = emit
        self._clock = clock
        self._extra = extra
        self._enter_calls = enter_calls
        self._initial = True

    def __call__(self, machine: Machine, record: str, *fields: Any) -> None:
        if record == "enter":
            self._state(fields[1], None if self._initial else fields[0])
            self._initial = False
        elif record == "state_change":
            if not self._enter_calls:
                self._state(fields[1], fields[0])
        elif record == "init":
            if not self._enter_calls:
                self._state(fields[0], None)
                self._initial = False
        elif record == "postpone":
            content = fields[2]
            name = content.kind if isinstance(content, Message) else fields[1]
            self._log({"kind": "postpone", "msg": name})
        elif record == "timer_set":
            self._log(
                {
                    "kind": "timer_set",
                    "timer": timer_name(fields[0]),
                    "ms": fields[1],
                    "absolute": fields[3],
                }
            )
        elif record == "timer_cancel":
            self._log({"kind": "timer_cancel", "timer": timer_name(fields[0])})
        elif record == "timer_fire":
            self._log({"kind": "timer_fire", "timer": timer_name(fields[0])})

    def _state(self, state: Any, from_state: Any) -> None:
        self._log({"kind": "state", "state": state, "from_state": from_state})

    def _log(self, body: Event) -> None:
        event: Event = {"seq": 0, "t": self._clock(), "kind": body.pop("kind")}
        event["node"] = self._node
        event.update(body)
        if self._extra:
            event.update(self._extra)
        self._emit(event)
