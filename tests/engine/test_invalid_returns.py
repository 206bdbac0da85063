"""Invalid results, invalid actions and exceptions from callbacks.

Each stops the machine, calls ``terminate`` with the Erlang-style reason,
and raises an error naming the state, the event and the offending value.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from consensus.engine import BadActionError, BadResultError, From, InitError

from .scripted import Scripted, spawn

INVALID_RESULTS = [
    None,
    42,
    (),
    ("next_state",),
    ("next_state", "b"),
    ("next_state", "b", 1, [], "extra"),
    ("keep_state",),
    ("keep_state", 1, [], "extra"),
    ("keep_state_and_data", [], "extra"),
    ("repeat_state",),
    ("repeat_state_and_data", [], "extra"),
    ("stop",),
    ("stop", "reason", 1, "extra"),
    ("stop_and_reply", "reason"),
    ("bogus", 1),
    "keep_state",
    "next_state",
    "repeat_state",
    ["keep_state_and_data"],
]


def run_result(result: Any) -> tuple[Scripted, Any, Any]:
    """Return ``result`` for a cast of "go"; run until the machine raises."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        return result if content == "go" else "keep_state_and_data"

    module = Scripted(script, state="a", data=0)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.cast(machine, "after")
    return module, runtime, machine


@pytest.mark.parametrize("result", INVALID_RESULTS, ids=repr)
def test_invalid_result_raises(result: Any) -> None:
    module, runtime, machine = run_result(result)
    with pytest.raises(BadResultError) as caught:
        runtime.run()
    message = str(caught.value)
    assert caught.value.reason == ("bad_return_from_state_function", result)
    assert "state 'a'" in message
    assert "('cast', 'go')" in message
    assert repr(result) in message
    assert machine.stopped
    assert module.terminated == [(caught.value.reason, "a", 0)]
    assert module.trace == [("a", "cast", "go")]


def test_stop_and_reply_needs_replies() -> None:
    result = ("stop_and_reply", "reason", ["not a reply"])
    module, runtime, machine = run_result(result)
    with pytest.raises(BadResultError) as caught:
        runtime.run()
    assert caught.value.reason == (
        "bad_reply_action_from_state_function",
        "not a reply",
    )
    assert "'not a reply'" in str(caught.value)
    assert module.terminated == [(caught.value.reason, "a", 0)]


INVALID_ACTIONS = [
    None,
    "bogus",
    True,
    -5,
    math.nan,
    ("reply", "not a From", 1),
    ("reply", From()),
    ("postpone", "yes"),
    ("postpone", 1),
    ("hibernate", "yes"),
    "pop_callback_module",
    ("change_callback_module",),
    ("next_event", "internal"),
    ("timeout",),
    ("timeout", "cancel", "x"),
    ("timeout", -1, "x"),
    ("timeout", 5, "x", {"abs": 1}),
    (("timeout", "n"), "later", "x"),
    (("timeout", "n", "extra"), 5, "x"),
    ("enter", 5, "x"),
]


@pytest.mark.parametrize("action", INVALID_ACTIONS, ids=repr)
def test_invalid_action_raises(action: Any) -> None:
    module, runtime, machine = run_result(("keep_state_and_data", [action]))
    with pytest.raises(BadActionError) as caught:
        runtime.run()
    message = str(caught.value)
    assert caught.value.reason == ("bad_action_from_state_function", action)
    assert "state 'a'" in message
    assert "('cast', 'go')" in message
    assert repr(action) in message
    assert machine.stopped
    assert module.terminated == [(caught.value.reason, "a", 0)]


def test_valid_actions_before_invalid_run() -> None:
    """Actions run in list order, so a reply before a bad action is sent."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        return ("keep_state_and_data", [("reply", kind[1], "sent"), "bogus"])

    runtime, machine = spawn(Scripted(script))
    caller = runtime.call(machine, "go")
    with pytest.raises(BadActionError):
        runtime.run()
    assert caller.value == "sent"


def test_callback_exception_stops_machine() -> None:
    failure = ValueError("boom")

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        raise failure

    module = Scripted(script, state="a", data=0)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.cast(machine, "after")
    with pytest.raises(ValueError, match="boom"):
        runtime.run()
    assert machine.stopped
    assert module.terminated == [(failure, "a", 0)]
    runtime.run()
    assert module.trace == [("a", "cast", "go")]


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (("stop", "no"), ("stop", "no")),
        ("ignore", "ignore"),
        (("ok", "a"), ("bad_return_from_init", ("ok", "a"))),
        (None, ("bad_return_from_init", None)),
    ],
)
def test_init_failure_raises(result: Any, reason: Any) -> None:
    module = Scripted()
    module.init_result = result
    with pytest.raises(InitError) as caught:
        spawn(module)
    assert caught.value.reason == reason
    assert module.terminated == []
