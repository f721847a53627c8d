"""Match an import batch to the store, check every reference, and write the result in one go."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

from graphsvc.errors import InvalidInput
from graphsvc.model import (
    CONFIDENTIAL_FIELDS,
    LABELS,
    REL_TYPES,
    Node,
    Relationship,
    TieEvent,
    validate_node,
)
from graphsvc.node_props import is_declared
from graphsvc.rel_props import RULED_TYPES, property_problems
from graphsvc.text import normalise_name
from importers.batch import ImportBatch, NodeIn, RelIn, Where
from importers.declared import check_declared
from importers.duplicates import DUPLICATE_LABELS
from importers.index import StoreIndex, event_key, same_props
from importers.plan_write import write_plan
from importers.report import ImportReport, NearDuplicate

__all__ = ["Plan", "plan_import", "write_plan", "merged_props"]

MAX_NEAR_DUPLICATES: Final = 200
_IDENT: Final = attrgetter("type", "start", "end", "key")  # Relationship.ident, as a sort key
_TYPE: Final = attrgetter("type")


@dataclass
class Plan:
    """What an import would write: changed nodes, changed relationships, new tie events.

    A restore lists its relationships in the store's key order (type, start, end, key): the
    store's indexes then grow at their ends instead of all over, which saves a third of the
    writing time of a million relationships. Other imports keep the file's order, in which
    the store records the history of their ties.
    """

    report: ImportReport
    nodes: list[Node] = field(default_factory=list)
    rels: list[Relationship] = field(default_factory=list)
    events: list[TieEvent] = field(default_factory=list)


def plan_import(batch: ImportBatch, index: StoreIndex) -> Plan:
    """Resolve ``batch`` against ``index``; errors go to ``batch.problems``."""
    check_declared(batch)
    planner = _Planner(batch, index)
    planner.resolve_nodes()
    planner.resolve_rels()
    planner.resolve_events()
    batch.problems.summarise_warnings()
    planner.plan.report.warnings = list(batch.problems.warnings)
    planner.plan.report.skipped_rows = batch.skipped_rows
    return planner.plan


class _Planner:
    def __init__(self, batch: ImportBatch, index: StoreIndex) -> None:
        self.batch = batch
        self.index = index
        self.plan = Plan(ImportReport(batch.file, batch.format))
        self.idmap: dict[str, str] = {}
        self.final: dict[str, Node] = {}  # target id -> node as it will be after the import
        self.file_kvk: dict[str, tuple[str, Where]] = {}
        self.file_codes: dict[str, str] = {}
        self.file_names: dict[tuple[str, str], list[str]] = {}

    # -- nodes -------------------------------------------------------------------------------
    def resolve_nodes(self) -> None:
        for rec in self.batch.nodes.values():
            props = rec.node.props
            if rec.node.label == "Neighbourhood" and props.get("code"):
                self.file_codes[str(props["code"]).upper()] = rec.node.id
        for rec in self.batch.nodes.values():
            if self._valid_node(rec):
                self._place_node(rec)
        report = self.plan.report
        for target, node in self.final.items():
            self._count_node(target, node, report)

    def _valid_node(self, rec: NodeIn) -> bool:
        node, where = rec.node, rec.where
        if node.id in self.batch.failed_ids:
            return False  # its errors are already reported (e.g. an undeclared property)
        if node.label not in LABELS:
            self._fail(rec, where.at("label"), f"Onbekend soort knoop {node.label!r}.",
                       f"Unknown node label {node.label!r}; expected one of {', '.join(LABELS)}.")
            return False
        try:
            validate_node(node)
        except InvalidInput as exc:
            column = "name" if "name" in exc.message else "id"
            self._fail(rec, where.at(column), _dutch_node_problem(column), exc.message)
            return False
        kvk = str(node.props.get("kvk") or "")
        if kvk and rec.match_loose:
            seen = self.file_kvk.get(kvk)
            if seen is not None and seen[0] != node.id:
                self._fail(rec, where.at("kvk"),
                           f"KvK-nummer {kvk} staat ook op rij {seen[1].row} (bij {seen[0]!r}).",
                           f"KvK number {kvk} is also on row {seen[1].row} (for {seen[0]!r}).")
                return False
            self.file_kvk[kvk] = (node.id, where)
        return True

    def _fail(self, rec: NodeIn, where: Where, nl: str, en: str) -> None:
        self.batch.failed_ids.add(rec.node.id)
        self.batch.error(where, nl, en)

    def _place_node(self, rec: NodeIn) -> None:
        node = rec.node
        target = self._match(rec)
        existing = self.final.get(target) or self.index.nodes.get(target)
        if existing is not None and existing.label != node.label:
            self._fail(rec, rec.where.at("id"),
                       f"Id {target!r} is in de kaart al een {existing.label}, geen {node.label}.",
                       f"Id {target!r} already belongs to a {existing.label}, not a {node.label}.")
            return
        self.idmap[node.id] = target
        if self.batch.loose_refs:  # names are looked up only for loose references
            self.file_names.setdefault((node.label, normalise_name(node.name)), []).append(target)
        if existing is not None and rec.ensure_only:
            self.final.setdefault(target, existing)
            return
        if existing is None and target == node.id and not node.version:
            self.final[target] = node  # new, under its own id: the record as read (immutable)
        elif existing is None:
            self.final[target] = Node(target, node.label, node.props, created_at=node.created_at,
                                      updated_at=node.updated_at)
        elif self.batch.restore:  # keep what a filtered (non-admin) dump could not carry
            merged = {**{k: v for k, v in existing.props.items() if k in CONFIDENTIAL_FIELDS},
                      **node.props}
            self.final[target] = Node(target, node.label, merged, created_at=node.created_at,
                                      updated_at=node.updated_at)
        else:  # an undeclared key the store still holds (see `graphsvc doctor`) is not kept
            kept = {k: v for k, v in existing.props.items() if is_declared(node.label, k)}
            fill = self.batch.fill_on_loose_match
            if fill and normalise_name(existing.name) != normalise_name(node.name):
                self.batch.warn(rec.where.at("name"), *_kept_name(existing.name, node.name), kind="kept name")
            self.final[target] = Node(target, node.label, merged_props(kept, node.props, fill=fill),
                                      created_at=node.created_at, updated_at=node.updated_at)
        if existing is None and rec.match_loose and node.label in DUPLICATE_LABELS:
            self._near_duplicates(target, node)

    def _match(self, rec: NodeIn) -> str:
        node = rec.node
        found = self.index.resolve_id(node.id)
        if found is not None or not rec.match_loose:
            return found or node.id
        kvk = str(node.props.get("kvk") or "")
        if kvk and kvk in self.index.by_kvk:
            return self.index.by_kvk[kvk]
        areas = {a for a in (self._area(ref) for ref in rec.areas) if a}
        same_name = [
            other for other in self.index.named(node.label, node.name)
            if (self.index.areas_of.get(other, set()) & areas) or (not areas and not self.index.areas_of.get(other))
        ]
        return same_name[0] if len(same_name) == 1 else node.id

    def _area(self, ref: str) -> str | None:
        code = ref.strip().upper()
        return (self.file_codes.get(code) or self.index.by_code.get(code)
                or (ref if ref in self.batch.nodes else None) or self.index.resolve_id(ref))

    def _near_duplicates(self, target: str, node: Node) -> None:
        report = self.plan.report
        if self.index.empty or len(report.near_duplicates) >= MAX_NEAR_DUPLICATES:
            return
        for other_id, score in self.index.similar_names.similar(node.label, node.name)[:3]:
            other = self.index.nodes[other_id]
            pct = f"{score:.0%}"
            report.near_duplicates.append(NearDuplicate(
                target, other_id, node.name, other.name, node.label,
                f"nieuw uit dit bestand; lijkt voor {pct} op een bestaande naam",
                f"new from this file; {pct} alike an existing name", score))

    def _count_node(self, target: str, node: Node, report: ImportReport) -> None:
        existing = self.index.nodes.get(target)
        if existing is None:
            report.created[node.label] += 1
            self.plan.nodes.append(node)
        elif same_props(existing.props, node.props):
            report.unchanged[node.label] += 1
        else:
            report.updated[node.label] += 1
            self.plan.nodes.append(node)

    # -- relationships -----------------------------------------------------------------------
    def resolve_rels(self) -> None:
        # identity -> the record it came from, or (resolved relationship, record) when resolving
        # changed its ends: a million relationships keep no extra object in the common case
        final: dict[tuple[str, str, str, str], RelIn | tuple[Relationship, RelIn]] = {}
        nodes, idmap, allowed_ends = self.final, self.idmap, REL_TYPES.get
        for rec in self.batch.rels:
            rel = rec.rel
            if rel.type in RULED_TYPES and not self._valid_props(rec):
                continue
            start, end = idmap.get(rel.start), idmap.get(rel.end)
            allowed = allowed_ends(rel.type)
            # the fast path: both ends are nodes of the file under their own ids, of fitting labels
            if start == rel.start and end == rel.end and start is not None and end is not None \
                    and allowed is not None and nodes[start].label in allowed[0] and nodes[end].label in allowed[1] \
                    and (start != end or rel.type != "TIE"):
                resolved = rel
            else:
                found = self._resolved(rec)
                if found is None:
                    continue
                resolved = found
            ident = (resolved.type, resolved.start, resolved.end, resolved.key)
            before = final.get(ident)
            if before is not None:
                first, first_rec = before if isinstance(before, tuple) else (before.rel, before)
                if not same_props(first.props, resolved.props):
                    self.batch.error(rec.where, *_twice(resolved, first_rec.where))
                    continue
            final[ident] = rec if resolved is rel else (resolved, rec)
        rels = [value[0] if isinstance(value, tuple) else value.rel for value in final.values()]
        del final
        if self.batch.restore:
            rels.sort(key=_IDENT)
        existing = self.index.rel_props if rels else {}
        if not existing:  # an empty store, or nothing to write: every relationship is new
            self.plan.report.created.update(Counter(map(_TYPE, rels)))
            self.plan.rels.extend(rels)
            return
        for rel in rels:
            self._count_rel(rel, existing.get(rel.ident))

    def _valid_props(self, rec: RelIn) -> bool:
        """Check the properties the design fixes; every bad one is an error at its column."""
        problems = property_problems(rec.rel.type, rec.rel.props)
        columns = self.batch.prop_columns
        for problem in problems:
            self.batch.error(rec.where.at(columns.get(problem.field, problem.field)), problem.nl, problem.en)
        return not problems

    def _resolved(self, rec: RelIn) -> Relationship | None:
        rel = rec.rel
        allowed = REL_TYPES.get(rel.type)
        if allowed is None:
            self.batch.error(rec.where.at(rec.ends[0] or "type"),
                             f"Onbekend soort relatie {rel.type!r}.", f"Unknown relationship type {rel.type!r}.")
            return None
        ends = []
        for ref, labels, column in zip((rel.start, rel.end), allowed, rec.ends, strict=True):
            target = self._ref(ref, labels)
            if target is None:
                if rec.optional:
                    self.batch.warn(rec.where.at(column), *_skipped(rel.type, ref), kind=f"skip {rel.type}")
                elif ref not in self.batch.failed_ids:
                    self.batch.error(rec.where.at(column), *_dangling(ref, labels))
                return None
            label = (self.final.get(target) or self.index.nodes[target]).label
            if label not in labels:
                self.batch.error(rec.where.at(column), *_wrong_end(rel.type, ref, label, labels))
                return None
            ends.append(target)
        if rel.type == "TIE" and ends[0] == ends[1]:
            self.batch.error(rec.where.at(rec.ends[1]), "Een band verbindt twee verschillende actoren.",
                             "A tie joins two different actors.")
            return None
        if ends[0] == rel.start and ends[1] == rel.end:
            return rel  # the common case: ids that are already the stored ids
        return Relationship(rel.type, ends[0], ends[1], rel.props, rel.key,
                            created_at=rel.created_at, updated_at=rel.updated_at)

    def _ref(self, ref: str, labels: frozenset[str]) -> str | None:
        if ref in self.idmap:
            return self.idmap[ref]
        found = self.index.resolve_id(ref)
        if found is not None or not self.batch.loose_refs:
            return found
        if "Neighbourhood" in labels and (area := self._area(ref)):
            return area
        if "Organisation" in labels and ref in self.file_kvk:
            return self.idmap.get(self.file_kvk[ref][0])
        if "Organisation" in labels and ref in self.index.by_kvk:
            return self.index.by_kvk[ref]
        for label in sorted(labels):
            key = (label, normalise_name(ref))
            named = set(self.file_names.get(key, ())) or set(self.index.named(label, ref))
            if len(named) == 1:
                return named.pop()
        return None

    def _count_rel(self, rel: Relationship, existing: Mapping[str, Any] | None) -> None:
        """Count ``rel`` as created, updated or unchanged against the stored properties."""
        report = self.plan.report
        if existing is None:
            report.created[rel.type] += 1
            self.plan.rels.append(rel)
            return
        props = rel.props if self.batch.restore else {**existing, **rel.props}
        if same_props(props, existing):
            report.unchanged[rel.type] += 1
            return
        report.updated[rel.type] += 1
        self.plan.rels.append(Relationship(rel.type, rel.start, rel.end, props, rel.key,
                                           created_at=rel.created_at, updated_at=rel.updated_at))

    # -- tie history (full dumps) ------------------------------------------------------------
    def resolve_events(self) -> None:
        if not self.batch.tie_events:
            return
        stored = Counter(self.index.events)
        if not stored:  # no history in the store yet: every event is new
            self.plan.events.extend(self.batch.tie_events)
        for event in self.batch.tie_events if stored else ():
            key = event_key(event)
            if stored[key] > 0:  # already there: restoring the same dump twice adds nothing
                stored[key] -= 1
                continue
            self.plan.events.append(event)
        self.plan.report.tie_events_added = len(self.plan.events)


def merged_props(old: Mapping[str, Any], new: Mapping[str, Any], *, fill: bool = False) -> dict[str, Any]:
    """A stored node's properties updated from a file: ``identifiers`` are a set, extended only.

    With ``fill`` the stored values win and the file only adds what is missing.

    Examples
    --------
    >>> merged_props({"name": "A", "identifiers": ["GB-CHC-1"]}, {"name": "B", "identifiers": ["GB-COH-2"]})
    {'name': 'B', 'identifiers': ['GB-CHC-1', 'GB-COH-2']}
    >>> merged_props({"name": "A"}, {"name": "B", "city": "X"}, fill=True)
    {'name': 'A', 'city': 'X'}
    """
    merged = {**new, **old} if fill else {**old, **new}
    before, added = old.get("identifiers"), new.get("identifiers")
    if isinstance(before, list) and isinstance(added, list):
        merged["identifiers"] = before + [i for i in added if i not in before]
    return merged


def _kept_name(kept: str, other: str) -> tuple[str, str]:
    return (f"{other!r} staat al in de kaart als {kept!r}; die naam blijft (Dubbelen: samenvoegen of splitsen).",
            f"{other!r} is already in the map as {kept!r}; that name stays (see duplicates to merge or split).")


def _dutch_node_problem(column: str) -> str:
    return "De naam ontbreekt." if column == "name" else "Het id ontbreekt of is te lang (max. 200 tekens)."


def _dangling(ref: str, labels: frozenset[str]) -> tuple[str, str]:
    kinds = " of ".join(sorted(labels))
    kinds_en = " or ".join(sorted(labels))
    return (f"{ref!r} bestaat niet: geen {kinds} met dit id, deze code of deze naam in dit bestand "
            "of in de kaart.",
            f"{ref!r} does not exist: no {kinds_en} with this id, code or name in this file or in "
            "the map.")


def _skipped(rel_type: str, ref: str) -> tuple[str, str]:
    return (f"{ref!r} staat niet in de kaart; de {rel_type}-relatie is overgeslagen.",
            f"{ref!r} is not in the map; the {rel_type} relationship was skipped.")


def _wrong_end(rel_type: str, ref: str, label: str, labels: frozenset[str]) -> tuple[str, str]:
    return (f"{ref!r} is een {label}; een {rel_type}-relatie past hier alleen bij "
            f"{' of '.join(sorted(labels))}.",
            f"{ref!r} is a {label}; a {rel_type} relationship here needs "
            f"{' or '.join(sorted(labels))}.")


def _twice(rel: Relationship, before: Where) -> tuple[str, str]:
    what = f"{rel.type} {rel.start} → {rel.end}" + (f" ({rel.key})" if rel.key else "")
    return (f"{what} staat ook op rij {before.row}, met andere gegevens.",
            f"{what} is also on row {before.row}, with different values.")
