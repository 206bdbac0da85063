"""Postpone scenarios, twins of the Erlang modules of the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced


class PostponeRetryOrder(Traced):
    """Retry postponed events only on a change of state, oldest first."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "locked", 0)

    def locked(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("locked", event_type, content, data)
        if content == "unlock":
            return ("next_state", "open", data + 1)
        if content == "noop":
            return "keep_state_and_data"
        if content == "same":
            return ("next_state", "locked", data + 1)
        return ("keep_state_and_data", ["postpone"])

    def open(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("open", event_type, content, data)
        if content == "lock":
            return ("next_state", "locked", data)
        return ("keep_state", data + 10)


class PostponeRepeatState(Traced):
    """Keep postponed events through repeat_state until a real change."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "idle", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter":
            return "keep_state_and_data"
        if state == "idle":
            if (event_type, content) == ("cast", "repeat"):
                return "repeat_state_and_data"
            if (event_type, content) == ("cast", "repeat_data"):
                return ("repeat_state", data + 1)
            if (event_type, content) == ("cast", "go"):
                return ("next_state", "busy", data + 1)
            return ("keep_state_and_data", "postpone")
        if (event_type, content) == ("cast", "back"):
            return ("next_state", "idle", data)
        return ("keep_state", data + 10)


class PostponeAndChangeState(Traced):
    """Retry an event that postpones itself while changing state."""

    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if event_type == "enter":
            return "keep_state_and_data"
        if (event_type, content) == ("cast", "jump"):
            return ("next_state", "b", data + 1, ["postpone"])
        if event_type == "cast":
            return ("keep_state_and_data", ["postpone"])
        return "keep_state_and_data"

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        return ("keep_state", data + 1)


class PostponeCalls(Traced):
    """Reply to postponed calls from the new state, in arrival order."""

    callback_mode = "handle_event_function"

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "waiting", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if state == "waiting":
            if event_type == "cast":
                return ("next_state", "ready", data)
            return ("keep_state_and_data", ["postpone"])
        caller = event_type[1]
        return ("keep_state", data + 1, [("reply", caller, (content, data))])


class PostponeTimeoutEvents(Traced):
    """Postpone state and named timeout events until the state changes."""

    def init(self, base: int) -> Any:
        self.attach(base)
        actions = [("state_timeout", 150, "st"), (("timeout", "n"), 250, "nt")]
        return ("ok", "a", 0, actions)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if event_type == "cast":
            return ("next_state", "b", data + 1, [("state_timeout", 50, "st_b")])
        return ("keep_state", data + 1, ["postpone"])

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        return ("keep_state", data + 1)


SCENARIOS = [
    Scenario(
        "postpone_retry_order",
        PostponeRetryOrder,
        (
            (100, "cast", "a"),
            (200, "cast", "b"),
            (300, "cast", "noop"),
            (400, "cast", "same"),
            (500, "cast", "unlock"),
            (600, "cast", "lock"),
            (700, "cast", "c"),
            (800, "cast", "unlock"),
        ),
        900,
    ),
    Scenario(
        "postpone_repeat_state",
        PostponeRepeatState,
        (
            (100, "cast", "x"),
            (200, "cast", "repeat"),
            (300, "cast", "y"),
            (400, "cast", "repeat_data"),
            (500, "cast", "go"),
            (600, "cast", "back"),
        ),
        700,
    ),
    Scenario(
        "postpone_and_change_state",
        PostponeAndChangeState,
        (
            (100, "cast", "p1"),
            (200, "cast", "p2"),
            (300, "cast", "jump"),
            (300, "cast", "q"),
            (300, "info", "r"),
        ),
        400,
    ),
    Scenario(
        "postpone_calls",
        PostponeCalls,
        (
            (100, "call", "c1", "first"),
            (200, "call", "c2", "second"),
            (300, "cast", "ready"),
            (400, "call", "c3", "third"),
        ),
        500,
    ),
    Scenario(
        "postpone_timeout_events",
        PostponeTimeoutEvents,
        ((300, "cast", "go"),),
        400,
    ),
]
