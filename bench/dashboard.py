"""Benchmark the run page: frame rate of playback, and seek time.

Two measurements, printed as one JSON document:

- fps: Daphne in embedded mode (SQLite file in a temporary folder, the
  runner thread) plays a PBFT run of ``--n`` nodes (64) on the run page in
  headless Debian chromium driven by Playwright. The page opens at
  ``?t=0``, so it stays paused until the whole log has loaded. Then the
  benchmark presses Play (1x) and counts ``requestAnimationFrame``
  callbacks for ``--seconds`` (5) of playback. It also reports the p95 and
  the longest gap between two frames, and the CPU time that chromium's
  processes used per frame (Linux only, read from /proc). When other jobs
  share the CPUs, that shows how much of a long frame was chromium's own
  work. It grows with the events each frame replays, so it is no fixed
  cost per frame.

  ``--panel cards`` or ``--panel spacetime`` scrolls the node cards or the
  space-time diagram to the top of the viewport before Play, so playback
  draws them in full. The default, ``ring``, leaves the page at its top.
  ``--cpu-slowdown`` (1) slows the page's main thread by that factor through
  the Chrome DevTools Protocol (``Emulation.setCPUThrottlingRate``), to stand
  in for a slower machine.
- seek: ``python -m consensus run`` writes a log of ``--seek-events``
  (1,000,000) events of ``--seek-protocol`` (toy) with ``--seek-n`` nodes
  (16), and ``bench/dashboard_seek.mjs`` loads it into a ``Timeline`` of
  ``static/js/runstate.js`` in Node and times cold seeks at seven
  positions from the start to the end.

Every process it starts stops at the end, and every wait has a timeout.
Run from the repository root: ``python bench/dashboard.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.web import processes  # noqa: E402
from tests.web.streamclient import get_json, post_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
RUN_TIMEOUT_S = 300
LOAD_TIMEOUT_MS = 300_000
GENERATE_TIMEOUT_S = 600
NODE_TIMEOUT_S = 300

COUNT_FRAMES = """(ms) => new Promise((done) => {
  const gaps = [];
  let frames = 0;
  let last = null;
  let start = null;
  function tick(now) {
    if (start === null) start = now;
    else { frames += 1; gaps.push(now - last); }
    last = now;
    if (now - start < ms) requestAnimationFrame(tick);
    else done({ frames, elapsed_ms: now - start, gaps });
  }
  requestAnimationFrame(tick);
})"""


def pbft_scenario(n: int, time_ms: int, latency_ms: int) -> dict[str, Any]:
    return {
        "protocol": "pbft",
        "n": n,
        "network": {"latency": {"dist": "constant", "ms": latency_ms}},
        "stop": {"time_ms": time_ms},
    }


def wait_done(api: str) -> dict[str, Any]:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = get_json(api)
        if run["status"] in ("done", "failed", "cancelled"):
            return run
        time.sleep(0.5)
    raise TimeoutError(f"run {api} did not finish in {RUN_TIMEOUT_S} s")


def chromium_cpu_s() -> float | None:
    """Return the CPU time (s) used so far by the chromium processes that
    descend from this one, or None without /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in brackets and may contain spaces.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        if name.startswith("chromium"):
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid, cpu_s in times.items():
        ancestor = parents.get(pid, 0)
        while ancestor > 1 and ancestor != os.getpid():
            ancestor = parents.get(ancestor, 0)
        if ancestor == os.getpid():
            total += cpu_s
    return total


# The element that --panel scrolls to the top of the viewport before Play.
PANELS = {"ring": None, "cards": "#ring .cards", "spacetime": "#spacetime"}


def measure_page(
    url: str, total: int, seconds: float, panel: str, cpu_slowdown: float
) -> dict[str, Any]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.set_default_timeout(LOAD_TIMEOUT_MS)
            started = time.monotonic()
            page.goto(f"{url}?t=0")
            page.wait_for_function(
                f"/ of {total} · paused$/.test("
                "document.querySelector('#readout').textContent)",
                polling=250,
            )
            load_s = time.monotonic() - started
            selector = PANELS[panel]
            if selector is not None:
                page.locator(selector).evaluate("(element) => element.scrollIntoView()")
                # Two frames, so the page has drawn the panel once before Play.
                page.evaluate(
                    "() => new Promise((done) =>"
                    " requestAnimationFrame(() => requestAnimationFrame(done)))"
                )
            scroll_y = page.evaluate("() => window.scrollY")
            if cpu_slowdown != 1:
                session = page.context.new_cdp_session(page)
                rate = {"rate": cpu_slowdown}
                session.send("Emulation.setCPUThrottlingRate", rate)
            cpu_before = chromium_cpu_s()
            page.keyboard.press("Space")
            counted = page.evaluate(COUNT_FRAMES, seconds * 1000)
            cpu_after = chromium_cpu_s()
            readout = page.locator("#readout").inner_text()
        finally:
            browser.close()
    gaps = sorted(counted["gaps"])
    cpu_ms_per_frame = None
    if cpu_before is not None and cpu_after is not None and counted["frames"]:
        cpu_ms = 1000 * (cpu_after - cpu_before)
        cpu_ms_per_frame = round(cpu_ms / counted["frames"], 1)
    return {
        "panel": panel,
        "cpu_slowdown": cpu_slowdown,
        "scroll_y": scroll_y,
        "load_s": round(load_s, 2),
        "frames": counted["frames"],
        "elapsed_ms": round(counted["elapsed_ms"]),
        "fps": round(counted["frames"] * 1000 / counted["elapsed_ms"], 1),
        "frame_p95_ms": round(gaps[int(len(gaps) * 0.95)], 1) if gaps else None,
        "frame_max_ms": round(gaps[-1], 1) if gaps else None,
        "chromium_cpu_ms_per_frame": cpu_ms_per_frame,
        "readout_after": readout,
    }


def bench_fps(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    env = processes.process_env(f"sqlite:///{folder / 'runs.sqlite3'}", None)
    env["QS_EVENTS_MAX"] = "2000000"
    processes.migrate(env)
    server = processes.start_daphne(env, folder)
    try:
        scenario = pbft_scenario(args.n, args.time_ms, args.latency_ms)
        status, created = post_json(f"{server.http}/api/runs", scenario)
        if status != 201:
            raise RuntimeError(f"POST /api/runs: {status} {created}")
        run = wait_done(created["api"])
        url = created["url"]
        total = run["event_count"]
        slowdown = args.cpu_slowdown
        result = measure_page(url, total, args.seconds, args.panel, slowdown)
    finally:
        processes.stop_process(server.process)
    return {"scenario": scenario, "events": run["event_count"], **result}


def bench_seek(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    log = folder / "seek.jsonl"
    command = [sys.executable, "-m", "consensus", "run"]
    command += ["--protocol", args.seek_protocol, "--n", str(args.seek_n)]
    command += ["--time-ms", "3600000"]
    command += ["--max-events", str(args.seek_events), "--events", str(log)]
    subprocess.run(
        command,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=GENERATE_TIMEOUT_S,
    )
    node = subprocess.run(
        ["node", str(ROOT / "bench" / "dashboard_seek.mjs"), str(log)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
    )
    return {"command": " ".join(command[1:]), **json.loads(node.stdout)}


def machine() -> dict[str, Any]:
    node = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, timeout=10
    )
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
    )
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "node": node.stdout.strip(),
        "chromium": chromium.stdout.strip(),
        "load_1min": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--time-ms", type=int, default=8000)
    # At the default 10 ms links a PBFT run of 64 nodes logs about 560,000
    # events per simulated second, so 5 s of playback would exceed the
    # server's QS_EVENTS_MAX. 100 ms links keep 8 s under 500,000 events.
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--panel",
        choices=sorted(PANELS),
        default="ring",
        help="part of the run page scrolled to the top of the viewport before "
        "Play: the ring (page top), the node cards or the space-time diagram",
    )
    parser.add_argument(
        "--cpu-slowdown",
        type=float,
        default=1.0,
        help="factor (1 or more) by which Chromium slows the page's main thread",
    )
    parser.add_argument("--seek-events", type=int, default=1_000_000)
    parser.add_argument("--seek-protocol", default="toy")
    parser.add_argument("--seek-n", type=int, default=16)
    parser.add_argument("--skip", choices=["fps", "seek"])
    args = parser.parse_args()
    result: dict[str, Any] = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as name:
        folder = Path(name)
        if args.skip != "seek":
            result["seek"] = bench_seek(args, folder)
        if args.skip != "fps":
            result["fps"] = bench_fps(args, folder)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
