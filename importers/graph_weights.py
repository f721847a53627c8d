"""The numeric edge weights of a graph file, for showing how ``--rung-from weight`` would bin them."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx

from importers.graph_mapping import WeightBins, number, weight_bins

__all__ = ["file_weights", "file_bins", "GRAPH_FORMATS", "needs_mapping"]

GRAPH_FORMATS = ("graphml", "gexf", "kumu")
_NEEDS = ("does not follow Goudkaart's convention", "become ties (TIE) but have no rung")


def needs_mapping(messages_en: list[str]) -> bool:
    """Whether a refusal is one a mapping (node type, edge type, rung) would answer.

    Examples
    --------
    >>> needs_mapping(["2 edges become ties (TIE) but have no rung: give --rung 1-5 or --rung-from weight."])
    True
    """
    return any(marker in text for text in messages_en for marker in _NEEDS)


def file_weights(path: Path, fmt: str) -> list[float]:
    """Every numeric ``weight`` of an edge in a GraphML, GEXF or Kumu file (empty when unreadable).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "g.json"
    >>> _ = p.write_text('{"elements": [], "connections": [{"from": "a", "to": "b", "weight": 2.5}]}')
    >>> file_weights(p, "kumu")
    [2.5]
    """
    try:
        if fmt == "graphml":
            graph = nx.read_graphml(str(path), force_multigraph=True)
            raw = [d.get("weight") for _, _, d in graph.edges(data=True)]
        elif fmt == "gexf":
            raw = _gexf_weights(ET.parse(str(path)).getroot())
        elif fmt == "kumu":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            raw = [c.get("weight") for c in data.get("connections") or [] if isinstance(c, dict)]
        else:
            return []
    except (OSError, ValueError, ET.ParseError, nx.NetworkXError, AttributeError, KeyError):
        return []
    return [w for w in map(number, raw) if w is not None]


def file_bins(path: Path, fmt: str) -> WeightBins | None:
    """How the file's weights would become rungs, or None when its edges carry no weight.

    Examples
    --------
    >>> file_bins(Path("no-such-file.graphml"), "graphml") is None
    True
    """
    weights = file_weights(path, fmt)
    return weight_bins(weights) if weights else None


def _gexf_weights(root: ET.Element) -> list[object]:
    ids = {el.get("id") for el in root.iter() if el.tag.endswith("attribute") and el.get("title") == "weight"}
    out: list[object] = []
    for edge in (el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "edge"):
        found = edge.get("weight")
        for value in (v for v in edge.iter() if v.tag.endswith("attvalue") and v.get("for") in ids):
            found = value.get("value")
        out.append(found)
    return out
