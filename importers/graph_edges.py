"""One edge read from a graph file (GraphML, GEXF, a mapped tool export) into an import batch."""

from __future__ import annotations

from typing import Any, Final

from graphsvc.model import Relationship
from graphsvc.provenance import tie_provenance
from importers.batch import ImportBatch, Where

__all__ = ["add_edge_record"]

_NUMBERS: Final = {"WORKS_ON": ("weight",), "FUNDS": ("amount", "year")}  # edge attributes read as numbers


def add_edge_record(batch: ImportBatch, start: str, end: str, props: dict[str, Any],
                    where: Where) -> None:
    """Add one decoded edge (``type``, optional ``key``, properties) to the batch."""
    rel_type, key = props.pop("type", None), props.pop("rel_key", "")
    if not isinstance(rel_type, str) or not rel_type:
        batch.error(where.at("type"), "Deze verbinding heeft geen kenmerk 'type' (TIE, FUNDS, …).",
                    "This edge has no attribute 'type' (TIE, FUNDS, …).")
        return
    if rel_type == "TIE":
        rung = _rung(props.get("rung"))
        if rung is None:
            batch.error(where.at("rung"),
                        f"Trede {props.get('rung')!r} bestaat niet; gebruik 1 tot en met 5.",
                        f"Rung {props.get('rung')!r} does not exist; use 1 to 5.")
            return
        props["rung"] = rung
        if props.get("provenance") == tie_provenance({k: v for k, v in props.items() if k != "provenance"}):
            del props["provenance"]  # what the export derived: the tie says so by itself
    for prop in _NUMBERS.get(rel_type, ()):
        if prop in props:
            props[prop] = _number(props[prop])
    batch.add_rel(Relationship(rel_type, start, end, props, str(key)), where, ("source", "target"))


def _number(value: Any) -> Any:
    # Other tools write numbers as text or as doubles (2.0): read them as numbers, whole where
    # they are whole; anything else stays as it is, for the import to name as an error.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _rung(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and 1 <= number <= 5 else None
