"""Property values as flat graph-file attributes and back: lists joined with ``|``, the rest JSON.

GraphML and GEXF attributes hold one scalar each. A property whose values are all non-empty
lists of text (``languages``) is written as ``ar|nl|ber``; a property with any other non-scalar
value (``contact_persons``, ``capacity``), or whose scalars mix int and float, is written as
JSON text. The chosen codec per property travels in the file, so reading restores the values
exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

__all__ = ["Codec", "codecs_for", "encode", "decode", "SEPARATOR"]

SEPARATOR: Final = "|"
Codec = Literal["plain", "list", "json"]


def _plain_list(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(v, str) and v and SEPARATOR not in v for v in value))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if _plain_list(value):
        return "list"
    return "other"


def codecs_for(records: Iterable[Mapping[str, Any]], *, strict_types: bool = False) -> dict[str, Codec]:
    """The codec per property over all records.

    With ``strict_types`` (GEXF: one type per attribute) scalars of mixed type are JSON too.

    Examples
    --------
    >>> codecs_for([{"languages": ["ar", "nl"], "founded": 2015},
    ...             {"languages": ["tr"], "capacity": {"governance": 2}, "founded": 2001}])
    {'languages': 'list', 'founded': 'plain', 'capacity': 'json'}
    >>> codecs_for([{"amount": 10}, {"amount": 2.5}], strict_types=True)
    {'amount': 'json'}
    """
    kinds: dict[str, set[str]] = {}
    for record in records:
        for key, value in record.items():
            kinds.setdefault(key, set()).add(_kind(value))
    out: dict[str, Codec] = {}
    for key, seen in kinds.items():
        if seen == {"list"}:
            out[key] = "list"
        elif "other" in seen or "list" in seen or (strict_types and len(seen) > 1):
            out[key] = "json"
        else:
            out[key] = "plain"
    return out


def encode(value: Any, codec: Codec) -> Any:
    """One property value as an attribute value.

    Examples
    --------
    >>> encode(["ar", "nl"], "list"), encode({"a": 1}, "json"), encode(3, "plain")
    ('ar|nl', '{"a":1}', 3)
    """
    if codec == "list":
        return SEPARATOR.join(value)
    if codec == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return value


def decode(value: Any, codec: Codec) -> Any:
    """An attribute value back as the property value it encodes.

    Examples
    --------
    >>> decode("ar|nl", "list"), decode('{"a":1}', "json"), decode(3, "plain")
    (['ar', 'nl'], {'a': 1}, 3)
    """
    if codec == "list":
        return [v for v in str(value).split(SEPARATOR) if v]
    if codec == "json":
        return json.loads(str(value))
    return value
