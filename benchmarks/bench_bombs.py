"""Peak memory and time of refusing each malicious file: ``python -m benchmarks.bench_bombs``.

Every bomb of tests/importers/test_bombs.py (plus the full-size ones the issue reported: a
400 MB cell, 1 GB of blank lines) is built first, then imported by a fresh child process into
an empty SQLite store; the child reports its peak RSS (``ru_maxrss``) and how long the refusal
took. The baseline row is a child that only loads the importers. Goal: every refusal within
seconds and at most 300 MB.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tests.importers import bombs
from tests.importers.test_bombs import BOMBS

GOAL_MB = 300
EXTRA = {
    "xlsx with a 400 MB cell (as reported)": (lambda f: bombs.giant_cell_xlsx(f, 400), BOMBS[
        "xlsx with a 100 MB cell"][2]),
    "zip of 1 GB of blank lines (as reported)": (lambda f: bombs.blank_lines_zip(f, 1024),
                                                 BOMBS["zip of 300 MB of blank lines"][2]),
}


def _child(conn: Connection, path: str, limits: Any, folder: str) -> None:
    from graphsvc.errors import ImportFailed
    from graphsvc.store import open_store
    from importers.files import import_file

    started = time.perf_counter()
    outcome = "baseline"
    if path:
        store = open_store(f"sqlite:///{folder}/bench.db")
        try:
            import_file(store, path, limits=limits)
            outcome = "ACCEPTED"
        except ImportFailed as exc:
            outcome = exc.message.split(" / ")[0][:70]
        finally:
            store.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send((time.perf_counter() - started, peak_kb / 1024, outcome))
    conn.close()


def measure(path: Path | None, limits: Any, folder: Path) -> tuple[float, float, str]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, str(path or ""), limits, str(folder)))
    child.start()
    send.close()
    result: tuple[float, float, str] = receive.recv()
    child.join()
    return result


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory(prefix="goudkaart-bombs-") as tmp:
        folder = Path(tmp)
        seconds, peak, _ = measure(None, None, folder)
        rows.append(("baseline: importers loaded", 0, seconds, peak, "-"))
        cases = {name: (build, limits) for name, (build, _message, limits) in BOMBS.items()}
        cases.update(EXTRA)
        for i, (name, (build, limits)) in enumerate(cases.items()):
            sub = folder / f"case{i}"
            sub.mkdir()
            path = build(sub)
            seconds, peak, outcome = measure(path, limits, sub)
            rows.append((name, path.stat().st_size, seconds, peak, outcome))
    print(f"{'file':44} {'on disk':>10} {'seconds':>8} {'peak MB':>8}  goal  answer")
    failed = False
    for name, size, seconds, peak, outcome in rows:
        ok = peak <= GOAL_MB and seconds < 10 and outcome != "ACCEPTED"
        failed |= not ok and name != rows[0][0]
        verdict = "PASS" if ok else "FAIL"
        print(f"{name:44} {size:>10,} {seconds:>8.2f} {peak:>8.0f}  {verdict}  {outcome}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
