"""The snapshot read from a store equals the one made from its records, for awkward graphs.

SQLite hands the snapshot builder its relationships and tie history as blocks of columns
(graphsvc/store/sqlite_read.py): properties by rowid in table order, keys per type from the
primary key index, in ranges of ``BLOCK_ROWS``. These tests make the blocks tiny, so that
ranges end inside a type, a start with more rows than a block (a hub) and types of one row
all occur, and check a user's answers do not change: ids in any script and with the block
separators of other formats, properties of every JSON kind.
On a store file written by hand (an older or foreign writer): property texts that are not
canonical, a node with no properties, and relationships to ids no node has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store, sqlite_read
from graphsvc.store.base import read_consistent
from graphsvc.store.rows import GraphRows, RelationshipBlocks
from tests.change_script import snapshot_state

ODD_IDS = ["o-\x1f-unit", 'o-"quoted"', "o-é", "o-😀", "o-a\\b", "o- spaced ", "O-upper", "o-日本", "o-\u00a0nbsp"]


def _state(snap: Snapshot) -> dict[str, Any]:
    """Everything the snapshot answers, the types of property values included (1, 1.0, True)."""
    state = snapshot_state(snap)
    state["typed"] = [(r.ident, [(k, type(v).__name__, v) for k, v in r.props.items()]) for r in snap.relationships()]
    state["tie_types"] = {pair: [(k, type(v).__name__) for k, v in p.items()] for pair, p in snap.tie_props.items()}
    return state


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_read, "BLOCK_ROWS", 3)


def _odd_graph(store: GraphStore) -> None:
    orgs = [Node(i, "Organisation", {"name": f"Naam {i}", "languages": ["nl", "ar"]}) for i in ODD_IDS]
    more = [Node(f"o{i:02d}", "Organisation", {"name": f"Org {i}"}) for i in range(12)]
    nodes = [*orgs, *more, Node("a1", "Neighbourhood", {"name": "Noord"}),
             Node("f1", "Fund", {"name": "Fonds"})]
    rels = [Relationship("ACTIVE_IN", n.id, "a1") for n in [*orgs, *more]]  # one type, one (empty) text
    hub = [Relationship("TIE", "o00", n.id, {"rung": k % 5 + 1, "note": f"“{n.id}”\n\t{k}", "since": "2025-01-01",
                                             "weight": (1, 1.0, True)[k % 3], "tags": ["a", {"b": None}]})
           for k, n in enumerate([*more[1:], *orgs])]
    grants = [Relationship("FUNDS", "f1", n.id, {"amount": 1000 * k, "year": 2024, "title": "Zomer ☀"},
                           key=f"g-{k}-{n.id}") for k, n in enumerate(orgs)]
    grants += [Relationship("FUNDS", "f1", "o01", {"amount": 5}, key=key) for key in ("b", "a", "é", "")]
    with store.transaction() as tx:
        tx.upsert_nodes(nodes)
        tx.upsert_relationships([*rels, *hub, *grants])
        tx.add_tie_events([TieEvent("o00", n.id, 0, 2, f"2025-03-0{k % 9 + 1}T10:00:00Z", "meeting", "s1", "ayşe")
                           for k, n in enumerate(orgs)])


@pytest.mark.usefixtures("undeclared_allowed", "tiny_blocks")
def test_snapshot_of_odd_ids_and_properties_equals_the_records(store: GraphStore) -> None:
    _odd_graph(store)
    snap = Snapshot.from_store(store)
    assert _state(snap) == _state(Snapshot(read_consistent(store)))
    assert [e.other for e in snap.out("TIE", "o00")] == sorted(e.other for e in snap.out("TIE", "o00"))
    assert len(snap.ties["o00"]) == 11 + len(ODD_IDS) and len(snap.out("TIE", "o00")) > 3  # a hub
    grants = [e for e in snap.out("FUNDS", "f1") if e.other == "o01"]
    assert [e.props.get("key") for e in grants] == [None, "a", "b", "é"]
    note = snap.tie_props[("o-\x1f-unit", "o00")]["note"]
    assert note.startswith("“o-\x1f-unit”\n\t") and snap.rung("o-😀", "o00") > 0
    assert [e.declared_by for e in snap.tie_events].count("ayşe") == len(ODD_IDS)


def _write_raw(path: Path) -> None:
    """Rows as another writer might have left them: texts not canonical, ends with no node."""
    store = open_store(f"sqlite:///{path}")
    with store.transaction() as tx:
        tx.upsert_nodes([Node("a", "Organisation", {"name": "A"}), Node("b", "Organisation", {"name": "B"})])
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2}))
    store.close()
    conn = sqlite3.connect(path)
    stamp = "2025-01-01T00:00:00Z"
    rows = [("SERVES", "a", "ghost", "", " { } ", 1), ("SERVES", "b", "ghost", "", '{ "weight" : 2 }', 1),
            ("SERVES", "0-first", "a", "", '{"weight":2}', 1), ("SERVES", "z", "zz-gone", "", "{}", 1),
            ("SERVES", "b", "a", "", '{"note": "tab\\there", "n": 1.0}', 1),
            ("TIE", "b", "ghost", "", '{"rung": 1, "since": "2024"}', 4), ("TIE", "a", "z", "", "{}", 2)]
    conn.execute("INSERT INTO nodes VALUES ('z', 'Institution', '{}', 1, ?, ?)", (stamp, stamp))  # no name
    conn.executemany("INSERT INTO relationships VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(*r, stamp, stamp) for r in rows])
    conn.commit()
    conn.close()


@pytest.mark.usefixtures("undeclared_allowed")
@pytest.mark.parametrize("block_rows", [1, 2, 1000])
def test_hand_written_store_file_reads_as_its_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      block_rows: int) -> None:
    monkeypatch.setattr(sqlite_read, "BLOCK_ROWS", block_rows)
    path = tmp_path / "raw.db"
    _write_raw(path)
    store = open_store(f"sqlite:///{path}")
    try:
        snap = Snapshot.from_store(store)
        assert _state(snap) == _state(Snapshot(read_consistent(store)))
        served = {e.other: dict(e.props) for e in snap.out("SERVES", "b")}
        assert served == {"a": {"note": "tab\there", "n": 1.0}, "ghost": {"weight": 2}}
        assert [e.other for e in snap.out("SERVES", "a")] == ["ghost"] and dict(snap.out("SERVES", "a")[0].props) == {}
        assert [e.other for e in snap.into("SERVES", "a")] == ["0-first", "b"]
        assert snap.tie_props[("b", "ghost")]["version"] == 4 and snap.rung("ghost", "b") == 1
        assert "ghost" not in snap.nodes and snap.relationship_count == 8
        assert snap.nodes["z"].props == {} and list(snap.nodes["z"].props) == [] and snap.label("z") == "Institution"
    finally:
        store.close()


def _blocks_as_rows(store: GraphStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    def consume(rows: GraphRows) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        list(rows.nodes)
        assert isinstance(rows.relationships, RelationshipBlocks)
        return list(rows.relationships), list(rows.tie_events)
    return store.read_rows(consume)  # type: ignore[attr-defined,no-any-return]


@pytest.mark.usefixtures("undeclared_allowed")
@pytest.mark.parametrize("block_rows", [1, 2, 5, 65_536])
def test_blocks_give_every_row_in_key_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            block_rows: int) -> None:
    monkeypatch.setattr(sqlite_read, "BLOCK_ROWS", block_rows)
    path = tmp_path / "odd.db"
    store = open_store(f"sqlite:///{path}")
    try:
        _odd_graph(store)
        relationships, events = _blocks_as_rows(store)
        conn = sqlite3.connect(path)
        expected = conn.execute('SELECT type, start, "end", key, props, CASE type WHEN \'TIE\' THEN version END, '
                                "CASE type WHEN 'TIE' THEN created_at END FROM relationships "
                                'ORDER BY type, start, "end", key').fetchall()
        assert relationships == expected and len(expected) == 54
        assert events == conn.execute("SELECT * FROM tie_events ORDER BY seq").fetchall() and len(events) == 29
        conn.close()
    finally:
        store.close()


def test_an_empty_store_reads_as_an_empty_snapshot(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        snap = Snapshot.from_store(store)
        assert len(snap.nodes) == 0 and snap.relationship_count == 0 and list(snap.tie_events) == []
        assert _blocks_as_rows(store) == ([], [])
    finally:
        store.close()


def _ranges(conn: sqlite3.Connection, rel_type: str, n: int) -> Iterator[tuple[str, ...]]:
    return sqlite_read._start_ranges(conn, rel_type, n)


def test_ranges_of_starts_cover_a_hub_once(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    store = open_store(f"sqlite:///{path}")
    with store.transaction() as tx:
        tx.upsert_nodes([Node(f"o{i}", "Organisation", {"name": str(i)}) for i in range(8)])
        tx.upsert_relationships([Relationship("TIE", "o1", f"o{i}", {"rung": 1}) for i in range(2, 8)]
                                + [Relationship("TIE", a, b, {"rung": 2}) for a, b in (("o5", "o6"), ("o0", "o1"))])
    store.close()
    conn = sqlite3.connect(path)
    # o0 | o1 (6 rows: a block of its own, above the size) | o5
    assert list(_ranges(conn, "TIE", 2)) == [("", "o1"), ("o1", "o5"), ("o5",)]
    assert list(_ranges(conn, "TIE", 100)) == [("",)] and list(_ranges(conn, "NONE", 2)) == [("",)]
    conn.close()
