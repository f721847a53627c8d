"""``graphsvc migrate --from URL --to URL``: copy a whole graph between stores, with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

import click

from graphsvc.actions.migrate import migrate, migrate_accounts
from graphsvc.cli.context import open_graph_store
from graphsvc.errors import GraphsvcError
from graphsvc.store import GraphStore

__all__ = ["migrate_command", "ProgressBars"]


class ProgressBars:
    """One click progress bar per stage, fed by :func:`graphsvc.actions.migrate.migrate`'s callback."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.stage = ""
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=max(total, 1), label=f"{stage:<14}",
                                         file=sys.stderr,
                                         show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("migrate")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="The store to copy from: sqlite:///path/graph.db or neo4j://host:7687.")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The store to copy into (created if it is a new SQLite file).")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Records per transaction.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary line.")
@click.option("--accounts-only", is_flag=True,
              help="Copy only accounts, API tokens and the audit log (after an offline Neo4j import).")
def migrate_command(source_url: str, target_url: str, batch: int, quiet: bool, accounts_only: bool) -> None:
    """Copy every node, relationship, tie event and change-log entry from one store to another.

    Safe to run again: what the target already holds is left as it is, so a second run changes
    nothing. Neo4j user and password come from GRAPHSVC_NEO4J_USER / GRAPHSVC_NEO4J_PASSWORD.
    """
    bar = ProgressBars(quiet)
    stores: list[GraphStore] = []
    try:
        stores.append(open_graph_store(url=source_url, create=False))
        stores.append(open_graph_store(url=target_url))
        if accounts_only:
            added = migrate_accounts(stores[0], stores[1])
            click.echo(f"Copied {added['users']} new accounts, {added['tokens']} new API tokens and "
                       f"{added['audit']} new audit entries.")
            return
        report = migrate(stores[0], stores[1], progress=bar, batch=batch)
    except GraphsvcError as exc:
        bar.close()
        click.echo(f"Error: {exc.message}", err=True)
        click.get_current_context().exit(1)
    finally:
        for store in stores:
            store.close()
    bar.close()
    click.echo(report.summary())
