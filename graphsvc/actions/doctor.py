"""Find and remove node properties no label declares (stored before the declarations held).

:func:`undeclared_properties` lists them; :func:`remove_undeclared` removes them in one normal
store transaction, so the removal is in the history like any other change; with ``purge_log`` the
removed values are also cut from the change log, so they are gone for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.model import ChangeEvent, Node
from graphsvc.node_props import is_declared, undeclared_keys
from graphsvc.store.base import GraphStore, Rewrite

__all__ = ["Finding", "undeclared_properties", "remove_undeclared", "describe_findings"]


@dataclass(frozen=True)
class Finding:
    """One node holding properties its label does not declare."""

    node_id: str
    label: str
    keys: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.node_id, "label": self.label, "keys": list(self.keys)}


def undeclared_properties(nodes: Iterable[Node]) -> list[Finding]:
    """Every node with undeclared properties, and which.

    Examples
    --------
    >>> undeclared_properties([Node("o1", "Organisation", {"name": "A", "fraud_flag": 1}),
    ...                        Node("o2", "Organisation", {"name": "B"})])
    [Finding(node_id='o1', label='Organisation', keys=('fraud_flag',))]
    """
    found = []
    for node in nodes:
        keys = undeclared_keys(node.label, node.props)
        if keys:
            found.append(Finding(node.id, node.label, tuple(keys)))
    return found


def describe_findings(findings: list[Finding]) -> str:
    """One line naming the undeclared keys and how many nodes hold them (for a log).

    Examples
    --------
    >>> describe_findings([Finding("o1", "Organisation", ("fraud_flag", "x")),
    ...                    Finding("o2", "Organisation", ("x",))])
    'Organisation.fraud_flag (1 node), Organisation.x (2 nodes)'
    """
    counts: dict[str, int] = {}
    for f in findings:
        for key in f.keys:
            counts[f"{f.label}.{key}"] = counts.get(f"{f.label}.{key}", 0) + 1
    return ", ".join(f"{k} ({n} node{'s' if n != 1 else ''})" for k, n in sorted(counts.items()))


def _declared_only(label: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if is_declared(label, k)}


def _purge(keys: set[str]) -> Rewrite:
    def rewrite(change: ChangeEvent) -> tuple[dict[str, Any], dict[str, Any]] | None:
        old, new = _declared_only(change.label, change.old), _declared_only(change.label, change.new)
        if len(old) == len(change.old) and len(new) == len(change.new):
            return None
        return old, new

    return rewrite


def _logged_keys(store: GraphStore, page: int = 1000) -> set[str]:
    """The undeclared keys that node changes in the log hold (old or new values)."""
    keys: set[str] = set()
    before: int | None = None
    while batch := store.changes(before_seq=before, limit=page):
        for change in batch:
            if change.is_node:
                keys.update(undeclared_keys(change.label, {**change.old, **change.new}))
        before = batch[-1].seq
    return keys


def remove_undeclared(store: GraphStore, *, purge_log: bool = False,
                      source: str = "doctor") -> list[Finding]:
    """Remove every undeclared node property in one transaction; returns what was removed.

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
    findings = undeclared_properties(store.iter_nodes())
    keys = {k for f in findings for k in f.keys} | (_logged_keys(store) if purge_log else set())
    if not keys:
        return []
    with store.transaction(source=source) as tx:
        for finding in findings:
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
