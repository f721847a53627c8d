"""One write transaction on Neo4j: the SQLite store's semantics, planned in Python, written in batches.

A batch of upserts costs one read (the stored state of every id or relationship in it) and one
``UNWIND $rows … MERGE`` per label or type. The records are then planned one by one, in order,
against that state, exactly as :class:`graphsvc.store.sqlite.SQLiteStore` handles them one at a
time: unchanged records change nothing, versions count up, a tie whose rung moves gets a history
event, and the first invalid record raises after the records before it were written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, LiteralString, TypeVar

import neo4j

from graphsvc.errors import Conflict, InvalidInput
from graphsvc.model import Node, Relationship, TieEvent, tie_pair, validate_node, validate_relationship
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.base import Transaction, utc_now

__all__ = ["Neo4jTransaction", "BATCH", "node_from", "dump_props"]

BATCH = 5000  # rows per UNWIND: Neo4j's sweet spot is 1k–10k
T = TypeVar("T")
Ident = tuple[str, str, str, str]
Translate = Callable[[Exception], Exception]


def dump_props(props: Mapping[str, Any]) -> str:
    """Properties as the canonical JSON text both stores compare (same as the SQLite store)."""
    return json.dumps(dict(props), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def node_from(row: Mapping[str, Any] | neo4j.Record) -> Node:
    """A :class:`Node` from a row with the node fields of :mod:`neo4j_cypher`."""
    return Node(row["id"], row["label"], json.loads(row["props_json"]), row["version"],
                row["created_at"], row["updated_at"])


def _chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


@dataclass
class _Stored:
    """What the database holds for one id or relationship while a batch is planned."""

    props_json: str
    version: int
    label: str = ""


class Neo4jTransaction(Transaction):
    """The :class:`~graphsvc.store.base.Transaction` of :class:`~graphsvc.store.neo4j.Neo4jStore`."""

    def __init__(self, tx: neo4j.Transaction, source: str, event_seq: int, translate: Translate) -> None:
        self.tx = tx
        self.source = source
        self.changed = 0
        self.event_seq = event_seq
        self.now = utc_now()
        self._translate = translate

    def _run(self, query: LiteralString, **params: Any) -> list[neo4j.Record]:
        try:
            return list(self.tx.run(query, params))
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
            raise self._translate(exc) from None

    # -- nodes -------------------------------------------------------------------------------
    def get_node(self, node_id: str) -> Node | None:
        rows = self._run(q.GET_NODE, id=node_id)
        return node_from(rows[0]) if rows else None

    def upsert_node(self, node: Node, *, expected_version: int | None = None) -> bool:
        return self._upsert_node_batch([node], expected_version) > 0

    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        return sum(self._upsert_node_batch(chunk) for chunk in _chunks(nodes))

    def _upsert_node_batch(self, nodes: list[Node], expected_version: int | None = None) -> int:
        ids = list({n.id for n in nodes if isinstance(n.id, str)})
        stored = {r["id"]: _Stored(r["props_json"], r["version"], r["label"])
                  for r in self._run(q.NODE_STATE, ids=ids)}
        rows: dict[str, dict[str, Any]] = {}
        changed = 0
        try:
            for node in nodes:
                changed += self._plan_node(node, stored, rows, expected_version)
        finally:  # what was planned before an invalid record is written, as on SQLite
            by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for row in rows.values():
                by_label[row["label"]].append(row)
            for label, label_rows in by_label.items():
                self._run(q.WRITE_NODES[label], rows=label_rows)
            self.changed += changed
        return changed

    def _plan_node(self, node: Node, stored: dict[str, _Stored], rows: dict[str, dict[str, Any]],
                   expected_version: int | None) -> int:
        validate_node(node)
        props = dump_props(node.props)
        old = stored.get(node.id)
        if expected_version is not None and (old.version if old else 0) != expected_version:
            raise Conflict(f"{node.name!r} was changed by someone else; reload and try again.",
                           current_version=old.version if old else 0)
        row = {"id": node.id, "label": node.label, "name": node.props["name"], "props_json": props}
        if old is None:
            created = node.created_at or self.now
            row.update(version=1, created_at=created, updated_at=node.updated_at or created)
        elif old.label != node.label:
            raise InvalidInput(f"Id {node.id!r} already belongs to a {old.label}, not a {node.label}.")
        elif old.props_json == props:
            return 0
        else:
            row.update(version=old.version + 1, updated_at=node.updated_at or self.now)
        stored[node.id] = _Stored(props, row["version"], node.label)
        rows[node.id] = {**rows.get(node.id, {}), **row}
        return 1

    def delete_node(self, node_id: str) -> bool:
        ties = sorted((r["start"], r["end"], r["props_json"]) for r in self._run(q.NODE_TIES, id=node_id))
        events = [self._event(a, b, int(json.loads(p).get("rung", 0)), 0, {}) for a, b, p in ties]
        if events:
            self._run(q.ADD_EVENTS, rows=events)
        deleted = self._run(q.DELETE_NODE, id=node_id)[0]["deleted"]
        self.changed += len(ties) + deleted
        return deleted > 0

    # -- relationships -------------------------------------------------------------------------
    def upsert_relationship(
        self, rel: Relationship, *, expected_version: int | None = None, record_history: bool = True
    ) -> bool:
        return self._upsert_rel_batch([rel], expected_version, record_history) > 0

    def upsert_relationships(self, rels: Iterable[Relationship]) -> int:
        return sum(self._upsert_rel_batch(chunk) for chunk in _chunks(rels))

    def _read_rel_state(self, rels: list[Relationship]) -> tuple[dict[Ident, _Stored], dict[str, str]]:
        keys = list({r.ident: None for r in rels if all(isinstance(x, str) for x in r.ident)})
        params = [{"i": i, "type": t, "start": s, "end": e, "key": k} for i, (t, s, e, k) in enumerate(keys)]
        stored: dict[Ident, _Stored] = {}
        labels: dict[str, str] = {}
        for row in self._run(q.REL_STATE, keys=params):
            ident = keys[row["i"]]
            for node_id, label in ((ident[1], row["start_label"]), (ident[2], row["end_label"])):
                if label is not None:
                    labels[node_id] = label
            if row["props_json"] is not None:
                stored[ident] = _Stored(row["props_json"], row["version"])
        return stored, labels

    def _upsert_rel_batch(self, rels: list[Relationship], expected_version: int | None = None,
                          record_history: bool = True) -> int:
        stored, labels = self._read_rel_state(rels)
        rows: dict[Ident, dict[str, Any]] = {}
        events: list[dict[str, Any]] = []
        changed = 0
        try:
            for rel in rels:
                changed += self._plan_rel(rel, stored, labels, rows, events,
                                          expected_version, record_history)
        finally:
            self._write_rels(rows, events)
            self.changed += changed
        return changed

    def _write_rels(self, rows: dict[Ident, dict[str, Any]], events: list[dict[str, Any]]) -> None:
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (rel_type, start, end, key), fields in rows.items():
            by_type[rel_type].append({"start": start, "end": end, "key": key, "fields": fields})
        for rel_type, type_rows in by_type.items():
            self._run(q.WRITE_RELS[rel_type], rows=type_rows)
        if events:
            self._run(q.ADD_EVENTS, rows=events)

    def _label(self, labels: dict[str, str], node_id: str) -> str:
        label = labels.get(node_id)
        if label is None:
            raise InvalidInput(f"No node with id {node_id!r}; create it before linking to it.")
        return label

    def _plan_rel(self, rel: Relationship, stored: dict[Ident, _Stored], labels: dict[str, str],
                  rows: dict[Ident, dict[str, Any]], events: list[dict[str, Any]],
                  expected_version: int | None, record_history: bool) -> int:
        validate_relationship(rel, self._label(labels, rel.start), self._label(labels, rel.end))
        props = dump_props(rel.props)
        old = stored.get(rel.ident)
        if expected_version is not None and (old.version if old else 0) != expected_version:
            raise Conflict(f"This {rel.type.lower()} was changed by someone else; reload and try again.",
                           current_version=old.version if old else 0)
        fields: dict[str, Any] = {"props_json": props, "rung": rel.props.get("rung") if rel.type == "TIE" else None}
        if old is None:
            created = rel.created_at or self.now
            fields.update(version=1, created_at=created, updated_at=rel.updated_at or created)
            old_rung = 0
        elif old.props_json == props:
            return 0
        else:
            fields.update(version=old.version + 1, updated_at=rel.updated_at or self.now)
            old_rung = int(json.loads(old.props_json).get("rung", 0))
        new_rung = int(rel.props.get("rung", 0) or 0)
        if rel.type == "TIE" and record_history and old_rung != new_rung:
            events.append(self._event(rel.start, rel.end, old_rung, new_rung, rel.props))
        stored[rel.ident] = _Stored(props, fields["version"])
        rows[rel.ident] = {**rows.get(rel.ident, {}), **fields}
        return 1

    def _event(self, a: str, b: str, old: int, new: int, props: Mapping[str, Any]) -> dict[str, Any]:
        self.event_seq += 1
        return {
            "seq": self.event_seq, "a": a, "b": b, "old_rung": old, "new_rung": new,
            "at": _text(props.get("changed_at") or self.now),
            "source": _text(props.get("source") or self.source or ""),
            "session": _text(props.get("session") or ""),
            "declared_by": _text(props.get("declared_by") or ""),
        }

    def delete_relationship(
        self, rel_type: str, start: str, end: str, key: str = "", *, changed_at: str | None = None,
        source: str = "", session: str = "",
    ) -> bool:
        if rel_type == "TIE":
            start, end = tie_pair(start, end)
        rows = self._run(q.DELETE_REL, type=rel_type, start=start, end=end, key=key)
        if not rows:
            return False
        if rel_type == "TIE":
            old = int(json.loads(rows[0]["props_json"]).get("rung", 0))
            props = {"changed_at": changed_at, "source": source, "session": session}
            self._run(q.ADD_EVENTS, rows=[self._event(start, end, old, 0, props)])
        self.changed += 1
        return True

    def add_tie_events(self, events: Iterable[TieEvent]) -> int:
        count = 0
        for chunk in _chunks(events):
            rows = []
            for e in chunk:
                self.event_seq += 1
                rows.append({"seq": self.event_seq, "a": e.a, "b": e.b, "old_rung": e.old_rung,
                             "new_rung": e.new_rung, "at": e.at, "source": e.source,
                             "session": e.session, "declared_by": e.declared_by})
            self._run(q.ADD_EVENTS, rows=rows)
            count += len(rows)
        self.changed += count
        return count
