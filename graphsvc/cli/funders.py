"""``graphsvc clusters``: the funder clusters on the command line (the same query as the web page)."""

from __future__ import annotations

import json

import click

from graphsvc.cli.context import open_graph_store
from graphsvc.snapshot import Snapshot

__all__ = ["clusters_command", "COMMANDS"]


def _money(amount: float) -> str:
    return f"€ {amount:,.0f}".replace(",", ".")


@click.command("clusters")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape of /api/v1/clusters).")
@click.option("--area", default=None, help="Only clusters with most members in this area (code or id).")
@click.option("--period", default=None, help="Only grants in these years, e.g. 2024 or 2023-2025.")
@click.option("--seed", default=None, type=int, help="Seed of the cluster detection (default: fixed).")
@click.option("--resolution", default=1.0, show_default=True, type=click.FloatRange(0.05, 20),
              help="Above 1: smaller clusters; below 1: bigger ones.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--lang", default="nl", show_default=True, type=click.Choice(["nl", "en"]))
@click.pass_context
def clusters_command(ctx: click.Context, as_json: bool, area: str | None, period: str | None,
                     seed: int | None, resolution: float, limit: int, lang: str) -> None:
    """Clusters of organisations around themes and areas, with funding and concentration."""
    from queries.clusters import DEFAULT_SEED, clusters
    from queries.clusters_why import why_no_clusters

    store = open_graph_store(ctx)
    try:
        snap = Snapshot.from_store(store)
    finally:
        store.close()
    report = clusters(snap, seed=DEFAULT_SEED if seed is None else seed, resolution=resolution,
                      period=period, area=area)
    why = why_no_clusters(snap, report) if area is None else None
    if as_json:
        data = report.as_dict()
        data["total"] = len(data["clusters"])
        data["clusters"] = data["clusters"][:limit]
        data["why_none"] = why.as_dict() if why else None
        click.echo(json.dumps({"ok": True, **data}, ensure_ascii=False, indent=2))
        return
    c = report.clustering
    click.echo(f"{len(report.clusters)} clusters of {len(c.orgs)} organisations "
               f"({c.unclustered} in no cluster), revision {c.revision}")
    if why is not None:
        click.echo(why.text(lang))
    for p in report.clusters[:limit]:
        click.echo(f"{p.id:<7}{p.size:>5}  {_money(p.funding_total):>14}  HHI {p.herfindahl:.2f}  "
                   f"islands {p.islands:>3}  {p.summary(lang)}")
    if len(report.clusters) > limit:
        click.echo(f"… and {len(report.clusters) - limit} more (--limit)")


COMMANDS = (clusters_command,)
