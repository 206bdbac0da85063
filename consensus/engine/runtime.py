"""Runtimes: where machines live, how events reach them, and what time is.

Both runtimes offer the same calls, so one callback module runs on either
unchanged:

- :class:`VirtualRuntime` keeps a virtual clock in milliseconds and a
  discrete-event schedule. Nothing waits on a real clock, so a run is as
  fast as the callbacks and exactly repeatable.
- :class:`AsyncioRuntime` runs on an asyncio event loop in real time.

Ordering rule of the virtual runtime: every scheduled item (a message
delivery, a timer, a plain callback) carries the virtual time at which it is
due and a sequence number taken from one counter when it was scheduled.
Items run in order of (due time, sequence number), so items due at the
same instant run in the order they were scheduled. Nothing depends on object
identity, hashing or the wall clock, so the same inputs give the same trace
under any ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .events import CALL, CAST, INFO
from .machine import From, Machine, Observer, StateMachine


class _Runtime:
    """Machine bookkeeping shared by both runtimes."""

    observer: Observer | None

    def spawn(
        self,
        module: StateMachine,
        *args: Any,
        name: Any = None,
        observer: Observer | None = None,
    ) -> Machine:
        """Start ``module`` as a new machine, calling its ``init(*args)``."""
        if observer is None:
            observer = self.observer
        machine = Machine(self, module, name=name, observer=observer)
        machine.start(args)
        return machine

    def cast(self, machine: Machine, message: Any) -> None:
        """Send ``message`` to ``machine`` as a cast event."""
        self._deliver(machine, CAST, message)

    def info(self, machine: Machine, message: Any) -> None:
        """Send ``message`` to ``machine`` as an info event."""
        self._deliver(machine, INFO, message)

    def _deliver(self, machine: Machine, event_type: Any, content: Any) -> None:
        raise NotImplementedError

    def start_timer(
        self, machine: Machine, timeout_type: Any, time: float, absolute: bool
    ) -> Any:
        raise NotImplementedError

    def cancel_timer(self, handle: Any) -> None:
        raise NotImplementedError


class VirtualRuntime(_Runtime):
    """Deterministic discrete-event runtime on a virtual clock (ms).

    ``schedule`` and ``schedule_at`` put any callable on the same schedule
    as message deliveries and timers, which is how the network simulator
    delays messages. ``run`` processes items until none are left, the clock
    would pass ``until``, or ``max_items`` items have run.

    Items wait in one list per due time (a bucket) and a heap contains the
    distinct due times, so scheduling an item costs a list append unless
    its due time is new. Simulations reuse few due times (constant link
    delays, timers re-armed with one length), so most items never touch
    the heap. A cancelled item stays in its bucket, marked dead, until its
    time comes. Items of a bucket run in the order they were scheduled, all
    before the items that become due while the bucket runs.
    """

    def __init__(self, observer: Observer | None = None) -> None:
        self.observer = observer
        self.now: float = 0
        self.items_run = 0
        # Entries are [function, args], or (function, args) from post_at; a
        # cancelled one has function None.
        self._buckets: dict[float, list[Sequence[Any]]] = {}
        self._times: list[float] = []
        self._current: list[Sequence[Any]] = []
        self._index = 0
        # Items due now, scheduled after every item of the current bucket.
        self._ready: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()

    # Scheduling.

    def schedule(self, delay: float, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function(*args)`` after ``delay`` ms; returns a cancel handle."""
        if delay == 0:
            self._ready.append((function, args))
            return None
        if not delay > 0:
            raise ValueError(f"delay must be >= 0 ms, got {delay!r}")
        return self.schedule_at(self.now + delay, function, *args)

    def schedule_at(self, when: float, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function(*args)`` at virtual time ``when`` (at once if past)."""
        entry = [function, args]
        if when <= self.now:
            # Due now: after the items already scheduled for this instant.
            self._ready.append((_run_entry, (entry,)))
            return entry
        bucket = self._buckets.get(when)
        if bucket is None:
            self._buckets[when] = [entry]
            heapq.heappush(self._times, when)
        else:
            bucket.append(entry)
        return entry

    def post_at(self, when: float, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(*args)`` at ``when`` as ``schedule_at`` does, for an
        item that is never cancelled: it returns no handle and its entry is
        a tuple, one allocation less per item."""
        if when <= self.now:
            self._ready.append((function, args))
            return
        entry = (function, args)
        bucket = self._buckets.get(when)
        if bucket is None:
            self._buckets[when] = [entry]
            heapq.heappush(self._times, when)
        else:
            bucket.append(entry)

    def cancel(self, handle: Any) -> None:
        """Cancel an item from ``schedule_at``; cancelling twice is harmless."""
        if handle is not None:
            handle[0] = None

    def _deliver(self, machine: Machine, event_type: Any, content: Any) -> None:
        self._ready.append((machine.deliver, (event_type, content)))

    def cast(self, machine: Machine, message: Any) -> None:
        """Send ``message`` to ``machine`` as a cast event."""
        self._ready.append((machine.deliver, (CAST, message)))

    def call(self, machine: Machine, request: Any) -> From:
        """Send a call; the returned handle gets the reply when one is sent."""
        caller = From()
        self._deliver(machine, (CALL, caller), request)
        return caller

    def start_timer(
        self, machine: Machine, timeout_type: Any, time: float, absolute: bool
    ) -> Any:
        when = time if absolute else self.now + time
        return self.schedule_at(when, machine.fire, timeout_type)

    def cancel_timer(self, handle: Any) -> None:
        handle[0] = None

    # Running.

    def pending(self) -> int:
        """Count scheduled items, cancelled ones included."""
        waiting = sum(len(bucket) for bucket in self._buckets.values())
        return waiting + len(self._current) - self._index + len(self._ready)

    def next_time(self) -> float | None:
        """Return the due time of the next live item, or None when idle."""
        if self._ready or self._index < len(self._current):
            return self.now
        times = self._times
        buckets = self._buckets
        while times:
            bucket = buckets[times[0]]
            if any(entry[0] is not None for entry in bucket):
                return times[0]
            del buckets[heapq.heappop(times)]
        return None

    def run(self, until: float | None = None, max_items: int | None = None) -> int:
        """Run scheduled items in order; returns how many ran."""
        ready = self._ready
        popleft = ready.popleft
        times = self._times
        buckets = self._buckets
        heappop = heapq.heappop
        current = self._current
        index = self._index
        limit = -1 if max_items is None else max_items
        count = 0
        try:
            while count != limit:
                if index < len(current):
                    entry = current[index]
                    index += 1
                    function = entry[0]
                    if function is not None:
                        count += 1
                        function(*entry[1])
                elif ready:
                    function, args = popleft()
                    count += 1
                    function(*args)
                elif times:
                    when = times[0]
                    if until is not None and when > until:
                        break
                    heappop(times)
                    self.now = when
                    current = self._current = buckets.pop(when)
                    index = 0
                else:
                    break
        finally:
            self._index = index
            self.items_run += count
        if until is not None and self.now < until and not ready:
            if index >= len(current) and (not times or times[0] > until):
                self.now = until
        return count


def _run_entry(entry: list[Any]) -> None:
    function = entry[0]
    if function is not None:
        function(*entry[1])


class AsyncioRuntime(_Runtime):
    """Real-time runtime on an asyncio event loop.

    Create it inside a running loop. ``now`` is milliseconds since the
    runtime was created, on the loop's monotonic clock, and absolute
    timeouts use that clock. ``call`` returns an awaitable reply.
    """

    def __init__(self, observer: Observer | None = None) -> None:
        self.observer = observer
        self._loop = asyncio.get_running_loop()
        self._origin = self._loop.time()

    @property
    def now(self) -> float:
        return (self._loop.time() - self._origin) * 1000.0

    def _deliver(self, machine: Machine, event_type: Any, content: Any) -> None:
        self._loop.call_soon(machine.deliver, event_type, content)

    async def call(self, machine: Machine, request: Any) -> Any:
        """Send a call and wait for the reply."""
        future: asyncio.Future[Any] = self._loop.create_future()

        def resolve(value: Any) -> None:
            if not future.done():
                future.set_result(value)

        self._deliver(machine, (CALL, From(resolve)), request)
        return await future

    def start_timer(
        self, machine: Machine, timeout_type: Any, time: float, absolute: bool
    ) -> Any:
        base = self._origin if absolute else self._loop.time()
        return self._loop.call_at(base + time / 1000.0, machine.fire, timeout_type)

    def cancel_timer(self, handle: Any) -> None:
        handle.cancel()
