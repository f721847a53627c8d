"""``graphsvc doctor [--fix] [--purge-log]`` and ``graphsvc compact``: keep a store clean and small."""

from __future__ import annotations

import json

import click

from graphsvc.actions.doctor import remove_undeclared, undeclared_properties
from graphsvc.cli.context import open_graph_store

__all__ = ["doctor", "compact", "COMMANDS"]


@click.command()
@click.option("--fix", is_flag=True, help="Remove the undeclared properties (recorded in the history).")
@click.option("--purge-log", is_flag=True,
              help="With --fix: also remove the values from the change log, for good.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def doctor(ctx: click.Context, fix: bool, purge_log: bool, as_json: bool) -> None:
    """List node and relationship properties nothing declares; --fix removes them in one
    transaction."""
    store = open_graph_store(ctx)
    try:
        findings = (remove_undeclared(store, purge_log=purge_log, source="cli:doctor") if fix
                    else undeclared_properties(store.iter_nodes(), store.iter_relationships()))
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"fixed": fix,
                               "nodes": [f.as_dict() for f in findings if not f.is_relationship],
                               "relationships": [f.as_dict() for f in findings if f.is_relationship]},
                              ensure_ascii=False, indent=2))
        return
    for finding in findings:
        click.echo(f"{finding.where()}: {', '.join(finding.keys)}")
    count = sum(len(f.keys) for f in findings)
    places = len(findings)
    if not findings:
        click.echo("Every stored property is declared. / Elk opgeslagen kenmerk is bekend.")
    elif fix:
        click.echo(f"Removed {count} undeclared properties from {places} nodes and relationships"
                   + (" and from the change log." if purge_log else " (the change log keeps them; "
                      "--purge-log removes them there too).")
                   + f" / {count} onbekende kenmerken verwijderd bij {places} knopen en relaties.")
    else:
        click.echo(f"{count} undeclared properties on {places} nodes and relationships; run "
                   f"`graphsvc doctor --fix` to remove them. / {count} onbekende kenmerken bij "
                   f"{places} knopen en relaties; `graphsvc doctor --fix` verwijdert ze.")


@click.command()
@click.option("--purge-log", is_flag=True,
              help="First cut undeclared property values from the graph and the change log.")
@click.pass_context
def compact(ctx: click.Context, purge_log: bool) -> None:
    """Give unused space back to the file system (SQLite: VACUUM and a WAL checkpoint)."""
    store = open_graph_store(ctx)
    try:
        if purge_log:
            removed = remove_undeclared(store, purge_log=True, source="cli:compact")
            click.echo(f"Purged undeclared properties of {len(removed)} nodes and relationships from "
                       f"the graph and the change log. / Onbekende kenmerken van {len(removed)} "
                       "knopen en relaties gewist.")
        sizes = store.compact()
    finally:
        store.close()
    if not sizes:
        click.echo("This store reclaims space itself; nothing to do. / Deze opslag ruimt zelf op.")
        return
    click.echo(f"{sizes['bytes_before']:,} → {sizes['bytes_after']:,} bytes.")


COMMANDS = (doctor, compact)
