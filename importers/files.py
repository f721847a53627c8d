"""Import any supported file: recognise its format, read it, check it, write it all-or-nothing.

Formats: ``tabular`` (the Goudkaart CSV/XLSX templates), ``hsds`` (Open Referral JSON or CSV
data package), ``360giving`` (JSON package or titled CSV/XLSX), ``graphml``, ``gexf``, ``kumu``
(a Kumu blueprint, as Goudkaart exports it) and ``dump`` (the full JSON dump). A ``.zip`` holding a data package or CSV sheets is unpacked
first, within the same size limit.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from graphsvc.errors import ImportFailed
from graphsvc.snapshot_build import paused_gc
from graphsvc.store.base import GraphStore
from graphsvc.vocab import Vocabulary
from importers.batch import ImportBatch, Progress, Where
from importers.graph_mapping import GraphMapping
from importers.hsds_read import package_path
from importers.limits import CLI_LIMITS, Limits
from importers.preflight import check_before_reading
from importers.report import ImportReport
from importers.run import run_import
from importers.tables import Table, decode_text, is_xlsx, read_xlsx_tables
from importers.threesixtygiving_titles import is_titled

__all__ = ["FORMATS", "detect_format", "read_file", "import_file"]

FORMATS: Final = ("tabular", "hsds", "360giving", "graphml", "gexf", "kumu", "dump")
_ALIASES: Final = {"csv": "tabular", "xlsx": "tabular", "json": "dump", "360": "360giving",
                   "openreferral": "hsds"}


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def _titled_csv(path: Path) -> bool:
    from importers.report import Problems

    text = decode_text(_head(path, 8192), Problems(path.name))
    if text is None:
        return False
    first = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first.count)
    return is_titled(Table(path.stem, [h.strip().strip('"') for h in first.split(sep)]))


def _json_format(path: Path) -> str:
    head = _head(path).decode("utf-8", "replace")
    compact = head.replace(" ", "")
    if '"format":"goudkaart-dump"' in compact:
        return "dump"
    if '"grants"' in head:
        return "360giving"
    if re.match(r'^\s*\{\s*"elements"\s*:', head) or ('"elements"' in head and '"connections"' in head):
        return "kumu"  # a Kumu blueprint (HSDS has no "elements")
    return "hsds"


def detect_format(path: Path) -> str:
    """The format of a file or folder, from its name and first bytes.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "grants.json"
    >>> grant = {"id": "360G-demo-1", "title": "Buurtkamer", "description": "Een jaar huur",
    ...          "currency": "EUR", "amountAwarded": 9500, "awardDate": "2024-03-01",
    ...          "recipientOrganization": [{"id": "NL-KVK-12345678", "name": "Stichting Buurtkamer"}],
    ...          "fundingOrganization": [{"id": "NL-KVK-87654321", "name": "Fonds West"}]}
    >>> _ = path.write_text(json.dumps({"grants": [grant]}))
    >>> detect_format(path)
    '360giving'
    """
    if path.is_dir():
        if package_path(path):
            return "hsds"
        csvs = sorted(path.glob("*.csv"))
        return "360giving" if csvs and all(_titled_csv(p) for p in csvs) else "tabular"
    if path.name == "datapackage.json":
        return "hsds"
    head = _head(path).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        return _xlsx_format(path) if is_xlsx(path) else "zip"
    if head.startswith(b"<"):
        return "gexf" if b"<gexf" in _head(path, 8192) else "graphml"
    if head[:1] in (b"{", b"[") or path.suffix.lower() == ".json":
        return _json_format(path)
    return "360giving" if _titled_csv(path) else "tabular"


def _xlsx_format(path: Path) -> str:
    from importers.report import Problems

    try:
        tables = read_xlsx_tables(path, path.name, Problems(path.name), Limits(max_rows=10**9))
    except ImportFailed:
        return "tabular"  # the tabular reader gives the clear error
    return "360giving" if any(is_titled(t) for t in tables) else "tabular"


@contextmanager
def _unzipped(path: Path, limits: Limits) -> Iterator[Path]:
    """Unpack a zip into a temporary folder, refusing unsafe names and oversize content."""
    folder = Path(tempfile.mkdtemp(prefix="goudkaart-zip-"))
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > limits.max_bytes or len(members) > 500:
                raise ImportFailed(f"{path.name}: the zip unpacks to more than the limit. / "
                                   f"{path.name}: de zip pakt uit tot meer dan de grens.")
            for member in members:
                name = Path(member.filename).name
                if name and not name.startswith("."):
                    with archive.open(member) as src, open(folder / name, "wb") as dst:
                        shutil.copyfileobj(src, dst)
        yield folder
    except zipfile.BadZipFile:
        raise ImportFailed(f"{path.name} is not a readable zip file. / "
                           f"{path.name} is geen leesbaar zip-bestand.") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_file(path: str | Path, *, format: str | None = None, name: str = "",
              limits: Limits = CLI_LIMITS, vocab: Vocabulary | None = None,
              mapping: GraphMapping | None = None) -> ImportBatch:
    """Read a file of any supported format into an import batch (nothing is written).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "organization.json"
    >>> _ = path.write_text(json.dumps({"id": "5d9a2b1c-0000-4000-8000-000000000001",
    ...                                 "name": "Buurtvereniging De Brug", "description": "Buurthuis"}))
    >>> read_file(path).format
    'hsds'
    """
    source = Path(path)
    file = name or source.name
    if not source.exists():
        raise ImportFailed(f"There is no file {source}. / Het bestand {source} bestaat niet.")
    limits.check_size(source, file)
    if source.is_file() and source.stat().st_size == 0:
        batch = ImportBatch(file, format or "unknown")
        batch.error(Where("", 1), "Het bestand is leeg.", "The file is empty.")
        return batch
    if source.is_file() and is_xlsx(source):  # before detection, which opens the workbook
        check_before_reading(source, "xlsx", file, limits)
    chosen = _ALIASES.get(format or "", format or "") or detect_format(source)
    if chosen == "zip":
        check_before_reading(source, "zip", file, limits)
        with _unzipped(source, limits) as folder:
            return read_file(folder, name=file, limits=limits, vocab=vocab)
    if not (source.is_file() and is_xlsx(source)):
        check_before_reading(source, chosen, file, limits)
    try:
        return _reader(chosen, source, file, limits, vocab, mapping)
    except RecursionError:
        raise ImportFailed(f"{file} is nested too deeply to read. / {file} is te diep genest om te "
                           "lezen.") from None


def _reader(chosen: str, source: Path, file: str, limits: Limits, vocab: Vocabulary | None,
            mapping: GraphMapping | None = None) -> ImportBatch:
    if chosen == "dump":
        from importers.dump import read_dump

        return read_dump(source, name=file, limits=limits)
    if chosen == "graphml":
        from importers.graphml import read_graphml

        return read_graphml(source, name=file, limits=limits, mapping=mapping)
    if chosen == "gexf":
        from importers.gexf import read_gexf

        return read_gexf(source, name=file, limits=limits, mapping=mapping)
    if chosen == "kumu":
        from importers.kumu import read_kumu

        return read_kumu(source, name=file, limits=limits, mapping=mapping)
    if chosen == "hsds":
        from importers.hsds import read_hsds

        return read_hsds(source, name=file, limits=limits, vocab=vocab)
    if chosen == "360giving":
        from importers.threesixtygiving import read_360giving

        return read_360giving(source, name=file, limits=limits, vocab=vocab)
    if chosen == "tabular":
        from importers.tabular import read_tabular

        return read_tabular(source, name=file, limits=limits, vocab=vocab)
    raise ImportFailed(f"Unknown import format {chosen!r}; choose one of {', '.join(FORMATS)}. / "
                       f"Onbekend formaat {chosen!r}; kies uit {', '.join(FORMATS)}.")


def _is_dump(source: Path, format: str | None) -> bool:
    """Whether ``source`` is a dump file (chosen, or recognised by its first bytes)."""
    if not source.is_file() or source.stat().st_size == 0 or is_xlsx(source):
        return False
    return (_ALIASES.get(format or "", format or "") or detect_format(source)) == "dump"


def import_file(store: GraphStore, path: str | Path, *, format: str | None = None,
                dry_run: bool = False, name: str = "", limits: Limits = CLI_LIMITS,
                vocab: Vocabulary | None = None, progress: Progress | None = None,
                per_transaction: int | None = None, mapping: GraphMapping | None = None) -> ImportReport:
    """Read, check and write one file; every error is collected and then nothing is written.

    Raises :class:`importers.report.ImportRejected` (an ``ImportFailed``) listing every row
    error, or ``ImportFailed`` for a file that cannot be read at all. ``per_transaction``
    writes in transactions of that many records (see :func:`importers.plan_write.write_plan`);
    ``mapping`` types the nodes and edges of a graph file from another tool.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "grants.json"
    >>> grant = {"id": "360G-demo-1", "title": "Buurtkamer", "description": "Een jaar huur",
    ...          "currency": "EUR", "amountAwarded": 9500, "awardDate": "2024-03-01",
    ...          "recipientOrganization": [{"id": "NL-KVK-12345678", "name": "Stichting Buurtkamer"}],
    ...          "fundingOrganization": [{"id": "NL-KVK-87654321", "name": "Fonds West"}]}
    >>> _ = path.write_text(json.dumps({"grants": [grant]}))
    >>> import_file(store, path, dry_run=True).created["FUNDS"], store.revision()
    (1, 0)
    >>> import_file(store, path).created["FUNDS"], import_file(store, path).unchanged["FUNDS"]
    (1, 1)
    """
    with paused_gc():
        if _is_dump(Path(path), format):  # streamed in flat memory: checked whole, then written
            from importers.dump_stream import restore_dump

            check_before_reading(Path(path), "dump", name or Path(path).name, limits)
            report = restore_dump(store, path, name=name, limits=limits, dry_run=dry_run,
                                  progress=progress, per_transaction=per_transaction)
            if report is not None:
                return report
        if progress is not None:
            progress("read", 0, 0)
        batch = read_file(path, format=format, name=name, limits=limits, vocab=vocab, mapping=mapping)
        if progress is not None:
            progress("check", 0, 0)
        return run_import(store, batch, dry_run=dry_run, progress=progress,
                          per_transaction=per_transaction)
