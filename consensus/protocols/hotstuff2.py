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

Pacemaker (epochs of ``t + 1`` views). View ``v`` belongs to epoch
``v // (t + 1)``, so each epoch has ``t + 1`` distinct leaders, at least
one of them honest. Views whose leader makes progress end early, through
the double certificate. Otherwise a party's view timer decides: when it
fires in any view but the last of an epoch, the party enters the next
view without sending anything (``view_change`` reason ``timer``). When
it fires in the last view, the party broadcasts a wish for the first
view of the next epoch and rearms the timer, ``backoff`` times longer,
sending the wish again each time it fires. A party that receives ``t + 1``
wishes for an epoch above its own wishes for it too. ``n - t`` wishes
form a timeout certificate of the last view of the epoch, and the party
enters the next epoch (reason ``timeout_certificate``). So parties
synchronise at most once per epoch, and ``n (n - 1)`` wishes pay for up
to ``t + 1`` failed views. Each timeout adds one backoff step. A
certificate of the party's view resets the backoff, and so does a
commit: the commit of a view's block waits for the next leader, so a
certificate is the sign that the view itself worked.

A party that enters a view by its timer or by a timeout certificate
sends its lock to the leader in a status message. The leader waits for
``n - t`` of them and for ``delta_ms`` (the bound Delta the protocol
assumes on message delay after GST) since it entered the view. Then it
proposes on the highest lock it learned, attaching the timeout
certificate if it entered through one. That wait is what lets two
phases suffice: every honest lock reaches the leader in time, so no
honest party rejects its proposal. A party also enters a view when that
view's proposal carries its entry proof (the double certificate or the
timeout certificate of the view before), and when it receives a certificate
formed in a later view. A proposal of a view entered by timer carries no
such proof, so a party behind waits for its own timer.

NOTE: the epoch structure (``t + 1`` views, timers inside an epoch, one
wish round between epochs) follows the paper's outline of its pacemaker.
Two details were not checked against its text. Wishes here go to every
party, not only to the next epoch's leaders. A view entered by timer gets
the same status round and Delta wait as one entered by a timeout
certificate.

Leader rotation. Under ``round_robin`` each view decides one block and
the leader changes with it, as in the paper. Under ``stable`` a view
contains a run of instances, one per height, all led by ``L_v``: the vote2
messages of height ``k`` go back to ``L_v``, which forms the double
certificate, commits ``B_k`` and proposes ``B_{k+1}`` in the same view.
Only the pacemaker moves the view on, so the next leader takes over after
a timeout and then keeps the role. Instances are ranked by (view,
height), the rank certificates already use. A party votes at most once
per instance, because it votes only in an instance's propose phase and
then moves to prepare. So the view-based safety argument carries over
with instances in place of views. A view's timer restarts with each
instance.
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
# The entries after which parties report their locks to the leader, who
# waits Delta before proposing.
LOCK_REPORTING_ENTRIES = ("timer", "timeout_certificate")

# The engine state: (view, instance height, phase). The height is the
# instance's under ``stable`` rotation once known, and 0 otherwise.
State = tuple[int, int, str]


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
    """One party's HotStuff-2 state; the engine state is ``(view, height,
    phase)``.

    ``phase`` is ``status`` (a leader collecting locks after a timeout),
    ``propose`` (waiting for the proposal), ``prepare`` (waiting for the
    certificate) or ``locked`` (vote2 sent, waiting for the next instance).
    ``height`` is the current instance's height under ``stable`` rotation,
    0 while the first proposal of a view is awaited and always 0 under
    ``round_robin``.
    Invariant: ``lock`` and ``double`` only rise, and ``committed`` is the
    highest block this party committed.
    """

    __slots__ = (
        "view",
        "height",
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
        self.height = 0
        self.entry = "start"
        self.entry_cert: TimeoutCert | None = None
        self.timeouts = 0
        self.deadline = 0.0
        self.lock = GENESIS_QC
        self.double = GENESIS_QC
        self.committed = GENESIS
        # Per instance, as leader.
        self.proposed: Block | None = None
        self.certified = False
        self.statuses: dict[int, QC] = {}
        self.waited = False
        # Votes of any view, and the certificates that vote2 messages carry.
        self.votes = VoteBox()
        self.vote2_certs: dict[tuple[int, str], QC] = {}
        # The (view, height) instances whose double certificate this
        # party formed. Only those at or above HotStuff2._vote2_floor are
        # kept, because vote2 messages of lower instances are stale.
        self.doubled: set[tuple[int, int]] = set()
        # Pacemaker: who wished for each epoch's first view, and the
        # highest own wish.
        self.wishes: dict[int, set[int]] = {}
        self.wished = 0


class HotStuff2(StateMachine):
    """HotStuff-2's callback module (state ``(view, height, phase)``)."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True
    PARAMS: ClassVar[dict[str, Any]] = {"delta_ms": 100}

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.stable = ctx.params.get("leader_rotation") == "stable"
        self.epoch_views = ctx.t + 1

    def init(self, *args: Any) -> Any:
        return ("ok", (0, 0, "propose"), Party())

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
            return self._view_timer_fired(data)
        return KEEP

    def _internal(self, content: Any, data: Party) -> Any:
        if content[0] == "propose":
            return self._propose(data)
        if content[0] == "certify":
            return self._certify(data)
        return self._double(content[1], content[2], data)

    # Views and instances.

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
        self._start_instance(0, data)
        data.statuses = {}
        data.waited = False
        data.votes.forget_before(view - 1)
        data.wishes = {w: s for w, s in data.wishes.items() if w > view}
        leader = ctx.leader(view)
        if data.entry == "start" and leader == ctx.id:
            # The first view counts as entered through a double certificate.
            return [generic_timeout("propose", 0, view)]
        if data.entry not in LOCK_REPORTING_ENTRIES:
            return []
        if leader != ctx.id:
            ctx.send(leader, Status(ctx.id, view, data.lock))
            return []
        data.statuses[ctx.id] = data.lock
        return [generic_timeout("delta", ctx.params["delta_ms"], view)]

    def _start_instance(self, height: int, data: Party) -> None:
        """Reset the per-instance data, restart the view timer and forget
        the doubled instances that are now stale."""
        ctx = self.ctx
        data.height = height
        data.deadline = ctx.now + view_timeout(ctx.params, data.timeouts)
        data.proposed = None
        data.certified = False
        floor = self._vote2_floor(data)
        data.doubled = {instance for instance in data.doubled if instance >= floor}

    def _enter_view(self, view: int, entry: str, data: Party) -> State:
        """Return the state that enters ``view``, entered by ``entry``."""
        data.entry = entry
        if entry != "double":
            self.ctx.emit("view_change", view=view, reason=entry)
        leads = self.ctx.leader(view) == self.ctx.id
        waits = entry in LOCK_REPORTING_ENTRIES and leads
        return (view, 0, "status" if waits else "propose")

    def _next_instance(self, height: int, entry: str, data: Party) -> State:
        """Return the state of the instance at ``height`` in the current view.

        Only ``stable`` rotation has more than one instance per view.
        """
        data.entry = entry
        self._start_instance(height, data)
        return (data.view, height, "propose")

    def _state(self, phase: str, data: Party) -> State:
        return (data.view, data.height, phase)

    def _collector(self, view: int) -> int:
        """Return who forms the double certificate of an instance of ``view``."""
        if self.stable:
            return self.ctx.leader(view)
        return self.ctx.leader(view + 1)

    def _vote2_floor(self, data: Party) -> tuple[int, int]:
        """Return the lowest (view, height) instance whose vote2 messages count.

        Under round_robin the double certificate of view v leads into view
        v + 1, so the collector still counts the vote2 messages of the view
        before its own. Under stable the collector leads every instance of
        its view, and it proposes each block after the view's first only
        once it formed the double certificate of the instance before. So
        every earlier instance of the view has its double certificate, and
        vote2 messages for it are late. Only a leader restarted after a
        crash may lack one, and it ignores those vote2 messages too.
        """
        if self.stable:
            return (data.view, data.height)
        return (data.view - 1, 0)

    # Pacemaker.

    def _last_in_epoch(self, view: int) -> bool:
        return (view + 1) % self.epoch_views == 0

    def _view_timer_fired(self, data: Party) -> Any:
        """Move to the next view of the epoch, or wish for the next epoch."""
        ctx = self.ctx
        data.timeouts += 1
        if not self._last_in_epoch(data.view):
            target = self._enter_view(data.view + 1, "timer", data)
            return next_state(target, data)
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
        if data.entry in LOCK_REPORTING_ENTRIES:
            for lock in data.statuses.values():
                high = higher(high, lock)
            if data.entry == "timeout_certificate":
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
        instance = (view, vote.qc.height)
        if self._collector(view) != ctx.id or instance in data.doubled:
            return KEEP
        stale = instance < self._vote2_floor(data)
        if stale or not self._valid_cert(vote.qc, view):
            return KEEP
        digest = vote.qc.block.digest
        data.votes.add(view, DOUBLE, digest, vote.value, vote.sender)
        data.vote2_certs.setdefault((view, digest), vote.qc)
        if len(data.votes.signers(view, DOUBLE, vote.qc.block)) < ctx.quorum:
            return KEEP
        data.doubled.add(instance)
        return keep_state(data, [next_event(INTERNAL, ("double", view, digest))])

    def _double(self, view: int, digest: str, data: Party) -> Any:
        """Form the double certificate of an instance of ``view``, commit, then
        lead the next instance: the next view, or under ``stable`` the next
        height of ``view``."""
        cert = data.vote2_certs.pop((view, digest))
        signers = frozenset(data.votes.signers(view, DOUBLE, cert.block))
        double = QC(DOUBLE, view, cert.block, signers)
        self._emit_qc(double)
        self._raise_lock(cert, data)
        self._commit(double, data)
        propose = [next_event(INTERNAL, ("propose",))]
        if self.stable:
            if (data.view, data.height) > (view, cert.height):
                return keep_state(data)
            if data.view < view:
                # A leader restarted after a crash gets the vote2 messages
                # for its certificate from before the crash while it is
                # still in an earlier view. It enters its view and leads on.
                target = self._enter_view(view, "double", data)
            else:
                target = self._next_instance(cert.height + 1, "double", data)
            return next_state(target, data, propose)
        if data.view > view:
            return keep_state(data)
        target = self._enter_view(view + 1, "double", data)
        return next_state(target, data, propose)

    # Messages.

    def _message(self, message: Message, state: State, data: Party) -> Any:
        if isinstance(message, Wish):
            if message.view <= data.view or message.view % self.epoch_views:
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
        if self.stable and data.height and message.height != data.height:
            return self._later_instance(message, data)
        if state[2] not in ("status", "propose"):
            return KEEP
        self._commit(message.double, data)
        block = Block(message.parent, message.value, view, message.justify)
        safe = message.justify.rank() >= data.lock.rank()
        self._raise_lock(message.justify, data)
        actions = self._vote(block, data) if safe else []
        if self.stable:
            data.height = message.height
        return next_state(self._state("prepare", data), data, actions)

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
        if message.double.view == view - 1 and not self.stable:
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

    def _later_instance(self, message: Propose, data: Party) -> Any:
        """Under ``stable``, enter the later instance of the current view
        that the proposal's double certificate (of the instance before)
        proves, or wait for one."""
        if message.height < data.height:
            return KEEP
        double = message.double
        if double.view != data.view or double.height != message.height - 1:
            return keep_state_and_data([postpone()])
        target = self._next_instance(message.height, "double", data)
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
        if self.stable and data.height and qc.height != data.height:
            if qc.height < data.height:
                return KEEP
            target = self._next_instance(qc.height, "catch_up", data)
            return next_state(target, data, [postpone()])
        if state[2] == "locked":
            return KEEP
        self._raise_lock(qc, data)
        self._reset_backoff(data)
        ctx = self.ctx
        ctx.emit("vote", view=view, height=qc.height, phase=DOUBLE, value=qc.value)
        vote = Vote2(ctx.id, view, qc.height, qc.value, qc)
        collector = self._collector(view)
        actions: list[Any] = []
        if collector != ctx.id:
            ctx.send(collector, vote)
        else:
            actions.append(next_event(CAST, vote))
        if self.stable:
            data.height = qc.height
        return next_state(self._state("locked", data), data, actions)

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
