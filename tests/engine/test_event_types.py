"""Event types: what the callback receives for each way an event arrives."""

from __future__ import annotations

from typing import Any

import pytest

from consensus.engine import From

from .scripted import Scripted, spawn


def test_call_gets_from_handle() -> None:
    received: list[Any] = []

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        received.append(event_type)
        return ("keep_state_and_data", [("reply", event_type[1], ("pong", content))])

    runtime, machine = spawn(Scripted(script))
    caller = runtime.call(machine, "ping")
    assert not caller.replied
    runtime.run()
    assert received == [("call", caller)]
    assert isinstance(caller, From)
    assert caller.value == ("pong", "ping")


def test_second_reply_is_ignored() -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        caller = event_type[1]
        return ("keep_state_and_data", [("reply", caller, 1), ("reply", caller, 2)])

    runtime, machine = spawn(Scripted(script))
    caller = runtime.call(machine, "twice")
    runtime.run()
    assert caller.value == 1


def test_call_answered_later_from_another_state() -> None:
    """The enter call of the next state replies to a call stored in the data."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if event_type == "enter" and state == "ready":
            return ("keep_state", None, [("reply", data, "now ready")])
        if content == "wait":
            return ("keep_state", event_type[1])
        if content == "ready":
            return ("next_state", "ready", data)
        return "keep_state_and_data"

    module = Scripted(script, state="waiting", state_enter=True)
    runtime, machine = spawn(module)
    caller = runtime.call(machine, "wait")
    runtime.run()
    assert not caller.replied
    runtime.schedule(5, runtime.cast, machine, "ready")
    runtime.run()
    assert caller.value == "now ready"
    assert machine.data is None


def test_cast_and_info_types() -> None:
    module = Scripted()
    runtime, machine = spawn(module)
    runtime.cast(machine, "c")
    runtime.info(machine, "i")
    runtime.run()
    assert module.trace == [("idle", "cast", "c"), ("idle", "info", "i")]


# action set by init, the event it produces: (time, type, content)
GENERATED = [
    (("next_event", "internal", "x"), (0, "internal", "x")),
    (("timeout", 5, "e"), (5, "timeout", "e")),
    (("state_timeout", 5, "s"), (5, "state_timeout", "s")),
    ((("timeout", "n"), 5, "g"), (5, ("timeout", "n"), "g")),
    ((("timeout", ("any", "term")), 5, "g"), (5, ("timeout", ("any", "term")), "g")),
]


@pytest.mark.parametrize(("action", "event"), GENERATED)
def test_engine_generated_event_types(action: Any, event: Any) -> None:
    module = Scripted(actions=[action])
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [event]


def test_enter_content_is_previous_state() -> None:
    """The first enter call names the initial state as its previous state."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if event_type == "cast":
            return ("next_state", content, data)
        return "keep_state_and_data"

    module = Scripted(script, state="s0", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "s1")
    runtime.cast(machine, "s2")
    runtime.run()
    enters = [call for call in module.trace if call[1] == "enter"]
    assert enters == [
        ("s0", "enter", "s0"),
        ("s1", "enter", "s0"),
        ("s2", "enter", "s1"),
    ]
