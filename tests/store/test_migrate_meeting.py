"""Undo in an open meeting works the same after the graph moved to another store (``migrate``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.actions.migrate import migrate
from graphsvc.actions.sessions import open_session, record_tie, undo_last
from graphsvc.errors import Conflict
from graphsvc.model import Relationship
from graphsvc.store import GraphStore, open_store
from tests.small_graph import seed_small


def test_undo_in_a_meeting_after_migrate(store: GraphStore, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    seed_small(source)
    with source.transaction() as tx:  # a tie with some history: its version is well above 1
        for rung in (1, 2, 1):
            tx.upsert_relationship(Relationship("TIE", "org-alone", "org-kadin", {"rung": rung}))
    session = open_session(source, "area-e", name="Buurtavond")
    record_tie(source, session.id, "org-alone", "org-kadin", 3)
    record_tie(source, session.id, "org-alone", "org-kadin", 4)
    record_tie(source, session.id, "org-amal", "org-kadin", 5)
    migrate(source, store)
    source.close()

    def rung(a: str, b: str) -> int:
        return int(store.get_relationship("TIE", a, b).props["rung"])

    assert undo_last(store, session.id).new_rung == 3  # amal–kadin back from 5 to 3
    assert rung("org-amal", "org-kadin") == 3
    assert undo_last(store, session.id).new_rung == 3  # alone–kadin from 4 back to 3 ...
    assert undo_last(store, session.id).new_rung == 1  # ... and from 3 back to 1
    assert rung("org-alone", "org-kadin") == 1
    with pytest.raises(Conflict, match="nothing to undo"):
        undo_last(store, session.id)


def test_after_migrate_a_tie_changed_since_is_still_not_undone(store: GraphStore, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    seed_small(source)
    session = open_session(source, "area-e", name="Buurtavond")
    record_tie(source, session.id, "org-amal", "org-kadin", 5)
    migrate(source, store)
    source.close()
    with store.transaction(source="coach") as tx:  # someone else changes the tie afterwards
        tx.upsert_relationship(Relationship("TIE", "org-amal", "org-kadin", {"rung": 2}))
    with pytest.raises(Conflict, match="was changed after this"):
        undo_last(store, session.id)
    assert store.get_relationship("TIE", "org-amal", "org-kadin").props["rung"] == 2
