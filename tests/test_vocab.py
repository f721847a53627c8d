"""Vocabularies are data an organisation edits; every mistake is named with file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.errors import ConfigError
from graphsvc.rel_props import GRANT_STATUSES, NOT_GRANTED_STATUSES, property_problems
from graphsvc.vocab import load_vocabulary
from queries.grants import NOT_GRANTED


def test_default_vocabulary_has_rungs_themes_and_the_five_kinds_of_gold() -> None:
    vocab = load_vocabulary()
    assert [r.nl for r in vocab.rungs] == ["kennen", "ontmoeten", "afstemmen", "samenwerken",
                                          "samen agenderen"]
    assert len(vocab.interests) >= 25
    gold = [t.id for t in vocab.capabilities if t.group == "gold"]
    assert gold == ["eigen-kracht", "ervaringskennis", "vertrouwensnetwerk", "vroegsignalering",
                    "intermediair"]
    assert {d.id for d in vocab.capacity} == {"governance", "financial_administration",
                                              "volunteer_policy", "innovation", "positioning"}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("interests.yaml", "interests:\n  - {id: a, nl: A, en: A\n", r"not valid YAML at line \d+"),
        ("interests.yaml", "interests:\n  - {id: a, nl: A}\n", "entry 1 of 'interests' needs a text field 'en'"),
        ("interests.yaml", "interests:\n  - {id: a, nl: A, en: A, colour: red}\n", "unknown field"),
        ("interests.yaml", "interests:\n  - {id: a, nl: A, en: A}\n  - {id: a, nl: B, en: B}\n", "'a' appears twice"),
        ("interests.yaml", "interests:\n  - {id: a, nl: A, en: A, parent: zz}\n", "unknown parent 'zz'"),
        ("interests.yaml", "themes: []\n", "needs a non-empty list 'interests'"),
        ("rungs.yaml", "rungs:\n  - {rung: 1, nl: a, en: a, description_nl: a, description_en: a}\n", "exactly five rungs"),
        ("capabilities.yaml", "capabilities:\n  - {id: x, group: gold, nl: Frauderisico, en: Fraud risk}\n", "does not label organisations as a risk"),
        ("capabilities.yaml", "capabilities:\n  - {id: x, group: silver, nl: X, en: X}\n", "group 'silver'"),
        ("grant_statuses.yaml", "grant_statuses:\n  - {id: granted, nl: Toegekend, en: Granted}\n",
         "must list exactly the grant statuses pending, awarded, active, completed, rejected, withdrawn"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, name: str, text: str, message: str) -> None:
    folder = write(tmp_path / "vocab", name, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_vocabulary(folder)
    assert name in str(info.value)


def test_an_edited_file_replaces_only_that_list(tmp_path: Path) -> None:
    folder = write(tmp_path / "vocab", "interests.yaml",
                   "interests:\n  - {id: fietsen, nl: Fietsles, en: Cycling lessons}\n")
    vocab = load_vocabulary(folder)
    assert [t.id for t in vocab.interests] == ["fietsen"]
    assert len(vocab.rungs) == 5 and len(vocab.capabilities) >= 15


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_vocabulary(tmp_path / "nope")


def test_grant_statuses_may_be_renamed_not_changed(tmp_path: Path) -> None:
    lines = "".join(f"  - {{id: {s}, nl: N-{s}, en: E-{s}}}\n" for s in reversed(GRANT_STATUSES))
    vocab = load_vocabulary(write(tmp_path / "vocab", "grant_statuses.yaml", f"grant_statuses:\n{lines}"))
    assert vocab.grant_status("rejected").nl == "N-rejected"
    assert [t.id for t in load_vocabulary().grant_statuses] == list(GRANT_STATUSES)


@pytest.mark.testdata
def test_every_producer_writes_a_known_grant_status_and_fitting_weights() -> None:
    from graphsvc.demo.dataset import demo_records
    from graphsvc.generate import generate
    from importers.threesixtygiving import read_360giving
    from tests.importers.conftest import INDIGO

    rels = [*demo_records()[1], *generate(300)[1], *(r.rel for r in read_360giving(INDIGO).rels)]
    statuses = {r.props["status"] for r in rels if r.type == "FUNDS" and "status" in r.props}
    assert statuses and statuses <= set(GRANT_STATUSES)
    assert [r for r in rels if property_problems(r.type, r.props)] == []
    assert NOT_GRANTED_STATUSES <= NOT_GRANTED  # the fund matches read the vocabulary's meaning
