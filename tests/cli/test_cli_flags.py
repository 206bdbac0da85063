"""Turning command-line flags into a scenario document."""

import io
import json

import pytest

from consensus.cli import (
    InputError,
    ProgressBar,
    build_parser,
    main,
    parse_fault,
    parse_latency,
    scenario_from_args,
)
from consensus.sim.scenario import load


def document(*argv):
    return scenario_from_args(build_parser().parse_args(["run", *argv]))


def test_flags_alone_build_scenario():
    doc = document("--protocol", "pbft", "--n", "7", "--seed", "9")
    assert doc == {"protocol": "pbft", "n": 7, "seed": 9}


def test_fault_flags_in_order():
    doc = document(
        "--protocol", "pbft", "--fault", "0:equivocate", "--fault", "1:crash@500"
    )
    assert doc["faults"] == [
        {"node": 0, "behaviour": "equivocate"},
        {"node": 1, "behaviour": "crash", "at_ms": 500},
    ]


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("2:silent", {"node": 2, "behaviour": "silent"}),
        ("1:crash@12.5", {"node": 1, "behaviour": "crash", "at_ms": 12.5}),
        (
            "1:crash_recover@500-1500",
            {"node": 1, "behaviour": "crash_recover", "at_ms": 500, "recover_ms": 1500},
        ),
        ("3:delay@200", {"node": 3, "behaviour": "delay", "delay_ms": 200}),
    ],
)
def test_parse_fault_forms(spec, fault):
    assert parse_fault(spec) == fault


@pytest.mark.parametrize("spec", ["x:silent", "1:crash@soon", "1:crash_recover@5", ""])
def test_parse_fault_rejects_garbage(spec):
    with pytest.raises(InputError) as caught:
        parse_fault(spec)
    assert str(caught.value).startswith("--fault: ")


def test_parse_fault_names_missing_recovery():
    with pytest.raises(InputError) as caught:
        parse_fault("1:crash_recover@500")
    assert "missing its recovery time" in str(caught.value)
    assert "crash_recover@500-1500" in str(caught.value)


@pytest.mark.parametrize(
    ("spec", "latency"),
    [
        ("constant:10", {"dist": "constant", "ms": 10}),
        ("uniform:5:15", {"dist": "uniform", "low_ms": 5, "high_ms": 15}),
        ("normal:10:2.5", {"dist": "normal", "mean_ms": 10, "stdev_ms": 2.5}),
        ("exponential:4", {"dist": "exponential", "mean_ms": 4}),
        ("lognormal:2.0:0.5", {"dist": "lognormal", "mu": 2.0, "sigma": 0.5}),
    ],
)
def test_parse_latency_forms(spec, latency):
    assert parse_latency(spec) == latency


@pytest.mark.parametrize("spec", ["constant", "uniform:5", "pareto:1", "constant:x"])
def test_parse_latency_rejects_garbage(spec):
    with pytest.raises(InputError) as caught:
        parse_latency(spec)
    assert str(caught.value).startswith("--latency: ")


def test_flags_override_file_fields(tmp_path):
    path = tmp_path / "s.json"
    file_doc = {
        "protocol": "toy",
        "n": 4,
        "faults": [{"node": 0, "behaviour": "silent"}],
        "network": {"loss": 0.1, "gst_ms": 50},
        "stop": {"time_ms": 700},
    }
    path.write_text(json.dumps(file_doc))
    doc = document(
        str(path), "--n", "10", "--fault", "2:twins", "--loss", "0", "--heights", "3"
    )
    assert doc["n"] == 10
    assert doc["faults"] == [{"node": 2, "behaviour": "twins"}]
    assert doc["network"] == {"loss": 0.0, "gst_ms": 50}
    assert doc["stop"] == {"time_ms": 700, "heights": 3}


def test_stop_flag_keeps_default_time():
    doc = document("--protocol", "toy", "--heights", "10")
    assert load(doc)["stop"] == {"time_ms": 10000, "heights": 10, "events": None}


def test_param_flag_parses_json_values():
    doc = document(
        "--protocol",
        "toy",
        "--param",
        "backoff=1.5",
        "--param",
        "leader_rotation=stable",
    )
    assert doc["params"] == {"backoff": 1.5, "leader_rotation": "stable"}


def test_missing_protocol_and_file():
    with pytest.raises(InputError):
        document("--n", "4")


def test_invalid_n_exits_two(capsys):
    assert main(["run", "--protocol", "toy", "--n", "0"]) == 2
    err = capsys.readouterr().err
    assert err == "error: n: 0 is out of range; allowed 1 to 256\n"


def test_nan_flag_names_range(capsys):
    assert main(["run", "--protocol", "toy", "--loss", "nan"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: network.loss: NaN is not a finite number; "
        "allowed 0 up to but not including 1\n"
    )


def test_nan_in_file_names_key(capsys, tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('{"protocol": "toy", "network": {"gst_ms": NaN}}')
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: network.gst_ms: invalid JSON: NaN is not a number; allowed 0 or more\n"
    )


def test_missing_file_exits_two(capsys, tmp_path):
    missing = tmp_path / "absent.json"
    assert main(["run", str(missing)]) == 2
    assert capsys.readouterr().err == f"error: {missing}: file not found\n"


def test_malformed_file_exits_two(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"protocol": ')
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}: invalid JSON at line 1")


def test_replay_missing_log_exits_two(capsys, tmp_path):
    missing = tmp_path / "absent.jsonl"
    assert main(["replay", str(missing)]) == 2
    assert capsys.readouterr().err == f"error: {missing}: file not found\n"


def test_replay_rejects_non_run_start(capsys, tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"seq":1,"t":0,"kind":"send"}\n')
    assert main(["replay", str(path)]) == 2
    assert "line 1 is not a run_start event" in capsys.readouterr().err


def test_progress_bar_redraws_on_change():
    stream = io.StringIO()
    bar = ProgressBar(stream, width=10)
    for fraction in (0.0, 0.001, 0.5, 0.5, 1.0):
        bar.update(fraction)
    bar.close()
    assert stream.getvalue() == (
        "\r[..........]   0%\r[#####.....]  50%\r[##########] 100%\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1 is empty; a log starts with run_start"),
        ("\n", "line 1 is empty; a log starts with run_start"),
        (
            '{"kind":"run_start","kind":"x"}\n',
            'line 1: kind: key "kind" is given twice in one object; allowed once',
        ),
    ],
)
def test_replay_bad_first_line_exits_two(capsys, tmp_path, text, message):
    path = tmp_path / "log.jsonl"
    path.write_text(text)
    assert main(["replay", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: {message}\n"


def test_param_overflow_quoted_as_written(capsys):
    argv = ["run", "--protocol", "toy", "--param", "view_timeout_ms=1e400"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "error: params.view_timeout_ms: 1e400 is beyond the range of a 64-bit "
        "floating-point number; allowed more than 0 to 3600000 ms\n"
    )
