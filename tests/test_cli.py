"""The command line: clean one-line errors with exit code 1, and the commands a user runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.cli import cli


def test_init_creates_the_store(runner: CliRunner, sqlite_url: str) -> None:
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert "Store ready" in result.output and "revision 0" in result.output


def test_demo_without_serving_loads_once(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0 and "Loaded the demo" in first.output
    second = runner.invoke(cli, ["demo", "--no-serve"])
    assert second.exit_code == 0 and "already holds data" in second.output
    stats = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert stats["nodes"]["Organisation"] >= 120 and stats["revision"] == 1


def test_generate_into_a_store_and_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["generate", "--orgs", "200", "--seed", "3"])
    assert result.exit_code == 0, result.output
    stats = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert stats["nodes"]["Organisation"] == 200
    out = tmp_path / "g.json"
    result = runner.invoke(cli, ["generate", "--orgs", "50", "--out", str(out)])
    assert result.exit_code == 0, result.output
    dump = json.loads(out.read_text())
    assert dump["format"] == "goudkaart-dump"
    assert sum(1 for n in dump["nodes"] if n["label"] == "Organisation") == 50


def test_get_runs_one_request_without_a_server(runner: CliRunner) -> None:
    runner.invoke(cli, ["demo", "--no-serve"])
    result = runner.invoke(cli, ["get", "/api/v1/organisations?limit=3"])
    assert result.exit_code == 0
    assert len(json.loads(result.output)["items"]) == 3
    missing = runner.invoke(cli, ["get", "/api/v1/organisations/nope"])
    assert missing.exit_code == 1 and '"status": 404' in missing.output.replace('":404', '": 404')


def test_get_authenticates_with_a_token(runner: CliRunner, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_ACCOUNTS_DB", str(tmp_path / "accounts.db"))
    runner.invoke(cli, ["demo", "--no-serve"])
    anonymous = runner.invoke(cli, ["get", "/api/v1/audit"])
    assert anonymous.exit_code == 1 and '"status": 401' in anonymous.output.replace('":401', '": 401')
    added = runner.invoke(cli, ["user", "add", "beheer", "--role", "admin", "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0, added.output
    token = runner.invoke(cli, ["user", "token", "beheer"]).output.strip().splitlines()[-1]
    with_token = runner.invoke(cli, ["get", "/api/v1/audit", "--token", token])
    assert with_token.exit_code == 0 and json.loads(with_token.output)["ok"] is True
    monkeypatch.setenv("GRAPHSVC_TOKEN", token)
    assert runner.invoke(cli, ["get", "/api/v1/audit"]).exit_code == 0


def test_export_html_writes_the_offline_map_and_needs_an_area(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["demo", "--no-serve"])
    made = runner.invoke(cli, ["export", "--format", "html", "--area", "E", "--out", str(tmp_path / "w.html")])
    assert made.exit_code == 0 and (tmp_path / "w.html").stat().st_size > 10_000, made.output
    bare = runner.invoke(cli, ["export", "--format", "html", "--out", str(tmp_path / "x.html")])
    assert bare.exit_code == 1 and "needs --area" in bare.output


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graphsvc.cli", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_bad_store_url_is_one_clean_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GRAPHSVC_STORE": "mysql://db/x"}
    result = run_cli("stats", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("Error: GRAPHSVC_STORE must start with sqlite:///")
    assert "Traceback" not in result.stderr


def test_corrupt_store_is_one_clean_line_and_untouched(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.write_bytes(b"garbage" * 500)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GRAPHSVC_STORE": f"sqlite:///{db}"}
    result = run_cli("stats", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "damaged or is not a Goudkaart store" in result.stderr
    assert db.read_bytes() == b"garbage" * 500


def test_bad_vocabulary_is_one_clean_line(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "interests.yaml").write_text("interests:\n  - {id: Bad Id, nl: x, en: y}\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GRAPHSVC_VOCAB_DIR": str(vocab),
           "GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    result = run_cli("get", "/api/v1/vocabulary", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "interests.yaml: entry 1 of 'interests' has id 'Bad Id'" in result.stderr


def test_migrate_copies_everything_and_is_idempotent(runner: CliRunner, tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert runner.invoke(cli, ["--store", source, "demo", "--no-serve"]).exit_code == 0
    first = runner.invoke(cli, ["migrate", "--from", source, "--to", target])
    assert first.exit_code == 0, first.output
    a = json.loads(runner.invoke(cli, ["--store", source, "stats", "--json"]).output)
    b = json.loads(runner.invoke(cli, ["--store", target, "stats", "--json"]).output)
    assert a["nodes"] == b["nodes"] and a["relationships"] == b["relationships"]
    again = runner.invoke(cli, ["migrate", "--from", source, "--to", target])
    assert again.exit_code == 0
    assert json.loads(runner.invoke(cli, ["--store", target, "stats", "--json"]).output)["revision"] == b["revision"]
    missing = runner.invoke(cli, ["migrate", "--from", f"sqlite:///{tmp_path / 'nope.db'}", "--to", target])
    assert missing.exit_code == 1 and "There is no store at" in missing.output
