"""Callback modes, state enter calls, and errors in the callback module."""

from __future__ import annotations

from typing import Any

import pytest

from consensus.engine import (
    BadResultError,
    CallbackModeError,
    StateMachine,
    VirtualRuntime,
)

from .scripted import Scripted, spawn


class Switch(StateMachine):
    """Two states, one method each; a cast of "flip" moves between them."""

    def __init__(self, state_enter: bool = False) -> None:
        self.state_enter = state_enter
        self.trace: list[tuple[str, Any, Any]] = []
        self.terminated: list[tuple[Any, Any, Any]] = []

    def init(self) -> Any:
        return ("ok", "off", 0)

    def off(self, event_type: Any, content: Any, data: Any) -> Any:
        self.trace.append(("off", event_type, content))
        if content == "flip":
            return ("next_state", "on", data + 1)
        if content == "nowhere":
            return ("next_state", "nowhere", data)
        return "keep_state_and_data"

    def on(self, event_type: Any, content: Any, data: Any) -> Any:
        self.trace.append(("on", event_type, content))
        if content == "flip":
            return ("next_state", "off", data + 1)
        return "keep_state_and_data"

    def terminate(self, reason: Any, state: Any, data: Any) -> None:
        self.terminated.append((reason, state, data))


def test_state_functions_call_state_method() -> None:
    module = Switch()
    runtime = VirtualRuntime()
    machine = runtime.spawn(module)
    for _ in range(3):
        runtime.cast(machine, "flip")
    runtime.run()
    assert module.trace == [
        ("off", "cast", "flip"),
        ("on", "cast", "flip"),
        ("off", "cast", "flip"),
    ]
    assert machine.state == "on"
    assert machine.data == 3


def test_state_functions_enter_calls_method() -> None:
    """The enter call goes to the new state's method with the old state."""
    module = Switch(state_enter=True)
    runtime = VirtualRuntime()
    machine = runtime.spawn(module)
    runtime.cast(machine, "flip")
    runtime.run()
    assert module.trace == [
        ("off", "enter", "off"),
        ("off", "cast", "flip"),
        ("on", "enter", "off"),
    ]


def test_handle_event_function_gets_state() -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        return ("next_state", (state[0] + 1, content), data)

    module = Scripted(script, state=(0, None))
    runtime, machine = spawn(module)
    runtime.cast(machine, "a")
    runtime.cast(machine, "b")
    runtime.run()
    assert module.trace == [((0, None), "cast", "a"), ((1, "a"), "cast", "b")]
    assert machine.state == (2, "b")


@pytest.mark.parametrize(
    ("state_enter", "expected"),
    [
        (
            True,
            [
                ("a", "enter", "a"),
                ("a", "cast", "go"),
                ("b", "enter", "a"),
                ("b", "cast", "stay"),
            ],
        ),
        (False, [("a", "cast", "go"), ("b", "cast", "stay")]),
    ],
    ids=["enter-on", "enter-off"],
)
def test_state_enter_switch(state_enter: bool, expected: list[Any]) -> None:
    """State enter calls happen only when the module turns them on."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "go":
            return ("next_state", "b", data)
        return "keep_state_and_data"

    module = Scripted(script, state="a", state_enter=state_enter)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.cast(machine, "stay")
    runtime.run()
    assert module.trace == expected


def test_missing_state_function_raises() -> None:
    module = Switch()
    runtime = VirtualRuntime()
    machine = runtime.spawn(module)
    runtime.cast(machine, "nowhere")
    runtime.cast(machine, "flip")
    with pytest.raises(BadResultError) as caught:
        runtime.run()
    assert "'nowhere'" in str(caught.value)
    assert "no state function" in str(caught.value)
    assert caught.value.reason == ("undef_state_function", "nowhere")
    assert machine.stopped
    assert module.terminated == [(caught.value.reason, "nowhere", 0)]


@pytest.mark.parametrize("state", ["_private", "__init__", ("tuple", "state")])
def test_state_without_method_raises(state: Any) -> None:
    """Private names and non-string states have no state function."""

    class Module(Switch):
        def init(self) -> Any:
            return ("ok", state, 0)

    module = Module(state_enter=True)
    with pytest.raises(BadResultError) as caught:
        VirtualRuntime().spawn(module)
    assert repr(state) in str(caught.value)
    assert module.terminated != []


@pytest.mark.parametrize("mode", ["state_function", None, "handle_event"])
def test_bad_callback_mode_raises(mode: Any) -> None:
    class Module(Switch):
        callback_mode = mode

    with pytest.raises(CallbackModeError) as caught:
        VirtualRuntime().spawn(Module())
    assert repr(mode) in str(caught.value)
    assert "'state_functions' or 'handle_event_function'" in str(caught.value)
    assert caught.value.reason == ("bad_return_from_callback_mode", mode)


def test_handle_event_function_needs_handler() -> None:
    class Module(Switch):
        callback_mode = "handle_event_function"

    with pytest.raises(CallbackModeError) as caught:
        VirtualRuntime().spawn(Module())
    assert "defines no handle_event" in str(caught.value)


class Plain(StateMachine):
    """state_functions module without enter calls; "switch" runs ``action``."""

    def __init__(self, trace: list[Any], action: Any) -> None:
        self.trace = trace
        self.action = action

    def init(self) -> Any:
        return ("ok", "a", None)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.trace.append(("plain", "a", event_type, content))
        if content == "switch":
            return ("next_state", "b", data, [self.action])
        return "keep_state_and_data"


class Entering(StateMachine):
    """handle_event_function module with enter calls; "pop" pops it."""

    callback_mode = "handle_event_function"
    state_enter = True

    def __init__(self, trace: list[Any]) -> None:
        self.trace = trace

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.trace.append(("entering", state, event_type, content))
        if content == "pop":
            return ("next_state", "a", data, ["pop_callback_module"])
        return "keep_state_and_data"


def test_change_callback_module() -> None:
    """The new module, with its own mode and state enter setting, takes the
    enter call of the same transition and every later event."""
    trace: list[Any] = []
    entering = Entering(trace)
    runtime = VirtualRuntime()
    machine = runtime.spawn(Plain(trace, ("change_callback_module", entering)))
    runtime.cast(machine, "switch")
    runtime.cast(machine, "x")
    runtime.run()
    assert trace == [
        ("plain", "a", "cast", "switch"),
        ("entering", "b", "enter", "a"),
        ("entering", "b", "cast", "x"),
    ]
    assert machine.modules == [entering]


def test_push_and_pop_callback_module() -> None:
    trace: list[Any] = []
    entering = Entering(trace)
    plain = Plain(trace, ("push_callback_module", entering))
    runtime = VirtualRuntime()
    machine = runtime.spawn(plain)
    for content in ("switch", "x", "pop", "y"):
        runtime.cast(machine, content)
    runtime.run()
    assert trace == [
        ("plain", "a", "cast", "switch"),
        ("entering", "b", "enter", "a"),
        ("entering", "b", "cast", "x"),
        ("entering", "b", "cast", "pop"),
        ("plain", "a", "cast", "y"),
    ]
    assert machine.modules == [plain]
