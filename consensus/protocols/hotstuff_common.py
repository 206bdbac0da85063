"""Blocks, certificates and vote counting shared by the HotStuff family.

A :class:`Block` is one node of the block tree: a value proposed at a
height in a view, linked to its parent and to the certificate it extends.
Its ``digest`` names it. The digest covers the parent's digest, so two
blocks with equal digests have equal histories. A twin proposal (the same
block with the conflicting value) is a different block.

A :class:`QC` (quorum certificate) is the set of parties whose votes for
one block, in one phase of one view, a node received. Certificates are
modelled as lists of individual signatures (no threshold aggregation), so
a message carrying one counts one signature per signer.

:class:`VoteBox` collects votes for blocks that the collector may not know
yet, keyed by view, phase, block digest and value: a vote whose value was
replaced by its twin (the ``double_vote`` fault) lands under another key
and never counts for the original block.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..sim.protocol import NodeContext

# The view timer grows by ``backoff`` per timeout in a row, up to this
# many steps, so a long outage cannot overflow the timer.
MAX_BACKOFF_STEPS = 10


class Block:
    """One proposal in the block tree; genesis has no parent and height 0.

    Invariant: ``height`` is the parent's height plus one, and ``digest``
    is a function of the parent's digest, the height, the view and the
    value. Equality and hashing use the digest alone.
    """

    __slots__ = ("parent", "value", "view", "justify", "height", "digest")

    parent: Block | None
    value: str
    view: int
    justify: QC | None
    height: int
    digest: str

    def __init__(
        self,
        parent: Block | None,
        value: str,
        view: int,
        justify: QC | None = None,
    ) -> None:
        self.parent = parent
        self.value = value
        self.view = view
        self.justify = justify
        self.height = 0 if parent is None else parent.height + 1
        base = "" if parent is None else parent.digest
        text = f"{base}/{self.height}/{view}/{value}"
        self.digest = hashlib.sha256(text.encode()).hexdigest()[:16]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Block) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"<Block h{self.height} v{self.view} {self.value}>"

    def extends(self, ancestor: Block) -> bool:
        """Tell whether ``ancestor`` is this block or one of its ancestors."""
        block: Block | None = self
        while block is not None and block.height > ancestor.height:
            block = block.parent
        return block is not None and block == ancestor

    def ancestry_above(self, height: int) -> list[Block]:
        """Return this block and its ancestors above ``height``, oldest first."""
        chain = []
        block: Block | None = self
        while block is not None and block.height > height:
            chain.append(block)
            block = block.parent
        chain.reverse()
        return chain

    def to_json(self) -> dict[str, Any]:
        """Return the block as it appears in the event log."""
        return {"height": self.height, "value": self.value, "view": self.view}


GENESIS = Block(None, "genesis", -1)


@dataclass(frozen=True, slots=True)
class QC:
    """A quorum certificate: ``signers`` voted for ``block`` in ``phase``
    of ``view``. The genesis certificate has no signers and view -1."""

    phase: str
    view: int
    block: Block
    signers: frozenset[int]
    # The signers in order, built once: every node's commit event of this
    # certificate shares the list instead of sorting its own copy.
    signer_list: list[int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "signer_list", sorted(self.signers))

    @property
    def value(self) -> str:
        """The certified block's value."""
        return self.block.value

    @property
    def height(self) -> int:
        """The certified block's height."""
        return self.block.height

    def rank(self) -> tuple[int, int]:
        """Return the order of certificates: by view, then by height."""
        return (self.view, self.block.height)

    def to_json(self) -> dict[str, Any]:
        """Return the certificate as it appears in the event log."""
        return {
            "phase": self.phase,
            "view": self.view,
            "height": self.block.height,
            "value": self.block.value,
            "signers": self.signer_list,
        }


GENESIS_QC = QC("genesis", -1, GENESIS, frozenset())


def higher(first: QC, second: QC) -> QC:
    """Return the higher-ranked of two certificates, ``first`` on a tie."""
    return second if second.rank() > first.rank() else first


def lock_report(qc: QC) -> dict[str, Any] | None:
    """Return a certificate as a status report's lock, or None for genesis."""
    if qc.view < 0:
        return None
    return {"view": qc.view, "value": qc.value, "height": qc.height}


def status_reports(
    reports: dict[int, QC], faulty: frozenset[int]
) -> list[dict[str, Any]]:
    """Return the ``reports`` field of a ``view_change_status`` event."""
    return [
        {
            "sender": sender,
            "faulty": sender in faulty,
            "lock": lock_report(reports[sender]),
        }
        for sender in sorted(reports)
    ]


def joins_view_ahead(
    ctx: NodeContext, ahead: dict[int, set[int]], sender: int, view: int
) -> bool:
    """Count a NEW-VIEW of the later ``view`` at that view's leader.

    Return whether ``t + 1`` distinct senders have sent one, so at least
    one honest replica is in that view and the leader can move there.
    ``ahead`` maps each later view to its senders so far.
    """
    if ctx.leader(view) != ctx.id:
        return False
    senders = ahead.setdefault(view, set())
    senders.add(sender)
    return len(senders) > ctx.t


def view_timeout(params: dict[str, Any], timeouts_in_a_row: int) -> float:
    """Return the view timer (ms) after ``timeouts_in_a_row`` timeouts."""
    steps = min(timeouts_in_a_row, MAX_BACKOFF_STEPS)
    return float(params["view_timeout_ms"] * params["backoff"] ** steps)


VoteKey = tuple[int, str, str, str]


class VoteBox:
    """Votes received per (view, phase, block digest, value).

    Each key maps to a set, so a signer counts once per key.
    :meth:`forget_before` drops the keys of older views.
    """

    __slots__ = ("votes",)

    def __init__(self) -> None:
        self.votes: dict[VoteKey, set[int]] = {}

    def add(
        self, view: int, phase: str, digest: str, value: str, signer: int
    ) -> set[int]:
        """Record one vote; return the signers of its key so far."""
        key = (view, phase, digest, value)
        signers = self.votes.get(key)
        if signers is None:
            signers = self.votes[key] = set()
        signers.add(signer)
        return signers

    def signers(self, view: int, phase: str, block: Block) -> set[int]:
        """Return who voted for ``block`` (with its own value) in ``phase``."""
        return self.votes.get((view, phase, block.digest, block.value), set())

    def forget_before(self, view: int) -> None:
        """Drop the votes of views below ``view``."""
        stale = [key for key in self.votes if key[0] < view]
        for key in stale:
            del self.votes[key]


def commit_events(chain: list[Block], qc: QC) -> list[dict[str, Any]]:
    """Return the ``commit`` event fields of each block of ``chain``,
    committed by the arrival of ``qc``."""
    return [
        {
            "height": block.height,
            "value": block.value,
            "view": block.view,
            "quorum": qc.signer_list,
        }
        for block in chain
    ]
