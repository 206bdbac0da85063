"""More than t colluding Byzantine parties break agreement in every protocol.

The attack follows Twins (Bano et al., "Twins: BFT Systems Made Robust",
OPODIS 2021). Each colluding node runs two honest instances under its id.
The simulator places the first instances in one world with the first half
of the honest nodes, and the second instances in another world with the
second half. Links between honest nodes of different worlds never
deliver (their latency is far beyond the run, and GST never comes), so
each world runs the protocol on its own. With n = 4 and twins on 0 and 1
the worlds are {0, 1, 2} and {0', 1', 3}: n - t parties each. Node 0
leads the first view, and its second instance proposes the conflicting
twin of its value, so each world commits a different value at height 1.

Chained HotStuff needs four leaders in a row inside one world (three
consecutive certified views, plus the leader who forms the third
certificate), and the leader of view v is node v mod n. A fixed n = 4
world contains three ids, so chained HotStuff cannot commit there. Its row
in the table uses n = 7 with three twins nodes, where each world holds
five ids. At n = 4 the twins move the honest nodes between the worlds by
view instead (``twins_worlds``), as the Twins adversary may change its
partition from round to round. Blocks are named by view: ``a`` blocks are
in world 0, ``b'`` and ``c`` blocks in world 1. Quorums are 3, so each
certificate needs the two twins and one honest vote:

- Views 0 and 1, both honest nodes in world 1: 0' and 1' propose b0' and
  b1', and node 2, leader of view 2, certifies b1'.
- View 2, both in world 0: node 2 proposes a2 = "h3.v2.n2" on top of b1'.
  The world-0 twins hold no lock that stops them, so they vote, and node
  3 certifies a2.
- Views 3 to 6, node 3 in world 0 and node 2 in world 1: node 3, 0 and 1
  run views 3, 4 and 5. b0', b1' and a2 sit in consecutive views, so node
  3 commits them at heights 1 to 3; the quorum of a2's commit is the
  certificate of a4, {0, 1, 3}. Node 3 locks a3 (view 3). Node 2 sees
  none of it: its highest certificate is still b1'. When it times out
  into view 4, its NEW-VIEW lets 0' propose c4 = "h3.v4.n0'" on b1', at
  height 3 like a2. Node 2 votes for c4 and c5, and certifies c5 as
  leader of view 6. Node 3 is in world 0 for view 6, so node 2's c6 gets
  no certificate.
- View 7 on, both in world 1: every node times out into view 8, where 0'
  proposes c8 on c5. Node 3 is locked on a3 from view 3, but c8 carries
  a certificate from view 5, signed by 0', 1' and node 2, who never saw
  that lock. The later view lets node 3 vote (the liveness clause of
  safeNode). c8, c9 and c10 are certified in consecutive views, and node
  3 proposes c11 with c10's certificate. Node 2 then commits b0', b1'
  and c4, which differs from node 3's a2 at height 3.

The fixed-layout attack's two quorums share only the twins. Here they are
a4's {0, 1, 3} and c10's {0, 2, 3}, so node 3 signed both. It could sign
c10 because the certificates of c4 and c5, made without it, come from
views later than its lock.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from consensus.sim.protocol import conflicting_value
from tests.protocols.hotstuff_runs import D, of_kind, run, severed

# name -> (protocol, params, n, twins nodes)
ATTACKS: dict[str, tuple[str, dict[str, Any], int, tuple[int, ...]]] = {
    "pbft": ("pbft", {}, 4, (0, 1)),
    "tendermint": ("tendermint", {}, 4, (0, 1)),
    "hotstuff": ("hotstuff", {}, 4, (0, 1)),
    "hotstuff_two_phase": ("hotstuff", {"variant": "two_phase"}, 4, (0, 1)),
    "chained_hotstuff": ("chained_hotstuff", {}, 7, (0, 1, 2)),
    "hotstuff2": ("hotstuff2", {}, 4, (0, 1)),
}

# The honest nodes in world 1, by view, for chained HotStuff at n = 4.
CHAINED_SCHEDULE = [
    {"from_view": 0, "world_1": [2, 3]},
    {"from_view": 2, "world_1": []},
    {"from_view": 3, "world_1": [2]},
    {"from_view": 7, "world_1": [2, 3]},
]
DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario.md"


def worlds(n: int, twins: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """Return the honest nodes of the first and of the second world."""
    honest = [node for node in range(n) if node not in twins]
    half = (len(honest) + 1) // 2
    return honest[:half], honest[half:]


def twins_attack(
    protocol: str, params: dict[str, Any], n: int, twins: tuple[int, ...]
) -> dict[str, Any]:
    """Return the scenario: twins nodes, and the honest worlds cut apart."""
    first, second = worlds(n, twins)
    links = [link for a in first for b in second for link in severed(a, b)]
    return {
        "protocol": protocol,
        "params": params,
        "n": n,
        "faults": [{"node": node, "behaviour": "twins"} for node in twins],
        "network": {
            "latency": {"dist": "constant", "ms": D},
            "links": links,
            "gst_ms": 10**12,
        },
        "stop": {"time_ms": 8000, "heights": 1},
        "seed": 1,
    }


def chained_attack(latency_ms: float, view_timeout_ms: float) -> dict[str, Any]:
    """Return the chained HotStuff attack at n = 4 with the scheduled worlds.

    The scheduled layouts cut honest nodes of different worlds apart, so
    no link needs to be severed. The run stops once both honest nodes have
    committed height 3.
    """
    return {
        "protocol": "chained_hotstuff",
        "params": {"view_timeout_ms": view_timeout_ms},
        "n": 4,
        "faults": [
            {"node": 0, "behaviour": "twins"},
            {"node": 1, "behaviour": "twins"},
        ],
        "twins_worlds": CHAINED_SCHEDULE,
        "network": {"latency": {"dist": "constant", "ms": latency_ms}},
        "stop": {"time_ms": 20 * view_timeout_ms, "heights": 3},
        "seed": 1,
    }


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_twins_fork_height_one(name: str) -> None:
    """Each world commits its own value at height 1; the checker reports
    the two commits, and each quorum is the twins plus one world."""
    protocol, params, n, twins = ATTACKS[name]
    first, second = worlds(n, twins)
    summary, _ = run(twins_attack(protocol, params, n, twins))
    violations = summary["safety_violations"]
    assert violations, "no safety violation reported"
    assert violations[0]["property"] == "agreement"

    evidence = violations[0]["evidence"]
    assert evidence["height"] == 1
    commit_a, commit_b = evidence["commits"]
    assert commit_a["height"] == commit_b["height"] == 1
    assert {commit_a["node"], commit_b["node"]} & set(first)
    assert {commit_a["node"], commit_b["node"]} & set(second)
    original = min(commit_a["value"], commit_b["value"])
    assert {commit_a["value"], commit_b["value"]} == {
        original,
        conflicting_value(original),
    }

    quorums = sorted(evidence["quorums"])
    assert quorums == sorted([commit_a["quorum"], commit_b["quorum"]])
    assert quorums == [sorted([*twins, *first]), sorted([*twins, *second])]
    assert evidence["quorum_intersection"] == sorted(twins)


def test_chained_hotstuff_four_stalls() -> None:
    """At n = 4 no fixed world of chained HotStuff has four leaders in a
    row, so the twins attack commits nothing instead of forking."""
    doc = twins_attack("chained_hotstuff", {}, 4, (0, 1))
    summary, events = run(doc)
    assert summary["safety_violations"] == []
    assert [event for event in events if event["kind"] == "commit"] == []


# (one-way latency ms, view timeout ms): the attack does not hang on timing.
TIMINGS = [(D, 1000), (1, 300), (50, 3000)]


@pytest.mark.parametrize(("latency_ms", "view_timeout_ms"), TIMINGS)
def test_chained_hotstuff_four_forks(latency_ms: float, view_timeout_ms: float) -> None:
    """Node 3 commits world 0's a2 and node 2 world 1's c4, both at
    height 3, with the quorums of the certificates of a4 and c10."""
    summary, _ = run(chained_attack(latency_ms, view_timeout_ms))
    violations = summary["safety_violations"]
    assert violations, "no safety violation reported"
    assert violations[0]["property"] == "agreement"

    evidence = violations[0]["evidence"]
    assert evidence["height"] == 3
    first, second = evidence["commits"]
    assert (first["node"], first["value"], first["view"]) == (3, "h3.v2.n2", 2)
    assert (second["node"], second["value"], second["view"]) == (2, "h3.v4.n0'", 4)
    assert first["quorum"] == [0, 1, 3]
    assert second["quorum"] == [0, 2, 3]
    assert evidence["quorums"] == [[0, 1, 3], [0, 2, 3]]
    assert evidence["quorum_intersection"] == [0, 3]


def test_chained_fork_passes_node_three_lock() -> None:
    """Node 3 locks a3 of view 3, then votes for world 1's c8, whose
    certificate from view 5 was signed without node 3."""
    _, events = run(chained_attack(D, 1000))
    locks = of_kind(events, "lock", node=3)
    assert [(e["view"], e["value"]) for e in locks[:4]] == [
        (0, "h1.v0.n0'"),
        (1, "h2.v1.n1'"),
        (2, "h3.v2.n2"),
        (3, "h4.v3.n3"),
    ]

    c5 = of_kind(events, "qc", node=2, view=5)
    assert [(e["value"], e["signers"]) for e in c5] == [("h4.v5.n1'", [0, 1, 2])]
    c8 = of_kind(events, "send", node=0, twin=1, msg="generic", view=8, to=3)
    assert [e["fields"]["justify"]["view"] for e in c8] == [5]
    votes = of_kind(events, "vote", node=3, view=8)
    assert [e["value"] for e in votes] == ["h5.v8.n0'"]
    assert votes[0]["t"] > locks[3]["t"]


def test_chained_fork_node_two_misses_world_zero() -> None:
    """Node 2 never learns world 0's certificates after view 2: the
    highest it proposes on is b1' and then world 1's own."""
    _, events = run(chained_attack(D, 1000))
    proposals = of_kind(events, "propose", node=2)
    assert [(e["view"], e["height"]) for e in proposals] == [
        (2, 3),
        (6, 5),
        (10, 7),
    ]
    commits = of_kind(events, "commit", node=2)
    assert [e["value"] for e in commits] == ["h1.v0.n0'", "h2.v1.n1'", "h3.v4.n0'"]


def test_docs_show_chained_schedule() -> None:
    """The example in docs/scenario.md is the schedule tested here."""
    text = DOC.read_text(encoding="utf-8")
    examples = [
        json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)
    ]
    scheduled = [doc for doc in examples if "twins_worlds" in doc]
    assert [doc["twins_worlds"] for doc in scheduled] == [CHAINED_SCHEDULE]
