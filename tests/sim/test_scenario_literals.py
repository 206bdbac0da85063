"""Huge integers and duplicate keys in a scenario's JSON text.

Python's int() refuses more than 4,300 digits, and json.loads uses it, so
an integer that long used to escape the loader as a bare ValueError. It is
now reported like 1e400: on its field, as written (shortened), with the
allowed range. A key given twice in one object used to let the last value
win silently; it is now an error on the key's dotted path.
"""

import pytest

from consensus.sim import scenario
from consensus.sim.scenario import PARAM_MS_MAX, SCHEMA_PATH, ScenarioError, load

ZEROS = "0" * 5000


def error_of(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            '{"protocol": "pbft", "n": 1' + ZEROS + "}",
            "n",
            "10000000000000000000... (5001 digits) is beyond the range of a "
            "64-bit floating-point number; allowed 1 to 256",
        ),
        (
            '{"protocol": "pbft", "n": -1' + ZEROS + "}",
            "n",
            "-10000000000000000000... (5001 digits) is beyond the range of a "
            "64-bit floating-point number; allowed 1 to 256",
        ),
        (
            '{"protocol": "pbft", "twins_worlds": [{"from_view": 1' + ZEROS + ", "
            '"world_1": []}], "faults": [{"node": 0, "behaviour": "twins"}]}',
            "twins_worlds.0.from_view",
            "10000000000000000000... (5001 digits) is beyond the range of a "
            "64-bit floating-point number; allowed 0 to 5000000",
        ),
        (
            '{"protocol": "pbft", "params": {"retransmit_ms": 1' + ZEROS + "}}",
            "params.retransmit_ms",
            "(5001 digits) is beyond the range of a 64-bit floating-point "
            f"number; allowed more than 0 to {PARAM_MS_MAX} ms",
        ),
        # Fewer digits than int() refuses, but beyond any float: the
        # simulator's times are floats, so it is rejected like 1e400.
        (
            '{"protocol": "pbft", "faults": [{"node": 0, "behaviour": "crash", '
            '"at_ms": 1' + "0" * 400 + "}]}",
            "faults.0.at_ms",
            "10000000000000000000... (401 digits) is beyond the range of a "
            "64-bit floating-point number; allowed 0 or more",
        ),
        (
            '{"protocol": 1' + ZEROS + "}",
            "protocol",
            "10000000000000000000... (5001 digits) is unknown; allowed: pbft",
        ),
        (
            '{"protocol": "pbft", "seed": 1' + "0" * 100 + "}",
            "seed",
            "10000000000000000000... (101 digits) is out of range; "
            "allowed 0 to 9223372036854775807",
        ),
    ],
)
def test_long_integer_reported_on_its_field(
    text: str, field: str, message: str
) -> None:
    error = error_of(text)

    assert error.field == field
    assert message in error.message
    assert len(error.message) < 200


def test_long_integer_errors_collected() -> None:
    errors = scenario.collect_errors(
        '{"protocol": "pbft", "n": 1' + ZEROS + ', "seed": -1' + ZEROS + "}"
    )

    assert [error.field for error in errors] == ["n", "seed"]


def test_integers_a_float_holds_still_parse_exactly() -> None:
    big = 2**63 - 1
    parsed = load(
        f'{{"protocol": "pbft", "seed": {big}, "stop": {{"time_ms": 100000}}}}'
    )

    assert parsed["seed"] == big
    assert type(parsed["seed"]) is int
    assert parsed["stop"]["time_ms"] == 100_000


def test_abbreviate() -> None:
    assert scenario.abbreviate("1e400") == "1e400"
    assert scenario.abbreviate("-" + "9" * 50) == "-" + "9" * 20 + "... (50 digits)"
    assert scenario.abbreviate("1." + "0" * 50 + "e400").endswith("(56 characters)")


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            '{"protocol": "raft", "protocol": "pbft"}',
            "protocol",
            'key "protocol" is given twice in one object; allowed once',
        ),
        (
            '{"protocol": "pbft", "network": {"latency": '
            '{"dist": "constant", "ms": 1, "ms": 2, "ms": 3}}}',
            "network.latency.ms",
            'key "ms" is given 3 times in one object; allowed once',
        ),
        (
            '{"protocol": "pbft", "faults": [{"node": 0, "behaviour": "silent"}, '
            '{"node": 1, "behaviour": "crash", "node": 2}]}',
            "faults.1.node",
            'key "node" is given twice',
        ),
        (
            '{"protocol": "pbft", "params": {"retransmit_ms": 5}, '
            '"params": {"retransmit_ms": 6}}',
            "params",
            'key "params" is given twice',
        ),
    ],
)
def test_duplicate_key_rejected(text: str, field: str, message: str) -> None:
    error = error_of(text)

    assert error.field == field
    assert error.message == message or message in error.message


def test_first_duplicate_in_document_order_reported() -> None:
    error = error_of(
        '{"network": {"loss": 0, "loss": 0}, "protocol": "pbft", "protocol": "toy"}'
    )

    assert error.field == "network.loss"


def test_duplicate_key_in_parse_and_decode() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario.parse('{"protocol": "pbft", "seed": 1, "seed": 1}')
    assert caught.value.field == "seed"
    with pytest.raises(ScenarioError) as caught:
        scenario.decode('[{"from_view": 0, "from_view": 1}]')
    assert caught.value.field == "0.from_view"


def test_same_key_in_different_objects_allowed() -> None:
    parsed = load(
        '{"protocol": "pbft", "network": {"latency": {"dist": "constant", "ms": 5}, '
        '"links": [{"from": 0, "to": 1, "latency": {"dist": "constant", "ms": 7}}]}}'
    )

    assert parsed["network"]["latency"]["ms"] == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"view_timeout_ms": 1e308},
            f"1e+308 is out of range; allowed more than 0 to {PARAM_MS_MAX} ms",
        ),
        (
            {"view_timeout_ms": 0},
            f"0 is out of range; allowed more than 0 to {PARAM_MS_MAX} ms",
        ),
    ],
)
def test_view_timeout_range_is_the_parameter_range(params, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as caught:
        load({"protocol": "pbft", "params": params})

    assert caught.value.field == "params.view_timeout_ms"
    assert caught.value.message == message


def test_schema_states_the_view_timeout_maximum() -> None:
    published = SCHEMA_PATH.read_text(encoding="utf-8")
    params = scenario.schema()["$defs"]["params"]["properties"]

    assert params["view_timeout_ms"]["maximum"] == PARAM_MS_MAX
    assert f'"maximum": {PARAM_MS_MAX}, "default": 1000' in published
