"""Recording capacity assessments: checked, dated, kept on the Organisation node.

The profile's shape and how it is read are in :mod:`graphsvc.capacity`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, timedelta

from graphsvc.capacity import (
    _EARLIEST,
    MAX_NOTE,
    PROPERTY,
    Assessment,
    CapacityProfile,
    capacity_profile,
    checked_score,
)
from graphsvc.clock import utc_now
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node
from graphsvc.store.base import GraphStore, Transaction
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["check_assessment", "record_assessment", "write_profile"]


def _day(day: str | date | None) -> str:
    if day is None or day == "":
        return date.today().isoformat()
    try:
        parsed = day if isinstance(day, date) else date.fromisoformat(str(day).strip())
    except ValueError:
        raise InvalidInput(f"The date must look like 2025-03-13, not {str(day)[:40]!r}.") from None
    if not _EARLIEST <= parsed <= date.today() + timedelta(days=1):
        raise InvalidInput("The date of an assessment cannot lie in the future or before 2000.")
    return parsed.isoformat()


def _scores(scores: Mapping[str, object], known: list[str]) -> dict[str, int]:
    if not isinstance(scores, Mapping):
        raise InvalidInput("'scores' must map each dimension to a score from 1 to 5.")
    unknown = sorted(str(k) for k in scores if k not in known)
    if unknown:
        raise InvalidInput(f"Unknown dimension(s) {', '.join(unknown)}; use {', '.join(known)}.")
    out: dict[str, int] = {}
    for dim in known:
        if scores.get(dim) in (None, ""):
            continue
        raw = scores[dim]
        value = int(raw) if isinstance(raw, str) and raw.strip().isdigit() else raw
        checked = checked_score(value)
        if checked is None:
            raise InvalidInput(f"The score for {dim} must be a whole number from 1 to 5, not {raw!r}.")
        out[dim] = checked
    if not out:
        raise InvalidInput("Give a score from 1 to 5 for at least one dimension.")
    return out


def check_assessment(scores: Mapping[str, object], notes: Mapping[str, object] | None = None,
                     day: str | date | None = None, vocab: Vocabulary | None = None,
                     ) -> tuple[dict[str, int], dict[str, str], str]:
    """Validated ``(scores, notes, date)``; raises InvalidInput naming the field that is wrong.

    Scores may be given as numbers or as digit strings (from a form); empty ones are skipped.

    Examples
    --------
    >>> check_assessment({"governance": "3", "innovation": ""}, {"governance": " Goed "}, "2025-01-31")
    ({'governance': 3}, {'governance': 'Goed'}, '2025-01-31')
    """
    known = [d.id for d in (vocab or load_vocabulary()).capacity]
    checked = _scores(scores, known)
    clean: dict[str, str] = {}
    for dim, note in (notes or {}).items():
        if dim not in known or note in (None, ""):
            continue
        if not isinstance(note, str):
            raise InvalidInput(f"The note for {dim} must be text.")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"The note for {dim} is longer than {MAX_NOTE} characters.")
        if note.strip():
            clean[dim] = note.strip()
    return checked, clean, _day(day)


def write_profile(tx: Transaction, organisation_id: str,
                  change: Callable[[CapacityProfile], CapacityProfile]) -> CapacityProfile:
    """Inside a transaction: read the organisation, apply ``change(profile)``, write it back.

    The write is conditional on the version just read, so two writers never lose each other's
    assessment. Raises NotFound when there is no organisation with this id.
    """
    node = tx.get_node(organisation_id)
    if node is None or node.label != "Organisation":
        raise NotFound(f"There is no organisation with id {organisation_id!r}.")
    profile = change(capacity_profile(node))
    props = {**dict(node.props), PROPERTY: profile.as_prop()}
    tx.upsert_node(Node(node.id, node.label, props), expected_version=node.version)
    return profile


def record_assessment(store: GraphStore, organisation_id: str, scores: Mapping[str, object], *,
                      notes: Mapping[str, object] | None = None, day: str | date | None = None,
                      by: str = "", vocab: Vocabulary | None = None) -> Assessment:
    """Add a dated assessment to an organisation's profile in one transaction; return it.

    The earlier assessments are kept. The transaction's source names the user (``user:<by>``).

    Raises
    ------
    NotFound
        No organisation with this id.
    InvalidInput
        An unknown dimension, a score outside 1–5, a bad date or a note that is too long.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
    >>> _ = record_assessment(store, "o1", {"governance": 2}, day="2024-01-15", by="ayse")
    >>> _ = record_assessment(store, "o1", {"governance": 3}, day="2024-07-01", by="ayse")
    >>> [a.scores["governance"] for a in capacity_profile(store.get_node("o1")).assessments]
    [2, 3]
    """
    checked, clean, day_text = check_assessment(scores, notes, day, vocab)
    assessment = Assessment(f"ca-{day_text}-{uuid.uuid4().hex[:8]}", day_text, checked, clean,
                            by, utc_now())
    with store.transaction(source=f"user:{by}" if by else "capacity") as tx:
        write_profile(tx, organisation_id, lambda p: p.with_assessment(assessment))
    return assessment
