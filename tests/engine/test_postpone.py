"""Postponed events: kept until the state changes, then retried in order."""

from __future__ import annotations

from typing import Any

import pytest

from .scripted import Scripted, spawn


def internal(*contents: Any) -> list[Any]:
    return [("next_event", "internal", content) for content in contents]


def postpone_in_a(
    event_type: Any, content: Any, state: Any, data: Any, on_go: Any = None
) -> Any:
    """In state a, postpone events named p*; "go" returns ``on_go``."""
    if event_type == "enter":
        return "keep_state_and_data"
    if state == "a" and str(content).startswith("p"):
        return ("keep_state_and_data", ["postpone"])
    if content == "go":
        return on_go
    return "keep_state_and_data"


@pytest.mark.parametrize(
    "on_go",
    [
        "keep_state_and_data",
        ("keep_state", 1),
        ("next_state", "a", 1),
        "repeat_state_and_data",
        ("repeat_state", 1),
    ],
)
def test_not_retried_without_state_change(on_go: Any) -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        return postpone_in_a(event_type, content, state, data, on_go)

    module = Scripted(script, state="a", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "p1")
    runtime.cast(machine, "go")
    runtime.cast(machine, "later")
    runtime.run()
    assert [call for call in module.trace if call[1] != "enter"] == [
        ("a", "cast", "p1"),
        ("a", "cast", "go"),
        ("a", "cast", "later"),
    ]
    assert machine.postponed == [("cast", "p1")]


def test_retried_oldest_first_before_queue() -> None:
    """p1 and p2 are retried in b before "after", which was queued earlier."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "burst":
            return ("keep_state_and_data", internal("p1", "p2", "go", "after"))
        return postpone_in_a(
            event_type, content, state, data, ("next_state", "b", data)
        )

    module = Scripted(script, state="a")
    runtime, machine = spawn(module)
    runtime.cast(machine, "burst")
    runtime.run()
    assert module.trace == [
        ("a", "cast", "burst"),
        ("a", "internal", "p1"),
        ("a", "internal", "p2"),
        ("a", "internal", "go"),
        ("b", "internal", "p1"),
        ("b", "internal", "p2"),
        ("b", "internal", "after"),
    ]
    assert machine.postponed == []


def test_postpone_with_state_change_retries_at_once() -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if state == "a":
            return ("next_state", "b", data, ["postpone"])
        return "keep_state_and_data"

    module = Scripted(script, state="a")
    runtime, machine = spawn(module)
    runtime.cast(machine, "x")
    runtime.cast(machine, "y")
    runtime.run()
    assert module.trace == [("a", "cast", "x"), ("b", "cast", "x"), ("b", "cast", "y")]


def test_postponed_again_waits_next_change() -> None:
    """A retried event postponed again waits for the following change."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "p" and state in ("a", "b"):
            return ("keep_state_and_data", ["postpone"])
        if content == "go":
            return ("next_state", {"a": "b", "b": "c"}[state], data)
        return "keep_state_and_data"

    module = Scripted(script, state="a")
    runtime, machine = spawn(module)
    for content in ("p", "go", "x", "go"):
        runtime.cast(machine, content)
    runtime.run()
    assert module.trace == [
        ("a", "cast", "p"),
        ("a", "cast", "go"),
        ("b", "cast", "p"),
        ("b", "cast", "x"),
        ("b", "cast", "go"),
        ("c", "cast", "p"),
    ]


@pytest.mark.parametrize(
    ("actions", "postponed"),
    [
        (["postpone", ("postpone", False)], False),
        ([("postpone", False), "postpone"], True),
        ([("postpone", True)], True),
    ],
)
def test_last_postpone_action_wins(actions: list[Any], postponed: bool) -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "x":
            return ("keep_state_and_data", actions)
        return ("next_state", "b", data)

    module = Scripted(script, state="a")
    runtime, machine = spawn(module)
    runtime.cast(machine, "x")
    runtime.cast(machine, "go")
    runtime.run()
    assert (("b", "cast", "x") in module.trace) == postponed


def test_postponed_call_answered_later() -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if state == "busy" and content == "ask":
            return ("keep_state_and_data", ["postpone"])
        if content == "ask":
            return ("keep_state_and_data", [("reply", event_type[1], state)])
        return ("next_state", "free", data)

    runtime, machine = spawn(Scripted(script, state="busy"))
    caller = runtime.call(machine, "ask")
    runtime.run()
    assert not caller.replied
    runtime.cast(machine, "done")
    runtime.run()
    assert caller.value == "free"


def test_init_cannot_postpone() -> None:
    """init may list postpone, but its fake event is never retried."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        return ("next_state", "b", data)

    module = Scripted(script, state="a", actions=["postpone"])
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.run()
    assert module.trace == [("a", "cast", "go")]
    assert machine.postponed == []
