"""Network latency: distributions, per-link overrides and the GST bound."""

import math
import statistics

import pytest

from consensus.sim.network import rng, sampler
from tests.sim.sim_helpers import Ping, build_network

SAMPLES = 20_000

DISTRIBUTIONS = [
    ({"dist": "constant", "ms": 10}, 10.0),
    ({"dist": "uniform", "low_ms": 5, "high_ms": 15}, 10.0),
    ({"dist": "normal", "mean_ms": 10, "stdev_ms": 2}, 10.0),
    ({"dist": "exponential", "mean_ms": 10}, 10.0),
    ({"dist": "lognormal", "mu": 2.0, "sigma": 0.5}, math.exp(2.0 + 0.5**2 / 2)),
]


@pytest.mark.parametrize(("latency", "mean"), DISTRIBUTIONS)
def test_distribution_mean_close(latency, mean):
    draw = sampler(latency, rng(7, "latency"))
    samples = [draw() for _ in range(SAMPLES)]
    assert statistics.fmean(samples) == pytest.approx(mean, rel=0.03)


def test_normal_samples_never_negative():
    draw = sampler({"dist": "normal", "mean_ms": 1, "stdev_ms": 5}, rng(1, "x"))
    assert min(draw() for _ in range(2000)) == 0.0


def test_unknown_distribution_rejected():
    with pytest.raises(ValueError, match="pareto"):
        sampler({"dist": "pareto"}, rng(1, "x"))


def test_same_seed_same_samples():
    latency = {"dist": "exponential", "mean_ms": 10}
    first = sampler(latency, rng(3, "latency"))
    second = sampler(latency, rng(3, "latency"))
    assert [first() for _ in range(50)] == [second() for _ in range(50)]


def test_link_override_applies_one_direction():
    runtime, network, inboxes, _ = build_network(
        n=3, links=[{"from": 0, "to": 1, "latency": {"dist": "constant", "ms": 70}}]
    )
    network.transmit(0, Ping(0, 0), [1, 2])
    network.transmit(1, Ping(1, 0), [0])
    runtime.run()
    assert [t for t, _ in inboxes[1].received] == [70]
    assert [t for t, _ in inboxes[2].received] == [10]
    assert [t for t, _ in inboxes[0].received] == [10]


def test_after_gst_latency_clamped_to_delta():
    runtime, network, inboxes, _ = build_network(
        latency={"dist": "constant", "ms": 500}, gst_ms=0, delta_ms=40
    )
    network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    assert inboxes[1].received[0][0] == 40


def test_before_gst_delivery_bounded_by_gst_plus_delta():
    """The adversary delays each message up to 10 s, but not past GST + delta."""
    runtime, network, inboxes, _ = build_network(
        n=2,
        latency={"dist": "uniform", "low_ms": 1, "high_ms": 30},
        gst_ms=1000,
        pre_gst_max_delay_ms=10_000,
        delta_ms=50,
    )
    for _ in range(500):
        network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    arrivals = [t for t, _ in inboxes[1].received]
    assert len(arrivals) == 500
    assert max(arrivals) == 1050
    assert min(arrivals) < 1000


def test_before_gst_slow_link_keeps_own_arrival():
    runtime, network, inboxes, _ = build_network(
        latency={"dist": "constant", "ms": 3000},
        gst_ms=1000,
        pre_gst_max_delay_ms=10_000,
        delta_ms=50,
    )
    network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    assert inboxes[1].received[0][0] == 3000


def test_sender_delay_added_to_arrival():
    runtime, network, inboxes, _ = build_network()
    network.sender_delay[0] = 200
    network.transmit(0, Ping(0, 0), [1])
    runtime.run()
    assert inboxes[1].received[0][0] == 210
