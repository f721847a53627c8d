"""Import the Goudkaart spreadsheet templates: one XLSX workbook, one CSV file, or a folder of CSVs.

Every row of every sheet is checked and every error collected (file, sheet, row, column, in
Dutch and English) before anything is written. Rows whose first cell starts with ``#`` are
notes or examples and are skipped; multi-value cells separate values with ``|``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphsvc.node_props import risk_word
from graphsvc.vocab import Vocabulary, load_vocabulary
from importers.batch import ImportBatch, Where
from importers.cells import looks_like_formula
from importers.limits import CLI_LIMITS, Limits
from importers.tables import Table, is_xlsx, read_csv_table, read_xlsx_tables
from importers.tabular_rows import RowReader
from importers.template_spec import COMMENT, IGNORED_SHEETS, SHEETS, Column, Sheet, sheet_named

__all__ = ["read_tabular", "read_tables", "guess_sheet"]

_ORDER = {sheet.name: i for i, sheet in enumerate(
    sorted(SHEETS, key=lambda s: (not s.label, s.name != "areas")))}


def read_tables(path: Path, file: str, batch: ImportBatch, limits: Limits) -> list[Table]:
    """The tables of an XLSX workbook, one CSV file, or every CSV file in a folder."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        tables = [read_csv_table(p, p.stem, batch.problems, limits) for p in files]
        return [t for t in tables if t is not None]
    if is_xlsx(path):
        return read_xlsx_tables(path, file, batch.problems, limits)
    table = read_csv_table(path, Path(file).stem, batch.problems, limits)
    return [table] if table is not None else []


def guess_sheet(table: Table) -> Sheet | None:
    """The template sheet a table is: by its name, else by its columns.

    Examples
    --------
    >>> guess_sheet(Table("export", ["actor_a", "actor_b", "rung"])).name
    'ties'
    """
    named = sheet_named(table.name)
    if named is not None:
        return named
    header = [h for h in table.header if h]
    fits = []
    for sheet in SHEETS:
        known = [sheet.column(h) for h in header]
        required = {c.name for c in sheet.columns if c.required}
        if required <= {c.name for c in known if c is not None}:
            fits.append((sum(c is not None for c in known), sheet))
    fits.sort(key=lambda pair: -pair[0])
    if fits and (len(fits) == 1 or fits[0][0] > fits[1][0]):
        return fits[0][1]
    return None


def read_tabular(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS,
                 vocab: Vocabulary | None = None) -> ImportBatch:
    """Read template sheets into an import batch, collecting every row error.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "ties.csv"
    >>> _ = p.write_text("actor_a,actor_b,rung\\nA,B,7\\n", encoding="utf-8")
    >>> print(read_tabular(p).problems.errors[0].text("en"))
    ties.csv, sheet ties, row 2, column rung: Rung '7' does not exist; choose 1 to 5 (1 kennen, 2 ontmoeten, 3 afstemmen, 4 samenwerken, 5 samen agenderen).
    """
    source = Path(path)
    file = name or source.name
    limits.check_size(source, file)
    batch = ImportBatch(file, "tabular", loose_refs=True, prop_columns={"weight": "interests"})
    reader = RowReader(batch, vocab or load_vocabulary())
    tables = read_tables(source, file, batch, limits)
    sheets: list[tuple[Table, Sheet]] = []
    for table in tables:
        sheet = _sheet_for(batch, table)
        if sheet is not None:
            sheets.append((table, sheet))
    if not sheets and not batch.problems.has_errors:
        batch.error(Where(), "Dit bestand bevat geen gegevens in de vorm van het sjabloon.",
                    "This file holds no data in the shape of the template.")
    for table, sheet in sorted(sheets, key=lambda pair: _ORDER[pair[1].name]):
        columns = _columns(batch, table, sheet)
        if columns is not None:
            _read_rows(batch, reader, table, sheet, columns)
    return batch


def _sheet_for(batch: ImportBatch, table: Table) -> Sheet | None:
    if table.name.strip().lower() in IGNORED_SHEETS:
        return None
    if not any(h for h in table.header) and not table.rows:
        return None
    sheet = guess_sheet(table)
    if sheet is None:
        names = ", ".join(s.name for s in SHEETS)
        batch.error(Where(table.name, 1),
                    f"Onbekend blad: noem het blad of bestand naar het sjabloon ({names}) of gebruik "
                    "de kolomnamen van het sjabloon.",
                    f"Unknown sheet: name the sheet or file after the template ({names}) or use the "
                    "template's column names.")
    return sheet


def _columns(batch: ImportBatch, table: Table, sheet: Sheet) -> list[Column | None] | None:
    """The template column of each header cell; None when a required column is missing."""
    columns: list[Column | None] = []
    seen: dict[str, int] = {}
    ok = True
    for i, header in enumerate(table.header):
        column = sheet.column(header) if header else None
        if header and column is None and risk_word(header):
            ok = False
            batch.error(Where(table.name, 1, header),
                        f"Goudkaart bestempelt organisaties niet als risico of fraude; verwijder de "
                        f"kolom {header!r}.", "Goudkaart does not label organisations as a risk or a "
                        f"fraud; remove the column {header!r}.")
        elif header and column is None:
            batch.warn(Where(table.name, 1, header),
                       f"Kolom {header!r} hoort niet bij het sjabloon en is overgeslagen.",
                       f"Column {header!r} is not part of the template and was skipped.")
        if column is not None and column.name in seen:
            batch.error(Where(table.name, 1, header), f"Kolom {column.name!r} staat er twee keer in.",
                        f"Column {column.name!r} appears twice.")
            ok = False
        if column is not None:
            seen[column.name] = i
        columns.append(column)
    for column in sheet.columns:
        if column.required and column.name not in seen:
            batch.error(Where(table.name, 1, column.name),
                        f"De verplichte kolom {column.name!r} ontbreekt.",
                        f"The required column {column.name!r} is missing.")
            ok = False
    return columns if ok else None


def _read_rows(batch: ImportBatch, reader: RowReader, table: Table, sheet: Sheet,
               columns: list[Column | None]) -> None:
    for row, cells in table.rows:
        filled = [c for c in cells if c]
        if not filled:
            continue
        if filled[0].startswith(COMMENT) and cells[0].startswith(COMMENT):
            batch.skipped_rows += 1
            continue
        values = _row_values(batch, reader, sheet, columns, cells, Where(sheet.name, row))
        if values is not None:
            reader.read(sheet, values, Where(sheet.name, row))


def _row_values(batch: ImportBatch, reader: RowReader, sheet: Sheet, columns: list[Column | None],
                cells: list[str], where: Where) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    errors = batch.problems.error_count
    for column, text in zip(columns, cells, strict=False):
        if column is None or not text:
            continue
        if looks_like_formula(text):
            batch.error(where.at(column.name),
                        "Deze cel lijkt een spreadsheetformule (begint met = + - of @); Goudkaart "
                        "neemt geen formules over. Haal het teken aan het begin weg.",
                        "This cell looks like a spreadsheet formula (starts with = + - or @); "
                        "Goudkaart does not import formulas. Remove the leading sign.")
            continue
        values[column.name] = reader.cell(column, text, where)
    for column in sheet.columns:
        if column.required and column.name not in values:
            batch.error(where.at(column.name), "Deze verplichte cel is leeg.",
                        "This required cell is empty.")
    if batch.problems.error_count > errors:
        if values.get("id"):
            batch.failed_ids.add(str(values["id"]))
        if values.get("name"):
            batch.failed_ids.add(str(values["name"]))
        return None
    return values
