"""Find and remove properties no label or relationship type declares (stored before the
declarations held; the stores refuse them now, so such a node or relationship cannot be written
again until they are gone).

:func:`undeclared_properties` lists them; :func:`remove_undeclared` removes them in one normal
store transaction, so the removal is in the history like any other change; with ``purge_log`` the
removed values are also cut from the change log, so they are gone for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import NotFound
from graphsvc.model import ChangeEvent, Node, Relationship
from graphsvc.node_props import (
    declared_rel_properties,
    is_declared,
    undeclared_keys,
    undeclared_rel_keys,
)
from graphsvc.store.base import GraphStore, Rewrite, Transaction

__all__ = ["Finding", "undeclared_properties", "remove_undeclared", "describe_findings"]


@dataclass(frozen=True)
class Finding:
    """One node (or relationship: ``end`` set, ``node_id`` its start and ``label`` its type)
    holding properties its label or type does not declare."""

    node_id: str
    label: str
    keys: tuple[str, ...]
    end: str = ""
    rel_key: str = ""

    @property
    def is_relationship(self) -> bool:
        return bool(self.end)

    def where(self) -> str:
        """``Organisation o1``, or ``TIE a → b``."""
        if self.is_relationship:
            return f"{self.label} {self.node_id} → {self.end}" + (f" ({self.rel_key})" if self.rel_key else "")
        return f"{self.label} {self.node_id}"

    def as_dict(self) -> dict[str, Any]:
        if self.is_relationship:
            return {"type": self.label, "start": self.node_id, "end": self.end, "key": self.rel_key,
                    "keys": list(self.keys)}
        return {"id": self.node_id, "label": self.label, "keys": list(self.keys)}


def undeclared_properties(nodes: Iterable[Node], rels: Iterable[Relationship] = ()) -> list[Finding]:
    """Every node and relationship with undeclared properties, and which.

    Examples
    --------
    >>> undeclared_properties([Node("o1", "Organisation", {"name": "A", "fraud_flag": 1}),
    ...                        Node("o2", "Organisation", {"name": "B"})])
    [Finding(node_id='o1', label='Organisation', keys=('fraud_flag',), end='', rel_key='')]
    >>> [f.where() for f in undeclared_properties([], [Relationship("TIE", "a", "b", {"rung": 2, "x": 1})])]
    ['TIE a → b']
    """
    found = []
    for node in nodes:
        keys = undeclared_keys(node.label, node.props)
        if keys:
            found.append(Finding(node.id, node.label, tuple(keys)))
    for rel in rels:
        keys = undeclared_rel_keys(rel.type, rel.props)
        if keys:
            found.append(Finding(rel.start, rel.type, tuple(keys), rel.end, rel.key))
    return found


def describe_findings(findings: list[Finding]) -> str:
    """One line naming the undeclared keys and how many nodes hold them (for a log).

    Examples
    --------
    >>> describe_findings([Finding("o1", "Organisation", ("fraud_flag", "x")),
    ...                    Finding("o2", "Organisation", ("x",))])
    'Organisation.fraud_flag (1 node), Organisation.x (2 nodes)'
    """
    def noun(f: Finding, n: int) -> str:
        return ("relationship" if f.is_relationship else "node") + ("s" if n != 1 else "")

    kinds = {f"{f.label}.{key}": f for f in findings for key in f.keys}
    counts: dict[str, int] = {}
    for f in findings:
        for key in f.keys:
            counts[f"{f.label}.{key}"] = counts.get(f"{f.label}.{key}", 0) + 1
    return ", ".join(f"{k} ({n} {noun(kinds[k], n)})" for k, n in sorted(counts.items()))


def _declared_only(label: str, values: Mapping[str, Any], *, node: bool = True) -> dict[str, Any]:
    if node:
        return {k: v for k, v in values.items() if is_declared(label, k)}
    declared = declared_rel_properties(label)
    return {k: v for k, v in values.items() if k in declared}


def _purge(keys: set[str]) -> Rewrite:
    def rewrite(change: ChangeEvent) -> tuple[dict[str, Any], dict[str, Any]] | None:
        old = _declared_only(change.label, change.old, node=change.is_node)
        new = _declared_only(change.label, change.new, node=change.is_node)
        if len(old) == len(change.old) and len(new) == len(change.new):
            return None
        return old, new

    return rewrite


def _logged_keys(store: GraphStore, page: int = 1000) -> set[str]:
    """The undeclared keys that changes in the log hold (old or new values)."""
    keys: set[str] = set()
    before: int | None = None
    while batch := store.changes(before_seq=before, limit=page):
        for change in batch:
            values = {**change.old, **change.new}
            keys.update(undeclared_keys(change.label, values) if change.is_node
                        else undeclared_rel_keys(change.label, values))
        before = batch[-1].seq
    return keys


def remove_undeclared(store: GraphStore, *, purge_log: bool = False,
                      source: str = "doctor") -> list[Finding]:
    """Remove every undeclared node and relationship property in one transaction; returns what
    was removed.

    With ``purge_log`` the values are also removed from every change-log entry that holds them.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "A"}))
    >>> undeclared_properties(store.iter_nodes())
    []
    """
    findings = undeclared_properties(store.iter_nodes(), store.iter_relationships())
    keys = {k for f in findings for k in f.keys} | (_logged_keys(store) if purge_log else set())
    if not keys:
        return []
    with store.transaction(source=source) as tx:
        for finding in findings:
            if finding.is_relationship:
                _strip_relationship(store, tx, finding)
                continue
            node = tx.get_node(finding.node_id)  # re-read inside the transaction: no lost update
            if node is None:
                continue
            kept = _declared_only(node.label, node.props)
            tx.upsert_node(Node(node.id, node.label, kept), expected_version=node.version)
        if purge_log:
            rewrite = _purge(keys)
            for key in sorted(keys):
                tx.rewrite_changes(key, rewrite)
    return findings


def _strip_relationship(store: GraphStore, tx: Transaction, finding: Finding) -> None:
    try:
        rel = store.get_relationship(finding.label, finding.node_id, finding.end, finding.rel_key)
    except NotFound:  # gone meanwhile
        return
    kept = _declared_only(rel.type, rel.props, node=False)
    # the version guards against a change between the read and this write: no lost update
    tx.upsert_relationship(Relationship(rel.type, rel.start, rel.end, kept, rel.key),
                           expected_version=rel.version)
