"""Deliberately broken files: each gives the expected error (with row and column where a file has
them), in Dutch and English, and leaves the store exactly as it was."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphsvc.errors import ImportFailed
from graphsvc.store import GraphStore
from importers.files import import_file
from importers.limits import Limits
from importers.report import ImportRejected
from tests.importers.conftest import DQT, HSDS, store_state


@dataclass(frozen=True)
class Broken:
    name: str
    make: Callable[[Path], Path]
    expect: str  # a fragment of the English message
    row: int | None = None
    column: str | None = None
    limits: Limits = Limits()


def text(name: str, body: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(body.encode(encoding))
        return path
    return make


def raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name
    return make


def shared(path: Path) -> Callable[[Path], Path]:
    """A copy of a third-party sample file (the case is marked ``testdata``)."""
    def make(folder: Path) -> Path:
        return Path(shutil.copy(path, folder / path.name))
    make.samples = True  # type: ignore[attr-defined]
    return make


def xlsx_with_formula(folder: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "organisations"
    ws.append(["id", "name"])
    ws.append(["o1", "Goed"])
    ws.append(["o2", "=HYPERLINK(\"http://evil.example\",\"klik\")"])
    book.save(folder / "f.xlsx")
    return folder / "f.xlsx"


def dump(records: dict[str, list[object]], version: int = 1) -> Callable[[Path], Path]:
    body = {"format": "goudkaart-dump", "version": version, "nodes": [], "relationships": [],
            "tie_events": [], **records}
    return text("dump.json", json.dumps(body))


ORG_HEAD = "id,name,kvk,kind,founded\n"
HSDS_ORG = {"id": "h1", "name": "Buurtwerk", "organization_identifiers": [
    {"identifier_scheme": "NL-KVK", "identifier": "1234"}]}
GRANT = {"id": "G1", "title": "T", "currency": "EUR", "awardDate": "2024-01-02",
         "fundingOrganization": [{"id": "NL-KVK-11112222", "name": "Fonds"}],
         "recipientOrganization": [{"name": "Buurtwerk"}]}
GRAPHML = ('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
           '<key id="n" for="node" attr.name="name" attr.type="string"/>'
           '<key id="t" for="node" attr.name="type" attr.type="string"/>'
           '<graph edgedefault="directed"><node id="o"><data key="n">O</data><data key="t">Organisation</data>'
           '</node><node id="x"><data key="n">X</data></node></graph></graphml>')
GEXF = ('<?xml version="1.0"?><gexf xmlns="http://www.gexf.net/1.2draft" version="1.2"><graph>'
        '<attributes class="node"><attribute id="label" title="label" type="string"/></attributes>'
        '<attributes class="edge"><attribute id="type" title="type" type="string"/>'
        '<attribute id="rung" title="rung" type="long"/></attributes>'
        '<nodes><node id="org-al-amal-west" label="A"><attvalues><attvalue for="label" value="Organisation"/>'
        '</attvalues></node></nodes><edges><edge id="e0" source="org-al-amal-west" target="org-kadin">'
        '<attvalues><attvalue for="type" value="TIE"/><attvalue for="rung" value="9"/></attvalues></edge>'
        '</edges></graph></gexf>')

CASES = [
    Broken("wrong encoding (not UTF-8, not cp1252)", raw("organisations.csv", b"id,name\no1,Caf\x81\n"),
           "neither UTF-8 nor Windows-1252", 2, "7"),
    Broken("UTF-16 without BOM", text("organisations.csv", "id,name\no1,A\n", "utf-16-le"),
           "NUL bytes", 1, "2"),
    Broken("malformed JSON (360Giving fixture)", shared(DQT / "fundingproviders-grants_malformed.json"),
           "not valid JSON", 10, "15"),
    Broken("malformed line in a dump",
           text("d.json", '{"format":"goudkaart-dump","version":1,\n"nodes":[\n{"id":"a","label":\n],\n'
                '"relationships":[\n],\n"tie_events":[\n]}\n'), "not valid JSON", 3),
    Broken("missing required column", text("ties.csv", "actor_a,actor_b\norg-al-amal-west,org-kadin\n"),
           "required column 'rung' is missing", 1, "rung"),
    Broken("unknown rung", text("ties.csv", "actor_a,actor_b,rung\norg-al-amal-west,inst-buurtteam-west,7\n"),
           "Rung '7' does not exist", 2, "rung"),
    Broken("bad KvK number", text("organisations.csv", ORG_HEAD + "n1,Nieuw,1234567,,\n"),
           "exactly 8 digits", 2, "kvk"),
    Broken("dangling reference", text("ties.csv", "actor_a,actor_b,rung\norg-al-amal-west,org-bestaat-niet,2\n"),
           "'org-bestaat-niet' does not exist", 2, "actor_b"),
    Broken("empty file", raw("organisations.csv", b""), "The file is empty", 1),
    Broken("only blank lines", raw("organisations.csv", b"\n\n  \n"), "The file is empty", 1),
    Broken("oversize", text("organisations.csv", ORG_HEAD + "n1,Nieuw,,,\n" * 50),
           "the limit is", limits=Limits(max_bytes=200)),
    Broken("too many rows", text("organisations.csv", ORG_HEAD + "".join(f"n{i},N{i},,,\n" for i in range(20))),
           "more than 10 rows", limits=Limits(max_rows=10)),
    Broken("formula payload in CSV", text("organisations.csv", 'id,name\no1,"=HYPERLINK(""http://x"",""y"")"\n'),
           "looks like a spreadsheet formula", 2, "name"),
    Broken("formula payload as an XLSX formula", xlsx_with_formula, "looks like a spreadsheet formula", 3, "name"),
    Broken("command payload with a sign", text("organisations.csv", "id,name\no1,-2+3+cmd|' /C calc'!A0\n"),
           "looks like a spreadsheet formula", 2, "name"),
    Broken("same id twice", text("organisations.csv", ORG_HEAD + "n1,Een,,,\nn1,Twee,,,\n"),
           "used twice in this file (also on row 2)", 3, "id"),
    Broken("same KvK on two rows", text("organisations.csv", ORG_HEAD + "n1,Een,12345678,,\nn2,Twee,12345678,,\n"),
           "also on row 2", 3, "kvk"),
    Broken("unknown theme", text("interests_offers_needs.csv", "actor,interests\norg-al-amal-west,ruimtevaart\n"),
           "not a known theme", 2, "interests"),
    Broken("bad date", text("ties.csv", "actor_a,actor_b,rung,since\norg-al-amal-west,inst-buurtteam-west,2,31-02-2024\n"),
           "not a date", 2, "since"),
    Broken("bad amount", text("funding.csv", "fund,organisation,grant_id,amount\nfund-buurtbudget-west,"
                              "org-al-amal-west,X1,veel\n"), "not an amount", 2, "amount"),
    Broken("unknown kind", text("organisations.csv", ORG_HEAD + "n1,Nieuw,,spaceship,\n"),
           "not a known organisation kinds", 2, "kind"),
    Broken("id of another kind in the store", text("organisations.csv", ORG_HEAD + "fund-buurtbudget-west,X,,,\n"),
           "already belongs to a Fund", 2, "id"),
    Broken("unrecognisable sheet", text("stuff.csv", "a,b,c\n1,2,3\n"), "Unknown sheet", 1),
    Broken("too many cells in a row", text("organisations.csv", "id,name\no1,A,extra,more\n"),
           "more cells than the header", 2),
    Broken("corrupt workbook", raw("w.xlsx", b"PK\x03\x04not really a zip"), "not a readable"),
    Broken("malformed GraphML", text("g.graphml", "<graphml><graph><node id='a'></graph>"),
           "not valid XML", 1),
    Broken("GraphML node without type", text("g.graphml", GRAPHML), "Node 'x' has no attribute 'type'", 2, "type"),
    Broken("GEXF tie with an impossible rung", text("g.gexf", GEXF), "Rung 9 does not exist", 1, "rung"),
    Broken("dump tie with an impossible rung", dump({"relationships": [
        {"type": "TIE", "start": "org-al-amal-west", "end": "org-kadin", "key": "", "props": {"rung": 6}}]}),
        "Rung 6 does not exist", 1, "props.rung"),
    Broken("dump from a newer Goudkaart", dump({}, version=99), "this Goudkaart reads version 1"),
    Broken("HSDS organization with a bad NL-KVK identifier", text("org.json", json.dumps(HSDS_ORG)),
           "does not have exactly 8 digits", 1, "identifier"),
    Broken("HSDS organization without a name", text("org.json", json.dumps({"id": "h2", "services": []})),
           "needs an id and a name", 1, "name"),
    Broken("360Giving grant without an amount", text("g.json", json.dumps({"grants": [GRANT]})),
           "is not an amount", 1, "amountAwarded"),
    Broken("360Giving grant id used twice with different values",
           shared(DQT / "fundingproviders-grants_fixed_2_grants.json"), "is also on row 1", 2, "id"),
]


def test_there_are_at_least_twenty_broken_files() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.name, marks=[pytest.mark.testdata] if getattr(c.make, "samples", False) else [])
    for c in CASES])
def test_broken_file_gives_the_expected_error_and_changes_nothing(
        demo_store: GraphStore, tmp_path: Path, case: Broken) -> None:
    path = case.make(tmp_path)
    before = store_state(demo_store)
    with pytest.raises(ImportFailed) as caught:
        import_file(demo_store, path, limits=case.limits)
    assert store_state(demo_store) == before
    error = caught.value
    if case.row is None:
        assert case.expect in error.message
        assert " / " in error.message  # English and Dutch
        return
    assert isinstance(error, ImportRejected)
    found = [e for e in error.row_errors if case.expect in e.message_en]
    assert found, [e.message_en for e in error.row_errors]
    assert found[0].row == case.row and found[0].file == path.name
    if case.column is not None:
        assert found[0].column == case.column
    assert found[0].message_nl and found[0].message_nl != found[0].message_en


@pytest.mark.testdata
def test_the_hsds_example_package_is_not_broken_by_its_dangling_references(
        demo_store: GraphStore) -> None:
    report = import_file(demo_store, HSDS / "csv", dry_run=True)
    assert report.created["Organisation"] == 1
