"""``graphsvc migrate --from URL --to URL``: copy a whole graph between stores, with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

import click

from graphsvc.config import Settings, load_settings
from graphsvc.errors import GraphsvcError
from graphsvc.migrate import migrate
from graphsvc.store import GraphStore, open_store

__all__ = ["migrate_command", "ProgressBars"]


def _settings() -> Settings:
    ctx = click.get_current_context()
    obj = ctx.find_object(dict)
    if obj and isinstance(obj.get("settings"), Settings):
        return obj["settings"]
    return load_settings()


class ProgressBars:
    """One click progress bar per stage, fed by :func:`graphsvc.migrate.migrate`'s callback."""

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
def migrate_command(source_url: str, target_url: str, batch: int, quiet: bool) -> None:
    """Copy every node, relationship, tie event and change-log entry from one store to another.

    Safe to run again: what the target already holds is left as it is, so a second run changes
    nothing. Neo4j user and password come from GRAPHSVC_NEO4J_USER / GRAPHSVC_NEO4J_PASSWORD.
    """
    bar = ProgressBars(quiet)
    stores: list[GraphStore] = []
    try:
        settings = _settings()
        stores.append(open_store(source_url, settings, create=False))
        stores.append(open_store(target_url, settings))
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
