"""Server-side layouts for big map views: a browser should not run physics on thousands of nodes."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence

import igraph as ig

__all__ = ["LAYOUT_THRESHOLD", "positions"]

# Above this many nodes the server sends positions and the browser keeps physics off.
LAYOUT_THRESHOLD = 300
_RNG_LOCK = threading.Lock()


def positions(node_ids: Sequence[str], edges: Sequence[tuple[str, str]], *, seed: int = 7,
              spacing: float = 38.0) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold positions (igraph, grid variant), deterministic for a seed.

    Examples
    --------
    >>> pos = positions(["a", "b", "c"], [("a", "b")])
    >>> sorted(pos) == ["a", "b", "c"]
    True
    """
    index = {n: i for i, n in enumerate(node_ids)}
    graph = ig.Graph(n=len(node_ids), edges=[(index[a], index[b]) for a, b in edges
                                             if a in index and b in index])
    if not node_ids:
        return {}
    niter = 300 if len(node_ids) < 2000 else 120
    # igraph draws from one process-wide generator: give it a seeded one for this call only,
    # under a lock, so the same graph always gets the same picture
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            layout = graph.layout_fruchterman_reingold(niter=niter, grid="auto")
        finally:
            ig.set_random_number_generator(random)
    coords = layout.coords
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    # scale so the average spacing between neighbours is about `spacing` screen pixels
    width = (max(xs) - min(xs)) or 1.0
    height = (max(ys) - min(ys)) or 1.0
    target = spacing * len(node_ids) ** 0.5
    sx, sy = target / width, target / height
    s = min(sx, sy)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (round((coords[i][0] - cx) * s, 1), round((coords[i][1] - cy) * s, 1))
            for n, i in index.items()}
