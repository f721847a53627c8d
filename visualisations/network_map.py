"""The map payload: nodes and edges for vis-network, filtered by area, interest, type and rung.

Every string in the payload is plain text: vis-network (≥ 9) renders a string ``title`` as text,
so names such as ``<img src=x onerror=…>`` show literally and never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.provenance import provenance_name, tie_provenance
from graphsvc.snapshot import Snapshot
from graphsvc.store.kept import KeptData
from queries.grants import counts_as_funding, is_pending
from queries.islands import islands
from visualisations.map_aggregate import aggregate_payload
from visualisations.map_layout import position_nodes
from visualisations.styles import ISLAND_STYLE, NODE_STYLES, RUNG_COLOURS, edge_width, node_colour

__all__ = ["MapFilters", "MAP_TYPES", "map_payload", "build_map_payload", "map_inputs"]

MAP_TYPES = ("Organisation", "Institution", "Fund", "Interest")
_EDGE_TYPES = {
    "TIE": ("Organisation", "Institution"),
    "FUNDS": ("Fund",),
    "WORKS_ON": ("Interest",),
}


@dataclass(frozen=True)
class MapFilters:
    """What the map shows; the same filters drive the page, the API and the offline file."""

    area: str | None = None
    interest: str | None = None
    types: tuple[str, ...] = ("Organisation", "Institution", "Fund")
    min_rung: int = 0
    focus: str | None = None
    focus_limit: int = 100

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in MAP_TYPES]
        if unknown:
            raise InvalidInput(
                f"Parameter 'types' has unknown node type(s) {', '.join(unknown)}; use "
                f"{', '.join(MAP_TYPES)}."
            )
        if not 0 <= self.min_rung <= 5:
            raise InvalidInput("Parameter 'min_rung' must be a whole number from 0 to 5.")
        if not 1 <= self.focus_limit <= 100_000:
            raise InvalidInput("Parameter 'focus_limit' must be a whole number from 1 to 100000.")

    @property
    def narrowed(self) -> bool:
        """True when an area, theme or focus already limits the view."""
        return bool(self.area or self.interest or self.focus)


def _island_ids(snap: Snapshot, area: str | None) -> set[str]:
    # one definition of an island for map, list, API and meeting mode (queries/islands.py)
    return {island.id for island in islands(snap, area)}


def _focus_partners(snap: Snapshot, focus: str, limit: int) -> tuple[set[str], int]:
    """The focus actor and its strongest ``limit`` partners; how many more there are."""
    partners = sorted(snap.ties.get(focus, {}).items(), key=lambda t: (-t[1], t[0]))
    return {focus, *(p for p, _ in partners[:limit])}, max(0, len(partners) - limit)


def _selected_actors(snap: Snapshot, f: MapFilters) -> tuple[list[str], int]:
    actors = snap.actors_in(f.area)
    if f.interest:
        snap.node(f.interest, "Interest")
        workers = snap.sources("WORKS_ON", f.interest)
        actors = [a for a in actors if a in workers]
    more = 0
    if f.focus:
        if snap.node(f.focus).label not in ("Organisation", "Institution"):
            raise InvalidInput("Parameter 'focus' must be an organisation or institution.")
        keep, more = _focus_partners(snap, f.focus, f.focus_limit)
        actors = [a for a in actors if a in keep]
    return actors, more


_ISLAND_TEXT = {
    ("nl", False): "Eiland: nog geen band op trede 2 of hoger",
    ("en", False): "Island: no tie at rung 2 or higher yet",
    ("nl", True): "Eiland in dit gebied: nog geen band op trede 2 of hoger met iemand die hier actief is",
    ("en", True): "Island in this area: no tie at rung 2 or higher with anyone active in this area yet",
}


def _node_entry(snap: Snapshot, node_id: str, island: bool, lang: str,
                in_area: bool = False) -> dict[str, Any]:
    node = snap.nodes[node_id]
    style = ISLAND_STYLE if island else NODE_STYLES[node.label]
    area_ids = sorted(snap.targets("ACTIVE_IN", node_id))
    areas = sorted(snap.name(a) for a in area_ids)
    label_text = node.props.get("name_en", node.name) if lang == "en" else node.name
    title_lines = [str(label_text), _type_name(node.label, lang)]
    if areas:
        title_lines.append(", ".join(areas))
    if island:
        title_lines.append(_ISLAND_TEXT[("nl" if lang == "nl" else "en", in_area)])
    entry: dict[str, Any] = {
        "id": node_id,
        "label": str(label_text),
        "group": node.label,
        "title": "\n".join(title_lines),
        "shape": style["shape"],
        "size": 24 if island else 14,
        "color": node_colour(node.label, island),
        "borderWidth": 2 if island else 1,
        "island": island,
        "areas": area_ids,
    }
    return entry


_TYPE_NAMES = {
    "nl": {"Organisation": "Organisatie", "Institution": "Instelling", "Fund": "Fonds",
           "Interest": "Thema"},
    "en": {"Organisation": "Organisation", "Institution": "Institution", "Fund": "Fund",
           "Interest": "Theme"},
}


def _type_name(label: str, lang: str) -> str:
    return _TYPE_NAMES.get(lang, _TYPE_NAMES["nl"]).get(label, label)


def _edges(snap: Snapshot, shown: set[str], f: MapFilters, lang: str) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    floor = max(f.min_rung, 1)
    word = "rung" if lang == "en" else "trede"
    titles: dict[tuple[int, str], str] = {}  # a few dozen distinct tooltips among thousands of ties
    widths = {rung: edge_width("TIE", rung) for rung in RUNG_COLOURS}
    no_props: dict[str, Any] = {}
    no_ties: dict[str, int] = {}
    for a in sorted(shown):
        near = snap.ties.get(a, no_ties)
        for b in sorted(b for b in near if a < b and b in shown):
            rung = near[b]
            if rung < floor:
                continue
            provenance = tie_provenance(snap.tie_props.get((a, b), no_props))
            title = titles.get((rung, provenance))
            if title is None:
                title = titles[(rung, provenance)] = f"{word} {rung} · {provenance_name(provenance, lang)}"
            edges.append({"id": f"TIE:{a}:{b}", "from": a, "to": b, "type": "TIE", "rung": rung,
                          "width": widths[rung], "color": RUNG_COLOURS[rung],
                          "provenance": provenance, "title": title})
        for rel_type in ("FUNDS", "WORKS_ON"):
            for b, props in snap.out(rel_type, a):
                if b in shown and (rel_type != "FUNDS" or _on_map(props)):
                    edge: dict[str, Any] = {"id": f"{rel_type}:{a}:{b}:{props.get('key', '')}", "from": a,
                            "to": b, "type": rel_type, "rung": 0, "dashes": True,
                            "width": edge_width(rel_type), "color": "#bbbbbb"}
                    if rel_type == "FUNDS" and is_pending(props):
                        edge.update(dashes=[2, 6], pending=True, title=_PENDING[lang])
                    edges.append(edge)
    return edges


#: How a pending application's line is described (a grant line is money received).
_PENDING = {"nl": "aangevraagd, nog niet toegekend", "en": "applied for, not granted yet"}


def _on_map(grant: Any) -> bool:
    """A grant is drawn when it is money received, or an application still pending: a rejected
    or withdrawn one would show money that never came."""
    return counts_as_funding(grant) or is_pending(grant)


#: Payloads kept per snapshot (so per revision): a meeting, the offline file and the notebook
#: ask for the same few views again and again.
_PAYLOADS = "map-payloads"
_KEEP_PAYLOADS = 16


def map_payload(snap: Snapshot, filters: MapFilters | None = None, *, lang: str = "nl",
                node_limit: int = 1500, store: KeptData | None = None) -> dict[str, Any]:
    """Nodes and edges for the interactive map, built once per snapshot and view; ``store`` is
    the one the snapshot was read from: it keeps the areas' layouts for every worker
    (:mod:`visualisations.map_layout`).

    The caller gets its own copy of the payload and of every node and edge entry (the offline
    file adds keys to the nodes); nested values (colours, fonts, area lists) are shared.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("o1", "Organisation", {"name": "<b>x</b>"})], [], []))
    >>> payload = map_payload(snap)
    >>> payload["nodes"][0]["label"], payload["nodes"][0]["island"]
    ('<b>x</b>', True)
    >>> map_payload(snap) == payload and map_payload(snap)["nodes"][0] is not payload["nodes"][0]
    True
    """
    key = (filters or MapFilters(), lang, node_limit)
    kept: dict[tuple[MapFilters, str, int], dict[str, Any]] = snap.derived(_PAYLOADS, lambda s: {})
    payload = kept.get(key)
    if payload is None:
        payload = build_map_payload(snap, key[0], lang=lang, node_limit=node_limit, store=store)
        if len(kept) >= _KEEP_PAYLOADS:
            kept.clear()
        kept[key] = payload
    out = dict(payload)
    for part, value in payload.items():
        if isinstance(value, list):
            out[part] = [dict(v) if isinstance(v, dict) else v for v in value]
    return out


def build_map_payload(snap: Snapshot, filters: MapFilters | None = None, *, lang: str = "nl",
                      node_limit: int = 1500, store: KeptData | None = None) -> dict[str, Any]:
    """The map payload built anew (:func:`map_payload` keeps it per snapshot)."""
    f = filters or MapFilters()
    actors, more = _selected_actors(snap, f)
    if not f.narrowed and len(actors) > node_limit:
        payload = aggregate_payload(snap, actors, min_rung=f.min_rung, lang=lang)
        return {"revision": snap.revision, "filters": _filters_dict(f), **payload}
    island_ids = _island_ids(snap, f.area)
    shown = {a for a in actors if snap.label(a) in f.types}
    if "Fund" in f.types:
        shown |= {fund for a in actors for fund, props in snap.into("FUNDS", a) if _on_map(props)}
    if "Interest" in f.types:
        shown |= {i for a in actors for i in snap.targets("WORKS_ON", a)}
    nodes = [_node_entry(snap, n, n in island_ids, lang, in_area=bool(f.area)) for n in sorted(shown)]
    edges = _edges(snap, shown, f, lang if lang in _PENDING else "nl")
    position_nodes(snap, f.area, nodes, edges, f.focus, store=store)
    return {
        "revision": snap.revision,
        "mode": "graph",
        "positioned": True,
        "filters": _filters_dict(f),
        "nodes": nodes,
        "edges": edges,
        "islands": sorted(island_ids & shown),
        "more": more,
    }


def map_inputs(payload: dict[str, Any]) -> frozenset[str] | None:
    """The actors whose ties a map payload read (None: any): the nodes it shows (their edges and
    island flags) and the focus (which partners are shown). A change of a tie between two
    actors outside this set leaves the payload as it was, but for its revision.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("o1", "Organisation", {"name": "x"})], [], []))
    >>> sorted(map_inputs(map_payload(snap)))
    ['o1']
    """
    if payload.get("mode") != "graph":
        return None  # an aggregated view sums up every tie
    focus = payload["filters"]["focus"]
    return frozenset([*(n["id"] for n in payload["nodes"]), *([focus] if focus else [])])


def _filters_dict(f: MapFilters) -> dict[str, Any]:
    return {"area": f.area, "interest": f.interest, "types": list(f.types),
            "min_rung": f.min_rung, "focus": f.focus, "focus_limit": f.focus_limit}

