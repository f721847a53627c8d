"""Benchmark of partner matching on generated graphs of 1k, 10k and 100k organisations.

Run ``python -m benchmarks.bench_matching [--quick] [--sizes 1000 10000] [--local]``.

For each size the graph is generated (``graphsvc.generate.generate`` when it exists, else the small
synthetic generator below, or always with ``--local``) and loaded straight into a
:class:`~graphsvc.snapshot.Snapshot` from a ``GraphData``, skipping the store. Then:

* **index build**: the one-off cost of the matching and fund indexes (once per snapshot);
* **fast p50 / p99**: one warm :func:`queries.matching.partner_matches` call (limit 10, reasons and
  evidence included) for each of a few hundred random actors, timed one by one;
* **loop p50 / p99**: the same result from a plain per-candidate Python loop
  (`tests/match_reference.py`, which scores every actor one pair at
  a time with the same rules, then builds evidence and reasons for the top 10), on fewer actors
  because it is slow; the ranking of every sampled actor is checked to agree with the fast one.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphData
from graphsvc.vocab import load_vocabulary
from queries.match_evidence import pair_evidence
from queries.match_funds import fund_index
from queries.match_index import build_matching_index, matching_index
from queries.match_reasons import match_reasons
from queries.match_scoring import DEFAULT_WEIGHTS
from queries.matching import fitting_funds, partner_matches, referral_partners
from tests.match_reference import reference_partner_scores

__all__ = ["synthetic_graph", "main"]

Generator = Callable[[int, int], tuple[list[Node], list[Relationship]]]


@dataclass(frozen=True)
class Row:
    orgs: int
    actors: int
    relationships: int
    hub_share: float
    snapshot_s: float
    index_s: float
    fast: list[float]
    loop: list[float]
    agree: int
    referral: list[float]
    funds: list[float]


# -- a small synthetic generator (used until graphsvc.generate exists) -----------------------------
def _zipf_pick(rng: random.Random, items: Sequence[str], k: int, skew: float = 1.0) -> list[str]:
    """k distinct items, the first ones far more likely: a few hub themes, a long tail."""
    weights = [1.0 / (i + 1) ** skew for i in range(len(items))]
    chosen: set[str] = set()
    while len(chosen) < min(k, len(items)):
        chosen.add(rng.choices(items, weights)[0])
    return sorted(chosen)


def synthetic_graph(orgs: int, seed: int = 1) -> tuple[list[Node], list[Relationship]]:
    """Organisations, institutions and funds in 8 districts of ~14 wijken, ~11 relationships each."""
    rng = random.Random(seed)
    vocab = load_vocabulary()
    themes = [t.id for t in vocab.interests]
    rng.shuffle(themes)
    caps = [t.id for t in vocab.capabilities]
    nodes = [Node(t.id, "Interest", {"name": t.nl, "name_en": t.en}) for t in vocab.interests]
    nodes += [Node(t.id, "Capability", {"name": t.nl, "name_en": t.en}) for t in vocab.capabilities]
    rels: list[Relationship] = []
    districts = [f"d{i}" for i in range(8)]
    wijken = {d: [f"{d}-w{j}" for j in range(14)] for d in districts}
    for d in districts:
        nodes.append(Node(d, "Neighbourhood", {"name": f"Stadsdeel {d}", "code": d.upper(), "level": "district"}))
        for w in wijken[d]:
            nodes.append(Node(w, "Neighbourhood", {"name": w, "code": w.upper(), "level": "wijk"}))
            rels.append(Relationship("PART_OF", w, d))
    communities = [f"community-{i}" for i in range(25)]
    nodes += [Node(c, "Community", {"name": c}) for c in communities]
    actors = [f"org-{i:06d}" for i in range(orgs)] + [f"inst-{i:05d}" for i in range(max(orgs // 50, 5))]
    home: dict[str, str] = {}
    for actor in actors:
        label = "Institution" if actor.startswith("inst") else "Organisation"
        nodes.append(Node(actor, label, {"name": actor.replace("-", " ").title()}))
        district = rng.choice(districts)
        home[actor] = district
        for area in rng.sample(wijken[district], rng.choice((1, 1, 2))) if rng.random() > 0.1 else [district]:
            rels.append(Relationship("ACTIVE_IN", actor, area))
        for theme in _zipf_pick(rng, themes, rng.randint(1, 4), 0.65):
            rels.append(Relationship("WORKS_ON", actor, theme, {"weight": rng.randint(1, 3)}))
        rels += [Relationship("OFFERS", actor, c) for c in _zipf_pick(rng, caps, rng.randint(1, 3), 0.5)]
        rels += [Relationship("NEEDS", actor, c) for c in _zipf_pick(rng, caps[::-1], rng.randint(0, 3), 0.5)]
        rels += [Relationship("SERVES", actor, c) for c in _zipf_pick(rng, communities, rng.randint(1, 2))]
    rels += _ties(rng, actors, home)
    rels += _funds(rng, actors[:orgs], themes, nodes)
    return nodes, rels


def _ties(rng: random.Random, actors: list[str], home: dict[str, str]) -> list[Relationship]:
    by_district: dict[str, list[str]] = {}
    for actor in actors:
        by_district.setdefault(home[actor], []).append(actor)
    pairs = set()
    for actor in actors:
        for _ in range(2):
            pool = by_district[home[actor]] if rng.random() < 0.8 else actors
            other = rng.choice(pool)
            if other != actor:
                pairs.add((min(actor, other), max(actor, other)))
    return [Relationship("TIE", a, b, {"rung": rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 15, 5])[0]})
            for a, b in sorted(pairs)]


def _funds(rng: random.Random, orgs: list[str], themes: list[str], nodes: list[Node]) -> list[Relationship]:
    funds = [f"fund-{i:04d}" for i in range(max(len(orgs) // 200, 5))]
    nodes += [Node(f, "Fund", {"name": f.title(), "fund_type": "private-fund"}) for f in funds]
    rels = [Relationship("PRIORITISES", f, t) for f in funds for t in rng.sample(themes, 3)]
    for i, org in enumerate(rng.sample(orgs, len(orgs) // 2)):
        rels.append(Relationship("FUNDS", rng.choice(funds), org,
                                 {"amount": rng.randint(1, 50) * 1000, "year": 2024}, f"g{i}"))
    return rels


def _generator(local: bool) -> tuple[str, Generator]:
    if not local:
        try:
            from graphsvc.generate import generate  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            pass
        else:
            return "graphsvc.generate", lambda n, seed: generate(n, seed=seed)  # type: ignore[no-any-return,unused-ignore]
    return "synthetic (benchmarks.bench_matching)", synthetic_graph


# -- measuring -------------------------------------------------------------------------------------
Clock = Callable[[], int]


def _ms(fn: Callable[[], object], repeat: int = 1, clock: Clock = time.perf_counter_ns) -> float:
    """Milliseconds of one call; with ``repeat`` > 1 the best of that many (filters out noise
    from other processes, as ``timeit`` does). ``clock`` is wall time, or CPU time on a busy
    machine: it leaves out the time other processes hold the CPU (queries are single-threaded)."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, (clock() - start) / 1e6)
    return best


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def loop_partner_matches(snapshot: Snapshot, actor: str, limit: int = 10) -> list[tuple[str, str, str]]:
    """The baseline: score every actor pair by pair, then explain the best ``limit``."""
    index = matching_index(snapshot)
    vocab = load_vocabulary()
    a = index.pos[actor]
    out = []
    for other, _, parts in reference_partner_scores(snapshot, actor, limit=limit):
        c = index.pos[other]
        evidence = pair_evidence(snapshot, index, a, c, snapshot.rung(actor, other), vocab)
        contributions = {p: DEFAULT_WEIGHTS.part_weight(p) * v for p, v in parts.items()}
        out.append((other, *match_reasons(evidence, contributions, vocab)))
    return out


def measure(
    orgs: int, generate: Generator, samples: int, loop_samples: int, seed: int = 1, repeat: int = 1,
    clock: Clock = time.perf_counter_ns, snapshot: Snapshot | None = None,
) -> Row:
    """The figures of one size; with ``snapshot`` (e.g. read from a store) nothing is generated."""
    snapshot_s = 0.0
    if snapshot is None:
        nodes, rels = generate(orgs, seed)
        start = clock()
        snapshot = Snapshot(GraphData(0, nodes, rels, []))
        snapshot_s = (clock() - start) / 1e9
        del nodes, rels
    start = clock()
    index = snapshot.derived("matching-index", build_matching_index)
    fund_index(snapshot)
    index_s = (clock() - start) / 1e9
    # The first full collection after loading a million objects takes ~0.1 s; a server pays it
    # once per snapshot, not per query, so it is not charged to the timed calls.
    gc.collect()
    rng = random.Random(seed)
    sample = rng.sample(list(index.ids), min(samples, index.size))
    for actor in sample[:20]:  # warm-up: first calls pay for imports, vocabulary and caches
        partner_matches(snapshot, actor)
        referral_partners(snapshot, actor)
        fitting_funds(snapshot, actor)
    fast = [_ms(partial(partner_matches, snapshot, actor), repeat, clock) for actor in sample]
    loop, agree = [], 0
    for actor in sample[:loop_samples]:
        loop.append(_ms(partial(loop_partner_matches, snapshot, actor), 1, clock))
        fast_ids = [m.id for m in partner_matches(snapshot, actor)]
        agree += fast_ids == [x[0] for x in loop_partner_matches(snapshot, actor)]
    hub = max(len(m[0]) for m in index.theme_members.values()) / index.size
    referral = [_ms(partial(referral_partners, snapshot, actor), repeat, clock) for actor in sample]
    funds = [_ms(partial(fitting_funds, snapshot, actor), repeat, clock) for actor in sample]
    return Row(orgs, index.size, snapshot.relationship_count, hub, snapshot_s, index_s, fast, loop, agree,
               referral, funds)


def print_table(rows: list[Row], source: str) -> None:
    print(f"\nPartner matching, generator: {source}; times per warm call, limit 10, reasons included\n")
    head = ("orgs", "actors", "rels", "hub", "snapshot", "index", "n", "fast p50", "fast p99",
            "n", "loop p50", "loop p99", "×p50", "×p99", "same")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        fp50, fp99 = statistics.median(r.fast), _percentile(r.fast, 99)
        lp50, lp99 = statistics.median(r.loop), _percentile(r.loop, 99)
        cells = (f"{r.orgs:,}", f"{r.actors:,}", f"{r.relationships:,}", f"{r.hub_share:.0%}",
                 f"{r.snapshot_s:.2f} s", f"{r.index_s:.2f} s", str(len(r.fast)),
                 f"{fp50:.2f} ms", f"{fp99:.2f} ms", str(len(r.loop)), f"{lp50:.1f} ms",
                 f"{lp99:.1f} ms", f"{lp50 / fp50:.0f}×", f"{lp99 / fp99:.0f}×",
                 f"{r.agree}/{len(r.loop)}")
        print("| " + " | ".join(cells) + " |")
    print("\n| orgs | referral_partners p50 | p99 | fitting_funds p50 | p99 |\n|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.orgs:,} | {statistics.median(r.referral):.2f} ms | {_percentile(r.referral, 99):.2f} ms"
              f" | {statistics.median(r.funds):.2f} ms | {_percentile(r.funds, 99):.2f} ms |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer samples")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of organisations")
    parser.add_argument("--samples", type=int, default=300, help="actors timed per size")
    parser.add_argument("--local", action="store_true", help="use the synthetic generator here")
    parser.add_argument("--cpu", action="store_true",
                        help="time with process CPU time instead of wall time (for a busy machine)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time each fast call this many times and keep the best (default 1)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    samples = 100 if args.quick else args.samples
    source, generate = _generator(args.local)
    clock = time.process_time_ns if args.cpu else time.perf_counter_ns
    source += "; CPU time" if args.cpu else "; wall time"
    rows = []
    for orgs in sizes:
        # The loop baseline costs ~N per call: fewer samples on large graphs keep the run short.
        loop_samples = max(20, min(samples, 500_000 // orgs))
        rows.append(measure(orgs, generate, samples, loop_samples, repeat=args.repeat, clock=clock))
        print(f"measured {orgs:,} organisations", flush=True)
    print_table(rows, source + (f"; best of {args.repeat} per actor" if args.repeat > 1 else ""))


if __name__ == "__main__":
    main()
