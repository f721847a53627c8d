"""``graphsvc privacy export|erase --person NAME_OR_EMAIL``: a contact person's personal data."""

from __future__ import annotations

import json

import click

from graphsvc.access.audit import AuditLog
from graphsvc.actions.privacy import erase_person, export_person, find_in_history, find_person
from graphsvc.cli.context import open_graph_store

__all__ = ["privacy", "COMMANDS"]


def _audit(ctx: click.Context, action: str, person: str, targets: list[str]) -> None:
    store = open_graph_store(ctx)
    try:
        log = AuditLog(store)
        for target in targets or ["-"]:
            log.record("cli", "admin", action, target, ["contact_persons"], f"person: {person}")
    finally:
        store.close()


@click.group()
def privacy() -> None:
    """Export or erase a contact person's personal data (AVG/GDPR)."""


@privacy.command("export")
@click.option("--person", required=True, help="Full name or e-mail address.")
@click.pass_context
def export_command(ctx: click.Context, person: str) -> None:
    """Print every contact-list entry of PERSON as JSON."""
    store = open_graph_store(ctx)
    try:
        data = export_person(store, person)
    finally:
        store.close()
    _audit(ctx, "export", person, [r["organisation"]["id"] for r in data["records"]])
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@privacy.command("erase")
@click.option("--person", required=True, help="Full name or e-mail address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def erase_command(ctx: click.Context, person: str, yes: bool) -> None:
    """Remove PERSON from every organisation's contact list and the change log, in one transaction."""
    store = open_graph_store(ctx)
    try:
        found = find_person(store, person)
        history = find_in_history(store, person)
        if not found and not history:
            click.echo(f"No contact person matches {person!r}.")
            return
        names = ", ".join(sorted({r.organisation_name for r in found})) or "-"
        if not yes:
            click.confirm(f"Erase {len(found)} entries ({names}) and {len(history)} in the change "
                          "history?", abort=True)
        removed = erase_person(store, person, source="cli:privacy")
    finally:
        store.close()
    _audit(ctx, "erase", person, sorted({r.organisation_id for r in removed}
                                        | {str(h["organisation"]) for h in history}))
    click.echo(f"Erased {len(removed)} entries of {person!r} ({names}) and {len(history)} in the "
               "change history.")


COMMANDS = [privacy]
