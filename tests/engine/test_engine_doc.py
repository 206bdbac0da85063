"""The Python examples in docs/engine.md run, and their asserts hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_doc_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.splitlines()[0])
def test_doc_example_runs(block: str) -> None:
    """Each block runs as a module of its own; its asserts must hold."""
    exec(compile(block, str(DOC), "exec"), {"__name__": "engine_doc"})
