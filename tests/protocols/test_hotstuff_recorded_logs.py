"""Event logs of HotStuff-2 and chained HotStuff, recorded byte for byte.

The runs cover faulty leaders and voters, crashes, an unreliable network
and twins within and beyond t, under both leader rotations. Changes meant
to leave the protocols' behaviour as it is (such as dropping state that
no message can reach any more) must leave these logs unchanged.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from consensus.sim.log import dumps
from consensus.sim.runner import Simulation
from tests.protocols.hotstuff_runs import D, Event, severed

PROTOCOLS = ("chained_hotstuff", "hotstuff2")
ROTATIONS = ("round_robin", "stable")


def run_doc(
    protocol: str, rotation: str, n: int = 4, **overrides: Any
) -> dict[str, Any]:
    """Return a scenario with uniform 1 to 3d links and a 300 ms view timer."""
    doc: dict[str, Any] = {
        "protocol": protocol,
        "n": n,
        "network": {"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 3 * D}},
        "params": {"leader_rotation": rotation, "view_timeout_ms": 300},
        "stop": {"time_ms": 6000},
        "seed": 1,
    }
    doc.update(overrides)
    return doc


# Overrides of run_doc by scenario name: faulty leaders and voters,
# crashes, an unreliable network, and twins within and beyond t.
LOG_SCENARIOS: dict[str, dict[str, Any]] = {
    "clean": {"stop": {"time_ms": 20_000, "heights": 150}},
    "equivocate": {"faults": [{"node": 0, "behaviour": "equivocate"}], "seed": 3},
    "double_vote": {
        "n": 7,
        "faults": [
            {"node": 2, "behaviour": "double_vote"},
            {"node": 5, "behaviour": "equivocate"},
        ],
        "seed": 4,
    },
    "crash": {
        "faults": [{"node": 0, "behaviour": "crash", "at_ms": 500}],
        "seed": 5,
    },
    "crash_recover": {
        "n": 7,
        "faults": [
            {"node": 0, "behaviour": "crash_recover", "at_ms": 300, "recover_ms": 1500},
            {"node": 1, "behaviour": "silent"},
        ],
        "seed": 6,
    },
    "partition": {
        "network": {
            "latency": {"dist": "uniform", "low_ms": 1, "high_ms": 4 * D},
            "loss": 0.05,
            "duplicate": 0.1,
            "gst_ms": 1500,
            "pre_gst_max_delay_ms": 200,
            "partitions": [
                {"groups": [[0, 1], [2, 3]], "start_ms": 400, "heal_ms": 2500}
            ],
        },
        "seed": 7,
    },
    "twins": {"faults": [{"node": 0, "behaviour": "twins"}], "seed": 9},
    "twins_split": {
        "faults": [
            {"node": 0, "behaviour": "twins"},
            {"node": 1, "behaviour": "twins"},
        ],
        "network": {
            "latency": {"dist": "constant", "ms": D},
            "links": severed(2, 3),
            "gst_ms": 10**12,
        },
        "stop": {"time_ms": 8000},
    },
    "twins_worlds": {
        "faults": [
            {"node": 0, "behaviour": "twins"},
            {"node": 1, "behaviour": "twins"},
        ],
        "network": {"latency": {"dist": "constant", "ms": D}},
        "twins_worlds": [
            {"from_view": 0, "world_1": [2, 3]},
            {"from_view": 2, "world_1": []},
            {"from_view": 3, "world_1": [2]},
            {"from_view": 7, "world_1": [2, 3]},
        ],
        "stop": {"time_ms": 20_000},
    },
}

# (protocol, rotation, scenario) -> (sha256 of the JSON-lines log, committed
# heights, safety violations, liveness violations). A change meant to alter
# a log updates its entry, and its commit message explains why.
RECORDED_LOGS: dict[tuple[str, str, str], tuple[str, int, int, int]] = {
    ("chained_hotstuff", "round_robin", "clean"): (
        "62046aefaf801043fd69825dd1d0e52831b8284ee0ad780a473a6b8b94ffadbf",
        150,
        0,
        0,
    ),
    ("chained_hotstuff", "round_robin", "equivocate"): (
        "4242b7591fe62706368ca8632337b130dc362c57986bb0d2eb8939bfe417602e",
        202,
        0,
        0,
    ),
    ("chained_hotstuff", "round_robin", "double_vote"): (
        "47dca37af949f3cce7aa76a0b4e3613421392da9d097ac5f477bf79f8abdcf67",
        58,
        0,
        0,
    ),
    ("chained_hotstuff", "round_robin", "crash"): (
        "ba4f33e0017b05abd516daa496de7c0e091a577f2846d5ca1d248801c5e8a793",
        17,
        0,
        1,
    ),
    ("chained_hotstuff", "round_robin", "crash_recover"): (
        "d69092cb0479e941b13dce290196b1236a1ea41c4d867f8a387d489c64aff16a",
        47,
        0,
        0,
    ),
    ("chained_hotstuff", "round_robin", "partition"): (
        "7cee41baa275d7807c6a829878bf07dbe57b299546bac17a26189300bb9400e2",
        59,
        0,
        0,
    ),
    ("chained_hotstuff", "round_robin", "twins"): (
        "9d4c8b21eb0287592d22c09d377589b48dcd346805899294bb9ce25a05eb9ec1",
        1,
        0,
        1,
    ),
    ("chained_hotstuff", "round_robin", "twins_split"): (
        "0b9126bdd48b39b16569aa235dc82e3e479c60714ffc8e9fe15a4bbcec62c48f",
        0,
        0,
        0,
    ),
    ("chained_hotstuff", "round_robin", "twins_worlds"): (
        "1afce8de70bc52b820def4ae3513461d256aa9bf32230c139744a5102f7efba5",
        892,
        1,
        0,
    ),
    ("chained_hotstuff", "stable", "clean"): (
        "cd5cef5d8db234a004208285313a1ddc0e68065ebf54ca39597b5b4a69a2bfc7",
        150,
        0,
        0,
    ),
    ("chained_hotstuff", "stable", "equivocate"): (
        "e4444f96c7a46ae49c2cdc5cf3f560bb71fbe5a41405b813eb078d77cf343d23",
        160,
        0,
        0,
    ),
    ("chained_hotstuff", "stable", "double_vote"): (
        "8b28ce81a6156e62cf8495112a0911ad5bc7a20c7d28f6c81bf5184e0c7369c6",
        174,
        0,
        0,
    ),
    ("chained_hotstuff", "stable", "crash"): (
        "7d9ba0bc9d6cb8772799a0bd6ed942e7c3d6dd7208b901b86d6c949fd9818788",
        152,
        0,
        0,
    ),
    ("chained_hotstuff", "stable", "crash_recover"): (
        "ebf9085c5e6817c42d9da17c30210b036becca9911a40ff0d6be5aed416dbe2e",
        131,
        0,
        0,
    ),
    ("chained_hotstuff", "stable", "partition"): (
        "529435b75d0352143df8a1be13f78a132f6c9b1a9f946128f24f00423786b431",
        80,
        0,
        0,
    ),
    ("chained_hotstuff", "stable", "twins"): (
        "b142350f80a3218a1c37d66ee2895f01ff97072e40d49ac4ad541626f25b47af",
        0,
        0,
        1,
    ),
    ("chained_hotstuff", "stable", "twins_split"): (
        "9211c13efdaea084afe8db8228fcdfe3b8ba427ac2628662dab058b611dfc739",
        397,
        397,
        0,
    ),
    ("chained_hotstuff", "stable", "twins_worlds"): (
        "435ea9ac60a891ab0d1fc46740904b572837e82a02894b13058ccb21e27bf2db",
        989,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "clean"): (
        "e9e4891cd325f3664ffd3a2cdd596ec6f72c1d921f58903a4f730bc2498b024a",
        150,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "equivocate"): (
        "19dd4ad50f8e8648cb9f8c6ad808d87691e70a81f635975b47d31e4aa7929a94",
        97,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "double_vote"): (
        "92d9b87d77303a1fbd6c418be7e76e6ebd26337c114935e62b7ad74158f1e9c0",
        82,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "crash"): (
        "3816137b102c4ef7986f55451f8c079ef827ffa91c7c7a1e3b47cc2c5dc24688",
        23,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "crash_recover"): (
        "37c3341330e1d2338d0534b40b88063a76e7c065f78a8961550e596147e0ce72",
        17,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "partition"): (
        "26733c245c03554598977075fc2952217decc6afe3112351e51e0e62df82379f",
        18,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "twins"): (
        "9c00d1b48f2a8b2de9a61fdbc9216fa2df64157c9a50a06c7a711d183391a52e",
        39,
        0,
        0,
    ),
    ("hotstuff2", "round_robin", "twins_split"): (
        "bff320fff41cf7bf85ee9b80cfe64080f66e947111b44a9a8ff96acf858bda7c",
        22,
        22,
        0,
    ),
    ("hotstuff2", "round_robin", "twins_worlds"): (
        "bb7cd04d51c3e107df56da5bdd2dec654e4ddda2cafea27ddcbaf8a970911bf0",
        2,
        0,
        0,
    ),
    ("hotstuff2", "stable", "clean"): (
        "2e02f6fb945c4f3c034e0333c1132ec0ba649c23c7423e21ba522c803a320719",
        150,
        0,
        0,
    ),
    ("hotstuff2", "stable", "equivocate"): (
        "955327df3af503890dc57727b4f87a966e517bcef43aafc85fd484be3c220442",
        89,
        0,
        0,
    ),
    ("hotstuff2", "stable", "double_vote"): (
        "db306e5265c8e26210fb2a93c8ec8bfb790c1379fd9da9406fb4e75ea38be46f",
        88,
        0,
        0,
    ),
    ("hotstuff2", "stable", "crash"): (
        "0f134cd6d94018d139ecbe807c8d091c85a54c9dfa95163c9355e2b3c4081eae",
        76,
        0,
        0,
    ),
    ("hotstuff2", "stable", "crash_recover"): (
        "076e1c30806cf57cb67238d4c6de4df9c17b8db6d0e6180f6a8e3b5fe5414a1d",
        67,
        0,
        0,
    ),
    ("hotstuff2", "stable", "partition"): (
        "be9bc70693fe8408b6c6156c65cabbb1e7807d90bb9e241d52e51fa447810a35",
        13,
        0,
        0,
    ),
    ("hotstuff2", "stable", "twins"): (
        "e72b1d197165ad06a3d75620c4788a011e4f7ee0b9cfba212ad9d76867651b71",
        0,
        0,
        1,
    ),
    ("hotstuff2", "stable", "twins_split"): (
        "127db33c2ae1b5b88181b25eb28c5a16ac6f1c5bf70bdfd713346a724dd5a6d9",
        199,
        199,
        0,
    ),
    ("hotstuff2", "stable", "twins_worlds"): (
        "afb7c18c9c700690e809f7e1336c4347ef87e47f7d614bfff26acc5d08a6f125",
        496,
        0,
        0,
    ),
}


def log_digest(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Run ``doc`` and return the sha256 of its JSON-lines log and the summary."""
    digest = hashlib.sha256()

    def write(event: Event) -> None:
        digest.update(dumps(event).encode())
        digest.update(b"\n")

    summary = Simulation(doc, [write]).run()
    return digest.hexdigest(), summary


@pytest.mark.parametrize(
    ("protocol", "rotation", "name"),
    sorted(RECORDED_LOGS),
    ids=["-".join(key) for key in sorted(RECORDED_LOGS)],
)
def test_log_matches_recording(protocol, rotation, name):
    """Matching counts with a different digest mean that the run reached
    the same results through a different log."""
    sha256, heights, safety, liveness = RECORDED_LOGS[protocol, rotation, name]
    doc = run_doc(protocol, rotation, **LOG_SCENARIOS[name])
    digest, summary = log_digest(doc)
    assert summary["committed_heights"] == heights
    assert len(summary["safety_violations"]) == safety
    assert len(summary["liveness_violations"]) == liveness
    assert digest == sha256


def test_recordings_cover_scenarios():
    expected = {
        (protocol, rotation, name)
        for protocol in PROTOCOLS
        for rotation in ROTATIONS
        for name in LOG_SCENARIOS
    }
    assert set(RECORDED_LOGS) == expected
