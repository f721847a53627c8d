"""Write an import plan to the store: in one transaction, or in transactions of a given number of
records, refusing when the store changed since the plan was made."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from graphsvc.errors import Conflict, ImportFailed
from graphsvc.store.base import GraphStore
from importers.batch import WRITE_CHUNK, ImportBatch, Progress

if TYPE_CHECKING:
    from importers.planner import Plan

__all__ = ["write_plan"]

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = WRITE_CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _work(plan: Plan, size: int) -> list[tuple[str, Sequence[Any]]]:
    return ([("nodes", c) for c in _chunks(plan.nodes, size)]
            + [("rels", c) for c in _chunks(plan.rels, size)]
            + [("events", c) for c in _chunks(plan.events, size)])


def _groups(work: list[tuple[str, Sequence[Any]]], per_transaction: int | None) -> list[list[tuple[str, Sequence[Any]]]]:
    if not per_transaction:
        return [work]
    groups: list[list[tuple[str, Sequence[Any]]]] = [[]]
    filled = 0
    for step in work:
        if filled and filled + len(step[1]) > per_transaction:
            groups.append([])
            filled = 0
        groups[-1].append(step)
        filled += len(step[1])
    return groups


def creates_in_bulk(store: GraphStore, empty: bool) -> bool:
    """Whether an import into ``store`` may write its records without reading first: the store
    held no graph when the import was planned and can create in bulk (``bulk_create``, Neo4j)."""
    return empty and bool(getattr(store, "bulk_create", False))


def announce_new(tx: Any, pieces: Iterable[tuple[str, Sequence[Any]]],
                 label_of: Callable[[str], str | None]) -> None:
    """Tell ``tx`` the nodes these pieces write or connect are new (``expect_new``), with their
    labels: an empty graph's records are then created without the read an upsert makes."""
    ids = {x for kind, items in pieces if kind != "events" for r in items
           for x in ((r.id,) if kind == "nodes" else (r.start, r.end))}
    tx.expect_new({i: label for i in ids if (label := label_of(i)) is not None})


def write_plan(store: GraphStore, batch: ImportBatch, plan: Plan, revision: int,
               progress: Progress | None = None, *, per_transaction: int | None = None,
               empty: bool = False) -> int:
    """Write ``plan``: in one transaction, or in transactions of ``per_transaction`` records.

    Refuses (``Conflict``) when the store changed since it was read. Returns the number of
    transactions. With ``per_transaction`` a failure leaves the earlier transactions written
    and says so; importing the file again completes it (re-imports change nothing twice: the
    store is no longer empty, so that run upserts). ``empty``: the store held no graph when the
    plan was made; a store that can create in bulk (``bulk_create``, Neo4j) then writes every
    record without the read an upsert makes (the same records, versions, history and log).
    """
    size = min(WRITE_CHUNK, per_transaction or WRITE_CHUNK)
    groups = _groups(_work(plan, size), per_transaction)
    total, done, expected = len(plan.nodes) + len(plan.rels) + len(plan.events), 0, revision
    if progress is not None:
        progress("write", 0, total)
    labels = {node.id: node.label for node in plan.nodes} if creates_in_bulk(store, empty) else None
    for number, group in enumerate(groups, 1):
        try:
            _write_group(store, batch, group, expected, labels)
        except Exception as exc:
            if number == 1:
                raise
            raise ImportFailed(
                f"Transaction {number} of {len(groups)} failed ({exc}); the first {done:,} records "
                f"are written. Import the file again to finish. / Transactie {number} van "
                f"{len(groups)} mislukte; de eerste {done:,} records staan erin. Importeer het "
                "bestand opnieuw om af te maken.") from None
        expected = store.revision()
        done += sum(len(items) for _, items in group)
        if progress is not None:
            progress("write", done, total)
    return len(groups)


def _write_group(store: GraphStore, batch: ImportBatch, group: list[tuple[str, Sequence[Any]]],
                 expected: int, labels: dict[str, str] | None) -> None:
    with store.transaction(source=batch.source) as tx:
        if store.revision() != expected:
            raise Conflict("De kaart is tijdens het importeren gewijzigd; probeer het opnieuw. / "
                           "The map changed during the import; try again.")
        if labels is not None:  # an empty graph: every record of the plan is new (see write_plan)
            announce_new(tx, group, labels.get)
        for kind, items in group:
            if kind == "nodes":
                tx.upsert_nodes(items)
            elif kind == "rels":  # a dump carries its own tie history: no events for its ties
                tx.upsert_relationships(items, record_history=not batch.restore)
            else:
                tx.add_tie_events(items)
