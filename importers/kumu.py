"""Kumu blueprints back into Goudkaart: ``elements`` become nodes, ``connections`` relationships.

Goudkaart's Kumu export (:func:`importers.exporters.kumu_blueprint`) puts the display name in
``label`` and the node type in ``type``, and lists which fields it joined with ``|`` under
``goudkaart_lists``; reading the blueprint back restores them. Blueprints made in Kumu itself
import with a :class:`~importers.graph_mapping.GraphMapping` like any graph file from another tool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from graphsvc.errors import ImportFailed
from importers.batch import ImportBatch, Where
from importers.dump_read import json_error
from importers.graph_mapping import GraphMapping, GraphRecords, add_mapped_records
from importers.limits import CLI_LIMITS, Limits

__all__ = ["read_kumu", "LISTS_KEY"]

LISTS_KEY: Final = "goudkaart_lists"
_ENDS: Final = ("from", "to", "direction", "id", "_id")


def read_kumu(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS,
              mapping: GraphMapping | None = None) -> ImportBatch:
    """Read a Kumu blueprint (``{"elements": [...], "connections": [...]}``) into an import batch.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "map.json"
    >>> _ = p.write_text(json.dumps({"elements": [{"id": "o1", "label": "De Brug", "type": "Organisation"}],
    ...                              "connections": []}))
    >>> node = read_kumu(p).nodes["o1"].node
    >>> node.label, node.name
    ('Organisation', 'De Brug')
    """
    source = Path(path)
    file = name or source.name
    limits.check_size(source, file)
    batch = ImportBatch(file, "kumu")
    try:
        data = json.loads(source.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{file} is not UTF-8 text. / {file} is geen UTF-8-tekst.") from None
    except json.JSONDecodeError as exc:
        json_error(batch.problems, exc)
        return batch
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        batch.error(Where(), "Geen Kumu-blauwdruk: de lijst \"elements\" ontbreekt.",
                    "Not a Kumu blueprint: the list \"elements\" is missing.")
        return batch
    elements, connections = data["elements"], data.get("connections") or []
    limits.check_rows(file, len(elements) + len(connections))
    found = data.get(LISTS_KEY)
    lists: dict[str, Any] = found if isinstance(found, dict) else {}
    records = GraphRecords("Kumu", [], [])
    for row, element in enumerate(elements, 1):
        where = Where("elements", row)
        node_id = str(element.get("id") or element.get("_id") or element.get("label") or "") \
            if isinstance(element, dict) else ""
        if not node_id:
            batch.error(where.at("id"), "Dit element heeft geen id en geen label.", "This element has no id or label.")
            continue
        props = _split({k: v for k, v in element.items() if k not in ("id", "_id")}, lists.get("element", ()))
        records.nodes.append((node_id, props, str(element.get("label") or node_id), where))
    for row, connection in enumerate(connections, 1):
        where = Where("connections", row)
        if not isinstance(connection, dict) or not connection.get("from") or not connection.get("to"):
            batch.error(where.at("from"), "Deze verbinding mist 'from' of 'to'.", "This connection lacks 'from' or 'to'.")
            continue
        props = _split({k: v for k, v in connection.items() if k not in _ENDS}, lists.get("connection", ()))
        if "key" in props:
            props["rel_key"] = props.pop("key")
        records.edges.append((str(connection["from"]), str(connection["to"]), props, where))
    add_mapped_records(batch, records, mapping)
    return batch


def _split(props: dict[str, Any], list_fields: Any) -> dict[str, Any]:
    for key in list_fields if isinstance(list_fields, list) else ():
        if isinstance(props.get(key), str):
            props[key] = [v for v in props[key].split("|") if v]
    return props
