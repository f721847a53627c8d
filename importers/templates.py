"""The spreadsheet templates as files: one XLSX workbook and one CSV per sheet.

Each sheet has the column names in row 1, a note per column in row 2 and a filled example in
row 3; rows 2 and 3 start with ``#`` so importing an untouched template changes nothing.
Remove the ``#`` from the example row to import it, or overwrite it with real data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

from importers.template_spec import COMMENT, SHEETS, Sheet

__all__ = ["template_rows", "template_csv", "template_xlsx", "write_templates", "XLSX_NAME"]

XLSX_NAME: Final = "goudkaart-sjabloon.xlsx"
_README: Final = (
    ("Goudkaart-sjabloon / Goudkaart template", ""),
    ("Eén blad per soort gegevens; rij 1 = kolomnamen, rij 2 = toelichting, rij 3 = voorbeeld.",
     "One sheet per kind of data; row 1 = column names, row 2 = notes, row 3 = example."),
    ("Rijen die met # beginnen worden overgeslagen. Haal # weg om het voorbeeld te importeren.",
     "Rows starting with # are skipped. Remove the # to import the example."),
    ("Meerdere waarden in één cel scheidt u met | (bv. nl|ar|tr).",
     "Separate several values in one cell with | (e.g. nl|ar|tr)."),
    ("Id leeg? Goudkaart maakt er een. Dubbelen worden herkend aan id, KvK-nummer en naam per gebied.",
     "Empty id? Goudkaart makes one. Duplicates are found by id, KvK number and name within an area."),
    ("Thema's en aanbod/behoeften gebruiken de ids uit de woordenlijsten van Goudkaart.",
     "Themes, offers and needs use the ids of Goudkaart's vocabularies."),
)


def template_rows(sheet: Sheet) -> list[list[str]]:
    """Header, notes and example rows of one sheet.

    Examples
    --------
    >>> rows = template_rows(SHEETS[0])
    >>> rows[0][:3], rows[1][0][:1], rows[2][:2]
    (['id', 'name', 'kvk'], '#', ['#org-de-brug', 'Stichting De Brug'])
    """
    header = [c.name for c in sheet.columns]
    notes = [c.note() for c in sheet.columns]
    example = [c.example for c in sheet.columns]
    notes[0] = f"{COMMENT} {notes[0]}"
    example[0] = f"{COMMENT}{example[0]}"
    return [header, notes, example]


def template_csv(sheet: Sheet) -> bytes:
    """One sheet as CSV in UTF-8 with a BOM (so Excel shows accents right)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(template_rows(sheet))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The workbook: a readme sheet, then one sheet per kind with notes as header comments."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    readme = book.active
    assert readme is not None
    readme.title = "toelichting"
    for nl, en in _README:
        readme.append([nl, en])
    readme.append([])
    readme.append(["blad / sheet", "kolom / column", "verplicht / required", "toelichting / notes"])
    for sheet in SHEETS:
        for column in sheet.columns:
            readme.append([sheet.name, column.name, "ja / yes" if column.required else "",
                           f"{column.note_nl} / {column.note_en}"])
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 28
    readme.column_dimensions["D"].width = 90
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        for row in template_rows(sheet):
            ws.append(row)
        for cell, column in zip(ws[1], sheet.columns, strict=True):
            cell.font = Font(bold=True)
            cell.comment = Comment(column.note(), "Goudkaart")
            ws.column_dimensions[cell.column_letter].width = max(14, len(column.example) + 4)
        for cell in ws[2]:
            cell.font = Font(italic=True, color="666666")
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_templates(out_dir: str | Path) -> list[Path]:
    """Write the workbook and one CSV per sheet into ``out_dir``; return the paths written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_templates(tempfile.mkdtemp())][:3]
    ['goudkaart-sjabloon.xlsx', 'organisations.csv', 'institutions.csv']
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / XLSX_NAME]
    written[0].write_bytes(template_xlsx())
    for sheet in SHEETS:
        path = folder / f"{sheet.name}.csv"
        path.write_bytes(template_csv(sheet))
        written.append(path)
    return written
