"""Read Open Referral HSDS 3.0 data (JSON or the CSV tabular data package) into flat tables.

Both forms come out the same way: resource name (``organization``, ``service``, ``attribute``,
``taxonomy_term``, ``location``, ``address``, ``organization_identifier``, ``funding``…) → rows,
each row with the number a user can find it by. Nested JSON objects become rows that point to
their parent, exactly as the CSV package stores them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.errors import ImportFailed
from importers.dump_read import json_error
from importers.limits import Limits
from importers.report import Problems
from importers.tables import read_csv_table

__all__ = ["HsdsTables", "read_hsds_json", "read_hsds_package", "package_path"]

Row = tuple[int, dict[str, Any]]


@dataclass
class HsdsTables:
    """HSDS resources as rows; ``foreign_keys`` from the package: (resource, field, target)."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)  # resource -> file or JSON list name
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, resource: str, row: int, record: dict[str, Any], sheet: str = "") -> None:
        self.rows.setdefault(resource, []).append((row, record))
        self.sheets.setdefault(resource, sheet or resource)

    def get(self, resource: str) -> list[Row]:
        return self.rows.get(resource, [])

    def sheet(self, resource: str) -> str:
        return self.sheets.get(resource, resource)


def package_path(path: Path) -> Path | None:
    """The ``datapackage.json`` of a package folder (or the file itself), if there is one."""
    if path.is_dir() and (path / "datapackage.json").is_file():
        return path / "datapackage.json"
    if path.is_file() and path.name == "datapackage.json":
        return path
    return None


def read_hsds_package(descriptor: Path, file: str, problems: Problems, limits: Limits) -> HsdsTables:
    """Read every CSV resource the descriptor lists, with its foreign keys."""
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        json_error(problems, exc)
        return HsdsTables()
    tables = HsdsTables()
    for resource in package.get("resources") or []:
        name, rel_path = str(resource.get("name", "")), str(resource.get("path", ""))
        csv_path = (descriptor.parent / rel_path).resolve()
        if not name or not rel_path or descriptor.parent.resolve() not in csv_path.parents:
            continue  # never read outside the package folder
        for fk in (resource.get("schema") or {}).get("foreignKeys") or []:
            fields = fk.get("fields")
            target = (fk.get("reference") or {}).get("resource", "")
            if isinstance(fields, str) and target:
                tables.foreign_keys.append((name, fields, str(target)))
        if not csv_path.is_file():
            continue
        table = read_csv_table(csv_path, csv_path.name, problems, limits)
        if table is None:
            continue
        for row, cells in table.rows:
            tables.add(name, row, dict(zip(table.header, cells, strict=False)), csv_path.name)
    return tables


def read_hsds_json(path: Path, file: str, problems: Problems, limits: Limits) -> HsdsTables:
    """Read an HSDS JSON document: one organization or service, a list, a page, or tabular.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{file} is not UTF-8 text. / {file} is geen UTF-8-tekst.") from None
    except json.JSONDecodeError as exc:
        json_error(problems, exc)
        return HsdsTables()
    tables = HsdsTables()
    if isinstance(data, dict) and any(str(k).endswith(".csv") for k in data):
        for key, rows in data.items():
            resource = _RESOURCE_OF_FILE.get(str(key), str(key).removesuffix(".csv"))
            for i, record in enumerate(rows if isinstance(rows, list) else [], 1):
                if isinstance(record, dict):
                    tables.add(resource, i, {k: "" if v is None else v for k, v in record.items()}, key)
        return tables
    items = data.get("contents") if isinstance(data, dict) and "contents" in data else data
    items = items if isinstance(items, list) else [items]
    limits.check_rows(file, len(items))
    flattener = _Flattener(tables)
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            flattener.item(item, i)
    return tables


_RESOURCE_OF_FILE = {
    "organizations.csv": "organization", "services.csv": "service", "attributes.csv": "attribute",
    "taxonomy_terms.csv": "taxonomy_term", "taxonomies.csv": "taxonomy", "locations.csv": "location",
    "addresses.csv": "address", "organization_identifiers.csv": "organization_identifier",
    "funding.csv": "funding", "service_at_location.csv": "service_at_location",
}


def _list(obj: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
    value = obj.get(key)
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, dict))


class _Flattener:
    """Nested HSDS JSON → the rows the CSV package would hold."""

    def __init__(self, tables: HsdsTables) -> None:
        self.tables = tables
        self.counts: dict[str, int] = {}

    def _add(self, resource: str, record: dict[str, Any]) -> None:
        self.counts[resource] = self.counts.get(resource, 0) + 1
        flat = {k: v for k, v in record.items() if not isinstance(v, (dict, list))}
        self.tables.add(resource, self.counts[resource], flat, resource)

    def item(self, obj: dict[str, Any], position: int) -> None:
        if isinstance(obj.get("service"), dict) or isinstance(obj.get("location"), dict):
            org_id = self.service(obj["service"]) if isinstance(obj.get("service"), dict) else ""
            if isinstance(obj.get("location"), dict):
                self.location(obj["location"], org_id)
        elif "status" in obj or isinstance(obj.get("organization"), dict):
            self.service(obj)
        elif "location_type" in obj:
            self.location(obj, "")
        elif not {"code", "term_uri", "version", "taxonomy_detail"} & set(obj):  # not a taxonomy
            self.organization(obj)

    def organization(self, obj: dict[str, Any]) -> str:
        org_id = str(obj.get("id") or "")
        self._add("organization", obj)
        for ident in _list(obj, "organization_identifiers"):
            self._add("organization_identifier", {**ident, "organization_id": org_id})
        for funding in _list(obj, "funding"):
            self._add("funding", {**funding, "organization_id": org_id})
        for location in _list(obj, "locations"):
            self.location(location, org_id)
        for service in _list(obj, "services"):
            self.service(service, org_id)
        return org_id

    def service(self, obj: dict[str, Any], org_id: str = "") -> str:
        if isinstance(obj.get("organization"), dict):
            org_id = self.organization(obj["organization"])
        service_id = str(obj.get("id") or "")
        self._add("service", {**obj, "organization_id": org_id or obj.get("organization_id", "")})
        for attribute in _list(obj, "attributes"):
            term = attribute.get("taxonomy_term")
            term_id = attribute.get("taxonomy_term_id") or (term.get("id") if isinstance(term, dict) else "")
            self._add("attribute", {**attribute, "link_id": service_id, "taxonomy_term_id": term_id})
            if isinstance(term, dict):
                detail = term.get("taxonomy_detail")
                taxonomy = detail.get("name") if isinstance(detail, dict) else term.get("taxonomy")
                self._add("taxonomy_term", {**term, "taxonomy": taxonomy or ""})
        for sal in _list(obj, "service_at_locations"):
            if isinstance(sal.get("location"), dict):
                self.location(sal["location"], org_id)
        for funding in _list(obj, "funding"):
            self._add("funding", {**funding, "organization_id": org_id, "service_id": service_id})
        return org_id

    def location(self, obj: dict[str, Any], org_id: str) -> None:
        location_id = str(obj.get("id") or "")
        self._add("location", {**obj, "organization_id": obj.get("organization_id") or org_id})
        for address in _list(obj, "addresses"):
            self._add("address", {**address, "location_id": location_id})
