"""The gen_statem event loop: one machine, its queues and its timers.

A :class:`Machine` runs one callback module the way Erlang/OTP 25's
``gen_statem`` runs one: it hands each event to the callback, carries out
the returned actions, and then performs the transition. The order of the
steps inside a transition is the one the OTP implementation uses, and the
differential tests compare it with the real thing:

1. The callback result is parsed and its actions run in list order. Replies
   are sent at once; postpone, next-event and timeout actions are
   collected (for timeouts the last action of each kind wins).
2. If the state changed, or the result was a repeat, and state enter calls
   are on, the enter call runs. Its actions join the ones collected.
3. A postponed event joins the postponed list (oldest first).
4. On a change of state the postponed events go to the front of the queue,
   oldest first, and the state timeout is cancelled. The event timeout is
   cancelled on every transition.
5. Timeout actions start, update or cancel timers. A zero timeout is not a
   timer: it is appended to the zero-timeout queue, which is delivered only
   when the event queue is empty and before any new external event.
6. Inserted (next-event) events go to the very front of the queue, in the
   order the actions listed them.

So after a state change the machine handles, in order: the enter call, the inserted
events, the retried postponed events, the rest of the queue, and last the
zero timeouts.

The machine never reads a clock nor sleeps. A runtime delivers external
events through :meth:`Machine.receive` and owns real timers through the
``start_timer``/``cancel_timer`` pair; see :mod:`consensus.engine.runtime`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from .errors import BadActionError, BadResultError, CallbackModeError, InitError
from .events import (
    CALL,
    CANCEL,
    CHANGE_CALLBACK_MODULE,
    ENTER,
    EVENT_TIMEOUT,
    HANDLE_EVENT_FUNCTION,
    HIBERNATE,
    INFINITY,
    KEEP_STATE,
    KEEP_STATE_AND_DATA,
    NEXT_EVENT,
    NEXT_STATE,
    POP_CALLBACK_MODULE,
    POSTPONE,
    PUSH_CALLBACK_MODULE,
    REPEAT_STATE,
    REPEAT_STATE_AND_DATA,
    REPLY,
    STATE_FUNCTIONS,
    STATE_TIMEOUT,
    STOP,
    STOP_AND_REPLY,
    UPDATE,
    is_absolute_time,
    is_event_type,
    is_relative_time,
    is_timeout_type,
)

Observer = Callable[..., None]

# Timer handle of a zero timeout: it waits in the zero-timeout queue.
ZERO = 0


class TimerHost(Protocol):
    """Runtime interface that a machine uses to run real timers."""

    def start_timer(
        self, machine: Machine, timeout_type: Any, time: float, absolute: bool
    ) -> Any: ...

    def cancel_timer(self, handle: Any) -> None: ...


class From:
    """Reply handle of one call; the ``("call", From)`` event carries it.

    ``on_reply`` runs with the value when the machine replies. A second
    reply to the same call is ignored, as a stray message would be in Erlang.
    """

    __slots__ = ("_on_reply", "replied", "value")

    def __init__(self, on_reply: Callable[[Any], None] | None = None) -> None:
        self._on_reply = on_reply
        self.replied = False
        self.value: Any = None

    def reply(self, value: Any) -> None:
        if self.replied:
            return
        self.replied = True
        self.value = value
        if self._on_reply is not None:
            self._on_reply(value)

    def __repr__(self) -> str:
        return f"<From replied={self.replied} value={self.value!r}>"


class StateMachine:
    """Base class for callback modules.

    Set ``callback_mode`` to ``"state_functions"`` (one method per state,
    called as ``state(event_type, content, data)``) or
    ``"handle_event_function"`` (``handle_event(event_type, content, state,
    data)``), and ``state_enter = True`` for state enter calls. ``init``
    returns ``("ok", state, data)`` or ``("ok", state, data, actions)``.
    """

    callback_mode: str = STATE_FUNCTIONS
    state_enter: bool = False

    def init(self, *args: Any) -> Any:
        raise NotImplementedError("callback module defines no init")

    def terminate(self, reason: Any, state: Any, data: Any) -> None:
        """Clean up when the machine stops; the default does nothing."""


def _no_handle_event(*args: Any) -> Any:
    raise AssertionError("handle_event called in state_functions mode")


class _Stopped(Exception):
    """Raised inside a transition when the result stopped the machine."""


class Machine:
    """One running state machine: the engine side of a callback module."""

    __slots__ = (
        "runtime",
        "deliver",
        "fire",
        "name",
        "module",
        "modules",
        "state",
        "data",
        "queue",
        "postponed",
        "timers",
        "zero_timeouts",
        "_observer",
        "_handle_observer",
        "stopped",
        "stop_reason",
        "_state_functions",
        "_state_enter",
        "_handlers",
        "_handle_event",
    )

    def __init__(
        self,
        runtime: TimerHost,
        module: StateMachine,
        name: Any = None,
        observer: Observer | None = None,
    ) -> None:
        self.runtime = runtime
        # Bound once: runtimes queue these for every event and timer, and a
        # fresh bound method per item is an allocation the collector scans.
        self.deliver = self.receive
        self.fire = self.timeout_fired
        self.name = name
        self.modules: list[StateMachine] = [module]
        self.state: Any = None
        self.data: Any = None
        self.queue: deque[tuple[Any, Any]] = deque()
        self.postponed: list[tuple[Any, Any]] = []
        # timeout type -> [handle, content]; handle is ZERO for a zero timeout.
        self.timers: dict[Any, list[Any]] = {}
        self.zero_timeouts: list[Any] = []
        self.observer = observer
        self.stopped = False
        self.stop_reason: Any = None
        self._use_module(module)

    def __repr__(self) -> str:
        return f"<Machine {self.name!r} state={self.state!r}>"

    @property
    def observer(self) -> Observer | None:
        """The callable that gets this machine's records, or None."""
        return self._observer

    @observer.setter
    def observer(self, observer: Observer | None) -> None:
        self._observer = observer
        # The handle record is the most frequent; an observer that sets
        # handle_records = False is spared the call.
        wants = observer is not None and getattr(observer, "handle_records", True)
        self._handle_observer = observer if wants else None

    # Callback modules.

    def _use_module(self, module: StateMachine) -> None:
        mode = getattr(module, "callback_mode", None)
        if mode not in (STATE_FUNCTIONS, HANDLE_EVENT_FUNCTION):
            raise CallbackModeError(
                ("bad_return_from_callback_mode", mode),
                self.state,
                None,
                f"callback module {type(module).__name__} has callback_mode "
                f"{mode!r}; expected 'state_functions' or 'handle_event_function'",
            )
        self.module = module
        self._state_functions = mode == STATE_FUNCTIONS
        self._state_enter = bool(getattr(module, "state_enter", False))
        self._handlers: dict[Any, Callable[..., Any]] = {}
        handle_event = getattr(module, "handle_event", None)
        if not self._state_functions and handle_event is None:
            raise CallbackModeError(
                ("undef", "handle_event"),
                self.state,
                None,
                f"callback module {type(module).__name__} uses "
                "handle_event_function but defines no handle_event",
            )
        self._handle_event: Callable[..., Any] = handle_event or _no_handle_event

    def _state_function(self, state: Any, event: Any) -> Callable[..., Any]:
        handler = self._handlers.get(state) if type(state) is str else None
        if handler is not None:
            return handler
        handler = getattr(self.module, state, None) if type(state) is str else None
        if handler is None or state.startswith("_") or not callable(handler):
            raise BadResultError(
                ("undef_state_function", state),
                state,
                event,
                f"state {state!r}: callback module {type(self.module).__name__} "
                f"has no state function for it (event {event!r})",
            )
        self._handlers[state] = handler
        return handler  # type: ignore[no-any-return]

    # Start.

    def start(self, args: tuple[Any, ...] = ()) -> None:
        """Call ``init`` and make the initial transition."""
        result = self.module.init(*args)
        if (
            type(result) is tuple
            and result
            and result[0] == "ok"
            and len(result) in (3, 4)
        ):
            state, data = result[1], result[2]
            actions = result[3] if len(result) == 4 else None
        elif result == "ignore" or (type(result) is tuple and result[:1] == (STOP,)):
            self.stopped = True
            self.stop_reason = result
            raise InitError(result)
        else:
            self.stopped = True
            raise InitError(("bad_return_from_init", result))
        self.state = state
        self.data = data
        if self._observer is not None:
            self._observer(self, "init", state)
        event = ("internal", "init_state")
        self._run(self._initial_transition, event, state, data, actions)

    def _initial_transition(
        self, event: Any, state: Any, data: Any, actions: Any
    ) -> None:
        # As in OTP, init may not postpone: a final {postpone, false} wins.
        if actions is not None:
            if type(actions) is not list:
                actions = [actions]
            actions = [*actions, (POSTPONE, False)]
        self._transition(event, state, state, data, actions, True, True)
        self._drain()

    # Events in.

    def receive(self, event_type: Any, content: Any) -> None:
        """Handle an external event now, then every event it queued."""
        if self.stopped:
            return
        try:
            self._dispatch(event_type, content)
            if self.queue or self.zero_timeouts:
                self._drain()
        except _Stopped:
            return
        except BaseException as error:
            self._crashed(error)
            raise

    def timeout_fired(self, timeout_type: Any) -> None:
        """Deliver the event of the running timer of ``timeout_type``.

        The machine cancels a timer whenever it replaces or drops it, and a
        runtime never fires a cancelled timer, so a timer that fires is the
        one in ``timers``.
        """
        entry = self.timers.pop(timeout_type, None)
        if entry is None or self.stopped:
            return
        if self._observer is not None:
            self._observer(self, "timer_fire", timeout_type, entry[1])
        self.receive(timeout_type, entry[1])

    def _run(self, step: Callable[..., None], *args: Any) -> None:
        try:
            step(*args)
        except _Stopped:
            return
        except BaseException as error:
            self._crashed(error)
            raise

    def _crashed(self, error: BaseException) -> None:
        """Stop after a callback raised or broke the contract, as OTP does."""
        if not self.stopped:
            self._terminate(getattr(error, "reason", error))

    def _drain(self) -> None:
        queue = self.queue
        while True:
            if queue:
                event_type, content = queue.popleft()
            elif self.zero_timeouts:
                event_type = self.zero_timeouts.pop(0)
                content = self.timers.pop(event_type)[1]
                if self._observer is not None:
                    self._observer(self, "timer_fire", event_type, content)
            else:
                return
            self._dispatch(event_type, content)

    # One event.

    def _dispatch(self, event_type: Any, content: Any) -> None:
        state = self.state
        data = self.data
        if self._handle_observer is not None:
            self._handle_observer(self, "handle", state, event_type, content)
        if self._state_functions:
            handler = self._handlers.get(state)
            if handler is None:
                handler = self._state_function(state, (event_type, content))
            result = handler(event_type, content, data)
        else:
            result = self._handle_event(event_type, content, state, data)

        # The common results without actions, parsed inline: most events end
        # in one of them. Everything else goes through _general_result.
        if type(result) is tuple and result:
            if result[0] == NEXT_STATE and len(result) == 3:
                next_state = result[1]
                if next_state == state:
                    if self.timers and EVENT_TIMEOUT in self.timers:
                        self._cancel(EVENT_TIMEOUT)
                    self.data = result[2]
                    return
                if not self._state_enter:
                    self._change_state(state, next_state)
                    self.data = result[2]
                    return
                self._transition(
                    (event_type, content),
                    state,
                    next_state,
                    result[2],
                    None,
                    True,
                    True,
                )
                return
        elif result == KEEP_STATE_AND_DATA:
            if self.timers and EVENT_TIMEOUT in self.timers:
                self._cancel(EVENT_TIMEOUT)
            return
        self._general_result((event_type, content), state, data, result)

    def _change_state(self, state: Any, next_state: Any) -> None:
        """Leave ``state``: retry postponed events, cancel the state and event
        timeouts, and record the change."""
        if self.postponed:
            self.queue.extendleft(reversed(self.postponed))
            self.postponed = []
        timers = self.timers
        if timers:
            if STATE_TIMEOUT in timers:
                self._cancel(STATE_TIMEOUT)
            if EVENT_TIMEOUT in timers:
                self._cancel(EVENT_TIMEOUT)
        if self._observer is not None:
            self._observer(self, "state_change", state, next_state)
        self.state = next_state

    def _general_result(self, event: Any, state: Any, data: Any, result: Any) -> None:
        parsed = self._parse_result(event, state, data, result, True)
        next_state, data, actions, call_enter = parsed
        self._transition(event, state, next_state, data, actions, call_enter, True)

    def _parse_result(
        self, event: Any, state: Any, data: Any, result: Any, state_call: bool
    ) -> tuple[Any, Any, Any, bool]:
        """Split a callback result into next state, data, actions and whether
        the state enter call runs. Stop results stop the machine here."""
        if type(result) is tuple and result:
            tag = result[0]
            size = len(result)
            if tag == NEXT_STATE and size in (3, 4):
                actions = result[3] if size == 4 else None
                if result[1] == state:
                    return state, result[2], actions, False
                if state_call:
                    return result[1], result[2], actions, True
                raise BadResultError(
                    ("bad_state_enter_return_from_state_function", result),
                    state,
                    event,
                    f"state {state!r}: a state enter call may not change the "
                    f"state, but returned {result!r} (event {event!r})",
                )
            if tag == KEEP_STATE and size in (2, 3):
                return state, result[1], result[2] if size == 3 else None, False
            if tag == KEEP_STATE_AND_DATA and size == 2:
                return state, data, result[1], False
            if tag == REPEAT_STATE and size in (2, 3):
                return state, result[1], result[2] if size == 3 else None, True
            if tag == REPEAT_STATE_AND_DATA and size == 2:
                return state, data, result[1], True
            if tag == STOP and size in (2, 3):
                if size == 3:
                    self.data = result[2]
                self._terminate(result[1])
                raise _Stopped
            if tag == STOP_AND_REPLY and size in (3, 4):
                if size == 4:
                    self.data = result[3]
                self._send_replies(event, state, result[2])
                self._terminate(result[1])
                raise _Stopped
        elif result == KEEP_STATE_AND_DATA:
            return state, data, None, False
        elif result == REPEAT_STATE_AND_DATA:
            return state, data, None, True
        elif result == STOP:
            self._terminate("normal")
            raise _Stopped
        raise BadResultError(
            ("bad_return_from_state_function", result),
            state,
            event,
            f"state {state!r}: invalid callback result {result!r} for event "
            f"{event!r}; expected next_state, keep_state, repeat_state, stop "
            "or stop_and_reply",
        )

    # The transition.

    def _transition(
        self,
        event: Any,
        state: Any,
        next_state: Any,
        data: Any,
        actions: Any,
        call_enter: bool,
        state_call: bool,
    ) -> None:
        postpone = False
        inserted: list[Any] | None = None
        timeouts: list[Any] | None = None
        if actions is not None:
            # As in OTP, a bad action terminates in the next state with the
            # new data.
            self.state = next_state
            self.data = data
            postpone, inserted, timeouts = self._run_actions(
                event, state, actions, state_call, postpone, inserted, timeouts
            )

        if call_enter and self._state_enter:
            data, postpone, timeouts = self._enter(
                event, state, next_state, data, postpone, timeouts
            )

        observer = self._observer
        if postpone:
            self.postponed.append(event)
            if observer is not None:
                observer(self, "postpone", state, event[0], event[1])

        if next_state == state:
            if self.timers and EVENT_TIMEOUT in self.timers:
                self._cancel(EVENT_TIMEOUT)
            self.state = state
        else:
            self._change_state(state, next_state)
        self.data = data

        if timeouts:
            self._run_timeouts(timeouts)
        if inserted:
            self.queue.extendleft(reversed(inserted))
            if observer is not None:
                for event_type, content in inserted:
                    observer(self, "insert", event_type, content)

    def _enter(
        self,
        event: Any,
        state: Any,
        next_state: Any,
        data: Any,
        postpone: bool,
        timeouts: list[Any] | None,
    ) -> tuple[Any, bool, list[Any] | None]:
        """Make the state enter call, again for as long as it repeats."""
        repeat = True
        while repeat:
            if self._observer is not None:
                self._observer(self, "enter", state, next_state)
            # The enter call runs in the new state: a stop from it terminates there.
            self.state = next_state
            if self._state_functions:
                handler = (
                    self._handlers.get(next_state) if type(next_state) is str else None
                )
                if handler is None:
                    handler = self._state_function(next_state, (ENTER, state))
                result = handler(ENTER, state, data)
            else:
                result = self._handle_event(ENTER, state, next_state, data)
            enter_event = (ENTER, state)
            self.data = data
            _, data, actions, repeat = self._parse_result(
                enter_event, next_state, data, result, False
            )
            if actions is not None:
                self.data = data
                postpone, _, timeouts = self._run_actions(
                    enter_event, next_state, actions, False, postpone, None, timeouts
                )
        return data, postpone, timeouts

    def _run_actions(
        self,
        event: Any,
        state: Any,
        actions: Any,
        state_call: bool,
        postpone: bool,
        inserted: list[Any] | None,
        timeouts: list[Any] | None,
    ) -> tuple[bool, list[Any] | None, list[Any] | None]:
        if type(actions) is not list:
            actions = [actions]
        for action in actions:
            if type(action) is tuple and action:
                tag = action[0]
                size = len(action)
                # A relative event or state timeout is the most common action.
                if (tag == STATE_TIMEOUT or tag == EVENT_TIMEOUT) and size == 3:
                    time = action[1]
                    if (type(time) is int or type(time) is float) and time > 0:
                        if timeouts is None:
                            timeouts = []
                        timeouts.append((tag, time, action[2], False))
                        continue
                if tag == REPLY and size == 3:
                    self._reply(event, state, action)
                    continue
                if tag == NEXT_EVENT and size == 3:
                    if not state_call or not is_event_type(action[1]):
                        self._bad_action(event, state, action, state_call)
                    if inserted is None:
                        inserted = []
                    inserted.append((action[1], action[2]))
                    continue
                if tag == POSTPONE and size == 2 and type(action[1]) is bool:
                    if action[1] and not state_call:
                        # OTP 25 reports {postpone, true} in an enter call as
                        # bad_action_from_state_function, unlike bare postpone.
                        self._bad_action(event, state, action, True)
                    postpone = action[1]
                    continue
                if tag == HIBERNATE and size == 2 and type(action[1]) is bool:
                    continue
                if tag in (CHANGE_CALLBACK_MODULE, PUSH_CALLBACK_MODULE) and size == 2:
                    if not state_call:
                        self._bad_action(event, state, action, state_call)
                    self._switch_module(tag, action[1])
                    continue
                if is_timeout_type(tag):
                    if timeouts is None:
                        timeouts = []
                    timeouts.append(self._parse_timeout(event, state, action))
                    continue
            elif action == POSTPONE:
                if not state_call:
                    self._bad_action(event, state, action, state_call)
                postpone = True
                continue
            elif action == HIBERNATE:
                continue
            elif action == POP_CALLBACK_MODULE and len(self.modules) > 1:
                if not state_call:
                    self._bad_action(event, state, action, state_call)
                self._switch_module(POP_CALLBACK_MODULE, None)
                continue
            elif (
                type(action) in (int, float) or action == INFINITY
            ) and is_relative_time(action):
                # A bare time, "infinity" included, is an event timeout.
                if timeouts is None:
                    timeouts = []
                timeouts.append((EVENT_TIMEOUT, action, action, False))
                continue
            self._bad_action(event, state, action, True)
        return postpone, inserted, timeouts

    def _parse_timeout(self, event: Any, state: Any, action: tuple[Any, ...]) -> Any:
        size = len(action)
        timeout_type = action[0]
        if size == 2 and action[1] == CANCEL:
            return (timeout_type, INFINITY, None, False)
        if size == 3 and (action[1] == UPDATE or is_relative_time(action[1])):
            return (timeout_type, action[1], action[2], False)
        if size == 4 and isinstance(action[3], dict):
            absolute = action[3].get("abs", False)
            if set(action[3]) <= {"abs"} and type(absolute) is bool:
                valid = is_absolute_time if absolute else is_relative_time
                if action[1] != UPDATE and valid(action[1]):
                    return (timeout_type, action[1], action[2], absolute)
        self._bad_action(event, state, action, True)

    def _bad_action(self, event: Any, state: Any, action: Any, state_call: bool) -> Any:
        tag = (
            "bad_action_from_state_function"
            if state_call
            else "bad_state_enter_action_from_state_function"
        )
        where = "a state callback" if state_call else "a state enter call"
        raise BadActionError(
            (tag, action),
            state,
            event,
            f"state {state!r}: invalid action {action!r} from {where} "
            f"(event {event!r})",
        )

    def _reply(self, event: Any, state: Any, action: tuple[Any, ...]) -> None:
        caller = action[1]
        if not isinstance(caller, From):
            self._bad_action(event, state, action, True)
        caller.reply(action[2])
        if self._observer is not None:
            self._observer(self, "reply", caller, action[2])

    def _send_replies(self, event: Any, state: Any, replies: Any) -> None:
        if type(replies) is not list:
            replies = [replies]
        for action in replies:
            if not (
                type(action) is tuple
                and len(action) == 3
                and action[0] == REPLY
                and isinstance(action[1], From)
            ):
                raise BadResultError(
                    ("bad_reply_action_from_state_function", action),
                    state,
                    event,
                    f"state {state!r}: stop_and_reply expects reply actions, "
                    f"got {action!r} (event {event!r})",
                )
            self._reply(event, state, action)

    def _switch_module(self, tag: str, module: Any) -> None:
        if tag == CHANGE_CALLBACK_MODULE:
            self.modules[0] = module
        elif tag == PUSH_CALLBACK_MODULE:
            self.modules.insert(0, module)
        else:
            self.modules.pop(0)
        self._use_module(self.modules[0])

    # Timers.

    def _run_timeouts(self, timeouts: list[Any]) -> None:
        """Carry out timeout actions; the last one of each type wins."""
        timers = self.timers
        observer = self._observer
        seen: set[Any] | None = set() if len(timeouts) > 1 else None
        zero: list[Any] | None = None
        for timeout_type, time, content, absolute in reversed(timeouts):
            if seen is not None:
                if timeout_type in seen:
                    continue
                seen.add(timeout_type)
            if time == INFINITY:
                if timeout_type in timers:
                    self._cancel(timeout_type)
                continue
            if time == UPDATE:
                entry = timers.get(timeout_type)
                if entry is not None:
                    entry[1] = content
                    if observer is not None:
                        observer(self, "timer_update", timeout_type, content)
                    continue
                time = 0
            if timeout_type in timers:
                self._cancel(timeout_type, replaced=True)
            if time == 0:
                timers[timeout_type] = [ZERO, content]
                if zero is None:
                    zero = []
                zero.append(timeout_type)
            else:
                handle = self.runtime.start_timer(self, timeout_type, time, absolute)
                timers[timeout_type] = [handle, content]
            if observer is not None:
                observer(self, "timer_set", timeout_type, time, content, absolute)
        if zero:
            zero.reverse()
            self.zero_timeouts.extend(zero)

    def _cancel(self, timeout_type: Any, replaced: bool = False) -> None:
        handle = self.timers.pop(timeout_type)[0]
        if handle is ZERO:
            self.zero_timeouts.remove(timeout_type)
        else:
            self.runtime.cancel_timer(handle)
        if self._observer is not None and not replaced:
            self._observer(self, "timer_cancel", timeout_type)

    # Stop.

    def _terminate(self, reason: Any) -> None:
        self.stopped = True
        self.stop_reason = reason
        for timeout_type in list(self.timers):
            handle = self.timers.pop(timeout_type)[0]
            if handle is not ZERO:
                self.runtime.cancel_timer(handle)
        self.zero_timeouts.clear()
        if self._observer is not None:
            self._observer(self, "stop", reason)
        terminate = getattr(self.module, "terminate", None)
        if terminate is not None:
            terminate(reason, self.state, self.data)


__all__ = ["CALL", "From", "Machine", "StateMachine", "TimerHost", "ZERO"]
