"""The properties each node label declares: which exist, which are public, which are free text.

Nothing else is stored: an import refuses (or, for graph files from other tools, drops) a key
its label does not declare, and :mod:`graphsvc.access.visibility` shows only declared keys. A property
is confidential unless it is declared public, so a new field cannot leak by being forgotten.

The risk-word check (:func:`risk_word`, :func:`risky_props`) keeps any label, property name or
coded value that would mark an organisation as a risk or a fraud out of the store. Free text
(a name, a description) may speak of risks in its own words, so only its key is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "LabelProps",
    "NODE_PROPS",
    "CONFIDENTIAL_KEYS",
    "declared_properties",
    "is_declared",
    "is_public",
    "split_props",
    "REL_PROPS",
    "REL_FREE_TEXT",
    "declared_rel_properties",
    "undeclared_keys",
    "undeclared_rel_keys",
    "risk_word",
    "risky_props",
]


@dataclass(frozen=True)
class LabelProps:
    """The declared properties of one label: public ones, confidential ones, free-text ones."""

    public: frozenset[str]
    confidential: frozenset[str] = frozenset()
    free_text: frozenset[str] = frozenset()

    @property
    def declared(self) -> frozenset[str]:
        return self.public | self.confidential


# every label: its name, and the ids of the nodes merged into it (so an import finds them)
_COMMON: Final = "name merged_from"


def _props(public: str, confidential: str = "", free_text: str = "name") -> LabelProps:
    return LabelProps(frozenset(f"{_COMMON} {public}".split()), frozenset(confidential.split()),
                      frozenset(free_text.split()))


_ACTOR_PUBLIC: Final = "name alternate_name description website kvk identifiers city profile_updated_at"
_ACTOR_TEXT: Final = "name alternate_name description"

NODE_PROPS: Final[Mapping[str, LabelProps]] = MappingProxyType({
    "Organisation": _props(
        f"{_ACTOR_PUBLIC} kind legal_form founded volunteers members languages core_business "
        "funding_notes", "capacity contact_persons proposed_themes",
        f"{_ACTOR_TEXT} core_business funding_notes"),
    "Institution": _props(f"{_ACTOR_PUBLIC} sector", "contact_persons", _ACTOR_TEXT),
    "Fund": _props(f"{_ACTOR_PUBLIC} fund_type", "contact_persons", _ACTOR_TEXT),
    "Interest": _props("name name_en parent", free_text="name name_en"),
    "Capability": _props("name name_en group", free_text="name name_en"),
    "Community": _props("name name_en", free_text="name name_en"),
    "Neighbourhood": _props("name code level district parent public_meeting_map"),
    "AgendaItem": _props("name status period session description origin", free_text="name description"),
    "Session": _props("name date area area_code status opened_at opened_by closed_at closed_by "
                      "changes change_count", free_text="name changes"),
    # the living graph's requests: seen only by the two organisations, their coaches and admins
    "TieRequest": _props("", "name from to rung old_rung note requested_by requested_at status kind "
                         "accepted_rung decided_at decided_by", "name note"),
    # an early signal: its note only for the organisation, its coach and admins
    "Signal": _props("period people trend", "note", "name note"),
    "Introduction": _props("", "name from to introducer reason_nl reason_en score sent_by sent_at "
                           "status decided_at decided_by", "name reason_nl reason_en"),
})

#: Every key some label declares confidential.
CONFIDENTIAL_KEYS: Final = frozenset().union(*(p.confidential for p in NODE_PROPS.values()))

_NOTHING: Final = LabelProps(frozenset())

# The properties each relationship type declares (every type may say where it came from): the
# stores refuse any other key on every write, an import names it by file, row and column.
REL_PROPS: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    rel_type: frozenset(f"source {keys}".split()) for rel_type, keys in {
        "TIE": "rung since note session declared_by confirmed_at changed_at provenance",
        "FUNDS": "amount year start end status title currency award_date description "
                 "duration_months programme",
        "WORKS_ON": "weight",
        "OFFERS": "note confirmed_by confirmed_at",
        "NEEDS": "note confirmed_by confirmed_at",
    }.items()})
#: Relationship properties that are free text: only their key is checked for risk words.
REL_FREE_TEXT: Final = frozenset({"note", "title", "description", "programme"})
_SOURCE_ONLY: Final = frozenset({"source"})


def declared_rel_properties(rel_type: str) -> frozenset[str]:
    """The properties a relationship of ``rel_type`` may carry.

    Examples
    --------
    >>> sorted(declared_rel_properties("WORKS_ON")), sorted(declared_rel_properties("SERVES"))
    (['source', 'weight'], ['source'])
    """
    return REL_PROPS.get(rel_type, _SOURCE_ONLY)


def undeclared_rel_keys(rel_type: str, props: Mapping[str, Any]) -> list[str]:
    """The keys of ``props`` that a relationship of ``rel_type`` does not declare, sorted.

    Examples
    --------
    >>> undeclared_rel_keys("TIE", {"rung": 2, "fraud_flag": 1}), undeclared_rel_keys("SERVES", {"source": "x"})
    (['fraud_flag'], [])
    """
    declared = declared_rel_properties(rel_type)
    return sorted(k for k in props if k not in declared)


def declared_properties(label: str) -> frozenset[str]:
    """Every property ``label`` declares (an unknown label declares none).

    Examples
    --------
    >>> sorted(declared_properties("Community"))
    ['merged_from', 'name', 'name_en']
    >>> declared_properties("Spaceship")
    frozenset()
    """
    return NODE_PROPS.get(label, _NOTHING).declared


def is_declared(label: str, key: str) -> bool:
    """True when ``label`` declares ``key``.

    Examples
    --------
    >>> is_declared("Organisation", "kvk"), is_declared("Organisation", "contact_email")
    (True, False)
    """
    return key in NODE_PROPS.get(label, _NOTHING).declared


def is_public(label: str, key: str) -> bool:
    """True when everyone may see ``key`` of a ``label`` node; undeclared keys never are.

    Examples
    --------
    >>> is_public("Organisation", "name"), is_public("Organisation", "capacity")
    (True, False)
    >>> is_public("Organisation", "fraud_flag")
    False
    """
    return key in NODE_PROPS.get(label, _NOTHING).public


def split_props(label: str, props: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The properties ``label`` declares and the ones it does not, as two dicts.

    Examples
    --------
    >>> split_props("Organisation", {"name": "A", "contact_email": "a@b.nl"})
    ({'name': 'A'}, {'contact_email': 'a@b.nl'})
    """
    declared = declared_properties(label)
    known = {k: v for k, v in props.items() if k in declared}
    unknown = {k: v for k, v in props.items() if k not in declared}
    return known, unknown


def undeclared_keys(label: str, props: Mapping[str, Any]) -> list[str]:
    """The keys of ``props`` that ``label`` does not declare, sorted.

    Examples
    --------
    >>> undeclared_keys("Fund", {"name": "F", "zeta": 1, "alpha": 2})
    ['alpha', 'zeta']
    """
    declared = declared_properties(label)
    return sorted(k for k in props if k not in declared)


# English and Dutch stems of words that would label an organisation a risk or a fraud.
_RISK: Final = re.compile(
    r"risk|risic|fraud|blacklist|black list|zwarte.?lijst|verdacht|suspect|watchlist|watch list",
    re.IGNORECASE)


def risk_word(text: str) -> str | None:
    """The risk or fraud word in ``text``, or None.

    Examples
    --------
    >>> risk_word("fraud_flag"), risk_word("Frauderisico"), risk_word("contactpersoon")
    ('fraud', 'Fraud', None)
    """
    found = _RISK.search(text)
    return found.group(0) if found else None


def _nested(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every key and text value inside a structured value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield f"{path}.{key}", str(key)
            yield from _nested(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            yield from _nested(inner, f"{path}[{i}]")


def risky_props(label: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(property, word)`` for every property name, nested key or coded value with a risk word.

    A free-text property (a name, a description) is checked by its key only.

    Examples
    --------
    >>> risky_props("Organisation", {"name": "Jongeren at risk", "kind": "fraud-sensitive",
    ...                              "capacity": {"risk_score": 3}, "risico": 1})
    [('kind', 'fraud'), ('capacity.risk_score', 'risk'), ('risico', 'risic')]
    """
    free = NODE_PROPS.get(label, _NOTHING).free_text
    found: list[tuple[str, str]] = []
    for key, value in props.items():
        word = risk_word(str(key))
        if word is not None:
            found.append((str(key), word))
            continue
        if key in free:
            continue
        for where, text in _nested(value, str(key)):
            word = risk_word(text)
            if word is not None:
                found.append((where, word))
                break
    return found
