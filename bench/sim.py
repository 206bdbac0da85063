"""Benchmark the simulator: the toy protocol with full event logging to a file.

For each n the toy protocol runs with constant 10 ms latency until about
``--messages`` messages have been delivered (whole heights of
n - 1 + n (n - 1) messages each). Every event is serialized and written to
a JSON lines file in a temporary directory, and fed to the checker and
metrics, as in a real run. Reported per n: messages delivered per second
of wall time, wall time per message (µs), events, log size and the peak
Python heap measured with tracemalloc in a separate run (tracing slows the
run, so it is not timed). ``--million`` adds a run of at least 1,000,000
events at n = 64 and reports its peak heap, to show that memory stays
bounded while the log streams to disk.

The peer is the same message pattern written directly on SimPy
(bench/simpy_peer.py), logging every send and delivery as a JSON line
with the json module. Each n runs the peer right after the simulator, so
both see the same machine load, and reports its messages per second and
the ratio of the simulator's rate to it; ``--no-peer`` skips it.

Run with ``python bench/sim.py`` from the repository root; ``--profile N``
profiles one run at n = N with cProfile instead, and ``--split`` times
simulating and serializing apart at n = 64.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simpy_peer  # noqa: E402

from consensus.sim.log import JsonlSink, ListSink  # noqa: E402
from consensus.sim.runner import Simulation  # noqa: E402

SIZES = (16, 64, 128, 256)


def scenario(n: int, heights: int, events: int | None = None) -> dict[str, Any]:
    """Return a toy scenario at ``n`` that stops after ``heights`` heights."""
    return {
        "protocol": "toy",
        "n": n,
        "network": {"latency": {"dist": "constant", "ms": 10}},
        "stop": {"time_ms": None, "heights": heights, "events": events},
        "params": {"view_timeout_ms": 60_000},
        "seed": 1,
    }


def heights_for(n: int, messages: int) -> int:
    """Return how many heights deliver about ``messages`` messages at ``n``."""
    per_height = (n - 1) + n * (n - 1)
    return max(1, round(messages / per_height))


def timed_run(doc: dict[str, Any], directory: str) -> dict[str, Any]:
    """Run ``doc`` logging to a file; return wall time, summary and log size."""
    path = os.path.join(directory, "events.jsonl")
    gc.collect()
    start = time.perf_counter()
    with JsonlSink(path) as sink:
        simulation = Simulation(doc, [sink])
        summary = simulation.run()
    wall = time.perf_counter() - start
    return {
        "wall_s": wall,
        "summary": summary,
        "delivered": simulation.network.delivered,
        "log_bytes": os.path.getsize(path),
    }


def peak_heap(doc: dict[str, Any], directory: str) -> int:
    """Return the peak traced Python heap (bytes) of one run of ``doc``."""
    path = os.path.join(directory, "events.jsonl")
    gc.collect()
    tracemalloc.start()
    with JsonlSink(path) as sink:
        Simulation(doc, [sink]).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def peer_rate(n: int, heights: int, directory: str) -> int:
    """Return the SimPy peer's messages delivered per second at ``n``."""
    path = os.path.join(directory, "peer.jsonl")
    gc.collect()
    start = time.perf_counter()
    delivered = simpy_peer.run(n, heights, path)
    return round(delivered / (time.perf_counter() - start))


def measure(n: int, messages: int, directory: str, peer: bool) -> dict[str, Any]:
    """Time one run at ``n`` and measure its peak heap in a second run.

    With ``peer``, the SimPy peer runs the same heights right after the
    timed run.
    """
    heights = heights_for(n, messages)
    doc = scenario(n, heights)
    result = timed_run(doc, directory)
    summary = result["summary"]
    delivered = result["delivered"]
    rate = delivered / result["wall_s"]
    row: dict[str, Any] = {
        "n": n,
        "heights": summary["committed_heights"],
        "delivered": delivered,
        "events": summary["events"],
        "wall_s": round(result["wall_s"], 3),
        "messages_per_s": round(rate),
        "us_per_message": round(result["wall_s"] / delivered * 1e6, 3),
        "log_mb": round(result["log_bytes"] / 1e6, 1),
    }
    if peer:
        peer_messages_per_s = peer_rate(n, heights, directory)
        row["peer_messages_per_s"] = peer_messages_per_s
        row["ratio_to_peer"] = round(rate / peer_messages_per_s, 2)
    row["peak_heap_mb"] = round(peak_heap(doc, directory) / 1e6, 1)
    return row


def million(directory: str) -> dict[str, Any]:
    """Run 1,000,000 events at n = 64 and report the peak heap."""
    doc = scenario(64, 1000, events=1_000_000)
    start = time.perf_counter()
    result = timed_run(doc, directory)
    return {
        "events": result["summary"]["events"],
        "wall_s": round(time.perf_counter() - start, 1),
        "log_mb": round(result["log_bytes"] / 1e6, 1),
        "peak_heap_mb": round(peak_heap(doc, directory) / 1e6, 1),
    }


def split(n: int, messages: int, directory: str) -> dict[str, Any]:
    """Split the cost of one run at ``n`` into simulating and serializing.

    The run logs into a list; the JSON lines sink is then fed the kept
    events alone, so the two parts are timed apart.
    """
    doc = scenario(n, heights_for(n, messages))
    kept = ListSink()
    gc.collect()
    start = time.perf_counter()
    simulation = Simulation(doc, [kept])
    simulation.run()
    simulated = time.perf_counter() - start
    delivered = simulation.network.delivered
    start = time.perf_counter()
    with JsonlSink(os.path.join(directory, "events.jsonl")) as sink:
        for event in kept.events:
            sink(event)
    written = time.perf_counter() - start
    return {
        "n": n,
        "simulate_us_per_message": round(simulated / delivered * 1e6, 2),
        "serialize_us_per_event": round(written / len(kept.events) * 1e6, 2),
    }


def profile(n: int, messages: int, directory: str) -> None:
    """Print the top functions of one run at ``n`` by own time."""
    doc = scenario(n, heights_for(n, messages))
    profiler = cProfile.Profile()
    profiler.enable()
    timed_run(doc, directory)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=200_000,
        help="messages to deliver per size (default 200000)",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(SIZES),
        help="node counts to run (default 16 64 128 256)",
    )
    parser.add_argument(
        "--million", action="store_true", help="also run 1,000,000 events at n=64"
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", help="profile one run at n=N instead"
    )
    parser.add_argument(
        "--no-peer",
        action="store_true",
        help="skip the SimPy peer runs",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="also time simulating and serializing apart at n=64",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        if args.profile:
            profile(args.profile, args.messages, directory)
            return
        print(f"# {platform.python_implementation()} {platform.python_version()}")
        print(f"# {platform.machine()} {os.cpu_count()} cpus, {platform.platform()}")
        peer = not args.no_peer
        rows = [measure(n, args.messages, directory, peer) for n in args.sizes]
        for row in rows:
            print(json.dumps(row))
        by_n = {row["n"]: row for row in rows}
        if 16 in by_n and 256 in by_n:
            ratio = by_n[256]["us_per_message"] / by_n[16]["us_per_message"]
            print(json.dumps({"cost_ratio_256_16": round(ratio, 3)}))
        if args.million:
            print(json.dumps({"million": million(directory)}))
        if args.split:
            print(json.dumps({"split": split(64, args.messages, directory)}))


if __name__ == "__main__":
    main()
