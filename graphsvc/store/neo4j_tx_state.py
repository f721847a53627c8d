"""What a Neo4j write transaction knows and plans: the stored state it has read, the change-log
entries and tie events it has planned, and the reads that learn the state of a batch.

:class:`~graphsvc.store.neo4j_tx.Neo4jTransaction` builds its upserts, deletes and batch writes
on this.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

import neo4j

from graphsvc.errors import InvalidInput
from graphsvc.model import Relationship
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.base import Transaction, prop_changes, stamp_or_none, utc_now
from graphsvc.store.neo4j_props import NODE_KEYS, REL_KEYS, dump_props
from graphsvc.store.neo4j_props import canonical as _canon

__all__ = ["Neo4jTxState", "Ident", "Translate", "DRIVER_ERRORS"]

Ident = tuple[str, str, str, str]
Translate = Callable[[Exception], Exception]
DRIVER_ERRORS = (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


@dataclass
class _Stored:
    """What the graph holds for one node or relationship, as far as this transaction knows."""

    props_json: str
    version: int
    label: str = ""


class Neo4jTxState(Transaction):
    """The state of a :class:`~graphsvc.store.neo4j_tx.Neo4jTransaction`: what it has read and
    planned, and the reads and plans of log entries and tie events that do not write yet."""

    def __init__(self, tx: neo4j.Transaction, source: str, event_seq: int, translate: Translate, *,
                 actor: str = "", change_seq: int = 0, revision: int = 1,
                 record_changes: bool = True) -> None:
        self.tx = tx
        self.source = source
        self.actor = actor
        self.changed = 0
        self.event_seq = event_seq
        self.change_seq = change_seq
        self.revision = revision
        self.now = utc_now()
        self._translate = translate
        self._record_changes = record_changes
        self._forget()
        self._node_rows: dict[str, dict[str, Any]] = {}
        self._rel_rows: dict[Ident, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._changes: list[dict[str, Any]] = []

    def expect_new(self, labels: Mapping[str, str]) -> None:
        """Plan the upserts that follow as creates, without reading first: the caller knows the
        graph holds none of the nodes ``labels`` names (id → label) and no relationship between
        them or to them, e.g. an import into an empty graph (see ``bulk_create``). Versions,
        timestamps, tie history and the change log come out as the upserts would make them; the
        rows are written with ``CREATE``. A node that exists after all is refused by the id
        constraint (:class:`~graphsvc.errors.Conflict`), so a wrong guess writes nothing."""
        self._creating = True
        for node_id, label in labels.items():
            self._nodes[node_id] = None
            self._labels[node_id] = label
            self._fresh.add(node_id)

    def _forget(self) -> None:
        self._nodes: dict[str, _Stored | None] = {}  # None: known not to exist
        self._labels: dict[str, str | None] = {}
        self._rels: dict[Ident, _Stored | None] = {}
        self._fresh: set[str] = set()  # created in this transaction: no relationships stored before
        self._complete: set[str] = set()  # nodes whose outgoing relationships are all in _rels
        self._creating = False  # see expect_new: planned rows are written with CREATE

    def _run(self, query: LiteralString, **params: Any) -> list[neo4j.Record]:
        try:
            return list(self.tx.run(query, params))
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc

    def _send(self, query: LiteralString, **params: Any) -> None:
        """Send a write whose answer nobody reads, without waiting for it: the next batch is made
        while the server writes this one (a later read, or the commit, waits for it, and an
        error in it shows there)."""
        try:
            self.tx.run(query, params)
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc

    def _change(self, op: str, kind: str, label: str, start: str, end: str, key: str, old_json: str,
                new_json: str, version: int, created_at: str = "", updated_at: str = "") -> None:
        """Plan one change-log entry (``old_json``/``new_json`` as JSON text)."""
        if not self._record_changes:
            return
        self.change_seq += 1
        self._changes.append({
            "seq": self.change_seq, "revision": self.revision, "at": self.now, "actor": self.actor,
            "source": self.source, "op": op, "kind": kind, "label": label, "start": start,
            "end": end, "key": key, "old_json": old_json, "new_json": new_json, "version": version,
            "created_at": stamp_or_none(created_at, self.now),
            "updated_at": stamp_or_none(updated_at, self.now),
        })

    def _update(self, kind: str, label: str, ident: tuple[str, str, str], old_json: str,
                new_json: str, version: int, updated_at: str) -> None:
        if self._record_changes:
            old, new = prop_changes(json.loads(old_json), json.loads(new_json))
            self._change("update", kind, label, *ident, dump_props(old), dump_props(new), version,
                         updated_at=updated_at)

    def _learn_nodes(self, ids: Iterable[str]) -> None:
        unknown = list({i for i in ids if isinstance(i, str) and i not in self._nodes})
        if not unknown:
            return
        for i in unknown:
            self._nodes[i] = self._labels[i] = None
        for r in self._run(q.NODE_STATE, ids=unknown):
            stored = r["props"]
            self._nodes[stored["id"]] = _Stored(_canon(stored, NODE_KEYS), stored["version"], r["label"])
            self._labels[stored["id"]] = r["label"]

    def _learn_rels(self, rels: list[Relationship]) -> None:
        keys = []
        for ident in dict.fromkeys(r.ident for r in rels):
            if ident in self._rels or ident[1] in self._complete or not all(isinstance(x, str) for x in ident):
                continue
            if ident[1] in self._fresh or ident[2] in self._fresh:
                self._rels[ident] = None  # a node new in this transaction has only what we wrote
            else:
                keys.append(ident)
        if len(keys) == 1:  # a single upsert: learn all of its start node's relationships
            self._learn_rels_from(keys[0][1])
        elif keys:
            self._learn_rel_keys(keys)
        for ident in keys:
            self._rels.setdefault(ident, None)
        self._learn_nodes(x for r in rels for x in (r.start, r.end) if x not in self._labels)

    def _learn_rel_keys(self, keys: list[Ident]) -> None:
        params = [{"i": n, "type": t, "start": s, "end": e, "key": k} for n, (t, s, e, k) in enumerate(keys)]
        for row in self._run(q.REL_STATE, keys=params):
            ident = keys[row["i"]]
            self._labels.setdefault(ident[1], row["start_label"])
            self._labels.setdefault(ident[2], row["end_label"])
            if row["props"] is not None:
                stored = row["props"]
                self._rels[ident] = _Stored(_canon(stored, REL_KEYS), stored["version"])

    def _learn_rels_from(self, start: str) -> None:
        for row in self._run(q.RELS_FROM, starts=[start]):
            self._labels.setdefault(start, row["start_label"])
            if row["type"] is not None:
                self._labels.setdefault(row["end"], row["end_label"])
                stored = row["props"]
                ident = (row["type"], start, row["end"], stored["key"])
                if ident not in self._rels:  # what this transaction wrote or deleted stands
                    self._rels[ident] = _Stored(_canon(stored, REL_KEYS), stored["version"])
        self._complete.add(start)  # every relationship from here is now known

    def _label(self, node_id: str) -> str:
        label = self._labels.get(node_id)
        if label is None:
            raise InvalidInput(f"No node with id {node_id!r}; create it before linking to it.")
        return label

    def _event(self, a: str, b: str, old: int, new: int, props: Mapping[str, Any]) -> dict[str, Any]:
        self.event_seq += 1
        return {
            "seq": self.event_seq, "a": a, "b": b, "old_rung": old, "new_rung": new,
            "at": _text(props.get("changed_at") or self.now),
            "source": _text(props.get("source") or self.source or ""),
            "session": _text(props.get("session") or ""),
            "declared_by": _text(props.get("declared_by") or ""),
        }
