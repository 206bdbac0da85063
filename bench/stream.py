"""Benchmark the run stream: worker to websocket clients, rate and delay.

Starts the full stack on free local ports: a private redis-server, a
Celery worker (prefork, one child), and Daphne, with a SQLite file as the
database (``--mode embedded`` starts Daphne alone, with its runner thread
and the in-memory channel layer). Then, for each client count, it submits
one toy-protocol run and connects that many websocket clients as soon as
the API returns, and measures:

- events/s: events received by one client divided by the time from its
  first events message to the final status message, so it is the rate of
  the whole pipeline (simulator, batching, Redis Stream, channel layer,
  Daphne, client) while the run lasts;
- delay p50/p99: for every live events message, arrival time minus the
  ``published`` time the worker stamped on it when it sent the batch to
  the channel layer, over all clients (same machine, same clock);
- replay events/s: one client reading the finished run from the database.

Clients read only the head of each message for ``published`` and count
events with ``str.count``, so the client process costs little. Run from
the repository root: ``python bench/stream.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import connect  # noqa: E402

# The end-to-end tests' process helpers: free ports, timeouts, clean-up.
from tests.web import processes  # noqa: E402
from tests.web.streamclient import post_json  # noqa: E402

PUBLISHED = re.compile(rb'"published": ([0-9.e+]+)')


async def follow(url: str, after: int = 0) -> dict:
    """Read one stream to its status; return counts, times and delays."""
    events, frames, delays = 0, 0, []
    first = last = None
    async with asyncio.timeout(600):
        async with connect(f"{url}?after={after}", max_size=None) as socket:
            async for raw in socket:
                now = time.time()
                data = raw.encode() if isinstance(raw, str) else raw
                head = data[:160]
                if head.startswith(b'{"type": "events"'):
                    first = first or now
                    last = now
                    events += data.count(b'{"seq":')
                    frames += 1
                    match = PUBLISHED.search(head)
                    if match:
                        delays.append(now - float(match.group(1)))
                elif head.startswith(b'{"type": "status"'):
                    last = now
                    break
    seconds = (last or 0) - (first or 0)
    live = len(delays)
    return {
        "events": events,
        "seconds": seconds,
        "delays": delays,
        "frames": frames,
        "live": live,
    }


async def measure(http: str, scenario: dict, clients: int) -> dict:
    status, run = post_json(f"{http}/api/runs", scenario)
    if status != 201:
        raise RuntimeError(f"submit failed: {status} {run}")
    results = await asyncio.gather(*(follow(run["websocket"]) for _ in range(clients)))
    replay = await follow(run["websocket"])
    delays = sorted(delay for result in results for delay in result["delays"])
    rates = [result["events"] / result["seconds"] for result in results]
    # Batches a client read back from the log, not live, carry no
    # publication time; "live" is the share of batches that did.
    quantiles = statistics.quantiles(delays, n=100) if len(delays) > 1 else None
    return {
        "clients": clients,
        "events": results[0]["events"],
        "events_per_s": min(rates),
        "p50_ms": 1000 * quantiles[49] if quantiles else float("nan"),
        "p99_ms": 1000 * quantiles[98] if quantiles else float("nan"),
        "live": sum(r["live"] for r in results)
        / max(1, sum(r["frames"] for r in results)),
        "replay_per_s": replay["events"] / replay["seconds"],
    }


def start_stack(mode: str, folder: Path, stack: list) -> str:
    database = f"sqlite:///{folder / 'bench.sqlite3'}"
    redis_url = None
    if mode == "redis":
        redis_url, redis = processes.start_redis(folder)
        if redis is not None:
            stack.append(redis)
    env = processes.process_env(database, redis_url)
    env["QS_EVENTS_MAX"] = "2000000"
    env["QS_STALE_S"] = "30"
    processes.migrate(env)
    if mode == "redis":
        stack.append(processes.start_worker(env, folder))
    server = processes.start_daphne(env, folder)
    stack.append(server.process)
    return server.http


def stop_stack(stack: list) -> None:
    for process in reversed(stack):
        processes.stop_process(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["redis", "embedded"], default="redis")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--n", type=int, default=7, help="toy protocol nodes")
    parser.add_argument(
        "--time-ms", type=int, default=60000, help="simulated time of each run (ms)"
    )
    args = parser.parse_args()
    scenario = {"protocol": "toy", "n": args.n, "stop": {"time_ms": args.time_ms}}
    print(f"# {platform.python_version()} {platform.machine()}, {os.cpu_count()} cpus")
    print(f"# mode {args.mode}, scenario {json.dumps(scenario)}")
    print(
        "| mode | clients | events | events/s (1 client) | delay p50 ms |"
        " delay p99 ms | live batches | replay events/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        stack: list = []
        try:
            http = start_stack(args.mode, Path(tmp), stack)
            for clients in args.clients:
                r = asyncio.run(measure(http, scenario, clients))
                print(
                    f"| {args.mode} | {clients} | {r['events']:,} | "
                    f"{r['events_per_s']:,.0f} | {r['p50_ms']:.1f} | "
                    f"{r['p99_ms']:.1f} | {r['live']:.0%} | {r['replay_per_s']:,.0f} |",
                    flush=True,
                )
        finally:
            stop_stack(stack)


if __name__ == "__main__":
    main()
