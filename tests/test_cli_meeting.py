"""``graphsvc islands`` and ``graphsvc agenda``: the same answers as the API, clean errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from graphsvc.cli import cli
from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from tests.small_graph import XSS


def test_islands_text_and_json(runner: CliRunner, seeded: GraphStore) -> None:
    result = runner.invoke(cli, ["islands", "--area", "WK0363EM", "--near"])
    assert result.exit_code == 0, result.output
    assert "Eilanden in De Kolenkit: 1" in result.output and XSS in result.output
    assert "Bijna-eilanden:" in result.output and "Kadın Dayanışma Derneği" in result.output
    data = json.loads(runner.invoke(cli, ["islands", "--area", "E", "--json"]).output)
    assert [i["id"] for i in data["islands"]] == ["org-xss"] and data["area"] == "area-e"


def test_agenda_text_and_json(runner: CliRunner, seeded: GraphStore) -> None:
    with seeded.transaction() as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "org-kadin", "eenzaamheid", {"weight": 1}))
    result = runner.invoke(cli, ["agenda", "--area", "E", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Draft neighbourhood agenda for West" in result.output and "1. Loneliness" in result.output
    data = json.loads(runner.invoke(cli, ["agenda", "--area", "E", "--json"]).output)
    assert [t["interest_id"] for t in data["topics"]] == ["eenzaamheid"]
    empty = runner.invoke(cli, ["agenda", "--area", "F"])
    assert "(geen gedeelde belangen)" in empty.output


def test_unknown_area_is_one_clean_line(runner: CliRunner, seeded: GraphStore) -> None:
    for command in ("islands", "agenda"):
        result = runner.invoke(cli, [command, "--area", "ZZ"])
        assert result.exit_code == 1
        assert result.output.strip() == "Error: There is no area with code 'ZZ'."
    bad = runner.invoke(cli, ["islands", "--area", "E", "--min-rung", "7"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
