"""Coding stage: configs/codebook.yaml loads, covers the SPEC ids, and bad edits fail fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.coding.codebook import load_codebook
from pipeline.config import ConfigError
from pipeline.nlp.vocab import load_vocabulary
from tests.conftest import PROJECT

CODEBOOK = PROJECT / "configs" / "codebook.yaml"
# The codebook ids fixed by shared/SPEC.md.
SPEC_IDS = {
    "cause": {
        "sanctions_gap",
        "scope_gap",
        "definition_gap",
        "approach_gap",
        "poor_preparation",
        "us_domestic_politics",
        "hardliner_influence",
        "miscalculation",
    },
    "blame": {"us", "dprk", "both", "neither"},
    "outcome_framing": {"failure", "constructive_no_deal", "mixed"},
    "approach": {"big_deal", "small_deal", "hybrid"},
    "outlook": {"resumption", "impasse", "escalation"},
}


def test_real_codebook_covers_spec_ids():
    codebook = load_codebook(CODEBOOK)
    assert {v.id: set(v.value_ids) for v in codebook.variables} == SPEC_IDS
    for variable in codebook.variables:
        assert variable.description
        for value in variable.values:
            assert value.definition and "\n" not in value.definition


def test_approach_comes_from_positions_with_the_vocabulary_ids():
    codebook = load_codebook(CODEBOOK)
    approach = codebook.variable("approach")
    assert approach.source == "positions"
    assert all(not v.cues for v in approach.values)
    approaches = {t.id for t in load_vocabulary(PROJECT / "configs").approaches}
    assert set(approach.value_ids) == approaches


def test_assessment_section_has_rejection_and_report_cues():
    cues = load_codebook(CODEBOOK).assessment
    assert cues.rejection and cues.report and cues.anaphors and cues.hedges and cues.rebuttal
    assert {c.scope for c in cues.rejection} == {"clause", "following", "subject"}


def test_value_options_load():
    codebook = load_codebook(CODEBOOK)
    assert codebook.variable("outlook").value("resumption").rejected_implies == "impasse"
    failure = codebook.variable("outcome_framing").value("failure")
    assert any(group.main_clause for group in failure.cues)


# ----------------------------------------------------------------------------- malformed


def _real() -> dict[str, Any]:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _value(data: dict[str, Any], variable: str, value: str) -> dict[str, Any]:
    var = next(v for v in data["variables"] if v["id"] == variable)
    return next(v for v in var["values"] if v["id"] == value)


def _unknown_top(d):
    d["colour"] = "red"


def _unknown_value_key(d):
    _value(d, "cause", "scope_gap")["phrase"] = ["beyond Yongbyon"]


def _duplicate_value(d):
    var = next(v for v in d["variables"] if v["id"] == "cause")
    var["values"].append(dict(_value(d, "cause", "scope_gap")))


def _duplicate_variable(d):
    d["variables"].append(dict(d["variables"][0]))


def _bad_pattern(d):
    _value(d, "cause", "miscalculation")["patterns"] = [[{"LOWR": "misread"}]]


def _not_a_pattern(d):
    _value(d, "cause", "miscalculation")["patterns"] = ["misread"]


def _no_cues(d):
    var = next(v for v in d["variables"] if v["id"] == "outlook")
    var["values"].append({"id": "collapse_of_talks", "definition": "Talks end for good."})


def _cues_on_positions(d):
    _value(d, "approach", "hybrid")["phrases"] = ["hybrid approach"]


def _unknown_context(d):
    _value(d, "cause", "sanctions_gap")["cues"][0]["requires"] = ["frictoin"]


def _bad_scope(d):
    d["assessment"]["rejection"][0]["scope"] = "paragraph"


def _bad_combines(d):
    _value(d, "outcome_framing", "mixed")["combines"] = ["failure", "success"]


def _bad_confidence(d):
    d["confidence"]["weak"] = 2


def _bad_rejected_implies(d):
    _value(d, "outlook", "resumption")["rejected_implies"] = "collapse"


def _bad_opposed_approaches(d):
    _value(d, "cause", "approach_gap")["opposed_approaches"] = ["big_deal", "small_dael"]


def _bad_conditional_variable(d):
    d["assessment"]["conditional_variables"] = ["outlok"]


def _bad_main_clause(d):
    _value(d, "outcome_framing", "failure")["cues"][0]["main_clause"] = "yes please"


def _bad_dismisses(d):
    _value(d, "outcome_framing", "failure")["cues"][0]["dismisses"] = "rejected"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_unknown_top, "unknown key 'colour'"),
        (_unknown_value_key, "'scope_gap'): unknown key 'phrase'"),
        (_duplicate_value, "duplicate value 'scope_gap'"),
        (_duplicate_variable, "duplicate variable 'cause'"),
        (_bad_pattern, "'miscalculation'): patterns[0]: not a valid spaCy Matcher pattern"),
        (_not_a_pattern, "'miscalculation'): patterns[0]: a pattern is a non-empty list"),
        (_no_cues, "'collapse_of_talks'): no cues"),
        (_cues_on_positions, "'hybrid'): a variable with source 'positions'"),
        (_unknown_context, "requires: unknown context 'frictoin'"),
        (_bad_scope, "rejection[0]: scope: 'paragraph'"),
        (_bad_combines, "combines: 'success'"),
        (_bad_confidence, "confidence: weak"),
        (_bad_rejected_implies, "rejected_implies: 'collapse' is not another value"),
        (_bad_main_clause, "main_clause: expected true or false"),
        (_bad_dismisses, "dismisses: expected true or false"),
        (_bad_opposed_approaches, "approach_gap: opposed_approaches: 'small_dael' is not a value"),
        (_bad_conditional_variable,
         "assessment: conditional_variables: 'outlok' is not a variable"),
    ],
)
def test_malformed_codebook_names_file_and_key(tmp_path, edit, expected):
    data = _real()
    edit(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as err:
        load_codebook(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_missing_codebook_names_file(tmp_path):
    with pytest.raises(ConfigError, match="codebook.yaml: configuration file not found"):
        load_codebook(tmp_path / "codebook.yaml")


def test_a_researcher_can_add_a_value_in_yaml_only(tmp_path):
    data = _real()
    var = next(v for v in data["variables"] if v["id"] == "cause")
    var["values"].append(
        {"id": "china_factor", "definition": "Beijing's influence.", "phrases": ["China card"]}
    )
    assert "china_factor" in load_codebook(_write(tmp_path, data)).variable("cause").value_ids
