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
from collections.abc import Callable
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
    """

    def __init__(self, observer: Observer | None = None) -> None:
        self.observer = observer
        self.now: float = 0
        self._heap: list[list[Any]] = []
        # Items due now, in the order they were scheduled. They always come
        # after heap items due now, which were scheduled earlier.
        self._ready: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._sequence = 0
        self.items_run = 0

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
        self._sequence += 1
        entry = [when, self._sequence, function, args]
        self._push(entry)
        return entry

    def _push(self, entry: list[Any]) -> None:
        # An item due now or earlier joins the items due now, after the ones
        # already scheduled, so the (due time, sequence) order holds.
        if entry[0] <= self.now:
            entry[0] = self.now
            self._ready.append((_run_entry, (entry,)))
        else:
            heapq.heappush(self._heap, entry)

    def cancel(self, handle: Any) -> None:
        """Cancel an item from ``schedule_at``; cancelling twice is harmless."""
        if handle is not None:
            handle[2] = None

    def _deliver(self, machine: Machine, event_type: Any, content: Any) -> None:
        self._ready.append((machine.receive, (event_type, content)))

    def cast(self, machine: Machine, message: Any) -> None:
        """Send ``message`` to ``machine`` as a cast event."""
        self._ready.append((machine.receive, (CAST, message)))

    def call(self, machine: Machine, request: Any) -> From:
        """Send a call; the returned handle gets the reply when one is sent."""
        caller = From()
        self._deliver(machine, (CALL, caller), request)
        return caller

    def start_timer(
        self, machine: Machine, timeout_type: Any, time: float, absolute: bool
    ) -> Any:
        when = time if absolute else self.now + time
        self._sequence += 1
        entry = [when, self._sequence, machine.timeout_fired, None]
        entry[3] = (timeout_type, entry)
        self._push(entry)
        return entry

    def cancel_timer(self, handle: Any) -> None:
        handle[2] = None

    # Running.

    def pending(self) -> int:
        """Count scheduled items, cancelled ones included."""
        return len(self._heap) + len(self._ready)

    def next_time(self) -> float | None:
        """Return the due time of the next item, or None when idle."""
        if self._ready:
            return self.now
        heap = self._heap
        while heap and heap[0][2] is None:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def run(self, until: float | None = None, max_items: int | None = None) -> int:
        """Run scheduled items in order; returns how many ran."""
        heap = self._heap
        ready = self._ready
        popleft = ready.popleft
        heappop = heapq.heappop
        limit = -1 if max_items is None else max_items
        count = 0
        now = self.now
        while count != limit:
            if heap and heap[0][0] == now:
                entry = heappop(heap)
            elif ready:
                function, args = popleft()
                count += 1
                function(*args)
                continue
            elif heap:
                if until is not None and heap[0][0] > until:
                    break
                entry = heappop(heap)
                now = self.now = entry[0]
            else:
                break
            function = entry[2]
            if function is None:
                continue
            count += 1
            function(*entry[3])
        if until is not None and now < until and not ready:
            if not heap or heap[0][0] > until:
                self.now = until
        self.items_run += count
        return count


def _run_entry(entry: list[Any]) -> None:
    function = entry[2]
    if function is not None:
        function(*entry[3])


class _AsyncioTimer:
    __slots__ = ("handle",)

    def __init__(self) -> None:
        self.handle: asyncio.TimerHandle | None = None


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
        self._loop.call_soon(machine.receive, event_type, content)

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
        timer = _AsyncioTimer()
        due = (
            self._origin + time / 1000.0
            if absolute
            else self._loop.time() + time / 1000.0
        )
        timer.handle = self._loop.call_at(
            due, machine.timeout_fired, timeout_type, timer
        )
        return timer

    def cancel_timer(self, handle: Any) -> None:
        if handle.handle is not None:
            handle.handle.cancel()
