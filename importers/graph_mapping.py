"""Graph files from other tools (Gephi, yEd, networkx): which node type, edge type and rung they get.

Goudkaart's own GraphML and GEXF carry the node type in ``type`` (older exports: in ``label``)
and the edge type in ``type``. Files from other tools carry neither: their nodes have a display
label (GEXF's own ``label``, or a GraphML attribute ``label``/``name``/``Label``) and their
edges perhaps a numeric ``weight``. A :class:`GraphMapping` says what to make of them; without
one such a file gets a single message that shows the command with the mapping options.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final

from graphsvc.model import LABELS, REL_TYPES, Node
from importers.batch import ImportBatch, Where
from importers.cells import slug
from importers.graph_edges import add_edge_record

__all__ = ["GraphMapping", "NAME_KEYS", "node_type_and_name", "WeightBins", "weight_bins",
           "unmapped_message", "GraphRecords", "add_mapped_records", "edge_type_of", "number", "id_space"]

#: The attributes other tools show as a node's name, in order of preference.
NAME_KEYS: Final = ("name", "label", "Label", "Name")


@dataclass(frozen=True)
class GraphMapping:
    """Choices for a graph file that does not follow Goudkaart's convention.

    ``node_type`` for nodes without one, ``edge_type`` for edges without one, ``rung`` for ties
    without one, or ``rung_from="weight"``: the edge weight, binned into rungs 1-5.
    """

    node_type: str | None = None
    edge_type: str | None = None
    rung: int | None = None
    rung_from: str | None = None

    def __post_init__(self) -> None:
        if self.node_type is not None and self.node_type not in LABELS:
            raise ValueError(f"unknown node type {self.node_type!r}")
        if self.edge_type is not None and self.edge_type not in REL_TYPES:
            raise ValueError(f"unknown edge type {self.edge_type!r}")

    @property
    def empty(self) -> bool:
        return self.node_type is None and self.edge_type is None

    def options(self) -> str:
        """The CLI options that give this mapping (for messages and the preview)."""
        parts = [f"--node-type {self.node_type}" if self.node_type else "",
                 f"--edge-type {self.edge_type}" if self.edge_type else "",
                 f"--rung {self.rung}" if self.rung else "",
                 f"--rung-from {self.rung_from}" if self.rung_from else ""]
        return " ".join(p for p in parts if p)


def node_type_and_name(data: dict[str, Any], native_label: str | None,
                       mapping: GraphMapping | None) -> tuple[str | None, str | None]:
    """The node type and name of one node; removes the attributes it used from ``data``.

    Examples
    --------
    >>> node_type_and_name({"type": "Organisation", "label": "De Brug", "name": "De Brug"}, None, None)
    ('Organisation', 'De Brug')
    >>> node_type_and_name({"label": "Fund", "name": "Oranje Fonds"}, None, None)  # older exports
    ('Fund', 'Oranje Fonds')
    >>> node_type_and_name({"Label": "Myriel"}, None, GraphMapping(node_type="Organisation"))
    ('Organisation', 'Myriel')
    >>> node_type_and_name({}, "Myriel", None)
    (None, 'Myriel')
    """
    kind = data.get("type")
    if isinstance(kind, str) and kind in LABELS:
        del data["type"]
        label = data.pop("label", None)
        return kind, str(data.get("name") or label or native_label or "") or None
    label = data.get("label")
    if isinstance(label, str) and label in LABELS:
        del data["label"]
        return label, str(data.get("name") or native_label or "") or None
    name = next((str(data.pop(k)) for k in NAME_KEYS if k in data and str(data[k]).strip()), None)
    for key in NAME_KEYS:
        data.pop(key, None)
    name = name or native_label
    return (mapping.node_type if mapping else None), name


@dataclass(frozen=True)
class WeightBins:
    """Upper bounds of the weights for rungs 1-4 (rung 5 takes the rest).

    Examples
    --------
    >>> bins = weight_bins([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    >>> bins.bounds, [bins.rung(w) for w in (1, 3, 10)]
    ((2.0, 4.0, 6.0, 8.0), [1, 2, 5])
    >>> weight_bins([1, 3, 5]).rung(3)  # weights that are rungs already stay as they are
    3
    """

    bounds: tuple[float, ...]

    def rung(self, weight: float) -> int:
        return 1 + sum(weight > b for b in self.bounds)

    def describe(self) -> list[tuple[int, float | None, float | None]]:
        """``(rung, lowest weight exclusive or None, highest weight inclusive or None)`` per rung."""
        edges = (None, *self.bounds, None)
        return [(i + 1, edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def weight_bins(weights: Iterable[float]) -> WeightBins:
    """Five rungs from edge weights: the weights themselves when they are 1-5, else quintiles.

    Examples
    --------
    >>> weight_bins([0.1, 0.2, 0.3, 0.4, 0.5]).bounds
    (0.1, 0.2, 0.3, 0.4)
    """
    values = sorted(float(w) for w in weights)
    if not values or all(v.is_integer() and 1 <= v <= 5 for v in values):
        return WeightBins((1.0, 2.0, 3.0, 4.0))
    n = len(values)
    return WeightBins(tuple(values[max(0, (n * q) // 5 - 1)] for q in (1, 2, 3, 4)))


def number(value: Any) -> float | None:
    """A numeric attribute value, or None.

    Examples
    --------
    >>> number("2.5"), number(3), number("heavy"), number(True)
    (2.5, 3.0, None, None)
    """
    if isinstance(value, bool):
        return None
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if found == found else None


def unmapped_message(fmt: str, file: str, untyped_nodes: int, untyped_edges: int,
                     mapping: GraphMapping | None, weights: bool) -> tuple[str, str]:
    """The one message for a file from another tool that no mapping covers (Dutch, English).

    Examples
    --------
    >>> unmapped_message("GEXF", "lesmis.gexf", 77, 254, None, True)[1].split(": ")[-1]
    'graphsvc import lesmis.gexf --node-type Organisation --edge-type TIE --rung-from weight (or choose it on the Data page).'
    """
    suggestion = GraphMapping(
        node_type=(mapping.node_type if mapping and mapping.node_type else "Organisation"),
        edge_type=(mapping.edge_type if mapping and mapping.edge_type else "TIE"),
        rung=None if weights else 2, rung_from="weight" if weights else None)
    shown = file if file and " " not in file else f'"{file or "FILE"}"'
    command = f"graphsvc import {shown} {suggestion.options()}"
    nl = (f"Dit {fmt}-bestand volgt de Goudkaart-indeling niet: {_n(untyped_nodes, 'knoop', 'knopen')} zonder "
          f"soort (kenmerk 'type', zoals Organisation) en {_n(untyped_edges, 'verbinding', 'verbindingen')} "
          "zonder soort (zoals TIE). "
          f"Kies wat ze zijn, bijvoorbeeld: {command} (of kies het op de pagina Gegevens).")
    en = (f"This {fmt} file does not follow Goudkaart's convention: {_n(untyped_nodes, 'node', 'nodes')} "
          f"without a type (attribute 'type', such as Organisation) and {_n(untyped_edges, 'edge', 'edges')} "
          "without a type (such as TIE). "
          f"Say what they are, for example: {command} (or choose it on the Data page).")
    return nl, en


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def edge_type_of(data: Mapping[str, Any], mapping: GraphMapping | None) -> str | None:
    """The edge's own ``type`` when it is a relationship type, else the mapped one.

    Examples
    --------
    >>> edge_type_of({"type": "FUNDS"}, None), edge_type_of({}, GraphMapping(edge_type="TIE")), edge_type_of({}, None)
    ('FUNDS', 'TIE', None)
    """
    kind = data.get("type")
    if isinstance(kind, str) and kind in REL_TYPES:
        return kind
    return mapping.edge_type if mapping else None


@dataclass
class GraphRecords:
    """Nodes and edges as read from a graph file, before their types are decided."""

    fmt: str
    nodes: list[tuple[str, dict[str, Any], str | None, Where]]
    edges: list[tuple[str, str, dict[str, Any], Where]]


def add_mapped_records(batch: ImportBatch, records: GraphRecords, mapping: GraphMapping | None) -> None:
    """Add a graph file's nodes and edges to ``batch``, typed by the file or by ``mapping``.

    Everything no type covers is named in one message (with the command to use), not per node.

    Examples
    --------
    >>> batch = ImportBatch("g.gexf", "gexf")
    >>> records = GraphRecords("GEXF", [("0", {}, "Myriel", Where("nodes", 1)), ("1", {}, "Napoleon", Where("nodes", 2))],
    ...                        [("1", "0", {"weight": "1.0"}, Where("edges", 1))])
    >>> add_mapped_records(batch, records, GraphMapping("Organisation", "TIE", rung=2))
    >>> batch.nodes["g-0"].node.name, batch.rels[0].rel.props["rung"]
    ('Myriel', 2)
    >>> sorted((batch.rels[0].rel.start, batch.rels[0].rel.end))  # the file's ids, kept apart by its name
    ['g-0', 'g-1']
    """
    untyped_nodes: list[tuple[str, Where]] = []
    local: dict[str, str] = {}  # a mapped node's id in the file -> its id in the map
    space = id_space(batch.file)
    for node_id, data, native, where in records.nodes:
        own_type = _has_own_type(data)
        kind, name = node_type_and_name(data, native, mapping)
        if kind is None:
            untyped_nodes.append((node_id, where))
            batch.failed_ids.add(node_id)
            continue
        data["name"] = data.get("name") or name or node_id
        if not own_type:  # another tool's id ("n0", "0"): meaningful inside this file only
            local[node_id] = f"{space}-{node_id}"
            node_id = local[node_id]
        batch.add_node(Node(node_id, kind, data), where)
    weights = [w for _, _, d, _ in records.edges if (w := number(d.get("weight"))) is not None]
    bins = weight_bins(weights)
    untyped_edges: list[Where] = []
    seen: set[tuple[str, ...]] = set()
    skipped = no_rung = 0
    for start, end, data, where in records.edges:
        kind = edge_type_of(data, mapping)
        if kind is None:
            untyped_edges.append(where)
            continue
        if data.get("type") != kind:  # typed by the mapping: a file from another tool
            pair = (kind, *sorted((start, end))) if kind == "TIE" else (kind, start, end)
            if start == end or pair in seen:
                skipped += 1
                continue
            seen.add(pair)
            if not _map_rung(data, kind, mapping, bins):
                no_rung += 1
                continue
        data["type"] = kind
        add_edge_record(batch, local.get(start, start), local.get(end, end), data, where)
    _untyped(batch, records, untyped_nodes, untyped_edges, mapping, bool(weights))
    if no_rung:
        batch.error(Where(), f"{no_rung:,} verbindingen worden banden (TIE) maar hebben geen trede: "
                    "geef --rung 1-5 of --rung-from weight.",
                    f"{no_rung:,} edges become ties (TIE) but have no rung: give --rung 1-5 or --rung-from weight.")
    if skipped:
        batch.warn(Where(), f"{skipped:,} lussen of dubbele verbindingen overgeslagen.",
                   f"{skipped:,} self-loops or parallel edges skipped.", kind="mapped skipped")


def id_space(file: str) -> str:
    """The prefix of the ids of a file's nodes that another tool numbered (yEd's ``n0``, Gephi's
    ``0``): its name without folder and extension, so the same file imported again updates the same
    nodes, and two files that both have an ``n0`` do not overwrite each other's organisations.

    Examples
    --------
    >>> id_space("/tmp/uploads/Netwerk Oost (2024).graphml"), id_space("les.gexf"), id_space(".graphml")
    ('netwerk-oost-2024', 'les', 'graph')
    >>> id_space("netwerk")
    'netwerk'
    """
    name = PurePath(file).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return slug(stem) if stem and slug(stem) != "x" else "graph"


def _has_own_type(data: Mapping[str, Any]) -> bool:
    """Whether a node says its Goudkaart type itself (Goudkaart's own exports), as
    :func:`node_type_and_name` reads it."""
    return data.get("type") in LABELS or data.get("label") in LABELS


def _untyped(batch: ImportBatch, records: GraphRecords, nodes: list[tuple[str, Where]], edges: list[Where],
             mapping: GraphMapping | None, weights: bool) -> None:
    """A file that follows the convention: an error per untyped record; one that does not: one message."""
    no_node_typed = bool(nodes) and len(nodes) == len(records.nodes)
    no_edge_typed = bool(edges) and len(edges) == len(records.edges)
    if no_node_typed or no_edge_typed:
        batch.error(Where(), *unmapped_message(records.fmt, batch.file, len(nodes), len(edges), mapping, weights))
        return
    for node_id, where in nodes:
        batch.error(where.at("type"), f"Knoop {node_id!r} heeft geen kenmerk 'type' (Organisation, Fund, …).",
                    f"Node {node_id!r} has no attribute 'type' (Organisation, Fund, …).")
    for where in edges:
        batch.error(where.at("type"), "Deze verbinding heeft geen kenmerk 'type' (TIE, FUNDS, …).",
                    "This edge has no attribute 'type' (TIE, FUNDS, …).")


def _map_rung(data: dict[str, Any], kind: str, mapping: GraphMapping | None, bins: WeightBins) -> bool:
    """Give a mapped tie its rung; False when nothing says which."""
    if kind != "TIE" or "rung" in data:
        return True
    weight = number(data.get("weight"))
    if mapping is not None and mapping.rung_from == "weight" and weight is not None:
        data["rung"] = bins.rung(weight)
        data.pop("weight")
    elif mapping is not None and mapping.rung is not None:
        data["rung"] = mapping.rung
    return "rung" in data
