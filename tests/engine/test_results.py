"""Callback results: every form, what it does to state and data, and stops."""

from __future__ import annotations

from typing import Any

import pytest

from consensus.engine import (
    cancel_timeout,
    event_timeout,
    generic_timeout,
    keep_state,
    keep_state_and_data,
    named,
    next_event,
    next_state,
    postpone,
    repeat_state,
    repeat_state_and_data,
    reply,
    state_timeout,
    stop,
    stop_and_reply,
    update_timeout,
)

from .scripted import Scripted, spawn

MARK = ("next_event", "internal", "mark")

# result, state after, data after, enter calls it makes, whether MARK ran
RESULTS = [
    (("next_state", "b", 1), "b", 1, 1, False),
    (("next_state", "b", 1, [MARK]), "b", 1, 1, True),
    (("next_state", "b", 1, MARK), "b", 1, 1, True),
    (("next_state", "a", 1), "a", 1, 0, False),
    (("next_state", "a", 1, [MARK]), "a", 1, 0, True),
    (("keep_state", 2), "a", 2, 0, False),
    (("keep_state", 2, [MARK]), "a", 2, 0, True),
    ("keep_state_and_data", "a", 0, 0, False),
    (("keep_state_and_data", [MARK]), "a", 0, 0, True),
    (("repeat_state", 3), "a", 3, 1, False),
    (("repeat_state", 3, [MARK]), "a", 3, 1, True),
    ("repeat_state_and_data", "a", 0, 1, False),
    (("repeat_state_and_data", [MARK]), "a", 0, 1, True),
]


@pytest.mark.parametrize(("result", "state", "data", "enters", "marked"), RESULTS)
def test_result_sets_state_and_data(
    result: Any, state: Any, data: Any, enters: int, marked: bool
) -> None:
    """A cast returns ``result``; the engine applies it and its actions."""

    def script(event_type: Any, content: Any, current: Any, data: Any) -> Any:
        if content == "go":
            return result
        return "keep_state_and_data"

    module = Scripted(script, state="a", data=0, state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.run()
    after_go = module.trace[2:]
    assert machine.state == state
    assert machine.data == data
    assert [call for call in after_go if call[1] == "enter"] == [
        (state, "enter", "a")
    ] * enters
    assert ((state, "internal", "mark") in after_go) == marked


@pytest.mark.parametrize(
    ("result", "reason", "data"),
    [
        ("stop", "normal", 0),
        (("stop", "bye"), "bye", 0),
        (("stop", "bye", 9), "bye", 9),
    ],
)
def test_stop_calls_terminate(result: Any, reason: Any, data: Any) -> None:
    def script(event_type: Any, content: Any, state: Any, current: Any) -> Any:
        return result if content == "stop" else "keep_state_and_data"

    module = Scripted(script, state="a", data=0)
    runtime, machine = spawn(module)
    runtime.cast(machine, "stop")
    runtime.cast(machine, "after")
    runtime.run()
    assert module.terminated == [(reason, "a", data)]
    assert machine.stopped
    assert machine.stop_reason == reason
    assert module.trace == [("a", "cast", "stop")]


def test_stop_cancels_timers() -> None:
    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        return "stop" if content == "stop" else "keep_state_and_data"

    timers = [
        ("state_timeout", 5, "s"),
        (("timeout", "n"), 5, "n"),
        ("timeout", 5, "e"),
    ]
    module = Scripted(script, actions=timers)
    runtime, machine = spawn(module)
    runtime.schedule(1, runtime.cast, machine, "stop")
    runtime.run()
    assert machine.timers == {}
    assert [kind for _, kind, _ in module.timeline] == ["cast"]


@pytest.mark.parametrize(
    ("replies", "data"),
    [
        (lambda caller: [("reply", caller, "ok")], 0),
        (lambda caller: ("reply", caller, "ok"), 0),
        (lambda caller: [("reply", caller, "ok")], 7),
    ],
    ids=["list", "single", "new-data"],
)
def test_stop_and_reply_replies_first(replies: Any, data: int) -> None:
    """The reply is sent before terminate, which gets reason, state, data."""
    replied_at_terminate: list[bool] = []

    def script(event_type: Any, content: Any, state: Any, current: Any) -> Any:
        caller = event_type[1]
        if data:
            return ("stop_and_reply", "done", replies(caller), data)
        return ("stop_and_reply", "done", replies(caller))

    module = Scripted(script, state="a", data=0)
    terminate = module.terminate

    def checking_terminate(reason: Any, state: Any, current: Any) -> None:
        replied_at_terminate.append(caller.replied)
        terminate(reason, state, current)

    module.terminate = checking_terminate  # type: ignore[method-assign]
    runtime, machine = spawn(module)
    caller = runtime.call(machine, "quit")
    runtime.run()
    assert caller.value == "ok"
    assert replied_at_terminate == [True]
    assert module.terminated == [("done", "a", data)]


def test_stop_and_reply_several_callers() -> None:
    """A stop may reply to a stored call and to the current one."""

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "first":
            return ("keep_state", event_type[1])
        replies = [("reply", data, 1), ("reply", event_type[1], 2)]
        return ("stop_and_reply", "normal", replies)

    module = Scripted(script)
    runtime, machine = spawn(module)
    first = runtime.call(machine, "first")
    second = runtime.call(machine, "second")
    runtime.run()
    assert (first.value, second.value) == (1, 2)
    assert machine.stop_reason == "normal"


# helper call, the tuple it must equal
HELPERS = [
    (next_state("b", 1), ("next_state", "b", 1)),
    (next_state("b", 1, [MARK]), ("next_state", "b", 1, [MARK])),
    (keep_state(2), ("keep_state", 2)),
    (keep_state(2, [MARK]), ("keep_state", 2, [MARK])),
    (keep_state_and_data(), "keep_state_and_data"),
    (keep_state_and_data([MARK]), ("keep_state_and_data", [MARK])),
    (repeat_state(3), ("repeat_state", 3)),
    (repeat_state(3, [MARK]), ("repeat_state", 3, [MARK])),
    (repeat_state_and_data(), "repeat_state_and_data"),
    (repeat_state_and_data([MARK]), ("repeat_state_and_data", [MARK])),
    (stop(), ("stop", "normal")),
    (stop("bye"), ("stop", "bye")),
    (stop("bye", 9), ("stop", "bye", 9)),
    (stop_and_reply("bye", []), ("stop_and_reply", "bye", [])),
    (stop_and_reply("bye", [], 9), ("stop_and_reply", "bye", [], 9)),
    (postpone(), "postpone"),
    (postpone(False), ("postpone", False)),
    (next_event("cast", "x"), ("next_event", "cast", "x")),
    (reply("caller", 5), ("reply", "caller", 5)),
    (event_timeout(5, "x"), ("timeout", 5, "x")),
    (event_timeout(5, "x", absolute=True), ("timeout", 5, "x", {"abs": True})),
    (state_timeout(5, "x"), ("state_timeout", 5, "x")),
    (state_timeout(5, "x", absolute=True), ("state_timeout", 5, "x", {"abs": True})),
    (generic_timeout("n", 5, "x"), (("timeout", "n"), 5, "x")),
    (
        generic_timeout("n", 5, "x", absolute=True),
        (("timeout", "n"), 5, "x", {"abs": True}),
    ),
    (named("n"), ("timeout", "n")),
    (cancel_timeout("state_timeout"), ("state_timeout", "cancel")),
    (cancel_timeout(named("n")), (("timeout", "n"), "cancel")),
    (update_timeout("timeout", "y"), ("timeout", "update", "y")),
]


@pytest.mark.parametrize(("built", "expected"), HELPERS)
def test_helper_builds_same_tuple(built: Any, expected: Any) -> None:
    assert built == expected
    assert type(built) is type(expected)


def test_hibernate_accepted_without_effect() -> None:
    actions = ["hibernate", ("hibernate", True), ("hibernate", False)]

    def script(event_type: Any, content: Any, state: Any, data: Any) -> Any:
        return ("keep_state", data + 1, actions)

    module = Scripted(script, data=0)
    runtime, machine = spawn(module)
    runtime.cast(machine, "a")
    runtime.cast(machine, "b")
    runtime.run()
    assert module.trace == [("idle", "cast", "a"), ("idle", "cast", "b")]
    assert machine.data == 2
    assert not machine.stopped
