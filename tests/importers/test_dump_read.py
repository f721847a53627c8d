"""The fast dump reader (bytes, orjson) gives exactly what the text reader (json) gives: the same
records, the same values and types, the same errors on the same lines, for any file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.errors import ImportFailed
from importers.dump_read import NeedsText, NotStreamable, read_dump_records
from importers.index import canonical, same_props
from importers.limits import CLI_LIMITS, Limits
from importers.report import Problems

HEADER = b'{"format":"goudkaart-dump","version":1,\n'


def _outcome(path: Path, mode: str, limits: Limits) -> tuple[Any, ...]:
    """What reading gives: the records (as repr, so nan, -0.0 and int/float differ) and every
    error text, or the exception it ends in; falling back between modes as read_dump does."""
    while True:
        problems = Problems(path.name)
        try:
            records = list(read_dump_records(path, problems, limits, path.name, mode=mode))
        except NeedsText:
            mode = "text"
            continue
        except NotStreamable:
            assert mode != "whole"
            mode = "whole"
            continue
        except ImportFailed as exc:
            return ("raised", type(exc).__name__, str(exc))
        return ("read", repr(records), [e.text() for e in problems.errors])


def _same_as_text_reader(path: Path, limits: Limits = CLI_LIMITS) -> None:
    assert _outcome(path, "lines", limits) == _outcome(path, "text", limits)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**30), max_value=10**30) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
records = st.dictionaries(st.sampled_from(["id", "label", "props", "type", "a", "x", "ü"]), json_values,
                          max_size=4)

# lines a byte reader could read differently from a text reader
ODD_LINES = [
    b'{"a":NaN}', b'{"a":-Infinity}', b'{"a":123456789012345678901234567890}', b'{"a":-9223372036854775809}',
    b'{"a":"\\ud800"}', b'{"a":', b'[1,2]', b'{"a":1}\x1c', b'\xc2\xa0{"a":1}', b'{"a":1},{"b":2}',
    b'{"a":1}\r{"b":2}', b'{"a":1}\r', b'{"a":"\xff"}', b'\xef\xbb\xbf{"a":1}', b'{"a":1}  ,', b'{"a":1,}',
    b'  {"a":[1,{"b":2}]}  ', b'"relationships":[', b'"other":[', b']', b'{"a":"\x00"}', b'{"a":1}\x85',
    b'{"a":1}\xe2\x80\xa8', b'{"a":[{"b":1},', b'{"c":2}]},', b'{"a":1e400}', b'{"a":1}\r\n', b'',
]


def _file(tmp_path: Path, lines: list[bytes], name: str = "d.json") -> Path:
    path = tmp_path / name
    path.write_bytes(HEADER + b'"nodes":[\n' + b",\n".join(lines) + b'\n],\n"relationships":[\n],\n'
                     b'"tie_events":[\n]}\n')
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(records.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass"))
                | st.sampled_from(ODD_LINES), max_size=8))
def test_any_file_reads_the_same_with_the_fast_reader(tmp_path: Path, lines: list[bytes]) -> None:
    _same_as_text_reader(_file(tmp_path, lines))
    with mock.patch("importers.dump_read._BLOCK", 16):  # lines across block boundaries
        _same_as_text_reader(_file(tmp_path, lines))


@pytest.mark.parametrize("line", ODD_LINES, ids=[repr(x)[:30] for x in ODD_LINES])
def test_each_odd_line_reads_the_same(tmp_path: Path, line: bytes) -> None:
    _same_as_text_reader(_file(tmp_path, [b'{"id":"a"}', line, b'{"id":"b"}']))


@pytest.mark.parametrize("block", [1, 7, 64])
@pytest.mark.parametrize("line", ODD_LINES[:14], ids=[repr(x)[:30] for x in ODD_LINES[:14]])
def test_lines_across_blocks_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           block: int, line: bytes) -> None:
    monkeypatch.setattr("importers.dump_read._BLOCK", block)
    _same_as_text_reader(_file(tmp_path, [b'{"id":"a"}', line, b'{"id":"b","n":1234567890123456789}']))


@pytest.mark.parametrize("end", [b"]}", b"]}\r", b"]}\r\n", b"]}\n\n", b"]} ", b'{"id":"c"}'])
def test_the_last_line_reads_the_same_with_or_without_a_line_end(tmp_path: Path, end: bytes) -> None:
    path = tmp_path / "d.json"
    path.write_bytes(HEADER + b'"nodes":[\n{"id":"a"},\n{"id":"b"}\n],\n"relationships":[\n],\n'
                     b'"tie_events":[\n' + end)
    _same_as_text_reader(path)


def test_big_integers_stay_exact_and_floats_stay_floats(tmp_path: Path) -> None:
    path = _file(tmp_path, [b'{"n":123456789012345678901234567890,"f":1.0,"i":1,"neg":-0.0}'])
    [(_, _, record)] = read_dump_records(path, Problems("d"), Limits(), "d")
    assert record == {"n": 123456789012345678901234567890, "f": 1.0, "i": 1, "neg": -0.0}
    assert [type(v) for v in record.values()] == [int, float, int, float]
    assert math.copysign(1, record["neg"]) == -1


def test_the_row_limit_counts_the_same_records(tmp_path: Path) -> None:
    path = _file(tmp_path, [b'{"id":"a"}', b'{"id":', b'{"id":"c"}'])
    _same_as_text_reader(path, Limits(max_rows=2))
    assert "more than 2 rows" in str(_outcome(path, "lines", Limits(max_rows=2))[2])


def test_a_file_with_windows_line_ends_streams_and_one_with_old_mac_ends_reads_as_text(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.json"
    crlf.write_bytes(_file(tmp_path, [b'{"id":"a"}', b'{"id":"b"}']).read_bytes().replace(b"\n", b"\r\n"))
    assert len(list(read_dump_records(crlf, Problems("d"), Limits(), "d"))) == 2
    cr = tmp_path / "cr.json"
    cr.write_bytes(crlf.read_bytes().replace(b"\r\n", b"\r"))
    with pytest.raises(NeedsText):
        list(read_dump_records(cr, Problems("d"), Limits(), "d"))
    _same_as_text_reader(cr)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4),
       st.dictionaries(st.text(max_size=3), json_values, max_size=4))
def test_same_props_agrees_with_canonical(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert same_props(a, b) == (canonical(a) == canonical(b))
    assert same_props(a, dict(a)) == (canonical(a) == canonical(dict(a)))


@pytest.mark.parametrize(("a", "b"), [
    ({"a": None}, {"a": math.nan}), ({"a": math.nan}, {"a": math.nan}), ({"a": math.inf}, {"a": None}),
    ({"a": 1}, {"a": 1.0}), ({"a": True}, {"a": 1}), ({"a": 0.0}, {"a": -0.0}), ({"a": [1]}, {"a": (1,)}),
    ({"a": 10**30}, {"a": 10**30}), ({"a": 10**30}, {"a": 1e30}), ({1: "x"}, {"1": "x"}),
    ({"a": {"b": 1, "c": 2}}, {"a": {"c": 2, "b": 1}}), ({"a": "é"}, {"a": "e\u0301"}), ({}, {"a": None}),
])
def test_same_props_on_the_values_where_orjson_writes_differently(a: dict[Any, Any], b: dict[Any, Any]) -> None:
    assert same_props(a, b) == (canonical(a) == canonical(b))


def test_dump_records_check_the_same_on_the_fast_and_the_full_path(tmp_path: Path) -> None:
    from importers.dump import read_dump

    def dump(rels: list[bytes], events: list[bytes]) -> Path:
        path = tmp_path / "d.json"
        path.write_bytes(HEADER + b'"nodes":[\n{"id":"org-a","label":"Organisation","props":{"name":"A"}},\n'
                         b'{"id":"org-b","label":"Organisation","props":{"name":"B"}}\n],\n"relationships":[\n'
                         + b",\n".join(rels) + b'\n],\n"tie_events":[\n' + b",\n".join(events) + b"\n]}\n")
        return path

    batch = read_dump(dump(
        [b'{"type":"TIE","start":"org-b","end":"org-a","key":"","props":{"rung":2}}',
         b'{"type":"TIE","start":"org-a","end":"org-b","props":{"rung":true}}',
         b'{"type":"TIE","start":"org-a","end":"org-b","key":null,"props":{"rung":3}}',
         b'{"type":"","start":"org-a","end":"org-b","props":{}}',
         b'{"type":"WORKS_ON","start":"org-a","end":"i","key":"","props":{},"created_at":""}'],
        [b'{"a":"org-a","b":"org-b","old_rung":0,"new_rung":2,"at":"2024-01-01","source":null,"session":5}',
         b'{"a":"org-a","b":"org-b","old_rung":false,"new_rung":2}',
         b'{"a":"org-a","b":"","old_rung":2,"new_rung":6,"at":null}',
         b'{"a":"org-a","b":"org-b","old_rung":2,"new_rung":3,"at":null,"declared_by":"self"}']))
    assert [(r.rel.start, r.rel.end, dict(r.rel.props), r.rel.key, r.rel.created_at, r.row)
            for r in batch.rels] == [("org-a", "org-b", {"rung": 2}, "", None, 7),
                                     ("org-a", "org-b", {"rung": 3}, "", None, 9),
                                     ("org-a", "i", {}, "", None, 11)]
    assert [(e.old_rung, e.new_rung, e.at, e.source, e.session, e.declared_by) for e in batch.tie_events] == [
        (0, 2, "2024-01-01", "", "5", ""), (2, 3, "", "", "", "self")]
    assert [(e.sheet, e.row, e.column) for e in batch.problems.errors] == [
        ("relationships", 8, "props.rung"), ("relationships", 10, "type"), ("tie_events", 15, "old_rung"),
        ("tie_events", 16, "b"), ("tie_events", 16, "new_rung")]
    assert batch.rels[0].rel.start is batch.nodes["org-a"].node.id  # the node's own id string


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("mode", ["text", "whole"])  # "lines" hands such bytes to "text"
def test_bytes_that_are_not_utf8_past_the_first_chunk_name_the_file_and_line(
        tmp_path: Path, ending: bytes, mode: str) -> None:
    """Past the text reader's first 8 KB the decoder used to raise a bare UnicodeDecodeError."""
    good = [b'{"id":"n%04d","label":"Interest","props":{"name":"x"}}' % i for i in range(300)]
    body = HEADER + b'"nodes":[\n' + b",\n".join([*good, b'{"id":"caf\xe9"}']) + b"\n]}\n"
    path = tmp_path / "broken.json"
    path.write_bytes(body.replace(b"\n", ending))
    assert path.stat().st_size > 8192
    with pytest.raises(ImportFailed, match=r"broken\.json is not UTF-8 text: line 303 holds bytes"):
        list(read_dump_records(path, Problems("broken.json"), CLI_LIMITS, "broken.json", mode=mode))


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_read_dump_reports_bytes_that_are_not_utf8_as_an_import_error(tmp_path: Path, ending: bytes) -> None:
    from importers.dump import read_dump

    good = [b'{"id":"n%04d","label":"Interest","props":{"name":"x"}}' % i for i in range(300)]
    path = tmp_path / "broken.json"
    body = HEADER + b'"nodes":[\n' + b",\n".join([*good, b'{"id":"caf\xe9"}']) + b"\n]}\n"
    path.write_bytes(body.replace(b"\n", ending))
    with pytest.raises(ImportFailed, match=r"broken\.json is not UTF-8 text: line 303 .* regel 303"):
        read_dump(path)
