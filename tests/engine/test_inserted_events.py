"""Inserted events: next_event actions go ahead of the queue, in list order."""

from __future__ import annotations

from typing import Any

import pytest

from consensus.engine import BadActionError, From

from .scripted import Scripted, spawn

# event type of the inserted event, kind the callback records
INSERTABLE = [
    ("cast", "cast"),
    ("info", "info"),
    ("internal", "internal"),
    ("timeout", "timeout"),
    ("state_timeout", "state_timeout"),
    (("timeout", "n"), ("timeout", "n")),
]


@pytest.mark.parametrize(("event_type", "recorded"), INSERTABLE)
def test_any_event_type_insertable(event_type: Any, recorded: Any) -> None:
    """The inserted event runs before the cast that was already waiting."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "first":
            return ("keep_state_and_data", [("next_event", event_type, "inserted")])
        return "keep_state_and_data"

    module = Scripted(script)
    runtime, machine = spawn(module)
    runtime.cast(machine, "first")
    runtime.cast(machine, "second")
    runtime.run()
    assert module.trace == [
        ("idle", "cast", "first"),
        ("idle", recorded, "inserted"),
        ("idle", "cast", "second"),
    ]


def test_inserted_call_can_be_answered() -> None:
    caller = From()

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "first":
            return ("keep_state_and_data", [("next_event", ("call", caller), "q")])
        return ("keep_state_and_data", [("reply", kind[1], "a")])

    module = Scripted(script)
    runtime, machine = spawn(module)
    runtime.cast(machine, "first")
    runtime.run()
    assert module.trace[1] == ("idle", "call", "q")
    assert caller.value == "a"


def test_inserted_in_list_order_ahead_of_queue() -> None:
    """Events a inserts run before b, which was inserted earlier."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "start":
            return (
                "keep_state_and_data",
                [
                    ("next_event", "internal", "a"),
                    ("next_event", "internal", "b"),
                ],
            )
        if content == "a":
            return (
                "keep_state_and_data",
                [
                    ("next_event", "internal", "a1"),
                    ("next_event", "cast", "a2"),
                    ("next_event", "info", "a3"),
                ],
            )
        return "keep_state_and_data"

    module = Scripted(script)
    runtime, machine = spawn(module)
    runtime.cast(machine, "start")
    runtime.run()
    assert [content for _, _, content in module.trace] == [
        "start",
        "a",
        "a1",
        "a2",
        "a3",
        "b",
    ]


def test_inserted_before_retried_postponed() -> None:
    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if state == "a" and content == "p":
            return ("keep_state_and_data", ["postpone"])
        if content == "go":
            inserted = [
                ("next_event", "internal", "i1"),
                ("next_event", "internal", "i2"),
            ]
            return ("next_state", "b", data, inserted)
        return "keep_state_and_data"

    module = Scripted(script, state="a", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "p")
    runtime.cast(machine, "go")
    runtime.run()
    assert module.trace[3:] == [
        ("b", "enter", "a"),
        ("b", "internal", "i1"),
        ("b", "internal", "i2"),
        ("b", "cast", "p"),
    ]


def test_init_inserted_events_run_first() -> None:
    inserted = [("next_event", "internal", 1), ("next_event", "internal", 2)]
    module = Scripted(actions=inserted, state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "c")
    runtime.run()
    assert module.trace == [
        ("idle", "enter", "idle"),
        ("idle", "internal", 1),
        ("idle", "internal", 2),
        ("idle", "cast", "c"),
    ]


@pytest.mark.parametrize(
    "event_type",
    ["enter", "bogus", ("call", "no handle"), ("call",), ("timeout",), None],
)
def test_invalid_inserted_type_raises(event_type: Any) -> None:
    action = ("next_event", event_type, "x")

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        return ("keep_state_and_data", [action])

    module = Scripted(script)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    with pytest.raises(BadActionError) as caught:
        runtime.run()
    assert caught.value.reason == ("bad_action_from_state_function", action)
    assert repr(action) in str(caught.value)
    assert machine.stopped
