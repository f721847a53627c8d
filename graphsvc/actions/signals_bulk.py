"""Signals in bulk: a CSV template filled in after a meeting, checked row by row, written at once.

Columns (:data:`COLUMNS`): ``organisation`` (id), ``theme`` (interest id), ``areas`` (codes or
ids, separated by ``,`` ``;`` or ``|``), ``community`` (optional id), ``people`` (band), ``period``
(YYYY-MM), ``trend`` and ``note`` (optional; no personal data). Every row is checked first and
every problem is reported with its row and column; only a file without problems is written, in
one transaction, so nothing is half-written.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date
from typing import Final

from graphsvc.actions.signals import SignalInput, parse_signal, write_signal
from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore

__all__ = ["COLUMNS", "template_csv", "read_signal_rows", "import_signals"]

COLUMNS: Final = ("organisation", "theme", "areas", "community", "people", "period", "trend", "note")
MAX_ROWS: Final = 2000


def template_csv(example_month: str, note_hint: str) -> str:
    """The template: the header and one example row.

    Examples
    --------
    >>> template_csv("2026-03", "Geen namen").splitlines()[0]
    'organisation,theme,areas,community,people,period,trend,note'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(("org-id", "eenzaamheid", "WK0363FC", "", "5-19", example_month, "growing", note_hint))
    return out.getvalue()


def _rows(text: str, name: str) -> list[dict[str, str]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("organisation", "theme", "areas", "people", "period", "trend") if c not in header]
    if missing:
        raise InvalidInput(f"{name}: the header lacks the column(s) {', '.join(missing)}; "
                           f"use the template ({', '.join(COLUMNS)}).")
    rows = []
    for raw in reader:
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if any(row.values()):
            rows.append(row)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"{name}: more than {MAX_ROWS} rows; split the file.")
    return rows


def read_signal_rows(snapshot: Snapshot, text: str, *, name: str = "signals.csv",
                     may_record_for: Callable[[str], bool] = lambda org: True,
                     today: date | None = None) -> list[tuple[str, SignalInput]]:
    """Check every row; return ``(organisation, signal)`` pairs, or raise InvalidInput listing
    every problem as ``<file>, row <n>, column <name>: …`` (row 1 is the header).

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("o1", "Organisation", {"name": "A"})], [], []))
    >>> rows = "organisation,theme,areas,people,period,trend\\no1,x,E,5-19,2026-01,new\\n"
    >>> read_signal_rows(snap, rows)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graphsvc.errors.InvalidInput: signals.csv: 2 problem(s); nothing was recorded. ...
    """
    problems: list[str] = []
    out = []
    for number, row in enumerate(_rows(text, name), start=2):
        org = row.get("organisation", "")
        node = snapshot.nodes.get(org)
        if node is None or node.label != "Organisation":
            problems.append(f"{name}, row {number}, column organisation: there is no organisation {org[:40]!r}.")
        elif not may_record_for(org):
            problems.append(f"{name}, row {number}, column organisation: you may not record signals for {org!r}.")
        try:
            out.append((org, parse_signal(snapshot, row, today=today)))
        except InvalidInput as exc:
            problems += [f"{name}, row {number}, column {line}" for line in exc.errors]
    if problems:
        raise InvalidInput(f"{name}: {len(problems)} problem(s); nothing was recorded. {problems[0]}",
                           errors=problems)
    return out


def import_signals(store: GraphStore, snapshot: Snapshot, text: str, *, name: str = "signals.csv",
                   may_record_for: Callable[[str], bool] = lambda org: True, source: str = "signals:bulk",
                   today: date | None = None) -> int:
    """Check the whole file, then write every signal in one transaction; return how many."""
    rows = read_signal_rows(snapshot, text, name=name, may_record_for=may_record_for, today=today)
    with store.transaction(source=source) as tx:
        for org, signal in rows:
            write_signal(tx, f"sig-{uuid.uuid4().hex[:16]}", org, signal)
    return len(rows)
