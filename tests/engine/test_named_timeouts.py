"""Named (generic) timeouts: one timer per name, never cancelled implicitly."""

from __future__ import annotations

from typing import Any

import pytest

from .scripted import Scripted, spawn


def on_cast(result: Any) -> Any:
    """Script that returns ``result`` for every cast, else keeps all."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        return result if kind == "cast" else "keep_state_and_data"

    return script


def fired(module: Scripted) -> list[tuple[Any, Any, Any]]:
    return [call for call in module.timeline if call[1] != "cast"]


def test_survives_state_changes() -> None:
    module = Scripted(
        on_cast(("next_state", "moved", None)),
        actions=[(("timeout", "n"), 10, "x")],
        state_enter=True,
    )
    runtime, machine = spawn(module)
    runtime.schedule(3, runtime.cast, machine, "go")
    runtime.run()
    assert module.trace[-1] == ("moved", ("timeout", "n"), "x")
    assert module.timeline[-1] == (10, ("timeout", "n"), "x")


def test_survives_events() -> None:
    module = Scripted(actions=[(("timeout", "n"), 10, "x")])
    runtime, machine = spawn(module)
    for when in (2, 4, 6):
        runtime.schedule(when, runtime.cast, machine, when)
    runtime.schedule(7, runtime.info, machine, "i")
    runtime.run()
    assert fired(module) == [(7, "info", "i"), (10, ("timeout", "n"), "x")]


def test_several_names_run_at_once() -> None:
    actions = [
        (("timeout", "a"), 10, "a"),
        (("timeout", "b"), 5, "b"),
        (("timeout", ("c", 1)), 15, "c"),
        ("timeout", 20, "event"),
        ("state_timeout", 7, "state"),
    ]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [
        (5, ("timeout", "b"), "b"),
        (7, "state_timeout", "state"),
        (10, ("timeout", "a"), "a"),
        (15, ("timeout", ("c", 1)), "c"),
    ]


def test_same_instant_start_order() -> None:
    """The engine starts the timers of one action list last action first,
    the order in which OTP 25 calls erlang:start_timer, and the virtual
    runtime fires timers due at one instant in start order."""
    actions = [(("timeout", "a"), 10, "a"), (("timeout", "b"), 10, "b")]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert [kind for _, kind, _ in module.timeline] == [
        ("timeout", "b"),
        ("timeout", "a"),
    ]


# action at t=5 on a timer "a" set to 10 with content "x", what fires
ACTIONS_ON_RUNNING = [
    ((("timeout", "a"), "cancel"), []),
    ((("timeout", "a"), "infinity", "y"), []),
    ((("timeout", "a"), "update", "y"), [(10, ("timeout", "a"), "y")]),
    ((("timeout", "a"), 0, "y"), [(5, ("timeout", "a"), "y")]),
    ((("timeout", "a"), 20, "y"), [(25, ("timeout", "a"), "y")]),
    ((("timeout", "a"), 30, "y", {"abs": True}), [(30, ("timeout", "a"), "y")]),
    ((("timeout", "b"), "cancel"), [(10, ("timeout", "a"), "x")]),
    (
        (("timeout", "b"), "update", "y"),
        [(5, ("timeout", "b"), "y"), (10, ("timeout", "a"), "x")],
    ),
]


@pytest.mark.parametrize(("action", "expected"), ACTIONS_ON_RUNNING)
def test_action_on_running_timer(action: Any, expected: list[Any]) -> None:
    module = Scripted(
        on_cast(("keep_state_and_data", [action])),
        actions=[(("timeout", "a"), 10, "x")],
    )
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "act")
    runtime.run()
    assert fired(module) == expected


def test_last_action_wins_per_name() -> None:
    actions = [
        (("timeout", "a"), 10, "a1"),
        (("timeout", "b"), 10, "b1"),
        (("timeout", "a"), 20, "a2"),
        (("timeout", "c"), 5, "c1"),
        (("timeout", "c"), "cancel"),
    ]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert module.timeline == [
        (10, ("timeout", "b"), "b1"),
        (20, ("timeout", "a"), "a2"),
    ]


def test_cancel_on_change_needs_action() -> None:
    """Leaving the state leaves a named timeout running until cancelled."""
    actions = [(("timeout", "a"), 10, "x")]
    cancel = ("next_state", "moved", None, [(("timeout", "a"), "cancel")])
    module = Scripted(on_cast(cancel), actions=actions)
    runtime, machine = spawn(module)
    runtime.schedule(5, runtime.cast, machine, "go")
    runtime.run()
    assert fired(module) == []
    assert machine.timers == {}
