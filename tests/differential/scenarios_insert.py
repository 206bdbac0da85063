"""Inserted-event scenarios, twins of the Erlang modules of the same names."""

from __future__ import annotations

from typing import Any

from .harness import Scenario, Traced


class NextEventListOrder(Traced):
    """Handle inserted events of every type in list order, before the queue."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if content == "go":
            return (
                "keep_state",
                data + 1,
                [
                    ("timeout", 50, "never"),
                    ("next_event", "internal", "i1"),
                    ("next_event", "cast", "c1"),
                    ("next_event", "info", "n1"),
                    ("next_event", ("timeout", "n"), "t1"),
                    ("next_event", "state_timeout", "s1"),
                    ("next_event", "timeout", "e1"),
                ],
            )
        return ("keep_state", data + 1)


class NextEventBeforePostponed(Traced):
    """Order enter call, inserted, postponed and queued events on a change."""

    callback_mode = "handle_event_function"
    state_enter = True

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", [])

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.log(state, event_type, content, data)
        if event_type == "enter":
            return "keep_state_and_data"
        if state == "a":
            if (event_type, content) == ("cast", "go"):
                inserted = [("next_event", "internal", "i1")]
                inserted.append(("next_event", "internal", "i2"))
                return ("next_state", "b", ["go", *data], inserted)
            if (event_type, content) == ("cast", "again"):
                return ("next_state", "b", ["again", *data])
            return ("keep_state_and_data", ["postpone"])
        if (event_type, content) == ("cast", "back"):
            return (
                "next_state",
                "a",
                ["back", *data],
                [("next_event", "internal", "stay")],
            )
        return ("keep_state", [content, *data])


class NextEventNestedCalls(Traced):
    """Insert events depth first and pass calls on through inserted events."""

    def init(self, base: int) -> Any:
        self.attach(base)
        return ("ok", "a", 0)

    def a(self, event_type: Any, content: Any, data: Any) -> Any:
        self.log("a", event_type, content, data)
        if (event_type, content) == ("cast", "go"):
            inserted = ["i1", "i2"]
            return (
                "keep_state",
                data + 1,
                [("next_event", "internal", name) for name in inserted],
            )
        if (event_type, content) == ("internal", "i1"):
            inserted = ["i11", "i12"]
            return (
                "keep_state",
                data + 1,
                [("next_event", "internal", name) for name in inserted],
            )
        if event_type == "internal" and type(content) is tuple:
            caller = content[1]
            return ("keep_state", data + 1, [("reply", caller, ("answered", data))])
        if type(event_type) is tuple and content == "ask":
            inserted_event = ("next_event", "internal", ("answer", event_type[1]))
            return ("keep_state_and_data", [inserted_event])
        if type(event_type) is tuple and content == "relay":
            inserted_event = ("next_event", event_type, ("relayed", "relay"))
            return ("keep_state_and_data", [inserted_event])
        if type(event_type) is tuple:
            caller = event_type[1]
            return ("keep_state", data + 1, [("reply", caller, ("relayed", data))])
        return ("keep_state", data + 1)


SCENARIOS = [
    Scenario(
        "next_event_list_order",
        NextEventListOrder,
        ((100, "cast", "go"), (100, "cast", "later"), (100, "info", "last")),
        200,
    ),
    Scenario(
        "next_event_before_postponed",
        NextEventBeforePostponed,
        (
            (100, "cast", "x"),
            (200, "cast", "y"),
            (300, "cast", "go"),
            (300, "cast", "z"),
            (400, "cast", "back"),
            (500, "cast", "again"),
        ),
        600,
    ),
    Scenario(
        "next_event_nested_calls",
        NextEventNestedCalls,
        (
            (100, "cast", "go"),
            (200, "call", "c1", "ask"),
            (300, "call", "c2", "relay"),
        ),
        400,
    ),
]
