"""Exports: one entry point for every format, each passing through the viewer's confidentiality filter.

* ``json`` — the full dump (:mod:`importers.dump`), everything incl. tie history; confidential
  fields only for viewers who may see them (admins see all);
* ``graphml`` / ``gexf`` — for Gephi and friends (:mod:`importers.graphml`, :mod:`importers.gexf`);
* ``kumu`` — a Kumu blueprint (JSON with ``elements`` and ``connections``);
* ``csv`` / ``xlsx`` — the spreadsheet templates, formula-safe (:mod:`importers.tabular_export`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from graphsvc.access.visibility import Viewer
from graphsvc.errors import InvalidInput
from graphsvc.model import CONFIDENTIAL_FIELDS, Node, Relationship
from graphsvc.store.base import GraphStore
from importers.batch import Progress
from importers.kumu import LISTS_KEY

__all__ = ["EXPORT_FORMATS", "SUFFIXES", "MEDIA_TYPES", "kumu_blueprint", "write_kumu", "export_store"]

EXPORT_FORMATS: Final = ("json", "graphml", "gexf", "kumu", "csv", "xlsx")
SUFFIXES: Final = {"json": ".json", "graphml": ".graphml", "gexf": ".gexf", "kumu": ".kumu.json",
                   "csv": ".zip", "xlsx": ".xlsx"}
MEDIA_TYPES: Final = {
    "json": "application/json", "graphml": "application/xml", "gexf": "application/xml",
    "kumu": "application/json", "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _kumu_value(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "|".join(str(v) for v in value)  # Kumu's own multi-value separator
    if isinstance(value, dict | list):
        return None
    return value


def kumu_blueprint(nodes: list[Node], rels: list[Relationship]) -> dict[str, Any]:
    """A Kumu blueprint: elements (``label`` = name, ``type`` = DESIGN label) and connections.

    Connections name their ends by element ``id``; ties are undirected and carry their rung.
    Confidential fields never go to Kumu, whoever exports (it is a third-party service).
    :func:`importers.kumu.read_kumu` reads the blueprint back.

    Examples
    --------
    >>> bp = kumu_blueprint([Node("o1", "Organisation", {"name": "A", "capacity": {"x": 1}}),
    ...                      Node("o2", "Organisation", {"name": "B"})],
    ...                     [Relationship("TIE", "o1", "o2", {"rung": 3})])
    >>> bp["elements"][0], bp["connections"][0]["direction"]
    ({'id': 'o1', 'label': 'A', 'type': 'Organisation'}, 'undirected')
    """
    elements: list[dict[str, Any]] = []
    lists: dict[str, set[str]] = {"element": set(), "connection": set()}
    for node in nodes:
        element: dict[str, Any] = {"id": node.id, "label": node.name, "type": node.label}
        for key, value in node.props.items():
            shown = _kumu_value(value)
            if key not in ("name", *CONFIDENTIAL_FIELDS) and shown is not None:
                element[key] = shown
                if isinstance(value, list):
                    lists["element"].add(key)
        elements.append(element)
    connections = []
    for rel in rels:
        connection: dict[str, Any] = {"from": rel.start, "to": rel.end, "type": rel.type,
                                      "direction": "undirected" if rel.type == "TIE" else "directed"}
        if rel.key:
            connection["key"] = rel.key
        for key, value in rel.props.items():
            if (shown := _kumu_value(value)) is not None:
                connection[key] = shown
                if isinstance(value, list):
                    lists["connection"].add(key)
        connections.append(connection)
    # which fields were lists, so that Goudkaart reads its own blueprint back (Kumu ignores it)
    return {"elements": elements, "connections": connections,
            LISTS_KEY: {kind: sorted(keys) for kind, keys in lists.items()}}


def write_kumu(store: GraphStore, path: str | Path, viewer: Viewer) -> dict[str, int]:
    """Write the Kumu blueprint of the store (what ``viewer`` may see, minus confidential fields)."""
    from importers.graphml import export_records

    nodes, rels = export_records(store, viewer)
    blueprint = kumu_blueprint(nodes, rels)
    Path(path).write_text(json.dumps(blueprint, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"elements": len(blueprint["elements"]), "connections": len(blueprint["connections"])}


def _writer(fmt: str) -> Callable[[GraphStore, Path, Viewer], dict[str, int]]:
    if fmt == "graphml":
        from importers.graphml import write_graphml

        return write_graphml
    if fmt == "gexf":
        from importers.gexf import write_gexf

        return write_gexf
    if fmt == "kumu":
        return write_kumu
    from importers.tabular_export import write_csv_export, write_xlsx_export

    return write_csv_export if fmt == "csv" else write_xlsx_export


def export_store(store: GraphStore, fmt: str, path: str | Path, viewer: Viewer, *,
                 progress: Progress | None = None) -> dict[str, int]:
    """Write the store in ``fmt`` to ``path`` for ``viewer``; return what was written, counted.

    Examples
    --------
    >>> import tempfile
    >>> from graphsvc.store import open_store
    >>> from graphsvc.access.visibility import Viewer
    >>> out = Path(tempfile.mkdtemp()) / "all.json"
    >>> export_store(open_store("sqlite:///:memory:"), "json", out, Viewer("admin"))
    {'nodes': 0, 'relationships': 0, 'tie_events': 0}
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"Unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}. / "
                           f"Onbekend exportformaat {fmt!r}; kies uit {', '.join(EXPORT_FORMATS)}.")
    target = Path(path)
    if fmt == "json":
        from importers.dump import write_store_dump

        return write_store_dump(store, target, viewer, progress=progress)
    return _writer(fmt)(store, target, viewer)
