"""Dates as funders publish them, read with the precision they have (year, month or day).

360Giving asks for ISO 8601, but published files also hold ``26/03/2001 00:00``, ``08/2013``,
``2013`` and ``19 April 2013`` (or ``1 maart 2020``). :func:`parse_grant_date` reads all of
these and keeps what the text says: a month-only date is ``2013-08``, never a made-up day.
A date that cannot exist (``2014-13-45``, ``31/31/2014``) is a :class:`~importers.cells.CellError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from graphsvc.rel_props import FIRST_YEAR, last_year
from importers.cells import CellError

__all__ = ["GrantDate", "parse_grant_date", "MONTHS"]

#: Month names and abbreviations, English and Dutch, lower case, to month numbers.
MONTHS: Final[dict[str, int]] = {
    **{name: i for i, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"), 1)},
    **{name: i for i, name in enumerate(
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
         "oktober", "november", "december"), 1)},
    **{name: i for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)},
    "sept": 9, "mrt": 3, "mei": 5, "okt": 10,
}

_TIME: Final = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO: Final = re.compile(rf"^(\d{{4}})-(\d{{1,2}})(?:-(\d{{1,2}}){_TIME})?$")
_DMY: Final = re.compile(rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}){_TIME}$")
_MY: Final = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_Y: Final = re.compile(r"^(\d{4})$")
_D_MONTH_Y: Final = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e)?\s+([^\W\d_]+)\.?,?\s+(\d{4})$")
_MONTH_D_Y: Final = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_Y: Final = re.compile(r"^([^\W\d_]+)\.?,?\s+(\d{4})$")


@dataclass(frozen=True)
class GrantDate:
    """A date with the precision its text had.

    ``value`` is ``yyyy``, ``yyyy-mm`` or ``yyyy-mm-dd``; ``day_first`` says it was written
    ``dd/mm/yyyy`` (read day first, as UK and Dutch publishers write it).
    """

    value: str
    year: int
    day_first: bool = False

    @property
    def precision(self) -> str:
        return ("year", "month", "day")[self.value.count("-")]


def _impossible(text: str) -> CellError:
    return CellError(f"{text!r} is geen bestaande datum.", f"{text!r} is not a possible date.")


def _built(text: str, year: int, month: int | None = None, day: int | None = None, *,
           day_first: bool = False) -> GrantDate:
    if not FIRST_YEAR <= year <= last_year():
        raise CellError(f"{text!r}: het jaar {year} ligt niet tussen {FIRST_YEAR} en {last_year()}.",
                        f"{text!r}: the year {year} is not between {FIRST_YEAR} and {last_year()}.")
    if month is None:
        return GrantDate(f"{year:04d}", year)
    if not 1 <= month <= 12:
        raise _impossible(text)
    if day is None:
        return GrantDate(f"{year:04d}-{month:02d}", year)
    try:
        return GrantDate(date(year, month, day).isoformat(), year, day_first)
    except ValueError:
        raise _impossible(text) from None


def _month(text: str, word: str) -> int:
    month = MONTHS.get(word.lower())
    if month is None:
        raise CellError(f"{text!r}: {word!r} is geen maand.", f"{text!r}: {word!r} is not a month.")
    return month


def parse_grant_date(text: str) -> GrantDate:
    """Read a published date, keeping its precision.

    Raises :class:`~importers.cells.CellError` for text that is no date or a date that cannot exist.

    Examples
    --------
    >>> [parse_grant_date(t).value for t in ("2013-08-19T00:00:00Z", "26/03/2001 00:00", "08/2013",
    ...                                       "2013", "19 April 2013", "1 maart 2020", "Sept 2014")]
    ['2013-08-19', '2001-03-26', '2013-08', '2013', '2013-04-19', '2020-03-01', '2014-09']
    >>> parse_grant_date("2014-13-45")
    Traceback (most recent call last):
    ...
    importers.cells.CellError: '2014-13-45' is not a possible date.
    """
    clean = " ".join(text.split())
    if match := _ISO.match(clean):
        y, m, d = match.groups()
        return _built(text, int(y), int(m), int(d) if d else None)
    if match := _DMY.match(clean):
        d, m, y = match.groups()
        return _built(text, int(y), int(m), int(d), day_first=True)
    if match := _MY.match(clean):
        return _built(text, int(match.group(2)), int(match.group(1)))
    if match := _Y.match(clean):
        return _built(text, int(match.group(1)))
    if match := _D_MONTH_Y.match(clean):
        return _built(text, int(match.group(3)), _month(text, match.group(2)), int(match.group(1)))
    if match := _MONTH_D_Y.match(clean):
        return _built(text, int(match.group(3)), _month(text, match.group(1)), int(match.group(2)))
    if match := _MONTH_Y.match(clean):
        return _built(text, int(match.group(2)), _month(text, match.group(1)))
    raise CellError(f"{text!r} is geen datum; schrijf jjjj-mm-dd, jjjj-mm of jjjj.",
                    f"{text!r} is not a date; write yyyy-mm-dd, yyyy-mm or yyyy.")
