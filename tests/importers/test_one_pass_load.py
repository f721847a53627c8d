"""A dump restored into an empty SQLite store in one pass (each chunk written as soon as it is
checked, one transaction) leaves exactly the store the two-pass restore leaves, and a bad record
late in the file leaves the store untouched, indexes included."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import importers.dump_stream as dump_stream
from graphsvc.generate import write_json
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from importers.dump import write_dump_records
from importers.files import import_file
from importers.limits import CLI_LIMITS
from importers.report import ImportRejected
from tests.importers.conftest import store_state


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("one_pass") / "d.json"
    write_json(path, 3000, seed=11)
    return path


def _everything(store: GraphStore) -> dict[str, Any]:
    """Every record of the store, field by field: nodes, relationships, tie history (with its
    sequence numbers), change log (in order); the transaction's own time written as NOW."""
    log = list(reversed(store.changes(limit=10**7)))
    at = {c.at for c in log}
    assert len(at) == 1  # one transaction
    now = at.pop()

    def stamp(value: Any) -> Any:
        return "NOW" if value == now else value

    def fields(record: Any) -> tuple[Any, ...]:
        values = (getattr(record, f.name) for f in dataclasses.fields(record))
        return tuple(stamp(dict(v) if hasattr(v, "keys") else v) for v in values)

    return {"nodes": [fields(n) for n in store.iter_nodes()],
            "rels": [fields(r) for r in store.iter_relationships()],
            "events": [fields(e) for e in store.tie_history()],
            "log": [fields(c) for c in log], "revision": store.revision(), "counts": store.counts()}


def _indexes(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                            "AND sql IS NOT NULL ORDER BY name").fetchall()


def test_one_pass_restore_writes_the_records_history_and_log_of_the_two_pass_restore(
        dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dump_stream, "CHUNK", 2500)  # many chunks, and write batches across them
    stores, reports = {}, {}
    for one_pass in (True, False):
        path = tmp_path / f"{one_pass}.db"
        store = open_store(f"sqlite:///{path}")
        reports[one_pass] = dump_stream.restore_dump(store, dump, limits=CLI_LIMITS, one_pass=one_pass)
        stores[one_pass] = _everything(store)
        store.close()
    one, two = reports[True], reports[False]
    assert one is not None and two is not None
    assert (one.created, one.updated, one.unchanged, one.tie_events_added, one.transactions) == \
        (two.created, two.updated, two.unchanged, two.tie_events_added, two.transactions)
    assert one.total("created") > 30_000 and one.tie_events_added > 5_000
    assert stores[True] == stores[False]
    assert _indexes(tmp_path / "True.db") == _indexes(tmp_path / "False.db")  # built again after the load


def test_a_bad_record_on_the_last_line_leaves_an_empty_store_untouched(
        store: GraphStore, dump: Path, tmp_path: Path) -> None:
    lines = dump.read_text("utf-8").split("\n")
    last = max(i for i, text in enumerate(lines) if text.startswith('{"a":'))
    record = json.loads(lines[last].rstrip(","))
    record["old_rung"] = "twee"
    lines[last] = json.dumps(record, separators=(",", ":")) + ("," if lines[last].endswith(",") else "")
    broken = tmp_path / "broken.json"
    broken.write_text("\n".join(lines), "utf-8")
    before = store_state(store)
    with pytest.raises(ImportRejected) as caught:
        import_file(store, broken)
    errors = [e.text("en") for e in caught.value.row_errors]
    assert len(errors) == 1
    assert errors[0].startswith(f"broken.json, sheet tie_events, row {last + 1}, column old_rung: ")
    assert store_state(store) == before == (0, {"nodes": {}, "relationships": {}}, 0)
    assert store.changes() == []
    if store.url.startswith("sqlite"):  # (one Neo4j transaction of this file is too big for the test server)
        report = import_file(store, dump)  # the same store takes the good file afterwards
        assert report.transactions == 1 and store.revision() == 1
        reference = tmp_path / "reference.db"
        open_store(f"sqlite:///{reference}").close()
        assert _indexes(Path(store.url.removeprefix("sqlite:///"))) == _indexes(reference)


def test_repeats_across_chunks_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relationship given again in a later chunk: written once when alike, refused when not."""
    monkeypatch.setattr(dump_stream, "CHUNK", 2)
    nodes = [{"id": i, "label": "Organisation", "props": {"name": i.upper()}} for i in ("o1", "o2", "o3")]

    def ties(rungs: list[int]) -> list[dict[str, Any]]:
        return [{"type": "TIE", "start": a, "end": b, "props": {"rung": r}}
                for (a, b), r in zip([("o1", "o2"), ("o2", "o3"), ("o1", "o2")], rungs, strict=True)]

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    differ = tmp_path / "differ.json"
    write_dump_records(differ, {"nodes": nodes, "relationships": ties([2, 3, 4])})
    with pytest.raises(ImportRejected) as caught:
        import_file(store, differ)
    assert [e.text("en") for e in caught.value.row_errors] == [
        "differ.json, sheet relationships, row 10: TIE o1 → o2 is also on row 8, with different values."]
    assert store_state(store) == (0, {"nodes": {}, "relationships": {}}, 0)
    alike = tmp_path / "alike.json"
    write_dump_records(alike, {"nodes": nodes, "relationships": ties([2, 3, 2])})
    report = import_file(store, alike)
    assert report.created == {"Organisation": 3, "TIE": 2}
    assert store.counts()["relationships"] == {"TIE": 2} and len(store.changes()) == 5
    store.close()


def test_a_batch_announced_as_new_that_is_not_falls_back_to_one_by_one(tmp_path: Path) -> None:
    """SQLite's bulk insert after ``expect_new``: a node that exists after all makes its batch go
    one by one (updated, not duplicated, and logged as an update)."""
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with store.transaction() as tx:
        tx.upsert_node(Node("o2", "Organisation", {"name": "Oud"}))
    with store.transaction() as tx:
        tx.expect_new({})  # type: ignore[attr-defined]
        assert tx.upsert_nodes([Node(i, "Organisation", {"name": i}) for i in ("o1", "o2", "o3")]) == 3
    assert store.get_node("o2").props == {"name": "o2"} and store.get_node("o2").version == 2
    assert [(c.op, c.start) for c in reversed(store.changes())] == [
        ("create", "o2"), ("create", "o1"), ("update", "o2"), ("create", "o3")]
    store.close()


def test_keys_dropped_in_many_chunks_give_one_warning(store: GraphStore, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dump_stream, "CHUNK", 3)
    ids = [f"o{i}" for i in range(8)]
    path = tmp_path / "extra.json"
    write_dump_records(path, {
        "nodes": [{"id": i, "label": "Organisation", "props": {"name": i.upper()}} for i in ids],
        "relationships": [{"type": "TIE", "start": a, "end": b, "props": {"rung": 2, "kleur": "rood"}}
                          for a, b in zip(ids, ids[1:], strict=False)]})
    report = import_file(store, path)
    assert [w.text("en") for w in report.warnings] == [
        "extra.json, edges: Attributes Goudkaart does not know were left out of the edges: kleur (7×)."]
    assert report.created == {"Organisation": 8, "TIE": 7}
    assert all("kleur" not in r.props for r in store.iter_relationships())
