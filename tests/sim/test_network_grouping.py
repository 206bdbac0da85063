"""Deliveries due together run as one runtime item and log as separate ones.

The network posts the deliveries of one transmission that share a due
time as one item. Every scenario here runs twice, with grouping on and
off, and the two logs must be equal event for event.
"""

import pytest

from consensus.sim.network import Network
from consensus.sim.runner import Simulation
from tests.sim.sim_helpers import Ping, build_network, toy

SCENARIOS = {
    "constant": toy(n=7, stop={"time_ms": 400}, seed=2),
    "uniform_twins": toy(
        n=7,
        faults=[
            {"node": 0, "behaviour": "twins"},
            {"node": 3, "behaviour": "equivocate"},
        ],
        network={"latency": {"dist": "uniform", "low_ms": 1, "high_ms": 3}},
        stop={"time_ms": 300},
        seed=5,
    ),
    "crash_partition_gst": toy(
        n=7,
        faults=[
            {"node": 5, "behaviour": "crash_recover", "at_ms": 40, "recover_ms": 90},
            {"node": 1, "behaviour": "delay", "delay_ms": 7},
        ],
        network={
            "latency": {"dist": "constant", "ms": 5},
            "links": [{"from": 0, "to": 2, "latency": {"dist": "constant", "ms": 9}}],
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
    ),
    "pbft_equivocate": {
        "protocol": "pbft",
        "n": 4,
        "faults": [{"node": 0, "behaviour": "equivocate"}],
        "stop": {"time_ms": 800},
        "seed": 7,
    },
    "hotstuff2_loss": {
        "protocol": "hotstuff2",
        "n": 7,
        "network": {
            "latency": {"dist": "exponential", "mean_ms": 4},
            "loss": 0.02,
        },
        "stop": {"time_ms": 800},
        "seed": 3,
    },
}


def logged(doc, grouped, monkeypatch):
    monkeypatch.setattr(Network, "group_deliveries", grouped)
    events = []
    Simulation(doc, [events.append]).run()
    return events


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_grouped_log_equals_ungrouped(name, monkeypatch):
    grouped = logged(SCENARIOS[name], True, monkeypatch)
    ungrouped = logged(SCENARIOS[name], False, monkeypatch)
    assert sum(event["kind"] == "deliver" for event in grouped) > 100
    assert grouped == ungrouped


def test_broadcast_with_one_delay_is_one_item(monkeypatch):
    runtime, network, inboxes, _ = build_network(n=7)
    network.transmit(0, Ping(0, 0), range(1, 7))
    assert runtime.pending() == 1
    monkeypatch.setattr(Network, "group_deliveries", False)
    network.transmit(0, Ping(0, 0), range(1, 7))
    assert runtime.pending() == 7
    runtime.run()
    assert [len(inbox.received) for inbox in inboxes] == [0, 2, 2, 2, 2, 2, 2]


def test_links_with_two_delays_are_two_items():
    links = [{"from": 0, "to": 2, "latency": {"dist": "constant", "ms": 30}}]
    runtime, network, inboxes, sink = build_network(n=4, links=links)
    network.transmit(0, Ping(0, 0), [1, 2, 3])
    assert runtime.pending() == 2
    runtime.run()
    delivered = [(e["t"], e["node"]) for e in sink.events if e["kind"] == "deliver"]
    assert delivered == [(10, 1), (10, 3), (30, 2)]


def test_duplication_posts_each_delivery_alone():
    runtime, network, _, _ = build_network(n=4, duplicate=0.5)
    network.transmit(0, Ping(0, 0), [1, 2, 3])
    assert runtime.pending() > 3
