"""The product never becomes a blacklist: no vocabulary term, node label, property key or demo
value may name an organisation a risk or a fraud (docs/design.md §3), and the vocabulary cannot grow one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from graphsvc import model
from graphsvc.demo.dataset import demo_records
from graphsvc.errors import GraphsvcError
from graphsvc.vocab import FILES, FORBIDDEN_WORDS, load_vocabulary

VOCAB = Path(model.__file__).parent / "vocab"
#: English and Dutch stems: risk, risky, fraud, fraudulent, blacklist, suspect …
WORDS = re.compile(r"risk|risic|fraud|blacklist|zwarte.?lijst|verdacht|suspect|watchlist",
                   re.IGNORECASE)
ENTRIES = [
    ("kinds.yaml", "organisation_kinds", "{id: fraud-sensitive, nl: Gevoelig, en: Sensitive}"),
    ("kinds.yaml", "organisation_kinds", "{id: let-op, nl: Frauderisico, en: Watch}"),
    ("kinds.yaml", "organisation_kinds", "{id: let-op, nl: Let op, en: High RISK}"),
    ("kinds.yaml", "organisation_kinds", "{id: zwart, nl: Zwarte lijst, en: Listed}"),
]


@pytest.mark.parametrize(("name", "key", "entry"), ENTRIES)
def test_an_added_risk_or_fraud_term_is_refused(tmp_path: Path, name: str, key: str, entry: str) -> None:
    folder = tmp_path / "vocab"
    folder.mkdir()
    for file in FILES:
        shutil.copy(VOCAB / file, folder / file)
    text = (folder / name).read_text(encoding="utf-8")
    text = text.replace(f"{key}:\n", f"{key}:\n  - {entry}\n", 1)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(GraphsvcError, match="risk|fraud"):
        load_vocabulary(folder)


def test_the_forbidden_words_cover_both_languages() -> None:
    assert {"fraud", "fraude", "risk", "risico"} <= set(FORBIDDEN_WORDS)


def test_no_shipped_vocabulary_term_is_a_risk_label() -> None:
    for file in FILES:
        for line in (VOCAB / file).read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("#"):
                assert not WORDS.search(line), f"{file}: {line}"


def test_no_model_label_property_or_relationship_is_named_like_risk() -> None:
    names = [n for n in dir(model) if not n.startswith("_")]
    values = [str(getattr(model, n)) for n in names if isinstance(getattr(model, n), str | frozenset | tuple)]
    for text in names + values:
        assert not WORDS.search(text), text


def test_no_demo_node_or_relationship_carries_a_risk_key_or_label() -> None:
    nodes, rels = demo_records()
    for node in nodes:
        assert not WORDS.search(node.label) and not WORDS.search(node.id), node.id
        for key, value in node.props.items():
            assert not WORDS.search(key), f"{node.id}.{key}"
            if key in ("kind", "legal_form", "status", "label", "tags"):
                assert not WORDS.search(str(value)), f"{node.id}.{key}={value}"
    for rel in rels:
        assert not WORDS.search(rel.type)
        assert not any(WORDS.search(key) for key in rel.props), rel
