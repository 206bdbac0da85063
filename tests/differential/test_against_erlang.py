"""Compare the engine with Erlang/OTP's gen_statem, scenario by scenario.

Each scenario runs twice: as an Erlang module under ``erlang/`` on a real
gen_statem, and as its Python twin on VirtualRuntime. The traces must be
identical line for line; see ``harness.py`` for the line format.
"""

from __future__ import annotations

import pytest

from .erlang_run import scenario_names
from .harness import run_scenario
from .scenarios import SCENARIOS

pytestmark = pytest.mark.erlang


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_trace_matches_erlang(name: str, erlang_traces: dict[str, list[str]]) -> None:
    expected = erlang_traces.get(name)
    assert expected, f"the Erlang run printed no trace for {name}"
    assert run_scenario(SCENARIOS[name]) == expected


def test_erlang_trace_is_complete(erlang_traces: dict[str, list[str]]) -> None:
    """The Erlang driver reports harness errors and stray messages as lines."""
    problems = [
        f"{name}: {line}"
        for name, lines in erlang_traces.items()
        for line in lines
        if line.startswith(("harness_error", "unexpected_message"))
    ]
    assert problems == []


def test_every_erlang_scenario_has_twin() -> None:
    assert scenario_names() == sorted(SCENARIOS)
