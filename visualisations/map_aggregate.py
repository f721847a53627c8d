"""The aggregated map for city-size graphs: areas as nodes, ties between areas as edges.

A browser cannot show 10,000 organisations at once; it starts from this view and opens an area
(or searches an organisation and opens its neighbourhood) on click.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from graphsvc.snapshot import Snapshot
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


def _area_edges(snap: Snapshot, home: dict[str, str], min_rung: int) -> Counter[tuple[str, str]]:
    pairs: Counter[tuple[str, str]] = Counter()
    for a, partners in snap.ties.items():
        ha = home.get(a)
        for b, rung in partners.items():
            hb = home.get(b)
            if a < b and ha and hb and ha != hb and rung >= max(min_rung, 1):
                pairs[(min(ha, hb), max(ha, hb))] += 1
    return pairs


def aggregate_payload(snap: Snapshot, actors: list[str], *, min_rung: int = 0,
                      lang: str = "nl") -> dict[str, Any]:
    """Areas as nodes (sized by actors), ties between areas as edges (width by count)."""
    home = {a: h for a in actors if (h := home_area(snap, a)) is not None}
    counts = Counter(home.values())
    nodes = [_area_node(snap, area, n, lang) for area, n in sorted(counts.items())]
    pairs = _area_edges(snap, home, min_rung)
    edges = [{"id": f"agg:{a}:{b}", "from": f"area:{a}", "to": f"area:{b}", "type": "TIES",
              "count": n, "width": 1 + math.log2(n), "title": str(n), "color": "#9ecae1"}
             for (a, b), n in sorted(pairs.items())]
    pos = positions([str(n["id"]) for n in nodes],
                    [(f"area:{a}", f"area:{b}") for a, b in sorted(pairs)], spacing=120)
    for n in nodes:
        n["x"], n["y"] = pos[n["id"]]
    return {"mode": "aggregate", "positioned": True, "nodes": nodes, "edges": edges,
            "islands": [], "more": 0, "unplaced": len(actors) - len(home)}
