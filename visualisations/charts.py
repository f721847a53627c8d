"""Charts drawn on the server as SVG: the ladder of an area, ties per rung per period.

matplotlib draws them (its object API, never ``pyplot``, so no global figure state is shared
between requests). The SVG keeps its text as text (``svg.fonttype = none``): it stays sharp on
a projector and in print, and a screen reader or a search can find the labels. Only vocabulary
and period labels are drawn; names typed by users never go into a chart.
"""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, cast

from queries.ladder import LadderProgress
from visualisations.styles import RUNG_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ladder_chart_svg", "svg_data_uri", "CHART_TEXT"]

CHART_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "nl": {"ties": "Aantal banden", "period": "Periode", "rung": "Trede", "empty": "Nog geen banden"},
    "en": {"ties": "Number of ties", "period": "Period", "rung": "Rung", "empty": "No ties yet"},
}
# rcParams are process-wide: render one chart at a time so parallel requests cannot mix settings
_LOCK = threading.Lock()
_RC: Final[dict[str, Any]] = {"svg.fonttype": "none", "svg.hashsalt": "goudkaart", "font.size": 11,
       "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False}
_STRIP = (re.compile(r"<\?xml[^>]*\?>\s*"), re.compile(r"<!DOCTYPE[^>]*>\s*"),
          re.compile(r"<metadata>.*?</metadata>\s*", re.S))


def _clean(svg: str) -> str:
    """Drop the XML prolog, doctype and metadata: the SVG can then be inlined or served as is."""
    for pattern in _STRIP:
        svg = pattern.sub("", svg)
    return svg.strip()


def ladder_chart_svg(progress: LadderProgress, rung_names: Mapping[int, str], *,
                     lang: str = "nl", width: float = 8.0, height: float = 4.2) -> str:
    """A stacked bar chart of ties per rung at the end of each period, as an SVG document.

    Parameters
    ----------
    progress : LadderProgress
        From :func:`queries.ladder.ladder_progress`.
    rung_names : mapping of int to str
        The rung names of the vocabulary, shown in the legend (``{1: "kennen", ...}``).
    lang : str
        ``nl`` or ``en`` for the axis labels.

    Examples
    --------
    >>> from datetime import date
    >>> from queries.ladder import LadderPeriod
    >>> p = LadderProgress("w", (LadderPeriod("2024", date(2024, 12, 31), (1, 2, 0, 0, 0)),))
    >>> svg = ladder_chart_svg(p, {1: "kennen", 2: "ontmoeten"})
    >>> svg.startswith("<svg") and "ontmoeten" in svg
    True
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    text = CHART_TEXT.get(lang, CHART_TEXT["nl"])
    with _LOCK, rc_context(cast(Any, _RC)):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        _draw_bars(ax, progress, rung_names, text)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _clean(out.getvalue())


def _draw_bars(ax: Axes, progress: LadderProgress, rung_names: Mapping[int, str],
               text: Mapping[str, str]) -> None:
    from matplotlib.ticker import MaxNLocator

    labels = [p.label for p in progress.periods]
    positions = list(range(len(labels)))
    bottoms = [0] * len(labels)
    for rung in range(1, 6):
        counts = [p.count(rung) for p in progress.periods]
        name = rung_names.get(rung, "")
        ax.bar(positions, counts, bottom=bottoms, color=RUNG_COLOURS[rung], edgecolor="#333333",
               linewidth=0.5, label=f"{rung} · {name}" if name else str(rung))
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    ax.set_xticks(positions, labels, rotation=45 if len(labels) > 8 else 0,
                  ha="right" if len(labels) > 8 else "center")
    ax.set_ylabel(text["ties"])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not any(bottoms):
        ax.text(0.5, 0.5, text["empty"], transform=ax.transAxes, ha="center", va="center")
        ax.set_ylim(0, 1)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], title=text["rung"], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False)


def svg_data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI for an ``<img>``: a picture that can never run a script."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
