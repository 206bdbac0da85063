"""PBFT, one sequence number (height) at a time.

Source: Miguel Castro and Barbara Liskov, "Practical Byzantine Fault
Tolerance", OSDI 1999, Section 4.2 (normal case), 4.4 (view changes) and
4.5 (liveness). Sequence numbers are heights. A node works on one height
at a time and starts the next when it commits the current one, so no two
heights are in flight and the message counts per decision are exact.

Rules, with quorums of ``n - t`` (2t + 1 when n = 3t + 1):

- Views. The primary of view v is node ``v mod n``. It keeps the role for
  every height until a view change, whatever ``leader_rotation`` is.
- Pre-prepare and prepare. The primary sends PRE-PREPARE(v, h, value). A
  backup accepts the first pre-prepare of view v for h from the primary
  and broadcasts PREPARE with the same value. A node is *prepared* (this
  is PBFT's lock) when it holds the pre-prepare and quorum - 1 matching
  prepares from distinct backups, its own included. The primary sends no
  prepare and its prepares are never counted.
- Commit. A prepared node broadcasts COMMIT and commits the value
  (committed-local) on a quorum of matching commits, its own included.
- View change. While a height is uncommitted the view timer runs. It is
  ``view_timeout_ms`` up to the first view change and is multiplied by
  ``backoff`` for each further view change without a commit in between.
  When it fires the node stops taking part in view v
  and broadcasts VIEW-CHANGE(v + 1) with its prepared certificate for
  the current height, its height and the commit certificate of the height
  below. It starts the new-view timer only once it holds a quorum of
  view changes for v + 1, and moves on to v + 2 when that timer fires. A
  node that holds view changes for higher views from t + 1 distinct nodes
  joins the smallest of those views at once.
- New view. The new primary takes a quorum of view changes (its own,
  refreshed, and those at the highest heights) and computes h*, the
  highest height among them, and the value of the prepared certificate
  of the highest view at h* (or, with none, a fresh value: with one height
  in flight every lower height is already committed, so PBFT's null
  request has no place). It broadcasts NEW-VIEW with the view changes and
  the pre-prepare for h*. A backup recomputes both from the view changes
  included, and accepts the new view only when they match.
- State transfer. A node that sees messages of higher heights from t + 1
  distinct nodes, or a new view at a higher height, sends FETCH to those
  nodes, and again at every retransmission while in a view change. A
  node that has committed the missing heights replies with their commit
  certificates (quorum commits), and the lagging node commits them in
  order. This stands in for PBFT's checkpoints and state transfer, with
  checkpoint interval one.
- Retransmission. A node in a view change re-broadcasts its view change
  every ``retransmit_ms`` until it enters a new view, and a primary that
  gets a view change for the view it already leads resends its NEW-VIEW
  to that node, so views converge after lost messages.

Engine use: one state per ``("normal", view, height)`` and per
``("view_change", view)``. The view and new-view timers are state
timeouts; messages of a later view or height are postponed and retried
at the next state change; "prepared" and "committed" are inserted
internal events; retransmission is a named timeout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engine import (
    ENTER,
    HANDLE_EVENT_FUNCTION,
    INTERNAL,
    STATE_TIMEOUT,
    StateMachine,
    cancel_timeout,
    generic_timeout,
    keep_state_and_data,
    named,
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

KEEP = "keep_state_and_data"
POSTPONE = keep_state_and_data([postpone()])
RETRANSMIT = named("retransmit")
CHECK = named("check")


@dataclass(frozen=True, slots=True)
class Certificate:
    """Signed votes of ``signers`` for ``value`` at ``height`` in ``view``.

    In a prepared certificate the signers are the primary (for its
    pre-prepare) and the backups whose prepares matched. In a commit
    certificate they are the senders of a quorum of matching commits.
    """

    view: int
    height: int
    value: str
    signers: frozenset[int]

    def to_json(self) -> dict[str, Any]:
        """Return the certificate as JSON values for the event log."""
        return {
            "view": self.view,
            "height": self.height,
            "value": self.value,
            "signers": sorted(self.signers),
        }


@dataclass(frozen=True, slots=True)
class PrePrepare(Message):
    """The primary's proposal of ``value`` for ``height`` in ``view``."""

    kind: ClassVar[str] = "pre_prepare"
    category: ClassVar[str] = PROPOSAL

    height: int
    value: str


@dataclass(frozen=True, slots=True)
class Prepare(Message):
    """A backup's vote that it accepted the pre-prepare of ``value``."""

    kind: ClassVar[str] = "prepare"
    category: ClassVar[str] = VOTE

    height: int
    value: str


@dataclass(frozen=True, slots=True)
class Commit(Message):
    """A prepared node's vote to commit ``value`` at ``height``."""

    kind: ClassVar[str] = "commit"
    category: ClassVar[str] = VOTE

    height: int
    value: str


@dataclass(frozen=True, slots=True)
class ViewChange(Message):
    """A request to move to ``view``, with what the sender has prepared.

    ``height`` is the sender's current height, ``prepared`` its prepared
    certificate of the highest view at that height, and ``checkpoint``
    the commit certificate of ``height - 1`` (None at height 1).
    """

    kind: ClassVar[str] = "view_change"
    category: ClassVar[str] = VIEW_CHANGE

    height: int
    prepared: Certificate | None
    checkpoint: Certificate | None

    def signatures(self) -> int:
        count = 1
        for certificate in (self.prepared, self.checkpoint):
            if certificate is not None:
                count += len(certificate.signers)
        return count


@dataclass(frozen=True, slots=True)
class NewView(Message):
    """The new primary's proof (a quorum of view changes) and pre-prepare."""

    kind: ClassVar[str] = "new_view"
    category: ClassVar[str] = NEW_VIEW

    view_changes: tuple[ViewChange, ...]
    pre_prepare: PrePrepare

    def signatures(self) -> int:
        return 2 + sum(change.signatures() for change in self.view_changes)


@dataclass(frozen=True, slots=True)
class Fetch(Message):
    """A request for the commit certificates from ``height`` on."""

    kind: ClassVar[str] = "fetch"
    category: ClassVar[str] = OTHER

    height: int


@dataclass(frozen=True, slots=True)
class StateTransfer(Message):
    """Commit certificates of consecutive heights, for a lagging node."""

    kind: ClassVar[str] = "state_transfer"
    category: ClassVar[str] = OTHER

    certificates: tuple[Certificate, ...]

    def signatures(self) -> int:
        return 1 + sum(len(c.signers) for c in self.certificates)


@dataclass(slots=True)
class Slot:
    """PBFT's log of one sequence number (height): its messages, by view.

    ``prepared`` is the node's prepared certificate of the highest view at
    this height. ``prepared_views`` are the views in which it prepared,
    and so sent its commit.
    """

    pre_prepares: dict[int, PrePrepare] = field(default_factory=dict)
    prepares: dict[tuple[int, str], set[int]] = field(default_factory=dict)
    commits: dict[tuple[int, str], set[int]] = field(default_factory=dict)
    prepared: Certificate | None = None
    prepared_views: set[int] = field(default_factory=set)


@dataclass(slots=True)
class Replica:
    """One node's PBFT state; ``view`` is the target view during a view change.

    ``attempts`` counts the view changes since the last commit and sets
    the timer backoff. ``ahead`` contains the nodes seen at higher heights
    than ``height``, and ``fetched`` the (height, node) pairs already sent
    a FETCH.
    """

    view: int = 0
    height: int = 1
    slot: Slot = field(default_factory=Slot)
    attempts: int = 0
    decided: dict[int, Certificate] = field(default_factory=dict)
    view_changes: dict[int, dict[int, ViewChange]] = field(default_factory=dict)
    new_views: dict[int, NewView] = field(default_factory=dict)
    new_view_timer: bool = False
    ahead: set[int] = field(default_factory=set)
    fetched: set[tuple[int, int]] = field(default_factory=set)


def select(view_changes: tuple[ViewChange, ...]) -> tuple[int, str | None]:
    """Return h* and the value the new primary must re-propose there.

    h* is the highest height among ``view_changes``. The value is that of
    the prepared certificate of the highest view at h*, or None when no
    view change carries one, so the primary may propose any value.
    """
    height = max(change.height for change in view_changes)
    best: Certificate | None = None
    for change in view_changes:
        certificate = change.prepared
        if certificate is None or certificate.height != height:
            continue
        if best is None or certificate.view > best.view:
            best = certificate
    return height, None if best is None else best.value


class Pbft(StateMachine):
    """PBFT's callback module; see the module docstring for the rules."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True
    PARAMS: ClassVar[dict[str, Any]] = {"retransmit_ms": 1000}

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        params = ctx.params
        self.base_timeout: float = params["view_timeout_ms"]
        self.backoff: float = params["backoff"]
        self.retransmit_ms: float = params.get("retransmit_ms", 1000)

    def init(self, *args: Any) -> Any:
        return ("ok", ("normal", 0, 1), Replica())

    def primary(self, view: int) -> int:
        """Return the primary of ``view``: node ``view mod n``."""
        return view % self.ctx.n

    def timeout(self, data: Replica) -> float:
        """Return the view (or new-view) timer after ``attempts`` view changes."""
        return float(self.base_timeout * self.backoff ** max(data.attempts - 1, 0))

    # Dispatch.

    def handle_event(
        self, event_type: Any, content: Any, state: tuple[Any, ...], data: Replica
    ) -> Any:
        if event_type == "cast":
            return self._on_message(content, state, data)
        if event_type == INTERNAL:
            return self._on_internal(content, state, data)
        if event_type == ENTER:
            return self._enter(state, data)
        if event_type == STATE_TIMEOUT:
            reason = "timeout" if content == "view_timer" else "new_view_timeout"
            return self._start_view_change(data.view + 1, reason, data)
        if event_type == RETRANSMIT:
            return self._retransmit(content, state, data)
        if event_type == CHECK:
            return self._check_prepared(data.view, data)
        return KEEP

    def _on_internal(self, content: Any, state: tuple[Any, ...], data: Replica) -> Any:
        step, view = content
        if step == "prepared":
            return self._prepared(view, data)
        if step == "committed":
            return self._committed(view, data)
        return self._check_view_changes(state, data)

    def _on_message(
        self, message: Message, state: tuple[Any, ...], data: Replica
    ) -> Any:
        if isinstance(message, ViewChange):
            return self._on_view_change(message, state, data)
        if isinstance(message, NewView):
            return self._on_new_view(message, state, data)
        if isinstance(message, Fetch):
            return self._on_fetch(message, data)
        if isinstance(message, StateTransfer):
            return self._on_state_transfer(message, state, data)
        if isinstance(message, (PrePrepare, Prepare, Commit)):
            return self._on_normal(message, state, data)
        return KEEP

    # Normal case.

    def _enter(self, state: tuple[Any, ...], data: Replica) -> Any:
        if state[0] == "view_change":
            return KEEP
        actions: list[Any] = [
            state_timeout(self.timeout(data), "view_timer"),
            cancel_timeout(RETRANSMIT),
        ]
        if self.primary(data.view) == self.ctx.id and data.view not in (
            data.slot.pre_prepares
        ):
            value = self.ctx.proposal(data.height, data.view)
            self._send_pre_prepare(
                PrePrepare(self.ctx.id, data.view, data.height, value), data
            )
            if self.ctx.quorum == 1:
                # An enter call may not insert events; a zero timeout runs
                # the check once the queue is empty.
                actions.append(generic_timeout("check", 0, None))
        return keep_state_and_data(actions)

    def _send_pre_prepare(self, pre_prepare: PrePrepare, data: Replica) -> None:
        data.slot.pre_prepares[pre_prepare.view] = pre_prepare
        self.ctx.emit(
            "propose",
            view=pre_prepare.view,
            height=pre_prepare.height,
            value=pre_prepare.value,
        )
        self.ctx.broadcast(pre_prepare)

    def _on_normal(
        self,
        message: PrePrepare | Prepare | Commit,
        state: tuple[Any, ...],
        data: Replica,
    ) -> Any:
        self._note_height(message.sender, message.height, data)
        if message.view > data.view:
            return POSTPONE
        if message.view < data.view:
            return KEEP
        if state[0] == "view_change":
            return POSTPONE
        if message.height > data.height:
            return POSTPONE
        if message.height < data.height:
            return KEEP
        if isinstance(message, PrePrepare):
            return self._on_pre_prepare(message, data)
        if isinstance(message, Prepare):
            if message.sender == self.primary(message.view):
                return KEEP
            _add(data.slot.prepares, (message.view, message.value), message.sender)
            return self._check_prepared(message.view, data)
        _add(data.slot.commits, (message.view, message.value), message.sender)
        return self._check_committed(message.view, data)

    def _on_pre_prepare(self, pre_prepare: PrePrepare, data: Replica) -> Any:
        view = pre_prepare.view
        slot = data.slot
        if pre_prepare.sender != self.primary(view) or view in slot.pre_prepares:
            return KEEP
        slot.pre_prepares[view] = pre_prepare
        if self.ctx.id != self.primary(view):
            self._vote(Prepare(self.ctx.id, view, data.height, pre_prepare.value))
            _add(slot.prepares, (view, pre_prepare.value), self.ctx.id)
        return self._check_prepared(view, data)

    def _vote(self, vote: Prepare | Commit) -> None:
        self.ctx.emit(
            "vote",
            view=vote.view,
            height=vote.height,
            phase=vote.kind,
            value=vote.value,
        )
        self.ctx.broadcast(vote)

    def _prepare_signers(self, view: int, data: Replica) -> set[int] | None:
        """Return the backups whose prepares match the pre-prepare of ``view``.

        The primary's prepares are never recorded, so every signer is a
        backup.
        """
        pre_prepare = data.slot.pre_prepares.get(view)
        if pre_prepare is None:
            return None
        return data.slot.prepares.get((view, pre_prepare.value), set())

    def _check_prepared(self, view: int, data: Replica) -> Any:
        if view in data.slot.prepared_views:
            return self._check_committed(view, data)
        signers = self._prepare_signers(view, data)
        if signers is None or len(signers) < self.ctx.quorum - 1:
            return KEEP
        return keep_state_and_data([next_event(INTERNAL, ("prepared", view))])

    def _prepared(self, view: int, data: Replica) -> Any:
        slot = data.slot
        signers = self._prepare_signers(view, data)
        if view in slot.prepared_views or view != data.view or signers is None:
            return KEEP
        value = slot.pre_prepares[view].value
        certificate = Certificate(
            view, data.height, value, frozenset(signers | {self.primary(view)})
        )
        slot.prepared = certificate
        slot.prepared_views.add(view)
        self._emit_prepared(certificate)
        self._vote(Commit(self.ctx.id, view, data.height, value))
        _add(slot.commits, (view, value), self.ctx.id)
        return self._check_committed(view, data)

    def _emit_prepared(self, certificate: Certificate) -> None:
        view, height, value = certificate.view, certificate.height, certificate.value
        signers = sorted(certificate.signers)
        emit = self.ctx.emit
        emit(
            "qc",
            view=view,
            height=height,
            phase="prepare",
            value=value,
            signers=signers,
        )
        emit("prepared", view=view, height=height, value=value, signers=signers)
        emit("lock", view=view, value=value, height=height)

    def _check_committed(self, view: int, data: Replica) -> Any:
        certificate = data.slot.prepared
        if certificate is None or certificate.view != view:
            return KEEP
        signers = data.slot.commits.get((view, certificate.value), set())
        if len(signers) < self.ctx.quorum:
            return KEEP
        return keep_state_and_data([next_event(INTERNAL, ("committed", view))])

    def _committed(self, view: int, data: Replica) -> Any:
        prepared = data.slot.prepared
        if prepared is None or prepared.view != view or view != data.view:
            return KEEP
        signers = frozenset(data.slot.commits[(view, prepared.value)])
        certificate = Certificate(view, data.height, prepared.value, signers)
        self.ctx.emit(
            "qc",
            view=view,
            height=data.height,
            phase="commit",
            value=prepared.value,
            signers=sorted(signers),
        )
        self._decide(certificate, data)
        return next_state(("normal", data.view, data.height), data)

    def _decide(self, certificate: Certificate, data: Replica) -> None:
        """Commit ``certificate``'s value at the current height and move on."""
        self.ctx.emit(
            "commit",
            height=certificate.height,
            value=certificate.value,
            view=certificate.view,
            quorum=sorted(certificate.signers),
        )
        if data.slot.prepared is not None:
            self.ctx.emit("unlock", view=data.view, height=data.height)
        data.decided[data.height] = certificate
        data.height += 1
        data.slot = Slot()
        data.attempts = 0
        data.ahead = set()
        data.fetched = set()

    # State transfer.

    def _note_height(self, sender: int, height: int, data: Replica) -> None:
        """Fetch the missing commits once t + 1 nodes are seen at higher heights."""
        if height <= data.height or sender == self.ctx.id:
            return
        data.ahead.add(sender)
        if len(data.ahead) > self.ctx.t:
            for node in sorted(data.ahead):
                self._fetch(node, data)

    def _fetch(self, node: int, data: Replica) -> None:
        key = (data.height, node)
        if key in data.fetched or node == self.ctx.id:
            return
        data.fetched.add(key)
        self.ctx.send(node, Fetch(self.ctx.id, data.view, data.height))

    def _on_fetch(self, fetch: Fetch, data: Replica) -> Any:
        self._transfer(fetch.sender, fetch.height, data)
        return KEEP

    def _transfer(self, node: int, height: int, data: Replica) -> None:
        if height >= data.height or node == self.ctx.id:
            return
        certificates = tuple(data.decided[h] for h in range(height, data.height))
        self.ctx.send(node, StateTransfer(self.ctx.id, data.view, certificates))

    def _on_state_transfer(
        self, transfer: StateTransfer, state: tuple[Any, ...], data: Replica
    ) -> Any:
        start = data.height
        for certificate in sorted(transfer.certificates, key=lambda c: c.height):
            if certificate.height != data.height:
                continue
            if len(certificate.signers) < self.ctx.quorum:
                break
            self._decide(certificate, data)
        if data.height == start:
            return KEEP
        if state[0] == "normal":
            return next_state(("normal", data.view, data.height), data)
        return keep_state_and_data([next_event(INTERNAL, ("view_changes", data.view))])

    # View change.

    def _own_view_change(self, view: int, data: Replica) -> ViewChange:
        change = ViewChange(
            self.ctx.id,
            view,
            data.height,
            data.slot.prepared,
            data.decided.get(data.height - 1),
        )
        data.view_changes.setdefault(view, {})[self.ctx.id] = change
        return change

    def _start_view_change(self, view: int, reason: str, data: Replica) -> Any:
        data.view = view
        data.attempts += 1
        data.new_view_timer = False
        self.ctx.emit("view_change", view=view, reason=reason)
        self.ctx.broadcast(self._own_view_change(view, data))
        actions = [
            generic_timeout("retransmit", self.retransmit_ms, view),
            next_event(INTERNAL, ("view_changes", view)),
        ]
        return next_state(("view_change", view), data, actions)

    def _retransmit(self, view: int, state: tuple[Any, ...], data: Replica) -> Any:
        if state != ("view_change", view):
            return KEEP
        # Replies to earlier fetches may have been lost, so fetch again.
        data.fetched.clear()
        self.ctx.broadcast(data.view_changes[view][self.ctx.id])
        return keep_state_and_data(
            [generic_timeout("retransmit", self.retransmit_ms, view)]
        )

    def _on_view_change(
        self, change: ViewChange, state: tuple[Any, ...], data: Replica
    ) -> Any:
        self._note_height(change.sender, change.height, data)
        if change.view < data.view or (
            change.view == data.view and state[0] == "normal"
        ):
            self._resend_new_view(change, data)
            return KEEP
        data.view_changes.setdefault(change.view, {})[change.sender] = change
        target = self._join_target(data)
        if target is not None:
            return self._start_view_change(target, "join", data)
        if state[0] == "view_change" and change.view == data.view:
            return self._check_view_changes(state, data)
        return KEEP

    def _resend_new_view(self, change: ViewChange, data: Replica) -> None:
        new_view = data.new_views.get(change.view)
        if new_view is not None and change.view == data.view:
            self.ctx.send(change.sender, new_view)

    def _join_target(self, data: Replica) -> int | None:
        """Return the smallest higher view that t + 1 nodes ask for, if any."""
        senders: set[int] = set()
        views = []
        for view, changes in data.view_changes.items():
            if view > data.view:
                senders.update(changes)
                views.append(view)
        senders.discard(self.ctx.id)
        if len(senders) <= self.ctx.t:
            return None
        return min(views)

    def _check_view_changes(self, state: tuple[Any, ...], data: Replica) -> Any:
        view = data.view
        if state != ("view_change", view):
            return KEEP
        if len(data.view_changes.get(view, {})) < self.ctx.quorum:
            return KEEP
        if self.primary(view) == self.ctx.id:
            result = self._try_new_view(data)
            if result is not None:
                return result
        if data.new_view_timer:
            return KEEP
        data.new_view_timer = True
        return keep_state_and_data(
            [state_timeout(self.timeout(data), "new_view_timer")]
        )

    def _quorum_of_view_changes(self, data: Replica) -> tuple[ViewChange, ...]:
        own = self._own_view_change(data.view, data)
        others = [c for c in data.view_changes[data.view].values() if c is not own]
        others.sort(key=lambda change: (-change.height, change.sender))
        chosen = [own, *others[: self.ctx.quorum - 1]]
        return tuple(sorted(chosen, key=lambda change: change.sender))

    def _try_new_view(self, data: Replica) -> Any:
        """Send NEW-VIEW if this primary has caught up to h*; None otherwise."""
        view = data.view
        changes = self._quorum_of_view_changes(data)
        height, value = select(changes)
        if height > data.height:
            for change in changes:
                if change.height > data.height:
                    self._fetch(change.sender, data)
            return None
        if value is None:
            value = self.ctx.proposal(height, view)
        pre_prepare = PrePrepare(self.ctx.id, view, height, value)
        new_view = NewView(self.ctx.id, view, changes, pre_prepare)
        data.new_views[view] = new_view
        self._emit_status(view, changes)
        data.slot.pre_prepares[view] = pre_prepare
        self.ctx.emit("propose", view=view, height=height, value=value)
        self.ctx.broadcast(new_view)
        return self._enter_view(view, data, [])

    def _emit_status(self, view: int, changes: tuple[ViewChange, ...]) -> None:
        reports = []
        for change in changes:
            prepared = change.prepared
            lock = None
            if prepared is not None:
                lock = {"view": prepared.view, "value": prepared.value}
            reports.append(
                {
                    "sender": change.sender,
                    "faulty": change.sender in self.ctx.faulty,
                    "lock": lock,
                    "height": change.height,
                }
            )
        self.ctx.emit(
            "view_change_status", view=view, leader=self.ctx.id, reports=reports
        )

    def _enter_view(self, view: int, data: Replica, actions: list[Any]) -> Any:
        data.view = view
        data.new_view_timer = False
        for old in [v for v in data.view_changes if v <= view]:
            del data.view_changes[old]
        return next_state(("normal", view, data.height), data, actions)

    def _on_new_view(
        self, new_view: NewView, state: tuple[Any, ...], data: Replica
    ) -> Any:
        view = new_view.view
        if view < data.view or (view == data.view and state[0] == "normal"):
            return KEEP
        if not self._valid_new_view(new_view):
            return KEEP
        pre_prepare = new_view.pre_prepare
        self._note_height(new_view.sender, pre_prepare.height, data)
        if pre_prepare.height > data.height:
            self._fetch(new_view.sender, data)
        self._transfer(new_view.sender, pre_prepare.height, data)
        return self._enter_view(view, data, [next_event("cast", pre_prepare)])

    def _valid_new_view(self, new_view: NewView) -> bool:
        """Check the view changes and recompute the pre-prepare from them."""
        view = new_view.view
        changes = new_view.view_changes
        senders = {change.sender for change in changes}
        if new_view.sender != self.primary(view) or len(senders) < self.ctx.quorum:
            return False
        if not all(self._valid_view_change(change, view) for change in changes):
            return False
        pre_prepare = new_view.pre_prepare
        if pre_prepare.sender != new_view.sender or pre_prepare.view != view:
            return False
        height, value = select(changes)
        return pre_prepare.height == height and value in (None, pre_prepare.value)

    def _valid_view_change(self, change: ViewChange, view: int) -> bool:
        """Check that ``change`` is for ``view`` with quorum-signed certificates."""
        if change.view != view:
            return False
        prepared = change.prepared
        if prepared is not None and (
            prepared.height != change.height or len(prepared.signers) < self.ctx.quorum
        ):
            return False
        checkpoint = change.checkpoint
        return checkpoint is None or len(checkpoint.signers) >= self.ctx.quorum


def _add(
    tally: dict[tuple[int, str], set[int]], key: tuple[int, str], node: int
) -> None:
    voters = tally.get(key)
    if voters is None:
        voters = tally[key] = set()
    voters.add(node)
