"""GraphML export and import through networkx, for Gephi, yEd, Cytoscape and friends.

Every node carries ``label`` (its display name, what Gephi and yEd show), ``type`` (its node
type: ``Organisation``, ``Fund``…) and ``name``; every edge a unique id, an attribute ``type``
(``TIE``, ``FUNDS``…), its ``rel_key`` when it has one, and its properties (ties their ``rung``).
Files written before kept the node type in ``label``; they still import. Files from other tools
import with a :class:`~importers.graph_mapping.GraphMapping`. Lists are joined with ``|``; values
that are neither scalars nor lists of text are JSON text, and the graph attribute
``goudkaart_codecs`` says which, so Goudkaart reads its own files back exactly. GEXF lives in
:mod:`importers.gexf` and shares this module's record conversion.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import ParseError

import networkx as nx

from graphsvc.access.visibility import Viewer, visible_props, visible_relationship
from graphsvc.model import PRIVATE_LABELS, Node, Relationship
from graphsvc.provenance import tie_provenance
from graphsvc.store.base import GraphStore, read_consistent
from importers.attributes import Codec, codecs_for, decode, encode
from importers.batch import ImportBatch, Where
from importers.graph_mapping import GraphMapping, GraphRecords, add_mapped_records
from importers.limits import CLI_LIMITS, Limits

__all__ = ["export_records", "to_networkx", "write_graphml", "read_graphml", "add_graph_records",
           "CODECS_ATTRIBUTE"]

CODECS_ATTRIBUTE: Final = "goudkaart_codecs"


def _with_provenance(rel: Relationship) -> Relationship:
    if rel.type != "TIE":
        return rel
    # in key order, so that a file read back and written again is the same file
    props = dict(sorted({**rel.props, "provenance": tie_provenance(rel.props)}.items()))
    return Relationship(rel.type, rel.start, rel.end, props, rel.key)


def export_records(store: GraphStore, viewer: Viewer) -> tuple[list[Node], list[Relationship]]:
    """Nodes (with the properties ``viewer`` may see) and relationships at one revision.

    Every tie carries its ``provenance``; proposed ties and introductions (bookkeeping between
    two organisations) go to admins only; single early signals never (they name their
    organisation: the dump keeps them for admins, the aggregates have their own CSV).
    """
    from graphsvc.actions.signals import is_signal_record

    data = read_consistent(store)
    nodes = [Node(n.id, n.label, visible_props(n, viewer)) for n in data.nodes
             if (n.label not in PRIVATE_LABELS or viewer.role == "admin") and not is_signal_record(n.label)]
    return nodes, [_with_provenance(visible_relationship(r, viewer)) for r in data.relationships
                   if not is_signal_record(r.type)]


def _node_data(node: Node) -> dict[str, Any]:
    return {"label": node.name, "type": node.label, **node.props}


def _edge_data(rel: Relationship) -> dict[str, Any]:
    return {"type": rel.type, **({"rel_key": rel.key} if rel.key else {}), **rel.props}


def to_networkx(nodes: Iterable[Node], rels: Iterable[Relationship]) -> nx.MultiDiGraph:
    """The graph as a networkx multigraph with flat, file-safe attributes.

    Examples
    --------
    >>> g = to_networkx([Node("o1", "Organisation", {"name": "A", "languages": ["ar", "nl"]}),
    ...                  Node("o2", "Organisation", {"name": "B"})],
    ...                 [Relationship("TIE", "o1", "o2", {"rung": 2})])
    >>> g.nodes["o1"], list(g.edges(keys=True, data=True))
    ({'label': 'A', 'type': 'Organisation', 'name': 'A', 'languages': 'ar|nl'}, [('o1', 'o2', 'e0', {'type': 'TIE', 'rung': 2})])
    """
    nodes, rels = list(nodes), list(rels)
    node_codecs = codecs_for(_node_data(n) for n in nodes)
    edge_codecs = codecs_for(_edge_data(r) for r in rels)
    graph = nx.MultiDiGraph()
    special = {"node": _special(node_codecs), "edge": _special(edge_codecs)}
    if special["node"] or special["edge"]:
        graph.graph[CODECS_ATTRIBUTE] = json.dumps(special, sort_keys=True, separators=(",", ":"))
    for node in nodes:
        graph.add_node(node.id, **{k: encode(v, node_codecs[k]) for k, v in _node_data(node).items()
                                   if v is not None or node_codecs[k] == "json"})
    for i, rel in enumerate(rels):  # unique edge ids: Gephi drops an edge whose id it has seen
        data = {k: encode(v, edge_codecs[k]) for k, v in _edge_data(rel).items()
                if v is not None or edge_codecs[k] == "json"}
        graph.add_edges_from([(rel.start, rel.end, f"e{i}", data)])
    return graph


def _special(codecs: Mapping[str, Codec]) -> dict[str, str]:
    return {k: v for k, v in sorted(codecs.items()) if v != "plain"}


def write_graphml(store: GraphStore, path: str | Path, viewer: Viewer) -> dict[str, int]:
    """Write the store as GraphML; confidential fields only for viewers who may see them.

    Examples
    --------
    >>> import tempfile
    >>> from graphsvc.store import open_store
    >>> from graphsvc.access.visibility import PUBLIC
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "A"}))
    >>> write_graphml(store, Path(tempfile.mkdtemp()) / "g.graphml", PUBLIC)
    {'nodes': 1, 'relationships': 0}
    """
    nodes, rels = export_records(store, viewer)
    nx.write_graphml(to_networkx(nodes, rels), str(path), encoding="utf-8")
    return {"nodes": len(nodes), "relationships": len(rels)}


def read_graphml(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS,
                 mapping: GraphMapping | None = None) -> ImportBatch:
    """Read a GraphML file into an import batch (nodes need a ``type``, edges ``type``, or a mapping).

    Examples
    --------
    >>> import tempfile
    >>> from graphsvc.store import open_store
    >>> from graphsvc.access.visibility import PUBLIC
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "A", "languages": ["ar"]}))
    >>> p = Path(tempfile.mkdtemp()) / "g.graphml"
    >>> _ = write_graphml(store, p, PUBLIC)
    >>> dict(read_graphml(p).nodes["o1"].node.props) == {"name": "A", "languages": ["ar"]}
    True
    """
    file = name or Path(path).name
    limits.check_size(path, file)
    batch = ImportBatch(file, "graphml")
    try:
        graph = nx.read_graphml(str(path), force_multigraph=True)
    except ParseError as exc:
        line, column = exc.position
        batch.error(Where("", line, str(column)), f"Dit is geen geldige XML (regel {line}, teken {column}).",
                    f"This is not valid XML (line {line}, character {column}).")
        return batch
    except (nx.NetworkXError, ValueError, KeyError) as exc:
        batch.error(Where(), f"Dit is geen bruikbare GraphML: {exc}.", f"This is not usable GraphML: {exc}.")
        return batch
    limits.check_rows(file, graph.number_of_nodes() + graph.number_of_edges())
    add_graph_records(batch, graph, _codecs(batch, graph.graph.get(CODECS_ATTRIBUTE)), mapping)
    return batch


def _codecs(batch: ImportBatch, raw: Any) -> dict[str, dict[str, Codec]]:
    empty: dict[str, dict[str, Codec]] = {"node": {}, "edge": {}}
    if raw is None:
        return empty
    try:
        found = json.loads(str(raw))
        return {"node": dict(found.get("node", {})), "edge": dict(found.get("edge", {}))}
    except (ValueError, AttributeError):
        batch.warn(Where(), f"Het graafkenmerk {CODECS_ATTRIBUTE} is onleesbaar; lijsten blijven tekst.",
                   f"The graph attribute {CODECS_ATTRIBUTE} is unreadable; lists stay text.")
        return empty


def _decoded(batch: ImportBatch, data: Mapping[str, Any], codecs: Mapping[str, Codec],
             where: Where) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, value in data.items():
        try:
            out[key] = decode(value, codecs.get(key, "plain"))
        except ValueError:
            batch.error(where.at(key), "Deze waarde is geen geldige JSON.", "This value is not valid JSON.")
            return None
    return out


def add_graph_records(batch: ImportBatch, graph: nx.MultiDiGraph,
                      codecs: Mapping[str, Mapping[str, Codec]], mapping: GraphMapping | None = None) -> None:
    """Turn a networkx graph (Goudkaart's own, or another tool's with ``mapping``) into batch records."""
    records = GraphRecords("GraphML", [], [])
    for row, (node_id, data) in enumerate(graph.nodes(data=True), 1):
        where = Where("nodes", row)
        props = _decoded(batch, data, codecs["node"], where)
        if props is None:
            batch.failed_ids.add(str(node_id))
            continue
        records.nodes.append((str(node_id), props, None, where))
    for row, (start, end, data) in enumerate(graph.edges(data=True), 1):
        where = Where("edges", row)
        props = _decoded(batch, data, codecs["edge"], where)
        if props is not None:
            records.edges.append((str(start), str(end), props, where))
    add_mapped_records(batch, records, mapping)
