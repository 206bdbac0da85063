"""Errors the engine raises for callbacks that break the gen_statem contract."""

from __future__ import annotations

from typing import Any


class StateMachineError(Exception):
    """A callback returned something the engine cannot carry out.

    The machine has stopped by the time this is raised. ``reason`` is the
    Erlang-style reason term, for example
    ``("bad_return_from_state_function", result)``.
    """

    def __init__(self, reason: Any, state: Any, event: Any, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.state = state
        self.event = event


class BadResultError(StateMachineError):
    """A state callback returned a value that is not a valid result."""


class BadActionError(StateMachineError):
    """A state callback returned an action that is invalid where it was used."""


class CallbackModeError(StateMachineError):
    """The callback module declares no valid callback mode."""


class InitError(Exception):
    """``init`` returned a stop or an invalid value, so no machine started."""

    def __init__(self, reason: Any) -> None:
        super().__init__(f"init failed: {reason!r}")
        self.reason = reason
