"""Read the records of a full-dump JSON file, streaming when it has the one-record-per-line layout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from graphsvc.errors import ImportFailed
from graphsvc.generate import DUMP_FORMAT, DUMP_VERSION
from importers.limits import Limits
from importers.report import Problems

__all__ = ["read_dump_records", "json_error", "NotStreamable"]

_SECTIONS: Final = ("nodes", "relationships", "tie_events")
Record = tuple[str, int, dict[str, Any]]  # (section, row, record)


class NotStreamable(Exception):
    """The file is valid JSON laid out differently: read it whole instead."""


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
                      streaming: bool = True) -> Iterator[Record]:
    """Yield ``(section, row, record)`` for every record; syntax errors go to ``problems``.

    With ``streaming`` the file is read line by line, ``row`` being the line number; a file laid
    out differently raises :class:`NotStreamable` (read it again with ``streaming=False``: then
    ``row`` is the 1-based position in its list). Records that are not JSON objects are
    reported, not yielded.
    """
    limits.check_size(path, name)
    if streaming:
        yield from _stream(path, problems, limits, name)
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


def _stream(path: str | Path, problems: Problems, limits: Limits, name: str) -> Iterator[Record]:
    section = ""
    rows = 0
    with open(path, encoding="utf-8-sig") as fh:
        try:
            first = fh.readline()
        except UnicodeDecodeError:
            raise ImportFailed(f"{name} is not UTF-8 text. / {name} is geen UTF-8-tekst.") from None
        _check_header(_header(first), name)
        for lineno, raw in enumerate(fh, 2):
            line = raw.strip()
            if line.startswith('"') and line.endswith("["):
                section = line[1:line.index('"', 1)]
                if section not in _SECTIONS:
                    raise NotStreamable
                continue
            if line in ("]", "],", "]}", ""):
                continue
            if not section or not line.startswith("{"):
                raise NotStreamable
            rows += 1
            limits.check_rows(name, rows)
            record = _parse_line(line.removesuffix(","), lineno, problems)
            if record is not None:
                yield section, lineno, record


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
        raise ImportFailed(f"{name} is not UTF-8 text. / {name} is geen UTF-8-tekst.") from None
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
