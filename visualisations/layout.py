"""Server-side map layouts: groups (areas or clusters) placed apart, a force layout inside each.

The browser draws these positions with physics off, so the first frame is the stable frame and
the same graph always gives the same picture (every random draw is seeded).
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import igraph as ig
import numpy as np
from scipy.spatial import cKDTree

__all__ = ["LAYOUT_THRESHOLD", "positions", "grouped_layout", "place_near", "separate", "seeded"]

#: Kept for older callers: every graph view is positioned on the server now.
LAYOUT_THRESHOLD = 0
_RNG_LOCK = threading.Lock()
Point = tuple[float, float]


#: Groups above this many nodes use igraph's grid variant of Fruchterman–Reingold (repulsion
#: only between nearby nodes): from about 150 nodes on it lays out as well as the exact variant
#: (same stress on clusters, lattices, trees and scale-free graphs of 150–400 nodes) in a third
#: to a seventh of the time; below, the exact variant is clearly better and cheap anyway.
GRID_ABOVE = 150
#: Above this many nodes, half the rounds (the grid variant settles sooner on big groups).
FEWER_ROUNDS_ABOVE = 400
#: On a map of more than this many nodes, small groups get half the rounds too: on the 168
#: groups (≤ 70 nodes) of a 5,000-node district the layouts have the same mean stress (0.045)
#: with 100 rounds as with 200, and such a map is first seen zoomed out. Smaller maps (every map
#: of the demo) keep 200 rounds.
BIG_MAP = 1000


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph draws from one process-wide generator: give it a seeded one for the calls inside
    this block only, under a lock, so the same graph always gets the same answer."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def _force(count: int, edges: Sequence[tuple[int, int]], seed: int,
           weights: Sequence[float] | None = None, *, fewer_rounds: bool = False) -> np.ndarray:
    """Fruchterman–Reingold coordinates (count × 2), deterministic for a seed."""
    if count == 1:
        return np.zeros((1, 2))
    graph = ig.Graph(n=count, edges=list(edges))
    with seeded(seed):
        layout = graph.layout_fruchterman_reingold(
            niter=100 if fewer_rounds or count > FEWER_ROUNDS_ABOVE else 200,
            grid="grid" if count > GRID_ABOVE else "nogrid",
            weights=list(weights) if weights is not None else None)
    return np.asarray(layout.coords, dtype=float)


def positions(node_ids: Sequence[str], edges: Sequence[tuple[str, str]], *, seed: int = 7,
              spacing: float = 38.0) -> dict[str, Point]:
    """Fruchterman–Reingold positions of one graph, deterministic for a seed.

    Examples
    --------
    >>> pos = positions(["a", "b", "c"], [("a", "b")])
    >>> sorted(pos) == ["a", "b", "c"]
    True
    """
    if not node_ids:
        return {}
    index = {n: i for i, n in enumerate(node_ids)}
    coords = _force(len(node_ids), [(index[a], index[b]) for a, b in edges
                                    if a in index and b in index], seed)
    coords = _fit_disc(coords, spacing * 0.5 * len(node_ids) ** 0.5)
    return {n: (round(float(coords[i, 0]), 1), round(float(coords[i, 1]), 1))
            for n, i in index.items()}


def _fit_disc(coords: np.ndarray, radius: float) -> np.ndarray:
    """Centre the points and scale them into a disc of ``radius``; far outliers are pulled in."""
    centred = coords - coords.mean(axis=0)
    norms = np.hypot(centred[:, 0], centred[:, 1])
    reach = float(np.percentile(norms, 90)) if len(norms) > 2 else float(norms.max())
    if reach <= 0:
        return centred * 0.0
    scaled = centred * (0.9 * radius / reach)
    norms = np.hypot(scaled[:, 0], scaled[:, 1])
    too_far = norms > radius
    scaled[too_far] *= (radius / norms[too_far])[:, None]
    return scaled


def separate(coords: np.ndarray, min_dist: float, *, fixed: np.ndarray | None = None,
             rounds: int = 40) -> np.ndarray:
    """Push points apart until no two are closer than ``min_dist`` (or ``rounds`` run out).

    Points flagged in ``fixed`` never move. Deterministic: coincident points part along an
    angle taken from their index.

    Examples
    --------
    >>> out = separate(np.array([[0.0, 0.0], [1.0, 0.0]]), 10.0)
    >>> round(float(out[1, 0] - out[0, 0]), 3) >= 9.99
    True
    """
    pts = coords.copy()
    movable = np.ones(len(pts), dtype=bool) if fixed is None else ~fixed
    for _ in range(rounds):
        pairs = cKDTree(pts).query_pairs(min_dist * 0.999, output_type="ndarray")
        if len(pairs) == 0:
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = pts[j] - pts[i]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        same = dist < 1e-9
        angle = (i[same] * 2.399963) % (2 * math.pi)  # golden angle: spread, deterministic
        delta[same] = np.column_stack([np.cos(angle), np.sin(angle)])
        dist[same] = 1.0
        push = (min_dist - dist) / dist
        share_i = movable[i] / np.maximum(movable[i].astype(float) + movable[j], 1)
        share_j = movable[j] / np.maximum(movable[i].astype(float) + movable[j], 1)
        move = np.zeros_like(pts)
        np.add.at(move, i, -delta * (push * share_i)[:, None])
        np.add.at(move, j, delta * (push * share_j)[:, None])
        pts += move * 1.02
    return pts


def _separate_discs(centres: np.ndarray, radii: np.ndarray, gap: float) -> np.ndarray:
    """Move group discs apart so none overlaps another (a few hundred groups at most).

    Only pairs near enough to touch are looked at (a k-d tree per round, not every pair)."""
    pts = centres.copy()
    reach = 2 * float(radii.max()) + gap
    for _ in range(50):  # what is left, the node-level separation below takes care of
        pairs = cKDTree(pts).query_pairs(reach, output_type="ndarray")
        if len(pairs) == 0:
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = pts[j] - pts[i]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        overlap = np.clip(radii[i] + radii[j] + gap - dist, 0, None)
        if overlap.max() < gap * 0.05:
            break
        dist = np.where(dist > 1e-9, dist, 1.0)
        push = (overlap / dist * 0.55)[:, None] * delta  # a little past half: fewer rounds
        move = np.zeros_like(pts)
        np.add.at(move, i, -push)  # both ends move
        np.add.at(move, j, push)
        pts += move
    return pts


def _group_centres(groups: list[str], members: Mapping[str, list[int]], radii: np.ndarray,
                   between: Counter[tuple[int, int]], seed: int, gap: float) -> np.ndarray:
    """Where each group's disc sits: a weighted force layout of the groups, then no overlap."""
    if len(groups) == 1:
        return np.zeros((1, 2))
    pairs = sorted(between)
    coords = _force(len(groups), pairs, seed, weights=[float(between[p]) for p in pairs] or None)
    coords = _fit_disc(coords, float(np.sqrt((radii ** 2).sum())) * 1.6)
    return _separate_discs(coords, radii, gap)


def grouped_layout(node_ids: Sequence[str], edges: Sequence[tuple[str, str]],
                   groups: Mapping[str, str], *, seed: int = 7,
                   spacing: float = 70.0) -> dict[str, Point]:
    """Positions for a map: each group (area or cluster) a disc with a force layout inside it,
    the discs placed by how many edges join them, then no two nodes closer than ``spacing``/2.

    Parameters
    ----------
    node_ids : sequence of str
        The nodes to place (their order does not change the result).
    edges : sequence of (str, str)
        Edges between them; others are ignored.
    groups : mapping
        Group key per node (missing: one group of its own kind, "").
    seed : int
        Every random draw comes from this seed: the same input gives the same picture.
    spacing : float
        About the distance between neighbouring nodes, in payload units.

    Examples
    --------
    >>> pos = grouped_layout(["a", "b", "c", "d"], [("a", "b"), ("c", "d")], {"a": "x", "b": "x"})
    >>> pos == grouped_layout(["d", "c", "b", "a"], [("c", "d"), ("a", "b")], {"a": "x", "b": "x"})
    True
    """
    ids = sorted(set(node_ids))
    if not ids:
        return {}
    index = {n: i for i, n in enumerate(ids)}
    keys = sorted({groups.get(n, "") for n in ids})
    group_of = {k: g for g, k in enumerate(keys)}
    members: dict[str, list[int]] = defaultdict(list)
    for n in ids:
        members[groups.get(n, "")].append(index[n])
    inside: dict[int, list[tuple[int, int]]] = defaultdict(list)
    between: Counter[tuple[int, int]] = Counter()
    for a, b in sorted({(min(a, b), max(a, b)) for a, b in edges if a in index and b in index}):
        ga, gb = group_of[groups.get(a, "")], group_of[groups.get(b, "")]
        if ga == gb:
            inside[ga].append((index[a], index[b]))
        else:
            between[(min(ga, gb), max(ga, gb))] += 1
    coords = np.zeros((len(ids), 2))
    radii = np.array([spacing * 0.55 * math.sqrt(len(members[k])) for k in keys])
    big = len(ids) > BIG_MAP
    for g, key in enumerate(keys):
        local = {node: i for i, node in enumerate(members[key])}
        inner = [(local[a], local[b]) for a, b in inside[g]]
        coords[members[key]] = _fit_disc(_force(len(local), inner, seed + g, fewer_rounds=big), radii[g])
    centres = _group_centres(keys, members, radii, between, seed, gap=spacing * 0.4)
    for g, key in enumerate(keys):
        coords[members[key]] += centres[g]
    coords = separate(coords, spacing * 0.5)
    coords -= (coords.min(axis=0) + coords.max(axis=0)) / 2
    return {n: (round(float(coords[i, 0]), 1), round(float(coords[i, 1]), 1)) for n, i in index.items()}


def place_near(fixed: Mapping[str, Point], new: Sequence[str],
               partners: Mapping[str, Sequence[str]], *, spacing: float = 70.0) -> dict[str, Point]:
    """Positions for ``new`` nodes near their partners, without moving any ``fixed`` node.

    A new node starts at the mean of its placed partners (the frame's edge when it has none) and
    takes the first free spot on a spiral around it, at least ``spacing``/2 from every node.

    Examples
    --------
    >>> out = place_near({"a": (0.0, 0.0), "b": (100.0, 0.0)}, ["n"], {"n": ["a", "b"]})
    >>> x, y = out["n"]
    >>> 0 < x < 100 and abs(y) <= 70
    True
    """
    placed = dict(fixed)
    if placed:
        pts = np.array(list(placed.values()))
        low, high = pts.min(axis=0), pts.max(axis=0)
    else:
        low = high = np.zeros(2)
    spare = 0
    out: dict[str, Point] = {}
    min_dist = spacing * 0.5
    tree_pts = list(placed.values())
    tree = cKDTree(np.array(tree_pts)) if tree_pts else None
    extra: list[Point] = []
    for node in sorted(new):
        near = [placed[p] for p in partners.get(node, ()) if p in placed]
        if near:
            start = np.mean(np.array(near), axis=0)
        else:  # nothing to be near: a row under the picture
            start = np.array([low[0] + spare * spacing, high[1] + spacing])
            spare += 1
        spot = _free_spot(start, min_dist, tree, extra)
        out[node] = (round(float(spot[0]), 1), round(float(spot[1]), 1))
        placed[node] = out[node]
        extra.append(out[node])
    return out


def _free_spot(start: np.ndarray, min_dist: float, tree: cKDTree | None,
               extra: list[Point]) -> np.ndarray:
    for step in range(2000):
        angle = step * 2.399963
        radius = min_dist * 0.8 * math.sqrt(step)
        spot = start + radius * np.array([math.cos(angle), math.sin(angle)])
        if tree is not None and tree.query_ball_point(spot, min_dist * 0.999):
            continue
        if any(math.hypot(spot[0] - x, spot[1] - y) < min_dist * 0.999 for x, y in extra):
            continue
        return spot
    return start
