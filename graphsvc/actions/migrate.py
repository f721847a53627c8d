"""Copy a whole graph between two stores (SQLite ↔ Neo4j, or any pair): nodes, relationships, history.

Accounts travel too: users with their password hashes, API tokens and the audit log (login
sessions and rate-limit counters do not: people log in again on the new store).

The copy goes through the store contract, so it works for every backend. It is **idempotent**:
nodes and relationships are upserts (unchanged records change nothing), and a tie event or a
change-log entry is only added when the target does not hold it yet. Both are compared as whole
records (tie events: pair, rungs, time, source, session, declared_by; log entries: everything but
their number and revision), counted with multiplicity, so a second run adds none and a run after
new changes in the source adds only the new ones. Nothing in the target is deleted.

History travels as the source recorded it: relationships are written with
``record_history=False`` and the copy's transactions with ``record_changes=False``, so neither
the tie history nor the change log gets entries for the copying itself; the source's change log
is copied with :meth:`~graphsvc.store.base.Transaction.add_changes` (revision 0 in the target, so
a snapshot of the target re-reads the graph rather than replaying the copy). An organisation's
history therefore looks the same after a move to another store, and its latest changes can still
be undone there (an undo compares values, not versions).

Each batch is its own transaction (a copy of 100k organisations does not fit in one); when a
run fails half-way, running it again completes it. Into an empty Neo4j the nodes and
relationships are created without the read an upsert makes, in batches of :data:`BULK_BATCH`
(the same records, versions and timestamps; a run into a graph that holds anything upserts). Versions, ``created_at`` and ``updated_at``
travel with the records (:meth:`~graphsvc.store.base.Transaction.set_stamps`), so a version a
client or an open meeting's undo stack holds is still the version in the target.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from graphsvc.access.accounts_transfer import export_accounts, import_accounts
from graphsvc.errors import InvalidInput
from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent
from graphsvc.store.accounts_base import account_records
from graphsvc.store.base import GraphStore, Transaction, read_consistent

__all__ = ["MigrationReport", "Progress", "migrate", "migrate_accounts", "missing_events", "missing_changes"]

T = TypeVar("T")
#: Records per transaction on the bulk path (an empty target that can create in bulk).
BULK_BATCH = 20_000
Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` after every batch; stages: nodes, relationships,
tie events, change log."""


@dataclass(frozen=True)
class MigrationReport:
    """What a migration read from the source and changed in the target."""

    source: str
    target: str
    nodes: int
    relationships: int
    tie_events: int
    nodes_changed: int
    relationships_changed: int
    tie_events_added: int
    source_revision: int
    target_revision: int
    seconds: float
    changes: int = 0
    changes_added: int = 0
    users_added: int = 0
    tokens_added: int = 0
    audit_added: int = 0

    @property
    def changed(self) -> int:
        """How many records the run wrote; 0 when the target already held everything."""
        return (self.nodes_changed + self.relationships_changed + self.tie_events_added + self.changes_added
                + self.users_added + self.tokens_added + self.audit_added)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}

    def summary(self) -> str:
        """One line for people, e.g. for the CLI."""
        return (
            f"Copied {self.nodes} nodes ({self.nodes_changed} changed), {self.relationships} "
            f"relationships ({self.relationships_changed} changed), {self.tie_events_added} new "
            f"of {self.tie_events} tie events and {self.changes_added} new of {self.changes} "
            f"change-log entries, {self.users_added} new accounts, {self.tokens_added} new API "
            f"tokens and {self.audit_added} new audit entries in {self.seconds:.1f} s; the target "
            f"is at revision {self.target_revision}."
        )


def _event_key(event: TieEvent) -> tuple[Any, ...]:
    return (event.a, event.b, event.old_rung, event.new_rung, event.at, event.source,
            event.session, event.declared_by)


def _missing(source: Sequence[T], target: Sequence[T], key: Callable[[T], Any]) -> list[T]:
    if not target:  # e.g. a new store: no key to make (1.4M log entries at 100k organisations)
        return list(source)
    held = Counter(key(e) for e in target)
    out = []
    for item in source:
        k = key(item)
        if held[k]:
            held[k] -= 1
        else:
            out.append(item)
    return out


def missing_events(source: Sequence[TieEvent], target: Sequence[TieEvent]) -> list[TieEvent]:
    """The source's tie events the target does not hold yet, in the source's order.

    Examples
    --------
    >>> e1 = TieEvent("a", "b", 0, 1, "2024-01-01")
    >>> e2 = TieEvent("a", "b", 1, 3, "2024-06-01")
    >>> [e.new_rung for e in missing_events([e1, e2], [e1])]
    [3]
    >>> missing_events([e1, e2], [e1, e2])
    []
    """
    return _missing(source, target, _event_key)


def _change_key(change: ChangeEvent) -> tuple[Any, ...]:
    as_dict = change.as_dict()
    for numbering in ("seq", "revision"):  # the target numbers its entries itself
        del as_dict[numbering]
    return tuple((k, json.dumps(v, sort_keys=True)) for k, v in as_dict.items())


def missing_changes(source: Sequence[ChangeEvent], target: Sequence[ChangeEvent]) -> list[ChangeEvent]:
    """The source's change-log entries the target does not hold yet, in the source's order."""
    return _missing(source, target, _change_key)


def _whole_log(store: GraphStore, up_to: int, page: int = 10_000) -> list[ChangeEvent]:
    """A store's change log, oldest first, without entries committed after revision ``up_to``."""
    newest_first: list[ChangeEvent] = []
    while batch := store.changes(before_seq=newest_first[-1].seq if newest_first else None, limit=page):
        newest_first += batch
    return [e for e in reversed(newest_first) if e.revision <= up_to]


def _upsert_nodes(tx: Transaction, nodes: list[Node]) -> int:
    """Upsert a batch of nodes and give them the source's versions and timestamps."""
    changed = tx.upsert_nodes(nodes)
    tx.set_stamps(nodes=nodes)
    return changed


def _upsert_rels_quietly(tx: Transaction, rels: list[Relationship]) -> int:
    """Upsert without recording history (the source's history is copied as it is), in a batch,
    with the source's versions and timestamps."""
    changed = tx.upsert_relationships(rels, record_history=False)
    tx.set_stamps(rels=rels)
    return changed


def _can_create(target: GraphStore) -> bool:
    """True when ``target`` holds no graph yet and its transactions can create records in bulk
    (``create_nodes`` / ``create_relationships``, e.g. Neo4j's): the copy then skips the read
    every upsert makes, and writes each record's versions and timestamps with it."""
    return bool(getattr(target, "bulk_create", False)) and target.is_empty()


def _create_nodes(tx: Transaction, nodes: list[Node]) -> int:
    return int(tx.create_nodes(nodes))  # type: ignore[attr-defined]  # see _can_create


def _create_rels(tx: Transaction, rels: list[Relationship], labels: dict[str, str]) -> int:
    return int(tx.create_relationships(rels, labels))  # type: ignore[attr-defined]


def _copy(target: GraphStore, stage: str, items: Sequence[T], write: Callable[[Transaction, list[T]], int],
          batch: int, progress: Progress | None) -> int:
    changed = 0
    if progress:
        progress(stage, 0, len(items))
    for start in range(0, len(items), batch):
        chunk = list(items[start:start + batch])
        with target.transaction(source="migrate", record_changes=False) as tx:
            changed += write(tx, chunk)
        if progress:
            progress(stage, start + len(chunk), len(items))
    return changed


def migrate_accounts(source: GraphStore, target: GraphStore) -> dict[str, int]:
    """Copy the accounts, API tokens and audit log alone (what the target lacks), e.g. after Neo4j's
    offline importer loaded the graph; returns how many of each were added."""
    return dict(import_accounts(account_records(target), export_accounts(account_records(source))))


def migrate(source: GraphStore, target: GraphStore, *, progress: Progress | None = None,
            batch: int = 5000) -> MigrationReport:
    """Copy every node, relationship, tie event and change-log entry of ``source`` into ``target``.

    The source is read at one revision (:func:`~graphsvc.store.base.read_consistent`); the
    target is written in transactions of ``batch`` records. Safe to run again: see the module
    docstring.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> from graphsvc.model import Node
    >>> a, b = open_store("sqlite:///:memory:"), open_store("sqlite:///:memory:")
    >>> with a.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
    >>> first = migrate(a, b)  # the node, and the entry of the change log that created it
    >>> (first.nodes_changed, first.changes_added), migrate(a, b).changed
    ((1, 1), 0)
    >>> b.get_node("o1").name
    'Al Amal'
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise InvalidInput(f"The batch size must be a whole number of at least 1, not {batch!r}.")
    if source is target or (source.url == target.url and not source.url.endswith(":memory:")):
        raise InvalidInput(f"The source and the target are the same store ({source.url}).")
    started = time.perf_counter()
    data = read_consistent(source)
    size = batch
    if _can_create(target):  # an empty graph on a backend with a bulk path: no reads, no upserts
        labels = {n.id: n.label for n in data.nodes}
        size = max(batch, BULK_BATCH)  # the history and the log too: fewer, bigger transactions
        nodes = _copy(target, "nodes", data.nodes, _create_nodes, size, progress)
        rels = _copy(target, "relationships", data.relationships,
                     lambda tx, chunk: _create_rels(tx, chunk, labels), size, progress)
    else:
        nodes = _copy(target, "nodes", data.nodes, _upsert_nodes, batch, progress)
        rels = _copy(target, "relationships", data.relationships, _upsert_rels_quietly, batch, progress)
    new_events = missing_events(data.tie_events, target.tie_history())
    events = _copy(target, "tie events", new_events, lambda tx, chunk: tx.add_tie_events(chunk),
                   size, progress)
    log = _whole_log(source, data.revision)
    new_changes = missing_changes(log, _whole_log(target, target.revision()))
    changes = _copy(target, "change log", new_changes, lambda tx, chunk: tx.add_changes(chunk), size,
                    progress)
    accounts = migrate_accounts(source, target)
    return MigrationReport(
        source=source.url, target=target.url, nodes=len(data.nodes),
        relationships=len(data.relationships), tie_events=len(data.tie_events),
        nodes_changed=nodes, relationships_changed=rels, tie_events_added=events,
        source_revision=data.revision, target_revision=target.revision(),
        seconds=round(time.perf_counter() - started, 3), changes=len(log), changes_added=changes,
        users_added=accounts["users"], tokens_added=accounts["tokens"], audit_added=accounts["audit"],
    )
