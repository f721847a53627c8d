"""The ``graphsvc`` command line: errors are one clean line and exit code 1, never a traceback."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Any

import click

from graphsvc.cli.context import open_graph_store, settings
from graphsvc.config import load_settings
from graphsvc.errors import GraphsvcError
from graphsvc.store.base import acting_as

__all__ = ["main", "cli"]


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraphsvcError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            for line in exc.errors[:50]:
                click.echo(f"  - {line}", err=True)
            if len(exc.errors) > 50:
                click.echo(f"  … and {len(exc.errors) - 50} more", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_url", envvar="GRAPHSVC_STORE", default=None,
              help="Store URL (sqlite:///path or neo4j://host:7687); default: a file in your user data folder.")
@click.pass_context
def cli(ctx: click.Context, store_url: str | None) -> None:
    """Goudkaart: map who works on what, where, with whom and funded by whom."""
    ctx.ensure_object(dict)
    ctx.obj["settings"] = load_settings(store=store_url)
    # the change log names who made each change: the operating-system user at this terminal
    ctx.with_resource(acting_as(f"cli:{_os_user()}"))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no entry in the password database
        return "unknown"


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store (if needed) and check that it answers."""
    store = open_graph_store(ctx)
    click.echo(f"Store ready: {store.url} (revision {store.revision()})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Only load the demo data.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Load the demo neighbourhood into the store if it is empty, then serve the app."""
    from graphsvc.demo.dataset import load_demo

    store = open_graph_store(ctx)
    if load_demo(store, only_if_empty=True):
        click.echo(f"Loaded the demo neighbourhood into {store.url}.")
    else:
        click.echo(f"The store {store.url} already holds data; serving it as it is.")
    if not no_serve:
        _serve(ctx, host, port, workers=2)


def _serve(ctx: click.Context, host: str, port: int, workers: int, preload: bool | None = None) -> None:
    from graphsvc.web import create_app
    from graphsvc.web.serving import serve_app

    current = settings(ctx)
    open_graph_store(ctx).close()  # fail here, with one clean line, if the store cannot be opened
    click.echo(f"Goudkaart is running at http://{host}:{port}/  (Ctrl+C stops it)")
    shared = workers > 1 if preload is None else preload
    serve_app(lambda: create_app(current), host, port, workers=workers,
              preload=current if shared else None)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--preload/--no-preload", default=None, envvar="GRAPHSVC_PRELOAD",
              help="Build the snapshot once, before the workers start, so they share its memory "
                   "(default: on with more than one worker).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, preload: bool | None) -> None:
    """Serve the web app and API with a production WSGI server."""
    _serve(ctx, host, port, workers, preload)


@cli.command()
@click.option("--orgs", default=1000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write a JSON dump to this file instead of into the store.")
@click.pass_context
def generate(ctx: click.Context, orgs: int, seed: int, out: str | None) -> None:
    """Generate a synthetic network of the demo's shape at any size (deterministic by seed).

    Records stream into the store or the file (memory stays flat, also at a million
    organisations); a progress bar shows on a terminal.
    """
    from graphsvc import generate as gen
    from graphsvc.cli.data import _progress

    lang = settings(ctx).default_language
    if out:
        with _progress(lang) as progress:
            gen.write_json(out, orgs, seed=seed, progress=progress)
        click.echo(f"Wrote a generated graph of {orgs} organisations to {out}.")
        return
    store = open_graph_store(ctx)
    with _progress(lang) as progress:
        gen.write_generated(store, orgs, seed=seed, progress=progress)
    click.echo(f"Wrote a generated graph of {orgs} organisations into {store.url}.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of nodes by label and relationships by type."""
    store = open_graph_store(ctx)
    counts = store.counts()
    if as_json:
        click.echo(json.dumps({"revision": store.revision(), **counts}, indent=2))
        return
    click.echo(f"Store {store.url}, revision {store.revision()}")
    for title, key in (("Nodes", "nodes"), ("Relationships", "relationships")):
        click.echo(f"{title}:")
        for name, n in sorted(counts[key].items()):
            click.echo(f"  {name:<16}{n:>10,}")


@cli.command("get")
@click.argument("path")
@click.option("--token", envvar="GRAPHSVC_TOKEN", default=None,
              help="An API token (graphsvc user token NAME); default: $GRAPHSVC_TOKEN, else anonymous.")
@click.pass_context
def get(ctx: click.Context, path: str, token: str | None) -> None:
    """Run one GET request against the app without a server and print the response.

    Without a token the answer is what an anonymous visitor gets (most of the API then says 401).
    """
    from graphsvc.web import create_app

    app = create_app(settings(ctx).with_overrides(testing=True))
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = app.test_client().get(path, headers=headers)
    click.echo(response.get_data(as_text=True))
    if response.status_code >= 400:
        ctx.exit(1)


# commands of the user jobs live in their own modules; register them below
# (cli.add_command(...))
from graphsvc.cli.coach import match  # noqa: E402 - coach: partner matches

cli.add_command(match)

from graphsvc.cli import meeting as cli_meeting  # noqa: E402 - meeting: islands, agenda

for _command in cli_meeting.COMMANDS:
    cli.add_command(_command)

from graphsvc.cli import data as cli_data  # noqa: E402 - data: import, export (all formats incl. html), template, merge

for _command in cli_data.COMMANDS:
    cli.add_command(_command)

from graphsvc.cli import funders as cli_funders  # noqa: E402 - funders: clusters [--json]

for _command in cli_funders.COMMANDS:
    cli.add_command(_command)

from graphsvc.cli import capacity as cli_capacity  # noqa: E402 - coach: capacity <id> [--json]

for _command in cli_capacity.COMMANDS:
    cli.add_command(_command)

from graphsvc.cli import privacy as cli_privacy  # noqa: E402 - privacy: export|erase --person NAME_OR_EMAIL

for _command in cli_privacy.COMMANDS:
    cli.add_command(_command)

from graphsvc.cli import doctor as cli_doctor  # noqa: E402 - doctor [--fix] [--purge-log], compact

for _command in cli_doctor.COMMANDS:
    cli.add_command(_command)


from graphsvc.cli.migrate import migrate_command  # noqa: E402 - copy between any two stores

cli.add_command(migrate_command)

from graphsvc.cli import backup as cli_backup  # noqa: E402 - backup FILE, restore FILE

for _command in cli_backup.COMMANDS:
    cli.add_command(_command)

from graphsvc.cli.users import user  # noqa: E402 - accounts, invitations, sessions (in the store)

cli.add_command(user)

from graphsvc.cli.signals import signals_group  # noqa: E402 - early signals: bulk and aggregates

cli.add_command(signals_group)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``graphsvc`` console script."""
    try:
        cli.main(args=argv, prog_name="graphsvc", standalone_mode=True)
    except GraphsvcError as exc:  # raised while parsing options, before a command runs
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)

