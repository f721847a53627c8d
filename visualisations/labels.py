"""Which labels a map shows at first: the most important ones that fit without touching another.

A label box is 0.55 × font size per character wide and 1.2 × font size high, centred under its
node (its top at the node's edge), in the payload's coordinates. The same box is used to choose
labels here and to measure overlap in the tests and benchmarks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["DEFAULT_FONT", "DEFAULT_SIZE", "label_box", "choose_labels", "overlap_share"]

DEFAULT_FONT = 14
DEFAULT_SIZE = 14
Box = tuple[float, float, float, float]


def _font(node: dict[str, Any]) -> float:
    return float((node.get("font") or {}).get("size", DEFAULT_FONT))


def label_box(node: dict[str, Any]) -> Box:
    """The box a node's label takes: (left, top, right, bottom) in payload coordinates.

    Examples
    --------
    >>> label_box({"x": 0, "y": 0, "label": "abcd", "size": 10, "font": {"size": 20}})
    (-22.0, 10.0, 22.0, 34.0)
    """
    font = _font(node)
    width = 0.55 * font * len(str(node.get("label", "")))
    top = float(node["y"]) + float(node.get("size", DEFAULT_SIZE))
    x = float(node["x"])
    return (x - width / 2, top, x + width / 2, top + 1.2 * font)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Grid:
    """Boxes in buckets of ``cell`` payload units, to test a new box against its neighbours."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def _cells(self, box: Box) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(int(box[0] // c), int(box[2] // c) + 1):
            for j in range(int(box[1] // c), int(box[3] // c) + 1):
                yield i, j

    def hits(self, box: Box) -> bool:
        return any(_overlaps(box, other) for key in self._cells(box) for other in self.buckets.get(key, ()))

    def add(self, box: Box) -> None:
        for key in self._cells(box):
            self.buckets[key].append(box)


def _dot(node: dict[str, Any]) -> Box:
    r = float(node.get("size", DEFAULT_SIZE))
    return (float(node["x"]) - r, float(node["y"]) - r, float(node["x"]) + r, float(node["y"]) + r)


def choose_labels(nodes: Sequence[dict[str, Any]], order: Sequence[str], *,
                  must: Iterable[str] = (), avoid_dots: bool = True) -> set[str]:
    """Ids whose label fits: taken in ``order`` (most important first), each kept only when its
    box touches no kept label and no other node's dot. Ids in ``must`` are always kept.

    Examples
    --------
    >>> a = {"id": "a", "x": 0, "y": 0, "label": "Long name here"}
    >>> b = {"id": "b", "x": 5, "y": 0, "label": "Another long name"}
    >>> sorted(choose_labels([a, b], ["b", "a"]))
    ['b']
    """
    by_id = {str(n["id"]): n for n in nodes}
    cell = max((_font(n) for n in nodes), default=DEFAULT_FONT) * 8
    labels, dots = _Grid(cell), _Grid(cell)
    if avoid_dots:
        for n in nodes:
            dots.add(_dot(n))
    kept: set[str] = set()
    forced = [i for i in must if i in by_id]
    for node_id in [*forced, *(i for i in order if i not in set(forced))]:
        node = by_id.get(node_id)
        if node is None or node_id in kept:
            continue
        box = label_box(node)
        clear = not labels.hits(box) and (not avoid_dots or not _hits_other_dot(dots, box, _dot(node)))
        if clear or node_id in forced:
            kept.add(node_id)
            labels.add(box)
    return kept


def _hits_other_dot(dots: _Grid, box: Box, own: Box) -> bool:
    return any(_overlaps(box, other) and other != own
               for key in dots._cells(box) for other in dots.buckets.get(key, ()))


def overlap_share(nodes: Sequence[dict[str, Any]]) -> float:
    """Share of shown labels (``label_shown``) whose box overlaps another shown label's box.

    Examples
    --------
    >>> a = {"x": 0, "y": 0, "label": "abc", "label_shown": True}
    >>> b = {"x": 1, "y": 1, "label": "abc", "label_shown": True}
    >>> overlap_share([a, b]), overlap_share([a])
    (1.0, 0.0)
    """
    shown = [label_box(n) for n in nodes if n.get("label_shown")]
    if not shown:
        return 0.0
    grid = _Grid(max((b[3] - b[1]) for b in shown) * 8)
    for box in shown:
        grid.add(box)
    hit = sum(1 for box in shown
              if sum(_overlaps(box, o) for key in grid._cells(box) for o in grid.buckets.get(key, ())
                     if o is not box) > 0)
    return hit / len(shown)
