"""Basic HotStuff, one decision per view, with a two-phase variant.

Source: Maofan Yin, Dahlia Malkhi, Michael K. Reiter, Guy Golan Gueta and
Ittai Abraham, "HotStuff: BFT Consensus with Linearity and
Responsiveness", PODC 2019, Algorithm 2 (basic HotStuff).

A view has four phases. In each the leader broadcasts, and the replicas
send their votes back to the leader alone:

- New view: every replica sends NEW-VIEW with its ``prepareQC`` (the
  highest certificate it holds) to the leader of the view. With ``n - t``
  of them the leader takes the highest as ``highQC``.
- Prepare: the leader proposes a block extending ``highQC.node``. A replica
  votes when the block extends ``highQC.node`` and the safeNode predicate
  holds: the block extends the node of its ``lockedQC`` (safety clause) or
  ``highQC`` is from a later view than ``lockedQC`` (liveness clause).
- Pre-commit: the leader broadcasts the ``prepareQC`` formed from ``n - t``
  votes. A replica keeps it as its key (``prepareQC``) and votes.
- Commit: the leader broadcasts the ``precommitQC``; a replica locks on it
  (``lockedQC``) and votes.
- Decide: the leader broadcasts the ``commitQC``; a replica commits the
  block and its uncommitted ancestors, then moves to the next view.

Because a lock needs a quorum of keys, with at most t faulty parties the
``n - t`` NEW-VIEW messages contain a key at least as high as any honest
lock, so the new leader does not wait to hear from everyone.

The pacemaker is a view timer per view (``view_timeout_ms``, multiplied by
``backoff`` per timeout in a row and reset by a commit). When it fires the
replica moves to the next view and sends NEW-VIEW to that view's leader.
Replicas whose timers drifted apart meet again in two ways. A replica that
receives a certificate of a later view from that view's leader jumps to
it, since a quorum was there. A leader that receives NEW-VIEW for a later
view it leads from t + 1 replicas jumps to it, since an honest replica is
there.

``params["variant"] = "two_phase"`` drops the commit phase: a replica
locks on the ``prepareQC`` at pre-commit and commits on the
``precommitQC`` (a two-chain), and the leader still proposes after the
first ``n - t`` NEW-VIEW messages. This is the protocol the paper uses to
show why the third phase exists: the only holder of the highest lock may
be missing from those messages, its safeNode check then rejects the
proposal, and the view cannot gather a quorum.

The leader of view ``v`` is node ``v mod n``. Under ``round_robin``
rotation every view decides one block and the leader changes with it, as
in the paper. Under ``stable`` a view contains a run of instances, one per
height, all led by the same leader: a decide moves to the next height in
the same view, where the leader proposes at once on its ``prepareQC``
(the highest certificate there is, since the decided block's view is the
latest), so no NEW-VIEW round is needed. Only a timeout moves the view,
and with it the leader, on. Instances are ranked by (view, height), the
rank certificates already use: the liveness clause compares ranks, and a
replica votes at most once per phase of an instance, so the paper's
view-based safety argument carries over with instances in place of views. The
view timer restarts with each instance.
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
from ..sim.protocol import NEW_VIEW, OTHER, PROPOSAL, VOTE, Message, NodeContext
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
THREE_PHASE = ("prepare", "pre_commit", "commit", "decide")
TWO_PHASE = ("prepare", "pre_commit", "decide")
VARIANTS = {"three_phase": THREE_PHASE, "two_phase": TWO_PHASE}

# The engine state: (view, instance height, phase). The height is the
# instance's under ``stable`` rotation once known, and 0 otherwise.
State = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class NewView(Message):
    """A replica's highest certificate, sent to the leader of ``view``."""

    kind: ClassVar[str] = "new_view"
    category: ClassVar[str] = NEW_VIEW

    qc: QC

    def signatures(self) -> int:
        return 1 + len(self.qc.signers)


@dataclass(frozen=True, slots=True)
class Prepare(Message):
    """The leader's proposal: ``value`` at ``height`` on top of ``parent``."""

    kind: ClassVar[str] = "prepare"
    category: ClassVar[str] = PROPOSAL

    height: int
    value: str
    parent: Block
    justify: QC

    def signatures(self) -> int:
        return 1 + len(self.justify.signers)


@dataclass(frozen=True, slots=True)
class Vote(Message):
    """A vote in ``phase`` for the block named by ``digest``."""

    kind: ClassVar[str] = "vote"
    category: ClassVar[str] = VOTE

    phase: str
    height: int
    value: str
    digest: str


@dataclass(frozen=True, slots=True)
class Certificate(Message):
    """A leader broadcast of the certificate ``qc`` that opens a phase."""

    kind: ClassVar[str] = "certificate"
    category: ClassVar[str] = OTHER

    qc: QC

    def signatures(self) -> int:
        return 1 + len(self.qc.signers)


@dataclass(frozen=True, slots=True)
class PreCommit(Certificate):
    """The pre-commit phase: carries the prepareQC."""

    kind: ClassVar[str] = "pre_commit"


@dataclass(frozen=True, slots=True)
class Commit(Certificate):
    """The commit phase: carries the precommitQC."""

    kind: ClassVar[str] = "commit"


@dataclass(frozen=True, slots=True)
class Decide(Certificate):
    """The decide phase: carries the certificate that commits the block."""

    kind: ClassVar[str] = "decide"


CERTIFICATES: dict[str, type[Certificate]] = {
    "pre_commit": PreCommit,
    "commit": Commit,
    "decide": Decide,
}


class Replica:
    """One node's HotStuff state; the engine state is ``(view, height,
    phase)``.

    ``phase`` names the leader message the replica waits for next.
    ``height`` is the current instance's height under ``stable`` rotation,
    0 until the first proposal of a view and always 0 under
    ``round_robin``.
    Invariant: ``locked_qc`` and ``prepare_qc`` only rise, and
    ``committed`` is the highest block this node committed.
    """

    __slots__ = (
        "view",
        "height",
        "entry",
        "timeouts",
        "deadline",
        "prepare_qc",
        "locked_qc",
        "committed",
        "new_views",
        "proposed",
        "certified",
        "votes",
        "ahead",
    )

    def __init__(self) -> None:
        self.view = -1
        self.height = 0
        self.entry = "start"
        self.timeouts = 0
        self.deadline = 0.0
        self.prepare_qc = GENESIS_QC
        self.locked_qc = GENESIS_QC
        self.committed = GENESIS
        # Per view (NEW-VIEW messages) and per instance, the leader's
        # bookkeeping.
        self.new_views: dict[int, QC] = {}
        self.proposed: Block | None = None
        self.certified: set[str] = set()
        self.votes = VoteBox()
        # Senders of NEW-VIEW messages for later views this node leads.
        self.ahead: dict[int, set[int]] = {}

    def high_qc(self) -> QC:
        """Return the certificate this replica reports in NEW-VIEW."""
        return higher(self.prepare_qc, self.locked_qc)


class HotStuff(StateMachine):
    """Basic HotStuff's callback module (state ``(view, height, phase)``)."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True
    PARAMS: ClassVar[dict[str, Any]] = {"variant": "three_phase"}
    PARAM_CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "variant": ("three_phase", "two_phase")
    }

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        variant = ctx.params.get("variant", "three_phase")
        if variant not in VARIANTS:
            allowed = ", ".join(VARIANTS)
            raise ValueError(
                f"invalid hotstuff variant {variant!r}; expected one of {allowed}"
            )
        self.two_phase = variant == "two_phase"
        self.stable = ctx.params.get("leader_rotation") == "stable"
        self.phases = VARIANTS[variant]
        # The certificate a message of each phase carries: the QC of the
        # phase before it.
        self.carried = {
            kind: self.phases[index - 1]
            for index, kind in enumerate(self.phases)
            if index > 0
        }

    def init(self, *args: Any) -> Any:
        return ("ok", (0, 0, "prepare"), Replica())

    def handle_event(
        self, event_type: Any, content: Any, state: State, data: Replica
    ) -> Any:
        if event_type == CAST:
            return self._message(content, state, data)
        if event_type == ENTER:
            return self._enter(state, data)
        if event_type == INTERNAL:
            if content[0] == "propose":
                return self._propose(data)
            return self._certify(content[1], data)
        if event_type == ("timeout", "propose"):
            return self._propose(data)
        if event_type == STATE_TIMEOUT:
            return self._timeout(state, data)
        return KEEP

    # Views.

    def _enter(self, state: State, data: Replica) -> Any:
        view = state[0]
        actions: list[Any] = []
        if view != data.view:
            actions += self._start_view(view, data)
        actions.append(state_timeout(data.deadline, "view", absolute=True))
        return keep_state(data, actions)

    def _start_view(self, view: int, data: Replica) -> list[Any]:
        ctx = self.ctx
        data.view = view
        self._start_instance(0, data)
        data.new_views = {}
        data.votes.forget_before(view)
        data.ahead = {w: senders for w, senders in data.ahead.items() if w > view}
        if data.entry == "catch_up":
            return []
        leader = ctx.leader(view)
        if leader != ctx.id:
            ctx.send(leader, NewView(ctx.id, view, data.high_qc()))
            return []
        data.new_views[ctx.id] = data.high_qc()
        if len(data.new_views) >= ctx.quorum:
            # An enter call may not insert events; a zero timeout may.
            return [generic_timeout("propose", 0, view)]
        return []

    def _start_instance(self, height: int, data: Replica) -> None:
        """Reset the per-instance data and restart the view timer."""
        ctx = self.ctx
        data.height = height
        data.deadline = ctx.now + view_timeout(ctx.params, data.timeouts)
        data.proposed = None
        data.certified = set()

    def _state(self, phase: str, data: Replica) -> State:
        return (data.view, data.height, phase)

    def _timeout(self, state: State, data: Replica) -> Any:
        view = state[0]
        data.timeouts += 1
        data.entry = "timeout"
        self.ctx.emit("view_change", view=view + 1, reason="timeout")
        return next_state((view + 1, 0, "prepare"), data)

    def _new_view_ahead(self, message: NewView, data: Replica) -> Any:
        """Postpone a NEW-VIEW of a later view, and move there on t + 1."""
        actions = [postpone()]
        if not joins_view_ahead(self.ctx, data.ahead, message.sender, message.view):
            return keep_state(data, actions)
        data.entry = "new_view"
        self.ctx.emit("view_change", view=message.view, reason="new_view")
        return next_state((message.view, 0, "prepare"), data, actions)

    def _catch_up(self, view: int, data: Replica) -> Any:
        """Move to the later ``view`` a certificate came from, then retry it."""
        data.entry = "catch_up"
        self.ctx.emit("view_change", view=view, reason="catch_up")
        return next_state((view, 0, "prepare"), data, [postpone()])

    def _catch_up_instance(self, height: int, data: Replica) -> Any:
        """Under ``stable``, move to the later instance at ``height`` of the
        current view that a certificate came from, then retry it."""
        data.entry = "catch_up"
        self._start_instance(height, data)
        return next_state(self._state("prepare", data), data, [postpone()])

    # Leader.

    def _propose(self, data: Replica) -> Any:
        ctx = self.ctx
        view = data.view
        if data.proposed is not None or ctx.leader(view) != ctx.id:
            return KEEP
        if data.height:
            # A later instance under stable rotation: this leader's own
            # prepareQC certifies the block just decided.
            high = data.high_qc()
        else:
            high = self._high_from_new_views(data)
        height = high.height + 1
        data.height = height if self.stable else 0
        value = ctx.proposal(height, view)
        message = Prepare(ctx.id, view, height, value, high.block, high)
        data.proposed = Block(high.block, value, view, high)
        ctx.emit("propose", view=view, height=height, value=value)
        ctx.broadcast(message)
        state = self._state("prepare", data)
        return next_state(state, data, [next_event(CAST, message)])

    def _high_from_new_views(self, data: Replica) -> QC:
        """Return the highest certificate of the NEW-VIEW messages, and log
        the status they report."""
        ctx = self.ctx
        high = GENESIS_QC
        for qc in data.new_views.values():
            high = higher(high, qc)
        ctx.emit(
            "view_change_status",
            view=data.view,
            leader=ctx.id,
            reports=status_reports(data.new_views, ctx.faulty),
        )
        return high

    def _count_vote(self, vote: Vote, data: Replica) -> Any:
        data.votes.add(vote.view, vote.phase, vote.digest, vote.value, vote.sender)
        block = data.proposed
        if block is None or vote.phase in data.certified:
            return KEEP
        if len(data.votes.signers(data.view, vote.phase, block)) < self.ctx.quorum:
            return KEEP
        data.certified.add(vote.phase)
        return keep_state(data, [next_event(INTERNAL, ("certified", vote.phase))])

    def _certify(self, phase: str, data: Replica) -> Any:
        ctx = self.ctx
        block = data.proposed
        assert block is not None
        signers = frozenset(data.votes.signers(data.view, phase, block))
        qc = QC(phase, data.view, block, signers)
        ctx.emit(
            "qc",
            view=qc.view,
            height=qc.height,
            phase=phase,
            value=qc.value,
            signers=qc.signer_list,
        )
        kind = self.phases[self.phases.index(phase) + 1]
        message = CERTIFICATES[kind](ctx.id, data.view, qc)
        ctx.broadcast(message)
        return keep_state(data, [next_event(CAST, message)])

    # Messages.

    def _message(self, message: Message, state: State, data: Replica) -> Any:
        if isinstance(message, Certificate):
            return self._certificate(message, state, data)
        if isinstance(message, NewView) and message.view > data.view:
            return self._new_view_ahead(message, data)
        if message.view > data.view:
            return keep_state_and_data([postpone()])
        if message.view < data.view:
            return KEEP
        if isinstance(message, NewView):
            return self._new_view(message, data)
        if isinstance(message, Prepare):
            return self._prepare(message, state, data)
        if isinstance(message, Vote) and self.ctx.leader(data.view) == self.ctx.id:
            return self._count_vote(message, data)
        return KEEP

    def _new_view(self, message: NewView, data: Replica) -> Any:
        ctx = self.ctx
        if ctx.leader(data.view) != ctx.id or data.proposed is not None:
            return KEEP
        data.new_views[message.sender] = message.qc
        if len(data.new_views) == ctx.quorum:
            return keep_state(data, [next_event(INTERNAL, ("propose",))])
        return keep_state(data)

    def _prepare(self, message: Prepare, state: State, data: Replica) -> Any:
        if message.sender != self.ctx.leader(data.view):
            return KEEP
        if self.stable and data.height and message.height != data.height:
            if message.height < data.height:
                return KEEP
            # The decide of this instance has not arrived yet.
            return keep_state_and_data([postpone()])
        if state[2] != "prepare":
            return KEEP
        justify = message.justify
        block = Block(message.parent, message.value, message.view, justify)
        if message.height != block.height or message.parent != justify.block:
            return KEEP
        if not self._safe_node(block, justify, data):
            return KEEP
        actions = self._vote("prepare", block, data)
        if self.stable:
            data.height = block.height
        return next_state(self._state(self._after("prepare"), data), data, actions)

    def _safe_node(self, block: Block, justify: QC, data: Replica) -> bool:
        """Apply safeNode: the safety clause or the liveness clause.

        The liveness clause compares ranks, (view, height): under
        round_robin a view certifies one block, so that is the paper's
        comparison of views, and under stable it compares instances.
        """
        locked = data.locked_qc
        return block.extends(locked.block) or justify.rank() > locked.rank()

    def _certificate(self, message: Certificate, state: State, data: Replica) -> Any:
        if not self._valid(message):
            return KEEP
        if message.view < data.view:
            return KEEP
        if message.view > data.view:
            return self._catch_up(message.view, data)
        height = message.qc.height
        if self.stable and data.height and height != data.height:
            if height < data.height:
                return KEEP
            return self._catch_up_instance(height, data)
        if self.phases.index(message.kind) < self.phases.index(state[2]):
            return KEEP
        qc = message.qc
        if message.kind == "decide":
            return self._decide(qc, data)
        if message.kind == "pre_commit":
            self._set_key(qc, data)
        if message.kind == "commit" or self.two_phase:
            self._set_lock(qc, data)
        actions = self._vote(message.kind, qc.block, data)
        if self.stable:
            data.height = qc.height
        return next_state(self._state(self._after(message.kind), data), data, actions)

    def _valid(self, message: Certificate) -> bool:
        qc = message.qc
        return (
            message.sender == self.ctx.leader(message.view)
            and message.kind in self.carried
            and qc.phase == self.carried[message.kind]
            and qc.view == message.view
            and len(qc.signers) >= self.ctx.quorum
        )

    def _after(self, phase: str) -> str:
        return self.phases[self.phases.index(phase) + 1]

    # Replica steps.

    def _vote(self, phase: str, block: Block, data: Replica) -> list[Any]:
        ctx = self.ctx
        view = data.view
        ctx.emit("vote", view=view, height=block.height, phase=phase, value=block.value)
        vote = Vote(ctx.id, view, phase, block.height, block.value, block.digest)
        leader = ctx.leader(view)
        if leader != ctx.id:
            ctx.send(leader, vote)
            return []
        return [next_event(CAST, vote)]

    def _set_key(self, qc: QC, data: Replica) -> None:
        if qc.rank() <= data.prepare_qc.rank():
            return
        data.prepare_qc = qc
        if not self.two_phase:
            self.ctx.emit("key", view=qc.view, height=qc.height, value=qc.value)

    def _set_lock(self, qc: QC, data: Replica) -> None:
        if qc.rank() <= data.locked_qc.rank():
            return
        data.locked_qc = qc
        self.ctx.emit("lock", view=qc.view, height=qc.height, value=qc.value)

    def _decide(self, qc: QC, data: Replica) -> Any:
        ctx = self.ctx
        chain = qc.block.ancestry_above(data.committed.height)
        for fields in commit_events(chain, qc):
            ctx.emit("commit", **fields)
        if chain:
            data.committed = qc.block
        data.timeouts = 0
        data.entry = "decide"
        if not self.stable:
            return next_state((data.view + 1, 0, "prepare"), data)
        self._start_instance(qc.height + 1, data)
        actions = []
        if ctx.leader(data.view) == ctx.id:
            actions.append(next_event(INTERNAL, ("propose",)))
        return next_state(self._state("prepare", data), data, actions)
