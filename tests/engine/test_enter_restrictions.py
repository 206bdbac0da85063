"""What a state enter call may not do, and what it may.

An enter call may not change the state, postpone, insert events or switch
callback modules. Each attempt stops the machine, calls ``terminate`` and
raises an error whose message names the state, the enter event and the
offending value.
"""

from __future__ import annotations

from typing import Any

import pytest

from consensus.engine import BadActionError, BadResultError

from .scripted import Scripted, spawn

SELF = Scripted()

# what the enter call of state b returns, error class, reason tag
FORBIDDEN = [
    (
        ("next_state", "c", 0),
        BadResultError,
        "bad_state_enter_return_from_state_function",
    ),
    (
        ("next_state", "c", 0, []),
        BadResultError,
        "bad_state_enter_return_from_state_function",
    ),
    (
        ("keep_state_and_data", ["postpone"]),
        BadActionError,
        "bad_state_enter_action_from_state_function",
    ),
    # OTP 25 gives {postpone, true} the plain bad-action reason.
    (
        ("keep_state_and_data", [("postpone", True)]),
        BadActionError,
        "bad_action_from_state_function",
    ),
    (
        ("keep_state", 0, [("next_event", "internal", 1)]),
        BadActionError,
        "bad_state_enter_action_from_state_function",
    ),
    (
        ("keep_state_and_data", [("change_callback_module", SELF)]),
        BadActionError,
        "bad_state_enter_action_from_state_function",
    ),
    (
        ("keep_state_and_data", [("push_callback_module", SELF)]),
        BadActionError,
        "bad_state_enter_action_from_state_function",
    ),
]


def offending(result: Any) -> Any:
    if result[0] == "next_state":
        return result
    return result[-1][0]


@pytest.mark.parametrize(("result", "error", "tag"), FORBIDDEN)
def test_forbidden_enter_result_raises(result: Any, error: type, tag: str) -> None:
    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "enter" and state == "b":
            return result
        if content == "go":
            return ("next_state", "b", 0)
        return "keep_state_and_data"

    module = Scripted(script, state="a", data=0, state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.cast(machine, "after")
    with pytest.raises(error) as caught:
        runtime.run()
    message = str(caught.value)
    assert caught.value.reason == (tag, offending(result))
    assert "state 'b'" in message
    assert "('enter', 'a')" in message
    assert repr(offending(result)) in message
    assert caught.value.event == ("enter", "a")
    assert machine.stopped
    assert module.terminated == [(caught.value.reason, "b", 0)]
    assert ("b", "cast", "after") not in module.trace


def test_initial_enter_call_restricted() -> None:
    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        return ("keep_state_and_data", ["postpone"])

    module = Scripted(script, state="a", state_enter=True)
    with pytest.raises(BadActionError) as caught:
        spawn(module)
    assert caught.value.event == ("enter", "a")
    assert module.terminated == [(caught.value.reason, "a", None)]


# enter call results that are allowed
ALLOWED = [
    ("keep_state_and_data", "b"),
    (("next_state", "b", 0), "b"),
    (("keep_state_and_data", [("postpone", False)]), "b"),
    (("keep_state_and_data", ["hibernate", ("hibernate", True)]), "b"),
    (("keep_state_and_data", [("state_timeout", 5, "t"), ("timeout", 5, "e")]), "b"),
    (("keep_state_and_data", [(("timeout", "n"), 5, "n"), 5]), "b"),
    ("repeat_state_and_data", "b"),
    (("stop", "leaving"), None),
]


@pytest.mark.parametrize(("result", "state"), ALLOWED)
def test_allowed_enter_result_runs(result: Any, state: Any) -> None:
    """Allowed results run; repeat_state repeats the enter call once here."""
    entered: list[Any] = []

    def script(kind: Any, content: Any, current: Any, data: Any) -> Any:
        if kind == "enter" and current == "b":
            entered.append(result)
            return result if len(entered) == 1 else "keep_state_and_data"
        if content == "go":
            return ("next_state", "b", 0)
        return "keep_state_and_data"

    module = Scripted(script, state="a", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.run()
    assert machine.stopped == (state is None)
    if state is not None:
        assert machine.state == state
    repeats = 2 if result == "repeat_state_and_data" else 1
    assert len(entered) == repeats


def test_enter_call_may_reply() -> None:
    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "enter" and state == "b":
            return ("keep_state_and_data", [("reply", data, "from enter")])
        if kind == "enter":
            return "keep_state_and_data"
        return ("next_state", "b", kind[1])

    runtime, machine = spawn(Scripted(script, state="a", state_enter=True))
    caller = runtime.call(machine, "go")
    runtime.run()
    assert caller.value == "from enter"
