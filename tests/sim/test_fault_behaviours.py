"""Each fault behaviour leaves its mark in the event log."""

from tests.sim.sim_helpers import run, toy


def fault_run(*faults, **overrides):
    return run(toy(faults=list(faults), **overrides))


def of(sink, kind, **match):
    return [
        event
        for event in sink.of_kind(kind)
        if all(event.get(key) == value for key, value in match.items())
    ]


def test_lasting_behaviours_log_start_event():
    _, sink = fault_run(
        {"node": 1, "behaviour": "silent"},
        {"node": 2, "behaviour": "delay", "delay_ms": 5},
    )
    starts = of(sink, "fault", action="start")
    assert [(e["node"], e["behaviour"]) for e in starts] == [
        (1, "silent"),
        (2, "delay"),
    ]
    assert starts[1]["delay_ms"] == 5


def test_silent_node_sends_nothing():
    _, sink = fault_run({"node": 1, "behaviour": "silent"})
    assert of(sink, "send", node=1) == []
    assert of(sink, "drop", node=1, reason="fault") != []


def test_withheld_votes_never_sent():
    _, sink = fault_run({"node": 1, "behaviour": "withhold_votes"})
    assert of(sink, "send", node=1, msg="vote") == []
    assert of(sink, "send", node=1, msg="propose") != []
    assert of(sink, "drop", node=1, msg="vote", reason="fault") != []


def test_equivocating_leader_splits_proposal():
    """Node 0 leads view 0: nodes 1 and 2 get one value, node 3 its twin."""
    _, sink = fault_run({"node": 0, "behaviour": "equivocate"})
    proposals = of(sink, "send", node=0, msg="propose", view=0)
    values = {e["to"]: e["fields"]["value"] for e in proposals}
    assert values == {1: "h1.v0.n0", 2: "h1.v0.n0", 3: "h1.v0.n0'"}
    split = of(sink, "fault", node=0, action="conflicting_message", msg="propose")
    assert split[0]["to"] == [3]


def test_equivocator_backs_both_values():
    _, sink = fault_run({"node": 0, "behaviour": "equivocate"})
    votes = of(sink, "send", node=0, msg="vote", view=0)
    assert {e["fields"]["value"] for e in votes} == {"h1.v0.n0", "h1.v0.n0'"}


def test_double_vote_splits_votes_only():
    _, sink = fault_run({"node": 2, "behaviour": "double_vote"})
    votes = of(sink, "send", node=2, msg="vote", view=0)
    values = {e["to"]: e["fields"]["value"] for e in votes}
    assert values == {0: "h1.v0.n0", 1: "h1.v0.n0", 3: "h1.v0.n0'"}
    assert of(sink, "fault", node=2, action="conflicting_message", msg="propose") == []


def test_faulty_recipient_gets_original():
    _, sink = fault_run(
        {"node": 0, "behaviour": "equivocate"}, {"node": 3, "behaviour": "silent"}
    )
    proposals = of(sink, "send", node=0, msg="propose", view=0)
    values = {e["to"]: e["fields"]["value"] for e in proposals}
    assert values == {1: "h1.v0.n0", 2: "h1.v0.n0'", 3: "h1.v0.n0"}


def test_delayed_node_messages_arrive_late():
    _, sink = fault_run(
        {"node": 0, "behaviour": "delay", "delay_ms": 200}, stop={"time_ms": 300}
    )
    first = of(sink, "deliver", node=1, **{"from": 0})[0]
    assert first["t"] == 210


def test_crashed_node_stops_and_drops():
    _, sink = fault_run({"node": 3, "behaviour": "crash", "at_ms": 50})
    crash = of(sink, "fault", node=3, action="crash")
    assert [e["t"] for e in crash] == [50]
    after = [e for e in sink.events if e.get("node") == 3 and e["t"] > 50]
    assert after == []
    assert of(sink, "drop", to=3, reason="crashed") != []


def test_crash_at_zero_never_starts():
    _, sink = fault_run({"node": 3, "behaviour": "crash", "at_ms": 0})
    assert of(sink, "state", node=3) == []
    assert of(sink, "fault", node=3, action="crash") != []


def test_recovered_node_restarts_fresh():
    _, sink = fault_run(
        {"node": 3, "behaviour": "crash_recover", "at_ms": 50, "recover_ms": 120}
    )
    recover = of(sink, "fault", node=3, action="recover")
    assert [e["t"] for e in recover] == [120]
    restarts = of(sink, "state", node=3, from_state=None)
    assert [e["t"] for e in restarts] == [0, 120]


def test_twins_run_two_instances():
    _, sink = fault_run({"node": 1, "behaviour": "twins"}, stop={"time_ms": 30})
    starts = of(sink, "state", node=1, from_state=None)
    assert [e.get("twin") for e in starts] == [None, 1]
    sends = of(sink, "send", node=1)
    first = {e["to"] for e in sends if "twin" not in e}
    assert first <= {0, 2}


def test_twin_leader_proposes_two_values():
    """Node 0 leads view 0: each instance proposes to its own half."""
    _, sink = fault_run({"node": 0, "behaviour": "twins"}, stop={"time_ms": 5})
    proposals = of(sink, "send", node=0, msg="propose", view=0)
    values = {e["to"]: e["fields"]["value"] for e in proposals}
    assert values == {1: "h1.v0.n0", 2: "h1.v0.n0", 3: "h1.v0.n0'"}


TWO_TWINS = ({"node": 0, "behaviour": "twins"}, {"node": 1, "behaviour": "twins"})


def test_twins_reach_same_world_twin():
    """Twins 0 and 1 with honest 2 and 3: the worlds are {0, 1, 2} and
    {0', 1', 3}, so each instance also reaches the other twins node."""
    _, sink = fault_run(*TWO_TWINS, stop={"time_ms": 5})
    sends = of(sink, "send", node=0, msg="propose", view=0)
    first = {e["to"] for e in sends if "twin" not in e}
    second = {e["to"] for e in sends if e.get("twin") == 1}
    assert first == {1, 2}
    assert second == {1, 3}


def test_twin_messages_stay_in_world():
    """Each instance of node 1 gets node 0's proposal from its own world,
    so the first votes for the value and the second for its twin."""
    _, sink = fault_run(*TWO_TWINS, stop={"time_ms": 15})
    votes = of(sink, "vote", node=1, view=0)
    values = {e.get("twin", 0): e["value"] for e in votes}
    assert values == {0: "h1.v0.n0", 1: "h1.v0.n0'"}
    delivers = of(sink, "deliver", node=1, msg="propose", view=0)
    assert [e.get("twin") for e in delivers] == [None, 1]


def test_honest_halves_cross_worlds():
    """The worlds cut no honest link: node 2 reaches node 3 directly."""
    _, sink = fault_run(*TWO_TWINS, stop={"time_ms": 25})
    assert of(sink, "deliver", node=3, msg="vote", **{"from": 2}) != []


def test_twin_drop_names_instance():
    """A partition drops instance 1's proposal to node 3, and says so."""
    _, sink = fault_run(
        {"node": 0, "behaviour": "twins"},
        network={"partitions": [{"groups": [[0, 1, 2], [3]]}]},
        stop={"time_ms": 5},
    )
    drops = of(sink, "drop", node=0, msg="propose", reason="partition")
    assert [(e["to"], e.get("twin")) for e in drops] == [(3, 1)]
