"""Tendermint: propose, prevote and precommit rounds within each height.

Source: Ethan Buchman, Jae Kwon and Zarko Milosevic, "The latest gossip on
BFT consensus", arXiv:1807.04938, 2018, Algorithm 1. The rules below
follow its upon-clauses, with quorums of ``n - t`` in place of 2f + 1
and t + 1 in place of f + 1.

- Proposer. The proposer of round r at height h is node
  ``(h - 1 + r) mod n`` under ``round_robin`` rotation and ``r mod n``
  under ``stable``. It proposes its valid value, if it has one, with
  ``valid_round`` set to the round of that value, or a fresh value with
  ``valid_round = -1``.
- Prevote. On a fresh proposal (``valid_round = -1``) a node prevotes the
  value if it is not locked or is locked on that value. On a re-proposal
  with ``0 <= valid_round < r`` it waits for a quorum of prevotes for the
  value in ``valid_round`` (the proof of lock) and prevotes it if its
  ``locked_round <= valid_round`` or it is locked on that value.
  Otherwise it prevotes nil, as it does when ``timeoutPropose`` fires.
- Lock and valid value. The first time in a round that a node holds the
  round's proposal and a quorum of prevotes for its value, it sets
  ``valid_value`` and ``valid_round`` (if it is in the prevote step or
  later). If it is still in the prevote step it also locks the value
  (``locked_value``, ``locked_round``) and precommits it. A quorum of nil
  prevotes makes a node precommit nil, as ``timeoutPrevote`` does.
- Decide. A proposal of any round plus a quorum of precommits for its
  value in that round decides the height. Locks and valid values reset
  and round 0 of the next height starts.
- Round change (the view change, with view = round). A quorum of
  precommits of any value starts ``timeoutPrecommit``, after which the
  node starts round r + 1; messages of a higher round from t + 1 distinct
  nodes make it start that round at once. Timeouts grow linearly:
  ``timeout(r) = base + r * timeout_delta_ms``, with ``view_timeout_ms``
  as the base of ``timeoutPropose``; ``backoff`` does not apply.

The paper assumes gossip: a message one correct process receives reaches
every correct process eventually. Three kinds of relay re-deliver the
messages liveness needs after losses and partitions, each sent wrapped in
a ``relay`` message so that the log counts them apart from the protocol's
own traffic:

- a proposer re-proposing its valid value relays the quorum of prevotes
  that proves it;
- a node that stays in one step for ``gossip_ms`` re-broadcasts its own
  messages of the height, the current round's proposal and the proof of
  its valid value, and repeats while it stays there (sending STATUS
  again when the next case applies);
- a node that sees messages of higher heights from t + 1 distinct nodes
  sends them STATUS, and each one that has decided the node's height
  relays the proposal and precommits that decided it. The node sends
  STATUS again at its next height until it has caught up.

Engine use: one state per ``(step, height, round)``. ``timeoutPropose``
and ``timeoutPrevote`` are state timeouts (they act only if the step has
not changed), ``timeoutPrecommit`` and gossip are named timeouts.
Messages of later heights are postponed and retried at the next state
change; messages of the current height are stored whatever their round,
since the skip rule and late decisions need them. Every stored message
inserts an internal "check" event that applies the upon-rules until none
fires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engine import (
    ENTER,
    HANDLE_EVENT_FUNCTION,
    INTERNAL,
    STATE_TIMEOUT,
    StateMachine,
    generic_timeout,
    keep_state_and_data,
    named,
    next_event,
    next_state,
    postpone,
    state_timeout,
)
from ..sim.protocol import OTHER, PROPOSAL, VOTE, Message, NodeContext

KEEP = "keep_state_and_data"
POSTPONE = keep_state_and_data([postpone()])
CHECK = next_event(INTERNAL, "check")
PRECOMMIT_TIMEOUT = named("precommit")
GOSSIP = named("gossip")


@dataclass(frozen=True, slots=True)
class Proposal(Message):
    """The proposer's value for round ``view`` of ``height``."""

    kind: ClassVar[str] = "proposal"
    category: ClassVar[str] = PROPOSAL

    height: int
    value: str
    valid_round: int


@dataclass(frozen=True, slots=True)
class Prevote(Message):
    """A prevote for ``value`` in round ``view``; None is a nil vote."""

    kind: ClassVar[str] = "prevote"
    category: ClassVar[str] = VOTE

    height: int
    value: str | None


@dataclass(frozen=True, slots=True)
class Precommit(Message):
    """A precommit for ``value`` in round ``view``; None is a nil vote."""

    kind: ClassVar[str] = "precommit"
    category: ClassVar[str] = VOTE

    height: int
    value: str | None


Signed = Proposal | Prevote | Precommit
Vote = Prevote | Precommit


@dataclass(frozen=True, slots=True)
class Relay(Message):
    """A copy of ``inner``, signed by its origin, sent again by ``sender``."""

    kind: ClassVar[str] = "relay"
    category: ClassVar[str] = OTHER

    inner: Signed

    def signatures(self) -> int:
        return self.inner.signatures()

    def fields(self) -> dict[str, Any]:
        fields = Message.fields(self)
        fields["origin"] = self.inner.sender
        return fields


@dataclass(frozen=True, slots=True)
class Status(Message):
    """A lagging node's request for the decisions from ``height`` on."""

    kind: ClassVar[str] = "status"
    category: ClassVar[str] = OTHER

    height: int


@dataclass(slots=True)
class Votes:
    """The votes of one kind in one round: by value (None is nil) and all voters."""

    by_value: dict[str | None, dict[int, Vote]] = field(default_factory=dict)
    voters: set[int] = field(default_factory=set)

    def add(self, vote: Vote) -> bool:
        """Record ``vote``; return False if this sender's vote was known."""
        votes = self.by_value.setdefault(vote.value, {})
        if vote.sender in votes:
            return False
        votes[vote.sender] = vote
        self.voters.add(vote.sender)
        return True

    def count(self, value: str | None) -> int:
        """Return how many nodes voted for ``value``."""
        return len(self.by_value.get(value, ()))


@dataclass(slots=True)
class HeightLog:
    """The messages of the current height, kept across its rounds.

    ``senders`` holds, per round, the nodes heard from in that round (for
    the skip rule). ``own`` lists this node's messages in sending order
    (for gossip). The ``*_timer`` and ``valid_rounds`` sets make the
    paper's "for the first time" clauses fire once per round.
    """

    proposals: dict[int, dict[str, Proposal]] = field(default_factory=dict)
    prevotes: dict[int, Votes] = field(default_factory=dict)
    precommits: dict[int, Votes] = field(default_factory=dict)
    senders: dict[int, set[int]] = field(default_factory=dict)
    own: list[Signed] = field(default_factory=list)
    prevote_timer: set[int] = field(default_factory=set)
    precommit_timer: set[int] = field(default_factory=set)
    valid_rounds: set[int] = field(default_factory=set)
    ahead: set[int] = field(default_factory=set)
    status_sent: bool = False

    def votes(self, vote: Vote) -> Votes:
        table = self.prevotes if isinstance(vote, Prevote) else self.precommits
        votes = table.get(vote.view)
        if votes is None:
            votes = table[vote.view] = Votes()
        return votes


@dataclass(slots=True)
class Process:
    """One node's Tendermint state (the variables of Algorithm 1).

    ``decisions`` keeps, per decided height, the proposal and the quorum of
    precommits that decided it, to relay to lagging nodes.
    """

    height: int = 1
    round: int = 0
    locked_value: str | None = None
    locked_round: int = -1
    valid_value: str | None = None
    valid_round: int = -1
    log: HeightLog = field(default_factory=HeightLog)
    decisions: dict[int, tuple[Proposal, tuple[Vote, ...]]] = field(
        default_factory=dict
    )


State = tuple[str, int, int]


class Tendermint(StateMachine):
    """Tendermint's callback module; see the module docstring for the rules."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True
    PARAMS: ClassVar[dict[str, Any]] = {
        "timeout_prevote_ms": 500,
        "timeout_precommit_ms": 500,
        "timeout_delta_ms": 500,
        "gossip_ms": 1000,
    }

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        params = {**self.PARAMS, **ctx.params}
        self.propose_ms: float = params["view_timeout_ms"]
        self.prevote_ms: float = params["timeout_prevote_ms"]
        self.precommit_ms: float = params["timeout_precommit_ms"]
        self.delta_ms: float = params["timeout_delta_ms"]
        self.gossip_ms: float = params["gossip_ms"]
        self.stable = params.get("leader_rotation") == "stable"
        self.rules: tuple[Callable[[State, Process], Any], ...] = (
            self._decide_rule,
            self._skip_rule,
            self._proposal_rule,
            self._lock_rule,
            self._nil_rule,
            self._prevote_timer_rule,
            self._precommit_timer_rule,
        )

    # Rounds (the log's views) start again at 0 at every height; the run's
    # metrics order them by (height, round) and ask leader_of for leaders.
    views_restart_per_height: ClassVar[bool] = True

    def init(self, *args: Any) -> Any:
        return ("ok", ("propose", 1, 0), Process(), [CHECK])

    def proposer(self, height: int, round: int) -> int:
        """Return the proposer of ``round`` at ``height``."""
        return self.leader_of(self.ctx.n, self.ctx.params, height, round)

    @staticmethod
    def leader_of(n: int, params: dict[str, Any], height: int, round: int) -> int:
        """Return the proposer of ``round`` at ``height`` among ``n`` nodes."""
        if params.get("leader_rotation") == "stable":
            return round % n
        return (height - 1 + round) % n

    # Dispatch.

    def handle_event(
        self, event_type: Any, content: Any, state: State, data: Process
    ) -> Any:
        if event_type == "cast":
            return self._on_message(content, data)
        if event_type == INTERNAL:
            return self._apply_rules(state, data)
        if event_type == ENTER:
            return self._enter(state, data)
        if event_type == STATE_TIMEOUT:
            return self._on_step_timeout(state, data)
        if event_type == PRECOMMIT_TIMEOUT:
            if content != (data.height, data.round):
                return KEEP
            return self._start_round(data.round + 1, "timeout", data)
        if event_type == GOSSIP:
            return self._gossip(data)
        return KEEP

    def _on_message(self, message: Message, data: Process) -> Any:
        if isinstance(message, Status):
            self._answer_status(message, data)
            return KEEP
        if isinstance(message, Relay):
            message = message.inner
        if not isinstance(message, (Proposal, Prevote, Precommit)):
            return KEEP
        if message.height > data.height:
            self._note_ahead(message.sender, data)
            return POSTPONE
        if message.height < data.height or not self._record(message, data):
            return KEEP
        return keep_state_and_data([CHECK])

    def _record(self, message: Signed, data: Process) -> bool:
        """Store ``message`` in the height's log; return False if not new."""
        log = data.log
        if isinstance(message, Proposal):
            round = message.view
            if message.sender != self.proposer(data.height, round):
                return False
            if message.valid_round >= round:
                return False
            proposals = log.proposals.setdefault(round, {})
            if message.value in proposals:
                return False
            proposals[message.value] = message
        elif not log.votes(message).add(message):
            return False
        log.senders.setdefault(message.view, set()).add(message.sender)
        return True

    # Entering a step.

    def _enter(self, state: State, data: Process) -> Any:
        step, height, round = state
        actions = [generic_timeout("gossip", self.gossip_ms, None)]
        if step == "propose":
            if self.proposer(height, round) == self.ctx.id:
                self._propose(data)
            else:
                timeout = self.propose_ms + round * self.delta_ms
                actions.append(state_timeout(timeout, ("propose", height, round)))
        return keep_state_and_data(actions)

    def _propose(self, data: Process) -> None:
        value = data.valid_value
        if value is None:
            value = self.ctx.proposal(data.height, data.round)
        proposal = Proposal(
            self.ctx.id, data.round, data.height, value, data.valid_round
        )
        self._record(proposal, data)
        data.log.own.append(proposal)
        self.ctx.emit("propose", view=data.round, height=data.height, value=value)
        self.ctx.broadcast(proposal)
        if data.valid_round >= 0:
            for prevote in self._proof_of_lock(data):
                self._relay(prevote)

    def _proof_of_lock(self, data: Process) -> list[Signed]:
        """Return the quorum of prevotes for the valid value in its round."""
        votes = data.log.prevotes.get(data.valid_round)
        if votes is None:
            return []
        return list(votes.by_value.get(data.valid_value, {}).values())

    def _start_round(self, round: int, reason: str, data: Process) -> Any:
        data.round = round
        self.ctx.emit("view_change", view=round, reason=reason, height=data.height)
        if self.proposer(data.height, round) == self.ctx.id:
            self._emit_status(data)
        return next_state(("propose", data.height, round), data, [CHECK])

    def _emit_status(self, data: Process) -> None:
        """Report the lock of every node heard from at this height.

        A node's own lock is exact. For another node it is that node's
        precommit for a value in the highest round seen, because a node
        precommits a value exactly when it locks it.
        """
        locks: dict[int, tuple[int, str]] = {}
        for round, votes in sorted(data.log.precommits.items()):
            for value, voters in votes.by_value.items():
                if value is not None:
                    for node in voters:
                        locks[node] = (round, value)
        if data.locked_value is not None:
            locks[self.ctx.id] = (data.locked_round, data.locked_value)
        heard = {self.ctx.id}
        for senders in data.log.senders.values():
            heard |= senders
        reports = []
        for node in sorted(heard):
            lock = locks.get(node)
            reported = None
            if lock is not None:
                reported = {"view": lock[0], "value": lock[1]}
            faulty = node in self.ctx.faulty
            reports.append({"sender": node, "faulty": faulty, "lock": reported})
        self.ctx.emit(
            "view_change_status", view=data.round, leader=self.ctx.id, reports=reports
        )

    # The upon-rules of Algorithm 1.

    def _apply_rules(self, state: State, data: Process) -> Any:
        for rule in self.rules:
            result = rule(state, data)
            if result is not None:
                return result
        return KEEP

    def _decide_rule(self, state: State, data: Process) -> Any:
        log = data.log
        for round, votes in log.precommits.items():
            proposals = log.proposals.get(round, {})
            for value, voters in votes.by_value.items():
                if value in proposals and len(voters) >= self.ctx.quorum:
                    return self._decide(round, proposals[value], data)
        return None

    def _skip_rule(self, state: State, data: Process) -> Any:
        rounds = [
            round
            for round, senders in data.log.senders.items()
            if round > data.round and len(senders) > self.ctx.t
        ]
        if not rounds:
            return None
        return self._start_round(max(rounds), "skip", data)

    def _proposal_rule(self, state: State, data: Process) -> Any:
        if state[0] != "propose":
            return None
        for proposal in data.log.proposals.get(data.round, {}).values():
            vr = proposal.valid_round
            value = proposal.value
            if vr == -1:
                accept = data.locked_round == -1 or data.locked_value == value
            elif self._prevotes(data, vr).count(value) >= self.ctx.quorum:
                accept = data.locked_round <= vr or data.locked_value == value
            else:
                continue
            return self._vote(Prevote, value if accept else None, data)
        return None

    def _lock_rule(self, state: State, data: Process) -> Any:
        round = data.round
        log = data.log
        if state[0] == "propose" or round in log.valid_rounds:
            return None
        prevotes = self._prevotes(data, round)
        for value in log.proposals.get(round, {}):
            if prevotes.count(value) < self.ctx.quorum:
                continue
            log.valid_rounds.add(round)
            self._emit_qc("prevote", round, value, prevotes, data)
            data.valid_value, data.valid_round = value, round
            self.ctx.emit("valid", view=round, value=value, height=data.height)
            if state[0] != "prevote":
                return keep_state_and_data([CHECK])
            data.locked_value, data.locked_round = value, round
            self.ctx.emit("lock", view=round, value=value, height=data.height)
            return self._vote(Precommit, value, data)
        return None

    def _nil_rule(self, state: State, data: Process) -> Any:
        if state[0] != "prevote":
            return None
        if self._prevotes(data, data.round).count(None) < self.ctx.quorum:
            return None
        return self._vote(Precommit, None, data)

    def _prevote_timer_rule(self, state: State, data: Process) -> Any:
        round = data.round
        if state[0] != "prevote" or round in data.log.prevote_timer:
            return None
        if len(self._prevotes(data, round).voters) < self.ctx.quorum:
            return None
        data.log.prevote_timer.add(round)
        timeout = self.prevote_ms + round * self.delta_ms
        timer = state_timeout(timeout, ("prevote", data.height, round))
        return keep_state_and_data([timer, CHECK])

    def _precommit_timer_rule(self, state: State, data: Process) -> Any:
        round = data.round
        log = data.log
        if round in log.precommit_timer:
            return None
        votes = log.precommits.get(round)
        if votes is None or len(votes.voters) < self.ctx.quorum:
            return None
        log.precommit_timer.add(round)
        timeout = self.precommit_ms + round * self.delta_ms
        timer = generic_timeout("precommit", timeout, (data.height, round))
        return keep_state_and_data([timer, CHECK])

    def _prevotes(self, data: Process, round: int) -> Votes:
        return data.log.prevotes.get(round) or Votes()

    # Steps.

    def _on_step_timeout(self, state: State, data: Process) -> Any:
        if state[0] == "propose":
            return self._vote(Prevote, None, data)
        return self._vote(Precommit, None, data)

    def _vote(
        self, kind: type[Prevote] | type[Precommit], value: str | None, data: Process
    ) -> Any:
        """Broadcast a vote of ``kind`` for ``value`` and enter the next step."""
        vote = kind(self.ctx.id, data.round, data.height, value)
        self._record(vote, data)
        data.log.own.append(vote)
        self.ctx.emit(
            "vote", view=vote.view, height=vote.height, phase=vote.kind, value=value
        )
        self.ctx.broadcast(vote)
        return next_state((vote.kind, data.height, data.round), data, [CHECK])

    def _emit_qc(
        self, phase: str, round: int, value: str, votes: Votes, data: Process
    ) -> list[int]:
        signers = sorted(votes.by_value[value])
        self.ctx.emit(
            "qc",
            view=round,
            height=data.height,
            phase=phase,
            value=value,
            signers=signers,
        )
        return signers

    def _decide(self, round: int, proposal: Proposal, data: Process) -> Any:
        votes = data.log.precommits[round]
        signers = self._emit_qc("precommit", round, proposal.value, votes, data)
        self.ctx.emit(
            "commit",
            height=data.height,
            value=proposal.value,
            view=round,
            quorum=signers,
        )
        precommits = tuple(votes.by_value[proposal.value].values())
        data.decisions[data.height] = (proposal, precommits)
        if data.locked_round >= 0:
            self.ctx.emit("unlock", view=data.round, height=data.height)
        data.height += 1
        data.round = 0
        data.locked_value, data.locked_round = None, -1
        data.valid_value, data.valid_round = None, -1
        data.log = HeightLog()
        return next_state(("propose", data.height, 0), data, [CHECK])

    # Relays.

    def _relay(self, message: Signed) -> None:
        self.ctx.broadcast(Relay(self.ctx.id, message.view, message))

    def _gossip(self, data: Process) -> Any:
        """Re-broadcast what others may have missed while this node is stuck."""
        messages: list[Signed] = list(data.log.own)
        messages.extend(data.log.proposals.get(data.round, {}).values())
        if data.valid_round >= 0:
            messages.extend(data.log.proposals.get(data.valid_round, {}).values())
            messages.extend(self._proof_of_lock(data))
        seen: set[Signed] = set()
        for message in messages:
            if message not in seen:
                seen.add(message)
                self._relay(message)
        # The relays sent for an earlier STATUS may have been lost.
        self._request_decisions(data)
        return keep_state_and_data([generic_timeout("gossip", self.gossip_ms, None)])

    def _note_ahead(self, sender: int, data: Process) -> None:
        """Ask for the missing decisions once t + 1 nodes are at higher heights."""
        log = data.log
        if sender == self.ctx.id or log.status_sent:
            return
        log.ahead.add(sender)
        self._request_decisions(data)

    def _request_decisions(self, data: Process) -> None:
        log = data.log
        if len(log.ahead) <= self.ctx.t:
            return
        log.status_sent = True
        status = Status(self.ctx.id, data.round, data.height)
        for node in sorted(log.ahead):
            self.ctx.send(node, status)

    def _answer_status(self, status: Status, data: Process) -> None:
        """Relay the decision of the requested height, if this node has it.

        One height per request: the lagging node sends STATUS again at its
        next height, so no height is relayed to it twice per request.
        """
        decision = data.decisions.get(status.height)
        if decision is None:
            return
        proposal, precommits = decision
        for message in (proposal, *precommits):
            # The requester's own messages too: after a restart it has lost them.
            self.ctx.send(status.sender, Relay(self.ctx.id, message.view, message))
