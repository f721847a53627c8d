"""One write transaction on Neo4j: the SQLite store's semantics, planned in Python, written in batches.

A batch of upserts costs at most one read (the stored state of every id or relationship in it
that the transaction has not seen yet) and, once enough waits, one ``UNWIND $rows … MERGE`` per
label or type. The records are planned one by one, in order, against that state, exactly as
:class:`graphsvc.store.sqlite.SQLiteStore` handles them one at a time: unchanged records change
nothing, versions count up, a tie whose rung moves gets a history event, every change gets a
change-log entry (written with the batches), and the first invalid record raises with the records
before it kept.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, TypeVar

import neo4j

from graphsvc.errors import Conflict, InvalidInput
from graphsvc.model import (
    ChangeEvent,
    Node,
    Relationship,
    TieEvent,
    tie_pair,
    validate_node,
    validate_relationship,
)
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.base import (
    Rewrite,
    change_from_row,
    json_key,
    stamp_or_none,
)
from graphsvc.store.neo4j_bulk import Sent, sent_node, sent_rel
from graphsvc.store.neo4j_props import (
    NODE_KEYS,
    REL_KEYS,
    as_sent,
    dump_props,
    from_neo4j,
    node_from,
    stamp_to_neo4j,
    stored_node,
    stored_rel,
)
from graphsvc.store.neo4j_props import (
    canonical as _canon,
)
from graphsvc.store.neo4j_props import (
    merged as _merged,
)
from graphsvc.store.neo4j_tx_state import DRIVER_ERRORS, Neo4jTxState, _Stored

__all__ = ["Neo4jTransaction", "BATCH"]

BATCH = 5000  # rows per UNWIND: Neo4j's sweet spot is 1k–10k
T = TypeVar("T")


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, BATCH)):
        yield chunk


class Neo4jTransaction(Neo4jTxState):
    """The :class:`~graphsvc.store.base.Transaction` of :class:`~graphsvc.store.neo4j.Neo4jStore`.

    It remembers what it read and wrote (the store's writer lock keeps other writers out until
    commit), so a record it has seen costs no second read, and a relationship of a node created
    in this transaction needs no read at all. Planned writes wait (``_node_rows``, ``_rel_rows``,
    ``_events``, ``_changes``) until a batch is full or something has to see them; :meth:`flush`
    sends them, and the store flushes before commit. ``revision`` is the revision the transaction
    commits as (the writer lock is held from the start), ``change_seq`` the last log number.
    """

    def flush(self) -> None:
        """Write what waits: nodes by label, then relationships by type, then tie events."""
        by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self._node_rows.values():
            plain, temporal = as_sent(row["props"])
            by_label[row["label"]].append({"props": plain, "temporal": temporal})
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (rel_type, start, end, _key), fields in self._rel_rows.items():
            plain, temporal = as_sent(fields["props"])
            by_type[rel_type].append({"start": start, "end": end, "props": plain, "temporal": temporal})
        self._node_rows, self._rel_rows = {}, {}
        events, self._events = self._events, []
        changes, self._changes = self._changes, []
        for label, rows in by_label.items():
            for chunk in _chunks(rows):
                if self._creating:  # see expect_new
                    self._run(q.CREATE_NODES[label], props=[r["props"] for r in chunk],
                              temporal=[r["temporal"] for r in chunk])
                else:
                    self._run(q.WRITE_NODES[label], rows=chunk)
        for rel_type, rows in by_type.items():
            for chunk in _chunks(rows):
                if self._creating:
                    self._created(self._send_rels(rel_type, chunk))
                else:
                    self._run(q.WRITE_RELS[rel_type], rows=chunk)
        for chunk in _chunks(events):
            self._send(q.ADD_EVENTS, rows=chunk)
        for chunk in _chunks(changes):
            self._send(q.ADD_CHANGES, rows=chunk)

    def _flush_if_full(self) -> None:
        if len(self._node_rows) + len(self._rel_rows) + len(self._events) + len(self._changes) >= BATCH:
            self.flush()

    # -- the change log --------------------------------------------------------------------------
    def add_changes(self, events: Iterable[ChangeEvent]) -> int:
        count = 0
        for e in events:
            self.change_seq += 1
            self._changes.append({
                "seq": self.change_seq, "revision": 0, "at": e.at, "actor": e.actor,
                "source": e.source, "op": e.op, "kind": e.kind, "label": e.label, "start": e.start,
                "end": e.end, "key": e.key, "old_json": dump_props(e.old),
                "new_json": dump_props(e.new), "version": e.version,
                "created_at": stamp_or_none(e.created_at, e.at),
                "updated_at": stamp_or_none(e.updated_at, e.at),
            })
            count += 1
            self._flush_if_full()
        self.changed += count
        return count

    def set_stamps(self, nodes: Iterable[Node] = (), rels: Iterable[Relationship] = ()) -> int:
        self.flush()  # the records must be written before their stamps are set
        found = 0
        rows = [{"id": n.id, "version": n.version, "created_at": stamp_to_neo4j(n.created_at),
                 "updated_at": stamp_to_neo4j(n.updated_at)} for n in nodes]
        for chunk in _chunks(rows):
            found += self._run(q.STAMP_NODES, rows=chunk)[0]["found"]
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rels:
            by_type[r.type].append({"start": r.start, "end": r.end, "key": r.key, "version": r.version,
                                    "created_at": stamp_to_neo4j(r.created_at),
                                    "updated_at": stamp_to_neo4j(r.updated_at)})
        for rel_type, rel_rows in by_type.items():
            for chunk in _chunks(rel_rows):
                found += self._run(q.STAMP_RELS[rel_type], rows=chunk)[0]["found"]
        self._forget()  # cached record states hold the old versions
        return found

    # -- the bulk path (a migration into an empty graph) --------------------------------------------
    def create_nodes(self, nodes: Iterable[Node]) -> int:
        """Create nodes the graph does not hold, with their own versions and timestamps, without
        reading first and without change-log entries: what a migration into an empty graph writes
        (upserts plus :meth:`set_stamps` would end in the same state). A node that exists already
        is refused by the id constraint (:class:`~graphsvc.errors.Conflict`)."""
        self.flush()
        by_label: dict[str, list[Sent]] = defaultdict(list)
        count = 0
        for node in nodes:
            validate_node(node)
            created = node.created_at or self.now
            by_label[node.label].append(sent_node(node, created, node.updated_at or created))
            count += 1
        for label, rows in by_label.items():
            for sent in _chunks(rows):
                self._send(q.CREATE_NODES[label], props=[s[0] for s in sent], temporal=[s[1] for s in sent])
        self._forget()
        self.changed += count
        return count

    def create_relationships(self, rels: Iterable[Relationship], labels: Mapping[str, str]) -> int:
        """Create relationships the graph does not hold (as :meth:`create_nodes`; no tie history).
        ``labels``: the label of every node id they may link, for the checks of an upsert."""
        self.flush()
        by_type: dict[str, list[Relationship]] = defaultdict(list)
        count = 0
        for rel in rels:
            start, end = labels.get(rel.start), labels.get(rel.end)
            if start is None or end is None:
                missing = rel.start if start is None else rel.end
                raise InvalidInput(f"No node with id {missing!r}; create it before linking to it.")
            validate_relationship(rel, start, end)
            by_type[rel.type].append(rel)
            count += 1
        # the next batch is made while the server writes the one before (a result is only
        # waited for when the batch after it has been sent)
        waiting: tuple[str, int, neo4j.Result] | None = None
        for rel_type, of_type in by_type.items():
            for chunk in _chunks(of_type):
                rows = []
                for r in chunk:
                    plain, temporal = sent_rel(r, r.created_at or self.now, r.updated_at or r.created_at or self.now)
                    rows.append({"start": r.start, "end": r.end, "props": plain, "temporal": temporal})
                self._created(waiting)
                waiting = self._send_rels(rel_type, rows)
        self._created(waiting)
        self._forget()
        self.changed += count
        return count

    def _send_rels(self, rel_type: str, rows: list[dict[str, Any]]) -> tuple[str, int, neo4j.Result]:
        """Send one batch of relationships to create (rows as :meth:`flush` makes them); the
        answer is waited for by :meth:`_created`."""
        try:
            return rel_type, len(rows), self.tx.run(
                q.CREATE_RELS[rel_type], starts=[r["start"] for r in rows], ends=[r["end"] for r in rows],
                props=[r["props"] for r in rows], temporal=[r["temporal"] for r in rows])
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc

    def _created(self, waiting: tuple[str, int, neo4j.Result] | None) -> None:
        """Wait for a batch of :meth:`create_relationships`; all of it must have been created."""
        if waiting is None:
            return
        rel_type, count, result = waiting
        try:
            created = result.single(strict=True)["created"]
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc
        if created != count:
            raise InvalidInput(f"Some {rel_type} relationships link nodes the graph does not hold.")

    def rewrite_changes(self, field: str, rewrite: Rewrite) -> int:
        self.flush()
        rows = []
        for record in self._run(q.CHANGES_HOLDING, needle=json_key(field), id=None, before=2**63 - 1,
                                limit=2**62):
            event = change_from_row(record["row"])
            values = rewrite(event)
            if values is not None:
                rows.append({"seq": event.seq, "old_json": dump_props(values[0]),
                             "new_json": dump_props(values[1])})
        for chunk in _chunks(rows):
            self._run(q.REWRITE_CHANGES, rows=chunk)
        self.changed += len(rows)
        return len(rows)

    # -- nodes -------------------------------------------------------------------------------
    def get_node(self, node_id: str) -> Node | None:
        self.flush()
        rows = self._run(q.GET_NODE, id=node_id)
        return node_from(rows[0]) if rows else None

    def upsert_node(self, node: Node, *, expected_version: int | None = None) -> bool:
        return self._upsert_node_batch([node], expected_version) > 0

    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        return sum(self._upsert_node_batch(chunk) for chunk in _chunks(nodes))

    def _upsert_node_batch(self, nodes: list[Node], expected_version: int | None = None) -> int:
        self._learn_nodes(n.id for n in nodes)
        changed = 0
        try:
            for node in nodes:
                changed += self._plan_node(node, expected_version)
        finally:  # records before an invalid one stay written, as on SQLite
            self.changed += changed
            self._flush_if_full()
        return changed

    def _plan_node(self, node: Node, expected_version: int | None) -> int:
        validate_node(node)
        props = dump_props(node.props)
        old = self._nodes.get(node.id)
        if expected_version is not None and (old.version if old else 0) != expected_version:
            raise Conflict(f"{node.name!r} was changed by someone else; reload and try again.",
                           current_version=old.version if old else 0)
        if old is None:
            created = node.created_at or self.now
            version, updated = 1, node.updated_at or created
            self._fresh.add(node.id)
            self._change("create", "node", node.label, node.id, "", "", "{}", props, 1, created, updated)
            row = {"label": node.label, "props": stored_node(node, version, created, updated)}
        elif old.label != node.label:
            raise InvalidInput(f"Id {node.id!r} already belongs to a {old.label}, not a {node.label}.")
        elif old.props_json == props:
            return 0
        else:
            version, updated = old.version + 1, node.updated_at or self.now
            self._update("node", node.label, (node.id, "", ""), old.props_json, props, version, updated)
            row = {"label": node.label, "props": stored_node(node, version, None, updated)}
        self._nodes[node.id] = _Stored(props, version, node.label)
        self._labels[node.id] = node.label
        self._node_rows[node.id] = _merged(self._node_rows.get(node.id), row)
        return 1

    def delete_node(self, node_id: str) -> bool:
        self.flush()
        rels = sorted((r["type"], r["start"], r["end"], r["props"]["key"], _canon(r["props"], REL_KEYS))
                      for r in self._run(q.NODE_RELS, id=node_id))
        ties = [(a, b, p) for t, a, b, _, p in rels if t == "TIE"]
        events = [self._event(a, b, int(json.loads(p).get("rung", 0)), 0, {}) for a, b, p in ties]
        if events:
            self._run(q.ADD_EVENTS, rows=events)
        deleted = self._run(q.DELETE_NODE, id=node_id)
        self._forget()  # its relationships are gone too: start afresh
        self.changed += len(ties) + len(deleted)
        if not deleted:
            return False
        for rel_type, start, end, key, props in rels:  # logged as on SQLite: relationships first
            self._change("delete", "relationship", rel_type, start, end, key, props, "{}", 0)
        self._change("delete", "node", deleted[0]["label"], node_id, "", "",
                     _canon(deleted[0]["props"], NODE_KEYS), "{}", 0)
        return True

    # -- relationships -------------------------------------------------------------------------
    def upsert_relationship(
        self, rel: Relationship, *, expected_version: int | None = None, record_history: bool = True
    ) -> bool:
        return self._upsert_rel_batch([rel], expected_version, record_history) > 0

    def upsert_relationships(self, rels: Iterable[Relationship], *, record_history: bool = True) -> int:
        """Upsert many relationships in batches; ``record_history=False`` as in migration."""
        return sum(self._upsert_rel_batch(chunk, None, record_history) for chunk in _chunks(rels))

    def _upsert_rel_batch(self, rels: list[Relationship], expected_version: int | None = None,
                          record_history: bool = True) -> int:
        self._learn_rels(rels)
        changed = 0
        try:
            for rel in rels:
                changed += self._plan_rel(rel, expected_version, record_history)
        finally:
            self.changed += changed
            self._flush_if_full()
        return changed

    def _plan_rel(self, rel: Relationship, expected_version: int | None, record_history: bool) -> int:
        validate_relationship(rel, self._label(rel.start), self._label(rel.end))
        props = dump_props(rel.props)
        old = self._rels.get(rel.ident)
        if expected_version is not None and (old.version if old else 0) != expected_version:
            raise Conflict(f"This {rel.type.lower()} was changed by someone else; reload and try again.",
                           current_version=old.version if old else 0)
        if old is None:
            created = rel.created_at or self.now
            version, updated = 1, rel.updated_at or created
            self._change("create", "relationship", *rel.ident, "{}", props, 1, created, updated)
            fields = {"props": stored_rel(rel, version, created, updated)}
            old_rung = 0
        elif old.props_json == props:
            return 0
        else:
            version, updated = old.version + 1, rel.updated_at or self.now
            self._update("relationship", rel.type, (rel.start, rel.end, rel.key), old.props_json, props,
                         version, updated)
            fields = {"props": stored_rel(rel, version, None, updated)}
            old_rung = int(json.loads(old.props_json).get("rung", 0))
        new_rung = int(rel.props.get("rung", 0) or 0)
        if rel.type == "TIE" and record_history and old_rung != new_rung:
            self._events.append(self._event(rel.start, rel.end, old_rung, new_rung, rel.props))
        self._rels[rel.ident] = _Stored(props, version)
        self._rel_rows[rel.ident] = _merged(self._rel_rows.get(rel.ident), fields)
        return 1

    def delete_relationship(
        self, rel_type: str, start: str, end: str, key: str = "", *, changed_at: str | None = None,
        source: str = "", session: str = "",
    ) -> bool:
        if rel_type == "TIE":
            start, end = tie_pair(start, end)
        self.flush()
        rows = self._run(q.DELETE_REL, type=rel_type, start=start, end=end, key=key)
        self._rels[(rel_type, start, end, key)] = None
        if not rows:
            return False
        old_props = from_neo4j(rows[0]["props"], REL_KEYS)
        self._change("delete", "relationship", rel_type, start, end, key, dump_props(old_props), "{}", 0)
        if rel_type == "TIE":
            old = int(old_props.get("rung", 0))
            props = {"changed_at": changed_at, "source": source, "session": session}
            self._events.append(self._event(start, end, old, 0, props))
        self.changed += 1
        return True

    def add_tie_events(self, events: Iterable[TieEvent]) -> int:
        count = 0
        for e in events:
            self.event_seq += 1
            self._events.append({"seq": self.event_seq, "a": e.a, "b": e.b, "old_rung": e.old_rung,
                                 "new_rung": e.new_rung, "at": e.at, "source": e.source,
                                 "session": e.session, "declared_by": e.declared_by})
            count += 1
            self._flush_if_full()
        self.changed += count
        return count
