"""Runtimes: one callback module, two runtimes, one trace; virtual ordering.

The asyncio test runs in real time with timeouts of a few milliseconds. It
sets at most one timer at a time, so its trace depends only on causal
order, not on how busy the machine running the tests is.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from consensus.engine import AsyncioRuntime, VirtualRuntime

from .scripted import Scripted, spawn

ROOT = Path(__file__).resolve().parents[2]


def lock_script(kind: Any, content: Any, state: Any, data: Any) -> Any:
    """A lock that opens on a cast, re-locks on a state timeout, then stops
    after a named timeout and an event timeout."""
    if kind == "enter":
        return "keep_state_and_data"
    if type(kind) is tuple and kind[0] == "call":
        return ("keep_state_and_data", [("reply", kind[1], (content, state))])
    if content == "unlock":
        return ("next_state", "open", data + 1, [("state_timeout", 3, "relock")])
    if kind == "state_timeout" and content == "relock":
        actions = [(("timeout", "grace"), 2, "g"), ("state_timeout", 0, "now")]
        return ("next_state", "locked", data + 1, actions)
    if kind == ("timeout", "grace"):
        return ("keep_state_and_data", [("timeout", 2, "idle")])
    if kind == "timeout":
        return ("stop", "done", data + 1)
    return "keep_state_and_data"


def new_lock() -> Scripted:
    init = [("next_event", "internal", "boot")]
    return Scripted(lock_script, state="locked", data=0, actions=init, state_enter=True)


EXPECTED = [
    ("locked", "enter", "locked"),
    ("locked", "internal", "boot"),
    ("locked", "cast", "unlock"),
    ("open", "enter", "locked"),
    ("open", "call", "status"),
    ("open", "state_timeout", "relock"),
    ("locked", "enter", "open"),
    ("locked", "state_timeout", "now"),
    ("locked", ("timeout", "grace"), "g"),
    ("locked", "timeout", "idle"),
]


def run_virtual() -> tuple[list[Any], Any, Any]:
    module = new_lock()
    runtime, machine = spawn(module)
    runtime.cast(machine, "unlock")
    caller = runtime.call(machine, "status")
    runtime.run()
    return module.trace, caller.value, module.terminated


def run_asyncio() -> tuple[list[Any], Any, Any]:
    async def scenario() -> tuple[list[Any], Any, Any]:
        runtime = AsyncioRuntime()
        module = new_lock()
        machine = runtime.spawn(module)
        runtime.cast(machine, "unlock")
        reply = await asyncio.wait_for(runtime.call(machine, "status"), 2)
        while not machine.stopped:
            await asyncio.sleep(0.001)
        return module.trace, reply, module.terminated

    async def bounded() -> tuple[list[Any], Any, Any]:
        return await asyncio.wait_for(scenario(), 5)

    return asyncio.run(bounded())


def test_virtual_runtime_trace() -> None:
    trace, reply, terminated = run_virtual()
    assert trace == EXPECTED
    assert reply == ("status", "open")
    assert terminated == [("done", "locked", 3)]


def test_asyncio_runtime_same_trace() -> None:
    assert run_asyncio() == run_virtual()


def test_asyncio_absolute_timeout() -> None:
    """Absolute times on asyncio count from the runtime's creation."""

    async def scenario() -> tuple[list[Any], float]:
        runtime = AsyncioRuntime()
        module = Scripted(actions=[("state_timeout", 5, "abs", {"abs": True})])
        runtime.spawn(module)
        while not module.calls:
            await asyncio.sleep(0.001)
        return module.trace, runtime.now

    trace, now = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert trace == [("idle", "state_timeout", "abs")]
    assert now >= 5


def test_same_instant_runs_in_schedule_order() -> None:
    runtime = VirtualRuntime()
    order: list[Any] = []
    runtime.schedule(5, order.append, "a")
    runtime.schedule_at(5, order.append, "b")
    runtime.schedule(3, order.append, "early")
    runtime.schedule(5, order.append, "c")
    runtime.schedule(0, order.append, "now")
    runtime.run()
    assert order == ["now", "early", "a", "b", "c"]


def test_posted_items_keep_schedule_order() -> None:
    """post_at items share buckets and order with schedule_at items, and one
    posted for a time already reached runs after what is ready."""
    runtime = VirtualRuntime()
    order: list[Any] = []

    def at_five() -> None:
        order.append("a")
        runtime.post_at(1, order.append, "past due")

    runtime.schedule_at(5, at_five)
    runtime.post_at(5, order.append, "b")
    runtime.schedule_at(5, order.append, "c")
    runtime.post_at(2, order.append, "early")
    assert runtime.pending() == 4
    runtime.run()
    assert order == ["early", "a", "b", "c", "past due"]
    assert runtime.now == 5


def test_item_added_at_instant_runs_last() -> None:
    """An item scheduled with no delay while time t runs goes after every
    item already due at t."""
    runtime = VirtualRuntime()
    order: list[Any] = []

    def first() -> None:
        order.append("first")
        runtime.schedule(0, order.append, "added")

    runtime.schedule(5, first)
    runtime.schedule(5, order.append, "second")
    runtime.run()
    assert order == ["first", "second", "added"]


@pytest.mark.parametrize("names", ["xy", "yx"])
def test_timers_same_instant_in_start_order(names: str) -> None:
    """Two machines whose state timeouts fall due together fire in the order
    the machines started them."""
    fired: list[Any] = []

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        fired.append(content)
        return "keep_state_and_data"

    runtime = VirtualRuntime()
    for name in names:
        runtime.spawn(Scripted(script, actions=[("state_timeout", 10, name)]))
    runtime.run()
    assert fired == list(names)
    assert runtime.now == 10


def test_past_due_item_runs_in_schedule_order() -> None:
    runtime = VirtualRuntime()
    order: list[Any] = []

    def first() -> None:
        order.append("first")
        runtime.schedule_at(runtime.now, order.append, "past due")

    runtime.schedule(0, first)
    runtime.schedule(0, order.append, "second")
    runtime.run()
    assert order == ["first", "second", "past due"]


def test_past_absolute_timeout_waits_queued_cast() -> None:
    """OTP 25 sends the timeout of an absolute time already passed at once,
    so it arrives after a cast already in the mailbox."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "go":
            return (
                "keep_state_and_data",
                [("state_timeout", 0.5, "abs", {"abs": True})],
            )
        return "keep_state_and_data"

    module = Scripted(script)
    runtime, machine = spawn(module)
    runtime.schedule(1, runtime.cast, machine, "go")
    runtime.schedule(1, runtime.cast, machine, "later")
    runtime.run()
    assert [content for _, _, content in module.trace] == ["go", "later", "abs"]


def test_run_until_stops_clock() -> None:
    runtime = VirtualRuntime()
    order: list[Any] = []
    for when in (2, 7, 9):
        runtime.schedule(when, order.append, when)
    assert runtime.run(until=7) == 2
    assert runtime.now == 7
    assert runtime.run(until=8) == 0
    assert runtime.now == 8
    runtime.run()
    assert order == [2, 7, 9]


HASH_SCRIPT = """
from consensus.engine import StateMachine, VirtualRuntime

runtime = VirtualRuntime()
log = []


def canon(value):
    # Sets print sorted, so only the engine could make the output vary.
    if isinstance(value, frozenset):
        return sorted(map(repr, value))
    return value


class Node(StateMachine):
    callback_mode = "handle_event_function"
    state_enter = True

    def __init__(self, name):
        self.name = name

    def init(self):
        ticks = [(("timeout", ("tick", peer)), 5, peer) for peer in NAMES]
        return ("ok", frozenset([self.name]), {self.name: 0}, ticks)

    def handle_event(self, kind, content, state, data):
        log.append((runtime.now, canon(self.name), kind, canon(content), canon(state)))
        if kind == "enter":
            return "keep_state_and_data"
        if len(state) < 4:
            for peer in NAMES:
                runtime.cast(NODES[peer], (self.name, len(state)))
            seen = state | {str(content)}
            return ("next_state", seen, data, [("state_timeout", 3, "st")])
        return "keep_state_and_data"


NAMES = ["alpha", "beta", ("gamma", 3), frozenset({"delta"})]
NODES = {}
for name in NAMES:
    NODES[name] = runtime.spawn(Node(name))
runtime.run(until=100)
for line in log:
    print(repr(line))
"""


def test_trace_same_under_any_hash_seed(tmp_path: Path) -> None:
    script = tmp_path / "hash_run.py"
    script.write_text(HASH_SCRIPT)
    outputs = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=True,
        )
        outputs.append(done.stdout)
    assert len(outputs[0].splitlines()) > 50
    assert outputs[1] == outputs[0]
    assert outputs[2] == outputs[0]
