"""Benchmark the run stream: worker to websocket clients, rate and delay.

Starts the full stack on free local ports: a private redis-server, a
Celery worker (prefork, one child), and ``--servers`` Daphne processes
that share the Redis channel layer, with a SQLite file as the database
(``--mode embedded`` starts one Daphne alone, with its runner thread and
the in-memory channel layer). Then, for each client count, it submits one
toy-protocol run and connects that many websocket clients as soon as the
API returns, spread round-robin over the Daphne processes, and measures:

- events/s: events received by one client divided by the time from its
  first events message to the final status message, so it is the rate of
  the whole pipeline (simulator, batching, Redis Stream, channel layer,
  Daphne, client) while the run lasts;
- delay p50/p99: for every live events message, arrival time minus the
  ``published`` time the worker stamped on it when it sent the batch to
  the channel layer, over all clients (same machine, same clock);
- replay events/s: one client reading the finished run from the database;
- CPU seconds each part of the stack used while the clients read the run
  (worker, Daphne, Redis, and this process, which runs the clients), read
  from ``/proc`` on Linux, printed under the table row.

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
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


@dataclass
class Stack:
    """The processes of the benchmark and the base URLs of its servers."""

    server_urls: list[str] = field(default_factory=list)
    parts: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)

    def add(self, part: str, process: subprocess.Popen[bytes]) -> None:
        self.parts.setdefault(part, []).append(process)

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [process for group in self.parts.values() for process in group]


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time of ``pid`` and its children."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for task in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{task}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            children = [int(child) for child in listing.read().split()]
    except OSError:
        return []
    return children + [grandchild for c in children for grandchild in _children(c)]


def cpu_by_part(stack: Stack) -> dict[str, float]:
    """Return the CPU seconds used so far by each part of the stack."""
    usage = {
        part: sum(cpu_seconds(process.pid) for process in group)
        for part, group in stack.parts.items()
    }
    times = os.times()
    usage["clients"] = times.user + times.system
    return usage


def on_server(url: str, http: str) -> str:
    """Return websocket ``url`` pointed at the server at ``http``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=urlsplit(http).netloc))


async def measure(stack: Stack, scenario: dict, clients: int) -> dict:
    status, run = post_json(f"{stack.server_urls[0]}/api/runs", scenario)
    if status != 201:
        raise RuntimeError(f"submit failed: {status} {run}")
    urls = [
        on_server(run["websocket"], stack.server_urls[index % len(stack.server_urls)])
        for index in range(clients)
    ]
    before = cpu_by_part(stack)
    started = time.monotonic()
    results = await asyncio.gather(*(follow(url) for url in urls))
    wall = time.monotonic() - started
    after = cpu_by_part(stack)
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
        "wall_s": wall,
        "cpu_s": {part: after[part] - before[part] for part in after},
    }


def start_stack(mode: str, servers: int, folder: Path, stack: Stack) -> None:
    database = f"sqlite:///{folder / 'bench.sqlite3'}"
    redis_url = None
    if mode == "redis":
        redis_url, redis = processes.start_redis(folder)
        if redis is not None:
            stack.add("redis", redis)
    env = processes.process_env(database, redis_url)
    env["QS_EVENTS_MAX"] = "2000000"
    env["QS_STALE_S"] = "30"
    processes.migrate(env)
    if mode == "redis":
        stack.add("worker", processes.start_worker(env, folder))
    for index in range(servers):
        server_folder = folder / f"daphne-{index}"
        server_folder.mkdir()
        server = processes.start_daphne(env, server_folder)
        stack.add("daphne", server.process)
        stack.server_urls.append(server.http)


def stop_stack(stack: Stack) -> None:
    for process in reversed(stack.processes()):
        processes.stop_process(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["redis", "embedded"], default="redis")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20])
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="Daphne processes that share the clients (redis mode only)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per client count")
    parser.add_argument("--n", type=int, default=7, help="toy protocol nodes")
    parser.add_argument(
        "--time-ms", type=int, default=60000, help="simulated time of each run (ms)"
    )
    args = parser.parse_args()
    if args.servers < 1 or (args.mode == "embedded" and args.servers != 1):
        parser.error(
            f"--servers {args.servers} is invalid; use 1 or more in redis mode "
            "and 1 in embedded mode"
        )
    scenario = {"protocol": "toy", "n": args.n, "stop": {"time_ms": args.time_ms}}
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"# {platform.python_version()} {platform.machine()}, "
        f"{os.cpu_count()} cpus, load average {load}"
    )
    print(
        f"# mode {args.mode}, servers {args.servers}, scenario {json.dumps(scenario)}"
    )
    print(
        "| mode | servers | clients | events | events/s (1 client) | delay p50 ms |"
        " delay p99 ms | live batches | replay events/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack()
        try:
            start_stack(args.mode, args.servers, Path(tmp), stack)
            for clients in args.clients:
                for _ in range(args.repeat):
                    report(
                        args, clients, asyncio.run(measure(stack, scenario, clients))
                    )
        finally:
            stop_stack(stack)


def report(args: argparse.Namespace, clients: int, result: dict) -> None:
    print(
        f"| {args.mode} | {args.servers} | {clients} | {result['events']:,} | "
        f"{result['events_per_s']:,.0f} | {result['p50_ms']:.1f} | "
        f"{result['p99_ms']:.1f} | {result['live']:.0%} | "
        f"{result['replay_per_s']:,.0f} |"
    )
    usage = ", ".join(
        f"{part} {seconds:.1f}" for part, seconds in result["cpu_s"].items()
    )
    print(f"<!-- CPU s in {result['wall_s']:.1f} s: {usage} -->", flush=True)


if __name__ == "__main__":
    main()
