"""Spreadsheet formula-injection neutraliser for CSV and XLSX exports (OWASP "CSV injection").

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
a leading tab or carriage return can smuggle one past a naive check. Organisation names and notes
are user text, so a name such as ``=HYPERLINK("http://evil.example","klik")`` must reach a
funder's spreadsheet as text, never as a formula.

* **CSV**: :func:`neutralise_cell` prefixes such a text with a single quote (``'=…``), which every
  spreadsheet program shows as text. Numbers (``int``/``float``) pass unchanged: ``-5`` stays a number.
* **XLSX**: :func:`write_xlsx_row` stores every text as a string cell (openpyxl would otherwise
  store ``=…`` as a formula) and marks the dangerous ones with the cell style's *quote prefix*,
  so they display exactly as written and stay text even after the cell is edited.

The full-width look-alikes (``＝ ＋ － ＠``), which some spreadsheet programs normalise, and a
leading line feed count as dangerous too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

__all__ = [
    "DANGEROUS_PREFIXES",
    "is_dangerous",
    "neutralise_cell",
    "neutralise_row",
    "write_xlsx_row",
]

DANGEROUS_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet could read this text as the start of a formula.

    Examples
    --------
    >>> is_dangerous("=1+1"), is_dangerous("\\t=1"), is_dangerous("Stichting = Samen")
    (True, True, False)
    """
    return text.startswith(DANGEROUS_PREFIXES)


def neutralise_cell(value: Any) -> Any:
    """The value made safe for a CSV cell: dangerous text gets a leading single quote.

    ``None`` becomes the empty string; numbers and booleans pass unchanged; anything else is
    turned into text first.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise_cell(-5), neutralise_cell("-5"), neutralise_cell(None), neutralise_cell("Al Amal")
    (-5, "'-5", '', 'Al Amal')
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if is_dangerous(text) else text


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    """:func:`neutralise_cell` applied to every cell of a row.

    Examples
    --------
    >>> neutralise_row(["@SUM(A1)", 3, "ok"])
    ["'@SUM(A1)", 3, 'ok']
    """
    return [neutralise_cell(v) for v in row]


def write_xlsx_row(worksheet: Any, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with every text stored as text, never as a formula.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> write_xlsx_row(ws, ["=1+1", 2.5])
    >>> ws["A1"].value, ws["A1"].data_type, ws["A1"].quotePrefix, ws["B1"].value
    ('=1+1', 's', True, 2.5)
    """
    values = [None if v is None else v if isinstance(v, bool | int | float) else str(v) for v in row]
    worksheet.append([None] * len(values) if values else [])
    r = worksheet.max_row
    for c, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = worksheet.cell(row=r, column=c)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl guesses "f" (formula) for text starting with "="
            if is_dangerous(value):
                cell.quotePrefix = True
