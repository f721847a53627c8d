"""Vocabularies (ladder rungs, interests, capabilities, capacity dimensions, kinds, grant statuses) from YAML.

The lists are data an organisation may edit; they are validated on load and any mistake is
reported as one sentence naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from graphsvc.errors import ConfigError
from graphsvc.rel_props import GRANT_STATUSES

__all__ = ["Term", "Rung", "CapacityDimension", "Vocabulary", "load_vocabulary", "FORBIDDEN_WORDS"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
# The product must never become a blacklist (docs/design.md §3): no vocabulary term may label
# organisations as a risk or as fraud.
FORBIDDEN_WORDS = ("fraud", "fraude", "risk", "risico", "blacklist", "zwarte lijst", "verdacht")
FILES = ("rungs.yaml", "interests.yaml", "capabilities.yaml", "capacity.yaml", "kinds.yaml",
         "grant_statuses.yaml")
CAPABILITY_GROUPS = ("gold", "support", "practical")


@dataclass(frozen=True)
class Term:
    """A vocabulary entry with an id and names in Dutch and English."""

    id: str
    nl: str
    en: str
    group: str = ""
    parent: str = ""
    capacity: str = ""

    def name(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Rung:
    rung: int
    nl: str
    en: str
    description_nl: str
    description_en: str

    def name(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class CapacityDimension:
    id: str
    nl: str
    en: str
    explain_nl: str
    explain_en: str
    need: str
    need_below_or_at: int

    def name(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Vocabulary:
    rungs: tuple[Rung, ...]
    interests: tuple[Term, ...]
    capabilities: tuple[Term, ...]
    capacity: tuple[CapacityDimension, ...]
    kinds: dict[str, tuple[Term, ...]]
    grant_statuses: tuple[Term, ...]

    def rung(self, number: int) -> Rung:
        for r in self.rungs:
            if r.rung == number:
                return r
        raise KeyError(number)

    def interest(self, term_id: str) -> Term:
        return _by_id(self.interests)[term_id]

    def capability(self, term_id: str) -> Term:
        return _by_id(self.capabilities)[term_id]

    def grant_status(self, term_id: str) -> Term:
        return _by_id(self.grant_statuses)[term_id]


def _by_id(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {t.id: t for t in terms}


class _Reader:
    """Validates one vocabulary file, raising ConfigError that names file, entry and field."""

    def __init__(self, path: Path | str, text: str) -> None:
        self.path = str(path)
        try:
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ConfigError(f"Vocabulary file {self.path} is not valid YAML{where}.") from None
        if not isinstance(self.data, dict):
            raise ConfigError(f"Vocabulary file {self.path} must hold a mapping at the top level.")

    def entries(self, key: str) -> list[dict[str, Any]]:
        items = self.data.get(key)
        if not isinstance(items, list) or not items:
            raise ConfigError(f"Vocabulary file {self.path} needs a non-empty list '{key}'.")
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise ConfigError(f"Vocabulary file {self.path}: entry {i} of '{key}' is not a mapping.")
        return items

    def text(self, key: str, i: int, item: dict[str, Any], fld: str, required: bool = True) -> str:
        value = item.get(fld, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise ConfigError(
                f"Vocabulary file {self.path}: entry {i} of '{key}' needs a text field '{fld}'."
            )
        lowered = value.lower()
        for word in FORBIDDEN_WORDS:
            if word in lowered:
                raise ConfigError(
                    f"Vocabulary file {self.path}: entry {i} of '{key}' uses {word!r}; Goudkaart "
                    "does not label organisations as a risk or as fraud."
                )
        return value.strip()

    def unknown_fields(self, key: str, i: int, item: dict[str, Any], allowed: set[str]) -> None:
        extra = set(item) - allowed
        if extra:
            raise ConfigError(
                f"Vocabulary file {self.path}: entry {i} of '{key}' has unknown field(s) "
                f"{', '.join(sorted(map(str, extra)))}; known fields are {', '.join(sorted(allowed))}."
            )

    def terms(self, key: str, extra: tuple[str, ...] = ()) -> tuple[Term, ...]:
        seen: set[str] = set()
        out = []
        for i, item in enumerate(self.entries(key), 1):
            self.unknown_fields(key, i, item, {"id", "nl", "en", *extra})
            term_id = self.text(key, i, item, "id")
            if not _ID.match(term_id):
                raise ConfigError(
                    f"Vocabulary file {self.path}: entry {i} of '{key}' has id {term_id!r}; use "
                    "lowercase letters, digits and hyphens."
                )
            if term_id in seen:
                raise ConfigError(f"Vocabulary file {self.path}: id {term_id!r} appears twice in '{key}'.")
            seen.add(term_id)
            kw = {f: self.text(key, i, item, f, required=False) for f in extra}
            out.append(Term(term_id, self.text(key, i, item, "nl"), self.text(key, i, item, "en"), **kw))
        return tuple(out)


def _read(directory: Path | None, name: str) -> _Reader:
    if directory is not None and (directory / name).exists():
        path = directory / name
        try:
            return _Reader(path, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Vocabulary file {path} cannot be read ({exc.__class__.__name__}).") from None
    res = resources.files("graphsvc") / "vocab" / name
    return _Reader(f"graphsvc/vocab/{name}", res.read_text(encoding="utf-8"))


def _rungs(reader: _Reader) -> tuple[Rung, ...]:
    rungs = []
    fields = ("nl", "en", "description_nl", "description_en")
    for i, item in enumerate(reader.entries("rungs"), 1):
        reader.unknown_fields("rungs", i, item, {"rung", *fields})
        number = item.get("rung")
        if number != i:
            raise ConfigError(
                f"Vocabulary file {reader.path}: entry {i} of 'rungs' must have rung: {i}, not {number!r}."
            )
        rungs.append(Rung(i, *(reader.text("rungs", i, item, f) for f in fields)))
    if len(rungs) != 5:
        raise ConfigError(f"Vocabulary file {reader.path} must list exactly five rungs, not {len(rungs)}.")
    return tuple(rungs)


def _capacity(reader: _Reader, capability_ids: set[str]) -> tuple[CapacityDimension, ...]:
    dims = []
    fields = ("id", "nl", "en", "explain_nl", "explain_en", "need")
    for i, item in enumerate(reader.entries("dimensions"), 1):
        reader.unknown_fields("dimensions", i, item, {*fields, "need_below_or_at"})
        values = [reader.text("dimensions", i, item, f) for f in fields]
        if values[-1] not in capability_ids:
            raise ConfigError(
                f"Vocabulary file {reader.path}: entry {i} of 'dimensions' names need {values[-1]!r}, "
                "which is not a capability."
            )
        threshold = item.get("need_below_or_at", 2)
        if not isinstance(threshold, int) or not 1 <= threshold <= 5:
            raise ConfigError(
                f"Vocabulary file {reader.path}: entry {i} of 'dimensions' needs need_below_or_at 1-5."
            )
        dim_id, nl, en, explain_nl, explain_en, need = values
        dims.append(CapacityDimension(dim_id, nl, en, explain_nl, explain_en, need, threshold))
    return tuple(dims)


def _grant_statuses(reader: _Reader) -> tuple[Term, ...]:
    statuses = reader.terms("grant_statuses")
    ids = [t.id for t in statuses]
    if sorted(ids) != sorted(GRANT_STATUSES):
        raise ConfigError(
            f"Vocabulary file {reader.path} must list exactly the grant statuses "
            f"{', '.join(GRANT_STATUSES)} (you may rename them), not {', '.join(ids)}."
        )
    return statuses


def load_vocabulary(directory: str | Path | None = None) -> Vocabulary:
    """Load and validate the vocabularies, from ``directory`` where it has a file, else the defaults.

    Examples
    --------
    >>> vocab = load_vocabulary()
    >>> vocab.rung(5).nl
    'samen agenderen'
    """
    folder = Path(directory) if directory else None
    if folder is not None and not folder.is_dir():
        raise ConfigError(f"Vocabulary folder {folder} does not exist.")
    return _load_cached(str(folder) if folder else "")


@lru_cache(maxsize=8)
def _load_cached(folder: str) -> Vocabulary:
    directory = Path(folder) if folder else None
    rungs = _rungs(_read(directory, "rungs.yaml"))
    reader = _read(directory, "interests.yaml")
    interests = reader.terms("interests", ("parent",))
    ids = {t.id for t in interests}
    for t in interests:
        if t.parent and t.parent not in ids:
            raise ConfigError(f"Vocabulary file {reader.path}: {t.id!r} names unknown parent {t.parent!r}.")
    reader = _read(directory, "capabilities.yaml")
    capabilities = reader.terms("capabilities", ("group", "capacity"))
    for t in capabilities:
        if t.group not in CAPABILITY_GROUPS:
            raise ConfigError(
                f"Vocabulary file {reader.path}: capability {t.id!r} has group {t.group!r}; use one of "
                f"{', '.join(CAPABILITY_GROUPS)}."
            )
    capacity = _capacity(_read(directory, "capacity.yaml"), {t.id for t in capabilities})
    reader = _read(directory, "kinds.yaml")
    kinds = {
        key: reader.terms(key)
        for key in ("organisation_kinds", "legal_forms", "institution_sectors", "fund_types")
    }
    statuses = _grant_statuses(_read(directory, "grant_statuses.yaml"))
    return Vocabulary(rungs, interests, capabilities, capacity, kinds, statuses)
