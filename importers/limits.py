"""Upper bounds on what one import may read: file size and number of rows, with a clear message."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from graphsvc.errors import ImportFailed

__all__ = ["Limits", "CLI_LIMITS", "web_limits", "human_size"]


def human_size(n: int) -> str:
    """A byte count as people read it.

    Examples
    --------
    >>> human_size(512), human_size(3 * 1024 * 1024)
    ('512 bytes', '3.0 MB')
    """
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class Limits:
    """What one import accepts: file size, rows or records, and the limits checked before parsing.

    ``max_unpacked_bytes``, ``max_ratio`` (for members over ``ratio_floor_bytes``) and
    ``max_members`` bound a zip or XLSX; ``max_sheets``, ``max_columns`` and ``max_cell_chars``
    a workbook or table; ``max_xml_depth`` any XML; ``max_json_bytes`` a JSON file read whole.

    Examples
    --------
    >>> Limits(max_rows=10).check_rows("a.csv", 11)
    Traceback (most recent call last):
    ...
    graphsvc.errors.ImportFailed: a.csv has more than 10 rows or records; the limit is 10. ...
    """

    max_bytes: int = 2 * 1024 * 1024 * 1024
    max_rows: int = 5_000_000
    max_unpacked_bytes: int = 1024 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor_bytes: int = 2 * 1024 * 1024
    max_members: int = 1000
    max_sheets: int = 100
    max_columns: int = 500
    max_cell_chars: int = 10_000
    max_xml_depth: int = 64
    max_json_bytes: int = 256 * 1024 * 1024

    def check_size(self, path: str | os.PathLike[str], name: str = "") -> None:
        target = Path(path)
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) \
            if target.is_dir() else target.stat().st_size
        if size > self.max_bytes:
            raise ImportFailed(
                f"{name or target.name} is {human_size(size)}; the limit is "
                f"{human_size(self.max_bytes)}. Split the file or import it on the command line. / "
                f"{name or target.name} is {human_size(size)}; de grens is "
                f"{human_size(self.max_bytes)}. Splits het bestand of importeer het via de "
                "opdrachtregel.")

    def check_rows(self, name: str, rows: int) -> None:
        if rows > self.max_rows:
            raise ImportFailed(
                f"{name} has more than {self.max_rows:,} rows or records; the limit is "
                f"{self.max_rows:,}. Split the file. / {name} heeft meer dan {self.max_rows:,} "
                f"rijen of records; de grens is {self.max_rows:,}. Splits het bestand.")


CLI_LIMITS: Final = Limits()


def web_limits(max_upload_mb: int) -> Limits:
    """The limits of an upload through the web page: the configured size and 100,000 rows.

    A zip or workbook may unpack to ten times the upload size; a JSON file read as a whole is
    held to the upload size itself.

    Examples
    --------
    >>> web_limits(20).max_unpacked_bytes == 200 * 1024 * 1024
    True
    """
    size = max_upload_mb * 1024 * 1024
    return Limits(max_bytes=size, max_rows=100_000, max_unpacked_bytes=10 * size,
                  max_json_bytes=size)
