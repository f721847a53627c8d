"""The Neo4j Browser style (docs/goudkaart.grass) colours every label as the map's legend does."""

from __future__ import annotations

import re
from pathlib import Path

from graphsvc.model import LABELS
from visualisations.styles import NODE_STYLES, RUNG_COLOURS

GRASS = Path(__file__).resolve().parents[2] / "docs" / "goudkaart.grass"


def _rules() -> dict[str, dict[str, str]]:
    text = GRASS.read_text(encoding="utf-8")
    rules = {}
    for selector, body in re.findall(r"^([\w.]+) \{\n(.*?)^\}", text, re.S | re.M):
        rules[selector] = dict(re.findall(r"([\w-]+):\s*([^;]+);", body))
    return rules


def test_every_label_has_the_legend_colour_and_a_caption() -> None:
    rules = _rules()
    for label in LABELS:
        rule = rules[f"node.{label}"]
        assert rule["color"].upper() == NODE_STYLES[label]["color"].upper(), label
        assert re.fullmatch(r'"\{\w+\}"', rule["caption"]), label
    assert rules["relationship.TIE"]["caption"] == '"{rung}"'
    assert rules["relationship.TIE"]["color"].upper() in {c.upper() for c in RUNG_COLOURS.values()}
    assert not [s for s in rules if s.startswith("node.") and s[5:] not in LABELS]  # no bookkeeping
