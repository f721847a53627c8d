"""Grants as numbers: periods, grant years and amounts, funder concentration and area levels.

The small shared vocabulary of the funding lenses (:mod:`queries.funding`,
:mod:`queries.funding_gaps`) and the cluster profiles (:mod:`queries.cluster_profiles`).

Grants are ``FUNDS`` relationships (fund → organisation) with an ``amount`` in euros and a
``status``. Only grants that :func:`counts_as_funding` are money received: every money figure
(dependency, flows, gaps, cluster funding, fund matching) leaves pending, rejected and withdrawn
grants out; lists of single grants show them with their status. A
``period`` (``"2024"`` or ``"2023-2025"``) keeps the grants whose years (``start``/``end`` dates,
else ``year``) overlap it; a grant without any date is left out when a period is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node
from graphsvc.rel_props import NOT_GRANTED_STATUSES
from graphsvc.snapshot import Snapshot

__all__ = [
    "Period",
    "NOT_GRANTED",
    "PENDING",
    "counts_as_funding",
    "is_pending",
    "parse_period",
    "grant_years",
    "grant_amount",
    "herfindahl",
    "area_at_level",
    "area_levels",
    "fund_node",
    "percent",
]

#: ``FUNDS.status`` values of an application still waiting for a decision: the vocabulary's
#: ``pending`` and the spellings stored before statuses were checked on write.
PENDING: frozenset[str] = frozenset({"pending", "applied", "aangevraagd", "in behandeling"})

#: ``FUNDS.status`` values under which no money was granted (yet): the vocabulary's ids
#: (``vocab/grant_statuses.yaml``), and the spellings stored before statuses were checked on write.
NOT_GRANTED: frozenset[str] = NOT_GRANTED_STATUSES | PENDING | frozenset({
    "declined", "cancelled", "afgewezen", "ingetrokken", "geannuleerd",
})

_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-–/]\s*(\d{4}))?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})")


@dataclass(frozen=True)
class Period:
    """A closed range of calendar years."""

    first: int
    last: int

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def overlaps(self, first: int | None, last: int | None) -> bool:
        return first is not None and last is not None and first <= self.last and last >= self.first


def parse_period(value: str | Period | None) -> Period | None:
    """``"2024"`` or ``"2023-2025"`` as a :class:`Period`; None stays None.

    Raises
    ------
    InvalidInput
        When the text is not one year or two years joined by a dash, or runs backwards.

    Examples
    --------
    >>> parse_period("2023-2025"), parse_period("2024"), parse_period(None)
    (Period(first=2023, last=2025), Period(first=2024, last=2024), None)
    """
    if value is None or isinstance(value, Period):
        return value
    match = _PERIOD.match(str(value))
    if not match:
        raise InvalidInput(f"Parameter 'period' must be a year or two years like 2023-2025, not {str(value)[:40]!r}.")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise InvalidInput("Parameter 'period' must not end before it starts.")
    return Period(first, last)


def _year(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _YEAR.match(str(value)) if value not in (None, "") else None
    return int(match.group(1)) if match else None


def grant_years(props: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The first and last year a grant covers: its ``start``/``end`` dates, else its ``year``.

    Examples
    --------
    >>> grant_years({"start": "2023-09-01", "end": "2025-06-30"}), grant_years({"year": 2024})
    ((2023, 2025), (2024, 2024))
    >>> grant_years({})
    (None, None)
    """
    year = _year(props.get("year"))
    first = _year(props.get("start")) or year
    last = _year(props.get("end")) or year or first
    return (first, last if last is None or first is None or last >= first else first)


def grant_amount(props: Mapping[str, Any]) -> float:
    """The grant's amount in euros; 0.0 when missing, negative or not a number.

    Examples
    --------
    >>> grant_amount({"amount": "12500"}), grant_amount({"amount": -3}), grant_amount({})
    (12500.0, 0.0, 0.0)
    """
    try:
        amount = float(props.get("amount") or 0)
    except (TypeError, ValueError):
        return 0.0
    return amount if amount > 0 and amount == amount and amount != float("inf") else 0.0


def counts_as_funding(props: Mapping[str, Any]) -> bool:
    """Whether a grant is money received: not pending, rejected or withdrawn (see :data:`NOT_GRANTED`).

    A grant without a status counts, as do awarded, active and completed ones; the status is
    read case- and space-insensitively, so legacy spellings such as ``"Afgewezen"`` are honoured.

    Examples
    --------
    >>> [counts_as_funding({"status": s}) for s in ("awarded", "active", "completed", "pending")]
    [True, True, True, False]
    >>> counts_as_funding({"status": "rejected"}), counts_as_funding({"status": " Afgewezen "})
    (False, False)
    >>> counts_as_funding({}), counts_as_funding({"status": None})
    (True, True)
    """
    return _status(props) not in NOT_GRANTED


def is_pending(props: Mapping[str, Any]) -> bool:
    """Whether a grant is an application still waiting for a decision (see :data:`PENDING`).

    Examples
    --------
    >>> is_pending({"status": "pending"}), is_pending({"status": "Aangevraagd"}), is_pending({"status": "rejected"})
    (True, True, False)
    """
    return _status(props) in PENDING


def _status(props: Mapping[str, Any]) -> str:
    return str(props.get("status", "") or "").strip().lower()


def herfindahl(amounts: Iterable[float]) -> float:
    """The Herfindahl(-Hirschman) index of concentration: the sum of squared shares, 0–1.

    1.0 means one funder gives everything; ``1/n`` means ``n`` funders give equal parts. Zero
    and negative amounts are ignored; no money at all gives 0.0.

    Examples
    --------
    >>> herfindahl([80, 20])
    0.68
    >>> herfindahl([25, 25, 25, 25]), herfindahl([1000]), herfindahl([])
    (0.25, 1.0, 0.0)
    """
    values = [float(a) for a in amounts if a and a > 0]
    total = sum(values)
    if total <= 0:
        return 0.0
    return round(sum((v / total) ** 2 for v in values), 12)


def area_at_level(snapshot: Snapshot, area_id: str, level: str) -> str:
    """The area's ancestor at ``level``: ``"district"`` (the top) or ``"wijk"`` (just below the top).

    A district stays itself at either level; the level follows the ``PART_OF`` chain, not the
    ``level`` property, so hand-made area trees work too.

    Examples
    --------
    >>> from graphsvc.demo.dataset import demo_records
    >>> from graphsvc.generate import graph_data
    >>> snap = Snapshot(graph_data([n for part in demo_records() for n in part]))
    >>> wijk = snap.area("WK0363FC").id
    >>> area_at_level(snap, wijk, "district") == snap.area("F").id, area_at_level(snap, wijk, "wijk") == wijk
    (True, True)
    """
    if level not in ("district", "wijk"):
        raise InvalidInput(f"Parameter 'level' must be 'district' or 'wijk', not {level!r}.")
    chain = [area_id]
    while True:
        parents = [p for p, _ in snapshot.out("PART_OF", chain[-1])]
        if not parents or parents[0] in chain:
            break
        chain.append(parents[0])
    return chain[-1] if level == "district" or len(chain) == 1 else chain[-2]


def percent(share: float, lang: str) -> str:
    """A share as a whole percentage: Dutch writes "80 %", English "80%".

    Examples
    --------
    >>> percent(0.8, "nl"), percent(0.333, "en")
    ('80 %', '33%')
    """
    value = round(share * 100)
    return f"{value} %" if lang == "nl" else f"{value}%"


def area_levels(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    """Every area id → ``(wijk, district)`` as :func:`area_at_level` finds them; cached per snapshot.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> area_levels(Snapshot(GraphData(1, [Node("a", "Neighbourhood", {"name": "A"})], [], [])))
    {'a': ('a', 'a')}
    """
    def build(snap: Snapshot) -> dict[str, tuple[str, str]]:
        return {a: (area_at_level(snap, a, "wijk"), area_at_level(snap, a, "district"))
                for a in snap.labelled("Neighbourhood")}

    return snapshot.derived("grants-area-levels", build)


def fund_node(snapshot: Snapshot, fund_id: str) -> Node:
    """The fund with this id; raises NotFound ("There is no fund with id …")."""
    node = snapshot.nodes.get(fund_id)
    if node is None or node.label != "Fund":
        raise NotFound(f"There is no fund with id {fund_id!r}.")
    return node

