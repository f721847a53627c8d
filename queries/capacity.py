"""What an organisation's capacity profile proposes, read from the snapshot."""

from __future__ import annotations

from graphsvc.capacity import CAPACITY_SOURCE, ProposedNeed, capacity_profile, proposed_needs
from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary

__all__ = ["organisation_proposals", "capacity_needs"]


def organisation_proposals(snapshot: Snapshot, organisation_id: str,
                           vocab: Vocabulary | None = None) -> tuple[ProposedNeed, ...]:
    """:func:`proposed_needs` for an organisation in the snapshot (its NEEDS count as had)."""
    node = snapshot.node(organisation_id, "Organisation")
    return proposed_needs(capacity_profile(node), snapshot.targets("NEEDS", organisation_id), vocab)


def capacity_needs(snapshot: Snapshot, organisation_id: str) -> frozenset[str]:
    """The capabilities the organisation needs because a capacity assessment showed it.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("o", "Organisation", {"name": "O"}), Node("b", "Capability", {"name": "B"})]
    >>> rel = Relationship("NEEDS", "o", "b", {"source": "capacity"})
    >>> sorted(capacity_needs(Snapshot(GraphData(1, nodes, [rel], [])), "o"))
    ['b']
    """
    return frozenset(c for c, props in snapshot.out("NEEDS", organisation_id)
                     if props.get("source") == CAPACITY_SOURCE)
