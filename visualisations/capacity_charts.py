"""Small trend charts of a capacity profile, one per dimension, drawn on the server as SVG.

Like :mod:`visualisations.charts`, matplotlib's object API draws them (no ``pyplot`` state),
text stays text, and only dates and scores are drawn: a note typed by a user never goes into a
chart. The band at and below the dimension's need threshold is shaded, so a glance shows when
a score proposes a need.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, cast

from graphsvc.capacity import DimensionTrend
from visualisations.charts import _LOCK, _RC, _clean, svg_data_uri

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["capacity_trend_svg", "capacity_trend_uri", "LINE_COLOUR"]

LINE_COLOUR: Final = "#8a5a00"
_BAND: Final = "#f6e3c4"
_EMPTY: Final = {"nl": "Nog geen score", "en": "No score yet"}


def _short(day: str) -> str:
    """``2025-03-13`` → ``03-2025`` (month and year are what a coach compares)."""
    return f"{day[5:7]}-{day[:4]}" if len(day) >= 7 else "?"


def _draw(ax: Axes, trend: DimensionTrend, threshold: int, lang: str) -> None:
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks([1, 2, 3, 4, 5])
    if threshold:
        ax.axhspan(0.5, threshold + 0.5, color=_BAND, zorder=0, linewidth=0)
    if not trend.points:
        ax.set_xticks([])
        ax.text(0.5, 0.5, _EMPTY.get(lang, _EMPTY["nl"]), transform=ax.transAxes, ha="center",
                va="center", fontsize=9)
        return
    xs = list(range(len(trend.points)))
    scores = [score for _, score in trend.points]
    ax.plot(xs, scores, color=LINE_COLOUR, marker="o", markersize=4, linewidth=1.6)
    ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
    shown = xs if len(xs) <= 4 else [xs[0], xs[len(xs) // 2], xs[-1]]
    ax.set_xticks(shown, [_short(trend.points[i][0]) for i in shown], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)


def capacity_trend_svg(trend: DimensionTrend, *, threshold: int = 0, lang: str = "nl",
                       width: float = 2.8, height: float = 1.4) -> str:
    """One dimension's scores over time as a small SVG line chart.

    Parameters
    ----------
    trend : DimensionTrend
        From :func:`graphsvc.capacity.capacity_trend`.
    threshold : int
        Scores at or below it propose a need (shaded); 0 for no band.
    lang : str
        ``nl`` or ``en``, for the text of an empty chart.

    Examples
    --------
    >>> from graphsvc.capacity import DimensionTrend
    >>> t = DimensionTrend("governance", "Bestuur", "Governance", "", "",
    ...                    (("2024-01-10", 2), ("2024-06-10", 4)))
    >>> svg = capacity_trend_svg(t, threshold=2)
    >>> svg.startswith("<svg") and "06-2024" in svg
    True
    """
    return _render(trend, threshold, lang, width, height)


# a profile changes a few times a year: the same trend is drawn once, not on every page view
@lru_cache(maxsize=512)
def _render(trend: DimensionTrend, threshold: int, lang: str, width: float, height: float) -> str:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with _LOCK, rc_context(cast(Any, {**_RC, "font.size": 8})):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        _draw(ax, trend, threshold, lang)
        fig.tight_layout(pad=0.3)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _clean(out.getvalue())


def capacity_trend_uri(trend: DimensionTrend, *, threshold: int = 0, lang: str = "nl") -> str:
    """:func:`capacity_trend_svg` as a ``data:`` URI for an ``<img>`` (a picture, never a script)."""
    return svg_data_uri(capacity_trend_svg(trend, threshold=threshold, lang=lang))
