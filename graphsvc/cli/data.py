"""Data commands: ``graphsvc import``, ``export``, ``template``, ``merge`` and ``duplicates``.

Errors reach the user as one clean line each (through the ``graphsvc`` group); long imports and
exports show a progress bar on a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from graphsvc.access.visibility import ROLES, Viewer
from graphsvc.cli.context import open_graph_store, vocabulary
from graphsvc.errors import GraphsvcError, InvalidInput
from graphsvc.model import LABELS, REL_TYPES
from importers.batch import Progress
from importers.exporters import EXPORT_FORMATS
from importers.files import FORMATS
from importers.limits import CLI_LIMITS, Limits
from importers.report import ImportReport

__all__ = ["import_command", "export_command", "template_command", "merge_command",
           "duplicates_command", "COMMANDS"]

_LANG = click.Choice(["nl", "en"])
_STAGES = {"read": ("Lezen", "Reading"), "check": ("Controleren", "Checking"),
           "write": ("Schrijven", "Writing"), "load": ("Controleren en schrijven", "Checking and writing"),
           "nodes": ("Knopen", "Nodes"),
           "relationships": ("Relaties", "Relationships"), "tie_events": ("Ladderhistorie", "Tie history")}


@contextmanager
def _file_errors() -> Iterator[None]:
    """A file that cannot be read or written is one clean line, not a traceback."""
    try:
        yield
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise InvalidInput(f"Cannot use the file{where}: {exc.strerror or exc}. / "
                           f"Kan het bestand{where} niet gebruiken: {exc.strerror or exc}.") from None


@contextmanager
def _progress(lang: str) -> Iterator[Progress | None]:
    """A rich progress bar on a terminal; nothing when output is captured or piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            names = _STAGES.get(stage, (stage, stage))
            tasks[stage] = bars.add_task(names[0] if lang == "nl" else names[1], total=total or None)
        bars.update(tasks[stage], completed=done, total=total or None)

    with bars:
        yield update


def _echo_report(report: ImportReport, lang: str) -> None:
    click.echo(report.summary(lang))
    head = ("soort", "nieuw", "bijgewerkt", "ongewijzigd") if lang == "nl" else \
        ("kind", "created", "updated", "unchanged")
    if report.labels():
        click.echo(f"  {head[0]:<22}{head[1]:>10}{head[2]:>12}{head[3]:>13}")
    for label in report.labels():
        click.echo(f"  {label:<22}{report.created[label]:>10,}{report.updated[label]:>12,}"
                   f"{report.unchanged[label]:>13,}")
    if report.tie_events_added:
        click.echo(f"  {'tie history' if lang == 'en' else 'ladderhistorie'}: {report.tie_events_added:,}")
    for warning in report.warnings[:30]:
        click.echo(f"  ! {warning.text(lang)}")
    if len(report.warnings) > 30:
        click.echo(f"  ! … {len(report.warnings) - 30} more / meer")
    for dup in report.near_duplicates[:20]:
        click.echo(f"  ≈ {dup.a_name} ({dup.a}) ~ {dup.b_name} ({dup.b}): {dup.reason(lang)}")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", *FORMATS, "csv", "xlsx", "json"]),
              help="What the file is; auto recognises it from its name and contents.")
@click.option("--dry-run", is_flag=True, help="Check and report what would change; write nothing.")
@click.option("--max-rows", default=CLI_LIMITS.max_rows, show_default=True, type=click.IntRange(1),
              help="Refuse files with more rows or records than this.")
@click.option("--max-mb", default=CLI_LIMITS.max_bytes // 1024 // 1024, show_default=True,
              type=click.IntRange(1), help="Refuse files larger than this many MB.")
@click.option("--batch", "per_transaction", default=None, type=click.IntRange(1000),
              help="Write in transactions of this many records (very large files on Neo4j); "
                   "everything is still checked first. Default: one transaction.")
@click.option("--node-type", type=click.Choice(LABELS), default=None,
              help="Graph files from other tools (Gephi, yEd, Kumu): the type of nodes that have none.")
@click.option("--edge-type", type=click.Choice(sorted(REL_TYPES)), default=None,
              help="Graph files from other tools: the type of edges that have none, e.g. TIE.")
@click.option("--rung", type=click.IntRange(1, 5), default=None,
              help="With --edge-type TIE: the rung of every tie that has none.")
@click.option("--rung-from", type=click.Choice(["weight"]), default=None,
              help="With --edge-type TIE: bin each edge's numeric weight into rungs 1-5.")
@click.option("--lang", default="nl", show_default=True, type=_LANG)
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as JSON on stdout, also when the import is refused.")
@click.pass_context
def import_command(ctx: click.Context, file: Path, fmt: str, dry_run: bool, max_rows: int,
                   max_mb: int, per_transaction: int | None, node_type: str | None,
                   edge_type: str | None, rung: int | None, rung_from: str | None, lang: str,
                   as_json: bool) -> None:
    """Import FILE (template CSV/XLSX, HSDS, 360Giving, GraphML, GEXF, Kumu or a full JSON dump).

    Every row is checked first; if anything is wrong, every error is listed and nothing is
    written. Importing the same file again changes nothing. A GraphML, GEXF or Kumu file from
    another tool needs --node-type (and --edge-type with --rung or --rung-from weight).
    """
    from importers.files import import_file
    from importers.graph_mapping import GraphMapping

    limits = Limits(max_bytes=max_mb * 1024 * 1024, max_rows=max_rows)
    mapping = GraphMapping(node_type, edge_type, rung, rung_from)
    store = open_graph_store(ctx)
    vocab = vocabulary(ctx)
    try:
        with _file_errors(), _json_refusal(as_json), _progress(lang) as progress:
            report = import_file(store, file, format=None if fmt == "auto" else fmt,
                                 dry_run=dry_run, limits=limits, vocab=vocab, progress=progress,
                                 per_transaction=per_transaction,
                                 mapping=None if mapping.empty and not rung and not rung_from else mapping)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"ok": True, **report.as_dict()}, indent=2, ensure_ascii=False))
    else:
        _echo_report(report, lang)


@contextmanager
def _json_refusal(as_json: bool) -> Iterator[None]:
    """With ``--json`` a refused import still prints its report (on stdout) before the error lines."""
    try:
        yield
    except GraphsvcError as exc:
        if as_json:
            from importers.report import ImportRejected

            shown = exc.as_dict() if isinstance(exc, ImportRejected) else \
                {"ok": False, "error": exc.message, "errors": list(exc.errors)}
            click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        raise


@click.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice([*EXPORT_FORMATS, "html", "neo4j-import"]),
              help="json = full dump (restore with graphsvc import); html = offline map of --area; "
                   "neo4j-import = a folder for Neo4j's offline importer (the whole graph).")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="File to write (csv: a folder, or a .zip).")
@click.option("--role", default="admin", show_default=True, type=click.Choice(ROLES),
              help="Export what this role may see; confidential fields only for admin.")
@click.option("--area", default=None, help="html only: area code or id, e.g. E or WK0363FC.")
@click.option("--lang", default="nl", show_default=True, type=_LANG, help="html only: language.")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, out: Path, role: str, area: str | None,
                   lang: str) -> None:
    """Export the map: full JSON dump, GraphML, GEXF, Kumu, CSV, XLSX, or the offline HTML map."""
    if fmt == "html":
        _export_html(ctx, out, area, lang)
        return
    if fmt == "neo4j-import":
        _export_neo4j_import(ctx, out)
        return
    from importers.exporters import export_store

    store = open_graph_store(ctx)
    try:
        with _file_errors(), _progress(lang) as progress:
            counts = export_store(store, fmt, out, Viewer(role), progress=progress)
    finally:
        store.close()
    shown = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    click.echo(f"Wrote {out} ({fmt}, as {role}): {shown}.")


def _export_neo4j_import(ctx: click.Context, out: Path) -> None:
    from graphsvc.store.base import utc_now
    from graphsvc.store.neo4j_import_files import write_import_files

    store = open_graph_store(ctx)
    try:
        with _file_errors():
            written = write_import_files(store, out, now=utc_now())
    finally:
        store.close()
    shown = ", ".join(f"{k} {v:,}" for k, v in written.counts.items())
    click.echo(f"Wrote {out} (neo4j-import, {len(written.files)} files): {shown}; import with "
               f"neo4j-admin database import full neo4j @import.args in that folder.")


def _export_html(ctx: click.Context, out: Path, area: str | None, lang: str) -> None:
    from graphsvc.cli.meeting import export_area_map

    if not area:
        raise InvalidInput("html export needs --area (an area code or id, e.g. E). / "
                           "html-export heeft --area nodig (een gebiedscode of id, bv. E).")
    export_area_map(ctx, area, out, lang)


@click.command("template")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the XLSX workbook and the CSV files into.")
def template_command(out: Path) -> None:
    """Write the spreadsheet templates (one XLSX workbook, one CSV per sheet) with notes and examples."""
    from importers.templates import write_templates

    with _file_errors():
        written = write_templates(out)
    for path in written:
        click.echo(str(path))


@click.command("merge")
@click.argument("keep")
@click.argument("drop")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def merge_command(ctx: click.Context, keep: str, drop: str, yes: bool) -> None:
    """Merge node DROP into node KEEP: all relationships move, the history is kept."""
    from importers.merge import merge_nodes

    store = open_graph_store(ctx)
    try:
        a, b = store.get_node(keep), store.get_node(drop)
        if not yes:
            click.confirm(f"Merge {b.name!r} ({drop}) into {a.name!r} ({keep})?", abort=True)
        result = merge_nodes(store, keep, drop)
    finally:
        store.close()
    click.echo(f"Merged {drop} into {keep}: {result.moved} relationships moved, {result.combined} "
               f"combined, {result.dropped_self_ties} self-ties dropped.")


@click.command("duplicates")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--lang", default="nl", show_default=True, type=_LANG)
@click.pass_context
def duplicates_command(ctx: click.Context, as_json: bool, lang: str) -> None:
    """List organisations, institutions and funds that may be duplicates (for graphsvc merge)."""
    from importers.duplicates import near_duplicates

    store = open_graph_store(ctx)
    try:
        pairs = near_duplicates(store.iter_nodes())
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in pairs], indent=2, ensure_ascii=False))
        return
    for pair in pairs:
        click.echo(f"{pair.a} ~ {pair.b}  {pair.a_name} / {pair.b_name}  ({pair.reason(lang)})")
    if not pairs:
        click.echo("Geen mogelijke dubbelen gevonden." if lang == "nl" else "No likely duplicates found.")


#: Registered at the bottom of graphsvc/cli/__init__.py (after the meeting commands: this ``export``
#: is the one command that also handles ``--format html``).
COMMANDS = (import_command, export_command, template_command, merge_command, duplicates_command)
