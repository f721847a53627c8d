"""Positions and shown labels for a map payload: one layout per area, kept stable over time.

An area's organisations and institutions get one layout (:func:`area_positions`), grouped by
sub-area (wijk) or, inside one wijk, by cluster of ties. Every view of that area (a theme, a
type, a lowest rung, a focus) shows its nodes where the area's layout put them, so a filter never
moves a node; funds and themes are placed near their partners. When the store changes, nodes the
area already had keep their place and a new node is put near its partners
(:func:`visualisations.layout.place_near`); the layout is redone only when many nodes are new.

The layout is kept in the store (:class:`graphsvc.store.kept.KeptData`, kind
:data:`LAYOUT_KIND`), not in the process: every gunicorn worker and every app server on the store,
a reload and the offline file show one picture. Of two workers that place the same new node at
once, the store keeps the first one's layout and the other takes it over (compare-and-set). A
worker whose snapshot is older than the kept layout uses the kept places and writes nothing.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig

from graphsvc.errors import StoreUnavailable
from graphsvc.snapshot import Snapshot
from graphsvc.store.kept import KeptData
from visualisations.labels import DEFAULT_FONT, choose_labels
from visualisations.layout import grouped_layout, place_near, seeded

__all__ = ["SPACING", "LAYOUT_KIND", "area_positions", "position_nodes", "label_font", "reset_layouts",
           "encode_layout", "decode_layout"]

#: About the distance between neighbouring nodes, in payload units (vis-network canvas pixels).
SPACING = 80.0
AVOID_DOTS = False
#: The map's canvas on a 1920×1080 projector in meeting mode (payload units at zoom 1): a small
#: area is spread to fill it, and labels are sized to be at least 18 px on it.
PROJECTOR = (960.0, 840.0)
MIN_PROJECTOR_PX = 18.0
#: Redo the whole layout when more than this share of an area's nodes is new.
REDO_SHARE = 0.2
#: The kind under which a store keeps an area's layout (:class:`graphsvc.store.kept.KeptData`),
#: keyed by the area's id ("" for the whole map), and the format of the value.
LAYOUT_KIND = "map-layout"
LAYOUT_FORMAT = 1
_TRIES = 5
_KEEP = 64
CLUSTER_SEED = 7
Point = tuple[float, float]


@dataclass
class _Kept:
    nodes: frozenset[str]
    pos: dict[str, Point]
    revision: int = 0


#: Without a store (a snapshot read from data): the layouts kept in this process, per area.
_LAYOUTS: OrderedDict[str, _Kept] = OrderedDict()
#: With a store: the last value read per area and what it decodes to (a read-through cache:
#: used only while the store holds exactly these bytes).
_DECODED: OrderedDict[str, tuple[bytes, _Kept]] = OrderedDict()
_LOCK = threading.Lock()


def reset_layouts() -> None:
    """Forget the layouts kept in this process (a test that wants a fresh start); the layouts
    kept in a store stay there."""
    with _LOCK:
        _LAYOUTS.clear()
        _DECODED.clear()


def _remember(table: OrderedDict[str, Any], key: str, value: Any) -> None:
    with _LOCK:
        table[key] = value
        table.move_to_end(key)
        while len(table) > _KEEP:
            table.popitem(last=False)


def encode_layout(revision: int, pos: dict[str, Point]) -> bytes:
    """A layout as the store keeps it: compact JSON, nodes by id, the revision it was made at.

    Examples
    --------
    >>> encode_layout(3, {"b": (1.5, -2.0), "a": (0.0, 0.0)})
    b'{"v":1,"revision":3,"pos":[["a",0.0,0.0],["b",1.5,-2.0]]}'
    >>> decode_layout(encode_layout(3, {"a": (0.0, 0.0)})).pos
    {'a': (0.0, 0.0)}
    """
    rows = [[n, float(x), float(y)] for n, (x, y) in sorted(pos.items())]
    return json.dumps({"v": LAYOUT_FORMAT, "revision": revision, "pos": rows},
                      ensure_ascii=False, separators=(",", ":")).encode()


def decode_layout(raw: bytes) -> _Kept | None:
    """The layout in a kept value; None when it is not one this version reads."""
    try:
        data = json.loads(raw)
        if data.get("v") != LAYOUT_FORMAT:
            return None
        pos = {str(n): (float(x), float(y)) for n, x, y in data["pos"]}
        return _Kept(frozenset(pos), pos, int(data["revision"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


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


def _funds(snap: Snapshot, actors: Sequence[str]) -> dict[str, list[str]]:
    """The funds with a grant to one of ``actors``, and those grantees: they are kept with the
    area's layout, so a newcomer never takes a fund's place."""
    inside = set(actors)
    found = {}
    for fund in snap.labelled("Fund"):
        grantees = sorted(snap.targets("FUNDS", fund) & inside)
        if grantees:
            found[fund] = grantees
    return found


def _next(snap: Snapshot, area: str | None, actors: Sequence[str], kept: _Kept | None) -> dict[str, Point]:
    """The area's layout now: the kept one while its nodes are the area's; a new node placed near
    its partners (a fund near its grantees); a layout made anew when there is none or many nodes
    are new."""
    funds = _funds(snap, actors)
    nodes = frozenset(actors) | frozenset(funds)
    if kept is not None and nodes == kept.nodes:
        return kept.pos
    if kept is not None and len(nodes - kept.nodes) <= REDO_SHARE * max(len(nodes), 1):
        fixed = {n: p for n, p in kept.pos.items() if n in nodes}
        new = sorted(nodes - kept.nodes)
        partners = {n: funds[n] if n in funds else sorted(snap.ties.get(n, {})) for n in new}
        return {**fixed, **place_near(fixed, new, partners, spacing=SPACING)}
    pos = _spread(grouped_layout(actors, _tie_edges(snap, actors), _groups(snap, area, actors),
                                 spacing=SPACING))
    return {**pos, **place_near(pos, sorted(funds), funds, spacing=SPACING)}


def _read(store: KeptData, key: str) -> tuple[bytes | None, _Kept | None]:
    raw = store.get_kept(LAYOUT_KIND, key)
    if raw is None:
        return None, None
    with _LOCK:
        cached = _DECODED.get(key)
    if cached is not None and cached[0] == raw:
        return raw, cached[1]
    kept = decode_layout(raw)
    if kept is not None:
        _remember(_DECODED, key, (raw, kept))
    return raw, kept


def _build(snap: Snapshot, area: str | None, store: KeptData | None = None) -> dict[str, Point]:
    """The area's layout, kept in ``store`` (every worker and app server on it sees the same
    one) or, without a store, in this process."""
    actors = snap.actors_in(area)
    key = area or ""
    if store is None:
        with _LOCK:
            local = _LAYOUTS.get(key)
        pos = _next(snap, area, actors, local)
        _remember(_LAYOUTS, key, _Kept(frozenset(pos), pos, snap.revision))
        return pos
    for _ in range(_TRIES):
        raw, kept = _read(store, key)
        pos = _next(snap, area, actors, kept)
        if kept is not None and (pos is kept.pos or kept.revision > snap.revision):
            return pos  # unchanged, or kept by a worker that reads a newer revision: its places win
        value = encode_layout(snap.revision, pos)
        try:
            won = store.put_kept(LAYOUT_KIND, key, value, expected=raw)
        except StoreUnavailable:  # a busy store: draw the map, keep the layout next time
            return pos
        if won:
            _remember(_DECODED, key, (value, _Kept(frozenset(pos), pos, snap.revision)))
            return pos
        # another worker kept its layout first: start again from that one
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


def area_positions(snap: Snapshot, area: str | None, store: KeptData | None = None) -> dict[str, Point]:
    """The positions of every actor of the area (all actors when None) and of the funds with a
    grant to one of them, once per snapshot; ``store``: the store the snapshot was read from,
    which keeps the layout for every worker.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("o1", "Organisation", {"name": "x"})], [], []))
    >>> area_positions(snap, None)
    {'o1': (0.0, 0.0)}
    """
    area_id = snap.area(area).id if area else None
    return snap.derived(f"map-area-layout:{area_id or ''}", lambda s: _build(s, area_id, store))


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
                   edges: list[dict[str, Any]], focus: str | None = None,
                   store: KeptData | None = None) -> None:
    """Give every node entry ``x``, ``y``, a font size and ``label_shown`` (in place); the
    area's layout is the one ``store`` keeps (see :func:`area_positions`)."""
    base = area_positions(snap, area, store)
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
