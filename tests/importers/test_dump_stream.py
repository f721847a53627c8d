"""A full dump is restored streaming, chunk by chunk: the same store as reading it whole, every
error (even on the last lines of a big file) before anything is written, memory flat in the file."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

import importers.dump_stream as dump_stream
from graphsvc.generate import write_json
from graphsvc.store import GraphStore, open_store
from importers.dump import read_dump, write_dump_records
from importers.files import import_file
from importers.report import ImportRejected
from importers.run import run_import
from tests.importers.conftest import graph_content, store_state


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 97 records: a small file crosses many chunk boundaries."""
    monkeypatch.setattr(dump_stream, "CHUNK", 97)


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dumps")
    first, second = folder / "first.json", folder / "second.json"
    write_json(first, 120, seed=3)
    write_json(second, 300, seed=3)
    return first, second


def _whole(store: GraphStore, path: Path) -> None:
    run_import(store, read_dump(path))


def test_streaming_restore_gives_the_store_the_whole_file_gives(
        store: GraphStore, dumps: tuple[Path, Path], tmp_path: Path, small_chunks: None) -> None:
    first, second = dumps
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    for target in (store, reference):  # the same store to start from, some of it changed by the file
        _whole(target, first)
    expected = run_import(reference, read_dump(second))
    report = import_file(store, second)
    assert report.transactions == 1 and report.tie_events_added == expected.tie_events_added > 0
    for kind in ("created", "updated", "unchanged"):
        assert getattr(report, kind) == getattr(expected, kind), kind
    assert report.total("updated") > 0 and report.total("unchanged") > 0
    assert store.counts() == reference.counts()
    assert graph_content(store) == graph_content(reference)
    again = import_file(store, second)
    assert again.total("created") == again.total("updated") == again.tie_events_added == 0
    reference.close()


def test_streaming_restore_in_transactions_of_a_batch(store: GraphStore, dumps: tuple[Path, Path],
                                                      tmp_path: Path, small_chunks: None) -> None:
    _, second = dumps
    report = import_file(store, second, per_transaction=1000)
    assert report.transactions > 3 and store.revision() == report.transactions
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    _whole(reference, second)
    assert graph_content(store) == graph_content(reference)
    reference.close()


@pytest.fixture(scope="module")
def big_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.json"
    write_json(path, 5000, seed=4)
    return path


def _broken_near_the_end(big: Path, tmp_path: Path, how: str) -> tuple[Path, int]:
    """A copy of ``big`` with one record spoiled near its end; returns the file and that line."""
    lines = big.read_text("utf-8").split("\n")
    if how == "missing end":  # the last relationship names a node that is nowhere
        line = max(i for i, text in enumerate(lines) if text.startswith('{"type":'))
        record = json.loads(lines[line].rstrip(","))
        record["end"] = "org-nowhere"
    else:  # the last tie event has a rung that does not exist
        line = max(i for i, text in enumerate(lines) if text.startswith('{"a":'))
        record = json.loads(lines[line].rstrip(","))
        record["new_rung"] = 9
    lines[line] = json.dumps(record, separators=(",", ":")) + ("," if lines[line].endswith(",") else "")
    path = tmp_path / "broken.json"
    path.write_text("\n".join(lines), "utf-8")
    return path, line + 1


@pytest.mark.parametrize("how", ["missing end", "bad rung in the history"])
def test_a_bad_record_near_the_end_names_its_line_and_field_and_writes_nothing(
        store: GraphStore, big_dump: Path, tmp_path: Path, how: str) -> None:
    write_dump_records(tmp_path / "seed.json", {"nodes": [
        {"id": "org-seed", "label": "Organisation", "props": {"name": "Al in de kaart"}}]})
    import_file(store, tmp_path / "seed.json")
    before = store_state(store)
    path, line = _broken_near_the_end(big_dump, tmp_path, how)
    assert line > 50_000  # near the end of a file of 5,000 organisations, after many chunks
    with pytest.raises(ImportRejected) as caught:
        import_file(store, path)
    errors = [e.text("en") for e in caught.value.row_errors]
    sheet, column = ("relationships", "end") if how == "missing end" else ("tie_events", "new_rung")
    assert len(errors) == 1 and errors[0].startswith(f"broken.json, sheet {sheet}, row {line}, column {column}: ")
    assert ("'org-nowhere' does not exist" if how == "missing end" else "Rung 9 does not exist") in errors[0]
    assert store_state(store) == before


def _records(nodes: list[tuple[str, str]], rels: list[tuple[str, str, int]]) -> dict[str, list[dict]]:
    return {"nodes": [{"id": i, "label": "Organisation", "props": {"name": n}} for i, n in nodes],
            "relationships": [{"type": "TIE", "start": a, "end": b, "props": {"rung": r}} for a, b, r in rels]}


def test_repeats_in_other_chunks_are_refused_when_they_differ_and_written_once_when_alike(
        store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dump_stream, "CHUNK", 2)
    orgs = [("o1", "Een"), ("o2", "Twee"), ("o3", "Drie")]
    alike = tmp_path / "alike.json"
    write_dump_records(alike, _records([*orgs, ("o1", "Een")], [("o1", "o2", 2), ("o2", "o3", 3), ("o1", "o2", 2)]))
    report = import_file(store, alike)
    assert report.created == {"Organisation": 3, "TIE": 2}
    assert store.counts()["relationships"] == {"TIE": 2}
    before = store_state(store)
    differ = tmp_path / "differ.json"
    write_dump_records(differ, _records([*orgs, ("o1", "Anders")], [("o1", "o2", 2), ("o2", "o3", 3), ("o1", "o2", 4)]))
    with pytest.raises(ImportRejected) as caught:
        import_file(store, differ)
    errors = [e.text("en") for e in caught.value.row_errors]
    assert errors == [
        "differ.json, node 6, attribute id: Id 'o1' is used twice in this file (also on row 3).",
        "differ.json, sheet relationships, row 11: TIE o1 → o2 is also on row 9, with different values."]
    assert store_state(store) == before


def test_the_restore_keeps_memory_flat_as_the_file_grows(tmp_path: Path) -> None:
    # a regression guard, loose on purpose: the whole-file import held ~1 kB per relationship
    peaks = []
    for orgs in (2000, 8000):
        path = tmp_path / f"d{orgs}.json"
        write_json(path, orgs, seed=5)
        store = open_store(f"sqlite:///{tmp_path / f's{orgs}.db'}")
        tracemalloc.start()
        try:
            import_file(store, path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
            store.close()
    assert peaks[1] < 1.5 * peaks[0], peaks
