"""HotStuff-2: two phases per view, a double certificate commits.

Source: Dahlia Malkhi and Kartik Nayak, "HotStuff-2: Optimal Two-Phase
Responsive BFT", IACR ePrint 2023/397 (2023), the protocol for view ``v``
with leader ``L_v``.

Each party keeps a lock, the highest certificate ``C_v'(B)`` it has seen
(ranked by view, then height), and the highest double certificate
``C_v'(C_v'(B))``.

- Propose: ``L_v`` proposes ``B_k`` extending the highest certificate it
  has, and sends the highest double certificate along.
- Vote and lock: on the first proposal of view ``v`` a party commits the
  block of the double certificate with its ancestors. It votes to ``L_v``
  if the proposal's certificate ranks at least as high as its lock, and
  locks on that certificate if it is higher.
- Prepare: ``L_v`` forms ``C_v(B_k)`` from ``n - t`` votes and broadcasts it.
- Vote2: a party locks on ``C_v(B_k)`` and sends it, signed, to
  ``L_{v+1}``. From ``n - t`` of them ``L_{v+1}`` forms the double
  certificate ``C_v(C_v(B_k))``: it commits ``B_k``, enters view ``v + 1``
  and proposes at once, so the other parties commit ``B_k`` when the
  proposal arrives. The ``quorum`` of a commit is the double
  certificate's signers.

Pacemaker (view synchronization by wishes): when a party's view timer
fires it broadcasts a wish for view ``v + 1`` and restarts the timer,
``backoff`` times longer. A certificate of the party's view resets the
backoff, and so does a commit: the commit of a view's block waits for the
next leader, so a certificate is the sign that the view itself worked. A
party that sees ``t + 1`` wishes for a view above its own wishes for it
too. ``n - t`` wishes for view ``w`` form a timeout certificate of view
``w - 1``, and the party enters ``w``. A party that enters a view through
a timeout certificate sends its lock to the leader in a status message;
the leader waits for ``n - t`` of them and for ``delta_ms`` (the bound
Delta the protocol assumes on message delay after GST) since it entered
the view, then proposes on the highest lock it learned, attaching the
timeout certificate. That wait is what lets two phases suffice: every
honest lock reaches the leader in time, so no honest party rejects its
proposal. A party also enters a view when that view's proposal carries its
entry proof (the double certificate or the timeout certificate of the view
before), and when it sees a certificate formed in a later view.

Wishes are per view, so the pacemaker sends ``n (n - 1)`` messages per
timeout; it keeps the wish and timeout-certificate logic but not the
epochs of ``t + 1`` views that bring the paper's bound down.

NOTE: ``leader_rotation = "stable"`` is not supported; the leader changes
at every view as in the paper, and the run is the same as with
``round_robin``.
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
from ..sim.protocol import (
    NEW_VIEW,
    OTHER,
    PROPOSAL,
    VIEW_CHANGE,
    VOTE,
    Message,
    NodeContext,
)
from .hotstuff_common import (
    GENESIS,
    GENESIS_QC,
    QC,
    Block,
    VoteBox,
    commit_events,
    higher,
    status_reports,
    view_timeout,
)

KEEP = "keep_state_and_data"
CERT = "vote"
DOUBLE = "vote2"

State = tuple[int, str]


@dataclass(frozen=True, slots=True)
class TimeoutCert:
    """``signers`` (at least a quorum) wished to leave ``view``."""

    view: int
    signers: frozenset[int]

    def to_json(self) -> dict[str, Any]:
        """Return the certificate as it appears in the event log."""
        return {"view": self.view, "signers": sorted(self.signers)}


@dataclass(frozen=True, slots=True)
class Propose(Message):
    """``L_v``'s block, its certificate, the highest double certificate and,
    after a timeout, the timeout certificate of the view before."""

    kind: ClassVar[str] = "propose"
    category: ClassVar[str] = PROPOSAL

    height: int
    value: str
    parent: Block
    justify: QC
    double: QC
    timeout_cert: TimeoutCert | None

    def signatures(self) -> int:
        extra = 0 if self.timeout_cert is None else len(self.timeout_cert.signers)
        return 1 + len(self.justify.signers) + len(self.double.signers) + extra


@dataclass(frozen=True, slots=True)
class Vote(Message):
    """A first-phase vote for block ``digest``, sent to ``L_v``."""

    kind: ClassVar[str] = "vote"
    category: ClassVar[str] = VOTE

    height: int
    value: str
    digest: str


@dataclass(frozen=True, slots=True)
class Prepare(Message):
    """``L_v``'s broadcast of the certificate ``C_v(B_k)``."""

    kind: ClassVar[str] = "prepare"
    category: ClassVar[str] = OTHER

    qc: QC

    def signatures(self) -> int:
        return 1 + len(self.qc.signers)


@dataclass(frozen=True, slots=True)
class Vote2(Message):
    """A second-phase vote on the certificate ``qc``, sent to ``L_{v+1}``."""

    kind: ClassVar[str] = "vote2"
    category: ClassVar[str] = VOTE

    height: int
    value: str
    qc: QC

    def signatures(self) -> int:
        return 1 + len(self.qc.signers)


@dataclass(frozen=True, slots=True)
class Status(Message):
    """A party's lock, sent to the leader of a view entered by timeout."""

    kind: ClassVar[str] = "status"
    category: ClassVar[str] = NEW_VIEW

    lock: QC

    def signatures(self) -> int:
        return 1 + len(self.lock.signers)


@dataclass(frozen=True, slots=True)
class Wish(Message):
    """A wish to enter ``view``, broadcast by the pacemaker."""

    kind: ClassVar[str] = "wish"
    category: ClassVar[str] = VIEW_CHANGE


class Party:
    """One party's HotStuff-2 state; the engine state is ``(view, phase)``.

    ``phase`` is ``status`` (a leader collecting locks after a timeout),
    ``propose`` (waiting for the proposal), ``prepare`` (waiting for the
    certificate) or ``locked`` (vote2 sent, waiting for the next view).
    Invariant: ``lock`` and ``double`` only rise, and ``committed`` is the
    highest block this party committed.
    """

    __slots__ = (
        "view",
        "entry",
        "entry_cert",
        "timeouts",
        "deadline",
        "lock",
        "double",
        "committed",
        "proposed",
        "certified",
        "statuses",
        "waited",
        "votes",
        "vote2_certs",
        "doubled",
        "wishes",
        "wished",
    )

    def __init__(self) -> None:
        self.view = -1
        self.entry = "start"
        self.entry_cert: TimeoutCert | None = None
        self.timeouts = 0
        self.deadline = 0.0
        self.lock = GENESIS_QC
        self.double = GENESIS_QC
        self.committed = GENESIS
        # Per view, as leader.
        self.proposed: Block | None = None
        self.certified = False
        self.statuses: dict[int, QC] = {}
        self.waited = False
        # Votes of any view, and the certificates that vote2 messages carry.
        self.votes = VoteBox()
        self.vote2_certs: dict[tuple[int, str], QC] = {}
        self.doubled: set[int] = set()
        # Pacemaker: who wished for each view, and the highest own wish.
        self.wishes: dict[int, set[int]] = {}
        self.wished = 0


class HotStuff2(StateMachine):
    """HotStuff-2's callback module (state ``(view, phase)``)."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True
    PARAMS: ClassVar[dict[str, Any]] = {"delta_ms": 100}

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx

    def init(self, *args: Any) -> Any:
        return ("ok", (0, "propose"), Party())

    def handle_event(
        self, event_type: Any, content: Any, state: State, data: Party
    ) -> Any:
        if event_type == CAST:
            return self._message(content, state, data)
        if event_type == ENTER:
            return self._enter(state, data)
        if event_type == INTERNAL:
            return self._internal(content, data)
        if event_type == ("timeout", "propose"):
            return self._propose(data)
        if event_type == ("timeout", "delta"):
            return self._delta_passed(content, data)
        if event_type == STATE_TIMEOUT:
            return self._wish_next(data)
        return KEEP

    def _internal(self, content: Any, data: Party) -> Any:
        if content[0] == "propose":
            return self._propose(data)
        if content[0] == "certify":
            return self._certify(data)
        return self._double(content[1], content[2], data)

    # Views.

    def _enter(self, state: State, data: Party) -> Any:
        view = state[0]
        actions: list[Any] = []
        if view != data.view:
            actions += self._start_view(view, data)
        actions.append(state_timeout(data.deadline, "view", absolute=True))
        return keep_state(data, actions)

    def _start_view(self, view: int, data: Party) -> list[Any]:
        ctx = self.ctx
        data.view = view
        data.deadline = ctx.now + view_timeout(ctx.params, data.timeouts)
        data.proposed = None
        data.certified = False
        data.statuses = {}
        data.waited = False
        data.votes.forget_before(view - 1)
        data.wishes = {w: s for w, s in data.wishes.items() if w > view}
        leader = ctx.leader(view)
        if data.entry == "start" and leader == ctx.id:
            # The first view counts as entered through a double certificate.
            return [generic_timeout("propose", 0, view)]
        if data.entry != "timeout_certificate":
            return []
        if leader != ctx.id:
            ctx.send(leader, Status(ctx.id, view, data.lock))
            return []
        data.statuses[ctx.id] = data.lock
        return [generic_timeout("delta", ctx.params["delta_ms"], view)]

    def _enter_view(self, view: int, entry: str, data: Party) -> Any:
        """Return the transition into ``view``, entered by ``entry``."""
        data.entry = entry
        if entry != "double":
            self.ctx.emit("view_change", view=view, reason=entry)
        leads = self.ctx.leader(view) == self.ctx.id
        phase = "status" if entry == "timeout_certificate" and leads else "propose"
        return (view, phase)

    # Pacemaker.

    def _wish_next(self, data: Party) -> Any:
        """Wish for the next view when the view timer fires, and rearm it."""
        ctx = self.ctx
        data.timeouts += 1
        data.deadline = ctx.now + view_timeout(ctx.params, data.timeouts)
        actions = [state_timeout(data.deadline, "view", absolute=True)]
        return self._wish(data.view + 1, data, actions)

    def _wish(self, view: int, data: Party, actions: list[Any]) -> Any:
        ctx = self.ctx
        data.wished = max(data.wished, view)
        ctx.broadcast(Wish(ctx.id, view))
        return self._count_wish(view, ctx.id, data, actions)

    def _count_wish(
        self, view: int, sender: int, data: Party, actions: list[Any]
    ) -> Any:
        ctx = self.ctx
        wishers = data.wishes.setdefault(view, set())
        wishers.add(sender)
        if len(wishers) >= ctx.quorum:
            data.entry_cert = TimeoutCert(view - 1, frozenset(wishers))
            target = self._enter_view(view, "timeout_certificate", data)
            return next_state(target, data, actions)
        if len(wishers) >= ctx.t + 1 and data.wished < view:
            return self._wish(view, data, actions)
        return keep_state(data, actions)

    # Leader.

    def _delta_passed(self, view: int, data: Party) -> Any:
        if view != data.view:
            return KEEP
        data.waited = True
        return self._propose_after_status(data)

    def _propose_after_status(self, data: Party) -> Any:
        if data.waited and len(data.statuses) >= self.ctx.quorum:
            return keep_state(data, [next_event(INTERNAL, ("propose",))])
        return keep_state(data)

    def _propose(self, data: Party) -> Any:
        ctx = self.ctx
        view = data.view
        if data.proposed is not None or ctx.leader(view) != ctx.id:
            return KEEP
        high = data.lock
        timeout_cert = None
        if data.entry == "timeout_certificate":
            for lock in data.statuses.values():
                high = higher(high, lock)
            timeout_cert = data.entry_cert
            ctx.emit(
                "view_change_status",
                view=view,
                leader=ctx.id,
                reports=status_reports(data.statuses, ctx.faulty),
            )
        height = high.height + 1
        value = ctx.proposal(height, view)
        message = Propose(
            ctx.id, view, height, value, high.block, high, data.double, timeout_cert
        )
        data.proposed = Block(high.block, value, view, high)
        ctx.emit("propose", view=view, height=height, value=value)
        ctx.broadcast(message)
        return keep_state(data, [next_event(CAST, message)])

    def _count_vote(self, vote: Vote, data: Party) -> Any:
        data.votes.add(vote.view, CERT, vote.digest, vote.value, vote.sender)
        block = data.proposed
        if block is None or data.certified:
            return KEEP
        if len(data.votes.signers(data.view, CERT, block)) < self.ctx.quorum:
            return KEEP
        data.certified = True
        return keep_state(data, [next_event(INTERNAL, ("certify",))])

    def _certify(self, data: Party) -> Any:
        ctx = self.ctx
        block = data.proposed
        assert block is not None
        signers = frozenset(data.votes.signers(data.view, CERT, block))
        qc = QC(CERT, data.view, block, signers)
        self._emit_qc(qc)
        message = Prepare(ctx.id, data.view, qc)
        ctx.broadcast(message)
        return keep_state(data, [next_event(CAST, message)])

    def _count_vote2(self, vote: Vote2, data: Party) -> Any:
        ctx = self.ctx
        view = vote.view
        if ctx.leader(view + 1) != ctx.id or view + 1 < data.view:
            return KEEP
        if not self._valid_cert(vote.qc, view) or view in data.doubled:
            return KEEP
        digest = vote.qc.block.digest
        data.votes.add(view, DOUBLE, digest, vote.value, vote.sender)
        data.vote2_certs.setdefault((view, digest), vote.qc)
        if len(data.votes.signers(view, DOUBLE, vote.qc.block)) < ctx.quorum:
            return KEEP
        data.doubled.add(view)
        return keep_state(data, [next_event(INTERNAL, ("double", view, digest))])

    def _double(self, view: int, digest: str, data: Party) -> Any:
        """Form the double certificate of ``view``: commit, then lead the next view."""
        cert = data.vote2_certs.pop((view, digest))
        signers = frozenset(data.votes.signers(view, DOUBLE, cert.block))
        double = QC(DOUBLE, view, cert.block, signers)
        self._emit_qc(double)
        self._raise_lock(cert, data)
        self._commit(double, data)
        if data.view > view:
            return keep_state(data)
        target = self._enter_view(view + 1, "double", data)
        return next_state(target, data, [next_event(INTERNAL, ("propose",))])

    # Messages.

    def _message(self, message: Message, state: State, data: Party) -> Any:
        if isinstance(message, Wish):
            if message.view <= data.view:
                return KEEP
            return self._count_wish(message.view, message.sender, data, [])
        if isinstance(message, Vote2):
            return self._count_vote2(message, data)
        if isinstance(message, Propose):
            return self._proposal(message, state, data)
        if isinstance(message, Prepare):
            return self._prepare(message, state, data)
        if message.view > data.view:
            return keep_state_and_data([postpone()])
        if message.view < data.view or self.ctx.leader(data.view) != self.ctx.id:
            return KEEP
        if isinstance(message, Vote):
            return self._count_vote(message, data)
        if isinstance(message, Status) and data.proposed is None:
            data.statuses[message.sender] = message.lock
            return self._propose_after_status(data)
        return KEEP

    def _proposal(self, message: Propose, state: State, data: Party) -> Any:
        view = message.view
        if view < data.view or not self._valid_proposal(message):
            return KEEP
        if view > data.view:
            return self._enter_by_proof(message, data)
        if state[1] not in ("status", "propose"):
            return KEEP
        self._commit(message.double, data)
        block = Block(message.parent, message.value, view, message.justify)
        safe = message.justify.rank() >= data.lock.rank()
        self._raise_lock(message.justify, data)
        actions = self._vote(block, data) if safe else []
        return next_state((view, "prepare"), data, actions)

    def _valid_proposal(self, message: Propose) -> bool:
        justify = message.justify
        return (
            message.sender == self.ctx.leader(message.view)
            and message.parent == justify.block
            and message.height == justify.height + 1
            and self._valid_cert(justify, justify.view)
            and (
                message.double.view < 0
                or len(message.double.signers) >= self.ctx.quorum
            )
        )

    def _valid_cert(self, qc: QC, view: int) -> bool:
        if qc.view < 0:
            return qc == GENESIS_QC
        return qc.view == view and len(qc.signers) >= self.ctx.quorum

    def _enter_by_proof(self, message: Propose, data: Party) -> Any:
        """Enter a later view whose proposal proves how the view began."""
        view = message.view
        timeout_cert = message.timeout_cert
        if message.double.view == view - 1:
            entry = "double"
        elif (
            timeout_cert is not None
            and timeout_cert.view == view - 1
            and len(timeout_cert.signers) >= self.ctx.quorum
        ):
            entry = "catch_up"
        else:
            return keep_state_and_data([postpone()])
        target = self._enter_view(view, entry, data)
        return next_state(target, data, [postpone()])

    def _prepare(self, message: Prepare, state: State, data: Party) -> Any:
        qc = message.qc
        view = message.view
        if message.sender != self.ctx.leader(view) or not self._valid_cert(qc, view):
            return KEEP
        if qc.phase != CERT or view < data.view:
            return KEEP
        if view > data.view:
            target = self._enter_view(view, "catch_up", data)
            return next_state(target, data, [postpone()])
        if state[1] == "locked":
            return KEEP
        self._raise_lock(qc, data)
        self._reset_backoff(data)
        ctx = self.ctx
        ctx.emit("vote", view=view, height=qc.height, phase=DOUBLE, value=qc.value)
        vote = Vote2(ctx.id, view, qc.height, qc.value, qc)
        leader = ctx.leader(view + 1)
        actions: list[Any] = []
        if leader != ctx.id:
            ctx.send(leader, vote)
        else:
            actions.append(next_event(CAST, vote))
        return next_state((view, "locked"), data, actions)

    # Party steps.

    def _vote(self, block: Block, data: Party) -> list[Any]:
        ctx = self.ctx
        view = block.view
        ctx.emit("vote", view=view, height=block.height, phase=CERT, value=block.value)
        vote = Vote(ctx.id, view, block.height, block.value, block.digest)
        leader = ctx.leader(view)
        if leader != ctx.id:
            ctx.send(leader, vote)
            return []
        return [next_event(CAST, vote)]

    def _raise_lock(self, qc: QC, data: Party) -> None:
        if qc.rank() <= data.lock.rank():
            return
        data.lock = qc
        self.ctx.emit("lock", view=qc.view, height=qc.height, value=qc.value)

    def _commit(self, double: QC, data: Party) -> None:
        if double.rank() > data.double.rank():
            data.double = double
        chain = double.block.ancestry_above(data.committed.height)
        for fields in commit_events(chain, double):
            self.ctx.emit("commit", **fields)
        if chain:
            data.committed = double.block
            self._reset_backoff(data)

    def _reset_backoff(self, data: Party) -> None:
        """Reset the timer backoff after progress: a certificate or a commit.

        The view timer was set before; the next state entry rearms it with
        the shorter deadline.
        """
        data.timeouts = 0
        fresh = self.ctx.now + view_timeout(self.ctx.params, 0)
        data.deadline = min(data.deadline, fresh)

    def _emit_qc(self, qc: QC) -> None:
        self.ctx.emit(
            "qc",
            view=qc.view,
            height=qc.height,
            phase=qc.phase,
            value=qc.value,
            signers=qc.signer_list,
        )
