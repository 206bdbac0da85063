"""A full scenario document survives load and JSON unchanged."""

import json

from consensus.sim.scenario import load, protocol_params

FULL = {
    "version": 1,
    "protocol": "hotstuff",
    "params": {
        **protocol_params("hotstuff"),
        "view_timeout_ms": 800,
        "backoff": 1.5,
        "leader_rotation": "stable",
    },
    "n": 7,
    "faults": [
        {"node": 0, "behaviour": "silent"},
        {"node": 1, "behaviour": "crash_recover", "at_ms": 500, "recover_ms": 1500},
        {"node": 3, "behaviour": "delay", "delay_ms": 200},
    ],
    "network": {
        "latency": {"dist": "lognormal", "mu": 2.0, "sigma": 0.5},
        "links": [
            {
                "from": 0,
                "to": 1,
                "latency": {"dist": "uniform", "low_ms": 5, "high_ms": 15},
            },
            {
                "from": 1,
                "to": 0,
                "latency": {"dist": "normal", "mean_ms": 10, "stdev_ms": 2},
            },
            {"from": 2, "to": 6, "latency": {"dist": "exponential", "mean_ms": 4}},
        ],
        "loss": 0.01,
        "duplicate": 0.02,
        "partitions": [
            {"groups": [[0, 1, 2], [3, 4, 5, 6]], "start_ms": 100, "heal_ms": 900}
        ],
        "gst_ms": 1000,
        "pre_gst_max_delay_ms": 300,
        "delta_ms": 50,
    },
    "stop": {"time_ms": 20000, "heights": 50, "events": 1000000},
    "liveness": {"stall_ms": 3000},
    "seed": 42,
}


def test_full_document_loads_unchanged():
    assert load(FULL) == FULL


def test_normalized_document_is_fixed_point():
    once = load(FULL)
    assert load(json.dumps(once)) == once


def test_minimal_document_is_fixed_point():
    once = load({"protocol": "tendermint"})
    assert load(json.dumps(once)) == once


def test_load_leaves_input_untouched():
    document = {"protocol": "pbft", "network": {"partitions": [{"groups": [[0]]}]}}
    load(document)
    assert document == {
        "protocol": "pbft",
        "network": {"partitions": [{"groups": [[0]]}]},
    }
