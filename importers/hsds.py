"""Import Open Referral HSDS 3.0: organizations, their identifiers, services' themes, places, funding.

* organization → ``Organisation`` (id kept; ``NL-KVK-…`` identifiers → ``kvk``; other
  org-ids kept in ``identifiers``);
* a service's taxonomy terms → ``WORKS_ON`` an interest, through the editable table
  ``importers/mappings/taxonomy_interests.csv`` (unmapped terms are listed as warnings);
* location postcodes → ``ACTIVE_IN`` an area, through ``mappings/postcode_areas.csv`` when the
  area is in the map;
* funding → a note on the organisation, and ``FUNDS`` when the source names a fund in the map.

Broken references (the official example package has four) are listed by table, row and field,
and the rows that depend on them are skipped; they never stop the import.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from graphsvc.model import Node, Relationship
from graphsvc.vocab import Vocabulary, load_vocabulary
from importers.batch import ImportBatch, Where
from importers.hsds_read import HsdsTables, package_path, read_hsds_json, read_hsds_package
from importers.limits import CLI_LIMITS, Limits
from importers.mapping import TermMapping, load_postcodes, load_term_mapping

__all__ = ["read_hsds"]

_KVK_ID = re.compile(r"^NL-KVK-(.*)$", re.IGNORECASE)


def read_hsds(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS,
              vocab: Vocabulary | None = None, mapping: TermMapping | None = None) -> ImportBatch:
    """Read HSDS JSON or a CSV data package (its folder or ``datapackage.json``) into a batch.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "organization.json"
    >>> _ = path.write_text(json.dumps({"id": "5d9a2b1c-0000-4000-8000-000000000001",
    ...                                 "name": "Buurtvereniging De Brug", "description": "Buurthuis"}))
    >>> batch = read_hsds(path)
    >>> [(n.node.label, n.node.name) for n in batch.nodes.values()]
    [('Organisation', 'Buurtvereniging De Brug')]
    """
    source = Path(path)
    file = name or source.name
    limits.check_size(source, file)
    batch = ImportBatch(file, "hsds", loose_refs=True)
    descriptor = package_path(source)
    if descriptor is not None:
        tables = read_hsds_package(descriptor, file, batch.problems, limits)
        _check_foreign_keys(batch, tables)
    else:
        tables = read_hsds_json(source, file, batch.problems, limits)
    if batch.problems.has_errors:
        return batch
    vocab = vocab or load_vocabulary()
    _Mapper(batch, tables, mapping or load_term_mapping(vocab)).run()
    return batch


def _check_foreign_keys(batch: ImportBatch, tables: HsdsTables) -> None:
    ids = {res: {str(r.get("id") or "") for _, r in rows} for res, rows in tables.rows.items()}
    for resource, column, target in tables.foreign_keys:
        for row, record in tables.get(resource):
            value = str(record.get(column) or "")
            if value and value not in ids.get(target, set()):
                batch.warn(Where(tables.sheet(resource), row, column),
                           f"Verwijst naar {target} {value!r}, maar die staat niet in het pakket "
                           "(losse verwijzing; overgeslagen).",
                           f"Refers to {target} {value!r}, which is not in the package (dangling "
                           "reference; skipped).", kind=f"dangling {resource}.{column}")


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


class _Mapper:
    """HSDS rows → Goudkaart records."""

    def __init__(self, batch: ImportBatch, tables: HsdsTables, mapping: TermMapping) -> None:
        self.batch, self.tables, self.mapping = batch, tables, mapping
        self.org_ids: set[str] = set()

    def run(self) -> None:
        self._organisations()
        if not self.org_ids and not self.batch.problems.has_errors:
            self.batch.error(Where(), "Geen HSDS-organisaties gevonden in dit bestand.",
                             "No HSDS organizations found in this file.")
            return
        self._services()
        self._locations()
        self._funding()

    def _merged(self, resource: str) -> dict[str, tuple[int, dict[str, Any]]]:
        out: dict[str, tuple[int, dict[str, Any]]] = {}
        for row, record in self.tables.get(resource):
            key = _text(record, "id")
            before = out.get(key)
            merged = {**(before[1] if before else {}), **{k: v for k, v in record.items() if v not in ("", None)}}
            out[key] = (before[0] if before else row, merged)
        return out

    def _organisations(self) -> None:
        idents: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for row, record in self.tables.get("organization_identifier"):
            idents[_text(record, "organization_id")].append((row, record))
        sheet = self.tables.sheet("organization")
        for org_id, (row, record) in self._merged("organization").items():
            where = Where(sheet, row)
            if not org_id or not _text(record, "name"):
                self.batch.error(where.at("id" if not org_id else "name"),
                                 "Een organisatie heeft een id en een naam nodig.",
                                 "An organization needs an id and a name.")
                self.batch.failed_ids.add(org_id)
                continue
            props = self._org_props(record)
            if not self._identifiers(props, idents.get(org_id, [])):
                self.batch.failed_ids.add(org_id)
                continue
            self.batch.add_node(Node(org_id, "Organisation", props), where)
            self.org_ids.add(org_id)

    @staticmethod
    def _org_props(record: dict[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {"name": _text(record, "name")}
        for source, target in (("alternate_name", "alternate_name"), ("description", "description"),
                               ("website", "website"), ("uri", "website")):
            if _text(record, source) and target not in props:
                props[target] = _text(record, source)
        year = _text(record, "year_incorporated")
        if year.isdigit():
            props["founded"] = int(year)
        legal = _text(record, "legal_status").lower()
        if legal in ("stichting", "vereniging"):
            props["legal_form"] = legal
        return props

    def _identifiers(self, props: dict[str, Any], rows: list[tuple[int, dict[str, Any]]]) -> bool:
        others: list[str] = []
        sheet = self.tables.sheet("organization_identifier")
        for row, record in rows:
            scheme, value = _text(record, "identifier_scheme").upper(), _text(record, "identifier")
            match = _KVK_ID.match(value)
            if scheme == "NL-KVK" or match:
                digits = re.sub(r"[\s.]", "", match.group(1) if match else value)
                if not (digits.isdigit() and len(digits) == 8):
                    self.batch.error(Where(sheet, row, "identifier"),
                                     f"KvK-nummer {value!r} heeft niet precies 8 cijfers.",
                                     f"KvK number {value!r} does not have exactly 8 digits.")
                    return False
                props["kvk"] = digits
            elif value:
                others.append(value if not scheme or value.upper().startswith(scheme) else f"{scheme}-{value}")
        if others:
            props["identifiers"] = sorted(set(others))
        return True

    def _services(self) -> None:
        terms = {_text(r, "id"): r for _, r in self.tables.get("taxonomy_term")}
        service_org = {k: _text(r, "organization_id") for k, (_, r) in self._merged("service").items()}
        sheet = self.tables.sheet("attribute")
        for row, record in self.tables.get("attribute"):
            org = service_org.get(_text(record, "link_id"))
            term = terms.get(_text(record, "taxonomy_term_id"))
            if org not in self.org_ids or term is None:
                continue
            label = _text(term, "name") or _text(term, "code")
            interest = self.mapping.interest(_text(term, "taxonomy") or _text(term, "taxonomy_id"),
                                             _text(term, "code"), label)
            if interest is None:
                self.batch.warn(Where(sheet, row, "taxonomy_term_id"),
                                f"Taxonomieterm {label!r} staat niet in de koppeltabel "
                                "mappings/taxonomy_interests.csv; overgeslagen.",
                                f"Taxonomy term {label!r} is not in the mapping table "
                                "mappings/taxonomy_interests.csv; skipped.", kind=f"term {label}")
                continue
            self.batch.add_rel(Relationship("WORKS_ON", org, interest), Where(sheet, row),
                               ("link_id", "taxonomy_term_id"), optional=True)

    def _locations(self) -> None:
        postcodes = load_postcodes()
        location_org = {_text(r, "id"): _text(r, "organization_id") for _, r in self.tables.get("location")}
        sheet = self.tables.sheet("address")
        for row, record in self.tables.get("address"):
            org = location_org.get(_text(record, "location_id"))
            code = postcodes.get(re.sub(r"\s", "", _text(record, "postal_code"))[:4])
            if org in self.org_ids and code:
                self.batch.add_rel(Relationship("ACTIVE_IN", org, code), Where(sheet, row),
                                   ("location_id", "postal_code"), optional=True)

    def _funding(self) -> None:
        notes: dict[str, list[str]] = defaultdict(list)
        sheet = self.tables.sheet("funding")
        for row, record in self.tables.get("funding"):
            org, text = _text(record, "organization_id"), _text(record, "source")
            if org not in self.org_ids or not text:
                continue
            notes[org].append(text)
            if len(text) <= 120:  # a fund's name, not a paragraph
                self.batch.add_rel(Relationship("FUNDS", text, org, {"source": "hsds"},
                                                f"hsds-{_text(record, 'id') or row}"),
                                   Where(sheet, row), ("source", "organization_id"), optional=True)
        for org, texts in notes.items():
            node = self.batch.nodes[org].node
            self.batch.nodes[org].node = Node(node.id, node.label, {**node.props, "funding_notes": texts})
