"""Malicious files, built at test (or benchmark) time so that nothing big sits in the repository.

Each builder writes one file into a folder and returns its path. The XLSX files are real
workbooks written by openpyxl, with one part replaced or added afterwards.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

MB = 1024 * 1024


def _workbook(path: Path, rows: int = 2) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisations"
    sheet.append(["id", "name"])
    for i in range(rows):
        sheet.append([f"org-{i}", f"Organisatie {i}"])
    book.save(path)


def _replace_part(path: Path, part: str, write: Callable[[zipfile.ZipFile], None]) -> None:
    """Rewrite the workbook with ``part`` produced by ``write`` instead of the original."""
    source = path.with_suffix(".orig.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != part:
                new.writestr(item, old.read(item.filename))
        write(new)
    source.unlink()


def _sheet_xml(rows: str, dimension: str = "A1:B2", head: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{head}<worksheet '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>')


def _inline_rows(count: int, first: int = 2) -> str:
    return "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>org-{r}</t></is></c>'
                   f'<c r="B{r}" t="inlineStr"><is><t>Organisatie {r}</t></is></c></row>'
                   for r in range(first, first + count))


_HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>')
SHEET = "xl/worksheets/sheet1.xml"


def xlsx_with_sheet(folder: Path, name: str, sheet_xml: str) -> Path:
    path = folder / name
    _workbook(path)
    _replace_part(path, SHEET, lambda z: z.writestr(SHEET, sheet_xml))
    return path


def giant_cell_xlsx(folder: Path, megabytes: int = 100) -> Path:
    """One cell of ``megabytes`` MB in the shared strings: a few hundred KB on disk."""
    path = folder / "giant-cell.xlsx"
    _workbook(path)

    def write(z: zipfile.ZipFile) -> None:
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
            for _ in range(megabytes):
                out.write(b"a" * MB)
            out.write(b"</t></si></sst>")

    _replace_part(path, "xl/sharedStrings.xml", write)
    return path


def long_cell_xlsx(folder: Path, chars: int = 20_000) -> Path:
    """A cell just over the 10,000-character limit: no bomb, a clear refusal."""
    row = f'<row r="2"><c r="A2" t="inlineStr"><is><t>o1</t></is></c><c r="B2" t="inlineStr"><is><t>{"x" * chars}</t></is></c></row>'
    return xlsx_with_sheet(folder, "long-cell.xlsx", _sheet_xml(_HEADER_ROW + row))


def huge_dimension_xlsx(folder: Path) -> Path:
    """Two real rows under a declared ``A1:XFD1048576``."""
    return xlsx_with_sheet(folder, "huge-dimension.xlsx",
                           _sheet_xml(_HEADER_ROW + _inline_rows(1), "A1:XFD1048576"))


def lying_dimension_xlsx(folder: Path, rows: int = 3000) -> Path:
    """``rows`` organisations under a declared ``A1:B2``."""
    return xlsx_with_sheet(folder, "lying-dimension.xlsx", _sheet_xml(_HEADER_ROW + _inline_rows(rows)))


def far_row_xlsx(folder: Path) -> Path:
    """One cell on row 1,048,576: a reader that fills the gap makes a million empty rows."""
    row = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx_with_sheet(folder, "far-row.xlsx", _sheet_xml(_HEADER_ROW + row))


def far_column_xlsx(folder: Path) -> Path:
    """A cell in column XFD (16,384): a reader that pads rows makes every row that wide."""
    row = '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx_with_sheet(folder, "far-column.xlsx", _sheet_xml(_HEADER_ROW + row))


def many_rows_xlsx(folder: Path, rows: int) -> Path:
    return xlsx_with_sheet(folder, "many-rows.xlsx", _sheet_xml(_HEADER_ROW + _inline_rows(rows)))


_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def dtd_xlsx(folder: Path) -> Path:
    """A sheet with a document type declaration (entity expansion)."""
    return xlsx_with_sheet(folder, "dtd.xlsx", _sheet_xml(_HEADER_ROW + _inline_rows(1), head=_LAUGHS))


def dtd_graphml(folder: Path) -> Path:
    path = folder / "laughs.graphml"
    path.write_text(f'<?xml version="1.0"?>{_LAUGHS}<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                    '<graph edgedefault="directed"><node id="a"><data key="d0">&lol3;</data></node>'
                    "</graph></graphml>", encoding="utf-8")
    return path


def deep_gexf(folder: Path, depth: int = 5000) -> Path:
    path = folder / "deep.gexf"
    path.write_text('<?xml version="1.0"?><gexf xmlns="http://gexf.net/1.2" version="1.2">'
                    + "<a>" * depth + "</a>" * depth + "</gexf>", encoding="utf-8")
    return path


def blank_lines_zip(folder: Path, megabytes: int = 300) -> Path:
    """A zip of one CSV of blank lines: about ``megabytes / 1000`` MB on disk."""
    path = folder / "blank-lines.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, \
            z.open("organisations.csv", "w", force_zip64=True) as out:
        out.write(b"id,name\n")
        for _ in range(megabytes):
            out.write(b"\n" * MB)
    return path


def blank_lines_csv(folder: Path, lines: int) -> Path:
    path = folder / "organisations.csv"
    with open(path, "wb") as out:
        out.write(b"id,name\n")
        out.write(b"\n" * lines)
    return path


def deep_json_dump(folder: Path, depth: int = 100_000) -> Path:
    path = folder / "deep-dump.json"
    path.write_text('{"format": "goudkaart-dump", "version": 1, "nodes": ' + "[" * depth + "]" * depth + "}",
                    encoding="utf-8")
    return path


def deep_json_hsds(folder: Path, depth: int = 100_000) -> Path:
    path = folder / "deep-hsds.json"
    path.write_text('{"id": "o1", "name": "A", "services": ' + "[" * depth + "]" * depth + "}",
                    encoding="utf-8")
    return path
