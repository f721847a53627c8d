"""What is particular to the Neo4j store: its layout, batches, locking, forks and error translation."""

from __future__ import annotations

import json
import os
import threading

import pytest

from graphsvc.config import load_settings
from graphsvc.errors import ConfigError, Conflict, StoreUnavailable
from graphsvc.model import LABELS, REL_TYPES, Node, Relationship
from graphsvc.store import GraphStore, neo4j_tx, open_store
from graphsvc.store import neo4j_cypher as cypher
from graphsvc.store.neo4j import PAGE_SIZES, Neo4jStore
from graphsvc.store.neo4j_tx import Neo4jTransaction
from tests.neo4j_server import Neo4jServer, free_port, refuse_data, unavailable

needs_neo4j = pytest.mark.neo4j


def org(node_id: str, **props: object) -> Node:
    return Node(node_id, "Organisation", {"name": node_id.upper(), **props})


# -- without a server --------------------------------------------------------------------------
def test_open_store_makes_a_lazy_neo4j_store_with_the_settings_credentials() -> None:
    settings = load_settings(environ={}, store="neo4j://db.example:7687", neo4j_user="gk",
                             neo4j_password="s3cret-pass", neo4j_database="goud")
    store = open_store(settings.store, settings)  # does not connect
    assert isinstance(store, Neo4jStore)
    assert store.describe() == {"backend": "Neo4jStore", "url": "neo4j://db.example:7687",
                                "database": "goud", "user": "gk"}
    assert "s3cret" not in repr(store) + str(store.describe())


def test_a_password_in_the_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="Do not put the Neo4j password"):
        Neo4jStore("bolt://neo4j:pw@localhost:7687")


def test_an_unreachable_server_is_store_unavailable_and_ping_is_false() -> None:
    store = Neo4jStore(f"bolt://127.0.0.1:{free_port()}", password="whatever-pw",
                       connection_timeout=1, retry_time=0.2)
    try:
        assert store.ping() is False
        with pytest.raises(StoreUnavailable, match=r"graph database \(Neo4j at 127.0.0.1:\d+\) is not reachable"):
            store.revision()
        with pytest.raises(StoreUnavailable, match="not reachable"), store.transaction() as tx:
            tx.upsert_node(org("a"))
    finally:
        store.close()


def test_cypher_varies_only_by_the_fixed_vocabulary() -> None:
    assert set(cypher.WRITE_NODES) == set(cypher.NODE_PAGES_OF) == set(LABELS)
    assert set(cypher.WRITE_RELS) == set(cypher.RELS_OF) == set(REL_TYPES)
    assert ":GNode:Fund)" in cypher.NODE_PAGES_OF["Fund"] and "[x:FUNDS " in cypher.WRITE_RELS["FUNDS"]
    per_name = [*cypher.WRITE_NODES.values(), *cypher.NODE_PAGES_OF.values(),
                *cypher.WRITE_RELS.values(), *cypher.RELS_OF.values()]
    assert not [text for text in per_name if "NAME" in text]


# -- on a real server --------------------------------------------------------------------------
@needs_neo4j
def test_nodes_are_stored_with_two_labels_native_props_and_one_json_rule(
    neo4j_store: GraphStore, neo4j_server: Neo4jServer
) -> None:
    props = {"name": "Vrouwen van Nu", "languages": ["ar", "nl"], "capacity": {"governance": [3, 4]}}
    with neo4j_store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", props))
    records, _, _ = neo4j_server.driver().execute_query(
        "MATCH (n {id: 'o1'}) RETURN labels(n) AS labels, properties(n) AS stored",
        database_=neo4j_server.database)
    stored = records[0]["stored"]
    assert sorted(records[0]["labels"]) == ["GNode", "Organisation"]
    assert (stored["name"], stored["languages"]) == ("Vrouwen van Nu", ["ar", "nl"])
    assert json.loads(stored["capacity_json"]) == props["capacity"]  # a map: JSON, for that value only
    assert set(stored) == {"id", "name", "languages", "capacity_json", "version", "created_at", "updated_at"}
    assert props == dict(neo4j_store.get_node("o1").props)


@needs_neo4j
def test_the_id_constraint_and_history_indexes_are_created(neo4j_store: GraphStore,
                                                           neo4j_server: Neo4jServer) -> None:
    neo4j_store.revision()  # first use prepares the database
    records, _, _ = neo4j_server.driver().execute_query(
        "SHOW CONSTRAINTS YIELD name, type RETURN name, type", database_=neo4j_server.database)
    found = {r["name"]: r["type"] for r in records}
    assert found["goudkaart_node_id"] == "UNIQUENESS"
    assert found["goudkaart_tie_event_seq"] == "UNIQUENESS"
    assert found["goudkaart_change_seq"] == "UNIQUENESS"
    records, _, _ = neo4j_server.driver().execute_query(
        "SHOW INDEXES YIELD name RETURN collect(name) AS names", database_=neo4j_server.database)
    assert {"goudkaart_change_start", "goudkaart_change_end", "goudkaart_change_revision"} <= set(
        records[0]["names"])


@needs_neo4j
def test_a_schema_1_database_gets_the_change_log(neo4j_store: GraphStore,
                                                 neo4j_server: Neo4jServer) -> None:
    with neo4j_store.transaction() as tx:
        tx.upsert_node(org("a"))
    # as Goudkaart left a database before the change log: schema 1, no log, no change counter
    neo4j_server.driver().execute_query(
        "MATCH (c:GChange) DELETE c WITH count(*) AS gone MATCH (m:GMeta {key: 'graph'}) "
        "SET m.schema_version = 1 REMOVE m.change_seq", database_=neo4j_server.database)
    store = neo4j_server.store()
    try:
        assert store.revision() == 1 and store.changes() == []
        assert store.changes_since(0) is None
        with store.transaction(source="web") as tx:
            tx.upsert_node(org("a", volunteers=3))
        [change] = store.changes_since(1) or []
        assert (change.seq, change.revision, change.op, dict(change.new)) == (1, 2, "update", {"volunteers": 3})
        records, _, _ = neo4j_server.driver().execute_query(
            "MATCH (m:GMeta {key: 'graph'}) RETURN m.schema_version AS v", database_=neo4j_server.database)
        assert records[0]["v"] == 2
    finally:
        store.close()


@needs_neo4j
def test_the_revision_is_shared_by_every_store_object(neo4j_store: GraphStore,
                                                      neo4j_server: Neo4jServer) -> None:
    other = neo4j_server.store()
    try:
        with neo4j_store.transaction() as tx:
            tx.upsert_node(org("a"))
        assert other.revision() == neo4j_store.revision() == 1
        with other.transaction() as tx:
            assert not tx.upsert_node(org("a"))  # a no-op commits nothing
        assert neo4j_store.revision() == 1
    finally:
        other.close()


@needs_neo4j
def test_batches_and_pages_keep_the_contract(neo4j_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neo4j_tx, "BATCH", 100)  # small batches and pages, same code paths
    monkeypatch.setitem(PAGE_SIZES, "nodes", 64)
    monkeypatch.setitem(PAGE_SIZES, "relationships", 50)
    monkeypatch.setitem(PAGE_SIZES, "tie_events", 99)
    n = neo4j_tx.BATCH * 2 + 7
    nodes = [org(f"o{i:05d}") for i in range(n)]
    ties = [Relationship("TIE", f"o{i:05d}", f"o{i + 1:05d}", {"rung": 1 + i % 5}) for i in range(n - 1)]
    for expected in (n + n - 1, 0):  # the second run changes nothing
        with neo4j_store.transaction() as tx:
            assert tx.upsert_nodes(nodes) + tx.upsert_relationships(ties) == expected
    assert neo4j_store.revision() == 1
    assert neo4j_store.counts() == {"nodes": {"Organisation": n}, "relationships": {"TIE": n - 1}}
    assert len(neo4j_store.tie_history()) == n - 1  # whole-graph reads come in pages
    assert [x.id for x in neo4j_store.iter_nodes()] == [x.id for x in nodes]
    assert [r.ident for r in neo4j_store.iter_relationships()] == sorted(r.ident for r in ties)


@needs_neo4j
def test_a_constraint_violation_becomes_a_conflict(neo4j_store: GraphStore) -> None:
    with neo4j_store.transaction() as tx:
        tx.upsert_node(org("a"))
    with pytest.raises(Conflict, match="conflicts with data already in the graph"):
        with neo4j_store.transaction() as tx:
            assert isinstance(tx, Neo4jTransaction)
            tx._run("CREATE (:GNode {id: 'a'})")
    assert neo4j_store.counts()["nodes"] == {"Organisation": 1}


@needs_neo4j
def test_a_wrong_password_is_a_plain_message_without_the_password(neo4j_server: Neo4jServer) -> None:
    store = Neo4jStore(neo4j_server.url, password="not-the-password-42")
    try:
        with pytest.raises(StoreUnavailable, match="refused the user name or password") as info:
            store.revision()
        assert "not-the-password-42" not in str(info.value)
        assert store.ping() is False
    finally:
        store.close()


@needs_neo4j
def test_a_missing_database_is_named(neo4j_server: Neo4jServer) -> None:
    store = Neo4jStore(neo4j_server.url, password=neo4j_server.password, database="nope")
    try:
        with pytest.raises(StoreUnavailable, match="has no database 'nope'"):
            store.revision()
    finally:
        store.close()


@needs_neo4j
def test_a_database_with_other_data_is_refused(neo4j_server: Neo4jServer) -> None:
    neo4j_server.clear()
    neo4j_server.driver().execute_query("CREATE (:Movie {title: 'The Matrix'})",
                                        database_=neo4j_server.database)
    store = neo4j_server.store()
    try:
        with pytest.raises(StoreUnavailable, match="holds data that is not a Goudkaart graph"):
            store.is_empty()
    finally:
        store.close()
        neo4j_server.clear()


@needs_neo4j
def test_concurrent_writers_take_turns(neo4j_store: GraphStore) -> None:
    with neo4j_store.transaction() as tx:
        tx.upsert_node(org("counter", volunteers=0))

    def add_one(times: int) -> None:
        for _ in range(times):  # read-modify-write: loses updates unless writers are serialised
            with neo4j_store.transaction() as tx:
                node = tx.get_node("counter")
                assert node is not None
                tx.upsert_node(org("counter", volunteers=int(node.props["volunteers"]) + 1))

    threads = [threading.Thread(target=add_one, args=(15,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert neo4j_store.get_node("counter").props["volunteers"] == 45
    assert neo4j_store.revision() == 46


@needs_neo4j
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_gets_its_own_driver(neo4j_store: GraphStore) -> None:
    with neo4j_store.transaction() as tx:
        tx.upsert_node(org("a"))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: like a gunicorn worker forked after the app was loaded
        code = 1
        try:
            with neo4j_store.transaction() as tx:
                tx.upsert_node(org("b"))
            os.write(write_end, str(neo4j_store.revision()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read_end, 100).decode()
    os.close(read_end)
    assert os.waitstatus_to_exitcode(status) == 0 and answer == "2"
    assert neo4j_store.revision() == 2 and neo4j_store.get_node("b").name == "B"


# -- the test harness itself --------------------------------------------------------------------
def test_without_neo4j_the_tests_skip_locally_but_fail_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Neo4j: Java is missing"):
        unavailable("Java is missing")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Neo4j is required when CI is set"):
        unavailable("Java is missing")


@needs_neo4j
def test_the_harness_refuses_a_database_with_data_unless_told_to_reset(
    neo4j_server: Neo4jServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    borrowed = Neo4jServer(neo4j_server.url, neo4j_server.password)  # never stopped, only closed
    neo4j_server.clear()
    neo4j_server.driver().execute_query("CREATE (:Movie {title: 'Alles is liefde'})",
                                        database_=neo4j_server.database)
    monkeypatch.delenv("GRAPHSVC_TEST_NEO4J_RESET", raising=False)
    with pytest.raises(pytest.fail.Exception, match="is not empty; the tests refuse to touch it"):
        refuse_data(borrowed)
    monkeypatch.setenv("GRAPHSVC_TEST_NEO4J_RESET", "1")
    refuse_data(borrowed)
    assert not borrowed.has_data()
    borrowed.stop()
