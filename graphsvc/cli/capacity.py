"""``graphsvc capacity <id>``: an organisation's capacity profile over time, as a table or JSON.

The profile is confidential; the CLI is run by whoever administers the store.
"""

from __future__ import annotations

import json
from typing import Any

import click

from graphsvc.snapshot import Snapshot

__all__ = ["capacity", "COMMANDS", "history_lines"]

#: How many assessments the table shows side by side (the newest ones).
COLUMNS = 5


def _change(value: int | None) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else "=" if value == 0 else str(value)


def history_lines(report: dict[str, Any], lang: str = "nl") -> list[str]:
    """The report of :func:`queries.coach_overview.capacity_report` as lines of text.

    Examples
    --------
    >>> report = {"organisation": {"id": "o", "name": "O"}, "assessments": [
    ...     {"id": "b", "date": "2024-06-01", "scores": {"governance": 3}},
    ...     {"id": "a", "date": "2024-01-01", "scores": {"governance": 2}}],
    ...     "profile": [{"dimension": "governance", "name_nl": "Bestuur", "name_en": "Governance",
    ...                  "change": 1, "note": ""}], "proposed_needs": []}
    >>> print("\\n".join(history_lines(report)))
    O (o)
    2 beoordelingen, laatste op 2024-06-01
    <BLANKLINE>
                              2024-01-01  2024-06-01  verschil
    Bestuur                            2           3        +1
    """
    en = lang == "en"
    org = report["organisation"]
    shown = list(reversed(report["assessments"][:COLUMNS]))
    lines = [f"{org['name']} ({org['id']})"]
    if not shown:
        lines.append("No capacity assessment yet." if en else "Nog geen capaciteitsbeoordeling.")
        return lines
    total, latest = len(report["assessments"]), report["assessments"][0]["date"] or "?"
    lines += [f"{total} assessment(s), latest on {latest}" if en
              else f"{total} beoordelingen, laatste op {latest}", ""]
    lines.append(" " * 24 + "".join(f"{a['date'] or '?':>12}" for a in shown)
                 + f"{'change' if en else 'verschil':>10}")
    for dim in report["profile"]:
        name = dim["name_en"] if en else dim["name_nl"]
        scores = "".join(f"{a['scores'].get(dim['dimension'], '-'):>12}" for a in shown)
        lines.append(f"{name[:24]:<24}{scores}{_change(dim['change']):>10}")
    for need in report["proposed_needs"]:
        what = need["name_en"] if en else need["name_nl"]
        lines.append(f"Proposed need: {what} (score {need['score']})" if en
                     else f"Voorgestelde behoefte: {what} (score {need['score']})")
    return lines


@click.command("capacity")
@click.argument("organisation_id")
@click.option("--lang", default="nl", show_default=True, type=click.Choice(["nl", "en"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's answer).")
@click.pass_context
def capacity(ctx: click.Context, organisation_id: str, lang: str, as_json: bool) -> None:
    """An organisation's capacity assessments, the change per dimension and proposed needs."""
    from graphsvc.cli.context import open_graph_store, vocabulary
    from queries.coach_overview import capacity_report

    snap = Snapshot.from_store(open_graph_store(ctx))
    report = capacity_report(snap, organisation_id, vocabulary(ctx))
    if as_json:
        click.echo(json.dumps({"ok": True, **report}, ensure_ascii=False, indent=2))
        return
    for line in history_lines(report, lang):
        click.echo(line)


COMMANDS = (capacity,)
