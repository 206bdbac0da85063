"""Event types, callback results and actions, spelled as in gen_statem.

A callback returns a result and a list of actions, in the same shapes as
Erlang/OTP's ``gen_statem``: tuples whose first element is the tag (the
Erlang atom) and plain strings for the tag-only forms. The helper functions
below build the same tuples; use whichever reads better.

Event types are strings (``"cast"``, ``"info"``, ``"internal"``,
``"timeout"``, ``"state_timeout"``, ``"enter"``) or pairs for the two types
that carry a value: ``("call", From)`` and ``("timeout", name)`` for a named
(generic) timeout.
"""

from __future__ import annotations

import math
from typing import Any, Final

CALL: Final = "call"
CAST: Final = "cast"
INFO: Final = "info"
INTERNAL: Final = "internal"
EVENT_TIMEOUT: Final = "timeout"
STATE_TIMEOUT: Final = "state_timeout"
ENTER: Final = "enter"

INFINITY: Final = "infinity"
UPDATE: Final = "update"
CANCEL: Final = "cancel"

STATE_FUNCTIONS: Final = "state_functions"
HANDLE_EVENT_FUNCTION: Final = "handle_event_function"

# Result tags.
NEXT_STATE: Final = "next_state"
KEEP_STATE: Final = "keep_state"
KEEP_STATE_AND_DATA: Final = "keep_state_and_data"
REPEAT_STATE: Final = "repeat_state"
REPEAT_STATE_AND_DATA: Final = "repeat_state_and_data"
STOP: Final = "stop"
STOP_AND_REPLY: Final = "stop_and_reply"

# Action tags.
POSTPONE: Final = "postpone"
NEXT_EVENT: Final = "next_event"
REPLY: Final = "reply"
HIBERNATE: Final = "hibernate"
CHANGE_CALLBACK_MODULE: Final = "change_callback_module"
PUSH_CALLBACK_MODULE: Final = "push_callback_module"
POP_CALLBACK_MODULE: Final = "pop_callback_module"

Action = Any
Result = Any


def named(name: Any) -> tuple[str, Any]:
    """Return the event type of the named timeout ``name``."""
    return (EVENT_TIMEOUT, name)


def is_timeout_type(event_type: Any) -> bool:
    """Tell whether ``event_type`` names a timeout kind that actions can set."""
    if event_type == EVENT_TIMEOUT or event_type == STATE_TIMEOUT:
        return True
    return (
        type(event_type) is tuple
        and len(event_type) == 2
        and event_type[0] == EVENT_TIMEOUT
    )


def is_event_type(event_type: Any) -> bool:
    """Tell whether ``event_type`` may be inserted with a next-event action."""
    if event_type in (CAST, INFO, INTERNAL, EVENT_TIMEOUT, STATE_TIMEOUT):
        return True
    if type(event_type) is tuple and len(event_type) == 2:
        return event_type[0] == EVENT_TIMEOUT or (
            event_type[0] == CALL and hasattr(event_type[1], "reply")
        )
    return False


def is_relative_time(time: Any) -> bool:
    """Tell whether ``time`` is a valid relative timeout in milliseconds."""
    if time == INFINITY:
        return True
    if type(time) is int or type(time) is float:
        return time >= 0 and not math.isnan(time)
    return False


def is_absolute_time(time: Any) -> bool:
    """Tell whether ``time`` is a valid absolute timeout (runtime clock, ms)."""
    if time == INFINITY:
        return True
    return (type(time) is int or type(time) is float) and not math.isnan(time)


# Results.


def next_state(state: Any, data: Any, actions: Any = None) -> Result:
    """Move to ``state`` (maybe the same one) with ``data``."""
    if actions is None:
        return (NEXT_STATE, state, data)
    return (NEXT_STATE, state, data, actions)


def keep_state(data: Any, actions: Any = None) -> Result:
    """Stay in the current state with new ``data``."""
    if actions is None:
        return (KEEP_STATE, data)
    return (KEEP_STATE, data, actions)


def keep_state_and_data(actions: Any = None) -> Result:
    """Change nothing but run ``actions``."""
    if actions is None:
        return KEEP_STATE_AND_DATA
    return (KEEP_STATE_AND_DATA, actions)


def repeat_state(data: Any, actions: Any = None) -> Result:
    """Stay in the state but make the state enter call again."""
    if actions is None:
        return (REPEAT_STATE, data)
    return (REPEAT_STATE, data, actions)


def repeat_state_and_data(actions: Any = None) -> Result:
    """Repeat the state enter call, keeping the data."""
    if actions is None:
        return REPEAT_STATE_AND_DATA
    return (REPEAT_STATE_AND_DATA, actions)


_KEEP: Final = object()


def stop(reason: Any = "normal", data: Any = _KEEP) -> Result:
    """Stop the machine with ``reason``, replacing the data if ``data`` is given."""
    if data is _KEEP:
        return (STOP, reason)
    return (STOP, reason, data)


def stop_and_reply(reason: Any, replies: Any, data: Any = _KEEP) -> Result:
    """Send ``replies`` (reply actions), then stop with ``reason``."""
    if data is _KEEP:
        return (STOP_AND_REPLY, reason, replies)
    return (STOP_AND_REPLY, reason, replies, data)


# Actions.


def postpone(flag: bool = True) -> Action:
    """Postpone the current event until the state changes."""
    return POSTPONE if flag else (POSTPONE, False)


def next_event(event_type: Any, content: Any) -> Action:
    """Insert an event ahead of the queue."""
    return (NEXT_EVENT, event_type, content)


def reply(caller: Any, value: Any) -> Action:
    """Answer the call that ``caller`` (a From handle) made."""
    return (REPLY, caller, value)


def event_timeout(time: Any, content: Any, *, absolute: bool = False) -> Action:
    """Start an event timeout, cancelled by any event."""
    return _timeout(EVENT_TIMEOUT, time, content, absolute)


def state_timeout(time: Any, content: Any, *, absolute: bool = False) -> Action:
    """Start a state timeout, cancelled by a change of state."""
    return _timeout(STATE_TIMEOUT, time, content, absolute)


def generic_timeout(
    name: Any, time: Any, content: Any, *, absolute: bool = False
) -> Action:
    """Start the named timeout ``name``, never cancelled implicitly."""
    return _timeout((EVENT_TIMEOUT, name), time, content, absolute)


def cancel_timeout(timeout_type: Any) -> Action:
    """Cancel a timeout of ``timeout_type`` if one is running."""
    return (timeout_type, CANCEL)


def update_timeout(timeout_type: Any, content: Any) -> Action:
    """Replace the content of a running timeout, or fire it at once if none."""
    return (timeout_type, UPDATE, content)


def _timeout(timeout_type: Any, time: Any, content: Any, absolute: bool) -> Action:
    if absolute:
        return (timeout_type, time, content, {"abs": True})
    return (timeout_type, time, content)
