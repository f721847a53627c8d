"""From capacity profile to needs: a low score proposes a NEEDS capability, the coach decides.

A dimension scored at or below its ``need_below_or_at`` (vocabulary data) in the latest
assessment that scored it proposes the dimension's ``need`` capability, unless the organisation
already needs it or the proposal was rejected for that assessment. Confirming writes a ``NEEDS``
relationship (``source: "capacity"``, ``confirmed_by``, ``confirmed_at``), so the partner matches
use it at once; rejecting is remembered in the profile. Both are one transaction each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from graphsvc.capacity import CapacityProfile, NeedDecision, capacity_profile, write_profile
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore, Transaction, utc_now
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = [
    "CAPACITY_SOURCE",
    "DECISIONS",
    "ProposedNeed",
    "proposed_needs",
    "organisation_proposals",
    "capacity_needs",
    "decide_need",
]

#: The ``source`` of a NEEDS relationship confirmed from the capacity profile.
CAPACITY_SOURCE: Final = "capacity"
DECISIONS: Final = ("confirmed", "rejected")


@dataclass(frozen=True)
class ProposedNeed:
    """A capability the organisation may need, because of a low score on one dimension."""

    need: str
    nl: str
    en: str
    dimension: str
    dimension_nl: str
    dimension_en: str
    score: int
    threshold: int
    assessment: str
    date: str

    def name(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl

    def dimension_name(self, lang: str = "nl") -> str:
        return self.dimension_en if lang == "en" else self.dimension_nl

    def as_dict(self) -> dict[str, Any]:
        return {"need": self.need, "name_nl": self.nl, "name_en": self.en,
                "dimension": self.dimension, "dimension_nl": self.dimension_nl,
                "dimension_en": self.dimension_en, "score": self.score,
                "threshold": self.threshold, "assessment": self.assessment, "date": self.date}


def proposed_needs(profile: CapacityProfile, current_needs: Iterable[str],
                   vocab: Vocabulary | None = None) -> tuple[ProposedNeed, ...]:
    """The needs the latest scores propose, in vocabulary order.

    Examples
    --------
    >>> from graphsvc.capacity import Assessment
    >>> p = CapacityProfile((Assessment("a1", "2025-02-01", {"financial_administration": 2,
    ...                                                      "governance": 4}),))
    >>> [n.need for n in proposed_needs(p, current_needs=[])]
    ['financiele-administratie']
    >>> proposed_needs(p, current_needs=["financiele-administratie"])
    ()
    """
    vocab = vocab or load_vocabulary()
    names = {t.id: t for t in vocab.capabilities}
    have = set(current_needs)
    out = []
    for dim in vocab.capacity:
        scored = [a for a in profile.assessments if dim.id in a.scores]
        if not scored or dim.need in have or dim.need not in names:
            continue
        latest = scored[-1]
        score = latest.scores[dim.id]
        if score > dim.need_below_or_at or dim.need in profile.rejected(latest.id):
            continue
        term = names[dim.need]
        out.append(ProposedNeed(dim.need, term.nl, term.en, dim.id, dim.nl, dim.en, score,
                                dim.need_below_or_at, latest.id, latest.date))
    return tuple(out)


def organisation_proposals(snapshot: Snapshot, organisation_id: str,
                           vocab: Vocabulary | None = None) -> tuple[ProposedNeed, ...]:
    """:func:`proposed_needs` for an organisation in the snapshot (its NEEDS count as had)."""
    node = snapshot.node(organisation_id, "Organisation")
    return proposed_needs(capacity_profile(node), snapshot.targets("NEEDS", organisation_id), vocab)


def capacity_needs(snapshot: Snapshot, organisation_id: str) -> frozenset[str]:
    """The capabilities the organisation needs because a capacity assessment showed it.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("o", "Organisation", {"name": "O"}), Node("b", "Capability", {"name": "B"})]
    >>> rel = Relationship("NEEDS", "o", "b", {"source": "capacity"})
    >>> sorted(capacity_needs(Snapshot(GraphData(1, nodes, [rel], [])), "o"))
    ['b']
    """
    return frozenset(c for c, props in snapshot.out("NEEDS", organisation_id)
                     if props.get("source") == CAPACITY_SOURCE)


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
    >>> from graphsvc.capacity import record_assessment
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
