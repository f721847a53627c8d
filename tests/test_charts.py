"""The ladder chart: an SVG drawn on the server, the same for the same numbers."""

from __future__ import annotations

import base64
from datetime import date

from queries.ladder import LadderPeriod, LadderProgress
from visualisations.charts import ladder_chart_svg, svg_data_uri

NAMES = {1: "kennen", 2: "ontmoeten", 3: "afstemmen", 4: "samenwerken", 5: "samen agenderen"}


def progress(*rungs: tuple[int, int, int, int, int]) -> LadderProgress:
    return LadderProgress("w", tuple(LadderPeriod(f"2024-Q{i}", date(2024, 3 * i, 28), r)
                                     for i, r in enumerate(rungs, 1)))


def test_chart_is_svg_with_periods_and_rung_names() -> None:
    svg = ladder_chart_svg(progress((1, 2, 0, 0, 0), (1, 3, 1, 0, 0)), NAMES)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<metadata>" not in svg and "<script" not in svg
    for text in ("2024-Q1", "2024-Q2", "1 · kennen", "5 · samen agenderen", "Aantal banden"):
        assert text in svg


def test_chart_is_deterministic_and_speaks_english() -> None:
    data = progress((0, 1, 0, 0, 2))
    assert ladder_chart_svg(data, NAMES) == ladder_chart_svg(data, NAMES)
    assert "Number of ties" in ladder_chart_svg(data, NAMES, lang="en")


def test_an_empty_ladder_says_so() -> None:
    assert "Nog geen banden" in ladder_chart_svg(progress((0, 0, 0, 0, 0)), NAMES)
    assert "No ties yet" in ladder_chart_svg(LadderProgress(None, ()), NAMES, lang="en")


def test_data_uri_round_trips() -> None:
    uri = svg_data_uri("<svg/>")
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == b"<svg/>"
