"""Event-timeout scenarios, twins of the Erlang modules of the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced


class EventTimeoutIdle(Traced):
    """Fire event timeouts set by init, by integers and by tuples."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0, [("timeout", 50, "boot")])

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        event = (event_type, content)
        if event == ("timeout", "boot"):
            return ("keep_state", data + 1, [100])
        if event == ("cast", "ping"):
            return ("keep_state", data + 1, [("timeout", 50, "t2")])
        if event == ("cast", "inf"):
            return ("keep_state", data + 1, [("timeout", "infinity", "never")])
        if event == ("cast", "zero"):
            return ("keep_state", data + 1, 0)
        return ("keep_state", data + 1)


class EventTimeoutCancelByEvent(Traced):
    """Cancel the event timeout with a plain event and a postponed one."""

    callback_mode = "handle_event_function"

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "idle", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        event = (event_type, content)
        if event == ("cast", "arm"):
            return ("keep_state", data + 1, [("timeout", 150, "et1")])
        if event == ("cast", "arm_short"):
            return ("keep_state", data + 1, [("timeout", 50, "et2")])
        if event == ("info", "held"):
            return ("keep_state_and_data", ["postpone"])
        return "keep_state_and_data"


class EventTimeoutCancelByQueued(Traced):
    """Cancel the event timeout with inserted, retried and zero-timeout events."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        event = (event_type, content)
        if event == ("cast", "p"):
            return ("keep_state_and_data", ["postpone"])
        if event == ("cast", "go"):
            actions = [("timeout", 50, "et1"), ("next_event", "internal", "i")]
            return ("keep_state", data + 1, actions)
        if event == ("cast", "go2"):
            return ("next_state", "b", data + 1, [("timeout", 50, "et2")])
        return ("keep_state", data + 1)

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        event = (event_type, content)
        if event == ("cast", "go3"):
            return ("keep_state", data + 1, [("timeout", 50, "et3")])
        if event == ("cast", "go4"):
            actions = [("timeout", 50, "et4"), ("state_timeout", 0, "s0")]
            return ("keep_state", data + 1, actions)
        return ("keep_state", data + 1)


class EventTimeoutZero(Traced):
    """Deliver a zero event timeout before the next external event."""

    callback_mode = "handle_event_function"

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        event = (event_type, content)
        if event == ("cast", "z1"):
            return ("keep_state", data + 1, [("timeout", 0, "ez1")])
        if event == ("cast", "z2"):
            return ("keep_state", data + 1, [("timeout", 0, "ez2")])
        if event == ("cast", "z3"):
            actions = [("timeout", 0, "ez3"), ("next_event", "internal", "i")]
            return ("keep_state", data + 1, actions)
        if event == ("cast", "z4"):
            return ("next_state", ("b", data), data + 1, [("timeout", 0, "ez4")])
        return ("keep_state", data + 1)


class EventTimeoutUpdateCancel(Traced):
    """Update, cancel and override the event timeout within one list."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        actions = {
            "arm": [("timeout", 250, "a1")],
            "upd": [("timeout", "update", "u1")],
            "can": [("timeout", 150, "c1"), ("timeout", "cancel")],
            "two": [("timeout", 150, "first"), ("timeout", 50, "second")],
            "inf": [("timeout", 50, "x"), ("timeout", "infinity", "y")],
        }
        if event_type == "cast" and content in actions:
            return ("keep_state", data + 1, actions[content])
        return ("keep_state", data + 1)


SCENARIOS = [
    Scenario(
        "event_timeout_idle",
        EventTimeoutIdle,
        ((300, "cast", "ping"), (400, "cast", "inf"), (500, "cast", "zero")),
        600,
    ),
    Scenario(
        "event_timeout_cancel_by_event",
        EventTimeoutCancelByEvent,
        (
            (100, "cast", "arm"),
            (200, "cast", "poke"),
            (300, "cast", "arm"),
            (400, "info", "held"),
            (500, "cast", "arm_short"),
        ),
        700,
    ),
    Scenario(
        "event_timeout_cancel_by_queued",
        EventTimeoutCancelByQueued,
        (
            (100, "cast", "p"),
            (200, "cast", "go"),
            (300, "cast", "go2"),
            (400, "cast", "go3"),
            (500, "cast", "go4"),
        ),
        700,
    ),
    Scenario(
        "event_timeout_zero",
        EventTimeoutZero,
        (
            (100, "cast", "z1"),
            (200, "cast", "z2"),
            (200, "cast", "other"),
            (300, "cast", "z3"),
            (400, "cast", "z4"),
        ),
        500,
    ),
    Scenario(
        "event_timeout_update_cancel",
        EventTimeoutUpdateCancel,
        (
            (100, "cast", "arm"),
            (200, "cast", "upd"),
            (300, "cast", "can"),
            (400, "cast", "two"),
            (500, "cast", "inf"),
        ),
        700,
    ),
]
