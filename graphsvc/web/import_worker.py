"""Web imports run one at a time, each in a child process with a memory cap, in a queue whose
state the ``/data`` page shows.

A big or hostile upload then costs the server one process it can afford, never the memory of a
web worker. Uploads wait their turn in a first-come queue of at most :data:`MAX_WAITING` (one
more gets 409 instead of tying up another worker thread); each has a ticket, a small JSON file
in a private folder that every worker of this machine reads: who uploaded what, whether it waits
or runs, and for the running one its stage and records done of total (:func:`queue_state`).
The child opens the store by the app's own settings; a private in-memory store (tests,
``serve --get``) cannot be shared, so there the import runs in-process, still one at a time.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final

from graphsvc import errors
from graphsvc.config import Settings
from graphsvc.errors import Conflict, GraphsvcError, ImportFailed
from graphsvc.store import GraphStore
from importers.report import ImportRejected, ImportReport

try:  # POSIX only; elsewhere imports still run one at a time within a worker
    import fcntl
    import resource
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    resource = None  # type: ignore[assignment]

__all__ = ["run_web_import", "queue_state", "QueueState", "Ticket", "MEMORY_CAP", "MAX_WAITING"]

#: The address space an import process may use (bytes).
MEMORY_CAP: Final = 2 * 1024 * 1024 * 1024
#: How many uploads may wait behind the running one.
MAX_WAITING: Final = 3
#: How long an upload waits for its turn before it is told to try again (seconds).
MAX_WAIT_S: Final = 600.0
_BUSY: Final = ("Too many imports are waiting; try again when one is done. / "
                "Er wachten al te veel imports; probeer het opnieuw als er een klaar is.")
_TOO_LONG: Final = ("The import waited too long for its turn; try again. / "
                    "De import wachtte te lang op zijn beurt; probeer het opnieuw.")
_POLL_S: Final = 0.1
_WRITE_EVERY_S: Final = 0.2


def queue_root() -> Path:
    """The folder of the tickets and the lock, shared by every worker on this machine."""
    root = Path(tempfile.gettempdir()) / "goudkaart-imports"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


@dataclass(frozen=True)
class Ticket:
    """One upload in the queue, as its ticket file says."""

    id: str
    user: str
    name: str
    dry_run: bool
    state: str  # "waiting" or "running"
    stage: str  # "", "read", "check", "write"
    done: int
    total: int
    queued_at: float
    pid: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "user": self.user, "name": self.name, "dry_run": self.dry_run,
                "state": self.state, "stage": self.stage, "done": self.done, "total": self.total,
                "queued_at": self.queued_at}


@dataclass(frozen=True)
class QueueState:
    """The running import (or None) and the uploads waiting behind it, first in line first."""

    running: Ticket | None
    waiting: list[Ticket]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _read(path: Path) -> Ticket | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Ticket(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write(path: Path, ticket: Ticket) -> None:
    part = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    data = {**ticket.as_dict(), "pid": ticket.pid}
    part.write_text(json.dumps(data), encoding="utf-8")
    os.replace(part, path)  # readers see the old or the new ticket, never half of one


def _tickets(root: Path) -> list[tuple[Path, Ticket]]:
    """The tickets in queue order; those of a process that is gone are removed."""
    found = []
    for path in sorted(root.glob("*.json")):
        ticket = _read(path)
        if ticket is None:
            continue
        if not _alive(ticket.pid):
            path.unlink(missing_ok=True)
            continue
        found.append((path, ticket))
    return found


def queue_state(root: Path | None = None) -> QueueState:
    """What runs now and what waits, read from the tickets."""
    tickets = [t for _, t in _tickets(root or queue_root())]
    running = next((t for t in tickets if t.state == "running"), None)
    return QueueState(running, [t for t in tickets if t.state == "waiting"])


class _Progress:
    """Writes the running ticket's stage and counts, at most every 0.2 s (and on a new stage)."""

    def __init__(self, path: Path, ticket: Ticket) -> None:
        self.path, self.ticket, self.last = path, ticket, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.ticket.stage and now - self.last < _WRITE_EVERY_S and done < total:
            return
        self.last = now
        data = {**self.ticket.as_dict(), "pid": self.ticket.pid, "stage": stage, "done": done,
                "total": total}
        self.ticket = Ticket(**data)
        with contextlib.suppress(OSError):  # progress is shown, never needed
            _write(self.path, self.ticket)


@contextlib.contextmanager
def _queued(user: str, name: str, dry_run: bool) -> Iterator[_Progress]:
    """Wait for this upload's turn (first come, first served), then hold the lock while it runs."""
    root = queue_root()
    if sum(1 for _, t in _tickets(root) if t.state == "waiting") >= MAX_WAITING:
        raise Conflict(_BUSY)
    ticket = Ticket(secrets.token_urlsafe(12), user, name[:255], dry_run, "waiting", "", 0, 0, time.time(),
                    os.getpid())
    path = root / f"{time.time_ns():020d}-{ticket.id}.json"
    _write(path, ticket)
    fd = os.open(root / "running.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + MAX_WAIT_S
        while True:
            first = next((p for p, t in _tickets(root) if t.state == "waiting"), None)
            if first == path and _try_lock(fd):
                break
            if time.monotonic() > deadline:
                raise Conflict(_TOO_LONG)
            time.sleep(_POLL_S)
        try:
            running = Ticket(**{**ticket.as_dict(), "pid": ticket.pid, "state": "running", "stage": "read"})
            _write(path, running)
            yield _Progress(path, running)
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)


def _try_lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _error_payload(exc: BaseException) -> tuple[Any, ...]:
    if isinstance(exc, ImportRejected):
        return ("rejected", exc.file, exc.row_errors, exc.total, exc.notes)
    if isinstance(exc, GraphsvcError):
        return ("error", type(exc).__name__, exc.message, list(exc.errors))
    if isinstance(exc, MemoryError):
        return ("error", "ImportFailed", "The file needs more memory than an import may use. / "
                "Het bestand vraagt meer geheugen dan een import mag gebruiken.", [])
    raise exc


def _child(conn: Connection, settings: Settings, path: str, options: dict[str, Any],
           ticket: tuple[str, Ticket] | None = None) -> None:
    from graphsvc.store import open_store
    from importers.files import import_file

    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    try:
        store = open_store(settings.store, settings)
        if ticket is not None:
            options = {**options, "progress": _Progress(Path(ticket[0]), ticket[1])}
        try:
            conn.send(("ok", import_file(store, path, **options)))
        finally:
            store.close()
    except BaseException as exc:  # every outcome goes back to the web worker, as data
        conn.send(_error_payload(exc))
    finally:
        conn.close()


def _raise(payload: tuple[Any, ...]) -> None:
    if payload[0] == "rejected":
        raise ImportRejected(payload[1], payload[2], payload[3], payload[4])
    cls = getattr(errors, payload[1], ImportFailed)
    if not (isinstance(cls, type) and issubclass(cls, GraphsvcError)):
        cls = ImportFailed
    raise cls(payload[2], errors=payload[3])


def _in_child(settings: Settings, path: Path, options: dict[str, Any], progress: _Progress) -> ImportReport:
    context = multiprocessing.get_context("spawn")  # no copy of a threaded worker's locks
    receive, send = context.Pipe(duplex=False)
    ticket = (str(progress.path), progress.ticket)
    process = context.Process(target=_child, args=(send, settings, str(path), options, ticket), daemon=True)
    process.start()
    send.close()
    try:
        payload = receive.recv()
    except EOFError:
        payload = ("error", "ImportFailed", "The import stopped unexpectedly (out of memory?); nothing "
                   "was written. / De import stopte onverwacht (geheugen vol?); er is niets opgeslagen.", [])
    finally:
        receive.close()
        process.join()
    if payload[0] == "ok":
        report: ImportReport = payload[1]
        return report
    _raise(payload)
    raise AssertionError("unreachable")


def run_web_import(settings: Settings, store: GraphStore, path: Path, *, user: str = "",
                   **options: Any) -> ImportReport:
    """Import ``path`` as :func:`importers.files.import_file` does, isolated and one at a time.

    Waits its turn in the queue (its progress in :func:`queue_state` meanwhile); raises
    :class:`graphsvc.errors.Conflict` when :data:`MAX_WAITING` uploads wait already, or when
    its turn does not come within :data:`MAX_WAIT_S`.
    """
    name = str(options.get("name") or path.name)
    with _queued(user, name, bool(options.get("dry_run"))) as progress:
        if getattr(store, "url", None) == settings.store and ":memory:" not in settings.store:
            return _in_child(settings, path, options, progress)
        from importers.files import import_file

        return import_file(store, path, progress=progress, **options)
