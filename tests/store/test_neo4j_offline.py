"""The offline bulk load: a SQLite store exported as Neo4j import files, imported by Neo4j's own
importer into a new database, reads back exactly as an online ``migrate`` of the same store."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.access.accounts import AccountStore
from graphsvc.actions.migrate import migrate
from graphsvc.cli import cli
from graphsvc.generate import write_generated
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import read_consistent
from graphsvc.store.neo4j_import_files import ARGS_FILE, ARRAY_DELIMITER, _cell, write_import_files
from queries.islands import islands
from queries.matching import partner_matches
from tests.conftest import PASSWORD
from tests.neo4j_server import Neo4jServer, free_port, launcher, unavailable
from tests.store.test_neo4j_native import TIE, VALUES, typed

pytestmark = pytest.mark.usefixtures("undeclared_allowed")

#: Values CSV cannot hold exactly: the store sets them when it first connects.
ODD: dict[str, Any] = {
    "empty": [], "blank_item": ["a", ""], "delimited": ["x" + ARRAY_DELIMITER + "y"],
    "not_finite": float("inf"), "quoted": 'say "hi",\nthen\r\ngo', "padded": "  both  ", "blank": "",
}
STAMP = "2026-01-01T00:00:00Z"


def test_a_value_csv_cannot_hold_is_left_for_the_store() -> None:
    assert _cell("a") == ("string", '"a"') and _cell(True) == ("boolean", "true")
    assert _cell(3) == ("long", "3") and _cell(0.1) == ("double", "0.1")
    assert _cell(["a", "b"]) == ("string[]", '"a' + ARRAY_DELIMITER + 'b"')
    assert _cell([1, 2]) == ("long[]", "1" + ARRAY_DELIMITER + "2")
    for odd in ([], ["a", ""], ["x" + ARRAY_DELIMITER], float("nan"), float("-inf"), None):
        assert _cell(odd) is None


def _source(path: Path) -> GraphStore:
    """A generated graph with every kind of value and a history: updates, deletes, tie events."""
    store = open_store(f"sqlite:///{path}")
    write_generated(store, 60)
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("v1", "Organisation", {**VALUES, **ODD}))
        tx.upsert_node(Node("v2", "Organisation", {"name": "Two", "since": "not a date"}))
        tx.upsert_relationship(Relationship("TIE", "v1", "v2", {**TIE, "odd": []}))
    with store.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("TIE", "v1", "v2", {**TIE, "rung": 4, "odd": []}))
        tx.upsert_node(Node("v2", "Organisation", {"name": "Twee"}))
        tx.delete_node(read_consistent(store).nodes[0].id)
    AccountStore(store).add_user("ayse", PASSWORD, "coach", ["v1"])
    return store


def _stored(store: GraphStore) -> tuple[list[Any], list[Any]]:
    """Every graph, history and log node's and every relationship's stored properties with Neo4j's
    own type names (accounts are compared through the account store)."""
    def rows(query: str) -> list[Any]:
        with store._ready_driver().session(database="neo4j") as session:  # type: ignore[attr-defined]
            return sorted((r["l"], r["k"], sorted((k, t, str(v)) for k, t, v in r["t"]))
                          for r in session.run(query))
    nodes = rows("MATCH (n) WHERE n:GNode OR n:TieEvent OR n:GChange RETURN labels(n) AS l, toString(coalesce(n.id, n.seq)) AS k, "
                 "[x IN keys(n) | [x, valueType(n[x]), n[x]]] AS t")
    rels = rows("MATCH (a)-[r]->(b) RETURN type(r) AS l, a.id + '>' + b.id + '/' + r.key AS k, "
                "[x IN keys(r) | [x, valueType(r[x]), r[x]]] AS t")
    return nodes, rels


def _answers(store: GraphStore) -> Any:
    snap = Snapshot.from_store(store)
    orgs = sorted(n for n, node in snap.nodes.items() if node.label == "Organisation")[:5]
    return ([partner_matches(snap, org, limit=5) for org in orgs], islands(snap),
            {k: typed(dict(v.props)) for k, v in snap.nodes.items()})


@pytest.fixture
def offline(tmp_path: Path) -> Iterator[Neo4jServer]:
    """A second, private Neo4j folder (not started: the import comes first)."""
    server = Neo4jServer("", "gk-test-" + secrets.token_urlsafe(12), dir=tmp_path / "offline",
                         port=free_port())
    yield server
    server.stop()


@pytest.mark.neo4j
def test_offline_and_online_loads_read_back_the_same(neo4j_store: GraphStore, offline: Neo4jServer,
                                                      tmp_path: Path) -> None:
    source = _source(tmp_path / "source.db")
    try:
        migrate(source, neo4j_store)  # online, into the session's empty Neo4j
        files = write_import_files(source, tmp_path / "files", now=STAMP)
        assert (tmp_path / "files" / ARGS_FILE).is_file() and files.leftovers == 2
        assert offline.dir is not None
        launcher().import_files(offline.dir, tmp_path / "files", heap="512m")
        try:
            offline.url = launcher().start(offline.dir, port=offline.port, password=offline.password)
        except launcher().Neo4jServerError as exc:
            unavailable(f"the offline server did not start: {exc}")
        imported = offline.store()
        try:
            want, got = read_consistent(neo4j_store), read_consistent(imported)
            assert [typed(n.props) for n in got.nodes] == [typed(n.props) for n in want.nodes]
            assert got.nodes == want.nodes and got.relationships == want.relationships
            assert got.tie_events == want.tie_events and len(got.tie_events) > 10
            assert _stored(imported) == _stored(neo4j_store)  # native types, dates, lists, JSON texts
            assert imported.changes(limit=10**6) == neo4j_store.changes(limit=10**6)
            for node_id in ("v1", "v2", got.nodes[0].id):
                assert imported.changes(node_id=node_id) == neo4j_store.changes(node_id=node_id)
                assert imported.tie_history(node_id) == neo4j_store.tie_history(node_id)
            assert _answers(imported) == _answers(neo4j_store)
            # the revision counts write transactions: the online copy made several, the import one
            assert imported.revision() == 1 and neo4j_store.revision() > 1
            # accounts are not in the import files: migrate --accounts-only copies them after it
            assert AccountStore(imported).authenticate("ayse", PASSWORD) is None
            moved = CliRunner().invoke(cli, ["migrate", "--from", source.url, "--to", offline.url,
                                             "--accounts-only"],
                                       env={"GRAPHSVC_NEO4J_PASSWORD": offline.password})
            assert moved.exit_code == 0 and "Copied 1 new accounts" in moved.output, moved.output
            assert AccountStore(imported).authenticate("ayse", PASSWORD) is not None
            with imported.transaction(source="test") as tx:  # the import's store takes writes
                tx.upsert_node(Node("v3", "Organisation", {"name": "Drie"}))
            assert imported.revision() == 2 and imported.changes(limit=1)[0].start == "v3"
        finally:
            imported.close()
    finally:
        source.close()


@pytest.mark.neo4j
def test_the_import_refuses_a_running_server_or_a_folder_with_a_database(
        neo4j_server: Neo4jServer, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    try:
        write_generated(source, 5)
        write_import_files(source, tmp_path / "files", now=STAMP)
    finally:
        source.close()
    mod = launcher()
    if neo4j_server.dir is None:
        pytest.skip("the session's Neo4j was not started by the tests")
    with pytest.raises(mod.Neo4jServerError, match="runs .*stop it first"):
        mod.import_files(neo4j_server.dir, tmp_path / "files")
    (tmp_path / "used" / "data" / "databases" / "neo4j").mkdir(parents=True)
    with pytest.raises(mod.Neo4jServerError, match="already holds a database 'neo4j'.*--overwrite"):
        mod.import_files(tmp_path / "used", tmp_path / "files")
    with pytest.raises(mod.Neo4jServerError, match="holds no import.args"):
        mod.import_files(tmp_path / "new", tmp_path)


def test_the_export_writes_the_files_and_refuses_a_folder_in_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    store = open_store(url)
    write_generated(store, 5)
    store.close()
    runner = CliRunner()
    ok = runner.invoke(cli, ["--store", url, "export", "--format", "neo4j-import", "--out", str(tmp_path / "f")])
    assert ok.exit_code == 0, ok.output
    assert "neo4j-import" in ok.output and (tmp_path / "f" / ARGS_FILE).is_file()
    args = (tmp_path / "f" / ARGS_FILE).read_text().splitlines()
    assert "--nodes=GMeta=" in "\n".join(args) and any(a.startswith("--relationships=TIE=") for a in args)
    again = runner.invoke(cli, ["--store", url, "export", "--format", "neo4j-import", "--out", str(tmp_path / "f")])
    assert again.exit_code == 1 and "is not empty" in again.output
    assert "Traceback" not in again.output and len(again.output.strip().splitlines()) == 1
