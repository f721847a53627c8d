"""Snapshot.apply: change-log entries applied copy-on-write equal a full read of the store.

The entries come from :class:`tests.change_script.ChangeScript`, which writes the same changes
to a real store (both backends): after every transaction, the applied snapshot must answer
exactly as a snapshot read from the store, and the snapshot it was applied to must be unchanged.
"""

from __future__ import annotations

import random

import pytest

from graphsvc.model import ChangeEvent, Node
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_apply import NotApplicable
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore
from tests.change_script import LINKS, ChangeScript, seed, snapshot_state

pytestmark = pytest.mark.usefixtures("undeclared_allowed")  # every kind of value, any key


def _last_event(snap: Snapshot) -> int:
    return snap.tie_events[-1].seq if snap.tie_events else 0


@pytest.mark.parametrize("run", range(4))
def test_applied_changes_equal_a_full_read(store: GraphStore, run: int) -> None:
    rng = random.Random(run)
    seed(store, rng)
    script = ChangeScript(store, rng)
    chained = Snapshot.from_store(store)
    for _ in range(16):
        # one snapshot with every incoming list built (kept up to date by apply), one fresh from
        # the store with some built: the others are built later from the applied state
        before = snapshot_state(chained)
        fresh = Snapshot.from_store(store)
        for rel_type in rng.sample(sorted(LINKS), 2):
            fresh.into(rel_type, "")
        first = len(script.changes)
        revision = script.step(rng.randint(1, 4))
        changes = script.changes[first:]
        events = store.tie_events_after(_last_event(chained))
        applied = [chained.apply(changes, events, revision=revision),
                   fresh.apply(changes, store.tie_events_after(_last_event(fresh)), revision=revision)]
        full = snapshot_state(Snapshot.from_store(store))
        assert snapshot_state(chained) == before  # readers of the old snapshot see no change
        for snap in applied:
            assert snapshot_state(snap) == full
        chained = applied[0]
    assert {c.op for c in script.changes} == {"create", "update", "delete"}
    assert {c.kind for c in script.changes} == {"node", "relationship"}


def test_apply_shares_what_the_changes_leave_alone(sqlite_store: GraphStore) -> None:
    rng = random.Random(9)
    seed(sqlite_store, rng, nodes=40, rels=80)
    script = ChangeScript(sqlite_store, rng)
    snap = Snapshot.from_store(sqlite_store)
    revision = script.step(1, ops=("rel~",))
    new = snap.apply(script.changes, sqlite_store.tie_events_after(_last_event(snap)), revision=revision)
    change = script.changes[0]
    assert new.revision == revision and new.derived("brokers:x", lambda s: 1) == 1 \
        and "brokers:x" not in snap._derived
    untouched = [n for n in snap.nodes if n not in (change.start, change.end)]
    assert new.nodes is snap.nodes and all(new.nodes[n] == snap.nodes[n] for n in untouched)
    other_types = set(snap._out) - {change.label}
    assert all(new._out[t] is snap._out[t] for t in other_types)


def test_changes_that_do_not_fit_are_refused(sqlite_store: GraphStore) -> None:
    with sqlite_store.transaction() as tx:
        tx.upsert_node(Node("a", "Organisation", {"name": "A"}))
    snap = Snapshot.from_store(sqlite_store)

    def change(op: str, kind: str, label: str, start: str, end: str = "") -> ChangeEvent:
        return ChangeEvent(1, 2, "2031-01-01T00:00:00Z", "t", "", op, kind, label, start, end,
                           new={"name": "X", "rung": 2})

    for bad in (change("create", "node", "Organisation", "a"), change("update", "node", "Organisation", "b"),
                change("delete", "node", "Institution", "a"), change("update", "relationship", "TIE", "a", "b"),
                change("create", "relationship", "TIE", "a", "zz")):
        with pytest.raises(NotApplicable):
            snap.apply([bad])
    assert snap.apply([]) is snap


def test_cache_follows_the_change_log(store: GraphStore) -> None:
    """End to end: the cache applies the store's own change log (once the backends keep one)."""
    if store.changes_since(0) is None:
        pytest.skip("this store keeps no change log yet")
    rng = random.Random(7)
    seed(store, rng)
    cache = SnapshotCache(store)
    cache.get()
    script = ChangeScript(store, rng)
    revisions = {store.revision()}
    for _ in range(15):
        revisions.add(script.step(rng.randint(1, 3)))
        snap = cache.get()
        assert snap.revision == store.revision()
        assert snapshot_state(snap) == snapshot_state(Snapshot.from_store(store))
    assert cache.updates == len(revisions) - 1 and cache.builds == len(revisions)
