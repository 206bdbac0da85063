"""The exact order in which a machine gets events after a state change.

After a change of state: the enter call, the inserted events in list
order, the postponed events oldest first, the rest of the queue, and last
the zero timeouts in action order, all before any new external event.
"""

from __future__ import annotations

from typing import Any

from .scripted import Scripted, spawn


def internal(*contents: Any) -> list[Any]:
    return [("next_event", "internal", content) for content in contents]


def test_full_order_after_state_change() -> None:
    go_actions = [
        ("next_event", "internal", "i1"),
        ("state_timeout", 0, "st0"),
        ("timeout", 0, "ev0"),
        (("timeout", "n"), 0, "n0"),
        ("next_event", "internal", "i2"),
    ]

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "enter":
            return "keep_state_and_data"
        if content == "burst":
            return ("keep_state_and_data", internal("p1", "p2", "go", "q1", "q2"))
        if state == "a" and content in ("p1", "p2"):
            return ("keep_state_and_data", ["postpone"])
        if content == "go":
            return ("next_state", "b", data, go_actions)
        return "keep_state_and_data"

    module = Scripted(script, state="a", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "burst")
    runtime.cast(machine, "external")
    runtime.run()
    after_go = module.trace[module.trace.index(("a", "internal", "go")) + 1 :]
    assert after_go == [
        ("b", "enter", "a"),
        ("b", "internal", "i1"),
        ("b", "internal", "i2"),
        ("b", "internal", "p1"),
        ("b", "internal", "p2"),
        ("b", "internal", "q1"),
        ("b", "internal", "q2"),
        ("b", "state_timeout", "st0"),
        ("b", ("timeout", "n"), "n0"),
        ("b", "cast", "external"),
    ]


def test_zero_timeouts_in_action_order() -> None:
    actions = [
        (("timeout", "z"), 0, "z"),
        ("state_timeout", 0, "s"),
        (("timeout", "y"), 0, "y"),
    ]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert [content for _, _, content in module.trace] == ["z", "s", "y"]


def test_zero_timeout_position_of_last_action() -> None:
    """A zero timeout set twice takes the place of its last action."""
    actions = [
        (("timeout", "a"), 0, "a1"),
        (("timeout", "b"), 0, "b"),
        (("timeout", "a"), 0, "a2"),
    ]
    module = Scripted(actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert [content for _, _, content in module.trace] == ["b", "a2"]


def test_earlier_zero_timeouts_run_first() -> None:
    """Zero timeouts queued by an earlier transition keep their place ahead
    of those a later transition adds."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "first":
            return ("keep_state_and_data", [(("timeout", "late"), 0, "late")])
        return "keep_state_and_data"

    actions = [(("timeout", "early"), 0, "early"), ("next_event", "internal", "first")]
    module = Scripted(script, actions=actions)
    runtime, machine = spawn(module)
    runtime.run()
    assert [content for _, _, content in module.trace] == ["first", "early", "late"]


def test_enter_actions_follow_event_actions() -> None:
    """The enter call's timeout actions come after the state call's, so they
    win for the same type and their zero timeouts queue later."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "enter" and state == "b":
            return (
                "keep_state_and_data",
                [
                    ("state_timeout", 20, "from enter"),
                    (("timeout", "y"), 0, "y"),
                ],
            )
        if content == "go":
            return (
                "next_state",
                "b",
                data,
                [
                    ("state_timeout", 10, "from event"),
                    (("timeout", "x"), 0, "x"),
                ],
            )
        return "keep_state_and_data"

    module = Scripted(script, state="a", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.run()
    assert module.timeline[2:] == [
        (0, "enter", "a"),
        (0, ("timeout", "x"), "x"),
        (0, ("timeout", "y"), "y"),
        (20, "state_timeout", "from enter"),
    ]


def test_repeat_state_order() -> None:
    """repeat_state makes the enter call but retries no postponed event."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if content == "p":
            return ("keep_state_and_data", ["postpone"])
        if content == "again":
            return ("repeat_state_and_data", internal("i"))
        return "keep_state_and_data"

    module = Scripted(script, state="a", state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "p")
    runtime.cast(machine, "again")
    runtime.run()
    assert module.trace == [
        ("a", "enter", "a"),
        ("a", "cast", "p"),
        ("a", "cast", "again"),
        ("a", "enter", "a"),
        ("a", "internal", "i"),
    ]


def test_enter_repeat_runs_enter_again() -> None:
    """An enter call returning repeat_state runs the enter call again."""

    def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
        if kind == "enter" and data < 2:
            return ("repeat_state", data + 1)
        if content == "go":
            return ("next_state", "b", 0)
        return "keep_state_and_data"

    module = Scripted(script, state="a", data=2, state_enter=True)
    runtime, machine = spawn(module)
    runtime.cast(machine, "go")
    runtime.run()
    assert module.trace[2:] == [("b", "enter", "a")] * 3
    assert machine.data == 2
