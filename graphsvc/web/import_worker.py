"""Web imports run one at a time, each in a child process with a memory cap.

A big or hostile upload then costs the server one process it can afford, never the memory of a
web worker, and a second upload while one runs is told to wait (409) instead of queueing up
behind it in a worker thread. The child opens the store by the app's own settings; a private
in-memory store (tests, ``serve --get``) cannot be shared, so there the import runs in-process,
still one at a time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
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

__all__ = ["run_web_import", "MEMORY_CAP"]

#: The address space an import process may use (bytes).
MEMORY_CAP: Final = 2 * 1024 * 1024 * 1024
_BUSY: Final = ("Another import is running; try again when it is done. / "
                "Er loopt al een import; probeer het opnieuw als die klaar is.")


@contextlib.contextmanager
def _one_at_a_time() -> Iterator[None]:
    if fcntl is None:
        yield
        return
    path = Path(tempfile.gettempdir()) / "goudkaart-import.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(_BUSY) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _error_payload(exc: BaseException) -> tuple[Any, ...]:
    if isinstance(exc, ImportRejected):
        return ("rejected", exc.file, exc.row_errors, exc.total, exc.notes)
    if isinstance(exc, GraphsvcError):
        return ("error", type(exc).__name__, exc.message, list(exc.errors))
    if isinstance(exc, MemoryError):
        return ("error", "ImportFailed", "The file needs more memory than an import may use. / "
                "Het bestand vraagt meer geheugen dan een import mag gebruiken.", [])
    raise exc


def _child(conn: Connection, settings: Settings, path: str, options: dict[str, Any]) -> None:
    from graphsvc.store import open_store
    from importers.files import import_file

    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    try:
        store = open_store(settings.store, settings)
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


def _in_child(settings: Settings, path: Path, options: dict[str, Any]) -> ImportReport:
    context = multiprocessing.get_context("spawn")  # no copy of a threaded worker's locks
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, settings, str(path), options), daemon=True)
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


def run_web_import(settings: Settings, store: GraphStore, path: Path, **options: Any) -> ImportReport:
    """Import ``path`` as :func:`importers.files.import_file` does, isolated and one at a time.

    Raises :class:`graphsvc.errors.Conflict` while another import runs.
    """
    with _one_at_a_time():
        if getattr(store, "url", None) == settings.store and ":memory:" not in settings.store:
            return _in_child(settings, path, options)
        from importers.files import import_file

        return import_file(store, path, **options)
