"""State-timeout and absolute-timeout scenarios, twins of the Erlang modules
of the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced

ABSOLUTE = {"abs": True}
RELATIVE = {"abs": False}


class StateTimeoutKeepAndChange(Traced):
    """Keep the state timeout across keeps, cancel it on a change of state."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "idle", 0, [("state_timeout", 150, "boot")])

    def idle(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("idle", event_type, content, data)
        event = (event_type, content)
        if event == ("state_timeout", "boot"):
            return ("next_state", "busy", data + 1, [("state_timeout", 100, "work")])
        if event == ("cast", "same"):
            return ("next_state", "idle", data + 1)
        if event == ("cast", "arm"):
            return ("keep_state", data + 1, [("state_timeout", 150, "lost")])
        if event == ("cast", "leave"):
            return ("next_state", "busy", data + 1)
        return "keep_state_and_data"

    def busy(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("busy", event_type, content, data)
        event = (event_type, content)
        if event == ("state_timeout", "work"):
            return ("next_state", "idle", data + 1, [("state_timeout", 200, "again")])
        if event == ("cast", "back"):
            return ("next_state", "idle", data + 1)
        return "keep_state_and_data"


class StateTimeoutZeroOrder(Traced):
    """Deliver a zero state timeout after inserted and postponed events."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        event = (event_type, content)
        if event_type == "enter":
            return "keep_state_and_data"
        if state == "a" and event == ("cast", "go"):
            actions = [("state_timeout", 0, "s0"), ("next_event", "internal", "i")]
            return ("next_state", "b", data + 1, actions)
        if state == "a":
            return ("keep_state_and_data", ["postpone"])
        if state == "b" and event == ("cast", "go2"):
            actions = [("state_timeout", 0, "s1"), ("next_event", "internal", "flip")]
            return ("next_state", "c", data + 1, actions)
        if state == "c" and event == ("internal", "flip"):
            return ("next_state", "d", data + 1)
        return ("keep_state", data + 1)


class StateTimeoutUpdate(Traced):
    """Update a running state timeout, a stopped one and one just cancelled;
    cancel a running one."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0, [("state_timeout", 250, "orig")])

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        event = (event_type, content)
        if event == ("cast", "upd"):
            return ("keep_state", data + 1, [("state_timeout", "update", "new")])
        if event == ("cast", "upd2"):
            return ("keep_state", data + 1, [("state_timeout", "update", "fresh")])
        if event == ("cast", "arm"):
            return ("keep_state", data + 1, [("state_timeout", 250, "armed")])
        if event == ("cast", "move"):
            return ("next_state", "b", data + 1, [("state_timeout", "update", "moved")])
        return ("keep_state", data + 1)

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        actions = {
            "arm": [("state_timeout", 150, "armed_b")],
            "can": [("state_timeout", "cancel")],
            "inf": [("state_timeout", 50, "i1"), ("state_timeout", "infinity", "i2")],
        }
        if event_type == "cast" and content in actions:
            return ("keep_state", data + 1, actions[content])
        return ("keep_state", data + 1)


class StateTimeoutEnterWins(Traced):
    """Let the enter call's state timeout override the event's."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter" and state == "a":
            return ("keep_state_and_data", [("state_timeout", 50, "init_enter")])
        if event_type == "enter" and state == "b":
            return ("keep_state_and_data", [("state_timeout", 150, "from_enter")])
        if event_type == "enter" and state == "c":
            return ("keep_state", data + 1, [("state_timeout", 100, "c_enter")])
        event = (event_type, content)
        if state == "a" and event == ("cast", "go"):
            return ("next_state", "b", data + 1, [("state_timeout", 50, "from_event")])
        if state == "b" and event == ("state_timeout", "from_enter"):
            return ("next_state", "c", data + 1)
        return ("keep_state", data + 1)


class TimeoutAbsolute(Traced):
    """Fire absolute timeouts of every kind on the runtime clock."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        base = self.base
        event = (event_type, content)
        if event == ("cast", "arm"):
            actions = [("state_timeout", base + 250, "abs1", ABSOLUTE)]
        elif event == ("cast", "arm2"):
            actions = [
                (("timeout", "n"), base + 450, "abs2", ABSOLUTE),
                ("timeout", 50, "rel", RELATIVE),
            ]
        elif event == ("cast", "past"):
            actions = [("state_timeout", base + 100, "late", ABSOLUTE)]
        elif event == ("cast", "abs_event"):
            actions = [("timeout", base + 650, "abs_ev", ABSOLUTE)]
        else:
            return ("keep_state", data + 1)
        return ("keep_state", data + 1, actions)


class TimeoutAbsolutePastQueued(Traced):
    """Fire a past absolute timeout after the event already queued."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if (event_type, content) == ("cast", "arm_past"):
            actions = [("state_timeout", self.base + 50, "late", ABSOLUTE)]
            return ("keep_state", data + 1, actions)
        return ("keep_state", data + 1)


SCENARIOS = [
    Scenario(
        "state_timeout_keep_and_change",
        StateTimeoutKeepAndChange,
        (
            (100, "cast", "noop"),
            (300, "cast", "same"),
            (600, "cast", "arm"),
            (700, "cast", "leave"),
            (800, "cast", "back"),
        ),
        900,
    ),
    Scenario(
        "state_timeout_zero_order",
        StateTimeoutZeroOrder,
        (
            (100, "cast", "x"),
            (200, "cast", "go"),
            (200, "cast", "y"),
            (300, "cast", "go2"),
        ),
        400,
    ),
    Scenario(
        "state_timeout_update",
        StateTimeoutUpdate,
        (
            (100, "cast", "upd"),
            (300, "cast", "upd2"),
            (400, "cast", "arm"),
            (500, "cast", "move"),
            (600, "cast", "arm"),
            (700, "cast", "can"),
            (800, "cast", "inf"),
        ),
        1000,
    ),
    Scenario(
        "state_timeout_enter_wins",
        StateTimeoutEnterWins,
        ((100, "cast", "go"),),
        500,
    ),
    Scenario(
        "timeout_absolute",
        TimeoutAbsolute,
        (
            (100, "cast", "arm"),
            (300, "cast", "arm2"),
            (500, "cast", "past"),
            (600, "cast", "abs_event"),
        ),
        800,
    ),
    Scenario(
        "timeout_absolute_past_queued",
        TimeoutAbsolutePastQueued,
        ((100, "cast", "arm_past"), (100, "cast", "queued")),
        200,
    ),
]
