"""Benchmark the protocols: wall time, message rate and peak memory per n.

``SCENARIOS`` maps each protocol name to a builder that returns its
good-case scenario at ``n``: constant 10 ms links, no faults, and as many
heights as deliver about ``--messages`` messages. The builder sizes the
run from the protocol's per-decision message count. Each scenario runs
once through the simulator with the checker and metrics but no log sink,
and the wall time and messages per second of wall time are reported. A
second run of the same scenario under tracemalloc gives the peak Python
heap, because tracing slows the run and would skew the timing.

Run with ``python bench/protocols.py`` from the repository root;
``--sizes`` and ``--protocols`` narrow the table.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consensus.sim.runner import Simulation  # noqa: E402

SIZES = (16, 64, 128)
MESSAGES = 200_000


def good_case(protocol: str, n: int, per_decision: int) -> dict[str, Any]:
    """Return a fault-free scenario of ``protocol`` of about ``MESSAGES`` sends."""
    heights = max(1, round(MESSAGES / per_decision))
    return {
        "protocol": protocol,
        "n": n,
        "network": {"latency": {"dist": "constant", "ms": 10}},
        "stop": {"time_ms": None, "heights": heights},
        "params": {"view_timeout_ms": 60_000},
        "seed": 1,
    }


# Protocol name -> scenario builder taking n.
SCENARIOS: dict[str, Callable[[int], dict[str, Any]]] = {
    "pbft": lambda n: good_case("pbft", n, 2 * n * (n - 1)),
    "tendermint": lambda n: good_case("tendermint", n, (n - 1) * (2 * n + 1)),
    "hotstuff": lambda n: good_case("hotstuff", n, 8 * (n - 1)),
    "chained_hotstuff": lambda n: good_case("chained_hotstuff", n, 2 * (n - 1)),
    "hotstuff2": lambda n: good_case("hotstuff2", n, 4 * (n - 1)),
}


def measure(doc: dict[str, Any]) -> dict[str, Any]:
    """Run ``doc`` once timed and once traced; return the figures."""
    gc.collect()
    start = time.perf_counter()
    summary = Simulation(doc).run()
    wall = time.perf_counter() - start

    gc.collect()
    tracemalloc.start()
    Simulation(doc).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    return {
        "heights": summary["committed_heights"],
        "messages": summary["messages"],
        "wall_s": wall,
        "messages_per_s": summary["messages"] / wall,
        "peak_mib": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=SIZES, help="values of n to run"
    )
    parser.add_argument(
        "--protocols",
        nargs="+",
        default=sorted(SCENARIOS),
        choices=sorted(SCENARIOS),
        help="protocols to run",
    )
    args = parser.parse_args()

    print(f"Python {platform.python_version()} on {platform.machine()}")
    print("| protocol | n | heights | messages | wall s | messages/s | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for protocol in args.protocols:
        for n in args.sizes:
            row = measure(SCENARIOS[protocol](n))
            print(
                f"| {protocol} | {n} | {row['heights']} | {row['messages']:,} "
                f"| {row['wall_s']:.2f} | {row['messages_per_s']:,.0f} "
                f"| {row['peak_mib']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
