"""GEXF 1.2 export and import (Gephi's own format), written and read with the standard library.

networkx's GEXF writer turns the edge attributes ``type``, ``start`` and ``end`` into GEXF's own
edge type and time slices, which would break ``FUNDS.start`` dates and make files Gephi rejects,
so this module writes the XML itself. Each node's GEXF label is its name (what Gephi shows);
the attributes ``type`` (node type), ``name``, edge ``type`` and ties' ``rung`` are as in
:mod:`importers.graphml` (older files with the node type in ``label`` still import; files from
Gephi itself import with a :class:`~importers.graph_mapping.GraphMapping`, their GEXF labels as names). An attribute id ``list:x`` or ``json:x`` records how ``x`` is encoded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree as ET

from graphsvc.access.visibility import Viewer
from graphsvc.model import Node, Relationship
from graphsvc.store.base import GraphStore
from importers.attributes import Codec, codecs_for, decode, encode
from importers.batch import ImportBatch, Where
from importers.graph_mapping import GraphMapping, GraphRecords, add_mapped_records
from importers.graphml import export_records
from importers.limits import CLI_LIMITS, Limits

__all__ = ["write_gexf", "read_gexf", "gexf_tree"]

NS: Final = "http://www.gexf.net/1.2draft"
_TYPES: Final = {bool: "boolean", int: "long", float: "double", str: "string"}
_PARSE: Final[dict[str, Callable[[str], Any]]] = {
    "boolean": lambda v: v.strip().lower() in ("true", "1"), "long": int, "integer": int,
    "double": float, "float": float}


def _attr_id(key: str, codec: Codec) -> str:
    return key if codec == "plain" else f"{codec}:{key}"


def _declare(parent: ET.Element, cls: str, records: list[dict[str, Any]]) -> dict[str, Codec]:
    codecs = codecs_for(records, strict_types=True)
    block = ET.SubElement(parent, "attributes", {"class": cls, "mode": "static"})
    for key, codec in codecs.items():
        sample = next(r[key] for r in records if key in r)
        kind = _TYPES.get(type(sample), "string") if codec == "plain" else "string"
        ET.SubElement(block, "attribute", {"id": _attr_id(key, codec), "title": key, "type": kind})
    return codecs


def _values(parent: ET.Element, data: Mapping[str, Any], codecs: Mapping[str, Codec]) -> None:
    values = ET.SubElement(parent, "attvalues")
    for key, value in data.items():
        if value is None and codecs[key] != "json":
            continue
        encoded = encode(value, codecs[key])
        text = str(encoded).lower() if isinstance(encoded, bool) else str(encoded)
        ET.SubElement(values, "attvalue", {"for": _attr_id(key, codecs[key]), "value": text})


def gexf_tree(nodes: Iterable[Node], rels: Iterable[Relationship]) -> ET.ElementTree:
    """The GEXF document for these records.

    Examples
    --------
    >>> tree = gexf_tree([Node("o1", "Organisation", {"name": "A"})], [])
    >>> tree.getroot().find("graph/nodes/node").get("label")
    'A'
    """
    node_data = [{"type": n.label, **n.props} for n in nodes]
    node_ids = [n.id for n in nodes]
    edges = list(rels)
    edge_data = [{"type": r.type, **({"rel_key": r.key} if r.key else {}), **r.props} for r in edges]
    root = ET.Element("gexf", {"xmlns": NS, "version": "1.2"})
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "Goudkaart"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    node_codecs = _declare(graph, "node", node_data)
    edge_codecs = _declare(graph, "edge", edge_data)
    nodes_el = ET.SubElement(graph, "nodes")
    for node_id, data in zip(node_ids, node_data, strict=True):
        el = ET.SubElement(nodes_el, "node", {"id": node_id, "label": str(data.get("name", node_id))})
        _values(el, data, node_codecs)
    edges_el = ET.SubElement(graph, "edges")
    for i, (rel, data) in enumerate(zip(edges, edge_data, strict=True)):
        # all edges directed (a TIE from its smaller id): networkx cannot read mixed graphs
        attrs = {"id": f"e{i}", "source": rel.start, "target": rel.end, "label": rel.type}
        _values(ET.SubElement(edges_el, "edge", attrs), data, edge_codecs)
    ET.indent(root)
    return ET.ElementTree(root)


def write_gexf(store: GraphStore, path: str | Path, viewer: Viewer) -> dict[str, int]:
    """Write the store as GEXF 1.2; confidential fields only for viewers who may see them.

    Examples
    --------
    >>> import tempfile
    >>> from graphsvc.store import open_store
    >>> from graphsvc.access.visibility import PUBLIC
    >>> write_gexf(open_store("sqlite:///:memory:"), Path(tempfile.mkdtemp()) / "g.gexf", PUBLIC)
    {'nodes': 0, 'relationships': 0}
    """
    nodes, rels = export_records(store, viewer)
    gexf_tree(nodes, rels).write(str(path), encoding="utf-8", xml_declaration=True)
    return {"nodes": len(nodes), "relationships": len(rels)}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _attribute_table(graph: ET.Element, cls: str) -> dict[str, tuple[str, str, Codec]]:
    table: dict[str, tuple[str, str, Codec]] = {}
    for block in _children(graph, "attributes"):
        if block.get("class") != cls:
            continue
        for attr in _children(block, "attribute"):
            attr_id = attr.get("id", "")
            prefix = attr_id.split(":", 1)[0] if ":" in attr_id else "plain"
            codec: Codec = "list" if prefix == "list" else "json" if prefix == "json" else "plain"
            table[attr_id] = (attr.get("title") or attr_id, attr.get("type", "string"), codec)
    return table


def _read_values(batch: ImportBatch, el: ET.Element, table: Mapping[str, tuple[str, str, Codec]],
                 where: Where) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    for block in _children(el, "attvalues"):
        for value in _children(block, "attvalue"):
            title, kind, codec = table.get(value.get("for", ""), (value.get("for", ""), "string", "plain"))
            raw = value.get("value", "")
            try:
                data[title] = decode(raw, codec) if codec != "plain" else _PARSE.get(kind, str)(raw)
            except ValueError:
                batch.error(where.at(title), f"De waarde {raw[:40]!r} past niet bij type {kind}.",
                            f"The value {raw[:40]!r} does not fit type {kind}.")
                return None
    return data


def read_gexf(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS,
              mapping: GraphMapping | None = None) -> ImportBatch:
    """Read a GEXF file into an import batch (nodes need a ``type``, edges ``type``, or a mapping).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "g.gexf"
    >>> gexf_tree([Node("o1", "Organisation", {"name": "A", "languages": ["ar", "nl"]})], []).write(p)
    >>> read_gexf(p).nodes["o1"].node.props
    mappingproxy({'name': 'A', 'languages': ['ar', 'nl']})
    """
    file = name or Path(path).name
    limits.check_size(path, file)
    batch = ImportBatch(file, "gexf")
    try:
        root = ET.parse(str(path)).getroot()
    except ET.ParseError as exc:
        line, column = exc.position
        batch.error(Where("", line, str(column)), f"Dit is geen geldige XML (regel {line}, teken {column}).",
                    f"This is not valid XML (line {line}, character {column}).")
        return batch
    graph = next(iter(_children(root, "graph")), None)
    if _local(root.tag) != "gexf" or graph is None:
        batch.error(Where(), "Dit is geen GEXF-bestand.", "This is not a GEXF file.")
        return batch
    nodes = [n for block in _children(graph, "nodes") for n in _children(block, "node")]
    edges = [e for block in _children(graph, "edges") for e in _children(block, "edge")]
    limits.check_rows(file, len(nodes) + len(edges))
    node_table, edge_table = _attribute_table(graph, "node"), _attribute_table(graph, "edge")
    records = GraphRecords("GEXF", [], [])
    for row, el in enumerate(nodes, 1):
        where = Where("nodes", row)
        data = _read_values(batch, el, node_table, where)
        if data is None:
            batch.failed_ids.add(el.get("id", ""))
        else:
            records.nodes.append((el.get("id", ""), data, el.get("label"), where))
    for row, el in enumerate(edges, 1):
        where = Where("edges", row)
        data = _read_values(batch, el, edge_table, where)
        if data is not None:
            if el.get("weight") is not None and "type" not in data:  # another tool's edge weight
                data.setdefault("weight", el.get("weight"))
            records.edges.append((el.get("source", ""), el.get("target", ""), data, where))
    add_mapped_records(batch, records, mapping)
    return batch
