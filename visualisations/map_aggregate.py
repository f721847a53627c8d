"""The aggregated map for city-size graphs: areas as nodes, ties between areas as edges.

A browser cannot show 10,000 organisations at once; it starts from this view and opens an area
(or searches an organisation and opens its neighbourhood) on click.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graphsvc.snapshot import Snapshot
from queries.cluster_index import per_org, tie_pairs
from visualisations.layout import positions
from visualisations.styles import NODE_STYLES

__all__ = ["aggregate_payload", "home_area"]


def home_area(snap: Snapshot, actor_id: str) -> str | None:
    """The area an actor is counted under: its first area (by id), or None."""
    areas = sorted(snap.targets("ACTIVE_IN", actor_id))
    return areas[0] if areas else None


def _area_node(snap: Snapshot, area_id: str, count: int, lang: str) -> dict[str, Any]:
    node = snap.nodes[area_id]
    code = str(node.props.get("code", ""))
    what = "organisaties en instellingen" if lang == "nl" else "organisations and institutions"
    click = "klik om te openen" if lang == "nl" else "click to open"
    return {
        "id": f"area:{area_id}",
        "label": f"{node.name} ({count})",
        "group": "Neighbourhood",
        "title": f"{node.name} {code}\n{count} {what}\n{click}",
        "shape": "dot",
        "size": 8 + 4 * math.sqrt(count),
        "color": {"background": NODE_STYLES["Neighbourhood"]["color"], "border": "#333333"},
        "area": code or area_id,
        "count": count,
    }


def _homes(snap: Snapshot, actors: pd.Index) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Each actor's :func:`home_area` as an index into the sorted list of home areas returned
    (-1: none), read a whole relationship type at once."""
    org, area_ids, _ = per_org(snap.by_start("ACTIVE_IN"), actors)
    if not len(org):
        return np.full(len(actors), -1, dtype=np.int64), []
    codes, uniques = pd.factorize(pd.Series(area_ids, dtype=object))
    ordered = sorted(uniques)  # the first area by id, as sorted() compares them
    rank = pd.Index(ordered, dtype=object).get_indexer(uniques)[codes]
    first = np.full(len(actors), len(ordered), dtype=np.int64)
    np.minimum.at(first, org, rank)
    used = np.unique(first[first < len(ordered)])
    home = np.full(len(actors), -1, dtype=np.int64)
    placed = first < len(ordered)
    home[placed] = np.searchsorted(used, first[placed])
    return home, [ordered[i] for i in used.tolist()]


def _area_edges(snap: Snapshot, actors: pd.Index, home: npt.NDArray[np.int64], areas: int,
                min_rung: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Ties between actors of different home areas at ``min_rung`` or higher (at least 1), counted
    per pair of areas: ``(area, other area, ties)`` with ``area < other area``."""
    pa, pb, rung = tie_pairs(snap, actors)
    known = (pa >= 0) & (pb >= 0)
    ha, hb = home[pa[known]], home[pb[known]]
    keep = (ha >= 0) & (hb >= 0) & (ha != hb) & (rung[known] >= max(min_rung, 1))
    lo, hi = np.minimum(ha, hb)[keep], np.maximum(ha, hb)[keep]
    pairs, counts = np.unique(lo * max(areas, 1) + hi, return_counts=True)
    return pairs // max(areas, 1), pairs % max(areas, 1), counts


def aggregate_payload(snap: Snapshot, actors: list[str], *, min_rung: int = 0,
                      lang: str = "nl") -> dict[str, Any]:
    """Areas as nodes (sized by actors), ties between areas as edges (width by count)."""
    index = pd.Index(actors, dtype=object)
    home, areas = _homes(snap, index)
    counts = np.bincount(home[home >= 0], minlength=len(areas)).tolist()
    nodes = [_area_node(snap, area, n, lang) for area, n in zip(areas, counts, strict=True)]
    lo, hi, ties = _area_edges(snap, index, home, len(areas), min_rung)
    pairs = {(areas[a], areas[b]): n for a, b, n in zip(lo.tolist(), hi.tolist(), ties.tolist(), strict=True)}
    edges = [{"id": f"agg:{a}:{b}", "from": f"area:{a}", "to": f"area:{b}", "type": "TIES",
              "count": n, "width": 1 + math.log2(n), "title": str(n), "color": "#9ecae1"}
             for (a, b), n in sorted(pairs.items())]
    pos = positions([str(n["id"]) for n in nodes],
                    [(f"area:{a}", f"area:{b}") for a, b in sorted(pairs)], spacing=120)
    for n in nodes:
        n["x"], n["y"] = pos[n["id"]]
    return {"mode": "aggregate", "positioned": True, "nodes": nodes, "edges": edges,
            "islands": [], "more": 0, "unplaced": int((home < 0).sum())}
