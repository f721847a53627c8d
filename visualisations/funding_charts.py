"""Funding charts for the funder dashboard as small, self-contained SVG files.

Two horizontal bar charts: money per cluster, and funder concentration (Herfindahl index) per
cluster. They are written directly as SVG rather than with matplotlib (not installed in this
environment): two bar charts need about sixty lines, render identically everywhere, load as an
``<img>`` under the strict Content-Security-Policy, and every label goes through one escaping
function, so an organisation's name can never become markup. Each chart carries a ``<title>``
and ``<desc>`` for screen readers; the same numbers are in the cluster table.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from queries.cluster_profiles import ClusterProfile
from visualisations.cluster_map import concentration_colour

__all__ = ["bar_chart_svg", "funding_chart", "concentration_chart"]

WIDTH: Final = 720
BAR: Final = 22
GAP: Final = 6
LABEL_WIDTH: Final = 330
TOP: Final = 44


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart_svg(title: str, description: str, rows: Sequence[tuple[str, float, str, str]]) -> str:
    """An SVG bar chart; ``rows`` are ``(label, value, value text, colour)``, drawn top to bottom.

    Examples
    --------
    >>> svg = bar_chart_svg("Geld", "per cluster", [("<b>x</b>", 2.0, "€ 2", "#56B4E9")])
    >>> svg.startswith("<svg") and "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    True
    """
    top = max((v for _, v, _, _ in rows), default=0.0) or 1.0
    scale = (WIDTH - LABEL_WIDTH - 90) / top
    height = TOP + len(rows) * (BAR + GAP) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="system-ui, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="10" y="24" font-size="16" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value, shown, colour) in enumerate(rows):
        y = TOP + i * (BAR + GAP)
        w = max(value * scale, 1.0 if value > 0 else 0.0)
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 6}" text-anchor="end">{escape(_short(label))}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{escape(colour)}"/>',
            f'<text x="{LABEL_WIDTH + w + 6:.1f}" y="{y + BAR - 6}">{escape(shown)}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def _euro(amount: float, lang: str) -> str:
    text = f"{amount:,.0f}"
    return "€ " + (text.replace(",", ".") if lang == "nl" else text)


def funding_chart(profiles: Sequence[ClusterProfile], *, lang: str = "nl", limit: int = 15) -> str:
    """Money received per cluster, the ``limit`` best funded first.

    Examples
    --------
    >>> p = ClusterProfile("c1", 3, "Taal", "Language", "", "", (), (), (), (), (), (), 1234.0, (), 1, 1.0, 0, ())
    >>> "€ 1.234" in funding_chart([p])
    True
    """
    ranked = sorted(profiles, key=lambda p: (-p.funding_total, p.id))[:limit]
    rows = [(p.name(lang), p.funding_total, _euro(p.funding_total, lang), concentration_colour(p)) for p in ranked]
    if lang == "en":
        return bar_chart_svg("Funding per cluster", f"The {len(rows)} best funded clusters and the money they receive.", rows)
    return bar_chart_svg("Geld per cluster", f"De {len(rows)} best gefinancierde clusters en het geld dat ze krijgen.", rows)


def concentration_chart(profiles: Sequence[ClusterProfile], *, lang: str = "nl", limit: int = 15) -> str:
    """Funder concentration (Herfindahl index, 0–1) of the ``limit`` most concentrated funded clusters.

    Examples
    --------
    >>> p = ClusterProfile("c1", 3, "Taal", "Language", "", "", (), (), (), (), (), (), 10.0, (), 1, 0.68, 0, ())
    >>> "0.68" in concentration_chart([p], lang="en")
    True
    """
    funded = [p for p in profiles if p.funding_total > 0]
    ranked = sorted(funded, key=lambda p: (-p.herfindahl, -p.funding_total, p.id))[:limit]
    rows = [(p.name(lang), p.herfindahl,
             f"{p.herfindahl:.2f}".replace(".", ",") if lang == "nl" else f"{p.herfindahl:.2f}",
             concentration_colour(p)) for p in ranked]
    if lang == "en":
        return bar_chart_svg("Funder concentration per cluster",
                             "Herfindahl index of the funders' shares: 1 means one funder gives everything.", rows)
    return bar_chart_svg("Concentratie van fondsen per cluster",
                         "Herfindahl-index van de aandelen van fondsen: 1 betekent dat één fonds alles geeft.", rows)
