"""Chained HotStuff: one generic phase per view, pipelined over blocks.

Source: Maofan Yin, Dahlia Malkhi, Michael K. Reiter, Guy Golan Gueta and
Ittai Abraham, "HotStuff: BFT Consensus with Linearity and
Responsiveness", PODC 2019, Algorithm 3 (chained HotStuff) with the
update rules of the event-driven Algorithm 4.

Each view has one generic phase. The leader of view ``v`` proposes a block
``b*`` that extends the block of its ``genericQC`` (the highest certificate
it has) and carries that certificate as ``b*.justify``. Every replica
votes for ``b*`` at most once per view, sending the vote to the leader of
view ``v + 1``, who turns ``n - t`` votes into the next ``genericQC`` and
proposes at once. The vote rule is safeNode: ``b*`` extends the block of
``lockedQC``, or ``b*.justify`` is from a later view than ``lockedQC``.

On a proposal ``b*`` with ``b'' = b*.justify.node``,
``b' = b''.justify.node`` and ``b = b'.justify.node``:

- one-chain: ``genericQC`` becomes ``b*.justify`` if it is higher;
- two-chain: ``lockedQC`` becomes ``b''.justify`` (the certificate of
  ``b'``) if it is higher;
- three-chain: if ``b''``, ``b'`` and ``b`` were proposed in consecutive
  views (each the parent of the next), ``b`` and its uncommitted ancestors
  are committed. The ``quorum`` of the commit is ``b*.justify``'s signers.

Heights count blocks (each block's height is its parent's plus one), so
the commit rule checks the views: a failed view in between breaks the
chain, as the paper's dummy nodes do.

Pacemaker: after processing the proposal of its view a replica moves to
the next view. A view timer (``view_timeout_ms``, times ``backoff`` per
timeout in a row, reset by a commit) moves it on when no proposal comes;
it then sends NEW-VIEW with its ``genericQC`` to the next leader, who
proposes after ``n - t`` of them, or at once if it holds a certificate of
the previous view. A replica jumps to a later view when that view's
proposal carries a certificate from its current view or later, and a
leader jumps to a later view it leads when ``t + 1`` replicas sent
NEW-VIEW for it.

Leader rotation. Under ``round_robin`` each view has one block and its
votes go to the next view's leader, as in the paper. Under ``stable`` a
view contains a run of instances, one block per height, all proposed by
``view mod n``: the votes for a block go back to the same leader, who
proposes the next block on its certificate at once, and a replica moves
to the next instance (the next height, same view) after processing a
proposal. Only a timeout moves the view, and with it the leader, on. The
first instance of a view entered by timeout waits for ``n - t`` NEW-VIEW
messages, because a certificate of the view before need not be the
highest one there. Instances are ranked by (view, height), the rank
certificates already use. A replica votes at most once per instance, the
liveness clause compares ranks, and the three-chain needs consecutive
instances: three direct parents in the same view. Two blocks of
successive views are not consecutive under ``stable``, because the
failed view may hold certified blocks at later heights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..engine import (
    CAST,
    ENTER,
    HANDLE_EVENT_FUNCTION,
    INTERNAL,
    STATE_TIMEOUT,
    StateMachine,
    generic_timeout,
    keep_state,
    keep_state_and_data,
    next_event,
    next_state,
    postpone,
    state_timeout,
)
from ..sim.protocol import NEW_VIEW, PROPOSAL, VOTE, Message, NodeContext
from .hotstuff_common import (
    GENESIS,
    GENESIS_QC,
    QC,
    Block,
    VoteBox,
    commit_events,
    higher,
    joins_view_ahead,
    status_reports,
    view_timeout,
)

KEEP = "keep_state_and_data"
PHASE = "generic"

# The engine state: (view, height of the block expected next). The height
# is known under ``stable`` rotation after the first proposal of a view,
# and 0 otherwise.
State = tuple[int, int]
Instance = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Proposal(Message):
    """The leader's block: ``value`` at ``height``, justified by ``justify``."""

    kind: ClassVar[str] = "generic"
    category: ClassVar[str] = PROPOSAL

    height: int
    value: str
    parent: Block
    justify: QC

    def signatures(self) -> int:
        return 1 + len(self.justify.signers)


@dataclass(frozen=True, slots=True)
class Vote(Message):
    """A vote for the block ``digest`` of ``view``, sent to the next leader."""

    kind: ClassVar[str] = "vote"
    category: ClassVar[str] = VOTE

    height: int
    value: str
    digest: str


@dataclass(frozen=True, slots=True)
class NewView(Message):
    """A replica's ``genericQC``, sent to the leader of ``view`` on timeout."""

    kind: ClassVar[str] = "new_view"
    category: ClassVar[str] = NEW_VIEW

    qc: QC

    def signatures(self) -> int:
        return 1 + len(self.qc.signers)


class Chain:
    """One node's chained HotStuff state; the engine state is ``(view,
    height)``.

    Invariant: ``generic_qc`` and ``locked_qc`` only rise, ``voted`` is
    the last instance this node voted in, and ``committed`` is the highest
    block it committed.
    """

    __slots__ = (
        "view",
        "height",
        "entry",
        "timeouts",
        "generic_qc",
        "locked_qc",
        "committed",
        "voted",
        "processed",
        "proposed",
        "new_views",
        "blocks",
        "certified",
        "votes",
        "ahead",
    )

    def __init__(self) -> None:
        self.view = -1
        self.height = 0
        self.entry = "start"
        self.timeouts = 0
        self.generic_qc = GENESIS_QC
        self.locked_qc = GENESIS_QC
        self.committed = GENESIS
        # Instances: (view, height) under stable rotation, (view, 0) under
        # round_robin.
        self.voted: Instance = (-1, 0)
        self.processed: Instance = (-1, 0)
        self.proposed = False
        self.new_views: dict[int, QC] = {}
        # Blocks of recent proposals by digest, for votes that name them,
        # and the digests among them whose certificate this node formed.
        self.blocks: dict[str, Block] = {}
        self.certified: set[str] = set()
        self.votes = VoteBox()
        # Senders of NEW-VIEW messages for later views this node leads.
        self.ahead: dict[int, set[int]] = {}


class ChainedHotStuff(StateMachine):
    """Chained HotStuff's callback module (state ``(view, height)``)."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.stable = ctx.params.get("leader_rotation") == "stable"

    def init(self, *args: Any) -> Any:
        return ("ok", (0, 0), Chain())

    def handle_event(
        self, event_type: Any, content: Any, state: State, data: Chain
    ) -> Any:
        if event_type == CAST:
            return self._message(content, data)
        if event_type == ENTER:
            return self._enter(state, data)
        if event_type == INTERNAL and content != "propose":
            return self._certify(content[1], data)
        if event_type == INTERNAL or event_type == ("timeout", "propose"):
            return self._propose(data)
        if event_type == STATE_TIMEOUT:
            return self._timeout(state, data)
        return KEEP

    # Views.

    def _enter(self, state: State, data: Chain) -> Any:
        ctx = self.ctx
        view, height = state
        actions: list[Any] = [
            state_timeout(view_timeout(ctx.params, data.timeouts), "view")
        ]
        data.height = height
        data.proposed = False
        self._forget_blocks(view, data)
        if view == data.view:
            # The next instance of the view, under stable rotation.
            if self._ready(data):
                actions.append(generic_timeout("propose", 0, view))
            return keep_state(data, actions)
        data.view = view
        data.new_views = {}
        data.votes.forget_before(view - 1)
        data.ahead = {w: senders for w, senders in data.ahead.items() if w > view}
        if data.entry in ("timeout", "new_view"):
            leader = ctx.leader(view)
            if leader != ctx.id:
                ctx.send(leader, NewView(ctx.id, view, data.generic_qc))
            else:
                data.new_views[ctx.id] = data.generic_qc
        if self._ready(data):
            # An enter call may not insert events; a zero timeout may.
            actions.append(generic_timeout("propose", 0, view))
        return keep_state(data, actions)

    def _forget_blocks(self, view: int, data: Chain) -> None:
        """Drop the blocks that no vote still to come can name, and their
        digests from ``certified``.

        A dropped block never comes back, because its instance is at or
        below ``processed`` and its proposal is ignored if it arrives again.
        Votes for it find no block and form no certificate, so ``certified``
        needs only the digests of the blocks kept.
        """
        if self.stable:
            floor = data.generic_qc.height - 1
            data.blocks = {
                digest: block
                for digest, block in data.blocks.items()
                if block.height >= floor
            }
        else:
            data.blocks = {
                digest: block
                for digest, block in data.blocks.items()
                if block.view >= view - 2
            }
        data.certified.intersection_update(data.blocks)

    def _timeout(self, state: State, data: Chain) -> Any:
        view = state[0]
        data.timeouts += 1
        data.entry = "timeout"
        self.ctx.emit("view_change", view=view + 1, reason="timeout")
        return next_state((view + 1, 0), data)

    def _instance(self, block: Block) -> Instance:
        """Return the instance ``block`` was proposed in."""
        return (block.view, block.height if self.stable else 0)

    def _next_leader(self, view: int) -> int:
        """Return who collects the votes for a block of ``view``."""
        if self.stable:
            return self.ctx.leader(view)
        return self.ctx.leader(view + 1)

    def _consecutive(self, child: Block, parent: Block) -> bool:
        """Tell whether ``child`` is ``parent``'s direct child in the next
        instance."""
        if child.parent != parent:
            return False
        if self.stable:
            return child.view == parent.view
        return child.view == parent.view + 1

    # Leader.

    def _ready(self, data: Chain) -> bool:
        ctx = self.ctx
        if data.proposed or ctx.leader(data.view) != ctx.id:
            return False
        if self._later_instance(data):
            # The certificate of this view's previous instance.
            return data.generic_qc.rank() == (data.view, data.height - 1)
        if len(data.new_views) >= ctx.quorum:
            return True
        if not self.stable:
            return data.generic_qc.view == data.view - 1
        return data.view == 0 and data.entry == "start"

    def _later_instance(self, data: Chain) -> bool:
        """Tell whether this node is past the first instance of its view,
        which happens only under stable rotation."""
        return self.stable and data.height > 0

    def _propose(self, data: Chain) -> Any:
        ctx = self.ctx
        if not self._ready(data):
            return KEEP
        view = data.view
        if len(data.new_views) >= ctx.quorum and not self._later_instance(data):
            ctx.emit(
                "view_change_status",
                view=view,
                leader=ctx.id,
                reports=status_reports(data.new_views, ctx.faulty),
            )
        high = data.generic_qc
        height = high.height + 1
        value = ctx.proposal(height, view)
        message = Proposal(ctx.id, view, height, value, high.block, high)
        data.proposed = True
        ctx.emit("propose", view=view, height=height, value=value)
        ctx.broadcast(message)
        return keep_state(data, [next_event(CAST, message)])

    def _count_vote(self, vote: Vote, data: Chain) -> Any:
        if self._next_leader(vote.view) != self.ctx.id:
            return KEEP
        stale = vote.view < data.view if self.stable else vote.view + 1 < data.view
        if stale:
            return KEEP
        data.votes.add(vote.view, PHASE, vote.digest, vote.value, vote.sender)
        return self._certify(vote.digest, data)

    def _certify(self, digest: str, data: Chain) -> Any:
        """Form the certificate of block ``digest`` once a quorum voted."""
        ctx = self.ctx
        block = data.blocks.get(digest)
        if block is None or digest in data.certified:
            return KEEP
        signers = data.votes.signers(block.view, PHASE, block)
        if len(signers) < ctx.quorum:
            return KEEP
        data.certified.add(digest)
        qc = QC(PHASE, block.view, block, frozenset(signers))
        ctx.emit(
            "qc",
            view=qc.view,
            height=qc.height,
            phase=PHASE,
            value=qc.value,
            signers=qc.signer_list,
        )
        data.generic_qc = higher(data.generic_qc, qc)
        return keep_state(data, [next_event(INTERNAL, "propose")])

    def _new_view(self, message: NewView, data: Chain) -> Any:
        ctx = self.ctx
        if ctx.leader(data.view) != ctx.id or data.proposed:
            return KEEP
        if self._later_instance(data):
            return KEEP
        data.new_views[message.sender] = message.qc
        data.generic_qc = higher(data.generic_qc, message.qc)
        if len(data.new_views) == ctx.quorum:
            return keep_state(data, [next_event(INTERNAL, "propose")])
        return keep_state(data)

    def _new_view_ahead(self, message: NewView, data: Chain) -> Any:
        """Postpone a NEW-VIEW of a later view, and move there on t + 1."""
        actions = [postpone()]
        if not joins_view_ahead(self.ctx, data.ahead, message.sender, message.view):
            return keep_state(data, actions)
        data.entry = "new_view"
        self.ctx.emit("view_change", view=message.view, reason="new_view")
        return next_state((message.view, 0), data, actions)

    # Messages.

    def _message(self, message: Message, data: Chain) -> Any:
        if isinstance(message, Vote):
            return self._count_vote(message, data)
        if isinstance(message, Proposal):
            return self._proposal(message, data)
        if isinstance(message, NewView):
            if message.view > data.view:
                return self._new_view_ahead(message, data)
            if message.view == data.view:
                return self._new_view(message, data)
        return KEEP

    def _proposal(self, message: Proposal, data: Chain) -> Any:
        view = message.view
        justify = message.justify
        block = Block(message.parent, message.value, view, justify)
        instance = self._instance(block)
        if (
            message.sender != self.ctx.leader(view)
            or message.parent != justify.block
            or message.height != justify.height + 1
            or data.processed >= instance
        ):
            return KEEP
        current = (data.view, data.height)
        awaited = view == data.view and data.height in (0, instance[1])
        if not awaited and instance > current:
            return self._jump(message, instance, current, data)
        data.processed = instance
        data.blocks[block.digest] = block
        # The update runs before safeNode. It raises the lock only to the
        # certificate that the parent carries, which ranks below the
        # proposal's certificate, so safeNode votes as on the old lock.
        # NOTE: nothing here checks that rank order. Every leader in the
        # simulator runs this code and keeps it, but a hand-made parent that
        # ranks at or below its own certificate breaks the equivalence.
        self._update(block, data)
        actions = self._vote(block, data)
        if self._next_leader(view) == self.ctx.id:
            # Votes that came before the block can form its certificate now.
            actions.append(next_event(INTERNAL, ("certify", block.digest)))
        if not awaited:
            # A late proposal: it still counts for the chain and its votes,
            # but the view timer has already moved this node on.
            return keep_state(data, actions)
        data.entry = "proposal"
        if self.stable:
            return next_state((view, block.height + 1), data, actions)
        return next_state((view + 1, 0), data, actions)

    def _jump(
        self, message: Proposal, instance: Instance, current: Instance, data: Chain
    ) -> Any:
        """Move to the later instance of ``message`` if its certificate is
        from the current instance or later, else wait for one."""
        if message.justify.rank() < current:
            return keep_state_and_data([postpone()])
        data.entry = "catch_up"
        if message.view > data.view:
            self.ctx.emit("view_change", view=message.view, reason="catch_up")
        return next_state(instance, data, [postpone()])

    # Replica steps.

    def _update(self, block: Block, data: Chain) -> None:
        """Apply the one-, two- and three-chain rules for proposal ``block``."""
        qc2 = block.justify
        assert qc2 is not None
        data.generic_qc = higher(data.generic_qc, qc2)
        b2 = qc2.block
        qc1 = b2.justify
        if qc1 is None:
            return
        if qc1.rank() > data.locked_qc.rank():
            data.locked_qc = qc1
            self.ctx.emit("lock", view=qc1.view, height=qc1.height, value=qc1.value)
        b1 = qc1.block
        qc0 = b1.justify
        if qc0 is None:
            return
        b0 = qc0.block
        if self._consecutive(b2, b1) and self._consecutive(b1, b0):
            self._commit(b0, qc2, data)

    def _commit(self, block: Block, qc: QC, data: Chain) -> None:
        chain = block.ancestry_above(data.committed.height)
        for fields in commit_events(chain, qc):
            self.ctx.emit("commit", **fields)
        if chain:
            data.committed = block
            data.timeouts = 0

    def _vote(self, block: Block, data: Chain) -> list[Any]:
        ctx = self.ctx
        locked = data.locked_qc
        justify = block.justify
        assert justify is not None
        # The liveness clause compares ranks: under round_robin a view
        # certifies one block, so that is the paper's comparison of views.
        safe = block.extends(locked.block) or justify.rank() > locked.rank()
        instance = self._instance(block)
        if instance <= data.voted or not safe:
            return []
        data.voted = instance
        ctx.emit(
            "vote", view=block.view, height=block.height, phase=PHASE, value=block.value
        )
        vote = Vote(ctx.id, block.view, block.height, block.value, block.digest)
        leader = self._next_leader(block.view)
        if leader != ctx.id:
            ctx.send(leader, vote)
            return []
        return [next_event(CAST, vote)]
