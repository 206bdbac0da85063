"""Event timeout: fires after a quiet period, cancelled by any event."""

from __future__ import annotations

from typing import Any

import pytest

from .scripted import Scripted, spawn


def test_fires_when_no_event_arrives() -> None:
    module = Scripted(actions=[("timeout", 10, "quiet")])
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [(10, "timeout", "quiet")]
    assert "timeout" not in machine.timers


@pytest.mark.parametrize("kind", ["cast", "info"])
def test_cancelled_by_external_event(kind: str) -> None:
    module = Scripted(actions=[("timeout", 10, "quiet")])
    runtime, machine = spawn(module)
    send = runtime.cast if kind == "cast" else runtime.info
    runtime.schedule(5, send, machine, "x")
    runtime.run()
    assert module.timeline == [(5, kind, "x")]


def test_cancelled_by_inserted_event() -> None:
    actions = [("timeout", 10, "quiet"), ("next_event", "internal", "i")]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [(0, "internal", "i")]


@pytest.mark.parametrize(("postponed", "fired"), [(True, False), (False, True)])
def test_cancelled_by_retried_postponed(postponed: bool, fired: bool) -> None:
    """A postponed event retried after the state change cancels the timeout."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "p" and state == "a":
            return ("keep_state_and_data", ["postpone"] if postponed else [])
        if content == "go":
            return ("next_state", "b", data, [("timeout", 10, "quiet")])
        return "keep_state_and_data"

    module = Scripted(script, state="a")
    runtime, machine = spawn(module)
    runtime.cast(machine, "p")
    runtime.cast(machine, "go")
    runtime.run()
    assert ((10, "timeout", "quiet") in module.timeline) == fired


def test_restarted_by_each_transition() -> None:
    """Each event cancels the timeout; the callback sets it again."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "timeout":
            return "keep_state_and_data"
        return ("keep_state_and_data", [("timeout", 10, "quiet")])

    module = Scripted(script, actions=[("timeout", 10, "quiet")])
    runtime, machine = spawn(module)
    runtime.schedule(4, runtime.cast, machine, "a")
    runtime.schedule(8, runtime.cast, machine, "b")
    runtime.run()
    assert module.timeline == [
        (4, "cast", "a"),
        (8, "cast", "b"),
        (18, "timeout", "quiet"),
    ]


def test_zero_fires_before_next_external_event() -> None:
    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "a":
            return ("keep_state_and_data", [("timeout", 0, "zero")])
        return "keep_state_and_data"

    module = Scripted(script)
    runtime, machine = spawn(module)
    runtime.cast(machine, "a")
    runtime.cast(machine, "b")
    runtime.run()
    assert module.timeline == [
        (0, "cast", "a"),
        (0, "timeout", "zero"),
        (0, "cast", "b"),
    ]


def test_zero_cancelled_by_queued_event() -> None:
    """A zero event timeout fires only if no queued event comes first."""
    actions = [("timeout", 0, "zero"), ("next_event", "internal", "queued")]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [(0, "internal", "queued")]
    assert machine.zero_timeouts == []


@pytest.mark.parametrize(("action", "content"), [(7, 7), (0, 0), (2.5, 2.5)])
def test_number_action_is_event_timeout(action: Any, content: Any) -> None:
    """A bare time is an event timeout whose content is that time."""
    module = Scripted(actions=[action])
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [(action, "timeout", content)]


@pytest.mark.parametrize(
    "actions",
    [
        [("timeout", "infinity", "never")],
        [("timeout", 10, "x"), ("timeout", "infinity", "never")],
        [("timeout", 10, "x"), "infinity"],
        [("timeout", 10, "x"), ("timeout", "cancel")],
        [("timeout", 10, "x"), ("timeout", 0, "y"), ("timeout", "cancel")],
    ],
    ids=["infinity", "infinity-last", "bare-infinity", "cancel", "cancel-zero"],
)
def test_infinity_and_cancel_never_fire(actions: list[Any]) -> None:
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == []
    assert machine.timers == {}


def test_update_fires_at_once() -> None:
    """Any event cancels the event timeout, so an update finds none running
    and fires at once with the new content, as a zero timeout does."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "a":
            return ("keep_state_and_data", [("timeout", "update", "new")])
        return "keep_state_and_data"

    module = Scripted(script, actions=[("timeout", 10, "old")])
    runtime, machine = spawn(module)
    runtime.schedule(3, runtime.cast, machine, "a")
    runtime.schedule(3, runtime.cast, machine, "b")
    runtime.run()
    assert module.timeline == [
        (3, "cast", "a"),
        (3, "timeout", "new"),
        (3, "cast", "b"),
    ]


def test_last_event_timeout_action_wins() -> None:
    actions = [("timeout", 5, "first"), ("timeout", 10, "second")]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [(10, "timeout", "second")]
