"""Check every record of an import against the declared properties, before anything is planned.

A node property its label does not declare is an error at its file, row and attribute — except
in GraphML and GEXF files, which other tools fill with their own attributes (positions, colours,
sizes): those are dropped, with one warning that lists them. Unknown relationship properties are
dropped with one warning in every format. A risk or fraud word in a property name, a nested key
or a coded value is always an error, and so is a name over 200 or a text over 10,000 characters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

from graphsvc.model import MAX_NAME_CHARS, MAX_TEXT_CHARS, Node, Relationship
from graphsvc.node_props import (
    NODE_PROPS,
    REL_FREE_TEXT,
    declared_rel_properties,
    risk_word,
    risky_props,
)
from importers.batch import ImportBatch, NodeIn, RelIn, Where
from importers.report import Problems

__all__ = ["check_declared", "warn_dropped", "DROPPING_FORMATS"]

#: Formats whose files often come from other tools, with attributes of their own: dropped, not refused.
DROPPING_FORMATS: Final = frozenset({"graphml", "gexf"})
_CLEAN_CACHE: Final = 50_000


def check_declared(batch: ImportBatch, tally: tuple[Counter[str], Counter[str]] | None = None) -> None:
    """Refuse or drop undeclared properties and refuse risk words, in place.

    ``tally`` (nodes, relationships): count the dropped keys there and leave the one warning that
    lists them to the caller (:func:`warn_dropped`), e.g. once for a file read in chunks.

    Examples
    --------
    >>> batch = ImportBatch("orgs.json", "dump")
    >>> batch.add_node(Node("o1", "Organisation", {"name": "A", "fraud_flag": 1}), Where("nodes", 2))
    >>> check_declared(batch)
    >>> [e.text("en") for e in batch.problems.errors]  # doctest: +NORMALIZE_WHITESPACE
    ["orgs.json, node 2, attribute fraud_flag: Goudkaart does not label organisations
      as a risk or a fraud ('fraud'); remove this property."]
    """
    dropped, dropped_rel = tally or (Counter(), Counter())
    for rec in batch.nodes.values():
        _check_node(batch, rec, dropped)
    clean: set[str] = set()
    for i, rel_rec in enumerate(batch.rels):
        replaced = _check_rel(batch, rel_rec, dropped_rel, clean)
        if replaced is not None:
            batch.rels[i] = replaced
    if tally is None:
        warn_dropped(batch.problems, dropped, dropped_rel)


def warn_dropped(problems: Problems, nodes: Counter[str], rels: Counter[str]) -> None:
    """One warning per kind of record that lost undeclared keys, listing them with their counts.

    Examples
    --------
    >>> problems = Problems("g.graphml")
    >>> warn_dropped(problems, Counter(), Counter({"colour": 2}))
    >>> problems.warnings[0].text("en")
    'g.graphml, edges: Attributes Goudkaart does not know were left out of the edges: colour (2×).'
    """
    if nodes:
        _warn_dropped(problems, nodes, "nodes")
    if rels:
        _warn_dropped(problems, rels, "edges")


def _check_node(batch: ImportBatch, rec: NodeIn, dropped: Counter[str]) -> None:
    node, where = rec.node, rec.where
    declared = NODE_PROPS.get(node.label)
    if declared is None:
        return  # the planner reports the unknown label
    bad = False
    for key, word in risky_props(node.label, node.props):
        bad = True
        batch.error(where.at(key), *_risky(word))
    unknown = [k for k in node.props if k not in declared.declared]
    if unknown and batch.format in DROPPING_FORMATS:
        dropped.update(k for k in unknown if risk_word(k) is None)
        kept = {k: v for k, v in node.props.items() if k in declared.declared}
        rec.node = Node(node.id, node.label, kept, node.version, node.created_at, node.updated_at)
    else:
        for key in unknown:
            if risk_word(key) is None:
                bad = True
                batch.error(where.at(key), *_undeclared(key, node.label))
    bad = _too_long(batch, rec.node, where) or bad
    if bad:
        batch.failed_ids.add(node.id)


def _too_long(batch: ImportBatch, node: Node, where: Where) -> bool:
    bad = False
    name = node.props.get("name")
    if isinstance(name, str) and len(name) > MAX_NAME_CHARS:
        bad = True
        batch.error(where.at("name"),
                    f"De naam is {len(name):,} tekens lang; de grens is {MAX_NAME_CHARS}.",
                    f"The name is {len(name):,} characters long; the limit is {MAX_NAME_CHARS}.")
    for key, value in node.props.items():
        if key != "name" and isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            bad = True
            batch.error(where.at(key),
                        f"Deze tekst is {len(value):,} tekens lang; de grens is {MAX_TEXT_CHARS:,}.",
                        f"This text is {len(value):,} characters long; the limit is {MAX_TEXT_CHARS:,}.")
    return bad


def _check_rel(batch: ImportBatch, rec: RelIn, dropped: Counter[str], clean: set[str]) -> RelIn | None:
    rel = rec.rel
    if not rel.props:
        return None
    declared = declared_rel_properties(rel.type)
    for key, value in rel.props.items():
        texts = [key] if key in REL_FREE_TEXT else [key, *_texts(value)]
        for text in texts:
            if text in clean:
                continue
            word = risk_word(text)
            if word is not None:
                batch.error(rec.where.at(key), *_risky(word))
                break
            if len(clean) < _CLEAN_CACHE:
                clean.add(text)
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            batch.error(rec.where.at(key),
                        f"Deze tekst is {len(value):,} tekens lang; de grens is {MAX_TEXT_CHARS:,}.",
                        f"This text is {len(value):,} characters long; the limit is {MAX_TEXT_CHARS:,}.")
    unknown = [k for k in rel.props if k not in declared]
    if not unknown:
        return None
    dropped.update(k for k in unknown if risk_word(k) is None)
    kept = {k: v for k, v in rel.props.items() if k in declared}
    new = Relationship(rel.type, rel.start, rel.end, kept, rel.key, rel.version, rel.created_at,
                       rel.updated_at)
    return RelIn(new, rec.sheet, rec.row, rec.column, rec.ends, rec.optional)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(k) for k in value] + [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def _warn_dropped(problems: Problems, dropped: Counter[str], what: str) -> None:
    listed = ", ".join(f"{k} ({n}×)" for k, n in sorted(dropped.items()))
    nl_what = "knopen" if what == "nodes" else "verbindingen"
    problems.warn(what, None, "", f"Kenmerken die Goudkaart niet kent zijn weggelaten bij de {nl_what}: "
                  f"{listed}.", f"Attributes Goudkaart does not know were left out of the {what}: {listed}.")


def _risky(word: str) -> tuple[str, str]:
    return (f"Goudkaart bestempelt organisaties niet als risico of fraude ({word!r}); verwijder dit "
            "kenmerk.",
            f"Goudkaart does not label organisations as a risk or a fraud ({word!r}); remove this "
            "property.")


def _undeclared(key: str, label: str) -> tuple[str, str]:
    return (f"{key!r} is geen bekend kenmerk van {label}; Goudkaart slaat het niet op. Verwijder "
            "de kolom of het kenmerk.",
            f"{key!r} is not a declared property of {label}; Goudkaart does not store it. Remove "
            "the column or attribute.")
