"""The same scenario and seed give a byte-identical log on any hash seed."""

import json
import os
import subprocess
import sys
from pathlib import Path

from consensus.sim.log import LineEncoder, dumps
from consensus.sim.runner import run_scenario
from tests.sim.sim_helpers import run, toy

ROOT = Path(__file__).resolve().parents[2]

# Random latency, loss, duplication, a partition and faults: every source
# of randomness and every fault path is exercised.
BUSY = toy(
    n=7,
    faults=[
        {"node": 0, "behaviour": "equivocate"},
        {"node": 5, "behaviour": "crash_recover", "at_ms": 40, "recover_ms": 90},
    ],
    network={
        "latency": {"dist": "lognormal", "mu": 2.0, "sigma": 0.5},
        "loss": 0.05,
        "duplicate": 0.05,
        "partitions": [
            {"groups": [[0, 1, 2], [3, 4, 5, 6]], "start_ms": 60, "heal_ms": 80}
        ],
        "gst_ms": 50,
        "pre_gst_max_delay_ms": 30,
        "delta_ms": 40,
    },
    params={"view_timeout_ms": 60},
    stop={"time_ms": 400},
    seed=11,
)

SCRIPT = """
import json, sys
from consensus.sim.runner import run_scenario
run_scenario(json.loads(sys.argv[1]), events_path=sys.argv[2])
"""


def run_in_subprocess(path, hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(BUSY), str(path)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return path.read_bytes()


def test_log_identical_across_hash_seeds(tmp_path):
    first = run_in_subprocess(tmp_path / "a.jsonl", 1)
    second = run_in_subprocess(tmp_path / "b.jsonl", 2024)
    assert len(first) > 10_000
    assert first == second


def test_file_lines_match_json_dumps(tmp_path):
    path = tmp_path / "events.jsonl"
    run_scenario(BUSY, events_path=path)
    _, sink = run(BUSY)
    expected = [json.dumps(event, separators=(",", ":")) for event in sink.events]
    assert path.read_text().splitlines() == expected


def test_line_encoder_falls_back_for_unusual_values():
    encode = LineEncoder().encode
    events = [
        {
            "seq": 1,
            "t": float("nan"),
            "kind": "deliver",
            "node": 1,
            "from": 0,
            "msg": "x",
            "view": 0,
        },
        {
            "seq": 2,
            "t": 1.5,
            "kind": "deliver",
            "node": True,
            "from": 0,
            "msg": "é",
            "view": 0,
        },
        {
            "seq": 3,
            "t": 2,
            "kind": "send",
            "node": 0,
            "to": 1,
            "msg": 'm"',
            "category": "vote",
            "view": 0,
            "size": 1,
            "fields": {},
        },
    ]
    for event in events:
        assert encode(event) == dumps(event)


def test_seq_has_no_gaps():
    _, sink = run(BUSY)
    assert [event["seq"] for event in sink.events] == list(
        range(1, len(sink.events) + 1)
    )


def test_time_never_goes_back():
    _, sink = run(BUSY)
    times = [event["t"] for event in sink.events]
    assert times == sorted(times)


def test_first_and_last_events_frame_run():
    summary, sink = run(BUSY)
    first, last = sink.events[0], sink.events[-1]
    assert first["kind"] == "run_start"
    assert first["scenario"]["seed"] == 11
    assert last["kind"] == "run_end"
    assert last["summary"] == summary


def test_line_encoder_deliver_cache_keys_on_objects():
    encode = LineEncoder().encode
    t = 12.5
    first = {"seq": 1, "t": t, "kind": "deliver", "node": 1}
    first.update({"from": 0, "msg": "vote", "view": 3})
    events = [
        first,
        {**first, "seq": 2, "node": 2},
        {**first, "seq": 3, "node": False},
        {**first, "seq": 4, "node": 4, "t": 12.75},
        {**first, "seq": 5, "node": 5, "from": True},
        {**first, "seq": 6, "node": 6, "view": 3.0},
        {**first, "seq": 7, "node": 7, "msg": "prepare"},
        {**first, "seq": 8, "node": 8, "msg": "prepare", "twin": 1},
        {**first, "seq": 9, "node": 9},
    ]
    for event in events:
        assert encode(event) == dumps(event)
