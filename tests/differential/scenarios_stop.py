"""Stop and crash scenarios, twins of the Erlang modules of the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced


class StopNormal(Traced):
    """Stop with reason normal; cancel timers and ignore later inputs."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if content == "arm":
            actions = [(("timeout", "n"), 150, "x"), ("state_timeout", 80, "y")]
            return ("keep_state", data + 1, actions)
        if content == "halt":
            return "stop"
        return "keep_state_and_data"


class StopReasonAndData(Traced):
    """Stop with a reason and new data."""

    callback_mode = "handle_event_function"

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", ("a", 1), 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if content == "halt":
            return ("stop", ("shutdown", "done"), ("final", data))
        return ("keep_state", data + 1)


class StopAndReplyStored(Traced):
    """Reply to stored and current callers in list order, then stop."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", [])

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        caller = event_type[1]
        if content == "hold":
            return ("keep_state", [caller, *data])
        _third, second, first = data
        replies = [("reply", first, "first"), ("reply", caller, "bye")]
        replies.append(("reply", second, "second"))
        return ("stop_and_reply", "normal", replies, ["last"])


class StopAndReplySingle(Traced):
    """Stop with a single reply action and the data kept."""

    callback_mode = "handle_event_function"

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if content == "quit":
            reply = ("reply", event_type[1], "bye")
            return ("stop_and_reply", ("shutdown", "quit"), reply)
        return ("keep_state", data + 1)


class StopFromEnter(Traced):
    """Stop from an enter call after the event's reply went out."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter" and state == "b":
            return ("stop", ("shutdown", "entered"))
        if event_type == "enter":
            return "keep_state_and_data"
        return ("next_state", "b", data + 1, [("reply", event_type[1], "ok")])


class BadEnterNextState(Traced):
    """Crash when an enter call returns next_state to another state."""

    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if event_type == "enter":
            return "keep_state_and_data"
        return ("next_state", "b", data + 1)

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        return ("next_state", "c", data + 1)


class BadEnterNextEvent(Traced):
    """Crash when an enter call inserts an event."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter" and state == "b":
            return ("keep_state", data + 1, [("next_event", "internal", "x")])
        if event_type == "enter":
            return "keep_state_and_data"
        return ("next_state", "b", data + 1)


class BadActionNewState(Traced):
    """Crash on a bad action after running the actions before it."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if content == "go":
            actions = [("reply", event_type[1], "x"), ("timeout", "bogus", "y")]
            return ("next_state", "b", data + 5, actions)
        return ("keep_state", data + 1)

    def b(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("b", event_type, content, data)
        return "keep_state_and_data"


SCENARIOS = [
    Scenario(
        "stop_normal",
        StopNormal,
        (
            (100, "cast", "arm"),
            (200, "cast", "halt"),
            (300, "cast", "after_stop"),
            (300, "call", "c1", "late"),
        ),
        400,
    ),
    Scenario(
        "stop_reason_and_data",
        StopReasonAndData,
        ((100, "cast", "bump"), (200, "cast", "halt"), (300, "cast", "after_stop")),
        400,
    ),
    Scenario(
        "stop_and_reply_stored",
        StopAndReplyStored,
        (
            (100, "call", "c1", "hold"),
            (200, "call", "c2", "hold"),
            (250, "call", "c3", "hold"),
            (300, "call", "c4", "quit"),
        ),
        400,
    ),
    Scenario(
        "stop_and_reply_single",
        StopAndReplySingle,
        ((100, "cast", "bump"), (200, "call", "c1", "quit")),
        300,
    ),
    Scenario(
        "stop_from_enter",
        StopFromEnter,
        ((100, "call", "c1", "go"), (200, "cast", "after_stop")),
        300,
    ),
    Scenario(
        "bad_enter_next_state",
        BadEnterNextState,
        ((100, "cast", "go"), (200, "cast", "after_crash")),
        300,
    ),
    Scenario(
        "bad_enter_next_event",
        BadEnterNextEvent,
        ((100, "cast", "go"), (200, "cast", "after_crash")),
        300,
    ),
    Scenario(
        "bad_action_new_state",
        BadActionNewState,
        (
            (100, "cast", "bump"),
            (200, "call", "c1", "go"),
            (300, "cast", "after_crash"),
        ),
        400,
    ),
]
