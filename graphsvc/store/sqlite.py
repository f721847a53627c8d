"""The embedded store: one SQLite file in WAL mode, one writer, read connections per thread.

The tables are described in :mod:`graphsvc.store.sqlite_schema`, the write semantics in
:mod:`graphsvc.store.sqlite_tx`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphsvc.errors import NotFound
from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent, tie_pair
from graphsvc.store import sqlite_kept
from graphsvc.store.base import (
    GraphData,
    GraphStore,
    RelIdent,
    Transaction,
    change_from_row,
    current_actor,
    json_key,
    relationships_by_ident,
    replayable,
)
from graphsvc.store.sqlite_connect import SQLiteConnection
from graphsvc.store.sqlite_files import online_copy
from graphsvc.store.sqlite_schema import init_schema, node_from, relationship_from, tie_event_from
from graphsvc.store.sqlite_tx import SQLiteTransaction

if TYPE_CHECKING:
    from graphsvc.store.accounts_base import AccountRecords
    from graphsvc.store.rows import GraphRows, T

__all__ = ["SQLiteStore"]

_NO_SEQ = 2**63 - 1  # above every seq: "from the newest"


class SQLiteStore(SQLiteConnection, GraphStore):
    """A graph in one SQLite file (WAL mode): the zero-set-up default.

    Writes go through one connection with ``BEGIN IMMEDIATE`` (one writer at a time, also across
    processes); reads use a connection per thread. ``":memory:"`` gives a private in-memory store.
    """

    #: Commits made through this object (as on Neo4j): a reader that remembers the revision for
    #: a moment asks again at once after this process wrote.
    commits = 0
    #: An import into an empty store may check and write a dump in one pass, in one transaction
    #: (``importers.dump_stream``): nothing is visible before the commit, and a rollback undoes it.
    loads_in_one_pass = True

    # -- writes ------------------------------------------------------------------------------
    @contextmanager
    def transaction(
        self, *, source: str = "", actor: str | None = None, record_changes: bool = True
    ) -> Iterator[Transaction]:
        self._after_fork()
        who = current_actor(source) if actor is None else actor
        with self._write_lock, self._process_lock():
            if self._writer is None:
                self._writer = self._connect()
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._translate(exc) from None
            tx = SQLiteTransaction(conn, source, who, record_changes)
            try:
                yield tx
                tx.flush_log()
                if tx.changed:
                    conn.execute(
                        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
                    )
                conn.execute("COMMIT")
                if tx.changed:
                    self.commits += 1
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._translate(exc) from None
                raise

    def compact(self) -> dict[str, int]:
        """VACUUM the file and truncate the write-ahead log; the sizes before and after (bytes)."""
        if self.path == ":memory:":
            return {}
        before = self._file_bytes()
        with self._write_lock, self._process_lock():
            if self._writer is None:
                self._writer = self._connect()
            try:
                self._writer.execute("VACUUM")
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                raise self._translate(exc) from None
        return {"bytes_before": before, "bytes_after": self._file_bytes()}

    def _file_bytes(self) -> int:
        return sum(os.path.getsize(p) for p in (self.path, f"{self.path}-wal")
                   if os.path.exists(p))

    # -- reads -------------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self._reader().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._translate(exc) from None

    def read_all(self) -> GraphData:
        """The whole graph in one read transaction: WAL gives it one consistent revision, however
        many writers commit meanwhile (no retries, so a busy meeting never starves a reader)."""
        conn = self._connect()
        try:
            conn.execute("BEGIN")
            revision = int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
            nodes = [node_from(r) for r in conn.execute("SELECT * FROM nodes ORDER BY id")]
            rels = [relationship_from(r) for r in conn.execute(
                'SELECT * FROM relationships ORDER BY type, start, "end", key')]
            events = [tie_event_from(r) for r in conn.execute("SELECT * FROM tie_events ORDER BY seq")]
            conn.execute("COMMIT")
            return GraphData(revision, nodes, rels, events)
        except sqlite3.Error as exc:
            raise self._translate(exc) from None
        finally:
            conn.close()

    def revision(self) -> int:
        return int(self._query("SELECT value FROM meta WHERE key = 'revision'")[0][0])

    def get_node(self, node_id: str) -> Node:
        rows = self._query("SELECT * FROM nodes WHERE id = ?", (node_id,))
        if not rows:
            raise NotFound(f"There is no node with id {node_id!r}.")
        return node_from(rows[0])

    def get_relationship(self, rel_type: str, start: str, end: str, key: str = "") -> Relationship:
        if rel_type == "TIE":
            start, end = tie_pair(start, end)
        rows = self._query(
            'SELECT * FROM relationships WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
            (rel_type, start, end, key),
        )
        if not rows:
            raise NotFound(f"There is no {rel_type} from {start!r} to {end!r}.")
        return relationship_from(rows[0])

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return {}
        rows = self._query("SELECT * FROM nodes WHERE id IN (SELECT value FROM json_each(?))",
                           (json.dumps(ids),))
        return {n.id: n for n in map(node_from, rows)}

    def get_relationships(self, idents: Iterable[RelIdent]) -> dict[RelIdent, Relationship]:
        def fetch(keys: list[RelIdent]) -> Iterable[Relationship]:
            return map(relationship_from, self._query(  # one lookup by the primary key per ident
                "SELECT r.* FROM json_each(?) AS k JOIN relationships AS r "
                "ON r.type = json_extract(k.value, '$[0]') AND r.start = json_extract(k.value, '$[1]') "
                "AND r.\"end\" = json_extract(k.value, '$[2]') AND r.key = json_extract(k.value, '$[3]')",
                (json.dumps(keys),)))

        return relationships_by_ident(idents, fetch)

    def _iterate(self, sql: str, params: tuple[Any, ...], convert: Any) -> Iterator[Any]:
        # a dedicated connection: the caller may write while iterating
        conn = self._connect()
        try:
            cur = conn.execute(sql, params)
            while batch := cur.fetchmany(5000):
                yield from (convert(r) for r in batch)
        except sqlite3.Error as exc:
            raise self._translate(exc) from None
        finally:
            conn.close()

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        if label is None:
            return self._iterate("SELECT * FROM nodes ORDER BY id", (), node_from)
        return self._iterate("SELECT * FROM nodes WHERE label = ? ORDER BY id", (label,), node_from)

    def iter_relationships(self, rel_type: str | None = None) -> Iterator[Relationship]:
        if rel_type is None:
            return self._iterate('SELECT * FROM relationships ORDER BY type, start, "end", key', (),
                                 relationship_from)
        return self._iterate(
            'SELECT * FROM relationships WHERE type = ? ORDER BY type, start, "end", key', (rel_type,),
            relationship_from,
        )

    def tie_history(self, a: str | None = None, b: str | None = None) -> list[TieEvent]:
        if a is not None and b is not None:
            a, b = tie_pair(a, b)
            rows = self._query("SELECT * FROM tie_events WHERE a = ? AND b = ? ORDER BY seq", (a, b))
        elif a is not None:
            rows = self._query("SELECT * FROM tie_events WHERE a = ? OR b = ? ORDER BY seq", (a, a))
        else:
            rows = self._query("SELECT * FROM tie_events ORDER BY seq")
        return [tie_event_from(r) for r in rows]

    def changes_since(self, revision: int, *, limit: int = 10_000) -> list[ChangeEvent] | None:
        conn = self._reader()
        try:
            conn.execute("BEGIN")  # the revision and the entries at one moment
            current = int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
            # own entries' revisions grow with seq, so the revision index gives seq order
            rows = conn.execute(
                "SELECT * FROM changes WHERE revision > ? ORDER BY revision, seq LIMIT ?",
                (revision, limit + 1),
            ).fetchall()
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._translate(exc) from None
        if len(rows) > limit:
            return None
        return replayable(revision, current, [change_from_row(r) for r in rows], limit)

    def changes(
        self, *, node_id: str | None = None, before_seq: int | None = None, limit: int = 200,
        holding: str | None = None,
    ) -> list[ChangeEvent]:
        before = _NO_SEQ if before_seq is None else before_seq
        if holding is not None:
            needle = json_key(holding)
            rows = self._query(
                "SELECT * FROM changes WHERE kind = 'node' AND (instr(old, ?) OR instr(new, ?)) "
                "AND seq < ? AND (? IS NULL OR start = ?) ORDER BY seq DESC LIMIT ?",
                (needle, needle, before, node_id, node_id, limit),
            )
        elif node_id is None:
            rows = self._query("SELECT * FROM changes WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                               (before, limit))
        else:  # its own changes and its relationships' (as start or end), each by its index
            rows = self._query(
                "SELECT * FROM (SELECT * FROM changes WHERE start = ? AND seq < ? "
                "ORDER BY seq DESC LIMIT ?) UNION ALL "
                "SELECT * FROM (SELECT * FROM changes WHERE \"end\" = ? AND \"end\" <> '' "
                "AND start <> ? AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq DESC LIMIT ?",
                (node_id, before, limit, node_id, node_id, before, limit, limit),
            )
        return [change_from_row(r) for r in rows]

    def counts(self) -> dict[str, dict[str, int]]:
        nodes = dict(self._query("SELECT label, COUNT(*) FROM nodes GROUP BY label ORDER BY label"))
        rels = dict(self._query("SELECT type, COUNT(*) FROM relationships GROUP BY type ORDER BY type"))
        return {"nodes": nodes, "relationships": rels}

    def copy_to_file(self, path: str | Path) -> bool:
        if self.path == ":memory:":
            return False
        online_copy(self.path, path)
        return True

    def load_file(self, path: str | Path) -> bool:
        if self.path == ":memory:":
            return False
        self._after_fork()
        with self._write_lock, self._process_lock():
            if self._writer is None:
                self._writer = self._connect()
            source = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
            try:
                source.backup(self._writer)
            except sqlite3.Error as exc:
                raise self._translate(exc) from None
            finally:
                source.close()
            self._writer.execute("PRAGMA journal_mode = WAL")
            init_schema(self._writer, self.path, self._translate)  # a backup of an older schema
            self.commits += 1
        return True

    def is_empty(self) -> bool:
        return not self._query("SELECT 1 FROM nodes LIMIT 1")

    def ping(self) -> bool:
        try:
            self._query("SELECT 1")
            return True
        except Exception:
            return False

    def new_account_records(self) -> AccountRecords:
        from graphsvc.store.sqlite_accounts import SQLiteAccounts

        return SQLiteAccounts(self)

    def close(self) -> None:
        for conn in (self._writer, getattr(self._local, "conn", None), self._keepalive):
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
        self._writer = None
        self._local = threading.local()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- reads for snapshots (read-only) -----------------------------------------------------
    def read_rows(self, consume: Callable[[GraphRows], T]) -> T:
        """``consume(rows)`` with the whole graph as rows, inside one read transaction (WAL: one
        revision however many writers commit meanwhile, no retries). The row iterables are
        cursors of that transaction: ``consume`` reads them in order before it returns. See
        :mod:`graphsvc.store.rows`. Relationships come in key order, a type at a time, as
        columns (:func:`graphsvc.store.sqlite_read.type_blocks`), the tie history too.
        """
        from graphsvc.store.rows import ColumnBlocks, GraphRows, RelationshipBlocks
        from graphsvc.store.sqlite_read import tie_event_blocks, type_blocks

        conn = self._connect()
        try:
            conn.execute("BEGIN")
            revision = int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
            result = consume(GraphRows(
                revision,
                # cursors of one connection: SQLite steps each statement as it is read
                conn.execute("SELECT id, label, props, version, created_at, updated_at FROM nodes ORDER BY id"),
                RelationshipBlocks(lambda decode: type_blocks(conn, decode)),
                ColumnBlocks(lambda: tie_event_blocks(conn)),
            ))
            conn.execute("COMMIT")
            return result
        except sqlite3.Error as exc:
            raise self._translate(exc) from None
        finally:
            conn.close()

    def tie_events_after(self, seq: int) -> list[TieEvent]:
        """Tie events with a sequence number above ``seq``, in order (what a snapshot lacks)."""
        rows = self._query("SELECT * FROM tie_events WHERE seq > ? ORDER BY seq", (seq,))
        return [tie_event_from(r) for r in rows]

    # -- kept derived data (graphsvc/store/kept.py) ------------------------------------------
    def get_kept(self, kind: str, key: str) -> bytes | None:
        return sqlite_kept.get_kept(self, kind, key)

    def put_kept(self, kind: str, key: str, value: bytes, *, expected: bytes | None) -> bool:
        return sqlite_kept.put_kept(self, kind, key, value, expected)
