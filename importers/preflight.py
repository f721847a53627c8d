"""Checks that run before a file is parsed, so a bomb is refused fast and in little memory.

* zip and XLSX: number of members, unpacked size and compression ratio, from the archive's
  directory (the zip reader never yields more than a member's declared size), and the number
  of sheets;
* XML (the parts of an XLSX, GraphML, GEXF): streamed through expat in small blocks: no DTD
  (``<!DOCTYPE``, entities), bounded depth, bounded text and attribute length, and rows and
  columns counted from the cells themselves, never from a declared ``<dimension>``;
* CSV: lines counted in blocks before anything is loaded;
* JSON read as one document (HSDS, 360Giving): its size.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Final
from xml.parsers import expat

from graphsvc.errors import ImportFailed
from importers.limits import Limits, human_size

__all__ = ["check_before_reading", "check_zip", "check_xml"]

_BLOCK: Final = 1 << 16
_CELL_REF: Final = re.compile(r"([A-Z]{1,3})(\d+)$")
_SHEET: Final = re.compile(r"xl/worksheets/[^/]+\.xml$")


def _refuse(file: str, en: str, nl: str) -> ImportFailed:
    return ImportFailed(f"{file}: {en} / {file}: {nl}")


def check_zip(path: Path, file: str, limits: Limits, *, xlsx: bool = False) -> None:
    """Refuse a zip (or XLSX) with too many members, too much content or a bomb's ratio.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "bomb.zip"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("blank.csv", "\\n" * 5_000_000)
    >>> check_zip(p, "bomb.zip", Limits())
    Traceback (most recent call last):
    ...
    graphsvc.errors.ImportFailed: bomb.zip: blank.csv unpacks ... times its packed size ...
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError):
        raise _refuse(file, "this is not a readable zip file.", "dit is geen leesbaar zip-bestand.") from None
    if len(members) > limits.max_members:
        raise _refuse(file, f"the archive holds {len(members):,} files; the limit is {limits.max_members:,}.",
                      f"het archief bevat {len(members):,} bestanden; de grens is {limits.max_members:,}.")
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise _refuse(file, f"the content unpacks to {human_size(total)}; the limit is "
                      f"{human_size(limits.max_unpacked_bytes)}.",
                      f"de inhoud pakt uit tot {human_size(total)}; de grens is "
                      f"{human_size(limits.max_unpacked_bytes)}.")
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise _refuse(file, f"{m.filename} unpacks to {ratio:,.0f} times its packed size "
                          f"(limit {limits.max_ratio}×): this looks like a zip bomb.",
                          f"{m.filename} pakt uit tot {ratio:,.0f} keer de ingepakte grootte "
                          f"(grens {limits.max_ratio}×): dit lijkt een zip-bom.")
    if xlsx:
        sheets = sum(1 for m in members if _SHEET.match(m.filename))
        if sheets > limits.max_sheets:
            raise _refuse(file, f"the workbook has {sheets} sheets; the limit is {limits.max_sheets}.",
                          f"het werkboek heeft {sheets} bladen; de grens is {limits.max_sheets}.")


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


class _XmlScan:
    """expat handlers that refuse a DTD, depth, long texts and too many rows or columns."""

    def __init__(self, file: str, part: str, limits: Limits, row_tags: frozenset[str]) -> None:
        self.file, self.part, self.limits, self.row_tags = file, part, limits, row_tags
        self.depth = self.text = self.rows = 0
        where = f" ({part})" if part else ""
        self.where = where
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        self.parser = parser

    def _fail(self, en: str, nl: str) -> ImportFailed:
        line = self.parser.CurrentLineNumber
        return _refuse(self.file, f"{en}{self.where}, line {line:,}.", f"{nl}{self.where}, regel {line:,}.")

    def _doctype(self, *_: object) -> None:
        raise self._fail("a document type declaration (DTD) is not accepted",
                         "een documenttypedeclaratie (DTD) wordt niet geaccepteerd")

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.text = 0
        limits = self.limits
        if self.depth > limits.max_xml_depth:
            raise self._fail(f"the XML is nested deeper than {limits.max_xml_depth} levels",
                             f"de XML is dieper genest dan {limits.max_xml_depth} niveaus")
        for value in attrs.values():
            if len(value) > limits.max_cell_chars:
                raise self._fail(f"a value is longer than {limits.max_cell_chars:,} characters",
                                 f"een waarde is langer dan {limits.max_cell_chars:,} tekens")
        local = tag.rsplit("}", 1)[-1]
        if local in self.row_tags:
            self._row(attrs.get("r", ""))
        elif local == "c" and "r" in attrs:
            self._cell(attrs["r"])

    def _row(self, ref: str) -> None:
        self.rows += 1
        number = int(ref) if ref.isdigit() else self.rows
        if max(number, self.rows) > self.limits.max_rows + 1:
            raise self._fail(f"more than {self.limits.max_rows:,} rows or records (counted in the file)",
                             f"meer dan {self.limits.max_rows:,} rijen of records (geteld in het bestand)")

    def _cell(self, ref: str) -> None:
        found = _CELL_REF.match(ref)
        if found and _column_number(found.group(1)) > self.limits.max_columns:
            raise self._fail(f"cell {ref} lies beyond column {self.limits.max_columns}",
                             f"cel {ref} ligt voorbij kolom {self.limits.max_columns}")

    def _end(self, _tag: str) -> None:
        self.depth -= 1
        self.text = 0

    def _chars(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.max_cell_chars:
            raise self._fail(f"a cell or text is longer than {self.limits.max_cell_chars:,} characters",
                             f"een cel of tekst is langer dan {self.limits.max_cell_chars:,} tekens")


def check_xml(stream: IO[bytes], file: str, limits: Limits, *, part: str = "",
              row_tags: Iterable[str] = ("row",)) -> None:
    """Stream an XML document through the checks; raises ImportFailed at the first problem.

    ``row_tags`` are the elements counted as rows (``row`` in a sheet; ``node`` and ``edge``
    in a graph file).

    Examples
    --------
    >>> import io
    >>> bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    >>> check_xml(io.BytesIO(bomb), "evil.graphml", Limits())
    Traceback (most recent call last):
    ...
    graphsvc.errors.ImportFailed: evil.graphml: a document type declaration (DTD) is not accepted, line 1. ...
    """
    scan = _XmlScan(file, part, limits, frozenset(row_tags))
    try:
        while block := stream.read(_BLOCK):
            scan.parser.Parse(block, False)
        scan.parser.Parse(b"", True)
    except expat.ExpatError:
        return  # malformed: the format's reader says where, as for any broken file


def _check_xlsx(path: Path, file: str, limits: Limits) -> None:
    check_zip(path, file, limits, xlsx=True)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.filename.endswith((".xml", ".rels")) and not member.is_dir():
                with archive.open(member) as stream:
                    check_xml(stream, file, limits, part=member.filename)


def _check_lines(path: Path, file: str, limits: Limits) -> None:
    # a quoted cell may span lines: twice the row limit in lines is surely too many rows
    most = 2 * limits.max_rows + 10
    lines = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
            if lines > most:
                raise _refuse(file, f"more than {limits.max_rows:,} rows ({lines:,}+ lines counted "
                              "before reading); split the file.",
                              f"meer dan {limits.max_rows:,} rijen ({lines:,}+ regels geteld voor het "
                              "lezen); splits het bestand.")


def _check_one(path: Path, fmt: str, file: str, limits: Limits) -> None:
    from importers.tables import is_xlsx

    suffix = path.suffix.lower()
    if is_xlsx(path):
        _check_xlsx(path, file, limits)
    elif fmt in ("graphml", "gexf") or suffix in (".graphml", ".gexf", ".xml"):
        with open(path, "rb") as fh:
            check_xml(fh, file, limits, row_tags=("node", "edge"))
    elif suffix == ".json" and fmt in ("hsds", "360giving"):
        size = path.stat().st_size
        if size > limits.max_json_bytes:
            raise _refuse(file, f"a JSON document of {human_size(size)} is read as a whole; the limit "
                          f"is {human_size(limits.max_json_bytes)}.",
                          f"een JSON-document van {human_size(size)} wordt in zijn geheel gelezen; de "
                          f"grens is {human_size(limits.max_json_bytes)}.")
    elif suffix in (".csv", ".txt", ".tsv") or fmt in ("tabular", "360giving"):
        _check_lines(path, file, limits)


def check_before_reading(path: Path, fmt: str, file: str, limits: Limits) -> None:
    """Every check above that fits the file (or each file of a folder); raises ImportFailed.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "orgs.csv"
    >>> _ = p.write_text("id,name\\n" + "\\n" * 40)
    >>> check_before_reading(p, "tabular", "orgs.csv", Limits(max_rows=10))
    Traceback (most recent call last):
    ...
    graphsvc.errors.ImportFailed: orgs.csv: more than 10 rows (41+ lines counted before reading); ...
    """
    if fmt == "zip":
        check_zip(path, file, limits)
        return
    targets = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for target in targets:
        _check_one(target, fmt, file if target == path else f"{file} ({target.name})", limits)
