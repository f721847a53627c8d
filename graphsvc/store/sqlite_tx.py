"""One SQLite write transaction: nodes, relationships, the tie history and the change log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

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
from graphsvc.store.base import (
    Rewrite,
    change_from_row,
    json_key,
    prop_changes,
    stamp_or_none,
    utc_now,
)
from graphsvc.store.sqlite_bulk import ADD_EVENT, BulkWrites, dump_props
from graphsvc.store.sqlite_schema import node_from

__all__ = ["SQLiteTransaction", "LOG_BATCH"]

_ADD_CHANGE = (
    'INSERT INTO changes (revision, at, actor, source, op, kind, label, start, "end", key, old, new, '
    "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
LOG_BATCH = 5000  # change-log rows written per executemany
_dump = dump_props


class SQLiteTransaction(BulkWrites):
    """One transaction of :class:`~graphsvc.store.sqlite.SQLiteStore`, on its writer connection."""

    def __init__(self, conn: sqlite3.Connection, source: str, actor: str, record_changes: bool) -> None:
        self.conn = conn
        self.source = source
        self.actor = actor
        self.changed = 0
        self.now = utc_now()
        # labels never change under an id, so a per-transaction cache is safe (cleared on delete)
        self._labels: dict[str, str] = {}
        self._record_changes = record_changes
        self._revision = 0  # the revision this transaction commits as; read with the first entry
        self._log: list[tuple[Any, ...]] = []  # change-log rows waiting for one executemany
        self._creating = False  # see expect_new

    # -- the change log ------------------------------------------------------------------------
    def _change(self, op: str, kind: str, label: str, start: str, end: str, key: str, old: str,
                new: str, version: int, created_at: str = "", updated_at: str = "") -> None:
        """Log one change (``old``/``new`` as JSON text); written in batches, before commit."""
        if not self._record_changes:
            return
        if not self._revision:  # under the writer lock: nobody else can commit meanwhile
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
            self._revision = int(row[0]) + 1
        now = self.now
        self._log.append((self._revision, now, self.actor, self.source, op, kind, label, start, end,
                          key, old, new, version, None if created_at == now else created_at,
                          None if updated_at == now else updated_at))  # as stamp_or_none
        if len(self._log) >= LOG_BATCH:
            self.flush_log()

    def _update(self, kind: str, label: str, ident: tuple[str, str, str], old_json: str,
                new_json: str, version: int, updated_at: str) -> None:
        if self._record_changes:
            old, new = prop_changes(json.loads(old_json), json.loads(new_json))
            self._change("update", kind, label, *ident, _dump(old), _dump(new), version,
                         updated_at=updated_at)

    def flush_log(self) -> None:
        """Write the change-log rows that wait (the store calls it before commit)."""
        if self._log:
            self.conn.executemany(_ADD_CHANGE, self._log)
            self._log = []

    def add_changes(self, events: Iterable[ChangeEvent]) -> int:
        self.flush_log()
        rows = [(0, e.at, e.actor, e.source, e.op, e.kind, e.label, e.start, e.end, e.key,
                 _dump(e.old), _dump(e.new), e.version, stamp_or_none(e.created_at, e.at),
                 stamp_or_none(e.updated_at, e.at)) for e in events]
        self.conn.executemany(_ADD_CHANGE, rows)
        self.changed += len(rows)
        return len(rows)

    def set_stamps(self, nodes: Iterable[Node] = (), rels: Iterable[Relationship] = ()) -> int:
        found = 0
        for n in nodes:
            found += self.conn.execute(
                "UPDATE nodes SET version = ?, created_at = coalesce(?, created_at), "
                "updated_at = coalesce(?, updated_at) WHERE id = ?",
                (n.version, n.created_at, n.updated_at, n.id)).rowcount
        for r in rels:
            found += self.conn.execute(
                "UPDATE relationships SET version = ?, created_at = coalesce(?, created_at), "
                "updated_at = coalesce(?, updated_at) "
                'WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
                (r.version, r.created_at, r.updated_at, r.type, r.start, r.end, r.key)).rowcount
        return found

    def rewrite_changes(self, field: str, rewrite: Rewrite) -> int:
        self.flush_log()
        needle = json_key(field)
        rows = self.conn.execute(
            "SELECT * FROM changes WHERE kind = 'node' AND (instr(old, ?) OR instr(new, ?))",
            (needle, needle),
        ).fetchall()
        count = 0
        for row in rows:
            values = rewrite(change_from_row(row))
            if values is not None:
                self.conn.execute("UPDATE changes SET old = ?, new = ? WHERE seq = ?",
                                  (_dump(values[0]), _dump(values[1]), row[0]))
                count += 1
        self.changed += count
        return count

    def _label(self, node_id: str) -> str:
        label = self._labels.get(node_id)
        if label is not None:
            return label
        row = self.conn.execute("SELECT label FROM nodes WHERE id = ?", (node_id,)).fetchone()
        if row is None:
            raise InvalidInput(f"No node with id {node_id!r}; create it before linking to it.")
        self._labels[node_id] = str(row[0])
        return str(row[0])

    def get_node(self, node_id: str) -> Node | None:
        row = self.conn.execute("SELECT * FROM nodes WHERE id = ?", (node_id,)).fetchone()
        return node_from(row) if row else None

    def upsert_node(self, node: Node, *, expected_version: int | None = None) -> bool:
        validate_node(node)
        props = _dump(node.props)
        created = node.created_at or self.now
        updated = node.updated_at or created
        if expected_version in (None, 0):
            # the common case in imports is a new node: one statement instead of two
            inserted = self.conn.execute(
                "INSERT INTO nodes VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(id) DO NOTHING",
                (node.id, node.label, props, created, updated),
            ).rowcount
            if inserted:
                self._labels[node.id] = node.label
                self.changed += 1
                self._change("create", "node", node.label, node.id, "", "", "{}", props, 1,
                             created, updated)
                return True
        row = self.conn.execute(
            "SELECT label, props, version FROM nodes WHERE id = ?", (node.id,)
        ).fetchone()
        if expected_version is not None and (row[2] if row else 0) != expected_version:
            raise Conflict(
                f"{node.name!r} was changed by someone else; reload and try again.",
                current_version=row[2] if row else 0,
            )
        if row is None:
            self.conn.execute(
                "INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?)",
                (node.id, node.label, props, 1, created, updated),
            )
            self._change("create", "node", node.label, node.id, "", "", "{}", props, 1,
                         created, updated)
        elif row[0] != node.label:
            raise InvalidInput(
                f"Id {node.id!r} already belongs to a {row[0]}, not a {node.label}."
            )
        elif row[1] == props:
            return False
        else:
            self.conn.execute(
                "UPDATE nodes SET props = ?, version = version + 1, updated_at = ? WHERE id = ?",
                (props, node.updated_at or self.now, node.id),
            )
            self._update("node", node.label, (node.id, "", ""), row[1], props, row[2] + 1,
                         node.updated_at or self.now)
        self.changed += 1
        return True

    def delete_node(self, node_id: str) -> bool:
        self._labels.pop(node_id, None)
        node = self.conn.execute("SELECT label, props FROM nodes WHERE id = ?", (node_id,)).fetchone()
        if node is None:
            return False
        # its relationships go first, each logged (and a TIE's end in the tie history)
        for rel_type, start, end, key, props in self.conn.execute(
            'SELECT type, start, "end", key, props FROM relationships WHERE start = ? OR "end" = ? '
            'ORDER BY type, start, "end", key',
            (node_id, node_id),
        ).fetchall():
            if rel_type == "TIE":
                self._add_event(start, end, int(json.loads(props).get("rung", 0)), 0, {})
                self.changed += 1
            self._change("delete", "relationship", rel_type, start, end, key, props, "{}", 0)
        self.conn.execute('DELETE FROM relationships WHERE start = ? OR "end" = ?', (node_id, node_id))
        self.conn.execute("DELETE FROM nodes WHERE id = ?", (node_id,))
        self._change("delete", "node", node[0], node_id, "", "", node[1], "{}", 0)
        self.changed += 1
        return True

    def upsert_relationship(
        self, rel: Relationship, *, expected_version: int | None = None, record_history: bool = True
    ) -> bool:
        validate_relationship(rel, self._label(rel.start), self._label(rel.end))
        props = _dump(rel.props)
        created = rel.created_at or self.now
        updated = rel.updated_at or created
        if expected_version in (None, 0):
            inserted = self.conn.execute(
                "INSERT INTO relationships VALUES (?, ?, ?, ?, ?, 1, ?, ?) "
                'ON CONFLICT(type, start, "end", key) DO NOTHING',
                (*rel.ident, props, created, updated),
            ).rowcount
            if inserted:
                if rel.type == "TIE" and record_history:
                    self._add_event(rel.start, rel.end, 0, int(rel.props.get("rung", 0) or 0),
                                    rel.props)
                self.changed += 1
                self._change("create", "relationship", *rel.ident, "{}", props, 1, created, updated)
                return True
        row = self.conn.execute(
            'SELECT props, version FROM relationships WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
            rel.ident,
        ).fetchone()
        if expected_version is not None and (row[1] if row else 0) != expected_version:
            raise Conflict(
                f"This {rel.type.lower()} was changed by someone else; reload and try again.",
                current_version=row[1] if row else 0,
            )
        if row is None:
            self.conn.execute(
                "INSERT INTO relationships VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*rel.ident, props, 1, created, updated),
            )
            self._change("create", "relationship", *rel.ident, "{}", props, 1, created, updated)
            old_rung = 0
        elif row[0] == props:
            return False
        else:
            self.conn.execute(
                'UPDATE relationships SET props = ?, version = version + 1, updated_at = ? '
                'WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
                (props, rel.updated_at or self.now, *rel.ident),
            )
            self._update("relationship", rel.type, (rel.start, rel.end, rel.key), row[0], props,
                         row[1] + 1, rel.updated_at or self.now)
            old_rung = int(json.loads(row[0]).get("rung", 0))
        new_rung = int(rel.props.get("rung", 0) or 0)
        if rel.type == "TIE" and record_history and old_rung != new_rung:
            self._add_event(rel.start, rel.end, old_rung, new_rung, rel.props)
        self.changed += 1
        return True

    def _add_event(self, a: str, b: str, old: int, new: int, props: Any) -> None:
        self.conn.execute(
            ADD_EVENT,
            (a, b, old, new, props.get("changed_at") or self.now,
             props.get("source") or self.source or "", props.get("session") or "",
             props.get("declared_by") or ""),
        )

    def delete_relationship(
        self, rel_type: str, start: str, end: str, key: str = "", *, changed_at: str | None = None,
        source: str = "", session: str = "",
    ) -> bool:
        if rel_type == "TIE":
            start, end = tie_pair(start, end)
        row = self.conn.execute(
            'SELECT props FROM relationships WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
            (rel_type, start, end, key),
        ).fetchone()
        if row is None:
            return False
        self.conn.execute(
            'DELETE FROM relationships WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
            (rel_type, start, end, key),
        )
        self._change("delete", "relationship", rel_type, start, end, key, row[0], "{}", 0)
        if rel_type == "TIE":
            old = int(json.loads(row[0]).get("rung", 0))
            self._add_event(start, end, old, 0,
                            {"changed_at": changed_at, "source": source, "session": session})
        self.changed += 1
        return True

    def add_tie_events(self, events: Iterable[TieEvent]) -> int:
        rows = [
            (e.a, e.b, e.old_rung, e.new_rung, e.at, e.source, e.session, e.declared_by)
            for e in events
        ]
        self.conn.executemany(ADD_EVENT, rows)
        self.changed += len(rows)
        return len(rows)
