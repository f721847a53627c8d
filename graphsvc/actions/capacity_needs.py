"""From capacity profile to needs: a low score proposes a NEEDS capability, the coach decides.

A dimension scored at or below its ``need_below_or_at`` (vocabulary data) in the latest
assessment that scored it proposes the dimension's ``need`` capability, unless the organisation
already needs it or the proposal was rejected for that assessment. Confirming writes a ``NEEDS``
relationship (``source: "capacity"``, ``confirmed_by``, ``confirmed_at``), so the partner matches
use it at once; rejecting is remembered in the profile. Both are one transaction each.
"""

from __future__ import annotations

from graphsvc.actions.capacity import write_profile
from graphsvc.capacity import (
    CAPACITY_SOURCE,
    DECISIONS,
    NeedDecision,
    ProposedNeed,
    capacity_profile,
    proposed_needs,
)
from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.store.base import GraphStore, Transaction
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["decide_need"]


def _ensure_capability(tx: Transaction, need: str, vocab: Vocabulary) -> None:
    # the store may hold only imported data, without the vocabulary's capability nodes
    if tx.get_node(need) is None:
        term = vocab.capability(need)
        tx.upsert_node(Node(need, "Capability", {"name": term.nl, "name_en": term.en,
                                                 "group": term.group}))


def _proposal(store: GraphStore, organisation_id: str, need: str,
              vocab: Vocabulary) -> ProposedNeed:
    try:
        node = store.get_node(organisation_id)
    except NotFound:
        node = None
    if node is None or node.label != "Organisation":
        raise NotFound(f"There is no organisation with id {organisation_id!r}.")
    try:
        store.get_relationship("NEEDS", organisation_id, need)
    except NotFound:
        pass
    else:
        raise Conflict(f"{node.name} already needs {need!r}.")
    for proposal in proposed_needs(capacity_profile(node), (), vocab):
        if proposal.need == need:
            return proposal
    raise InvalidInput(f"The capacity profile of {node.name} does not propose the need {need!r}.")


def decide_need(store: GraphStore, organisation_id: str, need: str, decision: str, *,
                by: str = "", vocab: Vocabulary | None = None) -> ProposedNeed:
    """Confirm or reject a proposed need, in one transaction; return the proposal decided.

    ``confirmed`` adds ``NEEDS`` with ``source: "capacity"``, ``confirmed_by`` and
    ``confirmed_at``; ``rejected`` is remembered, so the need is not proposed again until a newer
    assessment scores the dimension low again. Both are noted in the profile.

    Raises
    ------
    NotFound
        No organisation with this id.
    InvalidInput
        ``decision`` is not ``confirmed`` or ``rejected``; the need is not proposed.
    Conflict
        The organisation already needs it.

    Examples
    --------
    >>> from graphsvc.actions.capacity import record_assessment
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
    >>> _ = record_assessment(store, "o1", {"financial_administration": 1}, by="ayse")
    >>> decide_need(store, "o1", "financiele-administratie", "confirmed", by="ayse").score
    1
    >>> store.get_relationship("NEEDS", "o1", "financiele-administratie").props["source"]
    'capacity'
    """
    if decision not in DECISIONS:
        raise InvalidInput(f"The decision must be 'confirmed' or 'rejected', not {decision!r}.")
    vocab = vocab or load_vocabulary()
    proposal = _proposal(store, organisation_id, need, vocab)
    now = utc_now()
    note = NeedDecision(proposal.assessment, need, decision, by, now)
    with store.transaction(source=f"user:{by}" if by else CAPACITY_SOURCE) as tx:
        write_profile(tx, organisation_id, lambda p: p.with_decision(note))
        if decision == "confirmed":
            _ensure_capability(tx, need, vocab)
            tx.upsert_relationship(Relationship("NEEDS", organisation_id, need, {
                "source": CAPACITY_SOURCE, "confirmed_by": by, "confirmed_at": now}))
    return proposal
