"""Which node a 360Giving funder or recipient becomes, from its org-id and name.

A sound org-id (``GB-CHC-1070468``) names one organisation across files. A placeholder or
malformed one (``GB-REV``, ``NL-KVK-8190``, see :mod:`importers.orgid`) and an id published
with several different names (one charity number for four scout groups) are kept as recorded
identifiers, but the node is keyed by id *and* name, so different organisations stay apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from graphsvc.text import normalise_name
from importers.cells import slug
from importers.orgid import check_org_id

__all__ = ["OrgKey", "OrgKeys", "is_placeholder_id", "ROLES"]

_JUNK: Final = re.compile(r"^(DUMMY|XXX|TBC|N/?A$|NONE$|UNKNOWN$)", re.IGNORECASE)
ROLES: Final = (("fundingOrganization", "Fund"), ("recipientOrganization", "Organisation"))
_PREFIX: Final = {"Fund": "fund", "Organisation": "org"}


def is_placeholder_id(org_id: str) -> bool:
    """True for ids publishers use when they have none (``DUMMY01``, ``TBC``…): no id at all.

    Examples
    --------
    >>> is_placeholder_id("DUMMY01"), is_placeholder_id("GB-CHC-1070468")
    (True, False)
    """
    return bool(_JUNK.match(org_id.strip()))


@dataclass(frozen=True)
class OrgKey:
    """The node id for one funder or recipient, the id to record, and whether the id may merge."""

    node_id: str
    org_id: str
    mergeable: bool


def _first(grant: dict[str, Any], key: str) -> dict[str, Any]:
    value = grant.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return value if isinstance(value, dict) else {}


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return "" if value is None else str(value).strip()


class OrgKeys:
    """Node ids for the organisations of one file, decided after seeing every grant.

    Examples
    --------
    >>> keys = OrgKeys([{"recipientOrganization": [{"id": "GB-REV", "name": "St Mary"}]},
    ...                 {"recipientOrganization": [{"id": "GB-REV", "name": "St John"}]}])
    >>> keys.key("Organisation", "GB-REV", "St Mary")
    OrgKey(node_id='org-gb-rev-st-mary', org_id='GB-REV', mergeable=False)
    >>> keys.key("Organisation", "GB-REV", "St John").node_id, len(keys.unusable["Organisation"])
    ('org-gb-rev-st-john', 2)
    """

    def __init__(self, grants: Iterable[dict[str, Any]]) -> None:
        self.names: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        self.unusable: dict[str, dict[str, str]] = defaultdict(dict)  # label -> node id -> org-id
        for grant in grants:
            for role, label in ROLES:
                obj = _first(grant, role)
                org_id, name = _text(obj, "id"), _text(obj, "name")
                if org_id and name and not is_placeholder_id(org_id) and check_org_id(org_id).mergeable:
                    self.names[(label, org_id.upper())].setdefault(normalise_name(name), name)

    def key(self, label: str, org_id: str, name: str) -> OrgKey:
        """The node for ``org_id`` and ``name`` (``org_id`` may be empty)."""
        prefix = _PREFIX[label]
        if org_id and is_placeholder_id(org_id):
            org_id = ""
        if not org_id:
            return OrgKey(f"{prefix}-{slug(name)}", "", False)
        if not check_org_id(org_id).mergeable:
            node_id = f"{prefix}-{slug(org_id)}-{slug(name)}" if name else f"{prefix}-{slug(org_id)}"
            self.unusable[label][node_id] = org_id
            return OrgKey(node_id, org_id, False)
        if len(self.names.get((label, org_id.upper()), {})) > 1:
            return OrgKey(f"{prefix}-{slug(org_id)}-{slug(name)}", org_id, False)
        return OrgKey(f"{prefix}-{slug(org_id)}", org_id, True)

    def shared_ids(self) -> dict[tuple[str, str], list[str]]:
        """Ids published with several names: (label, id) -> the names as written."""
        return {k: sorted(v.values()) for k, v in self.names.items() if len(v) > 1}

    def messages(self) -> list[tuple[str, str, str]]:
        """One warning per kind of trouble: ``(kind, nl, en)``."""
        out = []
        for label, found in sorted(self.unusable.items()):
            ids = sorted(set(found.values()))
            shown = ", ".join(ids[:6]) + (" …" if len(ids) > 6 else "")
            n = len(found)
            who_en = ("funder" if label == "Fund" else "recipient") + ("s" if n != 1 else "")
            who_nl = ("financier" if label == "Fund" else "ontvanger") + ("s" if n != 1 else "")
            out.append(("unusable org-id",
                        f"{n} {who_nl} met een plaatsvervangend of misvormd org-id ({shown}): het id is "
                        "bewaard maar niet gebruikt om samen te voegen; ze zijn uit elkaar gehouden op id "
                        "en naam.",
                        f"{n} {who_en} with a placeholder or malformed org-id ({shown}): the id is kept "
                        "but not used to merge; they are told apart by id and name."))
        for (_label, org_id), names in sorted(self.shared_ids().items()):
            listed = "; ".join(names)
            out.append(("one id several names",
                        f"Org-id {org_id} staat bij {len(names)} namen: {listed}. Ze blijven apart; "
                        "voeg ze samen op de pagina Dubbelen als het één organisatie is.",
                        f"Org-id {org_id} comes with {len(names)} names: {listed}. They stay apart; "
                        "merge them on the duplicates page if they are one organisation."))
        return out
