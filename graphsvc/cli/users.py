"""``graphsvc user …``: accounts, tokens, invitations and sessions, kept in the graph store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from graphsvc.access.accounts import AccountStore
from graphsvc.cli.context import open_graph_store, settings

__all__ = ["user"]

ROLES = ["member", "coach", "funder", "admin"]


@contextmanager
def _accounts(ctx: click.Context) -> Iterator[AccountStore]:
    from graphsvc.access.accounts_transfer import take_over_accounts_file

    current = settings(ctx)
    store = open_graph_store(ctx)
    try:
        accounts = AccountStore(store)
        take_over_accounts_file(accounts.records, current.accounts_path)
        yield accounts
    finally:
        store.close()


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def user() -> None:
    """Manage accounts (roles: member, coach, funder, admin)."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "organisations", multiple=True,
              help="Organisation id a member belongs to or a coach coaches (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, organisations: tuple[str, ...],
             password_stdin: bool) -> None:
    """Create an account; asks for the password (never pass it as an argument)."""
    password = _password(password_stdin)
    with _accounts(ctx) as accounts:
        created = accounts.add_user(username, password, role, list(organisations))
    click.echo(f"Created {created.role} account {created.username!r}.")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List the accounts and their roles."""
    with _accounts(ctx) as accounts:
        for u in accounts.users():
            orgs = ", ".join(sorted(u.organisations))
            click.echo(f"{u.username:<24}{u.role:<8}{'disabled ' if u.disabled else ''}{orgs}")


@user.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True)
@click.pass_context
def user_token(ctx: click.Context, username: str, name: str) -> None:
    """Create an API token for a user (shown once; only its hash is stored)."""
    with _accounts(ctx) as accounts:
        click.echo(accounts.create_token(accounts.by_name(username).id, name))


@user.command("invite")
@click.option("--org", "organisation", required=True, help="The organisation the person joins.")
@click.option("--role", default="member", show_default=True, type=click.Choice(["member", "coach", "funder"]))
@click.option("--base-url", default="", help="The site's address, to print a whole link.")
@click.pass_context
def user_invite(ctx: click.Context, organisation: str, role: str, base_url: str) -> None:
    """Invite a person: prints a one-time link, valid 7 days, to set a user name and password."""
    from graphsvc.access.invitations import invite

    store = open_graph_store(ctx)
    try:
        code = invite(AccountStore(store), store, organisation, role, "cli")
    finally:
        store.close()
    click.echo(f"{base_url.rstrip('/')}/invitation/{code}")


@user.command("disable")
@click.argument("username")
@click.pass_context
def user_disable(ctx: click.Context, username: str) -> None:
    """Disable an account: it cannot log in, its sessions end and its tokens are refused."""
    with _accounts(ctx) as accounts:
        accounts.update(username, disabled=True)
    click.echo(f"Disabled {username!r}; its sessions have ended.")


@user.command("enable")
@click.argument("username")
@click.pass_context
def user_enable(ctx: click.Context, username: str) -> None:
    """Enable a disabled account again."""
    with _accounts(ctx) as accounts:
        accounts.update(username, disabled=False)
    click.echo(f"Enabled {username!r}.")


@user.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.pass_context
def user_reset_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a new password (at least 10 characters); the account's sessions end."""
    password = _password(password_stdin)
    with _accounts(ctx) as accounts:
        accounts.set_password(username, password)
    click.echo(f"New password set for {username!r}; its sessions have ended.")


@user.command("revoke-tokens")
@click.argument("username")
@click.pass_context
def user_revoke_tokens(ctx: click.Context, username: str) -> None:
    """Revoke every API token of an account (refused at once by every app server)."""
    with _accounts(ctx) as accounts:
        count = accounts.revoke_tokens(accounts.by_name(username).id)
    click.echo(f"Revoked {count} API token(s) of {username!r}.")


@user.command("logout-all")
@click.argument("username")
@click.pass_context
def user_logout_all(ctx: click.Context, username: str) -> None:
    """End every login session of an account."""
    with _accounts(ctx) as accounts:
        count = accounts.end_sessions(accounts.by_name(username).id)
    click.echo(f"Ended {count} session(s) of {username!r}.")
