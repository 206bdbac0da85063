"""End-to-end runs of ``python -m consensus`` in subprocesses (toy protocol)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOY = ["--protocol", "toy", "--n", "4", "--heights", "3", "--time-ms", "5000"]
SUMMARY_KEYS = {
    "protocol",
    "n",
    "seed",
    "committed_heights",
    "safety_violations",
    "liveness_violations",
    "messages",
    "bytes",
    "messages_by_type",
    "bytes_by_type",
    "first_commit_ms",
    "commit_latency_ms",
    "per_node_latency_ms",
    "throughput",
    "views",
    "view_changes",
    "recovery_ms",
    "events",
    "sim_time_ms",
    "end_reason",
}


def consensus(*argv, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "consensus", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """One toy run with its event log, shared by the tests of this module."""
    log = tmp_path_factory.mktemp("run") / "events.jsonl"
    result = consensus("run", *TOY, "--events", str(log))
    return result, log


def test_run_prints_summary(recorded):
    result, _ = recorded
    summary = json.loads(result.stdout)
    assert result.returncode == 0
    assert set(summary) >= SUMMARY_KEYS
    assert summary["committed_heights"] == 3
    assert summary["end_reason"] == "heights"


def test_run_without_tty_has_no_progress(recorded):
    result, _ = recorded
    assert result.stderr == ""


def test_events_file_matches_summary(recorded):
    result, log = recorded
    lines = log.read_text().splitlines()
    first = json.loads(lines[0])
    last = json.loads(lines[-1])
    assert first["kind"] == "run_start"
    assert last["kind"] == "run_end"
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert last["summary"] == json.loads(result.stdout)


def test_replay_reports_identical(recorded):
    _, log = recorded
    result = consensus("replay", str(log))
    assert result.returncode == 0
    assert result.stdout == "identical\n"


def test_replay_detects_tampered_event(recorded, tmp_path):
    _, log = recorded
    lines = log.read_text().splitlines(keepends=True)
    event = json.loads(lines[9])
    event["t"] = event["t"] + 1
    lines[9] = json.dumps(event, separators=(",", ":")) + "\n"
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(lines))
    result = consensus("replay", str(tampered))
    assert result.returncode == 1
    assert result.stdout == "differs at seq 10\n"


def test_replay_reports_log_cut_before_run_end(recorded, tmp_path):
    _, log = recorded
    lines = log.read_text().splitlines(keepends=True)
    short = tmp_path / "short.jsonl"
    short.write_text("".join(lines[:-1]))
    result = consensus("replay", str(short))
    assert result.returncode == 1
    assert result.stdout == (
        f"cut short: the log ends at seq {len(lines) - 1} before run_end; "
        "the events up to there are identical\n"
    )


def test_replay_ignores_half_written_last_line(recorded, tmp_path):
    _, log = recorded
    lines = log.read_text().splitlines(keepends=True)
    short = tmp_path / "short.jsonl"
    short.write_text("".join(lines[:20]) + lines[20][:15])
    result = consensus("replay", str(short))
    assert result.returncode == 1
    assert result.stdout.startswith("cut short: the log ends at seq 20 before")


def test_replay_of_cut_log_reports_difference(recorded, tmp_path):
    _, log = recorded
    lines = log.read_text().splitlines(keepends=True)
    event = json.loads(lines[9])
    event["t"] = event["t"] + 1
    lines[9] = json.dumps(event, separators=(",", ":")) + "\n"
    short = tmp_path / "short.jsonl"
    short.write_text("".join(lines[:30]))
    result = consensus("replay", str(short))
    assert result.returncode == 1
    assert result.stdout == (
        "differs at seq 10 (the log is cut short at seq 30, before run_end)\n"
    )


def test_run_from_file_with_override(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(
        json.dumps({"protocol": "toy", "n": 4, "seed": 3, "stop": {"heights": 2}})
    )
    result = consensus("run", str(path), "--n", "5", "--time-ms", "5000")
    summary = json.loads(result.stdout)
    assert summary["n"] == 5
    assert summary["seed"] == 3
    assert summary["committed_heights"] == 2


def test_progress_flag_draws_bar():
    result = subprocess.run(
        [sys.executable, "-m", "consensus", "run", *TOY, "--progress"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.stderr.startswith(b"\r[")
    assert result.stderr.endswith(b"] 100%\n")


def test_same_seed_same_summary():
    first = consensus("run", *TOY, "--seed", "7", "--latency", "uniform:5:15")
    second = consensus("run", *TOY, "--seed", "7", "--latency", "uniform:5:15")
    assert first.stdout == second.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--protocol", "toy", "--n", "0"],
            "error: n: 0 is out of range; allowed 1 to 256",
        ),
        (["--protocol", "raft"], 'error: protocol: "raft" is unknown'),
        (
            ["--protocol", "toy", "--loss", "1"],
            "error: network.loss: 1.0 is out of range",
        ),
        (
            ["--protocol", "toy", "--fault", "7:silent"],
            "error: faults.0.node: 7 is out of range",
        ),
        (
            ["--protocol", "toy", "--fault", "1:crash@x"],
            "error: --fault: '1:crash@x' is invalid",
        ),
        (["missing.json"], "error: missing.json: file not found"),
    ],
)
def test_bad_input_exits_two(argv, message):
    result = consensus("run", *argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_malformed_scenario_file_exits_two(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"protocol": "toy",,}')
    result = consensus("run", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}: invalid JSON at line 1")


def test_silent_leader_stall_reported(tmp_path):
    """A silent leader of view 0 stalls the toy protocol for one view timeout."""
    log = tmp_path / "events.jsonl"
    result = consensus(
        "run",
        "--protocol",
        "toy",
        "--fault",
        "0:silent",
        "--stall-ms",
        "500",
        "--time-ms",
        "900",
        "--events",
        str(log),
    )
    summary = json.loads(result.stdout)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    violations = [event for event in events if event["kind"] == "violation"]
    assert summary["liveness_violations"] == [
        {
            "property": "liveness",
            "evidence": {"from": 0, "to": 900, "stall_ms": 500, "last_commit": None},
        }
    ]
    assert summary["safety_violations"] == []
    assert [event["property"] for event in violations] == ["liveness"]


def test_replay_applies_recorded_event_cap(tmp_path):
    from consensus.sim.runner import run_scenario

    log = tmp_path / "capped.jsonl"
    scenario = {"protocol": "toy", "n": 4, "stop": {"time_ms": 5000}}
    summary = run_scenario(scenario, events_path=log, max_events=300)
    end = json.loads(log.read_text().splitlines()[-1])
    assert summary["end_reason"] == "event_limit"
    assert end["event_limit"] == 300
    result = consensus("replay", str(log))
    assert result.stdout == "identical\n"
    assert result.returncode == 0


def test_replay_rejects_bad_recorded_cap(tmp_path):
    from consensus.sim.runner import run_scenario

    log = tmp_path / "capped.jsonl"
    run_scenario({"protocol": "toy", "n": 4}, events_path=log, max_events=300)
    lines = log.read_text().splitlines(keepends=True)
    end = json.loads(lines[-1])
    end["event_limit"] = "many"
    lines[-1] = json.dumps(end) + "\n"
    log.write_text("".join(lines))
    result = consensus("replay", str(log))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {log}: the run_end event's event_limit 'many' is invalid; "
        "allowed a whole number above 0\n"
    )


def test_events_to_a_folder_exits_two(tmp_path):
    result = consensus("run", *TOY, "--events", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: --events: {tmp_path}: is a folder; give a file name\n"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_events_write_failure_exits_two():
    result = consensus("run", *TOY, "--events", "/dev/full")
    assert result.returncode == 2
    assert result.stderr == (
        "error: --events: /dev/full: write failed: No space left on device\n"
    )


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--n", "abc", 'n: "abc" is not an integer'),
        ("--seed", "1.5", "seed: 1.5 is not an integer"),
        ("--loss", "x", 'network.loss: "x" is not a number'),
        ("--time-ms", "soon", 'stop.time_ms: "soon" is not a number or null'),
    ],
)
def test_non_numeric_flag_names_field(flag, value, message):
    result = consensus("run", "--protocol", "toy", flag, value)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1


def test_replay_log_without_final_newline(recorded, tmp_path):
    _, log = recorded
    text = log.read_text()
    short = tmp_path / "short.jsonl"
    short.write_text(text[:-1])
    result = consensus("replay", str(short))
    count = text.count("\n") - 1
    assert result.returncode == 1
    assert result.stdout == (
        f"cut short: the log ends at seq {count} before run_end; "
        "the events up to there are identical\n"
    )


def test_replay_ignores_blank_lines_after_cut(recorded, tmp_path):
    _, log = recorded
    lines = log.read_text().splitlines(keepends=True)
    short = tmp_path / "short.jsonl"
    short.write_text("".join(lines[:30]) + "\n\n")
    result = consensus("replay", str(short))
    assert result.returncode == 1
    assert result.stdout.startswith("cut short: the log ends at seq 30 before")


def test_replay_deeply_nested_line_exits_two(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    result = consensus("replay", str(path))
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: line 1 is nested too deeply\n"


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        (
            "--n",
            "1e400",
            "n: 1e400 is beyond the range of a 64-bit floating-point number; "
            "allowed 1 to 256",
        ),
        (
            "--n",
            "9" * 35,
            f"n: {'9' * 35} is out of range; allowed 1 to 256",
        ),
        (
            "--loss",
            "1",
            "network.loss: 1.0 is out of range; allowed 0 up to but not including 1",
        ),
    ],
)
def test_numeric_flag_quoted_as_written(flag, value, message):
    result = consensus("run", "--protocol", "toy", flag, value)
    assert result.returncode == 2
    assert result.stderr == f"error: {message}\n"
