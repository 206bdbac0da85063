"""The code lock example: its behaviour, its output and its quote in the docs."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from consensus.engine import Machine, VirtualRuntime

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLE = DOCS / "examples" / "code_lock.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("code_lock", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


code_lock = load_example()


class Door:
    """A running lock, with the door movements it reported and when."""

    def __init__(self, code: list[Any]) -> None:
        self.runtime = VirtualRuntime()
        self.moves: list[tuple[float, str]] = []
        self.lock: Machine = code_lock.start(self.runtime, code, self.report)

    def report(self, door: str) -> None:
        self.moves.append((self.runtime.now, door))

    def press(self, *buttons: Any) -> None:
        for pressed in buttons:
            code_lock.button(self.runtime, self.lock, pressed)
        self.runtime.run(until=self.runtime.now)


@pytest.mark.parametrize(
    ("buttons", "state"),
    [
        ((1, 2, 3), "open"),
        ((9, 1, 2, 3), "open"),
        ((1, 2, 4, 1, 2, 3), "open"),
        ((1, 2, 4), "locked"),
        ((3, 2, 1), "locked"),
        ((1, 2), "locked"),
    ],
)
def test_buttons_open_only_on_code(buttons: tuple[int, ...], state: str) -> None:
    door = Door([1, 2, 3])
    door.press(*buttons)
    assert door.lock.state == state


def test_locks_again_after_open_time() -> None:
    door = Door([1, 2, 3])
    door.press(1, 2, 3)
    door.runtime.run(until=code_lock.OPEN_TIME - 1)
    assert door.lock.state == "open"
    door.runtime.run(until=code_lock.OPEN_TIME)
    assert door.lock.state == "locked"
    assert door.moves == [(0, "locked"), (0, "open"), (code_lock.OPEN_TIME, "locked")]


def test_buttons_while_open_postponed() -> None:
    """Buttons pressed while open count once the door has locked again."""
    door = Door([1, 2, 3])
    door.press(1, 2, 3, 1, 2)
    assert door.lock.postponed == [("cast", 1), ("cast", 2)]
    door.runtime.run(until=code_lock.OPEN_TIME)
    assert door.lock.state == "locked"
    assert door.lock.data["buttons"] == [1, 2]
    door.press(3)
    assert door.lock.state == "open"


@pytest.mark.parametrize(
    ("pause", "state"),
    [(code_lock.FORGET_TIME - 1, "open"), (code_lock.FORGET_TIME, "locked")],
)
def test_pause_forgets_buttons(pause: int, state: str) -> None:
    door = Door([1, 2, 3])
    door.press(1, 2)
    door.runtime.run(until=pause)
    door.press(3)
    assert door.lock.state == state


def test_code_length_in_both_states() -> None:
    door = Door([1, 2, 3, 4])
    while_locked = code_lock.code_length(door.runtime, door.lock)
    door.press(1, 2, 3, 4)
    while_open = code_lock.code_length(door.runtime, door.lock)
    door.runtime.run(until=door.runtime.now)
    assert door.lock.state == "open"
    assert (while_locked.value, while_open.value) == (4, 4)


def test_main_prints_session(capsys: pytest.CaptureFixture[str]) -> None:
    code_lock.main()
    output = capsys.readouterr().out
    lines = [line.split() for line in output.splitlines()]
    assert lines == [
        ["0", "ms", "door", "locked"],
        ["0", "ms", "door", "open"],
        ["10000", "ms", "door", "locked"],
        ["10000", "ms", "code", "length", "3,", "buttons", "held", "[1]"],
        ["40000", "ms", "buttons", "held", "[]"],
    ]
    assert f"```text\n{output}```" in (DOCS / "engine.md").read_text()


def test_engine_doc_quotes_example() -> None:
    """docs/engine.md shows the example file as it is."""
    text = (DOCS / "engine.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert EXAMPLE.read_text() in blocks
