"""`graphsvc doctor` finds node properties no label declares and removes them; `compact` shrinks.

Such properties can only be in a store written before the declarations held. The tests write
them the way an older version did: through the store, with the declaration check switched off
for that one write (everything else, the store included, is the real thing).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

import graphsvc.model
from graphsvc.access.visibility import Viewer, visible_props
from graphsvc.actions.doctor import remove_undeclared, undeclared_properties
from graphsvc.cli import cli
from graphsvc.errors import InvalidInput
from graphsvc.model import Node
from graphsvc.store import GraphStore

LEAK = {"contact_email": "a@example.org", "fraud_flag": True}


@contextmanager
def _older_version(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as m:
        m.setattr(graphsvc.model, "undeclared_keys", lambda label, props: [])
        yield


def _legacy(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.transaction() as tx:
        tx.upsert_node(Node("o2", "Organisation", {"name": "Schoon"}))
    with _older_version(monkeypatch), store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal", "kvk": "12345678", **LEAK}))


def test_the_store_refuses_an_undeclared_property(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="contact_email"), store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "A", "contact_email": "a@b.nl"}))
    assert store.revision() == 0


def test_doctor_lists_and_removes_them_in_the_history(store: GraphStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _legacy(store, monkeypatch)
    node = store.get_node("o1")
    assert visible_props(node, Viewer("admin")) == {"name": "Al Amal", "kvk": "12345678"}
    found = undeclared_properties(store.iter_nodes())
    assert [(f.node_id, f.keys) for f in found] == [("o1", ("contact_email", "fraud_flag"))]
    revision = store.revision()
    assert [f.node_id for f in remove_undeclared(store)] == ["o1"]
    assert store.revision() == revision + 1
    assert dict(store.get_node("o1").props) == {"name": "Al Amal", "kvk": "12345678"}
    last = store.changes(node_id="o1", limit=1)[0]
    assert last.op == "update" and dict(last.old) == LEAK and dict(last.new) == {}
    assert store.changes(holding="contact_email")  # the log still has it until a purge
    assert undeclared_properties(store.iter_nodes()) == []


def test_a_purge_removes_the_values_from_the_change_log(store: GraphStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _legacy(store, monkeypatch)
    remove_undeclared(store)
    remove_undeclared(store, purge_log=True)  # a later purge still finds them in the log
    assert store.changes(holding="contact_email") == []
    assert store.changes(holding="fraud_flag") == []
    assert [c.new.get("name") for c in store.changes(node_id="o1") if c.op == "create"] == ["Al Amal"]


def test_the_cli_lists_fixes_and_compacts(runner: CliRunner, sqlite_store: GraphStore,
                                          sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _legacy(sqlite_store, monkeypatch)
    listed = runner.invoke(cli, ["doctor"])
    assert listed.exit_code == 0
    assert "Organisation o1: contact_email, fraud_flag" in listed.output
    fixed = runner.invoke(cli, ["doctor", "--fix", "--purge-log"])
    assert fixed.exit_code == 0 and "Removed 2 undeclared properties from 1 nodes" in fixed.output
    assert "Every stored property is declared" in runner.invoke(cli, ["doctor"]).output
    assert sqlite_store.changes(holding="contact_email") == []
    compacted = runner.invoke(cli, ["compact"])
    assert compacted.exit_code == 0 and "bytes" in compacted.output, compacted.output
    wal = Path(sqlite_url.removeprefix("sqlite:///") + "-wal")
    assert not wal.exists() or os.path.getsize(wal) == 0


def test_the_app_logs_undeclared_properties_on_start(app: Flask, sqlite_store: GraphStore,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    _legacy(sqlite_store, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="graphsvc"):
        assert app.test_client().get("/api/v1/organisations/o1").status_code == 200
    assert "Organisation.contact_email (1 node)" in caplog.text
    assert "graphsvc doctor --fix" in caplog.text


def test_doctor_finds_and_removes_undeclared_relationship_properties(
        store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tie written by an older version with a free key blocks every later write of that tie
    (the store refuses it) until the doctor removes the key."""
    from graphsvc.model import Relationship

    with store.transaction() as tx:
        tx.upsert_node(Node("a", "Organisation", {"name": "A"}))
        tx.upsert_node(Node("b", "Organisation", {"name": "B"}))
    with monkeypatch.context() as m, store.transaction() as tx:
        m.setattr(graphsvc.model, "check_declared_rel", lambda rel: None)
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2, "tags": "x|y"}))
    with pytest.raises(InvalidInput, match="tags"), store.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 3, "tags": "x|y"}))
    found = undeclared_properties(store.iter_nodes(), store.iter_relationships())
    assert [(f.where(), f.keys) for f in found] == [("TIE a → b", ("tags",))]
    assert found[0].as_dict() == {"type": "TIE", "start": "a", "end": "b", "key": "", "keys": ["tags"]}
    assert remove_undeclared(store, purge_log=True) == found
    assert dict(store.get_relationship("TIE", "a", "b").props) == {"rung": 2}
    assert store.changes(holding="tags") == []
    with store.transaction() as tx:  # the tie can be written again
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 3}))
