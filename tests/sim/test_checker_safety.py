"""Checker safety properties on hand-built event streams."""

from consensus.sim.checker import Checker
from tests.sim.checker_streams import Stream, scenario

EQUIVOCATOR = [{"node": 0, "behaviour": "equivocate"}]


def feed(checker, events):
    found = []
    for event in events:
        found.extend(checker.observe(event))
    return found


def test_agreement_violation_reports_both_commits():
    stream = Stream()
    checker = Checker(scenario(faults=EQUIVOCATOR))
    first = stream.commit(20, 1, 1, "a", quorum=[0, 1, 2])
    second = stream.commit(21, 3, 1, "b", view=1, quorum=[0, 2, 3])
    found = feed(
        checker,
        [stream.propose(0, 0, 1, "a"), stream.propose(0, 0, 1, "b"), first, second],
    )
    assert [v["property"] for v in found] == ["agreement"]
    evidence = found[0]["evidence"]
    assert evidence["height"] == 1
    assert evidence["commits"][0] == {
        "seq": first["seq"],
        "t": 20,
        "node": 1,
        "height": 1,
        "value": "a",
        "view": 0,
        "quorum": [0, 1, 2],
    }
    assert evidence["commits"][1]["node"] == 3
    assert evidence["commits"][1]["seq"] == second["seq"]
    assert evidence["quorums"] == [[0, 1, 2], [0, 2, 3]]
    assert evidence["quorum_intersection"] == [0, 2]


def test_agreement_violation_is_event():
    stream = Stream()
    checker = Checker(scenario())
    events = [
        stream.propose(0, 0, 1, "a"),
        stream.propose(0, 0, 1, "b"),
        stream.commit(5, 1, 1, "a"),
        stream.commit(5, 2, 1, "b"),
    ]
    found = feed(checker, events)
    assert found[0]["kind"] == "violation"
    assert checker.safety_violations == [
        {"property": v["property"], "evidence": v["evidence"]} for v in found
    ]


def test_agreement_pair_reported_once():
    stream = Stream()
    checker = Checker(scenario())
    events = [stream.propose(0, 0, 1, "a"), stream.propose(0, 0, 1, "b")]
    events += [stream.commit(5, node, 1, "ab"[node % 2]) for node in range(4)]
    found = feed(checker, events)
    assert [v["property"] for v in found] == ["agreement"]


def test_same_value_everywhere_no_violation():
    stream = Stream()
    checker = Checker(scenario())
    events = [stream.propose(0, 0, 1, "a")]
    events += [stream.commit(5, node, 1, "a") for node in range(4)]
    assert feed(checker, events) == []


def test_integrity_double_commit_same_value():
    stream = Stream()
    checker = Checker(scenario())
    first = stream.commit(5, 2, 1, "a")
    again = stream.commit(9, 2, 1, "a")
    found = feed(checker, [stream.propose(0, 0, 1, "a"), first, again])
    assert [v["property"] for v in found] == ["integrity"]
    evidence = found[0]["evidence"]
    assert evidence["node"] == 2
    assert evidence["height"] == 1
    assert [c["seq"] for c in evidence["commits"]] == [first["seq"], again["seq"]]


def test_validity_unproposed_value():
    stream = Stream()
    checker = Checker(scenario())
    found = feed(checker, [stream.propose(0, 0, 1, "a"), stream.commit(5, 1, 1, "z")])
    assert [v["property"] for v in found] == ["validity"]
    assert found[0]["evidence"]["commit"]["value"] == "z"


def test_validity_accepts_proposal_send():
    stream = Stream()
    checker = Checker(scenario())
    send = stream.send(0, 0, 1, "pre_prepare", 128, category="proposal", value="a")
    assert feed(checker, [send, stream.commit(5, 1, 1, "a")]) == []


def test_validity_accepts_faulty_leader_twin():
    """An equivocating leader's twin value counts as proposed."""
    stream = Stream()
    checker = Checker(scenario(faults=EQUIVOCATOR))
    events = [stream.propose(0, 0, 1, "h1.v0.n0"), stream.commit(5, 1, 1, "h1.v0.n0'")]
    assert feed(checker, events) == []


def test_validity_rejects_honest_leader_twin():
    stream = Stream()
    checker = Checker(scenario())
    events = [stream.propose(0, 0, 1, "h1.v0.n0"), stream.commit(5, 1, 1, "h1.v0.n0'")]
    assert [v["property"] for v in feed(checker, events)] == ["validity"]


def test_faulty_commits_raise_no_alarm():
    """Twins commit twice and disagree; both nodes are faulty, so no report."""
    stream = Stream()
    faults = [{"node": 0, "behaviour": "twins"}, {"node": 1, "behaviour": "equivocate"}]
    checker = Checker(scenario(faults=faults))
    events = [
        stream.propose(0, 0, 1, "a"),
        stream.commit(5, 0, 1, "a"),
        stream.commit(5, 0, 1, "x"),
        stream.commit(6, 1, 1, "y"),
        stream.commit(7, 2, 1, "a"),
        stream.commit(7, 3, 1, "a"),
    ]
    assert feed(checker, events) == []


def test_violation_events_are_ignored():
    checker = Checker(scenario())
    event = {
        "seq": 1,
        "t": 0,
        "kind": "violation",
        "property": "validity",
        "evidence": {},
    }
    assert checker.observe(event) == []
