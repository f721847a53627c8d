"""Read CSV and XLSX files into plain tables of text, whatever their encoding or delimiter.

CSV: UTF-8, UTF-8 with BOM, UTF-16 with BOM, or Windows-1252 (cp1252, what Excel on Windows
writes; read with a warning); comma, semicolon or tab. XLSX: every sheet, formulas kept as their
text (``=SUM(A1)``) so the importer can refuse them. Every cell comes out as text: numbers
without a trailing ``.0``, dates as ``yyyy-mm-dd``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import pandas as pd

from graphsvc.errors import ImportFailed
from importers.limits import Limits
from importers.report import Problems

__all__ = ["Table", "read_csv_table", "read_xlsx_tables", "decode_text", "cell_text", "is_xlsx"]


@dataclass
class Table:
    """One sheet or CSV file: its name, header and rows (row number as the user sees it, cells)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def is_xlsx(path: Path) -> bool:
    """True when the file is an Excel workbook (a zip with ``xl/``), whatever its name."""
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.startswith("xl/") for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def decode_text(raw: bytes, problems: Problems, sheet: str = "") -> str | None:
    """The text of a CSV file, or None after recording why it cannot be read.

    Examples
    --------
    >>> p = Problems("a.csv")
    >>> decode_text("naam\\nCafé".encode("cp1252"), p), p.warnings[0].message_en[:36]
    ('naam\\nCafé', 'The file is not UTF-8; it was read a')
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                _undecodable(raw, exc.start, problems, sheet, encoding)
                return None
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        problems.error(sheet, line, str(column),
                       "Dit bestand bevat nul-bytes: het is binair of UTF-16 zonder BOM. Sla het op "
                       "als CSV UTF-8.", "This file contains NUL bytes: it is binary or UTF-16 "
                       "without a BOM. Save it as CSV UTF-8.")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        _undecodable(raw, exc.start, problems, sheet, "cp1252")
        return None
    problems.warn(sheet, None, "", "Het bestand is geen UTF-8; het is gelezen als Windows-1252 (cp1252). "
                  "Controleer letters met accenten.", "The file is not UTF-8; it was read as "
                  "Windows-1252 (cp1252). Check accented letters.")
    return text


def _undecodable(raw: bytes, offset: int, problems: Problems, sheet: str, encoding: str) -> None:
    line, column = _position(raw, offset)
    problems.error(sheet, line, str(column),
                   f"Onleesbaar teken (byte 0x{raw[offset]:02x}): het bestand is geen UTF-8 en geen "
                   "Windows-1252. Sla het op als CSV UTF-8.",
                   f"Unreadable character (byte 0x{raw[offset]:02x}): the file is neither UTF-8 nor "
                   f"Windows-1252 ({encoding} failed). Save it as CSV UTF-8.")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text.

    Examples
    --------
    >>> cell_text(12345678.0), cell_text(None), cell_text(date(2024, 3, 1)), cell_text(" a ")
    ('12345678', '', '2024-03-01', 'a')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_BAD_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_csv_table(path: Path, name: str, problems: Problems, limits: Limits) -> Table | None:
    """Read one CSV file; None (with errors recorded) when it cannot be read."""
    raw = path.read_bytes()
    if not raw.strip():
        problems.error(name, 1, "", "Het bestand is leeg.", "The file is empty.")
        return None
    text = decode_text(raw, problems, name)
    if text is None:
        return None
    try:
        # header=None: the header row sets the width, so a longer row is an error, not an index
        frame = pd.read_csv(io.StringIO(text), sep=_delimiter(text), dtype=str, keep_default_na=False,
                            skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL, header=None,
                            index_col=False)
    except pd.errors.ParserError as exc:
        match = _BAD_LINE.search(str(exc))
        row = int(match.group(2)) if match else None
        problems.error(name, row, "", "Deze rij heeft meer cellen dan de kopregel (verkeerd "
                       "scheidingsteken of een losse komma?).", "This row has more cells than the "
                       "header (wrong delimiter or a stray comma?).")
        return None
    except pd.errors.EmptyDataError:
        problems.error(name, 1, "", "Het bestand is leeg.", "The file is empty.")
        return None
    limits.check_rows(name, len(frame) - 1)
    rows = frame.itertuples(index=False, name=None)
    table = Table(name, [cell_text(c) for c in next(rows)])
    for i, values in enumerate(rows):
        cells = [cell_text(v) for v in values]
        for column, cell in zip(table.header, cells, strict=False):
            if len(cell) > limits.max_cell_chars:
                problems.error(name, i + 2, column, f"Deze cel is {len(cell):,} tekens lang; de grens "
                               f"is {limits.max_cell_chars:,}.", f"This cell is {len(cell):,} characters "
                               f"long; the limit is {limits.max_cell_chars:,}.")
                cells = [c[:limits.max_cell_chars] for c in cells]  # reported: keep no giant copy
        table.rows.append((i + 2, cells))
    return table


def _sheet_table(sheet: Any, file: str, limits: Limits) -> Table | None:
    """One sheet, streamed: rows counted as they come, never from the declared ``<dimension>``."""
    sheet.reset_dimensions()  # a wrong A1:B2 would drop rows; a huge one would pad every row
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return None
    table = Table(sheet.title, [cell_text(c) for c in header])
    width = len(table.header)
    name = f"{file} ({sheet.title})"
    for i, values in enumerate(rows):
        if i >= limits.max_rows:
            limits.check_rows(name, i + 1)
        cells = [cell_text(v) for v in values[:width]]
        table.rows.append((i + 2, cells + [""] * (width - len(cells))))
    return table


def read_xlsx_tables(path: Path, file: str, problems: Problems, limits: Limits) -> list[Table]:
    """Read every sheet of a workbook; formulas come out as their text."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError):
        raise ImportFailed(f"{file} is not a readable Excel workbook (.xlsx). / "
                           f"{file} is geen leesbaar Excel-werkboek (.xlsx).") from None
    tables = []
    try:
        for sheet in book.worksheets:
            table = _sheet_table(sheet, file, limits)
            if table is not None:
                tables.append(table)
    finally:
        book.close()
    return tables
