"""The JSON examples in docs/scenario.md load as written."""

import re
from pathlib import Path

import pytest

from consensus.sim.scenario import load

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario.md"
EXAMPLES = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_docs_have_two_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("example", EXAMPLES)
def test_docs_example_loads(example):
    assert load(example)["version"] == 1
