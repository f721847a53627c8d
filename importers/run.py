"""The one entry of every import: check a batch against the store, then write it whole or not at all."""

from __future__ import annotations

from graphsvc.store.base import GraphStore
from importers.batch import ImportBatch, Progress
from importers.index import StoreIndex
from importers.planner import plan_import, write_plan
from importers.report import ImportReport

__all__ = ["run_import"]


def run_import(store: GraphStore, batch: ImportBatch, *, dry_run: bool = False,
               progress: Progress | None = None, per_transaction: int | None = None) -> ImportReport:
    """Check ``batch`` against ``store`` and write it in one transaction (unless ``dry_run``).

    Raises :class:`importers.report.ImportRejected` with every error when anything is wrong;
    the store is then untouched. ``per_transaction`` splits the writing into transactions of
    that many records (for very large files on Neo4j); everything is still checked first.

    Examples
    --------
    >>> from graphsvc.model import Node
    >>> from graphsvc.store import open_store
    >>> from importers.batch import Where
    >>> store = open_store("sqlite:///:memory:")
    >>> batch = ImportBatch("t.csv", "tabular")
    >>> batch.add_node(Node("o1", "Organisation", {"name": "De Brug"}), Where("organisations", 2))
    >>> run_import(store, batch).summary()
    't.csv (tabular): 1 created, 0 updated, 0 unchanged.'
    >>> run_import(store, batch).summary(), store.revision()
    ('t.csv (tabular): 0 created, 0 updated, 1 unchanged.', 1)
    """
    index = StoreIndex(store)
    plan = plan_import(batch, index)
    batch.problems.raise_if_errors()
    report = plan.report
    report.dry_run = dry_run
    report.revision_before = report.revision_after = index.revision
    if not dry_run and report.changed:
        report.transactions = write_plan(store, batch, plan, index.revision, progress,
                                         per_transaction=per_transaction, empty=index.empty)
        report.revision_after = store.revision()
    return report
