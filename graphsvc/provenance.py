"""Where a tie comes from: confirmed by both sides, seen by a coach, recorded at a meeting, an
accepted introduction, or an import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["PROVENANCES", "tie_provenance", "provenance_name"]

#: Every provenance a tie can have, in the order a reader trusts them.
PROVENANCES: Final = ("confirmed", "coach", "session", "introduction", "import")

_NAMES: Final = {
    "confirmed": ("bevestigd door beide kanten", "confirmed by both sides"),
    "coach": ("vastgelegd door een coach", "recorded by a coach"),
    "session": ("vastgelegd op een bijeenkomst", "recorded at a meeting"),
    "introduction": ("na een introductie", "after an introduction"),
    "import": ("uit een import", "from an import"),
}


def tie_provenance(props: Mapping[str, Any]) -> str:
    """The provenance of a tie from its properties.

    The writer of a tie sets ``provenance``; ties written before it was kept are read from their
    ``source`` and ``declared_by``. A meeting copies a tie's properties when it changes the rung,
    so a ``session:`` source wins over an older ``provenance``.

    Examples
    --------
    >>> tie_provenance({"rung": 2, "provenance": "confirmed", "source": "tie-request:r1"})
    'confirmed'
    >>> tie_provenance({"rung": 2, "provenance": "confirmed", "source": "session:s1"})
    'session'
    >>> tie_provenance({"rung": 3, "declared_by": "coach"}), tie_provenance({"rung": 1})
    ('coach', 'import')
    """
    source = str(props.get("source") or "")
    if source.startswith("session:"):
        return "session"
    given = props.get("provenance")
    if given in PROVENANCES:
        return str(given)
    if props.get("declared_by") == "coach" or source.startswith("coach"):
        return "coach"
    return "import"


def provenance_name(provenance: str, lang: str = "nl") -> str:
    """The provenance in words, for tooltips and pages.

    Examples
    --------
    >>> provenance_name("confirmed", "en"), provenance_name("session")
    ('confirmed by both sides', 'vastgelegd op een bijeenkomst')
    """
    nl, en = _NAMES.get(provenance, (provenance, provenance))
    return en if lang == "en" else nl
