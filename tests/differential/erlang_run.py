"""Erlang side of the differential tests: compile the scenarios, run them.

``erlang/diff_harness.erl`` runs every scenario module in one ``erl`` VM at
the same time and prints ``Name<TAB>Line`` for each trace line. Scenarios
run in real time, so the driver checks its own timing and runs a scenario
again when the machine was too loaded to keep it.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path

ERLANG_DIR = Path(__file__).parent / "erlang"
HARNESS_MODULE = "diff_harness"
COMPILE_TIMEOUT_S = 120
# The longest script lasts a second; the driver runs a late scenario again
# up to five times, and a loaded machine starts the VM slowly.
RUN_TIMEOUT_S = 120


class ErlangRunError(RuntimeError):
    """erlc or erl failed; the message carries their output."""


def scenario_names() -> list[str]:
    """Return the scenario modules under ``erlang/``, the harness excluded."""
    return sorted(
        path.stem for path in ERLANG_DIR.glob("*.erl") if path.stem != HARNESS_MODULE
    )


def compile_modules(out_dir: Path) -> None:
    """Compile every module under ``erlang/`` into ``out_dir``."""
    sources = sorted(str(path) for path in ERLANG_DIR.glob("*.erl"))
    result = subprocess.run(
        ["erlc", "-Werror", "-o", str(out_dir), *sources],
        capture_output=True,
        text=True,
        timeout=COMPILE_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise ErlangRunError(f"erlc failed:\n{result.stdout}{result.stderr}")


def run_scenarios(beam_dir: Path, names: list[str]) -> dict[str, list[str]]:
    """Run the compiled scenarios ``names`` and return their traces by name."""
    # One scheduler: a stalled VM then delays timers and driver together.
    command = ["erl", "+S", "1", "-noshell", "-pa", str(beam_dir)]
    command += ["-run", HARNESS_MODULE, "main", *names]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise ErlangRunError(
            f"erl exited with status {result.returncode}:\n{result.stderr}"
        )
    traces: dict[str, list[str]] = defaultdict(list)
    for line in result.stdout.splitlines():
        name, tab, entry = line.partition("\t")
        if tab and name in names:
            traces[name].append(entry)
    return dict(traces)
