"""The connections of the SQLite store: the file checked and opened, one read connection per
thread, the writer lock across processes, and SQLite errors translated.

:class:`~graphsvc.store.sqlite.SQLiteStore` builds the store contract on this.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # a cross-process writer lock that wakes the next writer at once (POSIX)
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own busy waiting only
    fcntl = None  # type: ignore[assignment]

from graphsvc.errors import StoreUnavailable
from graphsvc.store.sqlite_schema import init_schema

__all__ = ["SQLiteConnection"]


class SQLiteConnection:
    """The file, connections and writer lock of a :class:`~graphsvc.store.sqlite.SQLiteStore`."""

    url: str

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
        init_schema(self._keepalive, self.path, self._translate)

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
