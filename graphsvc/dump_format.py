"""The full-dump layout: a header line, then one JSON record per line in three sections.

The one writer of that layout (:func:`write_dump_sections`), used by the generator and by every
exporter; :mod:`importers.dump_read` reads it back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

__all__ = ["DUMP_FORMAT", "DUMP_VERSION", "DUMP_SECTIONS", "Encoded", "encode_record", "write_dump_sections"]

DUMP_FORMAT: Final = "goudkaart-dump"
DUMP_VERSION: Final = 1


class Encoded(str):
    """A record already encoded as JSON text: :func:`write_dump_sections` writes it as it is."""

    __slots__ = ()


DUMP_SECTIONS = ("nodes", "relationships", "tie_events")
#: One record as compact JSON text (non-ASCII kept as it is).
encode_record = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def write_dump_sections(path: str | Path, sections: Mapping[str, Iterable[dict[str, Any] | Encoded]],
                        progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Write records in the full-dump layout (header line, one record per line): the one writer
    of that layout, used by the generator and by every exporter.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "d.json"
    >>> write_dump_sections(p, {"nodes": [{"id": "i", "label": "Interest", "props": {}}]})
    {'nodes': 1, 'relationships': 0, 'tie_events': 0}
    """
    counts = dict.fromkeys(DUMP_SECTIONS, 0)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(f'{{"format":"{DUMP_FORMAT}","version":{DUMP_VERSION},\n')
        for i, section in enumerate(DUMP_SECTIONS):
            fh.write(f'"{section}":[')
            for record in sections.get(section, ()):
                text = record if type(record) is Encoded else encode_record(record)
                fh.write(("\n" if not counts[section] else ",\n") + text)
                counts[section] += 1
                if progress is not None and counts[section] % 10_000 == 0:
                    progress(section, counts[section], 0)
            fh.write("\n]" + (",\n" if i < len(DUMP_SECTIONS) - 1 else "}\n"))
    return counts
