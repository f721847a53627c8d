"""Read one spreadsheet cell as the value a column wants, or say in Dutch and English why not.

Each parser takes the cell text and returns the value, or raises :class:`CellError` with a
message that makes sense next to "sheet ties, row 7, column rung".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from graphsvc.rel_props import FIRST_YEAR, last_year
from graphsvc.text import normalise_name

__all__ = ["CellError", "parse_kvk", "parse_int", "parse_year", "parse_amount", "parse_date",
           "parse_list", "parse_id", "slug", "looks_like_formula", "parse_choice", "SEPARATOR"]

SEPARATOR: Final = "|"
_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$")
_FORMULA_START: Final = ("=", "@")
_FORMULA_SIGNS: Final = re.compile(r"[=(!]")


class CellError(ValueError):
    """Why a cell cannot be read, in Dutch and English."""

    def __init__(self, nl: str, en: str) -> None:
        super().__init__(en)
        self.nl = nl
        self.en = en


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would run as a formula (``=``, ``@``, or ``+``/``-`` with one).

    Examples
    --------
    >>> looks_like_formula("=HYPERLINK(\\"http://x\\")"), looks_like_formula("+31 20 123 4567")
    (True, False)
    >>> looks_like_formula("-2+3+cmd|' /C calc'!A0"), looks_like_formula("'t Buurthuis")
    (True, False)
    """
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return False
    if stripped[0] in _FORMULA_START:
        return True
    return stripped[0] in "+-" and bool(_FORMULA_SIGNS.search(stripped))


def parse_kvk(text: str) -> str:
    """A Chamber of Commerce number: exactly 8 digits (spaces and dots ignored).

    Examples
    --------
    >>> parse_kvk("1234 5678")
    '12345678'
    >>> parse_kvk("1234567")
    Traceback (most recent call last):
    ...
    importers.cells.CellError: A KvK number has exactly 8 digits; '1234567' has 7.
    """
    digits = re.sub(r"[\s.]", "", text)
    if not digits.isdigit() or len(digits) != 8:
        count = sum(c.isdigit() for c in digits)
        raise CellError(f"Een KvK-nummer heeft precies 8 cijfers; {text!r} heeft er {count}.",
                        f"A KvK number has exactly 8 digits; {text!r} has {count}.")
    return digits


def parse_int(text: str, low: int = 0, high: int = 10_000_000) -> int:
    """A whole number from ``low`` to ``high``."""
    try:
        value = int(text.replace(".", "").replace(" ", "")) if text.strip() else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise CellError(f"Vul een heel getal van {low} tot en met {high} in, niet {text!r}.",
                        f"Enter a whole number from {low} to {high}, not {text!r}.")
    return value


def parse_year(text: str) -> int:
    return parse_int(text, FIRST_YEAR, last_year())


def parse_amount(text: str) -> int | float:
    """An amount in euro: ``12500``, ``12.500``, ``12.500,50``, ``€ 1,250.00``.

    Examples
    --------
    >>> parse_amount("€ 12.500,50"), parse_amount("12500"), parse_amount("1,250.00")
    (12500.5, 12500, 1250)
    """
    clean = re.sub(r"[€\s]|EUR", "", text, flags=re.IGNORECASE)
    if "," in clean and "." in clean:
        decimal = "," if clean.rfind(",") > clean.rfind(".") else "."
        clean = clean.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in clean:
        head, _, tail = clean.rpartition(",")
        clean = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else clean.replace(",", "")
    elif clean.count(".") > 1 or (clean.count(".") == 1 and len(clean.rpartition(".")[2]) == 3):
        clean = clean.replace(".", "")
    try:
        value = float(clean)
    except ValueError:
        raise CellError(f"{text!r} is geen bedrag; schrijf bijvoorbeeld 12500 of 12.500,50.",
                        f"{text!r} is not an amount; write e.g. 12500 or 12500.50.") from None
    if value < 0 or value != value or value in (float("inf"),):
        raise CellError("Een bedrag kan niet negatief zijn.", "An amount cannot be negative.")
    return int(value) if value.is_integer() else value


_DATE_FORMS: Final = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"), (3, 2, 1)),
)


def parse_date(text: str) -> str:
    """A date as ``yyyy-mm-dd``; ``dd-mm-yyyy`` and ``dd/mm/yyyy`` are read day first.

    Examples
    --------
    >>> parse_date("2024-03-14"), parse_date("14/03/2024 00:00"), parse_date("1-2-2023")
    ('2024-03-14', '2024-03-14', '2023-02-01')
    """
    for pattern, (y, m, d) in _DATE_FORMS:
        match = pattern.match(text.strip())
        if match:
            try:
                return date(int(match.group(y)), int(match.group(m)), int(match.group(d))).isoformat()
            except ValueError:
                break
    raise CellError(f"{text!r} is geen datum; schrijf jjjj-mm-dd, bv. 2024-03-14.",
                    f"{text!r} is not a date; write yyyy-mm-dd, e.g. 2024-03-14.")


def parse_list(text: str) -> list[str]:
    """Values separated by ``|`` (spaces around them ignored, empty ones dropped).

    Examples
    --------
    >>> parse_list(" nl | ar||tr ")
    ['nl', 'ar', 'tr']
    """
    return [v.strip() for v in text.split(SEPARATOR) if v.strip()]


def parse_id(text: str) -> str:
    """An id: letters, digits and ``- _ . : /``, at most 200 characters, starting with a letter or digit."""
    if not _ID.match(text):
        raise CellError(f"Id {text[:60]!r} mag alleen letters, cijfers en - _ . : / bevatten en moet met "
                        "een letter of cijfer beginnen (max. 200 tekens).",
                        f"Id {text[:60]!r} may only hold letters, digits and - _ . : / and must start "
                        "with a letter or digit (at most 200 characters).")
    return text


def slug(text: str) -> str:
    """A readable id part from a name.

    Examples
    --------
    >>> slug("Stichting Öz-Birlik (West)")
    'stichting-oz-birlik-west'
    """
    return re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-")[:80] or "x"


def parse_choice(text: str, choices: dict[str, str], what_nl: str, what_en: str) -> str:
    """One of ``choices`` (keys are normalised spellings, values the stored ids)."""
    found = choices.get(normalise_name(text))
    if found is None:
        allowed = ", ".join(sorted(set(choices.values())))
        raise CellError(f"{text!r} is geen bekende {what_nl}; kies uit: {allowed}.",
                        f"{text!r} is not a known {what_en}; choose from: {allowed}.")
    return found
