"""Colours, shapes and widths shared by the live map, the offline map and the charts."""

from __future__ import annotations

from typing import Final

__all__ = ["NODE_STYLES", "ISLAND_STYLE", "RUNG_COLOURS", "DARK_RUNG_COLOURS", "CANVAS",
           "ISLAND_BORDER", "NODE_BORDER", "edge_width", "node_colour", "legend_colours",
           "contrast"]

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
    # never on the map (private or aggregated only); styled for Neo4j Browser
    "TieRequest": {"shape": "box", "color": "#CCCCCC"},
    "Introduction": {"shape": "box", "color": "#DDDDDD"},
    "Signal": {"shape": "box", "color": "#AA4499"},
}
#: An island: its own shape and a deep crimson with ≥ 3:1 contrast against the white and the
#: black canvas and against the orange of the other organisations.
ISLAND_STYLE: Final[dict[str, str]] = {"shape": "star", "color": "#B8002E"}
ISLAND_BORDER: Final = "#B8002E"
NODE_BORDER: Final = "#333333"
CANVAS: Final[dict[str, str]] = {"light": "#ffffff", "dark": "#000000"}
#: Ties on a light canvas: each rung darker (more contrast) than the one below; rung 1 ≥ 3:1.
RUNG_COLOURS: Final[dict[int, str]] = {
    1: "#8a8a8a",
    2: "#4a7fb0",
    3: "#2f6598",
    4: "#1c4a80",
    5: "#08306b",
}
#: Ties on the dark projector canvas: each rung brighter than the one below; rung 1 ≥ 3:1.
DARK_RUNG_COLOURS: Final[dict[int, str]] = {
    1: "#7a7a7a",
    2: "#8fb8de",
    3: "#b0d4f5",
    4: "#d6ebff",
    5: "#ffffff",
}


def edge_width(rel_type: str, rung: int = 0) -> float:
    """Tie width grows with the rung; other relationships stay thin."""
    if rel_type == "TIE":
        return 1.0 + 1.5 * (rung - 1)
    return 0.6


def node_colour(label: str, island: bool = False) -> dict[str, object]:
    """Every colour vis-network could use for the node, explicitly (no default group colours).

    Examples
    --------
    >>> node_colour("Organisation", island=True)["background"]
    '#B8002E'
    """
    fill = ISLAND_STYLE["color"] if island else NODE_STYLES[label]["color"]
    both = {"background": fill, "border": NODE_BORDER}
    return {**both, "highlight": dict(both), "hover": dict(both)}


def legend_colours() -> dict[str, str]:
    """The node fills a map legend names: every fill a map payload may carry."""
    return {**{k: NODE_STYLES[k]["color"] for k in ("Organisation", "Institution", "Fund", "Interest")},
            "Island": ISLAND_STYLE["color"]}


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours.

    Examples
    --------
    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
