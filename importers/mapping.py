"""The editable mapping tables in ``importers/mappings/``: taxonomy terms → interests, postcodes → areas.

Both are CSV files an organisation edits without touching code; lines starting with ``#`` are
comments. A mapping to an interest the vocabulary does not know is reported when the table is
loaded, so a typo cannot silently drop a theme.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from graphsvc.errors import ConfigError
from graphsvc.text import normalise_name
from graphsvc.vocab import Vocabulary

__all__ = ["TermMapping", "load_term_mapping", "load_postcodes", "MAPPINGS_DIR"]

MAPPINGS_DIR: Final = Path(__file__).with_name("mappings")


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = set(columns) - set(reader.fieldnames or ())
    if missing:
        raise ConfigError(f"Mapping file {path} needs the column(s) {', '.join(sorted(missing))}.")
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


@dataclass
class TermMapping:
    """Taxonomy term or classification → interest id, with the vocabulary's own names as fallback.

    Examples
    --------
    >>> from graphsvc.vocab import load_vocabulary
    >>> m = load_term_mapping(load_vocabulary())
    >>> m.interest("openeligibility", "", "Mental Health Care"), m.interest("x", "", "Eenzaamheid")
    ('psychische-gezondheid', 'eenzaamheid')
    >>> m.interest("x", "", "Underwater basket weaving") is None
    True
    """

    by_code: dict[tuple[str, str], str] = field(default_factory=dict)
    by_term: dict[tuple[str, str], str] = field(default_factory=dict)
    vocabulary: dict[str, str] = field(default_factory=dict)

    def interest(self, scheme: str, code: str, term: str) -> str | None:
        s, t = normalise_name(scheme), normalise_name(term)
        return (self.by_code.get((s, normalise_name(code))) if code else None) \
            or self.by_term.get((s, t)) or self.by_term.get(("*", t)) or self.vocabulary.get(t)


def load_term_mapping(vocab: Vocabulary, path: str | Path | None = None) -> TermMapping:
    """Read the taxonomy mapping table (default: ``mappings/taxonomy_interests.csv``)."""
    source = Path(path) if path else MAPPINGS_DIR / "taxonomy_interests.csv"
    known = {t.id for t in vocab.interests}
    mapping = TermMapping()
    for t in vocab.interests:
        for spelling in (t.id, t.nl, t.en):
            mapping.vocabulary[normalise_name(spelling)] = t.id
    for i, row in enumerate(_rows(source, ("scheme", "code", "term", "interest")), 1):
        interest = row["interest"]
        if interest not in known:
            raise ConfigError(f"Mapping file {source}, entry {i}: {interest!r} is not an interest id "
                              "of the vocabulary.")
        scheme = normalise_name(row["scheme"]) or "*"
        if row["code"]:
            mapping.by_code[(scheme, normalise_name(row["code"]))] = interest
        if row["term"]:
            mapping.by_term[(scheme, normalise_name(row["term"]))] = interest
    return mapping


def load_postcodes(path: str | Path | None = None) -> dict[str, str]:
    """Four-digit postcode → area code (default: ``mappings/postcode_areas.csv``).

    Examples
    --------
    >>> load_postcodes()["1055"]
    'E'
    """
    source = Path(path) if path else MAPPINGS_DIR / "postcode_areas.csv"
    return {row["postcode"][:4]: row["area_code"] for row in _rows(source, ("postcode", "area_code"))
            if row["postcode"] and row["area_code"]}
