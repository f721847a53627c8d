"""Signal commands: ``graphsvc signals template``, ``import`` and ``area`` (the aggregates).

The same functions as the web pages (:mod:`graphsvc.actions.signals_bulk`, :mod:`queries.signals`); the
CLI acts as an admin, so ``area`` shows every group with its numbers (never a note).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from graphsvc.access.visibility import Viewer
from graphsvc.actions.signals_bulk import import_signals, template_csv
from graphsvc.cli.context import open_graph_store
from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot
from queries.signals import area_signals, recent_months

__all__ = ["signals_group", "COMMANDS"]


@click.group("signals")
def signals_group() -> None:
    """Early signals: the bulk template, importing it, the aggregates of an area."""


@signals_group.command("template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template_command(path: Path) -> None:
    """Write the CSV template for recording signals in bulk to PATH."""
    path.write_text("\ufeff" + template_csv(recent_months(1)[1], "Geen namen, telefoonnummers of e-mailadressen."),
                    encoding="utf-8")
    click.echo(f"Template written to {path}.")


@signals_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, path: Path) -> None:
    """Check every row of the CSV file PATH, then record all its signals (or none)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name}: the file is not UTF-8 text; save it as CSV UTF-8.") from None
    store = open_graph_store(ctx)
    try:
        count = import_signals(store, Snapshot.from_store(store), text, name=path.name, source=f"import:{path.name}")
    except InvalidInput as exc:
        for line in exc.errors[1:]:
            click.echo(line, err=True)
        raise
    finally:
        store.close()
    click.echo(f"{count} signal(s) recorded from {path.name}.")


@signals_group.command("area")
@click.argument("code")
@click.option("--period", default=None, help="A month (2026-03), a year (2026) or a range (2026-01..2026-03).")
@click.pass_context
def area_command(ctx: click.Context, code: str, period: str | None) -> None:
    """Print the signals of an area per theme as JSON (as an admin sees them, without notes)."""
    store = open_graph_store(ctx)
    try:
        snap = Snapshot.from_store(store)
    finally:
        store.close()
    click.echo(json.dumps(area_signals(snap, code, Viewer("admin"), period=period).as_dict(),
                          indent=2, ensure_ascii=False))


COMMANDS = (signals_group,)
