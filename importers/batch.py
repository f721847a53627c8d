"""The shared second half of every import: records with their place in the file, then a plan.

A reader turns a file into an :class:`ImportBatch` (nodes and relationships, each with the sheet,
row and column it came from, plus the problems found while reading). :func:`plan_import` matches
the records to what the store holds (by id, then KvK number, then normalised name within an
area), checks every reference, and works out what would be created, updated or left unchanged.
:func:`importers.run.run_import` writes the plan in one transaction, or nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from graphsvc.model import Node, Relationship, TieEvent
from importers.report import Problems

__all__ = ["Where", "NodeIn", "RelIn", "ImportBatch", "Progress", "WRITE_CHUNK"]

WRITE_CHUNK: Final = 5000
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record came from: sheet (or JSON list), row (as the user sees it), column."""

    sheet: str = ""
    row: int | None = None
    column: str = ""

    def at(self, column: str) -> Where:
        return Where(self.sheet, self.row, column)


@dataclass(slots=True)
class NodeIn:
    """A node as read from the file, before it is matched to the store."""

    node: Node
    where: Where
    areas: tuple[str, ...] = ()  # area codes or ids the row names, for name matching
    ensure_only: bool = False  # vocabulary terms: create when missing, never change
    match_loose: bool = True  # match by KvK and name, not only by id


@dataclass(slots=True)
class RelIn:
    """A relationship as read from the file; its ends are ids, codes or names still to resolve.

    Its place is kept as sheet, row and column rather than a :class:`Where`: one object less for
    each of the million relationships of a big dump (``where`` builds it when needed).
    """

    rel: Relationship
    sheet: str
    row: int | None
    column: str = ""
    ends: tuple[str, str] = ("", "")  # the columns that named the start and the end
    optional: bool = False  # an end that cannot be found gives a warning, not an error

    @property
    def where(self) -> Where:
        return Where(self.sheet, self.row, self.column)


@dataclass
class ImportBatch:
    """Everything one file asks to write, with the problems found while reading it.

    Examples
    --------
    >>> batch = ImportBatch("orgs.csv", "tabular")
    >>> batch.add_node(Node("o1", "Organisation", {"name": "De Brug"}), Where("organisations", 2))
    >>> batch.add_node(Node("o1", "Organisation", {"name": "Brug"}), Where("organisations", 3))
    >>> batch.problems.errors[0].text("en")
    "orgs.csv, sheet organisations, row 3, column id: Id 'o1' is used twice in this file (also on row 2)."
    """

    file: str
    format: str
    restore: bool = False  # a full dump: ids only, properties replaced, history as given
    loose_refs: bool = False  # ends may be given by KvK number, code or name
    # a node matched to a stored one only fills what that node lacks (identifiers are extended):
    # files of several funders then leave each other's names alone, in any order
    fill_on_loose_match: bool = False
    problems: Problems = field(init=False)
    nodes: dict[str, NodeIn] = field(default_factory=dict)
    rels: list[RelIn] = field(default_factory=list)
    tie_events: list[TieEvent] = field(default_factory=list)
    failed_ids: set[str] = field(default_factory=set)  # rows with errors: no dangling-ref noise
    # the column a relationship property was read from, where it is not named like the property
    prop_columns: dict[str, str] = field(default_factory=dict)
    skipped_rows: int = 0

    def __post_init__(self) -> None:
        self.problems = Problems(self.file)

    @property
    def source(self) -> str:
        return f"import:{self.file}"

    def add_node(self, node: Node, where: Where, *, areas: tuple[str, ...] = (),
                 ensure_only: bool = False) -> None:
        """Add a node; the same id twice with different content is an error."""
        before = self.nodes.get(node.id)
        if before is not None:
            if ensure_only or (before.node.label == node.label and before.node.props == node.props):
                return
            self.error(where.at("id"),
                       f"Id {node.id!r} komt twee keer voor in dit bestand (ook op rij "
                       f"{before.where.row}).",
                       f"Id {node.id!r} is used twice in this file (also on row {before.where.row}).")
            return
        self.nodes[node.id] = NodeIn(node, where, areas, ensure_only, not self.restore)

    def add_rel(self, rel: Relationship, where: Where, ends: tuple[str, str] = ("", ""), *,
                optional: bool = False) -> None:
        self.rels.append(RelIn(rel, where.sheet, where.row, where.column, ends, optional))

    def error(self, where: Where, nl: str, en: str) -> None:
        self.problems.error(where.sheet, where.row, where.column, nl, en)

    def warn(self, where: Where, nl: str, en: str, *, kind: str = "") -> None:
        self.problems.warn(where.sheet, where.row, where.column, nl, en, kind=kind)
