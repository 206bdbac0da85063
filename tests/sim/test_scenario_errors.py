"""Invalid scenario documents: each error names the field and the range."""

import pytest

from consensus.sim.scenario import ScenarioError, collect_errors, load


def doc(**fields):
    return {"protocol": "pbft", "n": 4, **fields}


def net(**fields):
    return doc(network=fields)


CASES = [
    # (id, document, field, text the message must contain)
    ("n too big", doc(n=300), "n", "300 is out of range; allowed 1 to 256"),
    ("n zero", doc(n=0), "n", "0 is out of range; allowed 1 to 256"),
    ("n not int", doc(n="4"), "n", '"4" is not an integer; allowed 1 to 256'),
    ("n bool", doc(n=True), "n", "true is not an integer; allowed 1 to 256"),
    (
        "node not int",
        doc(faults=[{"node": "a", "behaviour": "silent"}]),
        "faults.0.node",
        '"a" is not an integer; allowed 0 to 3',
    ),
    (
        "loss not number",
        net(loss="x"),
        "network.loss",
        '"x" is not a number; allowed 0 up to but not including 1',
    ),
    (
        "stop time not number",
        doc(stop={"time_ms": "x"}),
        "stop.time_ms",
        '"x" is not a number or null; allowed more than 0 up to 3600000',
    ),
    (
        "timing param not number",
        doc(params={"view_timeout_ms": "x"}),
        "params.view_timeout_ms",
        '"x" is not a number; allowed more than 0 to 3600000 ms',
    ),
    ("unknown top field", doc(colour="red"), "colour", "unknown field"),
    ("unknown protocol", doc(protocol="raft"), "protocol", '"raft" is unknown'),
    ("missing protocol", {"n": 4}, "protocol", "required field is missing"),
    ("wrong version", doc(version=2), "version", "2 is not supported; allowed: 1"),
    (
        "unknown behaviour",
        doc(faults=[{"node": 0, "behaviour": "sleepy"}]),
        "faults.0.behaviour",
        '"sleepy" is unknown',
    ),
    (
        "fault unknown field",
        doc(faults=[{"node": 0, "behaviour": "silent", "at_ms": 5}]),
        "faults.0.at_ms",
        "unknown field; allowed: node, behaviour",
    ),
    (
        "recover missing",
        doc(faults=[{"node": 0, "behaviour": "crash_recover", "at_ms": 5}]),
        "faults.0.recover_ms",
        "required field is missing",
    ),
    (
        "recover before crash",
        doc(
            faults=[
                {"node": 0, "behaviour": "crash_recover", "at_ms": 5, "recover_ms": 5}
            ]
        ),
        "faults.0.recover_ms",
        "is not after at_ms = 5",
    ),
    (
        "delay negative",
        doc(faults=[{"node": 0, "behaviour": "delay", "delay_ms": -1}]),
        "faults.0.delay_ms",
        "-1 is out of range; allowed 0 or more",
    ),
    (
        "fault node out of range",
        doc(faults=[{"node": 4, "behaviour": "silent"}]),
        "faults.0.node",
        "4 is out of range; allowed 0 to 3",
    ),
    (
        "duplicate fault node",
        doc(
            faults=[
                {"node": 1, "behaviour": "silent"},
                {"node": 1, "behaviour": "twins"},
            ]
        ),
        "faults.1.node",
        "already has a fault (faults.0)",
    ),
    (
        "more faults than n",
        doc(n=1, faults=[{"node": 0, "behaviour": "silent"}] * 2),
        "faults",
        "2 faulty nodes is more than n = 1",
    ),
    (
        "latency negative",
        net(latency={"dist": "constant", "ms": -3}),
        "network.latency.ms",
        "-3 is out of range; allowed 0 or more",
    ),
    (
        "latency non numeric",
        net(latency={"dist": "constant", "ms": "fast"}),
        "network.latency.ms",
        '"fast" is not a number',
    ),
    (
        "latency unknown dist",
        net(latency={"dist": "pareto"}),
        "network.latency.dist",
        '"pareto" is unknown',
    ),
    (
        "uniform low above high",
        net(latency={"dist": "uniform", "low_ms": 9, "high_ms": 3}),
        "network.latency.low_ms",
        "9 is greater than high_ms = 3",
    ),
    (
        "exponential zero mean",
        net(latency={"dist": "exponential", "mean_ms": 0}),
        "network.latency.mean_ms",
        "allowed more than 0",
    ),
    ("loss one", net(loss=1), "network.loss", "allowed 0 up to but not including 1"),
    ("loss negative", net(loss=-0.1), "network.loss", "-0.1 is out of range"),
    ("duplicate one", net(duplicate=1.0), "network.duplicate", "1.0 is out of range"),
    ("gst negative", net(gst_ms=-5), "network.gst_ms", "-5 is out of range"),
    (
        "link node out of range",
        net(links=[{"from": 0, "to": 9, "latency": {"dist": "constant", "ms": 1}}]),
        "network.links.0.to",
        "9 is out of range; allowed 0 to 3",
    ),
    (
        "link to itself",
        net(links=[{"from": 2, "to": 2, "latency": {"dist": "constant", "ms": 1}}]),
        "network.links.0.to",
        "is the same as from",
    ),
    (
        "duplicate link",
        net(links=[{"from": 0, "to": 1, "latency": {"dist": "constant", "ms": 1}}] * 2),
        "network.links.1",
        "link 0 -> 1 is given twice; allowed once",
    ),
    (
        "partition unknown node",
        net(partitions=[{"groups": [[0, 1], [2, 7]]}]),
        "network.partitions.0.groups.1.1",
        "7 is out of range; allowed 0 to 3",
    ),
    (
        "partition groups overlap",
        net(partitions=[{"groups": [[0, 1], [1, 2]]}]),
        "network.partitions.0.groups.1.0",
        "node 1 is in two groups",
    ),
    (
        "partition empty group",
        net(partitions=[{"groups": [[0, 1], []]}]),
        "network.partitions.0.groups.1",
        "[] is empty; allowed 1 or more node ids",
    ),
    (
        "partition no groups",
        net(partitions=[{"groups": []}]),
        "network.partitions.0.groups",
        "[] is empty; allowed 1 or more groups",
    ),
    (
        "heal before start",
        net(partitions=[{"groups": [[0], [1]], "start_ms": 500, "heal_ms": 100}]),
        "network.partitions.0.heal_ms",
        "100 is not after start_ms = 500",
    ),
    (
        "stop all null",
        doc(stop={"time_ms": None, "heights": None, "events": None}),
        "stop",
        "no stop condition set",
    ),
    ("stop empty", doc(stop={}), "stop", "no stop condition set"),
    (
        "stop time beyond limit",
        doc(stop={"time_ms": 3_600_001}),
        "stop.time_ms",
        "3600001 is out of range; allowed more than 0 up to 3600000",
    ),
    (
        "stop events beyond limit",
        doc(stop={"events": 5_000_001}),
        "stop.events",
        "allowed 1 to 5000000",
    ),
    (
        "stop heights beyond limit",
        doc(stop={"heights": 100_001}),
        "stop.heights",
        "allowed 1 to 100000",
    ),
    (
        "stall zero",
        doc(liveness={"stall_ms": 0}),
        "liveness.stall_ms",
        "allowed more than 0",
    ),
    (
        "unknown param",
        doc(params={"turbo": True}),
        "params.turbo",
        "unknown parameter for pbft",
    ),
    (
        "rotation unknown",
        doc(params={"leader_rotation": "random"}),
        "params.leader_rotation",
        '"random" is unknown; allowed: round_robin, stable',
    ),
    ("seed negative", doc(seed=-1), "seed", "-1 is out of range"),
    ("nan number", doc(seed=float("nan")), "seed", "NaN is not a finite number"),
    (
        "nan seed range",
        doc(seed=float("nan")),
        "seed",
        "NaN is not a finite number; allowed 0 to 9223372036854775807",
    ),
    (
        "infinite node",
        doc(faults=[{"node": float("inf"), "behaviour": "silent"}]),
        "faults.0.node",
        "Infinity is not a finite number; allowed 0 to 3",
    ),
    (
        "nan stop time",
        doc(stop={"time_ms": float("nan")}),
        "stop.time_ms",
        "NaN is not a finite number; allowed more than 0 up to 3600000",
    ),
    (
        "nan link latency",
        net(
            links=[
                {
                    "from": 0,
                    "to": 1,
                    "latency": {
                        "dist": "normal",
                        "mean_ms": 5,
                        "stdev_ms": float("nan"),
                    },
                }
            ]
        ),
        "network.links.0.latency.stdev_ms",
        "NaN is not a finite number; allowed 0 or more",
    ),
    (
        "nan protocol param",
        doc(protocol="tendermint", params={"gossip_ms": float("nan")}),
        "params.gossip_ms",
        "NaN is not a finite number; allowed more than 0 to 3600000 ms",
    ),
    (
        "overflowing number",
        '{"protocol": "pbft", "n": 1e400}',
        "n",
        "1e400 is beyond the range of a 64-bit floating-point number; allowed 1 to 256",
    ),
    (
        "overflowing negative number",
        '{"protocol": "pbft", "network": {"gst_ms": -1e400}}',
        "network.gst_ms",
        "-1e400 is beyond the range of a 64-bit floating-point number; "
        "allowed 0 or more",
    ),
]


@pytest.mark.parametrize(
    ("document", "field", "text"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_invalid_document_names_field(document, field, text):
    with pytest.raises(ScenarioError) as caught:
        load(document)
    assert caught.value.field == field
    assert text in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")


def test_error_message_example_exact():
    with pytest.raises(ScenarioError) as caught:
        load({"protocol": "pbft", "n": 300})
    assert str(caught.value) == "n: 300 is out of range; allowed 1 to 256"


def test_error_carries_value():
    with pytest.raises(ScenarioError) as caught:
        load(net(loss=1.5))
    assert caught.value.value == 1.5


def test_scenario_error_is_value_error():
    assert issubclass(ScenarioError, ValueError)


def test_malformed_json_rejected():
    with pytest.raises(ScenarioError) as caught:
        load('{"protocol": "pbft",')
    assert "invalid JSON at line 1" in str(caught.value)


def test_json_nan_rejected():
    with pytest.raises(ScenarioError) as caught:
        load('{"protocol": "pbft", "n": NaN}')
    assert "NaN is not a number" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            '{"protocol": "pbft", "n": NaN}',
            "n",
            "invalid JSON: NaN is not a number; allowed 1 to 256",
        ),
        (
            '{"protocol": "pbft", "network": {"loss": Infinity}}',
            "network.loss",
            "invalid JSON: Infinity is not a number; "
            "allowed 0 up to but not including 1",
        ),
        (
            '{"protocol": "pbft", "faults": [{"node": -Infinity, '
            '"behaviour": "silent"}]}',
            "faults.0.node",
            "invalid JSON: -Infinity is not a number; allowed 0 to 3",
        ),
    ],
)
def test_json_constant_names_its_key(text, field, message):
    with pytest.raises(ScenarioError) as caught:
        load(text)
    assert caught.value.field == field
    assert caught.value.message == message


def test_nan_in_text_field_keeps_schema_error():
    """NaN where a string belongs gets the error that lists the choices."""
    with pytest.raises(ScenarioError) as caught:
        load(doc(protocol=float("nan")))
    assert caught.value.field == "protocol"
    assert "NaN is unknown; allowed: pbft" in caught.value.message


def test_nan_in_unknown_field_reports_field():
    with pytest.raises(ScenarioError) as caught:
        load(doc(colour=float("nan")))
    assert caught.value.field == "colour"
    assert caught.value.message.startswith("unknown field; allowed: version")


def test_non_object_document_rejected():
    with pytest.raises(ScenarioError) as caught:
        load("[1, 2]")
    assert "must be a JSON object, not an array" in str(caught.value)


def test_collect_errors_lists_each_field():
    document = doc(n=0, seed="x", network={"loss": 2, "delta_ms": -1})
    fields = [error.field for error in collect_errors(document)]
    assert sorted(fields) == ["n", "network.delta_ms", "network.loss", "seed"]


def test_collect_errors_semantic_all_fields():
    document = net(
        partitions=[{"groups": [[0, 9]], "start_ms": 5, "heal_ms": 1}],
        latency={"dist": "uniform", "low_ms": 5, "high_ms": 1},
    )
    fields = [error.field for error in collect_errors(document)]
    assert sorted(fields) == [
        "network.latency.low_ms",
        "network.partitions.0.groups.0.1",
        "network.partitions.0.heal_ms",
    ]


def test_collect_errors_valid_is_empty():
    assert collect_errors(doc()) == []


def test_huge_fault_list_rejected_at_once():
    """Ten thousand fault entries get one error naming the count and the
    bound, not one error per entry."""
    faults = [{"node": node % 4, "behaviour": "silent"} for node in range(10_000)]
    errors = collect_errors({"protocol": "pbft", "n": 4, "faults": faults})
    assert len(errors) == 1
    assert errors[0].field == "faults"
    assert errors[0].value == 10_000
    assert "at most 256" in str(errors[0])


@pytest.mark.parametrize(
    ("document", "text"),
    [
        (
            doc(faults=[{"node": -1, "behaviour": "silent"}]),
            "faults.0.node: -1 is out of range; allowed 0 to 3",
        ),
        (
            doc(params={"retransmit_ms": True}),
            "params.retransmit_ms: true is not a number; "
            "allowed more than 0 to 3600000 ms",
        ),
        (
            net(links=[{"from": 1, "to": 1, "latency": {"dist": "constant", "ms": 5}}]),
            "network.links.0.to: 1 is the same as from; "
            "a link joins two different nodes",
        ),
    ],
)
def test_error_names_value_and_range(document, text):
    with pytest.raises(ScenarioError) as caught:
        load(document)
    assert str(caught.value) == text
