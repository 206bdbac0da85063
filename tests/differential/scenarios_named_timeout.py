"""Named-timeout and zero-timeout scenarios, twins of the Erlang modules of
the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced


def named(name: str) -> tuple[str, str]:
    return ("timeout", name)


class NamedTimeoutSurvivesChanges(Traced):
    """Keep named timeouts running across changes between tuple states."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", ("s", 1), 0, [(named("long"), 350, "fired")])

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter" and state == ("s", 3):
            return ("keep_state_and_data", [(named("gone"), "cancel")])
        if event_type == "enter":
            return "keep_state_and_data"
        if (event_type, content) == ("cast", "next") and state == ("s", 1):
            actions = [(named("short"), 50, "quick"), (named("gone"), 150, "never")]
            return ("next_state", ("s", 2), data + 1, actions)
        if (event_type, content) == ("cast", "next"):
            return ("next_state", ("s", state[1] + 1), data + 1)
        return ("keep_state", data + 1)


class NamedTimeoutUpdateRestart(Traced):
    """Update, restart and cancel named timeouts by name."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        actions = {
            "arm": (named("n"), 250, "v1"),
            "upd": (named("n"), "update", "v2"),
            "upd3": (named("n"), "update", "v3"),
            "arm_w": (named("n"), 250, "w1"),
            "restart": (named("n"), 50, "w2"),
            "arm_m": (named("m"), 150, "m1"),
            "inf": (named("m"), "infinity", "x"),
        }
        if event_type == "cast" and content in actions:
            return ("keep_state", data + 1, [actions[content]])
        return ("keep_state", data + 1)


class ZeroTimeoutsOrder(Traced):
    """Deliver zero timeouts in list order after the inserted events."""

    callback_mode = "handle_event_function"

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        event = (event_type, content)
        if event == ("cast", "go"):
            actions = [
                (named("n2"), 0, "z_n2"),
                ("state_timeout", 0, "z_st"),
                (named("n1"), 0, "z_n1"),
                ("timeout", 0, "z_ev"),
                ("next_event", "internal", "i"),
            ]
            return ("keep_state", data + 1, actions)
        if event == ("internal", "i"):
            actions = [(named("n2"), 0, "z_n2b"), ("state_timeout", "update", "z_st2")]
            return ("keep_state", data + 1, actions)
        return ("keep_state", data + 1)


class TimeoutLastActionWins(Traced):
    """Let the last timeout action of each kind and name win."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if (event_type, content) == ("cast", "go"):
            actions = [
                ("state_timeout", 50, "s1"),
                ("state_timeout", 150, "s2"),
                (named("n"), 50, "n1"),
                (named("n"), "cancel"),
                (named("m"), "cancel"),
                (named("m"), 250, "m2"),
                ("timeout", 350, "e1"),
                ("timeout", 50, "e2"),
                (named("k"), 0, "k0"),
                (named("k"), 200, "k1"),
            ]
            return ("keep_state", data + 1, actions)
        return ("keep_state", data + 1)


SCENARIOS = [
    Scenario(
        "named_timeout_survives_changes",
        NamedTimeoutSurvivesChanges,
        ((100, "cast", "next"), (200, "cast", "next"), (300, "cast", "next")),
        500,
    ),
    Scenario(
        "named_timeout_update_restart",
        NamedTimeoutUpdateRestart,
        (
            (100, "cast", "arm"),
            (200, "cast", "upd"),
            (400, "cast", "upd3"),
            (500, "cast", "arm_w"),
            (600, "cast", "restart"),
            (700, "cast", "arm_m"),
            (800, "cast", "inf"),
        ),
        1000,
    ),
    Scenario(
        "zero_timeouts_order",
        ZeroTimeoutsOrder,
        ((100, "cast", "go"), (100, "cast", "ext")),
        200,
    ),
    Scenario(
        "timeout_last_action_wins",
        TimeoutLastActionWins,
        ((100, "cast", "go"),),
        500,
    ),
]
