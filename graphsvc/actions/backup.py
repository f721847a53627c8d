"""Backup and restore: one compressed file holding a whole store, checked before anything is written.

A backup is a zip file with three kinds of member:

* ``graph.db`` — the whole store as an embedded SQLite store: every node, relationship,
  version, timestamp, tie event and change-log entry, and the accounts the store keeps beside
  the graph (users, hashed passwords and API tokens, invitations, login sessions, the audit log).
  From an SQLite store it is SQLite's own online backup of the file, taken while the app serves
  and writes go on; from Neo4j it is one consistent read through the driver, copied into a fresh
  SQLite file with :func:`graphsvc.actions.migrate.migrate` (versions and accounts kept).
* ``manifest.json`` — written last: format and version, when and from what kind of store, the
  store's revision, the counts (nodes by label, relationships by type, tie events, change-log
  entries, accounts) and the SHA-256 and size of every member.

:func:`restore` reads the manifest, checks every member's checksum and the counts in the
unpacked store, and refuses a damaged, truncated or foreign file, or a target that holds data,
before it writes anything. The graph then goes into the target with
:func:`graphsvc.actions.migrate.migrate`, so a backup of either kind restores into either kind.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graphsvc.actions.migrate import migrate
from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput
from graphsvc.store.accounts_base import account_records
from graphsvc.store.base import GraphStore
from graphsvc.store.sqlite_files import online_copy, store_file_counts

__all__ = ["FORMAT", "FORMAT_VERSION", "Manifest", "backup", "read_manifest", "restore", "dated_name",
           "rotate"]

FORMAT = "goudkaart-backup"
FORMAT_VERSION = 1
GRAPH = "graph.db"
MANIFEST = "manifest.json"
_CHUNK = 1 << 20
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Manifest:
    """What a backup file says it holds."""

    created_at: str
    store_kind: str
    revision: int
    counts: dict[str, Any]
    members: dict[str, dict[str, Any]]
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "format_version": self.format_version,
                "created_at": self.created_at, "store_kind": self.store_kind,
                "revision": self.revision, "counts": self.counts, "members": self.members,
                **self.extra}

    def summary(self) -> str:
        """One line for people: what the backup holds."""
        nodes = sum(self.counts.get("nodes", {}).values())
        rels = sum(self.counts.get("relationships", {}).values())
        accounts = self.counts.get("accounts")
        who = f", {accounts} accounts" if accounts is not None else ""
        return (f"{nodes} nodes, {rels} relationships, {self.counts.get('tie_events', 0)} tie events, "
                f"{self.counts.get('changes', 0)} change-log entries{who} "
                f"(revision {self.revision} of a {self.store_kind} store, {self.created_at})")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _graph_file(store: GraphStore, target: Path, progress: Progress | None) -> None:
    """The store's graph as an embedded store file at ``target``."""
    if store.copy_to_file(target):
        return
    from graphsvc.store import open_store

    written = target.with_name("copy-" + target.name)
    copy = open_store(f"sqlite:///{written}")
    try:
        migrate(store, copy, progress=progress)
    finally:
        copy.close()
    online_copy(written, target)  # one self-contained file (the copy was written in WAL mode)


def backup(store: GraphStore, path: str | Path, *, progress: Progress | None = None) -> Manifest:
    """Write a backup of ``store`` (its graph, history and accounts) to ``path``.

    The file is written beside ``path`` first and renamed at the end, so a failed backup never
    leaves a half-written file under the final name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graphsvc.store import open_store
    >>> from graphsvc.model import Node
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> store = open_store(f"sqlite:///{folder / 'graph.db'}")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
    >>> backup(store, folder / "nightly.zip").counts["nodes"]
    {'Organisation': 1}
    """
    final = Path(path)
    if final.is_dir():
        raise InvalidInput(f"{final} is a folder; name the backup file to write.")
    with tempfile.TemporaryDirectory(prefix="goudkaart-backup-") as tmp:
        work = Path(tmp)
        _graph_file(store, work / GRAPH, progress)
        members = [work / GRAPH]
        manifest = _manifest(work, members, store)
        partial = final.with_name(final.name + ".partial")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                for member in members:
                    zf.write(member, member.name)
                zf.writestr(MANIFEST, json.dumps(manifest.as_dict(), indent=2, ensure_ascii=False))
            partial.replace(final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise InvalidInput(f"Cannot write the backup {final}: {exc.strerror or exc}.") from exc
    return manifest


def _manifest(work: Path, members: list[Path], store: GraphStore) -> Manifest:
    counts = store_file_counts(work / GRAPH)
    revision = counts.pop("revision")
    kind = type(store).__name__.removesuffix("Store").lower()
    return Manifest(created_at=utc_now(), store_kind=kind, revision=revision, counts=counts,
                    members={m.name: {"sha256": _sha256(m), "size": m.stat().st_size} for m in members})


def read_manifest(path: str | Path) -> Manifest:
    """The manifest of a backup file, after checking that it is one this version reads."""
    source = Path(path)
    if not source.is_file():
        raise InvalidInput(f"There is no backup file {source}.")
    try:
        with zipfile.ZipFile(source) as zf:
            raw = zf.read(MANIFEST)
    except KeyError:
        raise InvalidInput(f"{source} is not a Goudkaart backup: it has no {MANIFEST}.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InvalidInput(f"{source} is not a Goudkaart backup or it is damaged "
                           f"(truncated or changed): {exc}.") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"The manifest of {source} is damaged: {exc}.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"{source} is not a Goudkaart backup (its manifest names another format).")
    if data.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(f"{source} is a backup of format version {data.get('format_version')}; "
                           f"this Goudkaart reads version {FORMAT_VERSION}.")
    try:
        known = {"format", "format_version", "created_at", "store_kind", "revision", "counts", "members"}
        return Manifest(created_at=str(data["created_at"]), store_kind=str(data["store_kind"]),
                        revision=int(data["revision"]), counts=dict(data["counts"]),
                        members=dict(data["members"]),
                        extra={k: v for k, v in data.items() if k not in known})
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"The manifest of {source} lacks a field or has a wrong one ({exc}).") from exc


@contextmanager
def unpacked(path: str | Path) -> Iterator[tuple[Manifest, Path]]:
    """The backup's members unpacked into a temporary folder, every checksum and count checked."""
    source = Path(path)
    manifest = read_manifest(source)
    if GRAPH not in manifest.members:
        raise InvalidInput(f"{source} holds no graph ({GRAPH} is not in its manifest).")
    with tempfile.TemporaryDirectory(prefix="goudkaart-restore-") as tmp:
        work = Path(tmp)
        try:
            with zipfile.ZipFile(source) as zf:
                for name, expected in manifest.members.items():
                    if name != GRAPH:
                        raise InvalidInput(f"{source} holds an unknown member {name!r}.")
                    with zf.open(name) as src, (work / name).open("wb") as dst:
                        shutil.copyfileobj(src, dst, _CHUNK)
                    if _sha256(work / name) != expected.get("sha256"):
                        raise InvalidInput(f"{source} is damaged: the checksum of {name} does not match "
                                           "its manifest.")
        except KeyError as exc:
            raise InvalidInput(f"{source} is damaged: {exc.args[0]}.") from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InvalidInput(f"{source} is damaged (truncated or changed): {exc}.") from exc
        _check_counts(source, manifest, work)
        yield manifest, work


def _check_counts(source: Path, manifest: Manifest, work: Path) -> None:
    from graphsvc.errors import GraphsvcError

    try:
        counts = store_file_counts(work / GRAPH)
    except GraphsvcError as exc:
        raise InvalidInput(f"{source} is damaged: its graph cannot be opened ({exc.message}).") from exc
    for key in ("nodes", "relationships", "tie_events", "changes"):
        if counts[key] != manifest.counts.get(key):
            raise InvalidInput(f"{source} is damaged: its graph holds other {key.replace('_', ' ')} "
                               "than its manifest says.")


@dataclass(frozen=True)
class RestoreReport:
    """What a restore wrote."""

    manifest: Manifest
    target: str

    def summary(self) -> str:
        return f"Restored {self.manifest.summary()} into {self.target}."


def restore(path: str | Path, target: GraphStore | Callable[[], GraphStore], *,
            progress: Progress | None = None) -> RestoreReport:
    """Restore a backup into an empty store (of either kind): graph, history and accounts.

    Everything is checked first (the file, its checksums and counts, a target without nodes or
    accounts); then the store is copied in with its versions, tie history, change log and
    accounts. ``target`` may be a function that opens the store: it is called only once the
    file has passed its checks, so a refused file creates no store.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graphsvc.store import open_store
    >>> from graphsvc.model import Node
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> store = open_store(f"sqlite:///{folder / 'graph.db'}")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
    >>> _ = backup(store, folder / "nightly.zip")
    >>> fresh = open_store(f"sqlite:///{folder / 'new.db'}")
    >>> _ = restore(folder / "nightly.zip", fresh)
    >>> fresh.get_node("o1").name
    'Al Amal'
    """
    with unpacked(path) as (manifest, work):
        store = target() if callable(target) else target
        if not store.is_empty() or account_records(store).users():
            raise Conflict(f"The store {store.url} already holds data or accounts; restore only "
                           "into an empty store.")
        if not store.load_file(work / GRAPH):
            from graphsvc.store import open_store

            source = open_store(f"sqlite:///{work / GRAPH}", create=False)
            try:
                migrate(source, store, progress=progress)
            finally:
                source.close()
    return RestoreReport(manifest=manifest, target=store.url)


# -- scheduled backups ---------------------------------------------------------------------------
_DATED = re.compile(r"^goudkaart-(\d{4}-\d{2}-\d{2})T(\d{6})Z\.zip$")


def dated_name(now: datetime | None = None) -> str:
    """The file name of a scheduled backup: ``goudkaart-2026-12-07T020000Z.zip`` (UTC)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"goudkaart-{moment:%Y-%m-%dT%H%M%S}Z.zip"


def rotate(folder: str | Path, *, keep_daily: int = 7, keep_weekly: int = 4) -> list[Path]:
    """Delete scheduled backups beyond the rotation; return the deleted files.

    Kept: the newest backup of each of the ``keep_daily`` most recent days that have one, and
    the newest of each of the ``keep_weekly`` most recent ISO weeks that have one. Only files
    named by :func:`dated_name` are considered; anything else in the folder is left alone.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for day in range(1, 32):  # a backup every night of December 2026
    ...     _ = (folder / f"goudkaart-2026-12-{day:02d}T020000Z.zip").write_bytes(b"")
    >>> _ = rotate(folder, keep_daily=7, keep_weekly=4)
    >>> sorted(p.name[10:20] for p in folder.iterdir())  # doctest: +NORMALIZE_WHITESPACE
    ['2026-12-13', '2026-12-20', '2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28',
     '2026-12-29', '2026-12-30', '2026-12-31']
    """
    dated: list[tuple[date, str, Path]] = []
    for path in Path(folder).iterdir():
        match = _DATED.match(path.name)
        if match and path.is_file():
            dated.append((date.fromisoformat(match.group(1)), match.group(2), path))
    dated.sort(reverse=True)
    keep: set[Path] = set()
    days: list[date] = []
    weeks: list[tuple[int, int]] = []
    for day, _, path in dated:  # newest first: the first file of a day or week is its newest
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(path)
        week = day.isocalendar()[:2]
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.append(week)
            keep.add(path)
    deleted = [path for _, _, path in dated if path not in keep]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted
