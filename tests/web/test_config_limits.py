"""Default scenario limits of the web server."""

from consensus.sim.scenario import collect_errors
from dashboard.config import load_config
from dashboard.runs.validation import server_limits


def test_default_limits_accept_256_nodes() -> None:
    config = load_config({})

    assert config.n_max == 256


def test_default_limits_reject_257_nodes() -> None:
    limits = server_limits(load_config({}))
    errors = collect_errors({"protocol": "pbft", "n": 257}, limits)

    assert [error.field for error in errors] == ["n"]
    assert "allowed 1 to 256" in str(errors[0])


def test_environment_overrides_node_limit() -> None:
    config = load_config({"QS_N_MAX": "16"})

    assert config.n_max == 16
