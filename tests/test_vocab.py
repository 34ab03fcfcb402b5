"""Vocabulary loading (configs/actors.yaml, configs/proposals.yaml) and pattern generation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
import yaml

from pipeline.config import ConfigError
from pipeline.nlp.vocab import (
    actor_patterns,
    is_case_sensitive,
    load_vocabulary,
    surface_variants,
    target_patterns,
)

PROJECT = Path(__file__).resolve().parents[1]
CONFIGS = PROJECT / "configs"

SPEC_ACTORS = {
    "us": ("state", ""),
    "dprk": ("state", ""),
    "rok": ("state", ""),
    "china": ("state", ""),
    "russia": ("state", ""),
    "japan": ("state", ""),
    "un": ("organization", ""),
    "trump": ("person", "us"),
    "bolton": ("person", "us"),
    "biegun": ("person", "us"),
    "pompeo": ("person", "us"),
    "kim_jong_un": ("person", "dprk"),
    "ri_yong_ho": ("person", "dprk"),
    "choe_son_hui": ("person", "dprk"),
    "kim_yong_chol": ("person", "dprk"),
    "moon_jae_in": ("person", "rok"),
    "xi_jinping": ("person", "china"),
    "putin": ("person", "russia"),
    "abe": ("person", "japan"),
}
SPEC_PROPOSALS = {
    "yongbyon_dismantlement",
    "sanctions_relief",
    "complete_denuclearization",
    "freeze",
    "end_of_war_declaration",
    "liaison_office",
    "remains_repatriation",
    "peace_regime",
    "snapback",
    "roadmap",
    "joint_exercise_suspension",
    "security_guarantee",
    "inter_korean_cooperation",
}
SPEC_APPROACHES = {"big_deal", "small_deal", "hybrid"}


# --------------------------------------------------------------------- the real configs


@pytest.fixture(scope="module")
def real_vocab():
    return load_vocabulary(CONFIGS)


def test_real_configs_have_every_spec_actor(real_vocab) -> None:
    found = {a.id: (a.kind, a.affiliation) for a in real_vocab.actors}
    for ident, expected in SPEC_ACTORS.items():
        assert found.get(ident) == expected, ident


def test_real_configs_have_every_spec_proposal_and_approach(real_vocab) -> None:
    assert SPEC_PROPOSALS <= {t.id for t in real_vocab.proposals}
    assert {t.id for t in real_vocab.approaches} >= SPEC_APPROACHES
    assert all(t.kind == "proposal" for t in real_vocab.proposals)
    assert all(t.kind == "approach" for t in real_vocab.approaches)


def test_real_configs_give_patterns_with_ids_and_kinds(real_vocab) -> None:
    nlp = spacy.blank("en")
    actors = actor_patterns(real_vocab, nlp)
    targets = target_patterns(real_vocab, nlp)
    assert {p["id"] for p in actors} >= set(SPEC_ACTORS)
    assert {p["label"] for p in actors} == {"state", "organization", "person", "not_actor"}
    assert {p["id"] for p in targets} >= SPEC_PROPOSALS | SPEC_APPROACHES
    assert {p["label"] for p in targets} == {"proposal", "approach"}


def test_patterns_work_in_a_span_ruler(real_vocab) -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler")
    ruler.add_patterns(target_patterns(real_vocab, nlp))
    doc = nlp("They wanted sanctions relief.")
    # a span_ruler keeps overlapping matches ("relief" too); the longest is the mention
    longest = max(doc.spans["ruler"], key=len)
    assert (longest.text, longest.id_, longest.label_) == (
        "sanctions relief", "sanctions_relief", "proposal")


# ------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kim Jong-un", {"Kim Jong-un", "Kim Jong un", "Kim Jongun", "Kim Jong\u2011un"}),
        ("People's Republic", {"People's Republic", "People\u2019s Republic"}),
        ("U.S.", {"U.S."}),
    ],
)
def test_surface_variants(text: str, expected: set[str]) -> None:
    assert expected <= set(surface_variants(text))


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("US", True),
        ("U.S.", True),
        ("DPRK", True),
        ("UNSC", True),
        ("America", False),
        ("Trump", False),
        ("of", False),
        ("-", False),
    ],
)
def test_is_case_sensitive(token: str, expected: bool) -> None:
    assert is_case_sensitive(token) is expected


# -------------------------------------------------------------------------- config errors

ACTORS = {
    "actors": [
        {"id": "us", "kind": "state", "name": "United States", "aliases": ["US"]},
        {
            "id": "trump",
            "kind": "person",
            "name": "Donald Trump",
            "affiliation": "us",
            "aliases": ["Trump"],
        },
    ]
}
PROPOSALS = {
    "proposals": [
        {"id": "freeze", "label": "Freeze", "definition": "A freeze.", "phrases": ["freeze"]},
    ],
    "approaches": [
        {
            "id": "big_deal",
            "label": "Big deal",
            "definition": "All at once.",
            "phrases": ["big deal"],
        },
    ],
}


def _write(tmp_path: Path, actors: dict, proposals: dict) -> Path:
    (tmp_path / "actors.yaml").write_text(yaml.safe_dump(actors), encoding="utf-8")
    (tmp_path / "proposals.yaml").write_text(yaml.safe_dump(proposals), encoding="utf-8")
    return tmp_path


def _copy(data: dict) -> dict:
    return yaml.safe_load(yaml.safe_dump(data))


def test_minimal_files_load(tmp_path: Path) -> None:
    vocab = load_vocabulary(_write(tmp_path, ACTORS, PROPOSALS))
    assert vocab.actor("trump").affiliation == "us"
    assert [t.id for t in vocab.targets] == ["freeze", "big_deal"]


def test_real_configs_copy_loads(tmp_path: Path) -> None:
    shutil.copytree(CONFIGS, tmp_path / "configs")
    assert load_vocabulary(tmp_path / "configs").actors


def _actors_error(tmp_path: Path, actors: dict) -> str:
    with pytest.raises(ConfigError) as info:
        load_vocabulary(_write(tmp_path, actors, PROPOSALS))
    return str(info.value)


def _proposals_error(tmp_path: Path, proposals: dict) -> str:
    with pytest.raises(ConfigError) as info:
        load_vocabulary(_write(tmp_path, ACTORS, proposals))
    return str(info.value)


def test_unknown_actor_key_names_file_id_and_key(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    actors["actors"][1]["alias"] = ["Trump"]
    message = _actors_error(tmp_path, actors)
    assert "actors.yaml" in message and "'trump'" in message and "'alias'" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    actors["actor"] = []
    message = _actors_error(tmp_path, actors)
    assert "actors.yaml" in message and "'actor'" in message


def test_duplicate_actor_id(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    actors["actors"].append({"id": "us", "kind": "state", "name": "USA", "aliases": ["USA"]})
    message = _actors_error(tmp_path, actors)
    assert "actors.yaml" in message and "duplicate id 'us'" in message


@pytest.mark.parametrize("affiliation", ["usa", "trump"])
def test_affiliation_must_be_a_known_state(tmp_path: Path, affiliation: str) -> None:
    actors = _copy(ACTORS)
    actors["actors"][1]["affiliation"] = affiliation
    message = _actors_error(tmp_path, actors)
    assert "actors.yaml" in message and "'trump'" in message and "affiliation" in message


def test_person_needs_an_affiliation(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    del actors["actors"][1]["affiliation"]
    assert "affiliation" in _actors_error(tmp_path, actors)


def test_state_has_no_affiliation(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    actors["actors"][0]["affiliation"] = "us"
    assert "only persons" in _actors_error(tmp_path, actors)


def test_kind_must_be_allowed(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    actors["actors"][0]["kind"] = "country"
    message = _actors_error(tmp_path, actors)
    assert "'us'" in message and "kind" in message


def test_one_surface_form_for_two_actors(tmp_path: Path) -> None:
    actors = _copy(ACTORS)
    actors["actors"][1]["aliases"].append("us")
    message = _actors_error(tmp_path, actors)
    assert "'trump'" in message and "'us'" in message


def test_duplicate_id_across_proposals_and_approaches(tmp_path: Path) -> None:
    proposals = _copy(PROPOSALS)
    proposals["approaches"][0]["id"] = "freeze"
    message = _proposals_error(tmp_path, proposals)
    assert "proposals.yaml" in message and "duplicate id 'freeze'" in message


def test_unknown_target_key(tmp_path: Path) -> None:
    proposals = _copy(PROPOSALS)
    proposals["proposals"][0]["phrase"] = ["freeze"]
    message = _proposals_error(tmp_path, proposals)
    assert "proposals.yaml" in message and "'freeze'" in message and "'phrase'" in message


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": {"REGX": "^freez"}}],
        [{"LOWR": "freeze"}],
        [{"LOWER": "freeze", "OP": "!!"}],
        [],
        "freeze",
        [{"LEMMA": "freeze"}],
    ],
)
def test_bad_pattern_names_file_id_and_index(tmp_path: Path, pattern: object) -> None:
    proposals = _copy(PROPOSALS)
    proposals["proposals"][0]["patterns"] = [[{"LOWER": "frozen"}], pattern]
    message = _proposals_error(tmp_path, proposals)
    assert "proposals.yaml" in message and "'freeze'" in message and "patterns[1]" in message


def test_target_needs_phrases_or_patterns(tmp_path: Path) -> None:
    proposals = _copy(PROPOSALS)
    proposals["proposals"][0]["phrases"] = []
    assert "'freeze'" in _proposals_error(tmp_path, proposals)


def test_missing_file_names_it(tmp_path: Path) -> None:
    _write(tmp_path, ACTORS, PROPOSALS)
    (tmp_path / "proposals.yaml").unlink()
    with pytest.raises(ConfigError, match="proposals.yaml"):
        load_vocabulary(tmp_path)
