"""``graphsvc match``: partner matches for one organisation, as a table or JSON."""

from __future__ import annotations

import json

import click

from graphsvc.snapshot import Snapshot

__all__ = ["match"]


@click.command("match")
@click.argument("actor_id")
@click.option("--limit", default=10, show_default=True, type=int)
@click.option("--area", default=None, help="Only candidates active in this area (code or id).")
@click.option("--kinds", default=None, help="Organisation, Institution or both (comma-separated).")
@click.option("--lang", default="nl", show_default=True, type=click.Choice(["nl", "en"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's answer).")
@click.pass_context
def match(ctx: click.Context, actor_id: str, limit: int, area: str | None, kinds: str | None,
          lang: str, as_json: bool) -> None:
    """Ranked partner matches for an organisation, each with its reason."""
    from graphsvc.cli.context import open_graph_store
    from queries.matching import partner_matches

    snap = Snapshot.from_store(open_graph_store(ctx))
    snap.node(actor_id, "Organisation")
    result = partner_matches(snap, actor_id, limit=limit, area=area,
                             kinds=kinds.split(",") if kinds else None, lang=lang)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{snap.name(actor_id)} ({actor_id})")
    if not result:
        click.echo(result.reason(lang))
        return
    for rank, m in enumerate(result, 1):
        click.echo(f"{rank:>3}. {m.score:5.2f}  {m.name}  [{m.id}]")
        click.echo(f"            {m.reason(lang)}")
