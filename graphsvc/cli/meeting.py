"""Meeting commands: ``graphsvc islands``, ``graphsvc agenda`` and ``graphsvc export --format html``.

They call the same query functions as the meeting pages and the API, so the answers match.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from graphsvc.cli.context import open_graph_store, vocabulary
from graphsvc.snapshot import Snapshot
from queries.agenda import neighbourhood_agenda
from queries.islands import islands, near_islands
from visualisations.offline_map import write_offline_map

__all__ = ["islands_command", "agenda_command", "export_area_map", "COMMANDS"]

_LANG = click.Choice(["nl", "en"])


def _snapshot(ctx: click.Context) -> Snapshot:
    store = open_graph_store(ctx)
    try:
        return Snapshot.from_store(store)
    finally:
        store.close()


@click.command("islands")
@click.option("--area", required=True, help="Area code or id, e.g. E or WK0363FC.")
@click.option("--min-rung", default=2, show_default=True, type=click.IntRange(1, 5),
              help="The lowest rung that counts as a real tie.")
@click.option("--near", is_flag=True, help="Also list near-islands (only one such tie).")
@click.option("--lang", default="nl", show_default=True, type=_LANG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def islands_command(ctx: click.Context, area: str, min_rung: int, near: bool, lang: str,
                    as_json: bool) -> None:
    """Organisations in an area without a tie at --min-rung or higher."""
    snap = _snapshot(ctx)
    found = islands(snap, area, min_rung)
    close = near_islands(snap, area, min_rung) if near else []
    if as_json:
        data = {"area": snap.area(area).id, "min_rung": min_rung,
                "islands": [i.as_dict() for i in found]}
        if near:
            data["near_islands"] = [i.as_dict() for i in close]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    title = "Eilanden in" if lang == "nl" else "Islands in"
    click.echo(f"{title} {snap.area(area).name}: {len(found)}")
    for island in found:
        click.echo(f"  {island.name}  ({island.reason_en if lang == 'en' else island.reason_nl})")
    if near:
        click.echo("Bijna-eilanden:" if lang == "nl" else "Near-islands:")
        for island in close:
            click.echo(f"  {island.name}  ({island.reason_en if lang == 'en' else island.reason_nl})")


@click.command("agenda")
@click.option("--area", required=True, help="Area code or id, e.g. E or WK0363FC.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--lang", default="nl", show_default=True, type=_LANG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def agenda_command(ctx: click.Context, area: str, limit: int, lang: str, as_json: bool) -> None:
    """The draft neighbourhood agenda: interests most organisations in the area share."""
    snap = _snapshot(ctx)
    topics = neighbourhood_agenda(snap, area, limit=limit)
    if as_json:
        click.echo(json.dumps({"area": snap.area(area).id, "topics": [t.as_dict() for t in topics]},
                              indent=2, ensure_ascii=False))
        return
    title = "Concept-wijkagenda voor" if lang == "nl" else "Draft neighbourhood agenda for"
    click.echo(f"{title} {snap.area(area).name}")
    for number, topic in enumerate(topics, 1):
        click.echo(f"{number:>3}. {topic.title_en if lang == 'en' else topic.title_nl}")
        click.echo(f"     {topic.summary_en if lang == 'en' else topic.summary_nl}")
        click.echo(f"     {', '.join(m.name for m in topic.coalition)}")
    if not topics:
        click.echo("  (geen gedeelde belangen)" if lang == "nl" else "  (no shared interests)")


def export_area_map(ctx: click.Context, area: str, out: Path, lang: str) -> None:
    """Write an area's offline map file (``graphsvc export --format html --area …``), with the
    layout the store keeps for the area (the live map's)."""
    store = open_graph_store(ctx)
    try:
        snap = Snapshot.from_store(store)
        rungs = {r.rung: r.name(lang) for r in vocabulary(ctx).rungs}
        path = write_offline_map(snap, area, Path(out), lang=lang, rung_names=rungs, store=store)
    finally:
        store.close()
    click.echo(f"Wrote the offline map of {snap.area(area).name} to {path} "
               f"({path.stat().st_size // 1024} KB).")


#: Registered at the bottom of graphsvc/cli/__init__.py.
COMMANDS = (islands_command, agenda_command)
