"""Change history of an organisation, and undo of a change (itself recorded).

Built on what the store keeps today: the tie history (every rung change with when, the old and
the new rung, and its source) and each node's version and ``updated_at``. Changes to other
node properties are not kept by the store yet (the proposal for a store-level change log is in
the report of issue 8), so the history lists them only as "the profile was last changed at …".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from graphsvc.errors import Conflict, NotFound
from graphsvc.model import Relationship, TieEvent
from graphsvc.store.base import GraphStore, utc_now

__all__ = ["Change", "organisation_history", "undo_tie_change"]


@dataclass(frozen=True)
class Change:
    """One change: ``field`` went from ``old`` to ``new`` at ``at``, by ``source``.

    ``seq`` identifies a tie change for :func:`undo_tie_change`; 0 for a profile change.
    """

    seq: int
    at: str
    kind: str
    other: str
    other_name: str
    field: str
    old: Any
    new: Any
    source: str
    session: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _name(store: GraphStore, node_id: str) -> str:
    try:
        return str(store.get_node(node_id).props.get("name", node_id))
    except NotFound:
        return node_id


def _tie_change(store: GraphStore, org_id: str, event: TieEvent) -> Change:
    other = event.b if event.a == org_id else event.a
    return Change(event.seq, event.at, "tie", other, _name(store, other), "rung",
                  event.old_rung, event.new_rung, event.source or event.declared_by, event.session)


def organisation_history(store: GraphStore, org_id: str) -> list[Change]:
    """The organisation's tie changes, newest first, then its profile version; NotFound if unknown."""
    node = store.get_node(org_id)
    # newest first in the order the store recorded them (``at`` may be a meeting's date)
    changes = [_tie_change(store, org_id, e)
               for e in sorted(store.tie_history(org_id), key=lambda e: e.seq, reverse=True)]
    changes.append(Change(0, node.updated_at or "", "profile", org_id, _name(store, org_id),
                          "version", None, node.version, ""))
    return changes


def _latest_of_pair(store: GraphStore, event: TieEvent) -> bool:
    pair = store.tie_history(event.a, event.b)
    return bool(pair) and pair[-1].seq == event.seq


def undo_tie_change(store: GraphStore, org_id: str, seq: int, *, by: str) -> Change:
    """Put a tie back on the rung it had before change ``seq``; the undo is a new tie event.

    Only the latest change of a pair can be undone (Conflict otherwise), so an undo never
    silently overwrites a later decision.
    """
    event = next((e for e in store.tie_history(org_id) if e.seq == seq), None)
    if event is None:
        raise NotFound(f"There is no tie change {seq} for this organisation.")
    if not _latest_of_pair(store, event):
        raise Conflict("The tie was changed again after this; undo the later change first.")
    now = utc_now()
    source = f"undo:{by}"
    with store.transaction(source=source) as tx:
        if event.old_rung == 0:
            tx.delete_relationship("TIE", event.a, event.b, changed_at=now, source=source)
        else:
            props: dict[str, Any] = {}
            try:
                props = dict(store.get_relationship("TIE", event.a, event.b).props)
            except NotFound:
                pass
            props.update(rung=event.old_rung, changed_at=now, source=source)
            tx.upsert_relationship(Relationship("TIE", event.a, event.b, props))
    return organisation_history(store, org_id)[0]
