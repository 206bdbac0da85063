"""State timeout: belongs to one state, cancelled only by a change of state."""

from __future__ import annotations

from typing import Any

import pytest

from consensus.engine import BadActionError

from .scripted import Scripted, spawn


def reacting(on_poke: Any) -> Any:
    """Script that returns ``on_poke`` for a "poke" cast, else keeps all."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "poke":
            return on_poke
        return "keep_state_and_data"

    return script


def test_fires_after_time() -> None:
    module = Scripted(actions=[("state_timeout", 10, "late")])
    runtime, machine = spawn(module)
    runtime.run()
    assert module.trace == [("idle", "state_timeout", "late")]
    assert module.timeline == [(10, "state_timeout", "late")]


@pytest.mark.parametrize(
    ("on_poke", "fired"),
    [
        (("next_state", "other", None), False),
        (("next_state", "other", None, []), False),
        ("keep_state_and_data", True),
        (("keep_state", 1), True),
        (("next_state", "idle", 1), True),
        ("repeat_state_and_data", True),
        (("repeat_state", 1, []), True),
    ],
)
def test_cancelled_only_by_state_change(on_poke: Any, fired: bool) -> None:
    module = Scripted(
        reacting(on_poke), actions=[("state_timeout", 10, "late")], state_enter=True
    )
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert ((10, "state_timeout", "late") in module.timeline) == fired


def test_set_on_change_belongs_to_new_state() -> None:
    on_poke = ("next_state", "other", None, [("state_timeout", 10, "new")])
    module = Scripted(reacting(on_poke), actions=[("state_timeout", 10, "old")])
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.trace[-1] == ("other", "state_timeout", "new")
    assert module.timeline == [(5, "cast", "poke"), (15, "state_timeout", "new")]


def test_set_by_enter_call_of_new_state() -> None:
    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "enter" and state == "other":
            return ("keep_state_and_data", [("state_timeout", 10, "entered")])
        if content == "poke":
            return ("next_state", "other", data)
        return "keep_state_and_data"

    module = Scripted(script, state_enter=True)
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.timeline[-1] == (15, "state_timeout", "entered")


def test_cancel_stops_it() -> None:
    on_poke = ("keep_state_and_data", [("state_timeout", "cancel")])
    module = Scripted(reacting(on_poke), actions=[("state_timeout", 10, "late")])
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.timeline == [(5, "cast", "poke")]
    assert machine.timers == {}


def test_update_keeps_time_changes_content() -> None:
    on_poke = ("keep_state_and_data", [("state_timeout", "update", "new")])
    module = Scripted(reacting(on_poke), actions=[("state_timeout", 10, "old")])
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.timeline == [(5, "cast", "poke"), (10, "state_timeout", "new")]


def test_update_not_running_fires_at_once() -> None:
    on_poke = ("keep_state_and_data", [("state_timeout", "update", "new")])
    module = Scripted(reacting(on_poke))
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.schedule(5, runtime.cast, machine, "after")
    runtime.run()
    assert module.timeline == [
        (5, "cast", "poke"),
        (5, "state_timeout", "new"),
        (5, "cast", "after"),
    ]


def test_update_after_change_fires_at_once() -> None:
    """The change cancels the old state's timeout before the update runs."""
    on_poke = ("next_state", "other", None, [("state_timeout", "update", "new")])
    module = Scripted(reacting(on_poke), actions=[("state_timeout", 10, "old")])
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.timeline == [(5, "cast", "poke"), (5, "state_timeout", "new")]


def test_restart_replaces_running_timer() -> None:
    on_poke = ("keep_state_and_data", [("state_timeout", 10, "second")])
    module = Scripted(reacting(on_poke), actions=[("state_timeout", 10, "first")])
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.timeline == [(5, "cast", "poke"), (15, "state_timeout", "second")]


def test_zero_fires_after_queue_before_external() -> None:
    actions = [("state_timeout", 0, "zero"), ("next_event", "internal", "queued")]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.cast(machine, "external")
    runtime.run()
    assert module.trace == [
        ("idle", "internal", "queued"),
        ("idle", "state_timeout", "zero"),
        ("idle", "cast", "external"),
    ]


def test_zero_cancelled_by_queued_state_change() -> None:
    """A zero state timeout waits behind queued events, so a change of
    state made by one of them cancels it."""
    actions = [("state_timeout", 0, "zero"), ("next_event", "internal", "go")]

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        return (
            ("next_state", "other", data) if content == "go" else "keep_state_and_data"
        )

    module = Scripted(script, actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.trace == [("idle", "internal", "go")]


@pytest.mark.parametrize(
    ("time", "fires_at"),
    [(25, 25), (5, 5), (3, 5), (-10, 5), ("infinity", None)],
    ids=["future", "now", "past", "negative", "infinity"],
)
def test_absolute_time(time: Any, fires_at: Any) -> None:
    """An absolute time is on the runtime clock; a past one fires at once."""
    on_poke = ("keep_state_and_data", [("state_timeout", time, "abs", {"abs": True})])
    module = Scripted(reacting(on_poke))
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    fired = [when for when, kind, _ in module.timeline if kind == "state_timeout"]
    assert fired == ([] if fires_at is None else [fires_at])


def test_absolute_false_is_relative() -> None:
    on_poke = ("keep_state_and_data", [("state_timeout", 10, "rel", {"abs": False})])
    module = Scripted(reacting(on_poke))
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "poke")
    runtime.run()
    assert module.timeline[-1] == (15, "state_timeout", "rel")


@pytest.mark.parametrize(
    "action",
    [
        ("state_timeout", -1, "x"),
        ("state_timeout", "soon", "x"),
        ("state_timeout", 5, "x", {"abs": "yes"}),
        ("state_timeout", 5, "x", {"relative": True}),
        ("state_timeout", -1, "x", {"abs": False}),
        ("state_timeout", "update", "x", {"abs": True}),
        ("state_timeout", "stop"),
        ("state_timeout",),
    ],
)
def test_invalid_state_timeout_raises(action: Any) -> None:
    module = Scripted(reacting(("keep_state_and_data", [action])))
    runtime, machine = spawn(module)
    runtime.cast(machine, "poke")
    with pytest.raises(BadActionError) as caught:
        runtime.run()
    assert caught.value.reason == ("bad_action_from_state_function", action)
    assert machine.stopped
