"""The embedded store: one SQLite file in WAL mode, one writer, read connections per thread."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:  # a cross-process writer lock that wakes the next writer at once (POSIX)
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own busy waiting only
    fcntl = None  # type: ignore[assignment]

from graphsvc.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
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
    SCHEMA_VERSION,
    GraphData,
    GraphStore,
    RelIdent,
    Rewrite,
    Transaction,
    change_from_row,
    current_actor,
    json_key,
    prop_changes,
    relationships_by_ident,
    replayable,
    stamp_or_none,
    utc_now,
)

if TYPE_CHECKING:
    from graphsvc.store.rows import GraphRows, T

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_by_label ON nodes(label, id);
CREATE TABLE IF NOT EXISTS relationships (
    type TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL, key TEXT NOT NULL,
    props TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (type, start, "end", key)
);
CREATE INDEX IF NOT EXISTS relationships_by_start ON relationships(start);
CREATE INDEX IF NOT EXISTS relationships_by_end ON relationships("end");
CREATE TABLE IF NOT EXISTS tie_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL, b TEXT NOT NULL,
    old_rung INTEGER NOT NULL, new_rung INTEGER NOT NULL, at TEXT NOT NULL,
    source TEXT NOT NULL, session TEXT NOT NULL, declared_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tie_events_by_pair ON tie_events(a, b);
"""

# schema 2: the change log (a store file of schema 1 gets it when opened). ``old``/``new`` are
# JSON; ``created_at``/``updated_at`` are NULL when they equal ``at`` (see ChangeEvent). ``seq``
# counts up by itself (the rowid); no AUTOINCREMENT, which would cost a sqlite_sequence update per
# row in bulk imports and only matters when rows are deleted, which the log never is.
_CHANGES_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY, revision INTEGER NOT NULL, at TEXT NOT NULL,
    actor TEXT NOT NULL, source TEXT NOT NULL, op TEXT NOT NULL, kind TEXT NOT NULL,
    label TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL, key TEXT NOT NULL,
    old TEXT NOT NULL, new TEXT NOT NULL, version INTEGER NOT NULL,
    created_at TEXT, updated_at TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_start ON changes(start);
CREATE INDEX IF NOT EXISTS changes_by_end ON changes("end") WHERE "end" <> '';
CREATE INDEX IF NOT EXISTS changes_by_revision ON changes(revision);
"""
_ADD_CHANGE = (
    'INSERT INTO changes (revision, at, actor, source, op, kind, label, start, "end", key, old, new, '
    "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
LOG_BATCH = 5000  # change-log rows written per executemany


_NO_SEQ = 2**63 - 1  # above every seq: "from the newest"
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _dump(props: Any) -> str:
    return _ENCODER.encode(dict(props)) if props else "{}"


def _node(row: sqlite3.Row | tuple[Any, ...]) -> Node:
    return Node(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5])


def _rel(row: sqlite3.Row | tuple[Any, ...]) -> Relationship:
    return Relationship(row[0], row[1], row[2], json.loads(row[4]), row[3], row[5], row[6], row[7])


def _event(row: tuple[Any, ...]) -> TieEvent:
    return TieEvent(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[0])


class _SQLiteTransaction(Transaction):
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
        return _node(row) if row else None

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
            "INSERT INTO tie_events (a, b, old_rung, new_rung, at, source, session, declared_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
        self.conn.executemany(
            "INSERT INTO tie_events (a, b, old_rung, new_rung, at, source, session, declared_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.changed += len(rows)
        return len(rows)


class SQLiteStore(GraphStore):
    """A graph in one SQLite file (WAL mode): the zero-set-up default.

    Writes go through one connection with ``BEGIN IMMEDIATE`` (one writer at a time, also across
    processes); reads use a connection per thread. ``":memory:"`` gives a private in-memory store.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        if self.path == ":memory:":
            self._uri = f"file:goudkaart-{uuid.uuid4().hex}?mode=memory&cache=shared"
        else:
            self._check_path(create)
            self._uri = Path(self.path).absolute().as_uri()
        self._write_lock = threading.RLock()
        self._lock_fd: int | None = None
        self._local = threading.local()
        self._pid = os.getpid()
        self._writer: sqlite3.Connection | None = None
        self._keepalive = self._connect()  # keeps an in-memory database alive
        self._init_schema()

    # -- connections -------------------------------------------------------------------------
    def _check_path(self, create: bool) -> None:
        path = Path(self.path)
        if path.is_dir():
            raise StoreUnavailable(f"The store path {path} is a folder, not a database file.")
        if not path.exists():
            if not create:
                raise StoreUnavailable(f"There is no store at {path}.")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                raise StoreUnavailable(f"Cannot create the folder {path.parent} for the store.") from None
        elif not os.access(path, os.R_OK | os.W_OK):
            raise StoreUnavailable(f"The store file {path} cannot be read and written by this user.")

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self._uri, uri=True, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None
        return conn

    def _translate(self, exc: sqlite3.Error) -> Exception:
        text = str(exc).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return StoreUnavailable(f"The store file {self.path} is damaged or is not a Goudkaart store.")
        if "unable to open" in text or "readonly" in text or "read-only" in text:
            return StoreUnavailable(f"The store file {self.path} cannot be opened for writing.")
        if "locked" in text or "busy" in text:
            return StoreUnavailable(f"The store file {self.path} is busy; try again in a moment.")
        return StoreUnavailable(f"The store file {self.path} gave an error: {exc}.")

    def _after_fork(self) -> None:
        if os.getpid() != self._pid:  # connections must not cross a fork
            self._pid = os.getpid()
            self._local = threading.local()
            self._writer = None
            self._write_lock = threading.RLock()
            self._lock_fd = None  # flock belongs to the open file: each process opens its own
            self._keepalive = self._connect()

    @contextmanager
    def _process_lock(self) -> Iterator[None]:
        """Serialise writers across processes (gunicorn workers, a CLI import) with ``flock``.

        SQLite alone makes a blocked writer poll with sleeps of up to 100 ms, which under a
        steady stream of writes from several workers adds up to second-long stalls; a blocked
        ``flock`` wakes as soon as the holder lets go. SQLite's own locking stays in force for
        any other program that opens the file.
        """
        if fcntl is None or self.path == ":memory:":
            yield
            return
        if self._lock_fd is None:
            try:
                self._lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                yield  # a folder we cannot add a file to: SQLite's busy waiting only
                return
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _reader(self) -> sqlite3.Connection:
        self._after_fork()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _init_schema(self) -> None:
        conn = self._keepalive
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                found = int(row[0]) if row else 0
                if found > SCHEMA_VERSION:
                    raise StoreUnavailable(
                        f"The store file {self.path} was written by a newer Goudkaart (schema "
                        f"{found}, this version reads up to {SCHEMA_VERSION}); upgrade Goudkaart."
                    )
                if found < 1:
                    raise StoreUnavailable(f"The store file {self.path} has no valid schema version.")
                if found < SCHEMA_VERSION:
                    self._upgrade(conn)
                return
            if tables - {"sqlite_sequence"}:
                raise StoreUnavailable(f"The file {self.path} is a SQLite database but not a Goudkaart store.")
            conn.execute("BEGIN IMMEDIATE")
            for statement in (_SCHEMA + _CHANGES_SCHEMA).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            conn.execute("INSERT INTO meta VALUES ('revision', '0')")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._translate(exc) from None

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Schema 1 → 2 in place: add the change log (it starts empty; ``changes_since`` answers
        None for the revisions before it)."""
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if int(row[0]) < SCHEMA_VERSION:  # another process may have upgraded it meanwhile
            for statement in _CHANGES_SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")

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
            tx = _SQLiteTransaction(conn, source, who, record_changes)
            try:
                yield tx
                tx.flush_log()
                if tx.changed:
                    conn.execute(
                        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
                    )
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._translate(exc) from None
                raise

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
            nodes = [_node(r) for r in conn.execute("SELECT * FROM nodes ORDER BY id")]
            rels = [_rel(r) for r in conn.execute(
                'SELECT * FROM relationships ORDER BY type, start, "end", key')]
            events = [_event(r) for r in conn.execute("SELECT * FROM tie_events ORDER BY seq")]
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
        return _node(rows[0])

    def get_relationship(self, rel_type: str, start: str, end: str, key: str = "") -> Relationship:
        if rel_type == "TIE":
            start, end = tie_pair(start, end)
        rows = self._query(
            'SELECT * FROM relationships WHERE type = ? AND start = ? AND "end" = ? AND key = ?',
            (rel_type, start, end, key),
        )
        if not rows:
            raise NotFound(f"There is no {rel_type} from {start!r} to {end!r}.")
        return _rel(rows[0])

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return {}
        rows = self._query("SELECT * FROM nodes WHERE id IN (SELECT value FROM json_each(?))",
                           (json.dumps(ids),))
        return {n.id: n for n in map(_node, rows)}

    def get_relationships(self, idents: Iterable[RelIdent]) -> dict[RelIdent, Relationship]:
        def fetch(keys: list[RelIdent]) -> Iterable[Relationship]:
            return map(_rel, self._query(  # one lookup by the primary key per ident
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
            return self._iterate("SELECT * FROM nodes ORDER BY id", (), _node)
        return self._iterate("SELECT * FROM nodes WHERE label = ? ORDER BY id", (label,), _node)

    def iter_relationships(self, rel_type: str | None = None) -> Iterator[Relationship]:
        if rel_type is None:
            return self._iterate('SELECT * FROM relationships ORDER BY type, start, "end", key', (), _rel)
        return self._iterate(
            'SELECT * FROM relationships WHERE type = ? ORDER BY type, start, "end", key', (rel_type,), _rel
        )

    def tie_history(self, a: str | None = None, b: str | None = None) -> list[TieEvent]:
        if a is not None and b is not None:
            a, b = tie_pair(a, b)
            rows = self._query("SELECT * FROM tie_events WHERE a = ? AND b = ? ORDER BY seq", (a, b))
        elif a is not None:
            rows = self._query("SELECT * FROM tie_events WHERE a = ? OR b = ? ORDER BY seq", (a, a))
        else:
            rows = self._query("SELECT * FROM tie_events ORDER BY seq")
        return [_event(r) for r in rows]

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

    def is_empty(self) -> bool:
        return not self._query("SELECT 1 FROM nodes LIMIT 1")

    def ping(self) -> bool:
        try:
            self._query("SELECT 1")
            return True
        except Exception:
            return False

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
        :mod:`graphsvc.store.rows`.
        """
        from graphsvc.store.rows import GraphRows

        conn = self._connect()
        try:
            conn.execute("BEGIN")
            revision = int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
            result = consume(GraphRows(
                revision,
                # cursors of one connection: SQLite steps each statement as it is read
                conn.execute("SELECT id, label, props, version, created_at, updated_at FROM nodes ORDER BY id"),
                conn.execute('SELECT type, start, "end", key, props, '
                             "CASE type WHEN 'TIE' THEN version END, CASE type WHEN 'TIE' THEN created_at END "
                             'FROM relationships ORDER BY type, start, "end", key'),
                conn.execute("SELECT * FROM tie_events ORDER BY seq"),
            ))
            conn.execute("COMMIT")
            return result
        except sqlite3.Error as exc:
            raise self._translate(exc) from None
        finally:
            conn.close()

    def tie_events_after(self, seq: int) -> list[TieEvent]:
        """Tie events with a sequence number above ``seq``, in order (what a snapshot lacks)."""
        return [_event(r) for r in self._query("SELECT * FROM tie_events WHERE seq > ? ORDER BY seq", (seq,))]

