"""Fixtures that compile and run the Erlang scenarios once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .erlang_run import ErlangRunError, compile_modules, run_scenarios, scenario_names


def _require_erlang() -> None:
    """Skip when erl or erlc is missing, but fail under CI, where
    ``scripts/setup --test`` installs them."""
    missing = [tool for tool in ("erl", "erlc") if shutil.which(tool) is None]
    if not missing:
        return
    message = (
        f"{' and '.join(missing)} not found on PATH; "
        "run scripts/setup --test to install erlang-base"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def erlang_beams(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory holding the compiled Erlang scenarios and harness."""
    _require_erlang()
    out_dir = tmp_path_factory.mktemp("erlang-beams")
    try:
        compile_modules(out_dir)
    except ErlangRunError as error:
        pytest.fail(str(error))
    return out_dir


@pytest.fixture(scope="session")
def erlang_traces(erlang_beams: Path) -> dict[str, list[str]]:
    """Traces of every Erlang scenario, by name, from one run of the VM."""
    try:
        return run_scenarios(erlang_beams, scenario_names())
    except ErlangRunError as error:
        pytest.fail(str(error))
