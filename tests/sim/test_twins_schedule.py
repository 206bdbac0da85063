"""A twins_worlds schedule routes each message by the layout of its view.

Four toy nodes, twins on 0 and 1, honest 2 and 3, 10 ms links. Node 3 is
in world 1 for view 0, node 2 for view 1 on, so the two honest nodes
swap worlds between the first two views.
"""

import json

from consensus.sim.faults import FaultPlan
from tests.sim.sim_helpers import run, toy

TWINS = [{"node": 0, "behaviour": "twins"}, {"node": 1, "behaviour": "twins"}]
SWAP = [{"from_view": 0, "world_1": [3]}, {"from_view": 1, "world_1": [2]}]


def swap_run(time_ms=45):
    _, sink = run(toy(faults=TWINS, twins_worlds=SWAP, stop={"time_ms": time_ms}))
    return sink


def of(sink, kind, **match):
    return [
        event
        for event in sink.of_kind(kind)
        if all(event.get(key) == value for key, value in match.items())
    ]


def test_twin_instances_send_within_world():
    """Node 0 leads view 0: instance 0 reaches 2, instance 1 reaches 3."""
    sink = swap_run(5)
    sends = of(sink, "send", node=0, msg="propose", view=0)
    assert {e["to"] for e in sends if "twin" not in e} == {1, 2}
    assert {e["to"] for e in sends if e.get("twin") == 1} == {1, 3}


def test_twin_cut_logged_as_fault_drop():
    sink = swap_run(5)
    drops = of(sink, "drop", node=0, msg="propose", reason="fault")
    assert [(e["to"], e.get("twin")) for e in drops] == [(3, None), (2, 1)]


def test_honest_worlds_cut_apart():
    """Node 2 and node 3 sit in different worlds in both views, so their
    votes to each other are dropped and never sent. The run ends before
    view 2, whose proposals would be cut too."""
    sink = swap_run(35)
    for source, destination in ((2, 3), (3, 2)):
        assert of(sink, "send", node=source, to=destination) == []
        drops = of(sink, "drop", node=source, to=destination, reason="fault")
        assert [e["msg"] for e in drops] == ["vote", "vote"]


def test_honest_vote_reaches_world_instance():
    """Node 2's vote of view 0 goes to node 0's first instance, and its
    vote of view 1 to the second, because node 2 changed worlds."""
    sink = swap_run()
    delivers = of(sink, "deliver", node=0, msg="vote", **{"from": 2})
    assert [(e["view"], e.get("twin")) for e in delivers] == [(0, None), (1, 1)]


def test_twin_reaches_moved_node():
    """Node 1 leads view 1: its second instance now reaches node 2."""
    sink = swap_run(25)
    sends = of(sink, "send", node=1, msg="propose", view=1)
    assert {e["to"] for e in sends if e.get("twin") == 1} == {0, 2}
    assert {e["to"] for e in sends if "twin" not in e} == {0, 3}


def test_worlds_commit_own_value():
    sink = swap_run()
    commits = {e["node"]: e["value"] for e in of(sink, "commit", height=1)}
    assert commits[2] == "h1.v0.n0"
    assert commits[3] == "h1.v0.n0'"


def test_empty_schedule_logs_as_absent():
    """An empty schedule is the fixed layout: the logs match line for line."""
    base = toy(faults=TWINS, stop={"time_ms": 60})
    _, absent = run(base)
    _, empty = run({**base, "twins_worlds": []})
    assert [json.dumps(e) for e in empty.events] == [
        json.dumps(e) for e in absent.events
    ]


def test_layout_lookup_by_view():
    plan = FaultPlan(TWINS, 4, [*SWAP, {"from_view": 5, "world_1": [2, 3]}])
    assert plan.layout(0) == (0, 0, 0, 1)
    assert plan.layout(1) == (0, 0, 1, 0)
    assert plan.layout(4) == (0, 0, 1, 0)
    assert plan.layout(5) == (0, 0, 1, 1)
    assert plan.layout(10**9) == (0, 0, 1, 1)


def test_negative_view_uses_first_layout():
    plan = FaultPlan(TWINS, 4, SWAP)
    assert plan.layout(-1) == plan.layout(0)


def test_schedule_reach_left_to_gate():
    """Under a schedule a twins instance may address every node, because
    its gate makes the cut per message."""
    plan = FaultPlan(TWINS, 4, SWAP)
    assert plan.reach(0, 1) == (1, 2, 3)
    assert FaultPlan(TWINS, 4).reach(0, 1) == (1, 3)
