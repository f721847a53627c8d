"""Random writes to a real store, with the change-log entries they make, and a snapshot's full state.

:class:`ChangeScript` writes random creates, updates (properties added, changed, removed) and
deletes of nodes and relationships (a node delete with its relationships) to a store, one
transaction per step, and keeps the :class:`~graphsvc.model.ChangeEvent` entries a change log
records for them (relationship deletes before their node's, ``old``/``new`` holding only what
changed, the version after the change, the record's timestamps). Every write carries its own
timestamps, so the entries can say exactly what the store wrote.

:func:`snapshot_state` is everything a snapshot answers, as plain values, read through its public
API: two snapshots with equal states give every query the same answer.
"""

from __future__ import annotations

import random
from typing import Any

from graphsvc.model import ChangeEvent, Node, Relationship, tie_pair
from graphsvc.node_props import is_declared
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from graphsvc.store.base import read_consistent

__all__ = ["ChangeScript", "snapshot_state", "seed"]

ACTORS = ("Organisation", "Institution")
LINKS = {  # type -> (start labels, end labels)
    "TIE": (ACTORS, ACTORS),
    "WORKS_ON": (ACTORS, ("Interest",)),
    "ACTIVE_IN": (ACTORS, ("Neighbourhood",)),
    "FUNDS": (("Fund",), ("Organisation",)),
    "PART_OF": (("Neighbourhood",), ("Neighbourhood",)),
}
LABELS = ("Organisation", "Institution", "Interest", "Neighbourhood", "Fund")
Ident = tuple[str, str, str, str]


def seed(store: GraphStore, rng: random.Random, nodes: int = 24, rels: int = 40) -> None:
    """A small random graph to start from (written without a change log)."""
    script = ChangeScript(store, rng)
    for _ in range(nodes):
        script.step(1, ops=("node+",))
    for _ in range(rels):
        script.step(1, ops=("rel+",))


def _diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before = {k: v for k, v in old.items() if k not in new or new[k] != old[k]}
    after = {k: v for k, v in new.items() if k not in old or old[k] != v}
    return before, after


class ChangeScript:
    """See the module docstring; ``changes`` grows with every committed step."""

    def __init__(self, store: GraphStore, rng: random.Random) -> None:
        self.store, self.rng = store, rng
        data = read_consistent(store)
        self.nodes: dict[str, tuple[str, dict[str, Any], int]] = {
            n.id: (n.label, dict(n.props), n.version) for n in data.nodes}
        self.rels: dict[Ident, tuple[dict[str, Any], int]] = {
            r.ident: (dict(r.props), r.version) for r in data.relationships}
        self.changes: list[ChangeEvent] = []
        self.serial = len(self.nodes)
        self.clock = store.revision() * 10

    # -- what one step may do --------------------------------------------------------------------
    def _now(self) -> str:
        self.clock += 1
        return f"2031-{1 + self.clock // 28 % 12:02d}-{1 + self.clock % 28:02d}T09:00:00Z"

    def _node_props(self, label: str) -> dict[str, Any]:
        props: dict[str, Any] = {"name": f"{label} {self.rng.randint(1, 999)}"}
        for key, values in (("kind", ["buurthuis", "sport", "zorg"]), ("volunteers", [3, 8, 20]),
                            ("languages", [["nl"], ["nl", "tr"]]), ("code", ["E", "WK0363EM"])):
            if self.rng.random() < 0.5 and is_declared(label, key):  # the store refuses the rest
                props[key] = self.rng.choice(values)
        return props

    def _rel_props(self, rel_type: str) -> dict[str, Any]:
        if rel_type == "TIE":
            props: dict[str, Any] = {"rung": self.rng.randint(1, 5)}
            if self.rng.random() < 0.5:
                props["note"] = self.rng.choice(["Samen een activiteit", "Kennen elkaar"])
            if self.rng.random() < 0.5:
                props["declared_by"] = self.rng.choice(["self", "both", "coach"])
            return props
        if rel_type == "WORKS_ON":
            return {"weight": self.rng.randint(1, 3)}
        if rel_type == "FUNDS":
            return {"amount": self.rng.randint(1, 90) * 500, "year": self.rng.choice([2024, 2025])}
        return {}

    def _changed_props(self, props: dict[str, Any], fresh: dict[str, Any], keep: tuple[str, ...],
                       bump: str = "name") -> dict[str, Any]:
        """Some keys changed, some added, some removed (never those in ``keep``); ``bump`` (a
        declared text key) changes when nothing else did."""
        out = dict(props)
        for key, value in fresh.items():
            if self.rng.random() < 0.6:
                out[key] = value
        for key in list(out):
            if key not in keep and self.rng.random() < 0.3:
                del out[key]
        if out == props:
            out[bump] = f"{out.get(bump, '')} {self.rng.randint(1, 10**6)}"
        return out

    def _ids(self, labels: tuple[str, ...], taken: set[str]) -> list[str]:
        return sorted(i for i, (label, _, _) in self.nodes.items() if label in labels and i not in taken)

    # -- the step ----------------------------------------------------------------------------------
    def step(self, size: int = 3, ops: tuple[str, ...] = ("node+", "node~", "node-", "rel+", "rel+", "rel~",
                                                          "rel~", "rel-")) -> int:
        """One transaction of up to ``size`` random operations on distinct records; its revision."""
        pending: list[dict[str, Any]] = []
        taken: set[str] = set()  # records (node ids, relationship idents) touched in this step
        with self.store.transaction(source="script") as tx:
            for _ in range(size):
                op = self.rng.choice(ops)
                getattr(self, {"node+": "_create_node", "node~": "_update_node", "node-": "_delete_node",
                               "rel+": "_create_rel", "rel~": "_update_rel", "rel-": "_delete_rel"}[op])(
                    tx, pending, taken)
        revision = self.store.revision()
        for i, entry in enumerate(pending):
            self.changes.append(ChangeEvent(len(self.changes) + i + 1, revision, entry.pop("at"), "script",
                                            "script", **entry))
        return revision

    def _create_node(self, tx: Any, pending: list[dict[str, Any]], taken: set[str]) -> None:
        self.serial += 1
        label = self.rng.choice(LABELS)
        # ids above and below the existing ones: a new node lands in the middle of the order too
        node_id = f"{self.rng.choice('aoz')}-{self.serial:04d}"
        props, at = self._node_props(label), self._now()
        tx.upsert_node(Node(node_id, label, props, created_at=at, updated_at=at))
        self.nodes[node_id] = (label, props, 1)
        taken.add(node_id)
        pending.append(dict(at=at, op="create", kind="node", label=label, start=node_id, new=props, version=1))

    def _update_node(self, tx: Any, pending: list[dict[str, Any]], taken: set[str]) -> None:
        ids = self._ids(LABELS, taken)
        if not ids:
            return
        node_id = self.rng.choice(ids)
        label, props, version = self.nodes[node_id]
        new = self._changed_props(props, self._node_props(label), keep=("name",))
        at = self._now()
        tx.upsert_node(Node(node_id, label, new, updated_at=at))
        self.nodes[node_id] = (label, new, version + 1)
        taken.add(node_id)
        old, fresh = _diff(props, new)
        pending.append(dict(at=at, op="update", kind="node", label=label, start=node_id, old=old, new=fresh,
                            version=version + 1))

    def _delete_node(self, tx: Any, pending: list[dict[str, Any]], taken: set[str]) -> None:
        linked = {part for record in taken for part in record.split("|")[1:3]}  # touched relationships' ends
        ids = [i for i in self._ids(LABELS, taken) if i not in linked]
        if not ids:
            return
        node_id = self.rng.choice(ids)
        at = self._now()
        for ident in sorted(i for i in self.rels if node_id in (i[1], i[2])):  # logged first
            props, _ = self.rels.pop(ident)
            pending.append(dict(at=at, op="delete", kind="relationship", label=ident[0], start=ident[1],
                                end=ident[2], key=ident[3], old=props, version=0))
        label, props, _ = self.nodes.pop(node_id)
        tx.delete_node(node_id)
        taken.add(node_id)
        pending.append(dict(at=at, op="delete", kind="node", label=label, start=node_id, old=props, version=0))

    def _create_rel(self, tx: Any, pending: list[dict[str, Any]], taken: set[str]) -> None:
        rel_type = "TIE" if self.rng.random() < 0.4 else self.rng.choice(sorted(LINKS))
        starts, ends = (self._ids(labels, set()) for labels in LINKS[rel_type])
        if not starts or not ends:
            return
        start, end = self.rng.choice(starts), self.rng.choice(ends)
        if rel_type == "TIE":
            if start == end:
                return
            start, end = tie_pair(start, end)
        key = f"grant-{self.rng.randint(1, 3)}" if rel_type == "FUNDS" else ""
        ident = (rel_type, start, end, key)
        if ident in self.rels or "|".join(ident) in taken:
            return
        props, at = self._rel_props(rel_type), self._now()
        tx.upsert_relationship(Relationship(rel_type, start, end, props, key, created_at=at, updated_at=at))
        self.rels[ident] = (props, 1)
        taken.add("|".join(ident))
        pending.append(dict(at=at, op="create", kind="relationship", label=rel_type, start=start, end=end,
                            key=key, new=props, version=1))

    def _pick_rel(self, taken: set[str]) -> Ident | None:
        idents = sorted(i for i in self.rels if "|".join(i) not in taken)
        return self.rng.choice(idents) if idents else None

    def _update_rel(self, tx: Any, pending: list[dict[str, Any]], taken: set[str]) -> None:
        ident = self._pick_rel(taken)
        if ident is None:
            return
        props, version = self.rels[ident]
        new = self._changed_props(props, self._rel_props(ident[0]), keep=("rung",),
                                  bump="note" if ident[0] == "TIE" else "source")
        at = self._now()
        tx.upsert_relationship(Relationship(*ident[:3], new, ident[3], updated_at=at))
        self.rels[ident] = (new, version + 1)
        taken.add("|".join(ident))
        old, fresh = _diff(props, new)
        pending.append(dict(at=at, op="update", kind="relationship", label=ident[0], start=ident[1],
                            end=ident[2], key=ident[3], old=old, new=fresh, version=version + 1))

    def _delete_rel(self, tx: Any, pending: list[dict[str, Any]], taken: set[str]) -> None:
        ident = self._pick_rel(taken)
        if ident is None:
            return
        props, _ = self.rels.pop(ident)
        at = self._now()
        tx.delete_relationship(*ident, changed_at=at)
        taken.add("|".join(ident))
        pending.append(dict(at=at, op="delete", kind="relationship", label=ident[0], start=ident[1],
                            end=ident[2], key=ident[3], old=props, version=0))


def snapshot_state(snap: Snapshot) -> dict[str, Any]:
    """Everything the snapshot answers, as plain values (through its public API)."""
    ids = sorted(snap.nodes)
    types = sorted(set(LINKS) | {r.type for r in snap.relationships()})
    return {
        "revision": snap.revision,
        "nodes": {i: (n.label, dict(n.props), list(n.props), n.version, n.created_at, n.updated_at)
                  for i, n in snap.nodes.items()},
        "node_order": list(snap.nodes),
        "labels": {label: list(snap.labelled(label)) for label in (*LABELS, "Session")},
        "out": {t: {i: [(e.other, dict(e.props), list(e.props)) for e in snap.out(t, i)] for i in ids
                    if snap.out(t, i)} for t in types},
        "into": {t: {i: [(e.other, dict(e.props), list(e.props)) for e in snap.into(t, i)] for i in ids
                     if snap.into(t, i)} for t in types},
        "ties": {a: list(partners.items()) for a, partners in snap.ties.items()},  # partners in id order
        "rungs": {(a, b): snap.rung(a, b) for a in ids for b in ids if snap.rung(a, b)},
        "tie_props": {pair: dict(props) for pair, props in snap.tie_props.items()},
        "relationship_count": snap.relationship_count,
        "relationships": [(r.ident, dict(r.props)) for r in snap.relationships()],
        "tie_events": [(e.seq, e.as_dict()) for e in snap.tie_events],
    }
