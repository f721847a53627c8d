"""What the declared-relationship-property check costs a write: a generated graph written into a
new SQLite store with the check (as shipped) and without it (the baseline), in the same run.

Run ``python -m benchmarks.bench_rel_props [--orgs 2000] [--runs 5]``; prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import graphsvc.model as model
from graphsvc.generate import generate
from graphsvc.model import Node, Relationship
from graphsvc.store import open_store

__all__ = ["main"]


@contextmanager
def _without_check() -> Iterator[None]:
    original = model.check_declared_rel
    model.check_declared_rel = lambda rel: None
    try:
        yield
    finally:
        model.check_declared_rel = original


def _write(nodes: list[Node], rels: list[Relationship], folder: Path, run: int) -> float:
    store = open_store(f"sqlite:///{folder / f'w{run}.db'}")
    try:
        started = time.perf_counter()
        with store.transaction(source="bench") as tx:
            tx.upsert_nodes(nodes)
            tx.upsert_relationships(rels)
        return time.perf_counter() - started
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    nodes, rels = generate(args.orgs)
    checked, baseline = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):  # interleaved, so load changes hit both alike
            checked.append(_write(nodes, rels, Path(tmp), 2 * run))
            with _without_check():
                baseline.append(_write(nodes, rels, Path(tmp), 2 * run + 1))
    ours, base = statistics.median(checked), statistics.median(baseline)
    print(f"{len(nodes):,} nodes, {len(rels):,} relationships, {args.runs} runs each")
    print(f"with the check:    median {ours:.3f} s")
    print(f"without (baseline): median {base:.3f} s")
    print(f"ratio: {ours / base:.3f}")


if __name__ == "__main__":
    main()
