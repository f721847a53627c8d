"""The data commands: one clean line per error, never a traceback; import, export, template, merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.cli import cli
from tests.importers.conftest import INDIGO


def _stats(runner: CliRunner) -> dict[str, object]:
    return json.loads(runner.invoke(cli, ["stats", "--json"]).output)


@pytest.mark.testdata
def test_import_dry_run_then_import_then_again(runner: CliRunner) -> None:
    dry = runner.invoke(cli, ["import", str(INDIGO), "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "dry run: 476 created" in dry.output and _stats(runner)["revision"] == 0
    real = runner.invoke(cli, ["import", str(INDIGO), "--format", "360giving"])
    assert real.exit_code == 0 and "476 nieuw" in real.output
    again = runner.invoke(cli, ["import", str(INDIGO), "--json"])
    report = json.loads(again.output)
    assert report["created"] == {} and report["revision_before"] == report["revision_after"] == 1


def test_a_broken_file_gives_clean_error_lines_and_exit_code_1(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_text("actor_a,actor_b,rung\nA,B,9\nC,D,0\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert any("rij 2, kolom rung" in line and "Rung '9' does not exist" in line for line in lines)
    assert any("rij 3, kolom rung" in line for line in lines)
    assert _stats(runner)["revision"] == 0


@pytest.mark.testdata
def test_limits_give_a_clear_message(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["import", str(INDIGO), "--max-rows", "100"])
    assert result.exit_code == 1 and "more than 100 rows" in result.output


def test_export_every_format_and_restore_the_dump(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0
    for fmt, name in (("json", "d.json"), ("graphml", "g.graphml"), ("gexf", "g.gexf"),
                      ("kumu", "k.json"), ("csv", "c.zip"), ("xlsx", "x.xlsx")):
        result = runner.invoke(cli, ["export", "--format", fmt, "--out", str(tmp_path / name)])
        assert result.exit_code == 0 and (tmp_path / name).stat().st_size > 0, result.output
    before = _stats(runner)
    restore = runner.invoke(cli, ["import", str(tmp_path / "d.json")])
    assert restore.exit_code == 0 and _stats(runner) == before


def test_export_html_is_the_offline_map_and_needs_an_area(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["demo", "--no-serve"])
    missing = runner.invoke(cli, ["export", "--format", "html", "--out", str(tmp_path / "m.html")])
    assert missing.exit_code == 1 and "--area" in missing.output
    ok = runner.invoke(cli, ["export", "--format", "html", "--area", "E", "--out", str(tmp_path / "m.html")])
    assert ok.exit_code == 0, ok.output
    assert "<html" in (tmp_path / "m.html").read_text(encoding="utf-8").lower()


def test_public_export_has_no_confidential_fields(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["demo", "--no-serve"])
    runner.invoke(cli, ["export", "--format", "json", "--role", "public", "--out", str(tmp_path / "p.json")])
    assert "contact_persons" not in (tmp_path / "p.json").read_text(encoding="utf-8")


def test_template_writes_the_workbook_and_csvs(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["template", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0
    assert (tmp_path / "t" / "goudkaart-sjabloon.xlsx").is_file()
    assert (tmp_path / "t" / "ties.csv").read_text(encoding="utf-8-sig").startswith("actor_a,actor_b,rung")


def test_duplicates_and_merge(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,name,kvk\na1,Stichting De Brug,12345678\na2,De Brug,\n", encoding="utf-8")
    assert runner.invoke(cli, ["import", str(path)]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["duplicates", "--json"]).output)
    assert [(d["a"], d["b"]) for d in listed] == [("a1", "a2")]
    merged = runner.invoke(cli, ["merge", "a1", "a2", "--yes"])
    assert merged.exit_code == 0 and "Merged a2 into a1" in merged.output
    refused = runner.invoke(cli, ["merge", "a1", "a2", "--yes"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output


def test_an_unwritable_output_is_one_clean_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", "--format", "json", "--out", str(tmp_path / "no" / "such" / "d.json")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Cannot use the file" in result.output


def test_a_bad_grant_status_gives_one_clean_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "map.graphml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="label" for="node" attr.name="label" attr.type="string"/>'
        '<key id="name" for="node" attr.name="name" attr.type="string"/>'
        '<key id="type" for="edge" attr.name="type" attr.type="string"/>'
        '<key id="status" for="edge" attr.name="status" attr.type="string"/>'
        '<graph edgedefault="directed"><node id="f"><data key="label">Fund</data><data key="name">F</data></node>'
        '<node id="o"><data key="label">Organisation</data><data key="name">O</data></node>'
        '<edge source="f" target="o"><data key="type">FUNDS</data><data key="status">lots</data></edge>'
        '</graph></graphml>', encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert lines == ["  - map.graphml, verbinding 1, kenmerk status: De status moet een van pending, awarded, "
                     "active, completed, rejected, withdrawn zijn, niet 'lots'. / The status must be one of "
                     "pending, awarded, active, completed, rejected, withdrawn, not 'lots'."]
    assert _stats(runner)["revision"] == 0
