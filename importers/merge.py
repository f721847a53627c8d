"""Merge two nodes that are one actor: every relationship moves to the kept node, nothing is lost.

In one transaction: the dropped node's relationships are re-pointed to the kept node (where
both had the same relationship, the kept one's values win and a tie keeps the higher rung),
properties the kept node lacks are copied over (lists are joined), and the dropped id is
remembered in ``merged_from`` so a later import of the old id finds the kept node. The dropped
node's tie history stays in the store under its old id; :func:`merged_history` reads both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput
from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.store.base import GraphStore, Transaction

__all__ = ["MergeResult", "merge_nodes", "merged_history"]

_LIST_PROPS = ("languages", "identifiers", "funding_notes")


@dataclass
class MergeResult:
    """What a merge did."""

    keep: str
    drop: str
    moved: int = 0
    combined: int = 0
    dropped_self_ties: int = 0
    filled: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"keep": self.keep, "drop": self.drop, "moved": self.moved, "combined": self.combined,
                "dropped_self_ties": self.dropped_self_ties, "filled": self.filled}


def _merged_props(keep: Node, drop: Node) -> tuple[dict[str, Any], list[str]]:
    props = dict(keep.props)
    filled = [k for k in drop.props if k not in props]
    for key in filled:
        props[key] = drop.props[key]
    for key in _LIST_PROPS:
        if isinstance(keep.props.get(key), list) and isinstance(drop.props.get(key), list):
            props[key] = list(dict.fromkeys([*keep.props[key], *drop.props[key]]))
    former = [*keep.props.get("merged_from", []), drop.id, *drop.props.get("merged_from", [])]
    props["merged_from"] = list(dict.fromkeys(former))
    return props, filled


def _moved(rel: Relationship, drop: str, keep: str) -> Relationship:
    start = keep if rel.start == drop else rel.start
    end = keep if rel.end == drop else rel.end
    return Relationship(rel.type, start, end, rel.props, rel.key)


def _combined(moved: Relationship, existing: Relationship, now: str, drop: str) -> Relationship:
    props = {**moved.props, **existing.props}
    if moved.type == "TIE" and int(moved.props.get("rung", 0)) > int(existing.props.get("rung", 0)):
        props.update(rung=moved.props["rung"], changed_at=now, source=f"merge:{drop}")
    return Relationship(existing.type, existing.start, existing.end, props, existing.key)


def merge_nodes(store: GraphStore, keep: str, drop: str) -> MergeResult:
    """Merge node ``drop`` into node ``keep`` (same label) in one transaction.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     for i in ("a", "b", "c"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "b", "c", {"rung": 2}))
    >>> merge_nodes(store, "a", "b").moved
    1
    >>> store.get_relationship("TIE", "a", "c").props["rung"], store.get_node("a").props["merged_from"]
    (2, ['b'])
    """
    if keep == drop:
        raise InvalidInput("Kies twee verschillende knopen. / Choose two different nodes.")
    keep_node, drop_node = store.get_node(keep), store.get_node(drop)
    if keep_node.label != drop_node.label:
        raise InvalidInput(f"{keep_node.name!r} is a {keep_node.label} and {drop_node.name!r} a "
                           f"{drop_node.label}; only nodes of one kind can be merged. / Alleen knopen "
                           "van dezelfde soort kunnen worden samengevoegd.")
    revision = store.revision()
    touching = [r for r in store.iter_relationships() if drop in (r.start, r.end)]
    existing = {r.ident: r for r in store.iter_relationships() if keep in (r.start, r.end)}
    result = MergeResult(keep, drop)
    with store.transaction(source=f"merge:{drop}->{keep}") as tx:
        if store.revision() != revision:
            raise Conflict("De kaart veranderde tijdens het samenvoegen; probeer het opnieuw. / "
                           "The map changed during the merge; try again.")
        props, result.filled = _merged_props(keep_node, drop_node)
        tx.upsert_node(Node(keep, keep_node.label, props))
        _move_relationships(tx, touching, existing, result)
        tx.delete_node(drop)
    return result


def _move_relationships(tx: Transaction, touching: list[Relationship],
                        existing: dict[tuple[str, str, str, str], Relationship], result: MergeResult) -> None:
    now = utc_now()
    for rel in touching:
        moved = _moved(rel, result.drop, result.keep)
        if moved.start == moved.end:
            result.dropped_self_ties += 1
            continue
        before = existing.get(moved.ident)
        if before is not None:
            tx.upsert_relationship(_combined(moved, before, now, result.drop))
            result.combined += 1
            continue
        props = dict(moved.props)
        if moved.type == "TIE":  # the new pair's history starts now; the old pair's stays as it was
            props.update(changed_at=now, source=f"merge:{result.drop}")
        tx.upsert_relationship(Relationship(moved.type, moved.start, moved.end, props, moved.key))
        result.moved += 1


def merged_history(store: GraphStore, node_id: str) -> list[TieEvent]:
    """Tie history of a node including that of the nodes merged into it (under their old ids).

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> merged_history(open_store("sqlite:///:memory:"), "nobody")
    Traceback (most recent call last):
    ...
    graphsvc.errors.NotFound: There is no node with id 'nobody'.
    """
    node = store.get_node(node_id)
    ids = [node_id, *node.props.get("merged_from", [])]
    seen: set[int] = set()
    events: list[TieEvent] = []
    for one in ids:
        for event in store.tie_history(one):
            if event.seq not in seen:
                seen.add(event.seq)
                events.append(event)
    return sorted(events, key=lambda e: e.seq)

