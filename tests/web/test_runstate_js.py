"""The run page's state fold (static/js/runstate.js), tested under Node.

The JavaScript tests live in static/js/tests and run with Node's built-in
test runner. This module writes the PBFT event log they read with the
simulator of this checkout, then runs them in a subprocess.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = ROOT / "static" / "js" / "tests"
PBFT_ARGS = ["--protocol", "pbft", "--n", "4", "--fault", "0:crash@300"]
PBFT_ARGS += ["--time-ms", "3000"]


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing; install nodejs to run static/js/tests")
        pytest.skip("node is missing; install nodejs to run static/js/tests")
    return node


def test_runstate_node_suite(tmp_path: Path) -> None:
    """Node's test runner passes every test of static/js/tests."""
    node = node_binary()
    events = tmp_path / "pbft.jsonl"
    subprocess.run(
        [sys.executable, "-m", "consensus", "run", *PBFT_ARGS, "--events", events],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    env = {**os.environ, "QS_EVENTS_PBFT": str(events), "QS_PYTHON": sys.executable}
    result = subprocess.run(
        [node, "--test", "--test-reporter=spec", str(JS_TESTS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
