"""Colours, shapes and widths shared by the live map, the offline map and the charts."""

from __future__ import annotations

from typing import Final

__all__ = ["NODE_STYLES", "RUNG_COLOURS", "ISLAND_BORDER", "edge_width"]

# Colour-blind-safe palette (Okabe-Ito) so a projector in a bright room still separates types.
NODE_STYLES: Final[dict[str, dict[str, str]]] = {
    "Organisation": {"shape": "dot", "color": "#E69F00"},
    "Institution": {"shape": "square", "color": "#0072B2"},
    "Fund": {"shape": "diamond", "color": "#009E73"},
    "Interest": {"shape": "triangle", "color": "#CC79A7"},
    "Neighbourhood": {"shape": "hexagon", "color": "#999999"},
    "Community": {"shape": "star", "color": "#56B4E9"},
    "Capability": {"shape": "triangleDown", "color": "#F0E442"},
    "AgendaItem": {"shape": "box", "color": "#D55E00"},
    "Session": {"shape": "ellipse", "color": "#BBBBBB"},
}
RUNG_COLOURS: Final[dict[int, str]] = {
    1: "#c9c9c9",
    2: "#9ecae1",
    3: "#4292c6",
    4: "#2171b5",
    5: "#08306b",
}
ISLAND_BORDER: Final = "#D55E00"


def edge_width(rel_type: str, rung: int = 0) -> float:
    """Tie width grows with the rung; other relationships stay thin."""
    if rel_type == "TIE":
        return 1.0 + 1.5 * (rung - 1)
    return 0.6
