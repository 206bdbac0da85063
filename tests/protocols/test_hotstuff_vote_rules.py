"""The lock-guarded vote rules, fed hand-made proposals one at a time.

Honest leaders in the simulator never propose below a lock that a quorum
holds, so whole runs cannot show these rules rejecting anything. Here a
single replica receives proposals built by the test.
"""

from __future__ import annotations

import pytest

from consensus.protocols import chained_hotstuff, hotstuff2
from consensus.protocols.hotstuff_common import GENESIS, GENESIS_QC, QC, Block
from tests.protocols.hotstuff_runs import StubContext, deliver, start_machine

QUORUM = frozenset({0, 1, 2})


def chained_proposal(view: int, parent: Block, justify: QC, value: str):
    return chained_hotstuff.Proposal(
        view % 4, view, parent.height + 1, value, parent, justify
    )


def locked_chained_replica() -> tuple[StubContext, object, Block]:
    """Return node 2 of four, locked on the view-1 block ``b2``.

    It has seen the proposals of views 0 to 3, a direct chain b1..b4.
    """
    ctx = StubContext(2, 4, {})
    machine = start_machine(chained_hotstuff.ChainedHotStuff, ctx)
    parent, justify = GENESIS, GENESIS_QC
    for view in range(4):
        block = Block(parent, f"b{view + 1}", view, justify)
        deliver(ctx, machine, chained_proposal(view, parent, justify, block.value))
        parent, justify = block, QC("generic", view, block, QUORUM)
    return ctx, machine, parent


@pytest.mark.parametrize(
    ("justify_view", "votes"),
    [(1, False), (2, True)],
    ids=["not-above-lock", "above-lock"],
)
def test_chained_safe_node(justify_view, votes):
    """A view-4 block on a branch that skips the locked block ``b2``.

    Its certificate must come from a later view than the lock (view 1)
    for the liveness clause to let the replica vote.
    """
    ctx, machine, _ = locked_chained_replica()
    locks = [e for e in ctx.events if e["kind"] == "lock"]
    assert locks[-1]["view"] == 1
    fork = Block(GENESIS, "x", 0, GENESIS_QC)
    justify = QC("generic", justify_view, fork, QUORUM)
    deliver(ctx, machine, chained_proposal(4, fork, justify, "y"))
    voted = [e for e in ctx.events if e["kind"] == "vote" and e["view"] == 4]
    assert bool(voted) is votes


@pytest.mark.parametrize(
    ("fork_views", "lock_value", "votes"),
    [((2, 3), "f1", True), ((0, 1), "b2", False)],
    ids=["lock-moves-to-fork", "lock-stays"],
)
def test_chained_lock_update_before_vote(fork_views, lock_value, votes):
    """The replica applies the two-chain lock update before safeNode, and
    votes as it would with safeNode checked first, on the old lock.

    The replica is locked on ``b2`` (view 1, height 2). The view-4 block
    extends ``f2`` on the branch genesis, ``f1``, ``f2``, which skips
    ``b2``, so safeNode's safety clause fails on the old lock. With ``f1``
    and ``f2`` of views 2 and 3 the update moves the lock to ``f1``, an
    ancestor of the block, and the old lock's liveness clause holds too:
    ``f2``'s certificate is from view 3. With views 0 and 1 the lock stays,
    and ``f2``'s certificate ranks (1, 2), no higher than ``b2``'s, so
    neither order votes.
    """
    ctx, machine, _ = locked_chained_replica()
    old_lock = machine.data.locked_qc
    assert (old_lock.view, old_lock.value) == (1, "b2")

    first_view, second_view = fork_views
    f1 = Block(GENESIS, "f1", first_view, GENESIS_QC)
    f2 = Block(f1, "f2", second_view, QC("generic", first_view, f1, QUORUM))
    justify = QC("generic", second_view, f2, QUORUM)
    block = Block(f2, "y", 4, justify)
    checked_first = block.extends(old_lock.block) or justify.rank() > old_lock.rank()
    assert checked_first is votes

    deliver(ctx, machine, chained_proposal(4, f2, justify, "y"))
    new_lock = machine.data.locked_qc
    assert new_lock.value == lock_value
    assert block.extends(new_lock.block) is votes
    voted = [e for e in ctx.events if e["kind"] == "vote" and e["view"] == 4]
    assert bool(voted) is votes


def test_chained_commit_needs_consecutive_views():
    """b1, b2, b3 of views 0, 1, 2 commit b1 when b4 carries b3's certificate.

    b5 (view 5) carries b4's certificate and commits b2, since b2, b3 and
    b4 have views 1, 2 and 3. b6 carries b5's, but view 4 has no block, so
    b3 stays uncommitted.
    """
    ctx, machine, b4 = locked_chained_replica()
    commits = [e["value"] for e in ctx.events if e["kind"] == "commit"]
    assert commits == ["b1"]
    qc4 = QC("generic", 3, b4, QUORUM)
    b5 = Block(b4, "b5", 5, qc4)
    deliver(ctx, machine, chained_proposal(5, b4, qc4, "b5"))
    deliver(
        ctx,
        machine,
        chained_proposal(6, b5, QC("generic", 5, b5, QUORUM), "b6"),
    )
    commits = [e["value"] for e in ctx.events if e["kind"] == "commit"]
    assert commits == ["b1", "b2"]


def test_stable_chain_needs_one_view():
    """Under stable rotation consecutive instances share a view.

    Node 0 proposes b1 to b4 in view 0; b4 commits b1 and b5 commits b2.
    The replica then times out, and node 1 proposes b5 to b8 in view 1.
    b6 and b7 commit nothing, because their three-chains cross the view
    change. b8 ends the chain b5, b6, b7 of view 1 and commits b3 to b5.
    """
    ctx = StubContext(2, 4, {"leader_rotation": "stable"})
    machine = start_machine(chained_hotstuff.ChainedHotStuff, ctx)
    parent, justify = GENESIS, GENESIS_QC
    committed = []
    for height in range(1, 9):
        view = 0 if height <= 4 else 1
        if height == 5:
            ctx.runtime.run(until=ctx.runtime.now + 1001)
            assert machine.state == (1, 0)
        block = Block(parent, f"b{height}", view, justify)
        deliver(ctx, machine, chained_proposal(view, parent, justify, block.value))
        committed.append([e["value"] for e in ctx.events if e["kind"] == "commit"][-1:])
        parent, justify = block, QC("generic", view, block, QUORUM)
    assert committed == [
        [],
        [],
        [],
        ["b1"],
        ["b2"],
        ["b2"],
        ["b2"],
        ["b5"],
    ]
    values = [e["value"] for e in ctx.events if e["kind"] == "commit"]
    assert values == ["b1", "b2", "b3", "b4", "b5"]


def locked_hotstuff2_party() -> tuple[StubContext, object, QC]:
    """Return party 3 of four, locked on the view-0 certificate of ``B1``."""
    ctx = StubContext(3, 4, {"delta_ms": 100})
    machine = start_machine(hotstuff2.HotStuff2, ctx)
    proposal = hotstuff2.Propose(0, 0, 1, "B1", GENESIS, GENESIS_QC, GENESIS_QC, None)
    deliver(ctx, machine, proposal)
    cert = QC("vote", 0, Block(GENESIS, "B1", 0, GENESIS_QC), QUORUM)
    deliver(ctx, machine, hotstuff2.Prepare(0, 0, cert))
    return ctx, machine, cert


@pytest.mark.parametrize("lower", [True, False], ids=["below-lock", "at-lock"])
def test_hotstuff2_vote_needs_lock_rank(lower):
    """View 1 timed out; the leader of view 2 proposes with its certificate.

    A certificate ranked below the party's lock gets no vote.
    """
    ctx, machine, cert = locked_hotstuff2_party()
    locks = [e for e in ctx.events if e["kind"] == "lock"]
    assert [lock["view"] for lock in locks] == [0]
    justify = GENESIS_QC if lower else cert
    timeout_cert = hotstuff2.TimeoutCert(1, QUORUM)
    proposal = hotstuff2.Propose(
        2,
        2,
        justify.height + 1,
        "B2",
        justify.block,
        justify,
        GENESIS_QC,
        timeout_cert,
    )
    deliver(ctx, machine, proposal)
    voted = [e for e in ctx.events if e["kind"] == "vote" and e["view"] == 2]
    assert bool(voted) is not lower


def test_hotstuff2_needs_entry_proof():
    """A proposal of a later view without a certificate of the view before
    waits (postponed) instead of moving the party forward."""
    ctx, machine, cert = locked_hotstuff2_party()
    proposal = hotstuff2.Propose(2, 2, 2, "B2", cert.block, cert, GENESIS_QC, None)
    deliver(ctx, machine, proposal)
    assert machine.state == (0, 0, "locked")
    assert len(machine.postponed) == 1
