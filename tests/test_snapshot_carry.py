"""The table of derived-key families: every carried family has its carrier, every key in use is
declared, and a carried index survives a meeting's tie change while the others are rebuilt."""

from __future__ import annotations

import pytest

import graphsvc.web.answers  # noqa: F401 - registers the answer cache's carrier
import queries.islands
import queries.match_index  # noqa: F401 - registers the matching index's carrier
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_carry import FAMILIES, carriers, carries_over, family_of
from graphsvc.store import GraphStore


def test_every_carried_family_has_a_carrier_and_no_other_has_one() -> None:
    assert {name for name, family in FAMILIES.items() if family.carried} == set(carriers())


def test_family_names_are_spelled_one_way() -> None:
    for name in FAMILIES:
        assert name == name.lower() and "_" not in name and ":" not in name, name


def test_an_undeclared_key_is_refused_before_anything_is_built(sqlite_store: GraphStore) -> None:
    snap = Snapshot.from_store(sqlite_store)
    built = []
    with pytest.raises(KeyError, match="matching_index"):
        snap.derived("matching_index", lambda s: built.append(1))
    assert built == []
    assert family_of("islands:WK1:2").name == "islands"


def test_only_a_carried_family_takes_a_carrier() -> None:
    with pytest.raises(ValueError, match="brokers"):
        carries_over("brokers")


def test_a_tie_change_carries_the_carried_and_rebuilds_the_rest(sqlite_store: GraphStore) -> None:
    with sqlite_store.transaction() as tx:
        for org in ("a", "b", "c"):
            tx.upsert_node(Node(org, "Organisation", {"name": org.upper()}))
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 1}))
    snap = Snapshot.from_store(sqlite_store)
    snap.derived("area-members:x", lambda s: frozenset({"a"}))
    snap.derived("brokers:x:2", lambda s: ["kept?"])
    with sqlite_store.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", "b", "c", {"rung": 2}))
    changes = sqlite_store.changes_since(snap.revision)
    assert changes is not None
    new = snap.apply(changes, sqlite_store.tie_events_after(0), revision=sqlite_store.revision())
    assert "area-members:x" in new._derived and "brokers:x:2" not in new._derived
