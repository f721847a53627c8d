"""Turn one template row into nodes and relationships, checking every cell on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graphsvc.model import Node, Relationship
from graphsvc.text import normalise_name
from graphsvc.vocab import Term, Vocabulary
from importers.batch import ImportBatch, Where
from importers.cells import (
    CellError,
    parse_amount,
    parse_choice,
    parse_date,
    parse_id,
    parse_int,
    parse_kvk,
    parse_list,
    parse_year,
    slug,
)
from importers.template_spec import Column, Sheet

__all__ = ["RowReader"]

_FIXED_CHOICES: Final = {
    "levels": ("district", "wijk", "buurt"),
    "declared_by": ("self", "both", "coach"),
}
# what an enum column holds, in Dutch and English, for "… is not a known …" (else its name)
_ENUM_NAMES: Final = {"grant_status": ("status van een toekenning", "grant status")}
_ID_PREFIX: Final = {"Organisation": "org", "Institution": "inst", "Fund": "fund",
                     "Neighbourhood": "area", "Community": "comm"}
_NODE_REFS: Final = {"areas": ("ACTIVE_IN", "area"), "refs:Community": ("SERVES", "community"),
                     "interests": ("PRIORITISES", "interest")}


def _choices(terms: tuple[Term, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in terms:
        for spelling in (t.id, t.nl, t.en):
            out[normalise_name(spelling)] = t.id
    return out


class RowReader:
    """Reads the rows of the template sheets into an :class:`ImportBatch`."""

    def __init__(self, batch: ImportBatch, vocab: Vocabulary) -> None:
        self.batch = batch
        self.vocab = vocab
        self.kinds = {key: _choices(terms) for key, terms in vocab.kinds.items()}
        self.kinds.update({k: {v: v for v in vals} for k, vals in _FIXED_CHOICES.items()})
        self.kinds["grant_status"] = _choices(vocab.grant_statuses)
        self.interests = {t.id: t for t in vocab.interests}
        self.capabilities = {t.id: t for t in vocab.capabilities}
        self.interest_names = _choices(vocab.interests)
        self.capability_names = _choices(vocab.capabilities)
        self.rungs = {normalise_name(s): r.rung for r in vocab.rungs
                      for s in (str(r.rung), r.nl, r.en)}
        self.generated: set[str] = set()

    # -- cells -------------------------------------------------------------------------------
    def cell(self, column: Column, text: str, where: Where) -> Any:
        """The value of one non-empty cell, or None after recording an error."""
        try:
            return self._parse(column.kind, text)
        except CellError as exc:
            self.batch.error(where.at(column.name), exc.nl, exc.en)
            return None

    def _parse(self, kind: str, text: str) -> Any:
        parsers: dict[str, Callable[[str], Any]] = {
            "id": parse_id, "kvk": parse_kvk, "year": parse_year, "count": parse_int,
            "amount": parse_amount, "date": parse_date, "list": parse_list, "areas": parse_list,
            "refs:Community": parse_list, "rung": self._rung, "interests": self._interests,
            "capabilities": self._capabilities,
        }
        if kind in parsers:
            return parsers[kind](text)
        if kind.startswith("enum:"):
            name = kind[5:]
            plain = name.replace("_", " ")
            return parse_choice(text, self.kinds.get(name, {}), *_ENUM_NAMES.get(name, (plain, plain)))
        return text  # text, actor, area: plain text

    def _rung(self, text: str) -> int:
        rung = self.rungs.get(normalise_name(text))
        if rung is None:
            names = ", ".join(f"{r.rung} {r.nl}" for r in self.vocab.rungs)
            raise CellError(f"Trede {text!r} bestaat niet; kies 1 tot en met 5 ({names}).",
                            f"Rung {text!r} does not exist; choose 1 to 5 ({names}).")
        return rung

    def _interests(self, text: str) -> list[tuple[str, int | None]]:
        out = []
        for item in parse_list(text):
            name, _, weight = item.partition(":")
            term = parse_choice(name, self.interest_names, "thema", "theme")
            out.append((term, parse_int(weight, 1, 3) if weight.strip() else None))
        return out

    def _capabilities(self, text: str) -> list[str]:
        return [parse_choice(i, self.capability_names, "aanbod of behoefte", "capability")
                for i in parse_list(text)]

    # -- rows --------------------------------------------------------------------------------
    def read(self, sheet: Sheet, values: dict[str, Any], where: Where) -> None:
        """Add the records of one row (``values``: column name -> parsed value, None when empty)."""
        if sheet.label:
            self._node_row(sheet, values, where)
        elif sheet.name == "interests_offers_needs":
            self._profile_row(values, where)
        elif sheet.name == "ties":
            self._tie_row(values, where)
        else:
            self._funding_row(values, where)

    def _node_id(self, sheet: Sheet, values: dict[str, Any]) -> str:
        if values.get("id"):
            return str(values["id"])
        base = f"{_ID_PREFIX[sheet.label]}-{slug(str(values.get('name') or ''))}"
        if values.get("kvk"):
            base = f"{base}-{values['kvk']}"
        node_id, n = base, 1
        while node_id in self.generated or (node_id in self.batch.nodes and n < 1000):
            n += 1
            node_id = f"{base}-{n}"
        self.generated.add(node_id)
        return node_id

    def _node_row(self, sheet: Sheet, values: dict[str, Any], where: Where) -> None:
        node_id = self._node_id(sheet, values)
        props: dict[str, Any] = {}
        links: list[tuple[str, list[Any]]] = []
        for column in sheet.columns:
            value = values.get(column.name)
            if column.name == "id" or value is None:
                continue
            if column.kind in _NODE_REFS:
                links.append((column.kind, value))
            elif column.name == "part_of":
                self.batch.add_rel(Relationship("PART_OF", node_id, value), where, ("id", "part_of"))
            else:
                props[column.name] = value
        areas = next((tuple(v) for k, v in links if k == "areas"), ())
        self.batch.add_node(Node(node_id, sheet.label, props), where, areas=areas)
        for kind, items in links:
            rel_type, what = _NODE_REFS[kind]
            for item in items:
                target = self._interest_node(item[0], where) if kind == "interests" else item
                self.batch.add_rel(Relationship(rel_type, node_id, target), where,
                                   ("id", "priorities" if kind == "interests" else what + "s"))

    def _interest_node(self, term_id: str, where: Where) -> str:
        term = self.interests[term_id]
        self.batch.add_node(Node(term.id, "Interest", {"name": term.nl, "name_en": term.en}), where,
                            ensure_only=True)
        if term.parent and term.parent in self.interests:
            self._interest_node(term.parent, where)
            self.batch.add_rel(Relationship("PART_OF", term.id, term.parent), where)
        return term.id

    def _capability_node(self, term_id: str, where: Where) -> str:
        term = self.capabilities[term_id]
        self.batch.add_node(Node(term.id, "Capability", {"name": term.nl, "name_en": term.en,
                                                         "group": term.group}), where, ensure_only=True)
        return term.id

    def _profile_row(self, values: dict[str, Any], where: Where) -> None:
        actor = values.get("actor")
        if actor is None:
            return
        for term_id, weight in values.get("interests") or ():
            props = {"weight": weight} if weight else {}
            self.batch.add_rel(Relationship("WORKS_ON", actor, self._interest_node(term_id, where), props),
                               where, ("actor", "interests"))
        for column, rel_type in (("offers", "OFFERS"), ("needs", "NEEDS")):
            for term_id in values.get(column) or ():
                self.batch.add_rel(Relationship(rel_type, actor, self._capability_node(term_id, where)),
                                   where, ("actor", column))

    def _tie_row(self, values: dict[str, Any], where: Where) -> None:
        a, b, rung = values.get("actor_a"), values.get("actor_b"), values.get("rung")
        if a is None or b is None or rung is None:
            return
        props = {k: values[k] for k in ("since", "note", "declared_by") if values.get(k) is not None}
        props["rung"] = rung
        ends = ("actor_a", "actor_b") if a <= b else ("actor_b", "actor_a")  # a TIE sorts its ends
        self.batch.add_rel(Relationship("TIE", a, b, props), where, ends)

    def _funding_row(self, values: dict[str, Any], where: Where) -> None:
        fund, org, grant = values.get("fund"), values.get("organisation"), values.get("grant_id")
        if fund is None or org is None or grant is None:
            return
        props = {k: values[k] for k in ("amount", "year", "start", "end", "status", "title")
                 if values.get(k) is not None}
        self.batch.add_rel(Relationship("FUNDS", fund, org, props, str(grant)), where,
                           ("fund", "organisation"))
