"""What an import found and did: row errors, warnings and counts, in plain Dutch and English.

Every importer collects problems in a :class:`Problems` list while it reads, so that a user can
fix a whole file in one pass; :meth:`Problems.raise_if_errors` then raises one
:class:`ImportRejected` (an :class:`~graphsvc.errors.ImportFailed`) carrying every error.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from graphsvc.errors import ImportFailed

__all__ = [
    "RowError",
    "RowWarning",
    "NearDuplicate",
    "ImportReport",
    "ImportRejected",
    "Problems",
    "MAX_LISTED",
]

MAX_LISTED: Final = 1000  # errors kept with their text; the rest are only counted


#: Lists of records in graph files and dumps, named as what they hold (Dutch, English; one, many)
#: instead of as a sheet with rows.
_RECORDS: Final = {
    "nodes": (("knoop", "knopen"), ("node", "nodes")),
    "edges": (("verbinding", "verbindingen"), ("edge", "edges")),
    "elements": (("element", "elementen"), ("element", "elements")),
    "connections": (("verbinding", "verbindingen"), ("connection", "connections")),
}


@dataclass(frozen=True)
class RowError:
    """One problem in one place of one file: file, sheet, row and column, in Dutch and English.

    ``row`` is the row number as a spreadsheet shows it (the header is row 1) or the 1-based
    position of a record in a JSON list; ``sheet`` names the sheet, CSV table or JSON list.

    Examples
    --------
    >>> e = RowError("orgs.csv", "organisations", 3, "kvk",
    ...              "Het KvK-nummer moet 8 cijfers hebben.", "The KvK number must have 8 digits.")
    >>> e.text("en")
    'orgs.csv, sheet organisations, row 3, column kvk: The KvK number must have 8 digits.'
    >>> e.text("nl")
    'orgs.csv, blad organisations, rij 3, kolom kvk: Het KvK-nummer moet 8 cijfers hebben.'
    """

    file: str
    sheet: str
    row: int | None
    column: str
    message_nl: str
    message_en: str

    def where(self, lang: str = "en", *, file: bool = True) -> str:
        """The place in plain words: a sheet's row and column, or a graph file's node or edge and
        attribute ("map.graphml, verbinding 3, kenmerk weight"); ``file=False`` leaves the file out.

        >>> RowError("g.gexf", "edges", 3, "weight", "", "").where("nl")
        'g.gexf, verbinding 3, kenmerk weight'
        >>> RowError("g.gexf", "nodes", None, "", "", "").where("en", file=False)
        'nodes'
        """
        parts = [self.file] if self.file and file else []
        record = _RECORDS.get(self.sheet)
        if record is not None:
            singular, plural = record[0 if lang == "nl" else 1]
            parts.append(f"{singular} {self.row}" if self.row is not None else plural)
            words = ("", "", "kenmerk" if lang == "nl" else "attribute")
        else:
            words = ("blad", "rij", "kolom") if lang == "nl" else ("sheet", "row", "column")
            if self.sheet:
                parts.append(f"{words[0]} {self.sheet}")
            if self.row is not None:
                parts.append(f"{words[1]} {self.row}")
        if self.column:
            parts.append(f"{words[2]} {self.column}")
        return ", ".join(parts)

    def message(self, lang: str = "en") -> str:
        return self.message_nl if lang == "nl" else self.message_en

    def text(self, lang: str = "en") -> str:
        """One line: where, then what, in one language."""
        where = self.where(lang)
        return f"{where}: {self.message(lang)}" if where else self.message(lang)

    def bilingual(self) -> str:
        """One line in Dutch, then English: what the CLI prints."""
        return f"{self.text('nl')} / {self.message('en')}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "message_nl": self.message_nl, "message_en": self.message_en}


class RowWarning(RowError):
    """Something accepted but worth knowing (a date read as dd/mm/yyyy, an unmapped theme)."""


@dataclass(frozen=True)
class NearDuplicate:
    """Two nodes that may be the same actor; an admin decides whether to merge them."""

    a: str
    b: str
    a_name: str
    b_name: str
    label: str
    reason_nl: str
    reason_en: str
    score: float = 0.0

    def reason(self, lang: str = "en") -> str:
        return self.reason_nl if lang == "nl" else self.reason_en

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "a_name": self.a_name, "b_name": self.b_name,
                "label": self.label, "reason_nl": self.reason_nl, "reason_en": self.reason_en,
                "score": round(self.score, 3)}


class ImportRejected(ImportFailed):
    """An import refused because of row errors; nothing was written."""

    def __init__(self, file: str, errors: list[RowError], total: int,
                 notes: list[tuple[str, str]] | None = None) -> None:
        more = total - len(errors)
        lines = [e.bilingual() for e in errors]
        if more > 0:
            lines.append(f"… en nog {more} fout(en) / … and {more} more error(s)")
        lines.extend(f"{nl} / {en}" for nl, en in notes or ())
        super().__init__(
            f"{file}: {total} fout(en) gevonden, er is niets opgeslagen / "
            f"{total} error(s) found, nothing was written.",
            errors=lines,
        )
        self.file = file
        self.row_errors = errors
        self.total = total
        self.notes = list(notes or ())

    def as_dict(self) -> dict[str, Any]:
        """The refusal as ``--json`` prints it: every listed error, the count and the summary lines."""
        return {"ok": False, "file": self.file, "error_count": self.total,
                "errors": [e.as_dict() for e in self.row_errors],
                "summary": [{"message_nl": nl, "message_en": en} for nl, en in self.notes]}


@dataclass
class Problems:
    """Collects errors and warnings for one file while it is read.

    Examples
    --------
    >>> p = Problems("ties.csv")
    >>> p.error("ties", 4, "rung", "Trede 7 bestaat niet.", "Rung 7 does not exist.")
    >>> p.has_errors, len(p.errors)
    (True, 1)
    """

    file: str
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    error_count: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  # summary lines of the errors
    _warning_kinds: Counter[str] = field(default_factory=Counter)
    _overflow: dict[str, tuple[int, str, str]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def error(self, sheet: str, row: int | None, column: str, nl: str, en: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(RowError(self.file, sheet, row, column, nl, en))

    def warn(self, sheet: str, row: int | None, column: str, nl: str, en: str,
             *, kind: str = "", limit: int = 5) -> None:
        """Add a warning; at most ``limit`` of one ``kind`` are listed, the rest counted."""
        key = kind or en
        self._warning_kinds[key] += 1
        if self._warning_kinds[key] <= limit:
            self.warnings.append(RowWarning(self.file, sheet, row, column, nl, en))
        if self._warning_kinds[key] == limit + 1:
            self._overflow[key] = (limit, nl, en)

    def summarise_warnings(self) -> None:
        """Append one line per kind of warning that occurred more often than was listed."""
        for key, (limit, nl, en) in self._overflow.items():
            more = self._warning_kinds[key] - limit
            self.warnings.append(RowWarning(
                self.file, "", None, "",
                f"Nog {more} keer dezelfde soort melding als: {nl}",
                f"{more} more warnings of the same kind as: {en}"))
        self._overflow.clear()

    def note(self, nl: str, en: str) -> None:
        """A summary line shown with the errors (how many records one kind of error concerns)."""
        self.notes.append((nl, en))

    def raise_if_errors(self) -> None:
        if self.error_count:
            raise ImportRejected(self.file, self.errors, self.error_count, self.notes)


@dataclass
class ImportReport:
    """What an import created, updated and left unchanged, per node label and relationship type.

    Examples
    --------
    >>> r = ImportReport("orgs.csv", "tabular", dry_run=True)
    >>> r.created["Organisation"] += 2
    >>> r.unchanged["Organisation"] += 1
    >>> r.total("created"), r.summary("en")
    (2, 'orgs.csv (tabular), dry run: 2 created, 0 updated, 1 unchanged.')
    """

    file: str
    format: str
    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    tie_events_added: int = 0
    skipped_rows: int = 0
    warnings: list[RowWarning] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    revision_before: int = 0
    revision_after: int = 0
    transactions: int = 0

    def total(self, kind: str) -> int:
        counts: Counter[str] = getattr(self, kind)
        return sum(counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.total("created") or self.total("updated") or self.tie_events_added)

    def labels(self) -> list[str]:
        """Every label or type that occurs in the counts, sorted."""
        return sorted(set(self.created) | set(self.updated) | set(self.unchanged))

    def summary(self, lang: str = "en") -> str:
        c, u, s = self.total("created"), self.total("updated"), self.total("unchanged")
        if lang == "nl":
            mode = ", proefimport" if self.dry_run else ""
            return (f"{self.file} ({self.format}){mode}: {c} nieuw, {u} bijgewerkt, "
                    f"{s} ongewijzigd.")
        mode = ", dry run" if self.dry_run else ""
        return f"{self.file} ({self.format}){mode}: {c} created, {u} updated, {s} unchanged."

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "format": self.format, "dry_run": self.dry_run,
            "created": dict(self.created), "updated": dict(self.updated),
            "unchanged": dict(self.unchanged), "tie_events_added": self.tie_events_added,
            "skipped_rows": self.skipped_rows,
            "warnings": [w.as_dict() for w in self.warnings],
            "near_duplicates": [d.as_dict() for d in self.near_duplicates],
            "revision_before": self.revision_before, "revision_after": self.revision_after,
            "transactions": self.transactions,
        }
