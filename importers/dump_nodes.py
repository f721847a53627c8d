"""The nodes of a streamed dump, compactly: per id its label, first row and a content hash."""

from __future__ import annotations

from array import array
from typing import Any, Final

from graphsvc.model import LABELS, Node

__all__ = ["FileNodes"]

_LABEL_CODE: Final = {label: i for i, label in enumerate(LABELS)}
_FAILED: Final = 1 << 4  # bit of a packed table entry: the node has errors of its own


class FileNodes:
    """The nodes of a file, compactly: id -> label, row of its first record, hash of its content.

    About 150 bytes per node (the id string, one dict entry, one int and 16 bytes in two arrays).

    Examples
    --------
    >>> table = FileNodes()
    >>> table.add(Node("o1", "Organisation", {"name": "A"}), 3, failed=False)
    >>> table.label("o1"), table.row("o1"), table.same("o1", Node("o1", "Organisation", {"name": "A"}))
    ('Organisation', 3, True)
    >>> table.label("o2") is None
    True
    """

    def __init__(self) -> None:
        self._packed: dict[str, int] = {}  # id -> index << 5 | failed << 4 | label code
        self._rows = array("q")
        self._hashes = array("q")

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._packed

    def add(self, node: Node, row: int, *, failed: bool) -> None:
        """Remember ``node`` (the first record under its id), read on line ``row``."""
        self._packed[node.id] = len(self._rows) << 5 | (_FAILED if failed else 0) | _LABEL_CODE.get(node.label, 15)
        self._rows.append(row)
        self._hashes.append(_content_hash(node))

    def label(self, node_id: str) -> str | None:
        """The node's label, or None when it is not in the file or has errors of its own."""
        packed = self._packed.get(node_id)
        if packed is None or packed & _FAILED or packed & 15 >= len(LABELS):
            return None
        return LABELS[packed & 15]

    def row(self, node_id: str) -> int:
        return self._rows[self._packed[node_id] >> 5]

    def same(self, node_id: str, node: Node) -> bool:
        """Whether ``node`` repeats the first record under its id (label and properties)."""
        return self._hashes[self._packed[node_id] >> 5] == _content_hash(node)


def _content_hash(node: Node) -> int:
    return hash((node.label, _canonical_bytes(node.props)))


def _canonical_bytes(props: Any) -> bytes:
    import orjson

    try:
        return orjson.dumps(dict(props), option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError: values orjson does not write
        return repr(sorted(dict(props).items())).encode()
