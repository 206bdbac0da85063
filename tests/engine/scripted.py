"""A scripted callback module that records every callback the engine makes.

A test states the behaviour of a machine as one function of ``(event_type,
content, state, data)`` that returns a gen_statem result. :class:`Scripted`
runs it in ``handle_event_function`` mode and records each call, state
enter calls included, so a test can assert the exact order (and virtual
time) in which the engine delivered events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from consensus.engine import (
    HANDLE_EVENT_FUNCTION,
    Machine,
    StateMachine,
    VirtualRuntime,
)

Script = Callable[[Any, Any, Any, Any], Any]


def kind(event_type: Any) -> Any:
    """Return ``"call"`` for a ``("call", From)`` event type, else the type."""
    if type(event_type) is tuple and event_type[0] == "call":
        return "call"
    return event_type


def keep(event_type: Any, content: Any, state: Any, data: Any) -> Any:
    """Script that accepts every event and changes nothing."""
    return "keep_state_and_data"


class Scripted(StateMachine):
    """Callback module whose results come from ``script``.

    ``calls`` lists ``(time, state, kind, content)`` for every callback in
    the order the engine made them, and ``terminated`` lists the arguments
    of each ``terminate`` call.
    """

    callback_mode = HANDLE_EVENT_FUNCTION

    def __init__(
        self,
        script: Script = keep,
        state: Any = "idle",
        data: Any = None,
        actions: Any = None,
        *,
        state_enter: bool = False,
    ) -> None:
        self.script = script
        if actions is None:
            self.init_result: Any = ("ok", state, data)
        else:
            self.init_result = ("ok", state, data, actions)
        self.state_enter = state_enter
        self.clock: Callable[[], float] = lambda: 0
        self.calls: list[tuple[float, Any, Any, Any]] = []
        self.terminated: list[tuple[Any, Any, Any]] = []

    def init(self) -> Any:
        return self.init_result

    def handle_event(self, event_type: Any, content: Any, state: Any, data: Any) -> Any:
        self.calls.append((self.clock(), state, kind(event_type), content))
        return self.script(event_type, content, state, data)

    def terminate(self, reason: Any, state: Any, data: Any) -> None:
        self.terminated.append((reason, state, data))

    @property
    def trace(self) -> list[tuple[Any, Any, Any]]:
        """The calls as ``(state, kind, content)``, without times."""
        return [(state, kind, content) for _, state, kind, content in self.calls]

    @property
    def timeline(self) -> list[tuple[float, Any, Any]]:
        """The calls as ``(time, kind, content)``, without states."""
        return [(time, kind, content) for time, _, kind, content in self.calls]


def spawn(module: Scripted, observer: Any = None) -> tuple[VirtualRuntime, Machine]:
    """Start ``module`` on a fresh virtual runtime whose clock it records."""
    runtime = VirtualRuntime()
    module.clock = lambda: runtime.now
    machine = runtime.spawn(module, observer=observer)
    return runtime, machine
