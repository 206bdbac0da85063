"""The network simulator: protocols on the engine over a simulated network.

:func:`run_scenario` runs one scenario document and returns its summary;
:class:`Simulation` is the same with more control. See ``docs/events.md``
for the event log and ``docs/scenario.md`` for scenarios.
"""

from .runner import Simulation, run_scenario

__all__ = ["Simulation", "run_scenario"]
