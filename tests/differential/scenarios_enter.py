"""State enter call scenarios, twins of the Erlang modules of the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced


class RepeatStateRerunsEnter(Traced):
    """Rerun the enter call on repeat, not on keep or same-state results."""

    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if event_type == "enter":
            return ("keep_state", data + 1)
        if event_type != "cast":
            return "keep_state_and_data"
        if content == "rep":
            return "repeat_state_and_data"
        if content == "rep_data":
            return ("repeat_state", data + 10)
        if content == "keep":
            return ("keep_state", data + 100)
        if content == "same":
            return ("next_state", "a", data + 1000)
        if content == "rep_act":
            return ("repeat_state_and_data", [("state_timeout", 50, "st")])
        return "keep_state_and_data"


class EnterInitialActions(Traced):
    """Run the initial enter call, then init's inserted event."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        actions = [("next_event", "internal", "boot"), ("state_timeout", 250, "st0")]
        return ("ok", "start", 0, actions)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter" and state == "start":
            actions = [(("timeout", "n"), 150, "nt"), ("timeout", 50, "et")]
            return ("keep_state", data + 1, actions)
        if event_type == "enter" and state == "run":
            return ("keep_state_and_data", [("state_timeout", 100, "run_st")])
        if type(event_type) is tuple and event_type[0] == "call" and state == "start":
            return ("next_state", "run", data + 1, [("reply", event_type[1], "going")])
        if (event_type, content, state) == ("cast", "rep", "run"):
            return "repeat_state_and_data"
        return ("keep_state", data + 1)


class EnterRepeatFromEnter(Traced):
    """Call an enter call again while it returns repeat_state."""

    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if event_type == "enter" and data < 2:
            return ("repeat_state", data + 1)
        if event_type == "enter":
            return ("keep_state", data, [("state_timeout", 50, "done")])
        if event_type == "state_timeout":
            return ("next_state", "b", data + 1)
        return "keep_state_and_data"

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        if event_type == "enter":
            return ("next_state", "b", data + 1, [("state_timeout", 50, "b_done")])
        return ("keep_state", data + 1)


class CallsAnsweredLater(Traced):
    """Store the callers' Froms and reply to them from a later enter call."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "idle", [])

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter" and state == "idle":
            return ("keep_state", [], [("reply", caller, "done") for caller in data])
        if event_type == "enter":
            return "keep_state_and_data"
        if event_type == "state_timeout":
            return ("next_state", "idle", data)
        caller = event_type[1]
        if state == "idle":
            return (
                "next_state",
                "busy",
                [*data, caller],
                [("state_timeout", 150, "done")],
            )
        return ("keep_state", [*data, caller])


SCENARIOS = [
    Scenario(
        "repeat_state_reruns_enter",
        RepeatStateRerunsEnter,
        (
            (100, "cast", "rep"),
            (200, "cast", "rep_data"),
            (300, "cast", "keep"),
            (400, "cast", "same"),
            (500, "cast", "rep_act"),
        ),
        700,
    ),
    Scenario(
        "enter_initial_actions",
        EnterInitialActions,
        ((100, "call", "c1", "go"), (300, "cast", "rep")),
        500,
    ),
    Scenario(
        "enter_repeat_from_enter",
        EnterRepeatFromEnter,
        ((200, "cast", "check"),),
        300,
    ),
    Scenario(
        "calls_answered_later",
        CallsAnsweredLater,
        (
            (100, "call", "c1", "work"),
            (200, "call", "c2", "work"),
            (300, "call", "c3", "work"),
        ),
        600,
    ),
]
