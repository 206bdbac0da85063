"""A long run streams its log to disk instead of holding it."""

import tracemalloc

from consensus.sim.runner import run_scenario
from tests.sim.sim_helpers import toy

EVENTS = 200_000
# Holding 200,000 event dicts would take over 54 MB (272 bytes per dict
# alone, by sys.getsizeof on CPython 3.11); the run itself (nodes, messages
# in flight, the sink's batch) needs about 5 MB.
PEAK_LIMIT_BYTES = 15_000_000


def test_long_run_streams_to_file(tmp_path):
    path = tmp_path / "events.jsonl"
    tracemalloc.start()
    try:
        summary = run_scenario(
            toy(n=16, stop={"time_ms": None, "events": EVENTS}), events_path=path
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with path.open() as lines:
        count = sum(1 for _ in lines)
    assert summary["end_reason"] == "events"
    assert count == EVENTS + 1
    assert peak < PEAK_LIMIT_BYTES
