"""Synthetic graphs of any size shaped like the demo, for load tests, benchmarks and exports.

For ``N`` organisations the generator plans about ``N/4`` institutions, ``N/10`` funds (at least
12), the vocabulary's interests, areas from districts down to buurten (invented ones, with codes
in the official pattern, once West and Nieuw-West run out), and about ten relationships per
organisation. Organisations fall into planted clusters (a wijk plus a few themes) so community
detection has structure to find; theme popularity is skewed and about 5% are islands.

The same ``orgs`` and ``seed`` always give the same records. Records stream, so 100k
organisations can be written to a store or a dump file without holding the graph in memory.
Run ``python -m graphsvc.generate 100000 --json graph.json`` to time it.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from graphsvc.demo import common
from graphsvc.demo.synthetic import SyntheticGraph
from graphsvc.dump_format import DUMP_FORMAT, DUMP_VERSION, Encoded, write_dump_sections
from graphsvc.dump_format import encode_record as _ENCODE
from graphsvc.errors import InvalidInput
from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.store.base import GraphData, GraphStore
from graphsvc.vocab import load_vocabulary

__all__ = [
    "DUMP_FORMAT",
    "DUMP_VERSION",
    "iter_generated",
    "generate",
    "graph_data",
    "write_generated",
    "write_json",
    "write_dump",
]

#: ``progress(stage, done, total)``: ``total`` 0 when it is not known in advance.
Progress = Callable[[str, int, int], None]



def iter_generated(orgs: int, *, seed: int = 1) -> Iterator[Node | Relationship]:
    """Stream a synthetic graph: every node first, then relationships in write order.

    A tie that climbed appears once per rung it passed, like in :func:`graphsvc.demo.dataset.demo_records`.

    Examples
    --------
    >>> records = list(iter_generated(50, seed=7))
    >>> isinstance(records[0], Node), isinstance(records[-1], Relationship)
    (True, True)
    """
    _valid_orgs(orgs)
    return _records(SyntheticGraph(orgs, seed, load_vocabulary()))


def _valid_orgs(orgs: object) -> None:
    if isinstance(orgs, bool) or not isinstance(orgs, int) or orgs < 1:
        raise InvalidInput(f"The number of organisations must be a whole number of at least 1, not {orgs!r}.")


def node_count(graph: SyntheticGraph) -> int:
    """How many nodes :meth:`SyntheticGraph.nodes` yields (known from the plan, for progress bars)."""
    fixed = len(common.vocabulary_records(graph.vocab)[0]) + len(list(common.community_nodes()))
    return (fixed + len(graph.districts) + len(graph.wijken) + len(graph.buurten) + graph.n_funds
            + len(graph.institutions) + graph.orgs + 2 * len(graph.sessions))


def _records(graph: SyntheticGraph) -> Iterator[Node | Relationship]:
    yield from graph.nodes()
    yield from graph.relationships()


def generate(orgs: int, *, seed: int = 1) -> tuple[list[Node], list[Relationship]]:
    """A synthetic graph in its final state: ``(nodes, relationships)``, one record per relationship.

    Ties stand at the rung they climbed to, so the lists can go straight into a
    :class:`~graphsvc.store.base.GraphData` and a snapshot. The climbs themselves are in
    :func:`iter_generated` (and in what :func:`write_generated` and :func:`write_json` write).

    Examples
    --------
    >>> nodes, rels = generate(200, seed=3)
    >>> sum(n.label == "Organisation" for n in nodes), sum(n.label == "Institution" for n in nodes)
    (200, 50)
    >>> len({r.ident for r in rels}) == len(rels), generate(200, seed=3) == (nodes, rels)
    (True, True)
    """
    # Millions of long-lived records make the cyclic garbage collector rescan them again and
    # again (over half the run time at 100k organisations); they hold no cycles, so pause it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = graph_data(iter_generated(orgs, seed=seed))
    finally:
        if was_enabled:
            gc.enable()
    return data.nodes, data.relationships


def graph_data(records: Iterable[Node | Relationship], *, revision: int = 0) -> GraphData:
    """Records in write order (as :func:`iter_generated` or ``demo_records`` give them) as GraphData.

    Later records of one relationship replace earlier ones; every rung change of a ``TIE`` becomes a
    :class:`~graphsvc.model.TieEvent`, exactly as a store would record it. Use it to build a
    snapshot without a store.

    Examples
    --------
    >>> from graphsvc.snapshot import Snapshot
    >>> from graphsvc.demo.dataset import demo_records
    >>> nodes, rels = demo_records()
    >>> snap = Snapshot(graph_data([*nodes, *rels]))
    >>> len(snap.tie_events) > snap.relationship_count // 10
    True
    """
    nodes: list[Node] = []
    final: dict[tuple[str, str, str, str], Relationship] = {}
    events: list[TieEvent] = []
    for record in records:
        if isinstance(record, Node):
            nodes.append(record)
            continue
        if record.type == "TIE":
            before = final.get(record.ident)
            event = _tie_event(record, int(before.props.get("rung", 0)) if before else 0, len(events) + 1)
            if event is not None:
                events.append(event)
        final[record.ident] = record
    return GraphData(revision, nodes, list(final.values()), events)


def _tie_event(rel: Relationship, old_rung: int, seq: int) -> TieEvent | None:
    """The history event a store records for this TIE write; None when the rung holds."""
    new_rung = int(rel.props.get("rung", 0))
    if new_rung == old_rung:
        return None
    p = rel.props
    return TieEvent(rel.start, rel.end, old_rung, new_rung, str(p.get("changed_at") or ""),
                    str(p.get("source") or ""), str(p.get("session") or ""),
                    str(p.get("declared_by") or ""), seq)


def write_generated(store: GraphStore, orgs: int, *, seed: int = 1, batch: int = 20_000,
                    progress: Progress | None = None) -> int:
    """Write a synthetic graph to ``store`` in transactions of ``batch`` records; return changes.

    Each batch is all-or-nothing; a failure leaves the earlier batches written. Writing the
    same graph again changes nothing. Records stream from the generator: memory stays flat at
    any size (the one thing kept is the set of stored ties, when the store was not empty).
    Runs of nodes and of relationships go to the store's batch methods (``upsert_nodes``,
    ``upsert_relationships``). ``progress(stage, done, total)`` is called per batch with
    ``stage`` ``"nodes"`` (``total`` known) or ``"relationships"`` (``total`` 0: not known).

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> write_generated(store, 30) > 0, write_generated(store, 30)
    (True, 0)
    """
    if batch < 1:
        raise InvalidInput(f"The batch size must be at least 1, not {batch!r}.")
    _valid_orgs(orgs)
    graph = SyntheticGraph(orgs, seed, load_vocabulary())
    total_nodes = node_count(graph)
    changed = nodes = rels = 0
    existing = set() if store.is_empty() else {(r.start, r.end) for r in store.iter_relationships("TIE")}
    records = _skip_replayed_climbs(_records(graph), existing)
    while chunk := list(islice(records, batch)):
        with store.transaction(source=f"generate:{orgs}:{seed}") as tx:
            for is_node, run in itertools.groupby(chunk, key=lambda r: isinstance(r, Node)):
                if is_node:
                    changed += tx.upsert_nodes(r for r in run if isinstance(r, Node))
                else:
                    changed += tx.upsert_relationships(r for r in run if isinstance(r, Relationship))
        chunk_nodes = sum(isinstance(r, Node) for r in chunk)
        nodes, rels = nodes + chunk_nodes, rels + len(chunk) - chunk_nodes
        if progress is not None:
            if chunk_nodes:
                progress("nodes", nodes, total_nodes)
            if rels:
                progress("relationships", rels, 0)
    return changed


def _skip_replayed_climbs(
    records: Iterator[Node | Relationship], existing: set[tuple[str, str]]
) -> Iterator[Node | Relationship]:
    """Drop all but the last step of each climb whose tie is already stored.

    Replaying a climb over an existing tie would record a fall and a new climb in its history.
    The generator emits the steps of one tie back to back, so one record of look-ahead suffices.
    """
    previous: Node | Relationship | None = None
    for record in records:
        if previous is not None and not (
            isinstance(previous, Relationship) and isinstance(record, Relationship)
            and previous.type == record.type == "TIE"
            and (previous.start, previous.end) == (record.start, record.end)
            and (previous.start, previous.end) in existing
        ):
            yield previous
        previous = record
    if previous is not None:
        yield previous


def write_json(path: str | Path, orgs: int, *, seed: int = 1,
               progress: Progress | None = None) -> dict[str, int]:
    """Write a synthetic graph as a full-dump JSON file; return the counts written.

    Streams: memory stays flat at any size (see :func:`write_dump`).

    Examples
    --------
    >>> import json, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "g.json"
    >>> counts = write_json(path, 40)
    >>> dump = json.loads(path.read_text(encoding="utf-8"))
    >>> dump["format"], dump["version"], len(dump["nodes"]) == counts["nodes"]
    ('goudkaart-dump', 1, True)
    """
    return write_dump(path, iter_generated(orgs, seed=seed), progress=progress)


class _TieSpool:
    """The last state of every tie and the history events, kept on disk until they are written.

    A dump lists each tie once (its last state, where the pair first appeared) and its history
    after all relationships; at a million organisations that is over a million ties, so they
    wait in a private temporary SQLite file (deleted when closed), not in memory. The steps of
    one climb come back to back, so the current pair stays in memory and the file is asked
    once per pair.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "": a private temporary file, deleted on close
        self.db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;
            CREATE TABLE ties (a TEXT, b TEXT, seq INTEGER, rung INTEGER, row TEXT, PRIMARY KEY (a, b))
                WITHOUT ROWID;
            CREATE TABLE events (seq INTEGER PRIMARY KEY, row TEXT);
        """)
        self.pairs = 0
        self.events = 0
        self._pair: tuple[str, str] | None = None  # the pair of the climb being read
        self._seq = 0
        self._rung = 0
        self._row = ""

    def add(self, rel: Relationship) -> None:
        pair = (rel.start, rel.end)
        if pair != self._pair:
            self._flush()
            found = self.db.execute("SELECT seq, rung FROM ties WHERE a = ? AND b = ?", pair).fetchone()
            if found is None:
                self.pairs += 1
                found = (self.pairs, 0)
            self._pair, (self._seq, self._rung) = pair, found
        event = _tie_event(rel, self._rung, self.events + 1)
        if event is not None:
            self.events += 1
            self.db.execute("INSERT INTO events VALUES (?, ?)", (self.events, _ENCODE(event.as_dict())))
        self._rung = int(rel.props.get("rung", 0))
        self._row = _ENCODE({"type": rel.type, "start": rel.start, "end": rel.end, "key": rel.key,
                             "props": dict(rel.props)})

    def _flush(self) -> None:
        if self._pair is not None:
            self.db.execute("INSERT INTO ties VALUES (?, ?, ?, ?, ?) ON CONFLICT (a, b) DO UPDATE "
                            "SET rung = excluded.rung, row = excluded.row",
                            (*self._pair, self._seq, self._rung, self._row))
            self._pair = None

    def ties(self) -> Iterator[Encoded]:
        self._flush()
        for (row,) in self.db.execute("SELECT row FROM ties ORDER BY seq"):
            yield Encoded(row)

    def tie_events(self) -> Iterator[Encoded]:
        for (row,) in self.db.execute("SELECT row FROM events ORDER BY seq"):
            yield Encoded(row)

    def close(self) -> None:
        self.db.close()


def write_dump(path: str | Path, records: Iterable[Node | Relationship],
               progress: Progress | None = None) -> dict[str, int]:
    """Write records (nodes first, then relationships in write order) in the full-dump format.

    ``{"format": "goudkaart-dump", "version": 1, "nodes": [{"id", "label", "props"}…],
    "relationships": [{"type", "start", "end", "key", "props"}…], "tie_events": [{"a", "b",
    "old_rung", "new_rung", "at", "source", "session", "declared_by"}…]}``. Repeated ``TIE``
    records of one pair become one relationship (its last state) and one event per rung change,
    as a store would record them. The file has one record per line. Records stream through:
    ties and events wait in a temporary file (:class:`_TieSpool`), so memory stays flat.
    ``progress(section, written, 0)`` is called every 10,000 records.

    Examples
    --------
    >>> import json, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.json"
    >>> a, b = Node("o1", "Organisation", {"name": "A"}), Node("o2", "Organisation", {"name": "B"})
    >>> ties = [Relationship("TIE", "o1", "o2", {"rung": r, "changed_at": f"2024-0{r}-01"}) for r in (1, 3)]
    >>> write_dump(path, [a, b, *ties])
    {'nodes': 2, 'relationships': 1, 'tie_events': 2}
    >>> [(e["old_rung"], e["new_rung"]) for e in json.loads(path.read_text("utf-8"))["tie_events"]]
    [(0, 1), (1, 3)]
    """
    it = iter(records)
    first_rel: list[Relationship] = []
    spool = _TieSpool()

    def nodes() -> Iterator[dict[str, Any]]:
        for record in it:
            if not isinstance(record, Node):
                first_rel.append(record)
                return
            yield {"id": record.id, "label": record.label, "props": dict(record.props)}

    def relationships() -> Iterator[dict[str, Any] | Encoded]:
        for record in itertools.chain(first_rel, it):
            if isinstance(record, Node):
                raise InvalidInput(f"Node {record.id!r} comes after relationships; put nodes first.")
            if record.type == "TIE":
                spool.add(record)
                continue
            yield {"type": record.type, "start": record.start, "end": record.end,
                   "key": record.key, "props": dict(record.props)}
        yield from spool.ties()

    # sections are written in order, so each generator runs only after the one before it
    try:
        return write_dump_sections(path, {"nodes": nodes(), "relationships": relationships(),
                                          "tie_events": spool.tie_events()}, progress)
    finally:
        spool.close()


def main(argv: list[str] | None = None) -> int:
    """Time the generator: ``python -m graphsvc.generate ORGS [--seed S] [--json PATH]``."""
    parser = argparse.ArgumentParser(prog="python -m graphsvc.generate", description=main.__doc__)
    parser.add_argument("orgs", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write a full-dump JSON file here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    nodes = rels = 0
    for record in iter_generated(args.orgs, seed=args.seed):
        if isinstance(record, Node):
            nodes += 1
        else:
            rels += 1
    print(f"generated {nodes:,} nodes, {rels:,} relationship records in "
          f"{time.perf_counter() - started:.1f} s")
    if args.json:
        started = time.perf_counter()
        counts = write_json(args.json, args.orgs, seed=args.seed)
        print(f"wrote {args.json} {counts} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
