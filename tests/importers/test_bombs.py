"""Bombs and malformed files are refused before parsing, fast, clearly, and with the store unchanged.

The files are built in the test (tests/importers/bombs.py): a few hundred KB on disk at most.
Each refusal is checked for its message, a generous hang guard and the store's revision; the
peak memory of each refusal is measured in benchmarks/bench_bombs.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.cli import cli
from graphsvc.errors import ImportFailed
from graphsvc.store import GraphStore
from importers.files import import_file
from importers.limits import Limits, web_limits
from importers.report import ImportRejected
from tests.importers import bombs
from tests.importers.conftest import store_state

HANG_GUARD = 60.0  # seconds; the refusals take well under one

Bomb = tuple[Callable[[Path], Path], str, Limits]
BOMBS: dict[str, Bomb] = {
    "xlsx with a 100 MB cell": (bombs.giant_cell_xlsx, "looks like a zip bomb", web_limits(20)),
    "xlsx with a 20,000-character cell": (bombs.long_cell_xlsx, "longer than 10,000 characters", Limits()),
    "xlsx with a cell on row 1,048,576": (bombs.far_row_xlsx, "more than 100,000 rows", web_limits(20)),
    "xlsx with a cell in column XFD": (bombs.far_column_xlsx, "beyond column 500", Limits()),
    "xlsx with too many rows": (lambda f: bombs.many_rows_xlsx(f, 300), "more than 100 rows",
                                Limits(max_rows=100)),
    "xlsx with a DTD": (bombs.dtd_xlsx, "document type declaration (DTD) is not accepted", Limits()),
    "graphml with a DTD": (bombs.dtd_graphml, "document type declaration (DTD) is not accepted", Limits()),
    "gexf nested 5,000 deep": (bombs.deep_gexf, "nested deeper than 64 levels", Limits()),
    "zip of 300 MB of blank lines": (bombs.blank_lines_zip, "looks like a zip bomb", Limits()),
    "csv of 3,000 blank lines": (lambda f: bombs.blank_lines_csv(f, 3000), "more than 1,000 rows",
                                 Limits(max_rows=1000)),
    "json dump nested 100,000 deep": (bombs.deep_json_dump, "nested too deeply", Limits()),
    "hsds json nested 100,000 deep": (bombs.deep_json_hsds, "nested too deeply", Limits()),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_fast_and_changes_nothing(name: str, store: GraphStore, tmp_path: Path) -> None:
    build, message, limits = BOMBS[name]
    path = build(tmp_path)
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk, whatever it unpacks to
    before = store_state(store)
    started = time.monotonic()
    with pytest.raises(ImportFailed) as refused:
        import_file(store, path, limits=limits)
    assert time.monotonic() - started < HANG_GUARD
    text = refused.value.message + " ".join(refused.value.errors)
    assert message in text, text
    assert path.name in refused.value.message
    assert store_state(store) == before


@pytest.mark.parametrize("name", ["xlsx with a DTD", "json dump nested 100,000 deep",
                                  "hsds json nested 100,000 deep", "zip of 300 MB of blank lines"])
def test_the_cli_says_one_plain_line_and_exits_1(name: str, runner: CliRunner, tmp_path: Path) -> None:
    path = BOMBS[name][0](tmp_path)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and BOMBS[name][1] in lines[0], result.output


def test_a_lying_dimension_loses_no_row(store: GraphStore, tmp_path: Path) -> None:
    report = import_file(store, bombs.lying_dimension_xlsx(tmp_path, 3000))
    assert report.created["Organisation"] == 3000
    assert store.counts()["nodes"]["Organisation"] == 3000


def test_a_huge_declared_dimension_reads_only_the_real_cells(sqlite_store: GraphStore, tmp_path: Path) -> None:
    started = time.monotonic()
    report = import_file(sqlite_store, bombs.huge_dimension_xlsx(tmp_path), dry_run=True)
    assert time.monotonic() - started < HANG_GUARD
    assert report.created["Organisation"] == 1 and sqlite_store.revision() == 0


def test_a_name_over_200_and_a_cell_over_10000_characters_are_refused_by_row_and_column(
        store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text(f"id,name,description\no1,{'N' * 201},kort\no2,Twee,{'d' * 10_001}\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_file(store, path)
    places = {(e.row, e.column) for e in refused.value.row_errors}
    assert places == {(2, "name"), (3, "description")}
    texts = " ".join(e.text("en") for e in refused.value.row_errors)
    assert "the limit is 200" in texts and "the limit is 10,000" in texts
    assert store.revision() == 0
