"""``graphsvc backup FILE`` and ``graphsvc restore FILE``: the whole store in one checked file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graphsvc.actions.backup import backup, dated_name, restore, rotate
from graphsvc.cli.context import open_graph_store
from graphsvc.cli.migrate import ProgressBars
from graphsvc.store import GraphStore

__all__ = ["COMMANDS"]


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--into", "folder", type=click.Path(file_okay=False), default=None,
              help="Write a dated file into this folder instead of FILE, then apply the rotation.")
@click.option("--keep-daily", default=7, show_default=True, type=click.IntRange(1, 3650),
              help="With --into: keep the newest backup of this many recent days.")
@click.option("--keep-weekly", default=4, show_default=True, type=click.IntRange(0, 520),
              help="With --into: and the newest of this many recent weeks.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary line.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def backup_command(file: str | None, folder: str | None, keep_daily: int, keep_weekly: int,
                   quiet: bool, as_json: bool) -> None:
    """Back up the store in use (graph, history, accounts) into FILE, online: the app may keep serving.

    FILE is a compressed file with a manifest (counts, checksums). Restore it with
    `graphsvc restore FILE` into an empty store of either kind. For scheduled backups use
    `--into DIR`: a file named by the date and time, and older ones rotated away.
    """
    if (file is None) == (folder is None):
        raise click.UsageError("Give either FILE or --into DIR.")
    target = Path(folder) / dated_name() if folder else Path(str(file))
    if folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    bars = ProgressBars(quiet)
    store = open_graph_store(create=False)
    try:
        manifest = backup(store, target, progress=bars)
    finally:
        bars.close()
        store.close()
    deleted = rotate(target.parent, keep_daily=keep_daily, keep_weekly=keep_weekly) if folder else []
    if as_json:
        click.echo(json.dumps({**manifest.as_dict(), "file": str(target),
                               "rotated_away": [str(p) for p in deleted]}, indent=2, ensure_ascii=False))
    else:
        click.echo(f"Backed up {manifest.summary()} to {target}.")
        if deleted:
            click.echo(f"Rotated away {len(deleted)} older backups.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "target_url", metavar="URL", default=None,
              help="The empty store to restore into (default: the store in use).")
@click.option("--check", is_flag=True, help="Only check the file (manifest, checksums, counts).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary line.")
def restore_command(file: str, target_url: str | None, check: bool, quiet: bool) -> None:
    """Restore a backup FILE into an empty store: SQLite or Neo4j, whichever it came from.

    The file is checked completely first; a damaged or foreign file, or a store that already
    holds data, is refused with nothing written.
    """
    if check:
        from graphsvc.actions.backup import unpacked

        with unpacked(file) as (manifest, _):
            click.echo(f"{file} is a complete backup: {manifest.summary()}.")
        return
    bars = ProgressBars(quiet)
    opened: list[GraphStore] = []

    def target() -> GraphStore:  # opened (a new SQLite file created) only once the file passed
        opened.append(open_graph_store(url=target_url))
        return opened[0]

    try:
        report = restore(file, target, progress=bars)
    finally:
        bars.close()
        for store in opened:
            store.close()
    click.echo(report.summary())


COMMANDS = [backup_command, restore_command]
