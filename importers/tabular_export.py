"""Export the map as the spreadsheet templates (CSV files or one XLSX workbook), safe to open.

The export uses the template's sheets and columns, so it can be edited and imported again.
Every text cell passes through :func:`importers.spreadsheet_safety.neutralise_cell` (CSV) or
:func:`~importers.spreadsheet_safety.write_xlsx_row` (XLSX): a name such as ``=HYPERLINK(…)``
reaches the spreadsheet as text, never as a formula. Only what the viewer may see is exported.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphsvc.access.visibility import Viewer
from graphsvc.model import Node, Relationship
from graphsvc.store.base import GraphStore
from importers.graphml import export_records
from importers.spreadsheet_safety import neutralise_row, write_xlsx_row
from importers.template_spec import SHEETS, Sheet

__all__ = ["sheet_rows", "write_csv_export", "write_xlsx_export"]

_LINK_COLUMNS = {"areas": "ACTIVE_IN", "communities": "SERVES", "priorities": "PRIORITISES",
                 "part_of": "PART_OF"}


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return ""
    return value


class _Links:
    """Outgoing relationships per (type, start), with area codes in place of area ids."""

    def __init__(self, nodes: dict[str, Node], rels: list[Relationship]) -> None:
        self.nodes = nodes
        self.out: dict[tuple[str, str], list[Relationship]] = defaultdict(list)
        for rel in rels:
            self.out[(rel.type, rel.start)].append(rel)

    def ref(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        if node is not None and node.label == "Neighbourhood" and node.props.get("code"):
            return str(node.props["code"])
        return node_id

    def targets(self, rel_type: str, start: str) -> list[str]:
        return [self.ref(r.end) for r in self.out.get((rel_type, start), [])]


def _node_rows(sheet: Sheet, nodes: Iterable[Node], links: _Links) -> list[list[Any]]:
    rows = []
    for node in nodes:
        if node.label != sheet.label:
            continue
        row = []
        for column in sheet.columns:
            if column.name == "id":
                row.append(node.id)
            elif column.name in _LINK_COLUMNS:
                row.append("|".join(links.targets(_LINK_COLUMNS[column.name], node.id)))
            else:
                row.append(_cell(node.props.get(column.name)))
        rows.append(row)
    return rows


def _profile_rows(nodes: Iterable[Node], links: _Links) -> list[list[Any]]:
    rows = []
    for node in nodes:
        works = [f"{r.end}:{r.props['weight']}" if r.props.get("weight") else r.end
                 for r in links.out.get(("WORKS_ON", node.id), [])]
        offers, needs = links.targets("OFFERS", node.id), links.targets("NEEDS", node.id)
        if works or offers or needs:
            rows.append([node.id, "|".join(works), "|".join(offers), "|".join(needs)])
    return rows


def sheet_rows(nodes: list[Node], rels: list[Relationship]) -> dict[str, list[list[Any]]]:
    """Header and rows of every template sheet for these records (cells not yet neutralised).

    Examples
    --------
    >>> rows = sheet_rows([Node("o1", "Organisation", {"name": "=1+1"})], [])
    >>> rows["organisations"][1][:2]
    ['o1', '=1+1']
    """
    links = _Links({n.id: n for n in nodes}, rels)
    out: dict[str, list[list[Any]]] = {}
    for sheet in SHEETS:
        header: list[Any] = [c.name for c in sheet.columns]
        if sheet.label:
            body = _node_rows(sheet, nodes, links)
        elif sheet.name == "interests_offers_needs":
            body = _profile_rows(nodes, links)
        elif sheet.name == "ties":
            body = [[r.start, r.end, r.props.get("rung"), r.props.get("since"), r.props.get("note"),
                     r.props.get("declared_by")] for r in rels if r.type == "TIE"]
        else:
            body = [[r.start, r.end, r.key, *(r.props.get(k) for k in
                                             ("amount", "year", "start", "end", "status", "title"))]
                    for r in rels if r.type == "FUNDS"]
        out[sheet.name] = [header, *body]
    return out


def _csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(neutralise_row(row))
    return out.getvalue().encode("utf-8-sig")


def write_csv_export(store: GraphStore, path: str | Path, viewer: Viewer) -> dict[str, int]:
    """Write one CSV per sheet: into a folder, or into a zip when ``path`` ends in ``.zip``.

    Examples
    --------
    >>> import tempfile
    >>> from graphsvc.store import open_store
    >>> from graphsvc.access.visibility import PUBLIC
    >>> out = Path(tempfile.mkdtemp()) / "export.zip"
    >>> write_csv_export(open_store("sqlite:///:memory:"), out, PUBLIC)["organisations"]
    0
    """
    nodes, rels = export_records(store, viewer)
    sheets = sheet_rows(nodes, rels)
    target = Path(path)
    if target.suffix.lower() == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in sheets.items():
                archive.writestr(f"{name}.csv", _csv_bytes(rows))
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, rows in sheets.items():
            (target / f"{name}.csv").write_bytes(_csv_bytes(rows))
    return {name: len(rows) - 1 for name, rows in sheets.items()}


def write_xlsx_export(store: GraphStore, path: str | Path, viewer: Viewer) -> dict[str, int]:
    """Write one workbook with a sheet per kind; text cells can never become formulas."""
    from openpyxl import Workbook

    nodes, rels = export_records(store, viewer)
    sheets = sheet_rows(nodes, rels)
    book = Workbook(write_only=False)
    first = book.active
    if first is not None:
        book.remove(first)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            write_xlsx_row(ws, [_cell(v) for v in row])
    book.save(str(path))
    return {name: len(rows) - 1 for name, rows in sheets.items()}
