"""Registry of the differential scenarios, keyed by name.

Each name is also the name of an Erlang module under ``erlang/`` that
implements the same callback module and script.
"""

from __future__ import annotations

from . import (
    scenarios_enter,
    scenarios_event_timeout,
    scenarios_insert,
    scenarios_named_timeout,
    scenarios_postpone,
    scenarios_state_timeout,
    scenarios_stop,
)
from .harness import Scenario

GROUPS = (
    scenarios_postpone,
    scenarios_insert,
    scenarios_event_timeout,
    scenarios_state_timeout,
    scenarios_named_timeout,
    scenarios_enter,
    scenarios_stop,
)

SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario for group in GROUPS for scenario in group.SCENARIOS
}
