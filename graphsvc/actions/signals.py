"""Early signals (vroegsignalering): record, edit and delete what an organisation sees first.

A signal is a ``Signal`` node (properties: :data:`graphsvc.model.SIGNAL_PROPS`) with a
``SIGNALLED_BY`` relationship to its organisation, ``SIGNAL_OF`` to its theme (an Interest),
``SIGNAL_IN`` to each area it concerns and optionally ``SIGNAL_AMONG`` to a community. Its note
is confidential (only the organisation, its coach and admins see it) and may hold no personal
data: :func:`personal_data_in` refuses e-mail addresses, phone numbers and BSN-like numbers.
An edit replaces the node and its relationships in one transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import SIGNAL, Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore

__all__ = [
    "BANDS", "TRENDS", "SIGNAL_REL_TYPES", "MAX_NOTE", "SignalInput", "personal_data_in",
    "parse_signal", "record_signal", "update_signal", "delete_signal", "signal_owner",
    "signals_hidden_from", "is_signal_record", "write_signal",
]

#: People bands, smallest first: how many people the organisation sees it in (an estimate).
BANDS: Final = ("1-4", "5-19", "20-49", "50+")
#: How the signal develops.
TRENDS: Final = ("new", "growing", "stable", "shrinking")
SIGNAL_REL_TYPES: Final = frozenset({"SIGNALLED_BY", "SIGNAL_OF", "SIGNAL_IN", "SIGNAL_AMONG"})
MAX_NOTE: Final = 500
MAX_AREAS: Final = 10
SIGNAL_NAME: Final = "Signaal"

_EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Dutch and international numbers: +31 6 1234 5678, 0031..., 06-12345678, 020 123 4567
_PHONE: Final = re.compile(r"(?<![\w+])(?:(?:\+|00)\d{2}[\s.-]?(?:\(0\))?[\s.-]?\d(?:[\s.-]?\d){6,10}"
                           r"|0\d(?:[\s.-]?\d){8})(?!\d)")
_NINE: Final = re.compile(r"(?<![\d.])\d(?:[\s.]?\d){8}(?![\d])")
_PERIOD: Final = re.compile(r"^(\d{4})-(\d{2})$")


def _eleven_proof(digits: str) -> bool:
    """True when nine digits pass the BSN "elfproef" (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11)."""
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0 and digits != "000000000"


def personal_data_in(text: str) -> list[str]:
    """The kinds of personal data found in ``text``: ``email``, ``phone`` and/or ``bsn``.

    Examples
    --------
    >>> personal_data_in("Meer oudere vrouwen alleen sinds de bibliotheek dicht is")
    []
    >>> personal_data_in("bel 06-12345678 of mail a.b@example.org")
    ['email', 'phone']
    >>> personal_data_in("BSN 111222333"), personal_data_in("nummer 123456789")
    (['bsn'], [])
    """
    found = []
    if _EMAIL.search(text):
        found.append("email")
    rest = _EMAIL.sub(" ", text)
    if _PHONE.search(rest):
        found.append("phone")
    rest = _PHONE.sub(" ", rest)
    for match in _NINE.finditer(rest):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) == 9 and _eleven_proof(digits):
            found.append("bsn")
            break
    return found


_PERSONAL: Final = {
    "email": ("een e-mailadres", "an e-mail address"),
    "phone": ("een telefoonnummer", "a phone number"),
    "bsn": ("een nummer dat op een BSN lijkt", "a number that looks like a BSN"),
}


@dataclass(frozen=True)
class SignalInput:
    """A checked signal, ready to be written."""

    theme: str
    areas: tuple[str, ...]
    people: str
    period: str
    trend: str
    community: str = ""
    note: str = ""

    def props(self) -> dict[str, Any]:
        props: dict[str, Any] = {"name": SIGNAL_NAME, "period": self.period, "people": self.people,
                                 "trend": self.trend}
        if self.note:
            props["note"] = self.note
        return props


@dataclass
class _Problems:
    lines: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, fld: str, nl: str, en: str) -> None:
        self.lines.append((fld, nl, en))

    def raise_if_any(self) -> None:
        if self.lines:
            nl = " ".join(f"{f}: {n}" for f, n, _ in self.lines)
            en = " ".join(f"{f}: {e}" for f, _, e in self.lines)
            raise InvalidInput(f"{nl} / {en}", errors=[f"{f}: {n} / {e}" for f, n, e in self.lines])


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _areas(values: Mapping[str, Any]) -> list[str]:
    raw = values.get("areas", values.get("area"))
    if isinstance(raw, str):
        raw = re.split(r"[,;|]", raw)
    if not isinstance(raw, Sequence):
        return []
    return [str(a).strip() for a in raw if str(a).strip()]


def _period(text: str, problems: _Problems, today: date) -> str:
    match = _PERIOD.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        problems.add("period", f"gebruik een maand als 2026-03, niet {text[:20]!r}.",
                     f"use a month such as 2026-03, not {text[:20]!r}.")
        return ""
    if not "2000-01" <= text <= f"{today.year:04d}-{today.month:02d}":
        problems.add("period", "de maand kan niet in de toekomst of vóór 2000 liggen.",
                     "the month cannot lie in the future or before 2000.")
    return text


def _choice(values: Mapping[str, Any], key: str, choices: tuple[str, ...], problems: _Problems) -> str:
    text = _text(values, key)
    if text not in choices:
        problems.add(key, f"kies uit {', '.join(choices)}, niet {text[:20]!r}.",
                     f"choose one of {', '.join(choices)}, not {text[:20]!r}.")
    return text


def _check_note(note: str, problems: _Problems) -> None:
    if len(note) > MAX_NOTE:
        problems.add("note", f"de notitie is langer dan {MAX_NOTE} tekens.",
                     f"the note is longer than {MAX_NOTE} characters.")
    kinds = personal_data_in(note)
    if kinds:
        problems.add("note",
                     f"de notitie bevat {' en '.join(_PERSONAL[k][0] for k in kinds)}; "
                     "schrijf geen persoonsgegevens op.",
                     f"the note contains {' and '.join(_PERSONAL[k][1] for k in kinds)}; "
                     "leave personal data out.")


def _resolve(snapshot: Snapshot, values: Mapping[str, Any], problems: _Problems) -> tuple[str, list[str], str]:
    theme = _text(values, "theme")
    node = snapshot.nodes.get(theme)
    if node is None or node.label != "Interest":
        problems.add("theme", f"kies een thema uit de lijst, niet {theme[:40]!r}.",
                     f"choose a theme from the list, not {theme[:40]!r}.")
    areas: list[str] = []
    given = _areas(values)
    if not given or len(given) > MAX_AREAS:
        problems.add("areas", f"noem 1 tot {MAX_AREAS} gebieden.", f"name 1 to {MAX_AREAS} areas.")
    for code in given[:MAX_AREAS]:
        try:
            area_id = snapshot.area(code).id
            if area_id not in areas:
                areas.append(area_id)
        except NotFound:
            problems.add("areas", f"er is geen gebied {code[:40]!r}.", f"there is no area {code[:40]!r}.")
    community = _text(values, "community")
    if community and (snapshot.nodes.get(community) is None
                      or snapshot.nodes[community].label != "Community"):
        problems.add("community", f"er is geen doelgroep {community[:40]!r}.",
                     f"there is no community {community[:40]!r}.")
    return theme, areas, community


def parse_signal(snapshot: Snapshot, values: Mapping[str, Any], *, today: date | None = None) -> SignalInput:
    """Check a signal's fields (``theme``, ``areas``, ``community``, ``people``, ``period``,
    ``trend``, ``note``) against the graph; raise InvalidInput naming every wrong field.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> snap = Snapshot(GraphData(1, [Node("eenzaamheid", "Interest", {"name": "Eenzaamheid"}),
    ...     Node("w", "Neighbourhood", {"name": "West", "code": "E"})], [], []))
    >>> parse_signal(snap, {"theme": "eenzaamheid", "areas": "E", "people": "5-19",
    ...     "period": "2026-03", "trend": "new"}, today=date(2026, 4, 1)).areas
    ('w',)
    >>> parse_signal(snap, {"theme": "eenzaamheid", "areas": "E", "people": "5-19", "period": "2026-03",
    ...     "trend": "new", "note": "mail jan@example.org"}, today=date(2026, 4, 1))
    Traceback (most recent call last):
    graphsvc.errors.InvalidInput: note: de notitie bevat een e-mailadres; ...
    """
    problems = _Problems()
    theme, areas, community = _resolve(snapshot, values, problems)
    people = _choice(values, "people", BANDS, problems)
    period = _period(_text(values, "period"), problems, today or date.today())
    trend = _choice(values, "trend", TRENDS, problems)
    note = _text(values, "note")
    _check_note(note, problems)
    problems.raise_if_any()
    return SignalInput(theme, tuple(areas), people, period, trend, community, note)


def write_signal(tx: Any, signal_id: str, organisation: str, signal: SignalInput) -> None:
    tx.upsert_node(Node(signal_id, SIGNAL, signal.props()))
    tx.upsert_relationship(Relationship("SIGNALLED_BY", signal_id, organisation))
    tx.upsert_relationship(Relationship("SIGNAL_OF", signal_id, signal.theme))
    for area in signal.areas:
        tx.upsert_relationship(Relationship("SIGNAL_IN", signal_id, area))
    if signal.community:
        tx.upsert_relationship(Relationship("SIGNAL_AMONG", signal_id, signal.community))


def _organisation(store: GraphStore, organisation: str) -> None:
    try:
        node = store.get_node(organisation)
    except NotFound:
        node = None
    if node is None or node.label != "Organisation":
        raise NotFound(f"There is no organisation with id {organisation!r}.")


def record_signal(store: GraphStore, snapshot: Snapshot, organisation: str, values: Mapping[str, Any],
                  *, source: str = "signals", today: date | None = None) -> str:
    """Check and write a new signal of ``organisation``; return its id.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "A"}))
    ...     _ = tx.upsert_node(Node("taal", "Interest", {"name": "Taal"}))
    ...     _ = tx.upsert_node(Node("w", "Neighbourhood", {"name": "West", "code": "E"}))
    >>> sid = record_signal(store, Snapshot.from_store(store), "o1", {"theme": "taal", "areas": ["E"],
    ...     "people": "20-49", "period": "2026-01", "trend": "growing"}, today=date(2026, 2, 1))
    >>> store.get_node(sid).props["people"], signal_owner(Snapshot.from_store(store), sid)
    ('20-49', 'o1')
    """
    _organisation(store, organisation)
    signal = parse_signal(snapshot, values, today=today)
    signal_id = f"sig-{uuid.uuid4().hex[:16]}"
    with store.transaction(source=source) as tx:
        write_signal(tx, signal_id, organisation, signal)
    return signal_id


def signal_owner(snapshot: Snapshot, signal_id: str) -> str:
    """The organisation that recorded the signal; NotFound when there is no such signal."""
    node = snapshot.nodes.get(signal_id)
    owners = sorted(snapshot.targets("SIGNALLED_BY", signal_id)) if node is not None else []
    if node is None or node.label != SIGNAL or not owners:
        raise NotFound(f"There is no signal with id {signal_id!r}.")
    return owners[0]


def _own(store: GraphStore, organisation: str, signal_id: str) -> None:
    """NotFound unless the store holds this signal, recorded by ``organisation``."""
    try:
        store.get_relationship("SIGNALLED_BY", signal_id, organisation)
    except NotFound:
        raise NotFound(f"The organisation {organisation!r} has no signal with id {signal_id!r}.") from None


def update_signal(store: GraphStore, snapshot: Snapshot, organisation: str, signal_id: str,
                  values: Mapping[str, Any], *, source: str = "signals", today: date | None = None) -> None:
    """Replace a signal of ``organisation`` with the checked ``values`` (missing fields keep theirs)."""
    _own(store, organisation, signal_id)
    merged = {**current_values(snapshot, signal_id), **{k: v for k, v in values.items() if v is not None}}
    signal = parse_signal(snapshot, merged, today=today)
    with store.transaction(source=source) as tx:
        tx.delete_node(signal_id)
        write_signal(tx, signal_id, organisation, signal)


def current_values(snapshot: Snapshot, signal_id: str) -> dict[str, Any]:
    """A stored signal as the fields :func:`parse_signal` reads (for a partial edit)."""
    node = snapshot.nodes.get(signal_id)
    if node is None:
        return {}
    theme = sorted(snapshot.targets("SIGNAL_OF", signal_id))
    community = sorted(snapshot.targets("SIGNAL_AMONG", signal_id))
    return {"theme": theme[0] if theme else "", "areas": sorted(snapshot.targets("SIGNAL_IN", signal_id)),
            "community": community[0] if community else "", **{k: node.props.get(k, "")
                                                                for k in ("people", "period", "trend", "note")}}


def delete_signal(store: GraphStore, organisation: str, signal_id: str, *, source: str = "signals") -> None:
    """Delete a signal of ``organisation`` (and its relationships)."""
    _own(store, organisation, signal_id)
    with store.transaction(source=source) as tx:
        tx.delete_node(signal_id)


def signals_hidden_from(role: str) -> bool:
    """Whether whole-graph exports leave signals out for this role: single signals name their
    organisation, so only admins get them (with notes); everyone else sees the aggregates."""
    return role != "admin"


def is_signal_record(label_or_type: str) -> bool:
    """True for a Signal node label or a signal relationship type (for export filters)."""
    return label_or_type == SIGNAL or label_or_type in SIGNAL_REL_TYPES
