"""A toy broadcast protocol for exercising the simulator; it is not BFT.

Each node works through (height, view) pairs, one engine state per pair:

- On entering a state the node starts the view timer (a state timeout of
  ``view_timeout_ms * backoff ** k`` after ``k`` view changes in a row).
  The leader of the view (``view mod n``) broadcasts a proposal and votes
  for it.
- A node votes for the first proposal it gets from the view's leader by
  broadcasting a vote, and counts its own vote locally.
- When the votes for one value reach the quorum (``n - t``), an inserted
  internal event commits the value with the voters as its certificate.
  The node then moves to the next height, in the next view under
  ``round_robin`` rotation and in the same view under ``stable``.
- When the view timer fires first, the node moves to the next view at the
  same height.

Messages of a later (height, view) are postponed and retried when the node
enters a new state; messages of an earlier one are ignored. A proposal
carries the certificate (value, view and voters) of the leader's commit at
the previous height, so a node one height behind commits that value and
moves on to the proposal's height, where the postponed proposal is
retried.

There are no locks, so nodes that commit just before others time out can
disagree at that height. Without view changes a value needs a quorum of
votes, and two quorums share an honest node when at most t nodes are
faulty, so one equivocating node cannot break agreement. Certificates in
proposals are trusted as sent, which is safe only because the simulator's
fault behaviours never forge them. Per height it
sends n - 1 proposals and n (n - 1) votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..engine import (
    ENTER,
    HANDLE_EVENT_FUNCTION,
    INTERNAL,
    STATE_TIMEOUT,
    StateMachine,
    generic_timeout,
    keep_state_and_data,
    next_event,
    next_state,
    postpone,
    state_timeout,
)
from ..sim.protocol import PROPOSAL, VOTE, Message, NodeContext

KEEP = "keep_state_and_data"
POSTPONE = keep_state_and_data([postpone()])


@dataclass(frozen=True, slots=True)
class Propose(Message):
    """The leader's proposal of ``value`` at ``height``.

    ``justify`` is the certificate of the leader's commit at ``height - 1``:
    (value, view, voters), or None at height 1.
    """

    kind: ClassVar[str] = "propose"
    category: ClassVar[str] = PROPOSAL

    height: int
    value: str
    justify: tuple[str, int, tuple[int, ...]] | None = None

    def signatures(self) -> int:
        """Count the sender's signature and those of the certificate."""
        return 1 + (len(self.justify[2]) if self.justify else 0)


@dataclass(frozen=True, slots=True)
class Vote(Message):
    """A vote for ``value`` at ``height`` in ``view``."""

    kind: ClassVar[str] = "vote"
    category: ClassVar[str] = VOTE

    height: int
    value: str


class Tally:
    """Votes received in one (height, view), and whether this node voted.

    ``changes`` counts the view changes in a row before this state; it
    sets the view timer's backoff.
    """

    __slots__ = ("voted", "votes", "changes")

    def __init__(self, changes: int = 0) -> None:
        self.voted = False
        self.votes: dict[str, set[int]] = {}
        self.changes = changes


class ToyProtocol(StateMachine):
    """The toy protocol's callback module; the state is ``(height, view)``."""

    callback_mode = HANDLE_EVENT_FUNCTION
    state_enter = True

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.stable = ctx.params.get("leader_rotation") == "stable"
        self.certificate: tuple[str, int, tuple[int, ...]] | None = None

    def init(self, *args: Any) -> Any:
        return ("ok", (1, 0), Tally())

    def handle_event(
        self, event_type: Any, content: Any, state: tuple[int, int], data: Tally
    ) -> Any:
        if event_type == "cast":
            if content.height != state[0] or content.view != state[1]:
                if content.height == state[0] + 1 and self._certified(content):
                    return self._catch_up(content, state)
                if (content.height, content.view) > state:
                    return POSTPONE
                return KEEP
            if type(content) is Vote:
                return self._count(content.sender, content.value, data)
            return self._proposal(content, state, data)
        if event_type == INTERNAL:
            return self._commit(content, state, data)
        if event_type == ENTER:
            return self._enter(state, data)
        if event_type == STATE_TIMEOUT:
            return self._view_change(state, data)
        if event_type == ("timeout", "quorum"):
            return keep_state_and_data([next_event(INTERNAL, content)])
        return KEEP

    def _enter(self, state: tuple[int, int], data: Tally) -> Any:
        height, view = state
        params = self.ctx.params
        timeout = params["view_timeout_ms"] * params["backoff"] ** data.changes
        actions = [state_timeout(timeout, "view")]
        if self.ctx.leader(view) == self.ctx.id:
            value = self.ctx.proposal(height, view)
            self.ctx.emit("propose", view=view, height=height, value=value)
            proposal = Propose(self.ctx.id, view, height, value, self.certificate)
            self.ctx.broadcast(proposal)
            if self._vote(state, value, data) != KEEP:
                # Only when the quorum is one vote: an enter call may not
                # insert events, so a zero timeout carries the commit.
                actions.append(generic_timeout("quorum", 0, value))
        return keep_state_and_data(actions)

    def _proposal(self, proposal: Propose, state: tuple[int, int], data: Tally) -> Any:
        if data.voted or proposal.sender != self.ctx.leader(state[1]):
            return KEEP
        return self._vote(state, proposal.value, data)

    def _vote(self, state: tuple[int, int], value: str, data: Tally) -> Any:
        height, view = state
        data.voted = True
        self.ctx.emit("vote", view=view, height=height, phase="vote", value=value)
        self.ctx.broadcast(Vote(self.ctx.id, view, height, value))
        return self._count(self.ctx.id, value, data)

    def _count(self, sender: int, value: str, data: Tally) -> Any:
        voters = data.votes.get(value)
        if voters is None:
            voters = data.votes[value] = set()
        voters.add(sender)
        if len(voters) == self.ctx.quorum:
            return keep_state_and_data([next_event(INTERNAL, value)])
        return KEEP

    def _commit(self, value: str, state: tuple[int, int], data: Tally) -> Any:
        height, view = state
        signers = sorted(data.votes[value])
        self.ctx.emit(
            "qc", view=view, height=height, phase="vote", value=value, signers=signers
        )
        self.ctx.emit("commit", height=height, value=value, view=view, quorum=signers)
        self.certificate = (value, view, tuple(signers))
        next_view = view if self.stable else view + 1
        return next_state((height + 1, next_view), Tally())

    def _certified(self, message: Message) -> bool:
        if type(message) is not Propose or message.justify is None:
            return False
        return len(set(message.justify[2])) >= self.ctx.quorum

    def _catch_up(self, proposal: Propose, state: tuple[int, int]) -> Any:
        """Commit the proposal's certificate, then retry it at its height."""
        assert proposal.justify is not None
        value, view, signers = proposal.justify
        quorum = sorted(signers)
        self.ctx.emit("commit", height=state[0], value=value, view=view, quorum=quorum)
        self.certificate = (value, view, tuple(quorum))
        return next_state((proposal.height, proposal.view), Tally(), [postpone()])

    def _view_change(self, state: tuple[int, int], data: Tally) -> Any:
        height, view = state
        self.ctx.emit("view_change", view=view + 1, reason="timeout")
        return next_state((height, view + 1), Tally(data.changes + 1))
