"""The full JSON dump: everything in a store, tie history included, and its restore.

The format is the one :mod:`graphsvc.generate` writes (``{"format": "goudkaart-dump",
"version": 1, "nodes": [...], "relationships": [...], "tie_events": [...]}``, one record per
line); a dump from a store adds ``created_at``/``updated_at`` to each node and relationship so a
restore keeps them. Reading streams the file line by line, so a dump of a million
relationships never sits in memory as one JSON document.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from graphsvc.access.visibility import Viewer, visible_props, visible_relationship
from graphsvc.actions.signals import is_signal_record, signals_hidden_from
from graphsvc.dump_format import DUMP_FORMAT, DUMP_VERSION, write_dump_sections
from graphsvc.errors import StoreUnavailable
from graphsvc.model import PRIVATE_LABELS, REL_TYPES, Node, Relationship, TieEvent
from graphsvc.store.base import GraphStore
from importers.batch import ImportBatch, Progress, RelIn, Where
from importers.dump_read import NeedsText, NotStreamable, read_dump_records
from importers.limits import CLI_LIMITS, Limits

__all__ = ["write_store_dump", "write_dump_records", "read_dump", "DUMP_FORMAT", "DUMP_VERSION"]



def _node_record(node: Node, viewer: Viewer) -> dict[str, Any]:
    return {"id": node.id, "label": node.label, "props": visible_props(node, viewer),
            "created_at": node.created_at, "updated_at": node.updated_at}


def _rel_record(rel: Relationship) -> dict[str, Any]:
    return {"type": rel.type, "start": rel.start, "end": rel.end, "key": rel.key,
            "props": dict(rel.props), "created_at": rel.created_at, "updated_at": rel.updated_at}


def write_dump_records(path: str | Path, sections: dict[str, Iterable[dict[str, Any]]],
                       progress: Progress | None = None) -> dict[str, int]:
    """Write ready-made records in the dump layout (header line, one record per line).

    Examples
    --------
    >>> import json, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "d.json"
    >>> write_dump_records(p, {"nodes": [{"id": "i", "label": "Interest", "props": {"name": "X"}}],
    ...                        "relationships": [], "tie_events": []})
    {'nodes': 1, 'relationships': 0, 'tie_events': 0}
    >>> json.loads(p.read_text("utf-8"))["nodes"][0]["id"]
    'i'
    """
    return write_dump_sections(path, sections, progress)


def write_store_dump(store: GraphStore, path: str | Path, viewer: Viewer, *,
                     progress: Progress | None = None, attempts: int = 3) -> dict[str, int]:
    """Dump the whole store to ``path``; confidential fields only when ``viewer`` may see them.

    Early signals (and their notes) are in the dump only for admins: a single signal names its
    organisation (:func:`graphsvc.actions.signals.signals_hidden_from`).

    The file is written beside ``path`` and renamed into place when the store did not change
    while it was read, so a dump is always one consistent revision.

    Examples
    --------
    >>> import json, tempfile
    >>> from graphsvc.store import open_store
    >>> from graphsvc.access.visibility import PUBLIC
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "A", "capacity": {"governance": 2}}))
    >>> p = Path(tempfile.mkdtemp()) / "d.json"
    >>> write_store_dump(store, p, PUBLIC)["nodes"]
    1
    >>> json.loads(p.read_text("utf-8"))["nodes"][0]["props"]
    {'name': 'A'}
    """
    target = Path(path)
    temp = target.with_name(f".{target.name}.partial")
    hide = signals_hidden_from(viewer.role)
    for _ in range(attempts):
        revision = store.revision()
        counts = write_dump_records(temp, {
            "nodes": (_node_record(n, viewer) for n in store.iter_nodes()
                      if (n.label not in PRIVATE_LABELS or viewer.role == "admin")
                      and not (hide and is_signal_record(n.label))),
            "relationships": (_rel_record(visible_relationship(r, viewer))
                              for r in store.iter_relationships() if not (hide and is_signal_record(r.type))),
            "tie_events": (e.as_dict() for e in store.tie_history()),
        }, progress)
        if store.revision() == revision:
            os.replace(temp, target)
            return counts
    temp.unlink(missing_ok=True)
    raise StoreUnavailable("The map kept changing while it was being dumped; try again. / "
                           "De kaart bleef veranderen tijdens het wegschrijven; probeer het opnieuw.")


def read_dump(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS) -> ImportBatch:
    """Read a full dump into a restore batch (ids kept, properties replaced, history as given).

    Examples
    --------
    >>> import json, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "d.json"
    >>> _ = write_dump_records(p, {"nodes": [{"id": "i", "label": "Interest", "props": {"name": "X"}}]})
    >>> batch = read_dump(p)
    >>> list(batch.nodes), batch.restore
    (['i'], True)
    """
    file = name or Path(path).name
    mode = "lines"
    while True:  # lines (bytes), then text for odd bytes, then the whole file for another layout
        batch = ImportBatch(file, "dump", restore=True)
        try:
            return _filled(batch, read_dump_records(path, batch.problems, limits, file, mode=mode))
        except NeedsText:
            mode = "text"
        except NotStreamable:
            if mode == "whole":  # pragma: no cover - the whole-file reader never raises it
                raise
            mode = "whole"


_REL_TYPES: Final = {t: t for t in REL_TYPES}  # one string object per type, not one per record
_ENDS: Final = ("start", "end")


def _filled(batch: ImportBatch, records: Iterator[tuple[str, int, dict[str, Any]]]) -> ImportBatch:
    # node id -> the id string of its node record: relationships and events that name the node
    # share that string instead of each keeping a copy (a million of them in a big dump)
    ids: dict[str, str] = {}
    keep, known_type, known_id = batch.rels.append, _REL_TYPES.get, ids.get
    for section, row, record in records:
        if section == "relationships":
            # the fast path for the million well-formed records of a big dump, inline
            get = record.get
            rel_type, start, end, key, props = get("type"), get("start"), get("end"), get("key", ""), get("props")
            if (type(rel_type) is str and type(start) is str and type(end) is str and type(key) is str
                    and type(props) is dict and rel_type and start and end
                    and (rel_type != "TIE" or _is_rung(props.get("rung"), low=1))):
                created, updated = get("created_at"), get("updated_at")
                keep(RelIn(Relationship(known_type(rel_type, rel_type), known_id(start, start),
                                        known_id(end, end), props, key, 0,
                                        None if created is None else _stamp(created),
                                        None if updated is None else _stamp(updated)),
                           section, row, "", _ENDS))
            else:
                _add_rel_checked(batch, record, Where(section, row))
        elif section == "nodes":
            _add_node(batch, record, Where(section, row), ids)
        else:
            _add_event(batch, record, row, ids)
    return batch


def _text(batch: ImportBatch, record: dict[str, Any], key: str, where: Where,
          required: bool = True) -> str | None:
    value = record.get(key, None if required else "")
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        batch.error(where.at(key), f"Veld {key!r} ontbreekt of is geen tekst.",
                    f"Field {key!r} is missing or not text.")
        return None
    return value


def _props(batch: ImportBatch, record: dict[str, Any], where: Where) -> dict[str, Any] | None:
    props = record.get("props", {})
    if not isinstance(props, dict):
        batch.error(where.at("props"), "'props' moet een object zijn.", "'props' must be an object.")
        return None
    return props


def _stamp(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _add_node(batch: ImportBatch, record: dict[str, Any], where: Where, ids: dict[str, str]) -> None:
    node_id, label = _text(batch, record, "id", where), _text(batch, record, "label", where)
    props = _props(batch, record, where)
    if node_id is None or label is None or props is None:
        if node_id:
            batch.failed_ids.add(node_id)
        return
    ids.setdefault(node_id, node_id)
    batch.add_node(Node(node_id, label, props, created_at=_stamp(record.get("created_at")),
                        updated_at=_stamp(record.get("updated_at"))), where)


def _add_rel_checked(batch: ImportBatch, record: dict[str, Any], where: Where) -> None:
    fields = [_text(batch, record, k, where) for k in ("type", "start", "end")]
    key = _text(batch, record, "key", where, required=False)
    props = _props(batch, record, where)
    rel_type, start, end = fields
    if rel_type is None or start is None or end is None or key is None or props is None:
        return
    if rel_type == "TIE" and not _is_rung(props.get("rung"), low=1):
        batch.error(where.at("props.rung"), *_bad_rung(props.get("rung")))
        return
    batch.add_rel(Relationship(rel_type, start, end, props, key,
                               created_at=_stamp(record.get("created_at")),
                               updated_at=_stamp(record.get("updated_at"))), where, _ENDS)


def _is_rung(value: Any, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= 5


def _bad_rung(value: Any) -> tuple[str, str]:
    return (f"Trede {value!r} bestaat niet; gebruik een heel getal van 1 tot en met 5.",
            f"Rung {value!r} does not exist; use a whole number from 1 to 5.")


def _add_event(batch: ImportBatch, record: dict[str, Any], row: int, ids: dict[str, str]) -> None:
    get = record.get
    a, b, at, old, new = get("a"), get("b"), get("at", ""), get("old_rung"), get("new_rung")
    if (type(a) is str and a and type(b) is str and b and type(at) is str
            and type(old) is int and 0 <= old <= 5 and type(new) is int and 0 <= new <= 5):
        # the fast path for the well-formed history of a big dump
        source, session, declared_by = get("source"), get("session"), get("declared_by")
        batch.tie_events.append(TieEvent(
            ids.get(a, a), ids.get(b, b), old, new, at,
            source if type(source) is str else str(source or ""),
            session if type(session) is str else str(session or ""),
            declared_by if type(declared_by) is str else str(declared_by or "")))
        return
    _add_event_checked(batch, record, Where("tie_events", row))


def _add_event_checked(batch: ImportBatch, record: dict[str, Any], where: Where) -> None:
    a, b = _text(batch, record, "a", where), _text(batch, record, "b", where)
    at = _text(batch, record, "at", where, required=False)
    for key in ("old_rung", "new_rung"):
        if not _is_rung(record.get(key)):
            batch.error(where.at(key), *_bad_rung(record.get(key)))
            return
    if a is None or b is None or at is None:
        return
    source, session, declared_by = (str(record.get(k) or "") for k in ("source", "session", "declared_by"))
    batch.tie_events.append(TieEvent(a, b, record["old_rung"], record["new_rung"], at, source, session,
                                     declared_by))
