"""The code lock from the OTP gen_statem design principles, on this engine.

A door lock with a keypad. The door opens when the last buttons pressed
match the code, and locks again after ``OPEN_TIME`` ms. It follows the
state-enter version of the code lock in the "gen_statem Behavior" chapter
of the OTP design principles, with two of its variants. A pause of more
than ``FORGET_TIME`` ms between buttons forgets the buttons pressed so far,
and buttons pressed while the door is open are postponed, so they count
towards the code once it has locked.

Run it with ``.venv/bin/python docs/examples/code_lock.py`` to watch a
session on the virtual clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from consensus.engine import From, Machine, StateMachine, VirtualRuntime

OPEN_TIME = 10_000
FORGET_TIME = 30_000


class CodeLock(StateMachine):
    """A door lock with the states "locked" and "open".

    ``report`` gets each move of the door. The data contains the code and
    the buttons pressed since the door last locked, at most as many as the
    code is long.
    """

    callback_mode = "state_functions"
    state_enter = True

    def __init__(self, report: Callable[[str], None]) -> None:
        self.report = report

    def init(self, code: list[Any]) -> Any:
        data = {"code": list(code), "length": len(code), "buttons": []}
        return ("ok", "locked", data)

    def locked(self, event_type: Any, content: Any, data: Any) -> Any:
        if event_type == "enter":
            self.report("locked")
            return ("keep_state", {**data, "buttons": []})
        if event_type == "state_timeout":
            return ("keep_state", {**data, "buttons": []})
        if event_type == "cast":
            buttons = [*data["buttons"], content]
            buttons = buttons[-data["length"] :]
            if buttons == data["code"]:
                return ("next_state", "open", data)
            forget = ("state_timeout", FORGET_TIME, "button")
            return ("keep_state", {**data, "buttons": buttons}, [forget])
        return self.handle_common(event_type, content, data)

    def open(self, event_type: Any, content: Any, data: Any) -> Any:
        if event_type == "enter":
            self.report("open")
            return ("keep_state_and_data", [("state_timeout", OPEN_TIME, "lock")])
        if event_type == "state_timeout":
            return ("next_state", "locked", data)
        if event_type == "cast":
            return ("keep_state_and_data", ["postpone"])
        return self.handle_common(event_type, content, data)

    def handle_common(self, event_type: Any, content: Any, data: Any) -> Any:
        """Reply with the code length in any state, and ignore other events."""
        is_call = type(event_type) is tuple and event_type[0] == "call"
        if is_call and content == "code_length":
            return ("keep_state_and_data", [("reply", event_type[1], data["length"])])
        return "keep_state_and_data"


def start(
    runtime: VirtualRuntime, code: list[Any], report: Callable[[str], None]
) -> Machine:
    """Start a code lock for ``code`` on ``runtime``."""
    return runtime.spawn(CodeLock(report), code)


def button(runtime: VirtualRuntime, lock: Machine, pressed: Any) -> None:
    """Press one button on the keypad."""
    runtime.cast(lock, pressed)


def code_length(runtime: VirtualRuntime, lock: Machine) -> From:
    """Ask for the code length. The returned handle gets the reply."""
    return runtime.call(lock, "code_length")


def main() -> None:
    """Print a session: a wrong try, the code, then a press while open."""
    runtime = VirtualRuntime()

    def show(line: str) -> None:
        print(f"{runtime.now:>7} ms  {line}")

    lock = start(runtime, [1, 2, 3], lambda door: show(f"door {door}"))
    length = code_length(runtime, lock)
    for pressed in (1, 2, 4, 1, 2, 3, 1):
        button(runtime, lock, pressed)
    runtime.run(until=OPEN_TIME)
    show(f"code length {length.value}, buttons held {lock.data['buttons']}")
    runtime.run()
    show(f"buttons held {lock.data['buttons']}")


if __name__ == "__main__":
    main()
