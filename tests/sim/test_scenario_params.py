"""Protocol-specific parameters declared by a protocol's PARAMS."""

import pytest

from consensus import protocols
from consensus.sim import scenario
from consensus.sim.scenario import ScenarioError, load


class DeclaringProtocol:
    """Stands in for a protocol class that declares two parameters."""

    PARAMS = {"propose_timeout_ms": 300, "fast_path": False}


@pytest.fixture
def declaring_toy(monkeypatch):
    """Register DeclaringProtocol as "toy" for one test."""
    monkeypatch.setitem(protocols.PROTOCOLS, "toy", f"{__name__}:DeclaringProtocol")
    scenario._declared_params.cache_clear()
    yield
    scenario._declared_params.cache_clear()


def test_declared_defaults_filled(declaring_toy):
    params = load({"protocol": "toy"})["params"]
    assert params == {
        "view_timeout_ms": 1000,
        "backoff": 2.0,
        "leader_rotation": "round_robin",
        "propose_timeout_ms": 300,
        "fast_path": False,
    }


def test_declared_value_accepted(declaring_toy):
    params = load({"protocol": "toy", "params": {"fast_path": True}})["params"]
    assert params["fast_path"] is True


def test_declared_value_wrong_type(declaring_toy):
    with pytest.raises(ScenarioError) as caught:
        load({"protocol": "toy", "params": {"propose_timeout_ms": "soon"}})
    assert caught.value.field == "params.propose_timeout_ms"
    assert str(caught.value) == (
        'params.propose_timeout_ms: "soon" is not a number; '
        "allowed more than 0 to 3600000 ms"
    )


def test_undeclared_key_lists_allowed(declaring_toy):
    with pytest.raises(ScenarioError) as caught:
        load({"protocol": "toy", "params": {"slow_path": True}})
    assert caught.value.message == (
        "unknown parameter for toy; allowed: view_timeout_ms, backoff, "
        "leader_rotation, propose_timeout_ms, fast_path"
    )


def test_unregistered_protocol_common_only(monkeypatch):
    """A protocol not in the registry yet accepts the common keys only."""
    monkeypatch.delitem(protocols.PROTOCOLS, "toy")
    scenario._declared_params.cache_clear()
    params = load({"protocol": "toy"})["params"]
    scenario._declared_params.cache_clear()
    assert list(params) == [
        "view_timeout_ms",
        "backoff",
        "leader_rotation",
    ]


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"variant": "bogus"}, "params.variant", "allowed: three_phase, two_phase"),
        ({"view_timeout_ms": 0}, "params.view_timeout_ms", "out of range"),
        ({"view_timeout_ms": -5}, "params.view_timeout_ms", "out of range"),
    ],
)
def test_param_values_checked(params, field, text):
    with pytest.raises(ScenarioError) as raised:
        load({"protocol": "hotstuff", "params": params})
    assert raised.value.field == field
    assert text in str(raised.value)


def test_deeply_nested_document_rejected():
    text = '{"protocol": "pbft", "params": ' + "[" * 100_000 + "]" * 100_000 + "}"
    errors = scenario.collect_errors(text)
    assert len(errors) == 1
    assert "nested too deeply" in str(errors[0])
