"""Ladder progress: how many ties an area has on each rung at the end of each period (docs/design.md §4).

The count comes from the tie history (``snapshot.tie_events``): a tie's rung at the end of a
period is the ``new_rung`` of its last event at or before that moment (rung 0, no tie, before its
first event). Events are ordered by their time ``at`` and, at equal times, by the order they were
recorded, so a history imported after the fact still lands in the right period.

* A period is a label and an **inclusive end date**: an event at any time on that day belongs to
  it. The first period holds all history up to its end; each next one starts after the previous
  end. Use :func:`quarters` or :func:`years` to make them, or pass ``(label, end)`` pairs.
* Only ties with at least one end active in the area (or a sub-area) today are counted; the
  membership of areas has no history, so the current one is used for every period.
* A tie without any history event (written with history switched off) is dated by its ``since``
  property; without one it cannot be placed in time. Such ties, and ties with an event whose
  time cannot be read, are counted in ``undated`` (the unreadable events themselves are skipped).
* Per period, ``new``, ``up``, ``down`` and ``removed`` count net moves against the end of the
  previous period: a tie created and removed inside one period does not show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.model import tie_pair
from graphsvc.snapshot import Snapshot
from queries.islands import members_of

__all__ = ["Period", "LadderPeriod", "LadderProgress", "ladder_progress", "quarters", "years"]

MAX_PERIODS = 400
_Pair = tuple[str, str]


@dataclass(frozen=True)
class Period:
    """A labelled period ending (inclusively) on ``end``."""

    label: str
    end: date


@dataclass(frozen=True)
class LadderPeriod:
    """The ties per rung at the end of one period, and the net moves during it."""

    label: str
    end: date
    rungs: tuple[int, int, int, int, int]
    new: int = 0
    up: int = 0
    down: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return sum(self.rungs)

    def count(self, rung: int) -> int:
        """Ties on this rung (1–5) at the end of the period."""
        return self.rungs[rung - 1]

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "end": self.end.isoformat(),
                "rungs": {str(r): n for r, n in enumerate(self.rungs, 1)}, "total": self.total,
                "new": self.new, "up": self.up, "down": self.down, "removed": self.removed}


@dataclass(frozen=True)
class LadderProgress:
    """Ties per rung per period for an area (``None``: everywhere)."""

    area: str | None
    periods: tuple[LadderPeriod, ...]
    undated: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "periods": [p.as_dict() for p in self.periods],
                "undated": self.undated}


def _day(value: date | str, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidInput(f"{what} must be a date like 2024-03-31, not {value!r}.") from None


def _instant(text: str) -> datetime | None:
    """An event time as an aware UTC datetime; ``None`` when it cannot be read."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def quarters(start: date | str, end: date | str) -> list[Period]:
    """The calendar quarters from the one holding ``start`` to the one holding ``end``.

    Examples
    --------
    >>> [(p.label, p.end.isoformat()) for p in quarters("2024-02-10", "2024-07-01")]
    [('2024-Q1', '2024-03-31'), ('2024-Q2', '2024-06-30'), ('2024-Q3', '2024-09-30')]
    """
    first, last = _day(start, "start"), _day(end, "end")
    year, quarter = first.year, (first.month - 1) // 3
    periods = []
    while (year, quarter) <= (last.year, (last.month - 1) // 3):
        following = date(year + (quarter == 3), (quarter + 1) % 4 * 3 + 1, 1)
        periods.append(Period(f"{year}-Q{quarter + 1}", following - timedelta(days=1)))
        year, quarter = following.year, (following.month - 1) // 3
    return periods


def years(start: date | str, end: date | str) -> list[Period]:
    """The calendar years from ``start`` to ``end``, each ending on 31 December.

    Examples
    --------
    >>> [p.label for p in years("2022-05-01", "2024-01-01")]
    ['2022', '2023', '2024']
    """
    first, last = _day(start, "start"), _day(end, "end")
    return [Period(str(y), date(y, 12, 31)) for y in range(first.year, last.year + 1)]


def _periods(periods: Iterable[Period | tuple[str, date | str]]) -> list[Period]:
    result = []
    for item in periods:
        if isinstance(item, Period):
            result.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and str(item[0]).strip():
            result.append(Period(str(item[0]), _day(item[1], "periods: each end")))
        else:
            raise InvalidInput(f"periods must hold (label, end date) pairs, not {item!r}.")
    if not result or len(result) > MAX_PERIODS:
        raise InvalidInput(f"periods must hold between 1 and {MAX_PERIODS} periods, not {len(result)}.")
    if any(a.end >= b.end for a, b in zip(result, result[1:], strict=False)):
        raise InvalidInput("periods must be in order, each ending after the one before.")
    return result


def _timeline(snapshot: Snapshot, members: frozenset[str] | None) -> tuple[list[tuple[datetime, int, _Pair, int]], int]:
    """Rung changes ``(when, order, pair, new_rung)`` sorted by time; plus the undatable ties."""
    def counted(pair: _Pair) -> bool:
        return members is None or pair[0] in members or pair[1] in members

    changes = []
    with_history: set[_Pair] = set()
    undated: set[_Pair] = set()
    for order, event in enumerate(snapshot.tie_events):
        pair = tie_pair(event.a, event.b)
        with_history.add(pair)
        when = _instant(event.at)
        if not counted(pair):
            continue
        if when is None:
            undated.add(pair)
        else:
            changes.append((when, order, pair, event.new_rung))
    for pair, props in snapshot.tie_props.items():
        if pair in with_history or not counted(pair):
            continue
        when = _instant(str(props.get("since", "")))
        if when is None:
            undated.add(pair)
        else:
            changes.append((when, -1, pair, int(props.get("rung", 0))))
    changes.sort(key=lambda c: (c[0], c[1]))
    return changes, len(undated)


def _tally(period: Period, rungs: list[int], before: dict[_Pair, int],
           state: dict[_Pair, int]) -> LadderPeriod:
    moves = {"new": 0, "up": 0, "down": 0, "removed": 0}
    for pair, old in before.items():
        new = state.get(pair, 0)
        if old == new:
            continue
        kind = "new" if old == 0 else "removed" if new == 0 else "up" if new > old else "down"
        moves[kind] += 1
    counts = (rungs[1], rungs[2], rungs[3], rungs[4], rungs[5])
    return LadderPeriod(period.label, period.end, counts, **moves)


def _sweep(periods: Sequence[Period], changes: Sequence[tuple[datetime, int, _Pair, int]]) -> list[LadderPeriod]:
    state: dict[_Pair, int] = {}
    rungs = [0] * 6  # index 0 is scratch for "no tie" and is never reported
    out, i = [], 0
    for period in periods:
        bound = datetime.combine(period.end + timedelta(days=1), time(), UTC)
        before: dict[_Pair, int] = {}  # rung of each pair touched in this period, at its start
        while i < len(changes) and changes[i][0] < bound:
            _, _, pair, new = changes[i]
            old = state.get(pair, 0)
            before.setdefault(pair, old)
            rungs[old] -= 1
            rungs[new] += 1
            state[pair] = new
            i += 1
        out.append(_tally(period, rungs, before, state))
    return out


def ladder_progress(
    snapshot: Snapshot, area: str | None, periods: Iterable[Period | tuple[str, date | str]]
) -> LadderProgress:
    """Ties per rung at the end of each period, for the ties of one area.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    area : str or None
        A Neighbourhood code or id; ties with at least one end active there count. None: all ties.
    periods : iterable of Period or (label, end date)
        In order; each end date is inclusive. See :func:`quarters` and :func:`years`.

    Returns
    -------
    LadderProgress
        One :class:`LadderPeriod` per period, in the order given.

    Raises
    ------
    NotFound
        When the area does not exist.
    InvalidInput
        When ``periods`` is empty, too long, out of order or holds something that is not a period.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     for i in ("a", "b"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "a", "b",
    ...                                             {"rung": 2, "changed_at": "2024-05-02"}))
    >>> result = ladder_progress(Snapshot.from_store(store), None, quarters("2024-01-01", "2024-06-30"))
    >>> [(p.label, p.rungs) for p in result.periods]
    [('2024-Q1', (0, 0, 0, 0, 0)), ('2024-Q2', (0, 1, 0, 0, 0))]
    """
    chosen = _periods(periods)
    area_id = snapshot.area(area).id if area is not None else None
    changes, undated = _timeline(snapshot, members_of(snapshot, area))
    return LadderProgress(area_id, tuple(_sweep(chosen, changes)), undated)
