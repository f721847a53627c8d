"""The heat table of an area's signals: themes × months, the number of organisations per cell.

Drawn like :mod:`visualisations.charts` (matplotlib's object API, text kept as text, one chart
at a time). A cell with fewer than three organisations is drawn pale and written "<3" for
everyone but admins (see :mod:`queries.signals`), so the picture never says more than the table.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

from queries.signals import MIN_ORGS, AreaSignals
from visualisations.charts import _LOCK, _RC, _clean

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["heat_rows", "signal_heat_svg", "HEAT_TEXT"]

HEAT_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "nl": {"month": "Maand", "empty": "Nog geen signalen", "few": "<3",
           "legend": "Aantal organisaties dat het thema signaleert"},
    "en": {"month": "Month", "empty": "No signals yet", "few": "<3",
           "legend": "Number of organisations signalling the theme"},
}
_SHADES: Final = ("#f4f1e8", "#f6d58e", "#eeae3f", "#c97a12", "#8a4b00")


def _months(first: str, last: str) -> list[str]:
    out: list[str] = []
    month = first
    while month <= last and len(out) < 60:
        out.append(month)
        year, mon = int(month[:4]), int(month[5:7])
        month = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"
    return out


def heat_rows(signals: AreaSignals, lang: str = "nl", *, everything: bool = False
              ) -> tuple[list[str], list[tuple[str, list[int | None]]]]:
    """Months (columns) and per theme its counts per month; None where fewer than three.

    Only groups of at least three organisations are rows, unless ``everything`` (admins).

    Examples
    --------
    >>> heat_rows(AreaSignals("w", "West", None, ()))
    ([], [])
    """
    groups = [g for g in signals.groups if everything or g.organisations >= MIN_ORGS]
    seen = sorted({m for g in groups for m, _ in g.months})
    if not seen:
        return [], []
    first, last = signals.period or (seen[0], seen[-1])
    months = _months(max(first, seen[0]) if not signals.period else first, last)
    rows = []
    for g in groups:
        counts = dict(g.months)
        cells: list[int | None] = []
        for m in months:
            n = counts.get(m, 0)
            cells.append(None if 0 < n < MIN_ORGS and not everything else n)
        rows.append((g.theme_en if lang == "en" else g.theme_nl, cells))
    return months, rows


def _shade(n: int | None) -> str:
    if n is None:
        return _SHADES[0]
    return _SHADES[min(n, len(_SHADES) - 1)] if n else "#ffffff"


def _draw(ax: Axes, months: Sequence[str], rows: Sequence[tuple[str, Sequence[int | None]]],
          text: Mapping[str, str]) -> None:
    from matplotlib.patches import Rectangle

    for y, (_, cells) in enumerate(rows):
        for x, n in enumerate(cells):
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor=_shade(n), edgecolor="#ffffff", linewidth=1.5))
            label = text["few"] if n is None else str(n) if n else ""
            colour = "#ffffff" if n is not None and n >= 3 else "#222222"
            ax.text(x + 0.5, y + 0.5, label, ha="center", va="center", color=colour, fontsize=10)
    ax.set_xlim(0, max(len(months), 1))
    ax.set_ylim(max(len(rows), 1), 0)
    ax.set_xticks([i + 0.5 for i in range(len(months))], list(months),
                  rotation=45 if len(months) > 6 else 0, ha="right" if len(months) > 6 else "center")
    ax.set_yticks([i + 0.5 for i in range(len(rows))], [name for name, _ in rows])
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(text["month"])
    ax.set_title(text["legend"], fontsize=10, loc="left")
    if not rows:
        ax.text(0.5, 0.5, text["empty"], transform=ax.transAxes, ha="center", va="center")


def signal_heat_svg(signals: AreaSignals, lang: str = "nl", *, everything: bool = False) -> str:
    """The heat table of an area's signals as an SVG document.

    Parameters
    ----------
    signals : AreaSignals
        From :func:`queries.signals.area_signals`.
    lang : str
        ``nl`` or ``en`` for the theme names and labels.
    everything : bool
        Show groups and cells of fewer than three organisations with their numbers (admins).

    Examples
    --------
    >>> svg = signal_heat_svg(AreaSignals("w", "West", None, ()))
    >>> svg.startswith("<svg") and "Nog geen signalen" in svg
    True
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    months, rows = heat_rows(signals, lang, everything=everything)
    text = HEAT_TEXT.get(lang, HEAT_TEXT["nl"])
    width = min(3.0 + 0.75 * max(len(months), 3), 14.0)
    height = 1.4 + 0.42 * max(len(rows), 2)
    with _LOCK, rc_context(cast(Any, _RC)):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        _draw(ax, months, rows, text)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _clean(out.getvalue())
