"""A state-machine engine with the semantics of Erlang/OTP's gen_statem.

The engine (:mod:`.machine`) owns event queues, timers and ordering; a
callback module, a subclass of :class:`StateMachine`, owns only what each
state does with each event. Results and actions have the shapes of
gen_statem's; :mod:`.events` names them. Machines run on a deterministic
:class:`VirtualRuntime` or on asyncio with :class:`AsyncioRuntime`.
"""

from .errors import (
    BadActionError,
    BadResultError,
    CallbackModeError,
    InitError,
    StateMachineError,
)
from .events import (
    CALL,
    CAST,
    ENTER,
    EVENT_TIMEOUT,
    HANDLE_EVENT_FUNCTION,
    INFINITY,
    INFO,
    INTERNAL,
    STATE_FUNCTIONS,
    STATE_TIMEOUT,
    cancel_timeout,
    event_timeout,
    generic_timeout,
    keep_state,
    keep_state_and_data,
    named,
    next_event,
    next_state,
    postpone,
    repeat_state,
    repeat_state_and_data,
    reply,
    state_timeout,
    stop,
    stop_and_reply,
    update_timeout,
)
from .machine import From, Machine, StateMachine
from .runtime import AsyncioRuntime, VirtualRuntime

__all__ = [
    "AsyncioRuntime",
    "BadActionError",
    "BadResultError",
    "CALL",
    "CAST",
    "CallbackModeError",
    "ENTER",
    "EVENT_TIMEOUT",
    "From",
    "HANDLE_EVENT_FUNCTION",
    "INFINITY",
    "INFO",
    "INTERNAL",
    "InitError",
    "Machine",
    "STATE_FUNCTIONS",
    "STATE_TIMEOUT",
    "StateMachine",
    "StateMachineError",
    "VirtualRuntime",
    "cancel_timeout",
    "event_timeout",
    "generic_timeout",
    "keep_state",
    "keep_state_and_data",
    "named",
    "next_event",
    "next_state",
    "postpone",
    "repeat_state",
    "repeat_state_and_data",
    "reply",
    "state_timeout",
    "stop",
    "stop_and_reply",
    "update_timeout",
]
