"""Restore a full dump in flat memory: check every record in one streaming pass, write in a second.

A dump of a million organisations and ten million relationships is read a chunk of records at a
time, twice. The first pass runs each chunk through the same reader and planner as any import
(:func:`importers.dump._filled`, :func:`importers.declared.check_declared`, the planner's node and
relationship checks) and keeps only what later chunks need to be checked against: per node of the
file its label, row and a hash of its content (:class:`FileNodes`), per relationship a 64-bit hash
of its identity (to find a relationship given twice). When anything is wrong, every error is
reported with its file, line and field, and nothing is written. The second pass reads the file
again and writes each chunk's plan inside one transaction (or transactions of ``--batch`` records).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np

from graphsvc.errors import Conflict, ImportFailed
from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.store.base import GraphStore
from importers.batch import WRITE_CHUNK, ImportBatch, Progress, Where
from importers.declared import check_declared, warn_dropped
from importers.dump import _filled
from importers.dump_nodes import FileNodes
from importers.dump_read import NeedsText, NotStreamable, read_dump_records
from importers.index import StoreIndex, event_key, same_props
from importers.limits import Limits
from importers.plan_write import announce_new, creates_in_bulk
from importers.planner import Plan, _Planner, _twice
from importers.report import ImportReport, Problems

__all__ = ["FileNodes", "restore_dump", "CHUNK"]

CHUNK: Final = 20_000  # records read, checked and planned at once
Record = tuple[str, int, dict[str, Any]]
Write = Callable[[str, list[Any]], None]  # (kind: nodes, rels or events; records)


class OutOfOrder(Exception):
    """Nodes after relationships or history: the file cannot be checked in one pass."""


def _chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Consecutive records of one section, :data:`CHUNK` at most; nodes after other sections refused."""
    size = CHUNK
    chunk: list[Record] = []
    past_nodes = False
    for record in records:
        if chunk and (record[0] != chunk[0][0] or len(chunk) >= size):
            yield chunk
            chunk = []
        if record[0] == "nodes" and past_nodes:
            raise OutOfOrder
        past_nodes = past_nodes or record[0] != "nodes"
        chunk.append(record)
    if chunk:
        yield chunk


class _Restore:
    """One streaming restore: the state carried from chunk to chunk."""

    def __init__(self, store: GraphStore, path: Path, name: str, limits: Limits) -> None:
        self.store, self.path, self.name, self.limits = store, path, name, limits
        self.index = StoreIndex(store)
        self.problems = Problems(name)
        self.failed_ids: set[str] = set()
        self.nodes = FileNodes()
        self.idents = array("q")  # hash of each relationship's identity, in file order
        self.report = ImportReport(name, "dump")
        self.mode = "lines"
        self.records = 0
        self.skip_rows: set[int] = set()  # a relationship repeated with the same values
        # undeclared keys dropped in the first pass: one warning for the file, not one per chunk
        self.dropped: tuple[Counter[str], Counter[str]] = (Counter(), Counter())

    # -- reading -------------------------------------------------------------------------------
    def chunks(self, problems: Problems) -> Iterator[list[Record]]:
        return _chunks(read_dump_records(self.path, problems, self.limits, self.name, mode=self.mode))

    def batch(self, chunk: list[Record], problems: Problems) -> ImportBatch:
        batch = ImportBatch(self.name, "dump", restore=True)
        batch.problems, batch.failed_ids = problems, self.failed_ids
        _filled(batch, iter(chunk))
        return batch

    # -- nodes -----------------------------------------------------------------------------------
    def node_plan(self, batch: ImportBatch, *, first_pass: bool) -> Plan:
        """Drop the repeats of nodes of earlier chunks (an error when they differ), then plan."""
        known = self.nodes
        for node_id in [i for i, rec in batch.nodes.items()
                        if i in known and (first_pass or known.row(i) != rec.where.row)]:
            rec = batch.nodes.pop(node_id)
            if first_pass and not known.same(node_id, rec.node):
                before = self.nodes.row(node_id)
                batch.error(rec.where.at("id"),
                            f"Id {node_id!r} komt twee keer voor in dit bestand (ook op rij {before}).",
                            f"Id {node_id!r} is used twice in this file (also on row {before}).")
        check_declared(batch, self.dropped if first_pass else (Counter(), Counter()))
        planner = _Planner(batch, self.index)
        planner.resolve_nodes()
        if first_pass:
            for rec in batch.nodes.values():
                self.nodes.add(rec.node, rec.where.row or 0, failed=rec.node.id in self.failed_ids)
        return planner.plan

    # -- relationships ---------------------------------------------------------------------------
    def rel_plan(self, batch: ImportBatch, *, first_pass: bool) -> Plan:
        """Plan a chunk of relationships with the file's nodes of earlier chunks made known."""
        if self.skip_rows:
            batch.rels = [rec for rec in batch.rels if rec.row not in self.skip_rows]
        check_declared(batch, self.dropped if first_pass else (Counter(), Counter()))
        planner = _Planner(batch, self.index)
        resolve = self.index.resolve_id
        for rec in batch.rels:
            for ref in (rec.rel.start, rec.rel.end):
                if ref not in planner.idmap and (label := self.nodes.label(ref)) is not None:
                    target = resolve(ref) or ref
                    planner.idmap[ref] = target
                    planner.final[target] = Node(target, label)
        planner.resolve_rels()
        if first_pass:
            self.idents.extend(hash(self.ident(rec.rel)) for rec in batch.rels)
        return planner.plan

    def ident(self, rel: Relationship) -> tuple[str, str, str, str]:
        """The identity ``rel`` will have in the store (a merged node's old id resolved)."""
        resolve = self.index.resolve_id
        return (rel.type, resolve(rel.start) or rel.start, resolve(rel.end) or rel.end, rel.key)

    # -- tie history ---------------------------------------------------------------------------
    def new_events(self, events: list[TieEvent], stored: Counter[Any]) -> list[TieEvent]:
        """The events the store does not hold yet (restoring the same dump twice adds nothing)."""
        if not stored:
            return events
        fresh = []
        for event in events:
            key = event_key(event)
            if stored[key] > 0:
                stored[key] -= 1
            else:
                fresh.append(event)
        return fresh

    # -- the first pass: check everything ----------------------------------------------------
    def check(self, progress: Progress | None, write: Write | None = None) -> None:
        """Read and check every record; errors go to ``self.problems``, counts to ``self.report``.

        ``write`` (one-pass load, :mod:`importers.dump_load`) gets each chunk's plan at once."""
        stored = Counter(self.index.events) if not self.index.empty else Counter()
        stage = "check" if write is None else "load"
        for chunk in self.chunks(self.problems):
            batch = self.batch(chunk, self.problems)
            section = chunk[0][0]
            items: list[Any]
            if section == "nodes":
                plan = self.node_plan(batch, first_pass=True)
                self.counted(plan.report)
                kind, items = "nodes", plan.nodes
            elif section == "relationships":
                plan = self.rel_plan(batch, first_pass=True)
                self.counted(plan.report)
                kind, items = "rels", plan.rels
            else:
                kind, items = "events", self.new_events(batch.tie_events, stored)
                self.report.tie_events_added += len(items)
            if write is not None:
                write(kind, items)
            self.records += len(chunk)
            if progress is not None:
                progress(stage, self.records, 0)
        warn_dropped(self.problems, *self.dropped)

    def counted(self, chunk: ImportReport) -> None:
        self.report.created.update(chunk.created)
        self.report.updated.update(chunk.updated)
        self.report.unchanged.update(chunk.unchanged)

    def find_repeats(self) -> None:
        """Relationships given twice in different chunks: an error when their values differ,
        else the later one is skipped. Reads the file again only when some identity repeats."""
        hashes = np.sort(np.frombuffer(self.idents, dtype=np.int64))
        repeated = set(hashes[1:][hashes[1:] == hashes[:-1]].tolist())
        self.idents = array("q")
        if not repeated:
            return
        first: dict[tuple[str, str, str, str], tuple[Relationship, Where, int]] = {}
        for number, chunk in enumerate(self.chunks(Problems(self.name))):
            if chunk[0][0] != "relationships":
                continue
            batch = self.batch(chunk, Problems(self.name))
            batch.failed_ids = set()
            check_declared(batch)
            for rec in batch.rels:
                ident = self.ident(rec.rel)
                if hash(ident) not in repeated:
                    continue
                seen = first.setdefault(ident, (rec.rel, rec.where, number))
                if seen[2] == number:
                    continue  # the planner judged repeats within a chunk
                if not same_props(seen[0].props, rec.rel.props):
                    self.problems.error(rec.sheet, rec.row, rec.column, *_twice(rec.rel, seen[1]))
                elif rec.row is not None:
                    self.skip_rows.add(rec.row)
                    self.uncount(ident, rec.rel)

    def uncount(self, ident: tuple[str, str, str, str], rel: Relationship) -> None:
        """Take back the count of a repeated relationship that will not be written."""
        stored = self.index.rel_props.get(ident) if not self.index.empty else None
        kind = "created" if stored is None else "unchanged" if same_props(stored, rel.props) else "updated"
        counts: Counter[str] = getattr(self.report, kind)
        counts[rel.type] -= 1

    # -- one pass into an empty store: check and write each chunk at once -------------------
    def load(self, progress: Progress | None) -> None:
        """Check every record and write each chunk's plan as soon as it is checked, all in one
        transaction that rolls back when any error turns up (nothing is visible before the
        commit, so a bad record on the last line still leaves the store untouched). Once an
        error is found, the rest of the file is only checked. The store's secondary indexes are
        built once at the end (:meth:`deferred_indexes`)."""
        with self.store.transaction(source=f"import:{self.name}") as tx:
            if self.store.revision() != self.index.revision:
                raise _changed_meanwhile()
            tx.expect_new({})  # type: ignore[attr-defined]  # see loads_in_one_pass
            problems = self.problems

            def write(kind: str, items: list[Any]) -> None:
                if not problems.has_errors and items:
                    _write_piece(tx, kind, items)

            with tx.deferred_indexes():  # type: ignore[attr-defined]
                self.check(progress, write)
                self.find_repeats()
                problems.raise_if_errors()

    # -- the second pass: write ------------------------------------------------------------
    def pieces(self, size: int = WRITE_CHUNK) -> Iterator[tuple[str, list[Any]]]:
        """What to write, read again from the file: (kind, up to ``size`` records)."""
        stored = Counter(self.index.events) if not self.index.empty else Counter()
        for chunk in self.chunks(Problems(self.name)):
            batch = self.batch(chunk, Problems(self.name))
            section = chunk[0][0]
            items: list[Any]
            if section == "nodes":
                kind, items = "nodes", self.node_plan(batch, first_pass=False).nodes
            elif section == "relationships":
                kind, items = "rels", self.rel_plan(batch, first_pass=False).rels
            else:
                kind, items = "events", self.new_events(batch.tie_events, stored)
            for i in range(0, len(items), size):
                yield kind, items[i:i + size]

    def write(self, progress: Progress | None, per_transaction: int | None) -> int:
        """Write every chunk's plan; returns the number of transactions."""
        total = self.report.total("created") + self.report.total("updated") + self.report.tie_events_added
        pieces = self.pieces(min(WRITE_CHUNK, per_transaction or WRITE_CHUNK))
        piece, expected, number, done = next(pieces, None), self.index.revision, 0, 0
        # a store that creates in bulk (Neo4j) writes an empty graph's records without reading
        # first, as importers.plan_write does; a broken-off run leaves a graph, so the next upserts
        bulk = creates_in_bulk(self.store, self.index.empty)
        if progress is not None:
            progress("write", 0, total)
        while piece is not None:
            number += 1
            try:
                with self.store.transaction(source=f"import:{self.name}") as tx:
                    if self.store.revision() != expected:
                        raise _changed_meanwhile()
                    filled = 0
                    while piece is not None and not (
                            per_transaction and filled and filled + len(piece[1]) > per_transaction):
                        kind, items = piece
                        if bulk:  # an empty graph: its records are new
                            announce_new(tx, [piece], self.nodes.label)
                        _write_piece(tx, kind, items)
                        filled += len(items)
                        if progress is not None:
                            progress("write", done + filled, total)
                        piece = next(pieces, None)
            except Exception as exc:
                if number == 1:
                    raise
                raise _part_written(number, exc, done) from None
            expected, done = self.store.revision(), done + filled
        return number


def _write_piece(tx: Any, kind: str, items: list[Any]) -> None:
    """Write one piece of a dump's plan: nodes, relationships or tie events."""
    if kind == "nodes":
        tx.upsert_nodes(items)
    elif kind == "rels":  # a dump carries its own tie history
        tx.upsert_relationships(items, record_history=False)
    else:
        tx.add_tie_events(items)


def _changed_meanwhile() -> Conflict:
    return Conflict("De kaart is tijdens het importeren gewijzigd; probeer het opnieuw. / "
                    "The map changed during the import; try again.")


def _part_written(number: int, exc: Exception, done: int) -> ImportFailed:
    return ImportFailed(
        f"Transaction {number} failed ({exc}); the first {done:,} records are written. Import the "
        f"file again to finish. / Transactie {number} mislukte; de eerste {done:,} records staan "
        "erin. Importeer het bestand opnieuw om af te maken.")


def restore_dump(store: GraphStore, path: str | Path, *, name: str = "", limits: Limits,
                 dry_run: bool = False, progress: Progress | None = None,
                 per_transaction: int | None = None, one_pass: bool | None = None) -> ImportReport | None:
    """Check and write a full dump streaming, in flat memory; None for a file laid out otherwise.

    Raises :class:`importers.report.ImportRejected` with every error (file, line, field) when
    anything is wrong; the store is then untouched. A file that is valid JSON but not one record
    per line (or that lists nodes after relationships) gives None: read it whole instead.

    Into an empty store that can load in one transaction (``loads_in_one_pass``: SQLite), the
    file is read once: each chunk is written as soon as it is checked, and the transaction rolls
    back on any error. Otherwise, or with ``one_pass=False``, or with ``per_transaction``, it is
    read twice: check everything, then write.

    Examples
    --------
    >>> import tempfile
    >>> from graphsvc.store import open_store
    >>> from importers.dump import write_dump_records
    >>> from importers.limits import CLI_LIMITS
    >>> p = Path(tempfile.mkdtemp()) / "d.json"
    >>> _ = write_dump_records(p, {"nodes": [{"id": "i", "label": "Interest", "props": {"name": "X"}}]})
    >>> store = open_store("sqlite:///:memory:")
    >>> restore_dump(store, p, limits=CLI_LIMITS).summary(), store.revision()
    ('d.json (dump): 1 created, 0 updated, 0 unchanged.', 1)
    """
    source = Path(path)
    name = name or source.name
    if one_pass is None:
        one_pass = bool(getattr(store, "loads_in_one_pass", False))
    one_pass = one_pass and not dry_run and per_transaction is None
    for mode in ("lines", "text"):
        restore = _Restore(store, source, name, limits)
        restore.mode = mode
        single = one_pass and restore.index.empty
        try:
            restore.load(progress) if single else restore.check(progress)
        except NeedsText:
            continue
        except (NotStreamable, OutOfOrder):
            return None
        break
    if not single:
        restore.find_repeats()
        restore.problems.raise_if_errors()
    report = restore.report
    restore.problems.summarise_warnings()
    report.warnings = list(restore.problems.warnings)
    report.dry_run = dry_run
    report.revision_before = report.revision_after = restore.index.revision
    if single:
        report.transactions = 1 if report.changed else 0
        report.revision_after = store.revision()
    elif not dry_run and report.changed:
        report.transactions = restore.write(progress, per_transaction)
        report.revision_after = store.revision()
    return report
