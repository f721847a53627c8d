"""An organisation's positioning: its core business (unique selling point), who and where it serves.

The source note's "positioning" block (§4: no clear unique selling point, shopping for subsidies)
is worked on in the coach workspace: the ``core_business`` text, the communities it ``SERVES`` and
the areas it is ``ACTIVE_IN`` are edited together, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore

__all__ = ["MAX_CORE_BUSINESS", "Positioning", "positioning_of", "update_positioning"]

MAX_CORE_BUSINESS: Final = 1000
_TARGETS: Final = {"SERVES": "Community", "ACTIVE_IN": "Neighbourhood"}


@dataclass(frozen=True)
class Positioning:
    """Core business, communities served and areas, as ids (sorted), with the node's version."""

    core_business: str
    communities: tuple[str, ...]
    areas: tuple[str, ...]
    version: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"core_business": self.core_business, "communities": list(self.communities),
                "areas": list(self.areas), "version": self.version}


def positioning_of(snapshot: Snapshot, organisation_id: str) -> Positioning:
    """The organisation's current positioning.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> snap = Snapshot(GraphData(1, [Node("o", "Organisation", {"name": "O", "core_business": "Taal"})], [], []))
    >>> positioning_of(snap, "o").core_business
    'Taal'
    """
    node = snapshot.node(organisation_id, "Organisation")
    return Positioning(str(node.props.get("core_business") or ""),
                       tuple(sorted(snapshot.targets("SERVES", organisation_id))),
                       tuple(sorted(snapshot.targets("ACTIVE_IN", organisation_id))), node.version)


def _ids(snapshot: Snapshot, values: Iterable[str], rel_type: str) -> set[str]:
    label = _TARGETS[rel_type]
    wanted = {str(v).strip() for v in values if str(v).strip()}
    unknown = sorted(v for v in wanted
                     if v not in snapshot.nodes or snapshot.nodes[v].label != label)
    if unknown:
        what = "community" if label == "Community" else "area"
        raise InvalidInput(f"There is no {what} with id {', '.join(map(repr, unknown[:5]))}.")
    return wanted


def _core_business(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput("The core business must be text.")
    if len(text) > MAX_CORE_BUSINESS:
        raise InvalidInput(f"The core business is longer than {MAX_CORE_BUSINESS} characters.")
    return text.strip()


def update_positioning(store: GraphStore, snapshot: Snapshot, organisation_id: str, *,
                       core_business: str, communities: Iterable[str] | None = None,
                       areas: Iterable[str] | None = None, by: str = "",
                       expected_version: int | None = None) -> Positioning:
    """Set core business, communities and areas in one transaction; return the new positioning.

    ``communities`` / ``areas`` replace the current ones (``None`` leaves them as they are).
    ``expected_version`` is the organisation's version the editor saw: when someone changed it
    since, :class:`graphsvc.errors.Conflict` is raised and nothing is written.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o", "Organisation", {"name": "O"}))
    ...     _ = tx.upsert_node(Node("c", "Community", {"name": "Vrouwen"}))
    >>> p = update_positioning(store, Snapshot.from_store(store), "o", core_business="Taalcafé",
    ...                        communities=["c"], by="ayse")
    >>> p.core_business, p.communities
    ('Taalcafé', ('c',))
    """
    current = positioning_of(snapshot, organisation_id)
    text = _core_business(core_business)
    wanted = {
        "SERVES": _ids(snapshot, communities, "SERVES") if communities is not None else None,
        "ACTIVE_IN": _ids(snapshot, areas, "ACTIVE_IN") if areas is not None else None,
    }
    have = {"SERVES": set(current.communities), "ACTIVE_IN": set(current.areas)}
    with store.transaction(source=f"user:{by}" if by else "positioning") as tx:
        node = tx.get_node(organisation_id)
        if node is None or node.label != "Organisation":
            raise NotFound(f"There is no organisation with id {organisation_id!r}.")
        props = {**dict(node.props), "core_business": text}
        if not text:
            props.pop("core_business")
        tx.upsert_node(Node(node.id, node.label, props),
                       expected_version=node.version if expected_version is None else expected_version)
        for rel_type, ids in wanted.items():
            if ids is None:
                continue
            for gone in sorted(have[rel_type] - ids):
                tx.delete_relationship(rel_type, organisation_id, gone)
            for new in sorted(ids - have[rel_type]):
                tx.upsert_relationship(Relationship(rel_type, organisation_id, new))
    communities_now, areas_now = (
        tuple(sorted(ids)) if ids is not None else fallback
        for ids, fallback in ((wanted["SERVES"], current.communities),
                              (wanted["ACTIVE_IN"], current.areas))
    )
    return Positioning(text, communities_now, areas_now, store.get_node(organisation_id).version)
