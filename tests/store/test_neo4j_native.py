"""Native properties: every kind of value reads back exactly, with its type, on both stores; on
Neo4j the values Cypher can use are real properties of the right type, and the schema is there."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from graphsvc.store.base import read_consistent
from tests.neo4j_server import Neo4jServer

pytestmark = pytest.mark.usefixtures("undeclared_allowed")  # every kind of value, any key

VALUES: dict[str, Any] = {
    "name": "Buurthuis De Ster",
    "founded": 1987,
    "share": 0.25,
    "whole_float": 2.0,
    "active": True,
    "languages": ["nl", "ar", "tr"],
    "scores": [3, 1, 2],
    "ratios": [0.5, 1.5],
    "flags": [True, False],
    "nothing_yet": [],
    "start": "2019-05-01",
    "confirmed_at": "2024-03-01T10:00:00Z",
    "local_time": "2024-03-01T10:00:00.250000+01:00",
    "plus_zero": "2024-03-01T10:00:00+00:00",  # not the canonical form: stays text
    "not_a_day": "2019-02-30",
    "almost": "2019-05-01 ",
    "none": None,
    "contact_persons": [{"name": "Anna", "role": "chair", "email": "anna@example.org"}],
    "capacity": {"finance": {"score": 2, "notes": "needs help"}},
    "mixed": [1, "two", 3.0],
    "nested_list": [[1, 2], [3]],
    "huge": 2**70,
    "version": "v2 of the plan",  # bookkeeping names are domain keys too
    "key": "a key",
    "notes_json": "{not json}",
    "rung_text": "5",
}

# a snapshot reads these as Neo4j's text of them (which drops zero seconds): still the same text
TIE: dict[str, Any] = {"rung": 3, "since": "2021-06-01", "changed_at": "2024-03-01T10:00:00Z",
                       "confirmed_at": "2024-03-01T10:00:00.250000+01:00",
                       "note": {"text": "met at the fair"}, "provenance": ["a", 1]}

TYPES = {  # what Cypher's valueType() says for the native ones
    "name": "STRING NOT NULL", "founded": "INTEGER NOT NULL", "share": "FLOAT NOT NULL",
    "whole_float": "FLOAT NOT NULL", "active": "BOOLEAN NOT NULL",
    "languages": "LIST<STRING NOT NULL> NOT NULL", "scores": "LIST<INTEGER NOT NULL> NOT NULL",
    "start": "DATE NOT NULL", "confirmed_at": "ZONED DATETIME NOT NULL",
    "local_time": "ZONED DATETIME NOT NULL", "plus_zero": "STRING NOT NULL",
    "not_a_day": "STRING NOT NULL",
}


def typed(props: Any) -> Any:
    """Values with their types, so 1, 1.0 and True are told apart."""
    if isinstance(props, dict):
        return {k: typed(v) for k, v in props.items()}
    if isinstance(props, list):
        return [typed(v) for v in props]
    return (type(props).__name__, props)


def _write(store: GraphStore) -> None:
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("o1", "Organisation", VALUES))
        tx.upsert_node(Node("o2", "Organisation", {"name": "Two"}))
        tx.upsert_relationship(Relationship("TIE", "o1", "o2", TIE))


def test_every_kind_of_value_reads_back_with_its_type(store: GraphStore) -> None:
    _write(store)
    assert typed(dict(store.get_node("o1").props)) == typed(VALUES)
    data = read_consistent(store)
    assert typed(dict(data.nodes[0].props)) == typed(VALUES)
    snap = Snapshot.from_store(store)
    assert typed(dict(snap.nodes["o1"].props)) == typed(VALUES)
    tie = TIE
    assert typed(dict(store.get_relationship("TIE", "o2", "o1").props)) == typed(tie)
    assert typed(dict(snap.tie_props[("o1", "o2")])) | {"version": 0, "created_at": 0} == \
        typed(tie) | {"version": 0, "created_at": 0}


RELATIONSHIPS = [  # declared properties (read as columns on Neo4j) and others (read whole)
    Relationship("FUNDS", "f1", "o1", {"amount": 1500.5, "year": 2024, "status": "active", "start": "2024-01-01",
                                       "end": "2019-02-30", "title": "Buurt", "currency": "EUR"}, key="g1"),
    Relationship("FUNDS", "f1", "o1", {"amount": 10, "colour": "red", "end": "2024-03-01T10:00:00Z"}, key="g2"),
    Relationship("WORKS_ON", "o1", "i1", {"weight": 2}),
    Relationship("SERVES", "o1", "c1", {"source": "import", "since": "2020-01-01"}),
    Relationship("OFFERS", "o1", "k1", {"confirmed_at": "2024-03-01T10:00:00Z", "note": "x",
                                        "source": {"file": "a.csv", "row": 3}}),
    Relationship("NEEDS", "o1", "k1", {"confirmed_at": "2024-03-01 10:00", "confirmed_by": ["a", "b"]}),
]


@pytest.mark.usefixtures("undeclared_allowed")  # a store from before the declarations, too
def test_relationships_of_every_shape_read_back_in_snapshots(store: GraphStore) -> None:
    with store.transaction(source="test") as tx:
        for node_id, label in (("o1", "Organisation"), ("f1", "Fund"), ("i1", "Interest"), ("c1", "Community"),
                               ("k1", "Capability")):
            tx.upsert_node(Node(node_id, label, {"name": node_id}))
        tx.upsert_relationships(RELATIONSHIPS)
    expected = sorted((r.ident, typed(dict(r.props))) for r in RELATIONSHIPS)
    snap = Snapshot.from_store(store)
    assert sorted((r.ident, typed(dict(r.props))) for r in snap.relationships()) == expected
    assert sorted((r.ident, typed(dict(r.props))) for r in read_consistent(store).relationships) == expected


SHARED = [  # many relationships with one property set (Neo4j reads each set once), keys, odd ones
    *(Relationship("WORKS_ON", f"o{i}", "i1", {"weight": 2, "source": "survey"}) for i in range(6)),
    Relationship("WORKS_ON", "o6", "i1", {"weight": 3, "source": "survey"}),
    Relationship("WORKS_ON", "o7", "i1", {"weight": 2}),
    Relationship("WORKS_ON", "o8", "i1", {"weight": 2, "source": "survey", "colour": "red"}),
    *(Relationship("FUNDS", "f1", f"o{i}", {"amount": 100, "start": "2024-01-01"}, key=f"g{i % 2}")
      for i in range(4)),
    *(Relationship("SERVES", f"o{i}", "c1", {}, key=f"k{i % 2}") for i in range(3)),
]


def test_relationships_sharing_properties_read_back_each_as_written(store: GraphStore) -> None:
    with store.transaction(source="test") as tx:
        tx.upsert_nodes([*(Node(f"o{i}", "Organisation", {"name": f"o{i}"}) for i in range(9)),
                         Node("i1", "Interest", {"name": "i1"}), Node("f1", "Fund", {"name": "f1"}),
                         Node("c1", "Community", {"name": "c1"}),
                         Node("s1", "Session", {"name": "s1", "date": "2023-06-20", "opened_at": "after lunch",
                                                "closed_at": "2023-06-20T16:00:00Z"})])
        tx.upsert_relationships(SHARED)
    expected = sorted((r.ident, typed(dict(r.props))) for r in SHARED)
    snap = Snapshot.from_store(store)
    assert sorted((r.ident, typed(dict(r.props))) for r in snap.relationships()) == expected
    assert typed(dict(snap.nodes["s1"].props)) == typed({"name": "s1", "date": "2023-06-20",
                                                        "opened_at": "after lunch",
                                                        "closed_at": "2023-06-20T16:00:00Z"})
    records = read_consistent(store).relationships
    assert sorted((r.ident, typed(dict(r.props))) for r in records) == expected
    first, second = (r for r in records if r.type == "WORKS_ON" and r.start in ("o0", "o1"))
    assert first.props == second.props and first.props is not second.props  # each record its own


def test_an_update_that_only_changes_a_type_is_a_change(store: GraphStore) -> None:
    _write(store)
    with store.transaction(source="test") as tx:
        changed = tx.upsert_node(Node("o2", "Organisation", {"name": "Two", "size": 1}))
    with store.transaction(source="test") as tx:
        assert tx.upsert_node(Node("o2", "Organisation", {"name": "Two", "size": 1.0}))
        assert not tx.upsert_node(Node("o2", "Organisation", {"name": "Two", "size": 1.0}))
    assert changed and typed(dict(store.get_node("o2").props)) == typed({"name": "Two", "size": 1.0})
    with store.transaction(source="test") as tx:  # a key removed is gone, not left behind
        tx.upsert_node(Node("o2", "Organisation", {"name": "Two"}))
    assert dict(store.get_node("o2").props) == {"name": "Two"} and store.get_node("o2").version == 4


@pytest.mark.neo4j
def test_values_are_native_properties_of_the_right_type(neo4j_store: GraphStore,
                                                        neo4j_server: Neo4jServer) -> None:
    _write(neo4j_store)
    records, _, _ = neo4j_server.driver().execute_query(
        "MATCH (n:Organisation {id: 'o1'}) RETURN labels(n) AS labels, "
        "[k IN keys(n) | [k, valueType(n[k])]] AS types")
    types = dict(records[0]["types"])
    assert sorted(records[0]["labels"]) == ["GNode", "Organisation"]
    assert {k: types[k] for k in TYPES} == TYPES
    assert types["created_at"] == types["updated_at"] == "ZONED DATETIME NOT NULL"
    # one rule for what Neo4j cannot hold or would confuse: <key>_json, just for that value
    json_keys = {"none", "contact_persons", "capacity", "mixed", "nested_list", "huge", "version",
                 "notes_json"}  # "key" is a relationship's bookkeeping, a node's own property
    assert {k for k in types if k.endswith("_json")} == {k + "_json" for k in json_keys}
    assert "label" not in types and "props_json" not in types and types["key"] == "STRING NOT NULL"
    tie, _, _ = neo4j_server.driver().execute_query(
        "MATCH ()-[t:TIE]->() RETURN t.rung AS rung, t.since AS since, t.since.year AS year, "
        "t.note_json AS note")
    assert (tie[0]["rung"], tie[0]["year"], tie[0]["note"]) == (3, 2021, '{"text":"met at the fair"}')


@pytest.mark.neo4j
def test_the_schema_a_neo4j_user_sees(neo4j_store: GraphStore, neo4j_server: Neo4jServer) -> None:
    from graphsvc.model import LABELS

    neo4j_store.revision()  # connects and prepares
    driver = neo4j_server.driver()
    constraints = {(tuple(r["labelsOrTypes"]), tuple(r["properties"]), r["type"])
                   for r in driver.execute_query("SHOW CONSTRAINTS").records}
    for label in LABELS:
        assert ((label,), ("id",), "UNIQUENESS") in constraints
    assert not [c for c in constraints if c[1] == ("code",)]  # two areas may share a code, as on SQLite
    indexes = {(r["type"], tuple(r["labelsOrTypes"] or ()), tuple(r["properties"] or ()))
               for r in driver.execute_query("SHOW INDEXES").records}
    assert ("FULLTEXT", ("GNode",), ("name",)) in indexes
    assert ("RANGE", ("Neighbourhood",), ("code",)) in indexes
    for rel_type, prop in (("TIE", "rung"), ("FUNDS", "year"), ("FUNDS", "status")):
        assert ("RANGE", (rel_type,), (prop,)) in indexes
    schema = driver.execute_query("CALL db.schema.visualization()").records[0]
    drawn = {node.get("name") for node in schema["nodes"]}
    assert set(LABELS) <= drawn
