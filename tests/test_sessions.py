"""The session write side: open, record, undo, close; bad input refused with nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.actions.sessions import (
    UNDO_DEPTH,
    change_count,
    close_session,
    last_change,
    open_session,
    open_sessions,
    record_tie,
    set_public_meeting_map,
    undo_last,
)
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.islands import is_island
from queries.ladder import ladder_progress, years
from queries.sessions import session_diff


@pytest.fixture
def session_id(seeded: GraphStore) -> str:
    return open_session(seeded, "WK0363EM", name="Wijktafel", day="2025-03-13",
                        participants=["org-amal"], opened_by="coach").id


def test_open_session_links_area_and_participants(seeded: GraphStore, session_id: str) -> None:
    node = seeded.get_node(session_id)
    assert node.props["status"] == "open" and node.props["area"] == "area-wk0363em"
    assert node.props["date"] == "2025-03-13" and node.props["opened_by"] == "coach"
    snap = Snapshot.from_store(seeded)
    assert snap.targets("HELD_IN", session_id) == {"area-wk0363em"}
    assert snap.sources("ATTENDED", session_id) == {"org-amal"}
    assert [s.id for s in open_sessions(seeded, "area-wk0363em")] == [session_id]


def test_second_open_session_in_one_area_is_refused(seeded: GraphStore, session_id: str) -> None:
    with pytest.raises(Conflict, match="already has an open session"):
        open_session(seeded, "wk0363em")


def test_record_a_new_tie_carries_the_session(seeded: GraphStore, session_id: str) -> None:
    change = record_tie(seeded, session_id, "org-kadin", "org-xss", 2, recorded_by="coach")
    assert (change.a, change.b, change.old_rung, change.new_rung, change.kind) == (
        "org-kadin", "org-xss", 0, 2, "new")
    tie = seeded.get_relationship("TIE", "org-xss", "org-kadin")
    assert tie.props["session"] == session_id and tie.props["source"] == f"session:{session_id}"
    assert tie.props["declared_by"] == "both"
    assert tie.props["confirmed_at"] == tie.props["changed_at"] == change.at
    assert tie.version == change.tie_version == 1
    event = seeded.tie_history("org-kadin", "org-xss")[-1]
    assert (event.new_rung, event.session, event.source) == (2, session_id, f"session:{session_id}")
    snap = Snapshot.from_store(seeded)
    assert {"org-kadin", "org-xss"} <= snap.sources("ATTENDED", session_id)
    assert not is_island(snap, "org-xss", "E")


def test_rung_change_up_keeps_the_note_and_since(seeded: GraphStore, session_id: str) -> None:
    change = record_tie(seeded, session_id, "org-xss", "org-amal", 3, declared_by="coach")
    assert change.kind == "up" and (change.old_rung, change.new_rung) == (1, 3)
    tie = seeded.get_relationship("TIE", "org-amal", "org-xss")
    assert tie.props["rung"] == 3 and tie.props["declared_by"] == "coach"
    assert tie.props["note"] == "<img src=x onerror=alert(1)>"  # kept, never interpreted


def test_confirming_the_same_rung_moves_confirmed_at_only(seeded: GraphStore, session_id: str) -> None:
    history = len(seeded.tie_history())
    change = record_tie(seeded, session_id, "org-amal", "org-kadin", 3)
    assert change.kind == "confirmed"
    tie = seeded.get_relationship("TIE", "org-amal", "org-kadin")
    assert tie.props["confirmed_at"] == change.at and "changed_at" not in tie.props
    assert len(seeded.tie_history()) == history


def test_session_diff_shows_what_moved(seeded: GraphStore, session_id: str) -> None:
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    record_tie(seeded, session_id, "org-amal", "org-kadin", 2)
    diff = session_diff(Snapshot.from_store(seeded), session_id)
    assert [(m.a, m.b, m.kind) for m in diff.moves] == [
        ("org-kadin", "org-xss", "new"), ("org-amal", "org-kadin", "down")]
    assert [f.id for f in diff.found_partner] == ["org-xss"]


def test_undo_takes_back_the_last_change_and_is_recorded(seeded: GraphStore, session_id: str) -> None:
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    record_tie(seeded, session_id, "org-xss", "org-amal", 4)
    undone = undo_last(seeded, session_id)
    assert (undone.kind, undone.old_rung, undone.new_rung) == ("undone", 4, 1)
    tie = seeded.get_relationship("TIE", "org-amal", "org-xss")
    assert tie.props == {"rung": 1, "note": "<img src=x onerror=alert(1)>"}  # exactly as before
    events = [e for e in seeded.tie_history("org-amal", "org-xss") if e.session == session_id]
    assert [(e.old_rung, e.new_rung) for e in events] == [(1, 4), (4, 1)]
    diff = session_diff(Snapshot.from_store(seeded), session_id)
    assert [(m.a, m.b) for m in diff.moves] == [("org-kadin", "org-xss")]
    # a second undo takes back the change before: the new tie is removed again
    again = undo_last(seeded, session_id)
    assert (again.a, again.b, again.new_rung, again.tie_version) == ("org-kadin", "org-xss", 0, 0)
    with pytest.raises(NotFound):
        seeded.get_relationship("TIE", "org-kadin", "org-xss")
    assert session_diff(Snapshot.from_store(seeded), session_id).moves == ()
    with pytest.raises(Conflict, match="nothing to undo"):
        undo_last(seeded, session_id)


def test_a_long_meeting_keeps_each_write_small_and_loses_no_change(seeded: GraphStore,
                                                                     session_id: str) -> None:
    # Rung changes back and forth on one pair: each write used to carry the whole session log
    # (twice, in the change log), so a long meeting made every next write slower.
    extra = 7
    for i in range(UNDO_DEPTH + extra):
        record_tie(seeded, session_id, "org-kadin", "org-xss", 1 + i % 3, recorded_by="coach")
    node = seeded.get_node(session_id)
    assert change_count(node) == UNDO_DEPTH + extra
    assert len(node.props["changes"]) == UNDO_DEPTH
    last_write = seeded.changes(node_id=session_id, limit=1)[0]
    assert len(last_write.new["changes"]) == UNDO_DEPTH and last_write.new["change_count"] == UNDO_DEPTH + extra
    # every change is still in the tie history, with the session on it
    moves = [e for e in seeded.tie_history("org-kadin", "org-xss") if e.session == session_id]
    assert len(moves) == UNDO_DEPTH + extra
    for _ in range(UNDO_DEPTH):
        undo_last(seeded, session_id)
    # the first `extra` changes are beyond the stack: refused with where to go instead
    with pytest.raises(Conflict, match=f"last {UNDO_DEPTH} changes.*history page"):
        undo_last(seeded, session_id)
    tie = seeded.get_relationship("TIE", "org-kadin", "org-xss")
    assert tie.props["rung"] == 1 + (extra - 1) % 3  # as the last change beyond the stack left it
    assert change_count(seeded.get_node(session_id)) == UNDO_DEPTH + extra


def test_a_session_from_before_the_count_counts_its_log(seeded: GraphStore, session_id: str) -> None:
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    node = seeded.get_node(session_id)
    legacy = {k: v for k, v in node.props.items() if k != "change_count"}
    from graphsvc.model import Node

    with seeded.transaction(source="test") as tx:
        tx.upsert_node(Node(session_id, "Session", legacy))
    assert change_count(seeded.get_node(session_id)) == 1
    record_tie(seeded, session_id, "org-kadin", "org-xss", 3)
    assert change_count(seeded.get_node(session_id)) == 2


def test_undo_keeps_the_ladder_history_in_order(seeded: GraphStore, session_id: str) -> None:
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    undo_last(seeded, session_id)
    progress = ladder_progress(Snapshot.from_store(seeded), "E", years("2020-01-01", "2099-01-01"))
    assert progress.periods[-1].count(2) == 1  # only Buurtteam–Al Amal; the undone tie is gone


def test_undo_refuses_when_the_tie_changed_since(seeded: GraphStore, session_id: str) -> None:
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    from graphsvc.model import Relationship

    with seeded.transaction(source="elsewhere") as tx:
        tx.upsert_relationship(Relationship("TIE", "org-kadin", "org-xss", {"rung": 5}))
    revision = seeded.revision()
    with pytest.raises(Conflict, match="changed after this"):
        undo_last(seeded, session_id)
    assert seeded.revision() == revision


def test_expected_version_conflicts_carry_the_current_version(seeded: GraphStore,
                                                             session_id: str) -> None:
    with pytest.raises(Conflict) as caught:
        record_tie(seeded, session_id, "org-amal", "org-kadin", 4, expected_version=0)
    assert caught.value.current_version == 1
    change = record_tie(seeded, session_id, "org-amal", "org-kadin", 4, expected_version=1)
    assert change.tie_version == 2
    with pytest.raises(Conflict) as stale:
        undo_last(seeded, session_id, expected_version=1)
    assert stale.value.current_version == change.session_version


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("org-amal", "org-amal", 2), InvalidInput, "two different actors"),
        (("org-amal", "org-kadin", 7), InvalidInput, "from 1 to 5"),
        (("org-amal", "org-kadin", 0), InvalidInput, "from 1 to 5"),
        (("org-amal", "org-kadin", True), InvalidInput, "from 1 to 5"),
        (("org-amal", "org-kadin", "3"), InvalidInput, "from 1 to 5"),
        (("org-amal", "nobody", 2), NotFound, "no organisation or institution"),
        (("org-amal", "fund-a", 2), InvalidInput, "ties join organisations"),
        (("org-amal", "", 2), InvalidInput, "two actors"),
    ],
)
def test_bad_ties_are_refused_and_nothing_is_written(seeded: GraphStore, session_id: str,
                                                     args: tuple[Any, ...], error: type,
                                                     message: str) -> None:
    revision = seeded.revision()
    with pytest.raises(error, match=message):
        record_tie(seeded, session_id, *args)
    assert seeded.revision() == revision


def test_bad_declared_by_and_unknown_session(seeded: GraphStore, session_id: str) -> None:
    revision = seeded.revision()
    with pytest.raises(InvalidInput, match="declared_by"):
        record_tie(seeded, session_id, "org-amal", "org-kadin", 2, declared_by="rumour")
    with pytest.raises(NotFound, match="no session"):
        record_tie(seeded, "sess-nope", "org-amal", "org-kadin", 2)
    with pytest.raises(NotFound, match="no session"):
        record_tie(seeded, "org-amal", "org-amal", "org-kadin", 2)  # a node, but not a session
    assert seeded.revision() == revision


def test_unknown_area_and_bad_date_are_refused(seeded: GraphStore) -> None:
    revision = seeded.revision()
    with pytest.raises(NotFound, match="no area with code 'ZZ'"):
        open_session(seeded, "ZZ")
    with pytest.raises(InvalidInput, match="date"):
        open_session(seeded, "E", day="13-03-2025")
    with pytest.raises(NotFound):
        open_session(seeded, "E", participants=["nobody"])
    assert seeded.revision() == revision


def test_a_closed_session_refuses_every_write(seeded: GraphStore, session_id: str) -> None:
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    closed = close_session(seeded, session_id, closed_by="coach")
    assert closed.props["status"] == "closed" and closed.props["closed_by"] == "coach"
    revision = seeded.revision()
    for attempt in (lambda: record_tie(seeded, session_id, "org-amal", "org-kadin", 4),
                    lambda: undo_last(seeded, session_id),
                    lambda: close_session(seeded, session_id)):
        with pytest.raises(Conflict, match="closed"):
            attempt()
    assert seeded.revision() == revision
    assert open_sessions(seeded) == []
    assert open_session(seeded, "WK0363EM").props["status"] == "open"  # a new one may start


def test_sessions_without_a_status_are_history(seeded: GraphStore) -> None:
    from graphsvc.model import Node

    with seeded.transaction() as tx:
        tx.upsert_node(Node("sess-old", "Session", {"name": "Oud", "date": "2020-01-01"}))
    with pytest.raises(Conflict, match="closed"):
        record_tie(seeded, "sess-old", "org-amal", "org-kadin", 2)


def test_last_change_follows_the_log(seeded: GraphStore, session_id: str) -> None:
    assert last_change(seeded.get_node(session_id)) is None
    record_tie(seeded, session_id, "org-kadin", "org-xss", 2)
    entry = last_change(seeded.get_node(session_id))
    assert entry is not None and (entry["a"], entry["b"], entry["new_rung"]) == (
        "org-kadin", "org-xss", 2)


def test_public_meeting_map_flag(seeded: GraphStore) -> None:
    assert set_public_meeting_map(seeded, "e", True).props["public_meeting_map"] is True
    assert set_public_meeting_map(seeded, "E", False).props["public_meeting_map"] is False
    with pytest.raises(InvalidInput):
        set_public_meeting_map(seeded, "E", "yes")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        set_public_meeting_map(seeded, "nowhere", True)


def test_a_meeting_round_trip_on_every_backend(store: GraphStore) -> None:
    """Open, record, change, undo twice and close on each store backend (SQLite and Neo4j)."""
    from tests.small_graph import seed_small

    seed_small(store)
    sid = open_session(store, "WK0363EM", day="2025-03-13").id
    record_tie(store, sid, "org-kadin", "org-xss", 2)
    record_tie(store, sid, "org-xss", "org-amal", 4, expected_version=1)
    assert undo_last(store, sid).new_rung == 1
    assert store.get_relationship("TIE", "org-amal", "org-xss").props == {
        "rung": 1, "note": "<img src=x onerror=alert(1)>"}
    diff = session_diff(Snapshot.from_store(store), sid)
    assert [(m.a, m.b, m.kind) for m in diff.moves] == [("org-kadin", "org-xss", "new")]
    assert undo_last(store, sid).tie_version == 0
    assert session_diff(Snapshot.from_store(store), sid).moves == ()
    close_session(store, sid)
    revision = store.revision()
    with pytest.raises(Conflict):
        record_tie(store, sid, "org-amal", "org-kadin", 2)
    assert store.revision() == revision
