"""Org-ids (``GB-CHC-1070468``, ``NL-KVK-41202535``) checked against the schemes Goudkaart knows.

The table ``importers/mappings/orgid_schemes.csv`` lists each scheme's prefix and, where the
register defines one, the pattern of its identifiers (written from the org-id.guide register).
An id whose scheme has nothing after it (``GB-REV``, ``GB-CHC-``) is a *placeholder*; an id
whose value breaks its scheme's pattern (``NL-KVK-8190``) is *malformed*. Both are kept as
recorded identifiers but never used to decide that two recipients are the same organisation.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal

__all__ = ["Scheme", "OrgIdCheck", "schemes", "check_org_id"]

_TABLE: Final = Path(__file__).with_name("mappings") / "orgid_schemes.csv"
_BARE_SCHEME: Final = re.compile(r"^[A-Z]{2}-[A-Z]{2,6}-?$")
Status = Literal["ok", "placeholder", "malformed"]


@dataclass(frozen=True)
class Scheme:
    """One org-id scheme: its prefix code, name and (optional) pattern of its identifiers."""

    code: str
    name: str
    pattern: re.Pattern[str] | None
    examples: str = ""


@dataclass(frozen=True)
class OrgIdCheck:
    """What :func:`check_org_id` found: ``status``, the scheme (if known) and the value after it."""

    status: Status
    scheme: str = ""
    value: str = ""

    @property
    def mergeable(self) -> bool:
        """Whether the id may decide that two records are the same organisation."""
        return self.status == "ok"


@cache
def schemes() -> dict[str, Scheme]:
    """The shipped scheme table, by code.

    Examples
    --------
    >>> schemes()["NL-KVK"].pattern.pattern
    '[0-9]{8}'
    """
    with open(_TABLE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {row["code"]: Scheme(row["code"], row["name"],
                                re.compile(row["pattern"]) if row["pattern"] else None, row["examples"])
            for row in rows}


def check_org_id(org_id: str) -> OrgIdCheck:
    """Check one org-id against the scheme table.

    Ids of schemes not in the table (a publisher's own ``360G-…`` ids) are ``ok``.

    Examples
    --------
    >>> [check_org_id(i).status for i in ("GB-CHC-1070468", "GB-REV", "GB-CHC-", "NL-KVK-8190",
    ...                                   "360G-indigotrust:org-1", "GB-COH-09506232")]
    ['ok', 'placeholder', 'placeholder', 'malformed', 'ok', 'ok']
    >>> check_org_id("NL-KVK-41202535")
    OrgIdCheck(status='ok', scheme='NL-KVK', value='41202535')
    """
    text = org_id.strip()
    upper = text.upper()
    known = sorted((c for c in schemes() if upper == c or upper.startswith(c + "-")), key=len, reverse=True)
    if not known:
        return OrgIdCheck("placeholder" if _BARE_SCHEME.match(upper) else "ok")
    scheme = schemes()[known[0]]
    value = text[len(scheme.code) + 1:].strip()
    if not value:
        return OrgIdCheck("placeholder", scheme.code)
    if scheme.pattern is not None and not scheme.pattern.fullmatch(value.upper()):
        return OrgIdCheck("malformed", scheme.code, value)
    return OrgIdCheck("ok", scheme.code, value)
