"""The README tells the truth: every GRAPHSVC_ setting the code reads is in its configuration
tables (and only those), and every command of `graphsvc` is in its command list."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click

from graphsvc.config import Settings

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\bGRAPHSVC_[A-Z0-9_]*[A-Z0-9]\b")
READ_BY = ["graphsvc", "importers", "queries", "visualisations", "scripts", "benchmarks", "tests"]


def _documented() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):]
    section = section[:section.index("\n## ", 1)]
    return {name for line in section.splitlines() if line.startswith("| `") for name in NAME.findall(line)}


def _used() -> dict[str, str]:
    found: dict[str, str] = {}
    files = [p for folder in READ_BY for p in (ROOT / folder).rglob("*.py")]
    files += [ROOT / "dev", ROOT / ".ci" / "run"]
    for path in files:
        if path == Path(__file__):
            continue
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_every_setting_of_the_settings_object_is_documented() -> None:
    envs = {f.metadata["env"] for f in dataclasses.fields(Settings) if "env" in f.metadata}
    assert envs, "Settings declares no environment variables"
    assert envs - _documented() == set()


def test_every_variable_the_code_reads_is_documented_and_every_documented_one_is_read() -> None:
    used = _used()
    missing = {name: where for name, where in used.items() if name not in _documented()}
    assert not missing, f"undocumented GRAPHSVC_ variables (name: first file): {missing}"
    stale = _documented() - set(used)
    assert not stale, f"the README documents variables nothing reads: {sorted(stale)}"


def test_one_prefix() -> None:
    reads_old = re.compile(r"""environ(?:\.get\(|\[)\s*["']GOUDKAART_""")
    old = [str(p.relative_to(ROOT)) for folder in READ_BY for p in (ROOT / folder).rglob("*.py")
           if reads_old.search(p.read_text(encoding="utf-8")) and p != Path(__file__)]
    assert not old, f"files still reading GOUDKAART_ environment variables: {old}"


def _command_paths(command: click.Command, prefix: str = "") -> list[str]:
    if isinstance(command, click.Group):
        return [path for name, sub in sorted(command.commands.items())
                for path in _command_paths(sub, f"{prefix} {name}".strip())]
    return [prefix]


def test_every_command_is_in_the_readme() -> None:
    from graphsvc.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = _command_paths(cli)
    assert len(paths) > 30
    assert [p for p in paths if f"graphsvc {p}" not in readme] == []
