"""Defaults that scenario.load fills into a minimal document."""

import json

import pytest

from consensus.sim.scenario import Limits, ScenarioError, load, protocol_params

MINIMAL = {"protocol": "pbft", "n": 4}


def test_minimal_document_is_complete():
    """The common parameters come first, then those PBFT declares itself."""
    scenario = load(MINIMAL)
    assert list(scenario["params"])[:3] == [
        "view_timeout_ms",
        "backoff",
        "leader_rotation",
    ]
    assert scenario["params"]["view_timeout_ms"] == 1000
    assert scenario == {
        "version": 1,
        "protocol": "pbft",
        "params": protocol_params("pbft"),
        "n": 4,
        "faults": [],
        "network": {
            "latency": {"dist": "constant", "ms": 10},
            "links": [],
            "loss": 0.0,
            "duplicate": 0.0,
            "partitions": [],
            "gst_ms": 0,
            "pre_gst_max_delay_ms": 0,
            "delta_ms": 100,
        },
        "stop": {"time_ms": 10000, "heights": None, "events": None},
        "liveness": {"stall_ms": 5000},
        "seed": 1,
    }


def test_key_order_follows_contract():
    keys = list(load(MINIMAL))
    assert keys == [
        "version",
        "protocol",
        "params",
        "n",
        "faults",
        "network",
        "stop",
        "liveness",
        "seed",
    ]


def test_n_defaults_to_four():
    assert load({"protocol": "toy"})["n"] == 4


def test_json_string_accepted():
    assert load(json.dumps(MINIMAL)) == load(MINIMAL)


def test_given_stop_leaves_others_null():
    """A stop object that sets heights only does not inherit time_ms."""
    stop = load({"protocol": "pbft", "stop": {"heights": 5}})["stop"]
    assert stop == {"time_ms": None, "heights": 5, "events": None}


def test_crash_at_ms_defaults_to_zero():
    faults = load({"protocol": "pbft", "faults": [{"node": 1, "behaviour": "crash"}]})
    assert faults["faults"] == [{"node": 1, "behaviour": "crash", "at_ms": 0}]


def test_partition_unnamed_nodes_form_group():
    doc = {
        "protocol": "pbft",
        "n": 5,
        "network": {"partitions": [{"groups": [[0, 1]]}]},
    }
    partition = load(doc)["network"]["partitions"][0]
    assert partition == {"groups": [[0, 1], [2, 3, 4]], "start_ms": 0, "heal_ms": None}


def test_given_params_override_defaults():
    params = load({"protocol": "pbft", "params": {"backoff": 1.5}})["params"]
    assert params["backoff"] == 1.5
    assert params["view_timeout_ms"] == 1000


def test_integral_float_n_becomes_int():
    n = load({"protocol": "pbft", "n": 4.0})["n"]
    assert type(n) is int


def test_limits_override_raises_n_max():
    scenario = load({"protocol": "pbft", "n": 300}, Limits(n_max=512))
    assert scenario["n"] == 300


def test_limits_override_lowers_time_max():
    with pytest.raises(ScenarioError) as caught:
        load({"protocol": "pbft", "stop": {"time_ms": 5000}}, Limits(time_ms_max=1000))
    assert caught.value.field == "stop.time_ms"
    assert "allowed more than 0 up to 1000" in str(caught.value)
