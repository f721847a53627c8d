"""Messages about 360Giving grants: the grant id first, and per kind how many grants it concerns.

A funder's data person searches their own system by grant id, so every message starts with it;
a file of 5,000 grants with one recurring problem also gets one line saying how many grants,
recipients and funders that problem concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from importers.batch import ImportBatch, Where

__all__ = ["Tally", "counted"]


def counted(n: int, one: str, many: str) -> str:
    """``n`` with the right form of a noun.

    Examples
    --------
    >>> counted(1, "grant", "grants"), counted(3, "toekenning", "toekenningen")
    ('1 grant', '3 toekenningen')
    """
    return f"{n:,} {one if n == 1 else many}"


@dataclass
class _Kind:
    nl: str
    en: str
    error: bool
    grants: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)
    funders: set[str] = field(default_factory=set)


@dataclass
class Tally:
    """Adds messages to a batch with the current grant's id first, and counts what they concern.

    Examples
    --------
    >>> batch = ImportBatch("g.json", "360giving")
    >>> tally = Tally(batch)
    >>> tally.begin("G-1", "St Mary", "Fonds A")
    >>> tally.warn(Where("grants", 1, "awardDate"), "nl", "Date read day first.", "dates dd/mm/yyyy",
    ...            ("data dd/mm/jjjj", "dates dd/mm/yyyy"))
    >>> tally.summarise()
    >>> [w.message_en for w in batch.problems.warnings]
    ['Grant G-1: Date read day first.', 'dates dd/mm/yyyy: 1 grant, 1 recipient, 1 funder.']
    """

    batch: ImportBatch
    grant: str = ""
    recipient: str = ""
    funder: str = ""
    kinds: dict[str, _Kind] = field(default_factory=dict)

    def begin(self, grant: str, recipient: str, funder: str) -> None:
        """Start the messages about one grant."""
        self.grant, self.recipient, self.funder = grant, recipient, funder

    def _count(self, kind: str, label: tuple[str, str], error: bool) -> None:
        found = self.kinds.setdefault(kind, _Kind(label[0], label[1], error))
        found.grants.add(self.grant)
        if self.recipient:
            found.recipients.add(self.recipient)
        if self.funder:
            found.funders.add(self.funder)

    def _prefixed(self, nl: str, en: str) -> tuple[str, str]:
        if not self.grant:
            return nl, en
        return f"Toekenning {self.grant}: {nl}", f"Grant {self.grant}: {en}"

    def warn(self, where: Where, nl: str, en: str, kind: str, label: tuple[str, str]) -> None:
        """A warning about the current grant; ``label`` names the kind in Dutch and English."""
        self.batch.warn(where, *self._prefixed(nl, en), kind=kind)
        self._count(kind, label, False)

    def error(self, where: Where, nl: str, en: str, kind: str, label: tuple[str, str]) -> None:
        """An error about the current grant."""
        self.batch.error(where, *self._prefixed(nl, en))
        self._count(kind, label, True)

    def summarise(self) -> None:
        """One line per kind: how many grants, recipients and funders it concerns."""
        for kind in self.kinds.values():
            g, r, f = len(kind.grants), len(kind.recipients), len(kind.funders)
            nl = (f"{kind.nl}: {counted(g, 'toekenning', 'toekenningen')}, "
                  f"{counted(r, 'ontvanger', 'ontvangers')}, {counted(f, 'financier', 'financiers')}.")
            en = (f"{kind.en}: {counted(g, 'grant', 'grants')}, {counted(r, 'recipient', 'recipients')}, "
                  f"{counted(f, 'funder', 'funders')}.")
            if kind.error:
                self.batch.problems.note(nl, en)
            else:
                self.batch.problems.warn("", None, "", nl, en, kind=f"summary {kind.en}")
