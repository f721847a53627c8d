"""The relationship properties the design fixes: a ``WORKS_ON`` weight, a grant's amount, year and status.

Every write checks them (:func:`graphsvc.model.validate_relationship`); an importer asks
:func:`property_problems` first, so it can name the file, row and column of each bad value.
Values stored before these rules keep being read as they are (the queries clamp them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

__all__ = [
    "WEIGHTS",
    "GRANT_STATUSES",
    "NOT_GRANTED_STATUSES",
    "FIRST_YEAR",
    "PropertyProblem",
    "RULED_TYPES",
    "last_year",
    "property_problems",
    "stored_weight",
]

#: ``WORKS_ON.weight``: how central a theme is to the actor's work (1 a side line, 3 the core).
WEIGHTS: Final = (1, 2, 3)

#: ``FUNDS.status`` ids, from application to end. The names live in ``vocab/grant_statuses.yaml``
#: (an organisation may rename them); the ids are fixed because the queries read their meaning.
GRANT_STATUSES: Final = ("pending", "awarded", "active", "completed", "rejected", "withdrawn")

#: The statuses under which no money was granted (yet): they do not count as funding.
NOT_GRANTED_STATUSES: Final = frozenset({"pending", "rejected", "withdrawn"})

FIRST_YEAR: Final = 1800


def last_year() -> int:
    """The latest plausible grant or founding year: ten years from now."""
    return date.today().year + 10


@dataclass(frozen=True)
class PropertyProblem:
    """One property that does not fit its rule, said in Dutch and English."""

    field: str
    nl: str
    en: str


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _weight(value: Any) -> PropertyProblem | None:
    if _whole(value) and value in WEIGHTS:
        return None
    return PropertyProblem("weight", f"Het gewicht moet een heel getal van 1 tot en met 3 zijn, niet {value!r}.",
                           f"The weight must be a whole number from 1 to 3, not {value!r}.")


def _amount(value: Any) -> PropertyProblem | None:
    if (_whole(value) or isinstance(value, float)) and 0 <= value < float("inf"):
        return None
    return PropertyProblem("amount", f"Het bedrag moet een getal van 0 of meer zijn (euro), niet {value!r}.",
                           f"The amount must be a number of 0 or more (euro), not {value!r}.")


def _year(value: Any) -> PropertyProblem | None:
    if _whole(value) and FIRST_YEAR <= value <= last_year():
        return None
    return PropertyProblem("year", f"Het jaar moet een heel jaartal van {FIRST_YEAR} tot en met {last_year()} "
                           f"zijn, niet {value!r}.",
                           f"The year must be a whole year from {FIRST_YEAR} to {last_year()}, not {value!r}.")


def _status(value: Any) -> PropertyProblem | None:
    if value in GRANT_STATUSES:
        return None
    allowed = ", ".join(GRANT_STATUSES)
    return PropertyProblem("status", f"De status moet een van {allowed} zijn, niet {value!r}.",
                           f"The status must be one of {allowed}, not {value!r}.")


_RULES: Final = {
    "WORKS_ON": (("weight", _weight),),
    "FUNDS": (("amount", _amount), ("year", _year), ("status", _status)),
}

#: The relationship types that have fixed properties.
RULED_TYPES: Final = frozenset(_RULES)


def property_problems(rel_type: str, props: Mapping[str, Any]) -> list[PropertyProblem]:
    """What is wrong with the fixed properties of one relationship; empty when all fit.

    A property that is absent (or None) is not checked: all of them are optional.

    Examples
    --------
    >>> property_problems("WORKS_ON", {"weight": 2}), property_problems("TIE", {"weight": "x"})
    ([], [])
    >>> [p.en for p in property_problems("FUNDS", {"amount": -5, "status": "awarded"})]
    ['The amount must be a number of 0 or more (euro), not -5.']
    """
    rules = _RULES.get(rel_type)
    if rules is None:  # the common case: nothing to check
        return []
    problems = []
    for name, rule in rules:
        value = props.get(name)
        if value is not None and (problem := rule(value)) is not None:
            problems.append(problem)
    return problems


def stored_weight(raw: object, default: int) -> int:
    """A stored ``WORKS_ON`` weight as the queries read it: 1–3, ``default`` when missing or unreadable.

    Values stored before the rules were checked are clamped rather than failing a query.

    Examples
    --------
    >>> stored_weight(3, 2), stored_weight("abc", 2), stored_weight(7, 2), stored_weight(None, 1)
    (3, 2, 3, 1)
    """
    try:
        value = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(value, WEIGHTS[0]), WEIGHTS[-1])
