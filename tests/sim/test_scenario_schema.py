"""The published JSON Schema is valid and agrees with scenario.load."""

import json

import jsonschema
import pytest

from consensus.sim.scenario import SCHEMA_PATH, Limits, ScenarioError, load, schema

# Documents the schema alone decides: load accepts exactly those it accepts.
SCHEMA_DECIDES = [
    {"protocol": "pbft"},
    {"protocol": "toy", "n": 1},
    {"protocol": "pbft", "n": 256},
    {"protocol": "pbft", "n": 257},
    {"protocol": "pbft", "n": 0},
    {"protocol": "paxos"},
    {"n": 4},
    {"protocol": "pbft", "version": 2},
    {"protocol": "pbft", "extra": 1},
    {"protocol": "pbft", "faults": [{"node": 0, "behaviour": "crash", "at_ms": 10}]},
    {"protocol": "pbft", "faults": [{"node": 0, "behaviour": "delay"}]},
    {"protocol": "pbft", "faults": [{"node": -1, "behaviour": "silent"}]},
    {"protocol": "pbft", "network": {"loss": 0.999}},
    {"protocol": "pbft", "network": {"loss": 1}},
    {"protocol": "pbft", "network": {"latency": {"dist": "constant"}}},
    {
        "protocol": "pbft",
        "network": {"latency": {"dist": "normal", "mean_ms": 1, "stdev_ms": 0}},
    },
    {"protocol": "pbft", "network": {"latency": {"dist": "constant", "ms": 1, "x": 2}}},
    {"protocol": "pbft", "network": {"partitions": [{"groups": []}]}},
    {
        "protocol": "pbft",
        "network": {"partitions": [{"groups": [[0]], "heal_ms": None}]},
    },
    {"protocol": "pbft", "stop": {"heights": 0}},
    {"protocol": "pbft", "stop": {"events": 10, "time_ms": None}},
    {"protocol": "pbft", "stop": {"hours": 1}},
    {"protocol": "pbft", "liveness": {"stall_ms": 10}},
    {"protocol": "pbft", "seed": 2**63},
]

# Documents the schema accepts but the semantic checks of load reject.
SEMANTIC_ONLY = [
    {"protocol": "pbft", "n": 4, "faults": [{"node": 4, "behaviour": "silent"}]},
    {
        "protocol": "pbft",
        "faults": [
            {"node": 0, "behaviour": "silent"},
            {"node": 0, "behaviour": "crash"},
        ],
    },
    {"protocol": "pbft", "network": {"partitions": [{"groups": [[0], [0]]}]}},
    {
        "protocol": "pbft",
        "network": {"partitions": [{"groups": [[0]], "start_ms": 9, "heal_ms": 9}]},
    },
    {"protocol": "pbft", "stop": {}},
    {"protocol": "pbft", "params": {"unheard_of": 1}},
]


def schema_accepts(document):
    return jsonschema.Draft202012Validator(schema()).is_valid(document)


def load_accepts(document):
    try:
        load(document)
    except ScenarioError:
        return False
    return True


def test_schema_file_is_valid_schema():
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(published)


def test_schema_declares_draft_2020_12():
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_file_matches_default_limits():
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema(Limits()) == published


@pytest.mark.parametrize("document", SCHEMA_DECIDES, ids=json.dumps)
def test_schema_and_load_agree(document):
    assert schema_accepts(document) == load_accepts(document)


def test_table_has_both_outcomes():
    """Guard the table itself: it must hold accepted and rejected cases."""
    outcomes = {schema_accepts(d) for d in SCHEMA_DECIDES}
    assert outcomes == {True, False}


@pytest.mark.parametrize("document", SEMANTIC_ONLY, ids=json.dumps)
def test_semantic_checks_go_beyond_schema(document):
    assert schema_accepts(document)
    assert not load_accepts(document)


def test_normalized_documents_pass_schema():
    assert schema_accepts(load({"protocol": "pbft", "n": 7}))
