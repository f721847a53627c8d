"""Read the records of a full-dump JSON file, streaming when it has the one-record-per-line layout.

Streaming is the fast path of a large restore: the file is read as bytes and each record line
is parsed with orjson. Anything a byte-level reader could see differently from a text reader
(a bare carriage return, bytes that are not UTF-8, a line orjson refuses) goes through the very
same text logic as before, so every file gives exactly the records and errors it always gave.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from graphsvc.dump_format import DUMP_FORMAT, DUMP_VERSION
from graphsvc.errors import ImportFailed
from importers.limits import Limits
from importers.report import Problems

__all__ = ["read_dump_records", "json_error", "NotStreamable", "NeedsText"]

_SECTIONS: Final = ("nodes", "relationships", "tie_events")
_CLOSERS: Final = frozenset({"]", "],", "]}", ""})
Record = tuple[str, int, dict[str, Any]]  # (section, row, record)

# orjson reads an integer beyond 64 bits as a float, where json keeps it exact: a text with a run
# of 19 digits anywhere (a superset of those integers) is left to json. Digits 1-9 become 0, so
# one substring search finds the run.
_DIGITS_TO_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER: Final = b"0" * 19
_TEXT_CHUNK: Final = 8192  # what a text-mode reader decodes on its first readline
_BLOCK: Final = 1 << 20  # bytes read at once: checked for odd bytes once, then split into lines


class NotStreamable(Exception):
    """The file is valid JSON laid out differently: read it whole instead."""


class NeedsText(Exception):
    """The byte-level reader met something only the text reader judges exactly: start over."""


def json_error(problems: Problems, exc: json.JSONDecodeError, line_offset: int = 0) -> None:
    """Record a JSON syntax error with the line and column where the parser stopped."""
    problems.error("", exc.lineno + line_offset, str(exc.colno),
                   f"Dit is geen geldige JSON: {_dutch_json(exc.msg)} (regel {exc.lineno + line_offset}, "
                   f"teken {exc.colno}).",
                   f"This is not valid JSON: {exc.msg} (line {exc.lineno + line_offset}, "
                   f"character {exc.colno}).")


def _dutch_json(msg: str) -> str:
    known = {"Expecting value": "waarde verwacht", "Expecting ',' delimiter": "komma verwacht",
             "Expecting property name enclosed in double quotes": "veldnaam tussen dubbele "
             "aanhalingstekens verwacht", "Extra data": "extra tekst na het einde",
             "Unterminated string starting at": "tekst zonder slot-aanhalingsteken"}
    return known.get(msg, msg)


def read_dump_records(path: str | Path, problems: Problems, limits: Limits, name: str, *,
                      mode: str = "lines") -> Iterator[Record]:
    """Yield ``(section, row, record)`` for every record; syntax errors go to ``problems``.

    ``mode="lines"`` streams the file line by line, ``row`` being the line number, reading bytes;
    when it meets something only a text reader judges exactly (a bare carriage return, bytes
    that are not UTF-8) it raises :class:`NeedsText`: read again with ``mode="text"``, the same
    streaming on decoded text. A file laid out differently raises :class:`NotStreamable`: read it
    again with ``mode="whole"`` (then ``row`` is the 1-based position in its list). Start each
    new reading with a fresh ``problems``. Records that are not JSON objects are reported, not
    yielded.
    """
    limits.check_size(path, name)
    if mode == "lines":
        yield from _stream_bytes(path, problems, limits, name)
    elif mode == "text":
        yield from _stream_text(path, problems, limits, name)
    else:
        yield from _whole(path, problems, limits, name)


def _header(line: str) -> dict[str, Any]:
    text = line.strip()
    if not text.endswith(","):
        raise NotStreamable
    try:
        head = json.loads(text[:-1] + "}")
    except json.JSONDecodeError:
        raise NotStreamable from None
    if not isinstance(head, dict):
        raise NotStreamable
    return head


def _check_header(head: dict[str, Any], name: str) -> None:
    if head.get("format") != DUMP_FORMAT:
        raise ImportFailed(f"{name} is not a Goudkaart dump (no \"format\": \"{DUMP_FORMAT}\"). / "
                           f"{name} is geen Goudkaart-dump.")
    version = head.get("version")
    if not isinstance(version, int) or version > DUMP_VERSION or version < 1:
        raise ImportFailed(
            f"{name} is a dump of version {version!r}; this Goudkaart reads version "
            f"{DUMP_VERSION}. / {name} is een dump van versie {version!r}; deze Goudkaart leest "
            f"versie {DUMP_VERSION}.")


class _Lines:
    """The meaning of one text line of a streamed dump: section start, list end or record."""

    def __init__(self, problems: Problems, limits: Limits, name: str) -> None:
        self.problems = problems
        self.limits = limits
        self.name = name
        self.section = ""
        self.rows = 0

    def record(self, raw: str, lineno: int) -> dict[str, Any] | None:
        """The record on this line, or None (a section line, a list end, a reported error)."""
        line = raw.strip()
        if line.startswith('"') and line.endswith("["):
            self.section = line[1:line.index('"', 1)]
            if self.section not in _SECTIONS:
                raise NotStreamable
            return None
        if line in _CLOSERS:
            return None
        if not self.section or not line.startswith("{"):
            raise NotStreamable
        self.count()
        return _parse_line(line.removesuffix(","), lineno, self.problems)

    def count(self) -> None:
        self.rows += 1
        if self.rows > self.limits.max_rows:
            self.limits.check_rows(self.name, self.rows)


def _not_utf8(path: str | Path, name: str) -> ImportFailed:
    """The error for a file that is not UTF-8, naming the first line (as a text reader counts
    lines: at LF, CR and CRLF) that holds bytes that are not UTF-8."""
    lineno = 0
    with open(path, "rb") as fh:
        for chunk in fh:  # up to each LF; a CR or LF byte never occurs inside a UTF-8 sequence
            for line in chunk.splitlines() or [b""]:
                lineno += 1
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return ImportFailed(
                        f"{name} is not UTF-8 text: line {lineno} holds bytes that are not UTF-8. / "
                        f"{name} is geen UTF-8-tekst: regel {lineno} bevat bytes die geen UTF-8 zijn.")
    return ImportFailed(f"{name} is not UTF-8 text. / {name} is geen UTF-8-tekst.")  # pragma: no cover


def _stream_text(path: str | Path, problems: Problems, limits: Limits, name: str) -> Iterator[Record]:
    with open(path, encoding="utf-8-sig") as fh:
        try:
            first = fh.readline()
            _check_header(_header(first), name)
            lines = _Lines(problems, limits, name)
            # the decoder reads ahead in chunks: bytes that are not UTF-8 may show up here at
            # any line, not only at the first
            for lineno, raw in enumerate(fh, 2):
                record = lines.record(raw, lineno)
                if record is not None:
                    yield lines.section, lineno, record
        except UnicodeDecodeError:
            raise _not_utf8(path, name) from None


def _decoded(raw: bytes, encoding: str = "utf-8") -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise NeedsText from None


def _blocks(fh: BinaryIO) -> Iterator[tuple[list[bytes], bool]]:
    """The rest of the file as lists of lines (without their ``\n``), a megabyte at a time, each
    with whether its block may hold a bare CR or a long number (then look at every line)."""
    rest = b""
    while block := fh.read(_BLOCK):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        block, rest = block[:cut], block[cut:]
        if block:
            odd = b"\r" in block or _LONG_NUMBER in block.translate(_DIGITS_TO_ZERO)
            yield block.split(b"\n")[:-1], odd
    if rest:  # a last line without a line end
        if b"\r" in rest:
            raise NeedsText  # a bare CR: a text reader splits the line there
        yield [rest], True


def _stream_bytes(path: str | Path, problems: Problems, limits: Limits, name: str) -> Iterator[Record]:
    """The text reader's records and errors, from bytes: a record line that orjson reads as an
    object is taken as is; every other line is decoded and judged by the text logic."""
    with open(path, "rb") as fh:
        first = fh.readline()
        # a text reader decodes whole chunks: the first ones before it returns the first line
        ahead = fh.read(-len(first) % _TEXT_CHUNK)
        try:
            codecs.getincrementaldecoder("utf-8-sig")().decode(first + ahead)
        except UnicodeDecodeError:
            raise NeedsText from None
        if b"\r" in first.removesuffix(b"\r\n"):
            raise NeedsText
        fh.seek(len(first))
        _check_header(_header(_decoded(first, "utf-8-sig")), name)
        lines = _Lines(problems, limits, name)
        big, orjson_loads, decode_error = _LONG_NUMBER, orjson.loads, orjson.JSONDecodeError
        max_rows, lineno = limits.max_rows, 1
        for block, odd in _blocks(fh):
            for raw in block:
                lineno += 1
                if odd and b"\r" in raw and (raw.count(b"\r") > 1 or not raw.endswith(b"\r")):
                    raise NeedsText  # a text reader splits lines at a bare CR too
                line = raw.strip()
                if line[:1] == b"{" and lines.section:
                    body = line[:-1] if line[-1:] == b"," else line
                    if not odd or big not in body.translate(_DIGITS_TO_ZERO):
                        try:
                            record = orjson_loads(body)
                        except decode_error:
                            pass
                        else:
                            if type(record) is dict:
                                lines.rows += 1
                                if lines.rows > max_rows:
                                    limits.check_rows(name, lines.rows)
                                yield lines.section, lineno, record
                                continue
                record = lines.record(_decoded(raw), lineno)
                if record is not None:
                    yield lines.section, lineno, record


def _parse_line(text: str, lineno: int, problems: Problems) -> dict[str, Any] | None:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        json_error(problems, exc, lineno - 1)
        return None
    if not isinstance(record, dict):
        problems.error("", lineno, "", "Dit record is geen JSON-object.", "This record is not a JSON object.")
        return None
    return record


def _whole(path: str | Path, problems: Problems, limits: Limits, name: str) -> Iterator[Record]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise _not_utf8(path, name) from None
    except json.JSONDecodeError as exc:
        json_error(problems, exc)
        return
    if not isinstance(data, dict):
        raise ImportFailed(f"{name} is not a Goudkaart dump. / {name} is geen Goudkaart-dump.")
    _check_header(data, name)
    limits.check_rows(name, sum(len(data.get(s) or ()) for s in _SECTIONS))
    for section in _SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list):
            problems.error(section, None, "", f"'{section}' moet een lijst zijn.", f"'{section}' must be a list.")
            continue
        for i, record in enumerate(items, 1):
            if isinstance(record, dict):
                yield section, i, record
            else:
                problems.error(section, i, "", "Dit record is geen JSON-object.",
                               "This record is not a JSON object.")
