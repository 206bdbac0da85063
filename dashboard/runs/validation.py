"""Server-side validation of scenario documents under the server's limits."""

from __future__ import annotations

from typing import Any

from consensus.sim import scenario
from dashboard.config import Config


class ScenarioInvalid(Exception):
    """A rejected scenario: ``errors`` maps dotted field paths to messages.

    The path ``""`` stands for the document as a whole (malformed JSON, a
    value that is not an object).
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            "; ".join(f"{field}: {text}" for field, text in errors.items())
        )
        self.errors = errors


def server_limits(config: Config) -> scenario.Limits:
    """Return the scenario limits this server enforces."""
    return scenario.Limits(
        n_max=config.n_max,
        time_ms_max=config.time_ms_max,
        events_max=config.events_max,
        heights_max=config.heights_max,
    )


def scenario_validate(doc: Any, config: Config) -> dict[str, Any]:
    """Return ``doc`` normalized, or raise :class:`ScenarioInvalid`."""
    limits = server_limits(config)
    errors = scenario.collect_errors(doc, limits)
    if errors:
        raise ScenarioInvalid({error.field: error.message for error in errors})
    return scenario.load(doc, limits)
