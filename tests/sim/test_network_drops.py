"""Network loss, duplication, partitions and deliveries to stopped nodes."""

import pytest

from tests.sim.sim_helpers import Ping, build_network

MESSAGES = 4000


def kinds(sink, kind):
    return [event for event in sink.events if event["kind"] == kind]


def test_loss_rate_close_to_configured():
    runtime, network, inboxes, sink = build_network(loss=0.25)
    for _ in range(MESSAGES):
        network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    lost = [e for e in kinds(sink, "drop") if e["reason"] == "loss"]
    assert len(lost) / MESSAGES == pytest.approx(0.25, abs=0.03)
    assert len(inboxes[1].received) == MESSAGES - len(lost)


def test_duplicate_rate_close_to_configured():
    runtime, network, inboxes, sink = build_network(duplicate=0.2)
    for _ in range(MESSAGES):
        network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    copies = [e for e in kinds(sink, "deliver") if e.get("duplicate")]
    assert len(copies) / MESSAGES == pytest.approx(0.2, abs=0.03)
    assert len(inboxes[1].received) == MESSAGES + len(copies)


def test_every_message_logged_as_send():
    runtime, network, _, sink = build_network(n=4, loss=0.5)
    network.transmit(0, Ping(0, 0, "v"), [1, 2, 3])
    sends = kinds(sink, "send")
    assert [e["to"] for e in sends] == [1, 2, 3]
    assert sends[0]["fields"]["value"] == "v"


PARTITION = {"groups": [[0, 1], [2, 3]], "start_ms": 100, "heal_ms": 300}


@pytest.mark.parametrize(
    ("send_at", "destination", "delivered"),
    [
        (50, 2, True),
        (100, 2, False),
        (299, 3, False),
        (300, 2, True),
        (150, 1, True),
    ],
)
def test_partition_drops_across_groups_while_active(send_at, destination, delivered):
    runtime, network, inboxes, sink = build_network(n=4, partitions=[PARTITION])
    runtime.schedule_at(send_at, network.transmit, 0, Ping(0, 0), [destination])
    runtime.run()
    assert bool(inboxes[destination].received) == delivered
    dropped = [e for e in kinds(sink, "drop") if e["reason"] == "partition"]
    assert len(dropped) == (0 if delivered else 1)


def test_partition_without_heal_never_heals():
    partition = {"groups": [[0], [1]], "start_ms": 0, "heal_ms": None}
    runtime, network, inboxes, _ = build_network(partitions=[partition])
    runtime.schedule_at(10**6, network.transmit, 0, Ping(0, 0), [1])
    runtime.run()
    assert inboxes[1].received == []


def test_stopped_receiver_drops_as_crashed():
    runtime, network, inboxes, sink = build_network()
    inboxes[1].stopped = True
    network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    assert [e["reason"] for e in kinds(sink, "drop")] == ["crashed"]
    assert inboxes[1].received == []
