"""Positions and shown labels for a map payload: one layout per area, kept stable over time.

An area's organisations and institutions get one layout (:func:`area_positions`), grouped by
sub-area (wijk) or, inside one wijk, by cluster of ties. Every view of that area (a theme, a
type, a lowest rung, a focus) shows its nodes where the area's layout put them, so a filter never
moves a node; funds and themes are placed near their partners. When the store changes, nodes the
area already had keep their place and a new node is put near its partners
(:func:`visualisations.layout.place_near`); the layout is redone only when many nodes are new.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig

from graphsvc.snapshot import Snapshot
from visualisations.labels import DEFAULT_FONT, choose_labels
from visualisations.layout import grouped_layout, place_near, seeded

__all__ = ["SPACING", "area_positions", "position_nodes", "label_font", "reset_layouts"]

#: About the distance between neighbouring nodes, in payload units (vis-network canvas pixels).
SPACING = 80.0
AVOID_DOTS = False
#: The map's canvas on a 1920×1080 projector in meeting mode (payload units at zoom 1): a small
#: area is spread to fill it, and labels are sized to be at least 18 px on it.
PROJECTOR = (960.0, 840.0)
MIN_PROJECTOR_PX = 18.0
#: Redo the whole layout when more than this share of an area's nodes is new.
REDO_SHARE = 0.2
_KEEP = 64
CLUSTER_SEED = 7
Point = tuple[float, float]


@dataclass
class _Kept:
    nodes: frozenset[str]
    pos: dict[str, Point]


_LAYOUTS: OrderedDict[str, _Kept] = OrderedDict()
_LOCK = threading.Lock()


def reset_layouts() -> None:
    """Forget the kept layouts (a new store, or a test that wants a fresh start)."""
    with _LOCK:
        _LAYOUTS.clear()


def _groups(snap: Snapshot, area: str | None, actors: Sequence[str]) -> dict[str, str]:
    """Each actor's group: its first sub-area inside the view; clusters of ties when the view
    has no sub-areas to tell apart."""
    inside = snap.areas_within(snap.area(area).id) if area else None
    groups: dict[str, str] = {}
    for a in actors:
        mine = sorted(snap.targets("ACTIVE_IN", a))
        deeper = [x for x in mine if inside is None or x in inside]
        specific = [x for x in deeper if snap.nodes[x].props.get("level") != "district"]
        groups[a] = (specific or deeper or [""])[0]
    if len(set(groups.values())) > 1:
        return groups
    return _clusters(snap, actors)


def _clusters(snap: Snapshot, actors: Sequence[str]) -> dict[str, str]:
    index = {a: i for i, a in enumerate(actors)}
    edges = sorted({(index[a], index[b]) for a in actors for b in snap.ties.get(a, {})
                    if b in index and a < b})
    if not edges:
        return {a: "" for a in actors}
    graph = ig.Graph(n=len(actors), edges=edges)
    # Leiden on modularity: a higher modularity than multilevel (Louvain) on the maps measured,
    # at a fifth of its time on 5,000 nodes; its random draws are seeded: deterministic
    with seeded(CLUSTER_SEED):
        membership = graph.community_leiden(objective_function="modularity", n_iterations=2).membership
    return {a: f"c{membership[i]:04d}" for a, i in index.items()}


def _tie_edges(snap: Snapshot, actors: Sequence[str]) -> list[tuple[str, str]]:
    members = set(actors)
    return [(a, b) for a in actors for b in snap.ties.get(a, {}) if a < b and b in members]


def _build(snap: Snapshot, area: str | None) -> dict[str, Point]:
    actors = snap.actors_in(area)
    key = area or ""
    nodes = frozenset(actors)
    with _LOCK:
        kept = _LAYOUTS.get(key)
    if kept is not None and nodes == kept.nodes:
        pos = kept.pos
    elif kept is not None and len(nodes - kept.nodes) <= REDO_SHARE * max(len(nodes), 1):
        fixed = {n: p for n, p in kept.pos.items() if n in nodes}
        new = sorted(nodes - kept.nodes)
        partners = {n: sorted(snap.ties.get(n, {})) for n in new}
        pos = {**fixed, **place_near(fixed, new, partners, spacing=SPACING)}
    else:
        pos = _spread(grouped_layout(actors, _tie_edges(snap, actors), _groups(snap, area, actors),
                                     spacing=SPACING))
    with _LOCK:
        _LAYOUTS[key] = _Kept(nodes, pos)
        _LAYOUTS.move_to_end(key)
        while len(_LAYOUTS) > _KEEP:
            _LAYOUTS.popitem(last=False)
    return pos


def _spread(pos: dict[str, Point]) -> dict[str, Point]:
    """Stretch a small layout to fill the projector canvas: room for more labels at 18 px."""
    if len(pos) < 2:
        return pos
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    factor = min(PROJECTOR[0] * 0.8 / max(max(xs) - min(xs), 1.0),
                 PROJECTOR[1] * 0.75 / max(max(ys) - min(ys), 1.0), 3.0)
    if factor <= 1:
        return pos
    return {n: (round(x * factor, 1), round(y * factor, 1)) for n, (x, y) in pos.items()}


def area_positions(snap: Snapshot, area: str | None) -> dict[str, Point]:
    """The positions of every actor of the area (all actors when None), once per snapshot.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("o1", "Organisation", {"name": "x"})], [], []))
    >>> area_positions(snap, None)
    {'o1': (0.0, 0.0)}
    """
    area_id = snap.area(area).id if area else None
    return snap.derived(f"map-area-layout:{area_id or ''}", lambda s: _build(s, area_id))


def label_font(nodes: Sequence[dict[str, Any]]) -> int:
    """The label font size (payload units) that is 18 px on the projector canvas when the whole
    map fits it, for maps up to 150 nodes (14 px above): a label is readable or not shown.

    Examples
    --------
    >>> label_font([{"x": 0, "y": 0}, {"x": 1920, "y": 0}])
    42
    """
    if not nodes:
        return DEFAULT_FONT
    xs = [float(n["x"]) for n in nodes]
    ys = [float(n["y"]) for n in nodes]
    # the label row under the lowest nodes and half a long name on each side count as well
    width, height = max(xs) - min(xs) + 200, max(ys) - min(ys) + 80
    scale = min(PROJECTOR[0] / width, PROJECTOR[1] / height, 1.0)
    target = MIN_PROJECTOR_PX if len(nodes) <= 150 else 14.0
    return max(22 if len(nodes) <= 150 else DEFAULT_FONT, math.ceil(target * 1.05 / scale))


def _priority(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
              focus: str | None) -> list[str]:
    """Most important first: islands, the focus and its partners, then the best connected."""
    degree: dict[str, int] = defaultdict(int)
    near_focus: set[str] = set()
    for e in edges:
        degree[e["from"]] += 1
        degree[e["to"]] += 1
        if focus in (e["from"], e["to"]):
            near_focus |= {e["from"], e["to"]}

    def rank(n: dict[str, Any]) -> tuple[int, int, int, str]:
        return (0 if n.get("island") else 1, 0 if n["id"] in near_focus else 1,
                -degree[n["id"]], str(n["label"]).casefold())

    return [n["id"] for n in sorted(nodes, key=rank)]


def position_nodes(snap: Snapshot, area: str | None, nodes: list[dict[str, Any]],
                   edges: list[dict[str, Any]], focus: str | None = None) -> None:
    """Give every node entry ``x``, ``y``, a font size and ``label_shown`` (in place)."""
    base = area_positions(snap, area)
    fixed = {n["id"]: base[n["id"]] for n in nodes if n["id"] in base}
    others = [n["id"] for n in nodes if n["id"] not in base]
    partners: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        partners[e["from"]].append(e["to"])
        partners[e["to"]].append(e["from"])
    placed = place_near(fixed, others, partners, spacing=SPACING) if others else {}
    for n in nodes:
        n["x"], n["y"] = fixed.get(n["id"]) or placed[n["id"]]
    font = label_font(nodes)
    for n in nodes:
        if font != DEFAULT_FONT:
            n["font"] = {**n.get("font", {}), "size": font}
    shown = choose_labels(nodes, _priority(nodes, edges, focus),
                          must=[focus] if focus else [], avoid_dots=AVOID_DOTS)
    for n in nodes:
        n["label_shown"] = n["id"] in shown
