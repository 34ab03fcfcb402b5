"""Coding stage: document aggregation, the seeds' acceptance codes, caching, the model gate."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from pipeline.coding.classify import load_current_model
from pipeline.coding.codebook import load_codebook
from pipeline.coding.doc_codes import aggregate_codes, document_assessment
from pipeline.coding.stage import run_coding
from pipeline.config import SectionWeight, load_config
from pipeline.ingest.stage import run_ingest
from pipeline.nlp.stage import run_nlp
from tests.conftest import SECOND_ID, SEJONG_ID, copy_project


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("project"))
    config = load_config(root / "configs", root=root)
    documents = run_ingest(config).documents
    nlp = run_nlp(config, documents)
    return config, documents, nlp, run_coding(config, documents, nlp.sentences)


@pytest.mark.parametrize(
    ("assessments", "expected"),
    [(["rejected"], "rejected"), (["reported", "rejected"], "rejected"),
     (["reported"], "reported"), (["rejected", "asserted", "reported"], "asserted")],
)
def test_document_assessment(assessments, expected):
    assert document_assessment(assessments) == expected


def test_a_dismissed_views_reports_count_with_its_dismissal():
    assessments = ["asserted", "rejected", "reported"]
    # one passing assertion against one dismissal and one report of the dismissed view
    assert document_assessment(
        assessments, {"asserted": 1.2, "rejected": 0.8, "reported": 0.6}) == "rejected"
    assert document_assessment(
        assessments, {"asserted": 1.6, "rejected": 0.8, "reported": 0.6}) == "asserted"
    # reports alone do not outvote an assertion
    assert document_assessment(
        ["asserted", "reported"], {"asserted": 0.8, "reported": 1.8}) == "asserted"


def _codes(rows, confidence=1.0):
    """A `codes` table from (doc_id, sent_idx, variable, value, assessment) rows of rules."""
    columns = ("doc_id", "sent_idx", "variable", "value", "assessment")
    return pd.DataFrame([{"holder": None, "method": "rules", "confidence": confidence,
                          **dict(zip(columns, row, strict=True))} for row in rows])


def test_aggregation_weights_sections_and_derives_verdicts():
    sentences = pd.DataFrame({"doc_id": ["d"] * 4, "sent_idx": [0, 1, 2, 3],
                              "section": ["Executive Summary", "Body", "Body", "Body"]})
    codes = _codes([
        ("d", 0, "cause", "sanctions_gap", "asserted"),
        ("d", 1, "cause", "sanctions_gap", "asserted"),
        ("d", 1, "cause", "hardliner_influence", "rejected"),
        ("d", 2, "blame", "us", "asserted"),
        ("d", 3, "blame", "dprk", "asserted"),
        ("d", 2, "outcome_framing", "failure", "asserted"),
        ("d", 3, "outcome_framing", "constructive_no_deal", "asserted"),
    ])
    out = aggregate_codes(codes, sentences, [SectionWeight("summary", 1.5)])
    rows = {(r.variable, r.value): r for r in out.itertuples()}
    assert rows[("cause", "sanctions_gap")].weight == 2.5
    assert rows[("cause", "sanctions_gap")].evidence == "0;1"
    assert rows[("cause", "hardliner_influence")].assessment == "rejected"
    assert rows[("blame", "both")].is_derived
    assert rows[("outcome_framing", "mixed")].evidence == "2;3"
    assert {v for var, v in rows if var == "blame"} == {"both"}


def test_framing_is_mixed_only_when_neither_framing_outweighs_the_other():
    sentences = pd.DataFrame({"doc_id": ["d"] * 3 + ["e"] * 2, "sent_idx": [0, 1, 2, 0, 1],
                              "section": ["Body"] * 5})
    codes = _codes([
        ("d", 0, "outcome_framing", "failure", "asserted"),
        ("d", 1, "outcome_framing", "failure", "asserted"),
        ("d", 2, "outcome_framing", "constructive_no_deal", "asserted"),
        ("e", 0, "outcome_framing", "failure", "asserted"),
        ("e", 1, "outcome_framing", "constructive_no_deal", "asserted"),
    ])
    out = aggregate_codes(codes, sentences, [], mixed_ratio=1.5)
    verdicts = out[out["is_derived"]].set_index("doc_id")["value"].to_dict()
    assert verdicts == {"d": "failure", "e": "mixed"}
    out = aggregate_codes(codes, sentences, [], mixed_ratio=3.0)
    assert set(out[out["is_derived"]]["value"]) == {"mixed"}


def test_a_sides_approach_outweighed_by_another_of_its_approaches_is_left_out():
    sentences = pd.DataFrame({"doc_id": ["d"] * 4, "sent_idx": [0, 1, 2, 3],
                              "section": ["Body"] * 4})
    codes = _codes([
        ("d", 0, "approach", "big_deal", "asserted"),
        ("d", 1, "approach", "big_deal", "asserted"),
        ("d", 2, "approach", "small_deal", "asserted"),   # the US's: outweighed 2:1
        ("d", 3, "approach", "small_deal", "asserted"),   # Pyongyang's: its only one
        ("d", 3, "approach", "hybrid", "rejected"),       # a dismissal is no rival
    ])
    codes["holder"] = ["us", "us", "us", "dprk", "us"]
    out = aggregate_codes(codes, sentences, [], approach_ratio=2.0)
    assert set(zip(out["holder"], out["value"], out["assessment"], strict=True)) == {
        ("us", "big_deal", "asserted"), ("dprk", "small_deal", "asserted"),
        ("us", "hybrid", "rejected")}
    # evidence of comparable weight keeps both; without a ratio all are kept
    assert len(aggregate_codes(codes, sentences, [], approach_ratio=2.5)) == 4
    assert len(aggregate_codes(codes, sentences, [])) == 4


def test_aggregation_keeps_dismissed_blame_and_framing_beside_the_verdict():
    sentences = pd.DataFrame({"doc_id": ["d"] * 3, "sent_idx": [0, 1, 2],
                              "section": ["Body"] * 3})
    codes = _codes([
        ("d", 0, "blame", "dprk", "rejected"),
        ("d", 0, "blame", "both", "asserted"),
        ("d", 1, "outcome_framing", "failure", "rejected"),
        ("d", 2, "outcome_framing", "constructive_no_deal", "asserted"),
        ("d", 1, "blame", "both", "asserted"),
        ("d", 2, "blame", "both", "rejected"),
    ])
    out = aggregate_codes(codes, sentences, [])
    rows = {(r.variable, r.value): (r.assessment, r.is_derived) for r in out.itertuples()}
    assert rows == {
        ("blame", "both"): ("asserted", True),
        ("blame", "dprk"): ("rejected", False),
        ("outcome_framing", "constructive_no_deal"): ("asserted", True),
        ("outcome_framing", "failure"): ("rejected", False),
    }


def test_sejong_acceptance(coded):
    doc_codes = coded[3].doc_codes
    sejong = doc_codes[doc_codes["doc_id"] == SEJONG_ID]
    causes = dict(zip(sejong.loc[sejong["variable"] == "cause", "value"],
                      sejong.loc[sejong["variable"] == "cause", "assessment"], strict=True))
    assert causes["us_domestic_politics"] == "rejected"
    assert causes["hardliner_influence"] == "rejected"
    assert causes["definition_gap"] == "asserted"
    assert causes["sanctions_gap"] == "asserted"
    approach = sejong[sejong["variable"] == "approach"]
    assert set(zip(approach["holder"], approach["value"], strict=True)) >= {
        ("us", "big_deal"), ("dprk", "small_deal")}
    codes = coded[3].codes
    rejected_only = codes[(codes["doc_id"] == SEJONG_ID)
                          & codes["value"].isin(["us_domestic_politics", "hardliner_influence"])]
    assert set(rejected_only["assessment"]) == {"rejected"}


def test_second_brief_acceptance(coded):
    doc_codes = coded[3].doc_codes
    second = doc_codes[(doc_codes["doc_id"] == SECOND_ID)
                       & (doc_codes["assessment"] == "asserted")]
    values = set(zip(second["variable"], second["holder"].fillna(""), second["value"],
                     strict=True))
    for cause in ("approach_gap", "scope_gap", "sanctions_gap"):
        assert ("cause", "", cause) in values
    framing = second.loc[second["variable"] == "outcome_framing", "value"].tolist()
    assert framing in (["constructive_no_deal"], ["mixed"])
    assert ("approach", "author", "hybrid") in values
    for outlook in ("resumption", "impasse", "escalation"):
        assert ("outlook", "", outlook) in values


def test_every_code_points_at_a_sentence(coded):
    _, _, nlp, result = coded
    keys = set(zip(nlp.sentences["doc_id"], nlp.sentences["sent_idx"], strict=True))
    assert set(zip(result.codes["doc_id"], result.codes["sent_idx"], strict=True)) <= keys
    for row in result.doc_codes.itertuples():
        assert all((row.doc_id, int(i)) in keys for i in row.evidence.split(";"))


def test_codebook_edit_recodes_without_reparsing(coded):
    config, documents, nlp, first = coded
    again = run_coding(config, documents, nlp.sentences)
    assert (again.n_coded, again.n_cached) == (0, 2)
    pd.testing.assert_frame_equal(again.doc_codes, first.doc_codes)
    codebook = config.config_dir / "codebook.yaml"
    original = codebook.read_text(encoding="utf-8")
    try:
        codebook.write_text(original + "\n# a comment changes no cache key\n", encoding="utf-8")
        assert run_coding(config, documents, nlp.sentences).n_coded == 0
        data = yaml.safe_load(original)
        data["variables"][0]["values"][0]["definition"] += " (edited)"
        codebook.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert run_nlp(config, documents).n_parsed == 0
        assert run_coding(config, documents, nlp.sentences).n_coded == 2
    finally:
        codebook.write_text(original, encoding="utf-8")


def test_no_model_means_rules_and_says_so(project):
    config = load_config(project / "configs", root=project)
    codebook = load_codebook(config.config_dir / "codebook.yaml")
    model, note = load_current_model(config, codebook)
    assert model is None
    assert "make train" in note and "rules alone" in note


def test_a_model_is_used_only_while_it_matches_what_it_was_made_from(project, monkeypatch):
    import pipeline.coding.classify as classify

    config = load_config(project / "configs", root=project)
    codebook = load_codebook(config.config_dir / "codebook.yaml")
    gold = config.paths.annotations / classify.GOLD_FILE
    gold.parent.mkdir(parents=True, exist_ok=True)
    gold.write_text('{"id": "c001"}\n', encoding="utf-8")
    classify.save_model(config, classify.SentenceModel(pipeline=None,
                                                       labels=["cause:scope_gap"]))
    model, note = load_current_model(config, codebook)
    assert model is not None and "using coder.pkl (1 labels)" in note
    # a newer coding stage (its features may differ) wants a new model
    monkeypatch.setattr(classify, "CODING_VERSION", classify.CODING_VERSION + 1)
    model, note = load_current_model(config, codebook)
    assert model is None and "another version of the coding stage" in note
    monkeypatch.undo()
    gold.write_text('{"id": "c002"}\n', encoding="utf-8")
    model, note = load_current_model(config, codebook)
    assert model is None and "older than data/annotations/codes_gold.jsonl" in note


def test_a_reported_framing_the_document_contradicts_is_rejected():
    sentences = pd.DataFrame({"doc_id": ["d", "d", "e", "e"], "sent_idx": [0, 1, 0, 1],
                              "section": ["Body"] * 4})
    codes = _codes([
        ("d", 0, "outcome_framing", "failure", "reported"),
        ("d", 1, "outcome_framing", "constructive_no_deal", "asserted"),
        # beside a mixed verdict a reported framing stays reported
        ("e", 0, "outcome_framing", "mixed", "asserted"),
        ("e", 1, "outcome_framing", "failure", "reported"),
    ])
    out = aggregate_codes(codes, sentences, [])
    rows = {(r.doc_id, r.value): r.assessment for r in out.itertuples()}
    assert rows == {("d", "failure"): "rejected", ("d", "constructive_no_deal"): "asserted",
                    ("e", "mixed"): "asserted", ("e", "failure"): "reported"}


def _dismissal_records():
    """Sentences with one coded value each: dismissed with words the assessment cues need
    not list ('a red herring', 'a sideshow'), or asserted."""
    dismissed = ["{} was a red herring in Hanoi.", "{} was a sideshow, nothing more.",
                 "Pointing at {} is a red herring.", "{} remained a sideshow to the talks."]
    asserted = ["{} sank the talks in Hanoi.", "{} explains the walkout.",
                "In the end {} decided the outcome.", "{} drove the collapse."]
    records = []
    for subject in ("Bolton", "The hawks", "Pompeo", "The Cohen hearing"):
        for template, assessment in [*((t, "rejected") for t in dismissed),
                                     *((t, "asserted") for t in asserted)]:
            records.append({"text": template.format(subject), "codes": [
                {"variable": "cause", "value": "hardliner_influence", "holder": None,
                 "assessment": assessment}]})
    return records


def _found_as_asserted(text):
    """A rule coder that finds the value but cannot tell the dismissal: asserted."""
    return [{"variable": "cause", "holder": None, "value": "hardliner_influence",
             "assessment": "asserted", "start_char": 0, "end_char": text.index(" "),
             "sent_idx": 0}]


def test_assessor_turns_a_dismissed_asserted_code_into_rejected():
    from pipeline.coding.classify import reassess, train_assessor

    assessor = train_assessor(_dismissal_records(), _found_as_asserted)
    text = "Bolton's folder was a red herring."
    rows = reassess(assessor, text, 0, _found_as_asserted(text), 0.6, {"cause"})
    assert [(r["assessment"], r["assessed_by"]) for r in rows] == [("rejected", "model")]
    # an assessment left as the rules gave it is not marked (the stage fills in "rules")
    text = "Bolton sank the talks."
    rows = reassess(assessor, text, 0, _found_as_asserted(text), 0.6, {"cause"})
    assert [(r["assessment"], r.get("assessed_by")) for r in rows] == [("asserted", None)]
    # a reported view the sentence dismisses is rejected too ("Some blame Bolton, a red
    # herring"); a rejected code is never touched
    for assessment in ("reported", "rejected"):
        found = [{**_found_as_asserted(text)[0], "assessment": assessment}]
        assert reassess(assessor, "Bolton was a red herring.", 0, found, 0.6, {"cause"})[0][
            "assessment"] == "rejected"
    # nor is a code of a variable the assessor does not judge
    assert reassess(assessor, "Bolton was a red herring.", 0, _found_as_asserted(text), 0.6,
                    {"blame"})[0]["assessment"] == "asserted"


def test_model_reassesses_a_docs_rows_sentence_by_sentence():
    import spacy

    from pipeline.coding.classify import SentenceModel, train_assessor

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("Bolton sank the talks. Pompeo was a red herring.")
    second = doc.text.index("Pompeo")
    rows = [{**_found_as_asserted("Bolton sank")[0]},
            {**_found_as_asserted("Pompeo was")[0], "sent_idx": 1, "start_char": second,
             "end_char": second + len("Pompeo")}]
    model = SentenceModel(pipeline=None, labels=[], sklearn_version="", annotations_sha256="",
                          codebook_sha256="",
                          assessor=train_assessor(_dismissal_records(), _found_as_asserted))
    out = model.reassess_doc(doc, rows, threshold=0.6, variables={"cause"})
    assert [(r["sent_idx"], r["assessment"], r.get("assessed_by")) for r in out] == [
        (0, "asserted", None), (1, "rejected", "model")]
    assert "assessed_by" not in rows[1]  # the input rows are not changed


def test_classifier_adds_only_confident_labels_of_its_variables_the_rules_missed(nlp):
    from pipeline.coding.classify import added_labels

    probs = {"cause:sanctions_gap": 0.9, "cause:scope_gap": 0.8, "cause:miscalculation": 0.3,
             "outlook:impasse": 0.95}
    sentence = nlp("Pyongyang wanted most of the sanctions lifted in exchange for one site.")[:]
    assert added_labels(probs, sentence, {"cause:scope_gap"}, 0.5, {"cause"}) == [
        ("cause", "sanctions_gap", 0.9)]
    # a fragment, and a heading without a verb, get nothing
    for text in ("We see it differently.",
                 "Assessment and Tasks for the Resumption of Working-Level Negotiations"):
        assert added_labels(probs, nlp(text)[:], set(), 0.5, {"cause"}) == []


def test_sentence_vectors_are_unit_length_deterministic_and_semantic():
    import numpy as np

    from pipeline.coding.embed import sentence_vectors

    texts = ["Trump needed a win at home.", "The president wanted a domestic triumph.",
             "Yongbyon is a nuclear complex."]
    first, again = sentence_vectors(texts), sentence_vectors(texts)
    assert first.shape == (3, 256)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    similarity = first @ first.T
    assert similarity[0, 1] > similarity[0, 2]
    assert sentence_vectors([]).shape == (0, 256)


def test_sentence_classifier_learns_a_paraphrase_from_vectors():
    from pipeline.coding.classify import train

    records = [{"text": t, "codes": [{"variable": "cause", "value": v, "holder": None,
                                      "assessment": "asserted"}]}
               for t, v in [
                   ("Trump needed a political win at home after the Cohen hearing.",
                    "us_domestic_politics"),
                   ("The president's domestic troubles pushed him to walk out.",
                    "us_domestic_politics"),
                   ("Scandal at home made the president unwilling to look weak.",
                    "us_domestic_politics"),
                   ("The two sides disagreed on how much sanctions relief to grant.",
                    "sanctions_gap"),
                   ("Pyongyang wanted most UN sanctions lifted; Washington refused.",
                    "sanctions_gap"),
                   ("The price in sanctions relief was too high for Washington.",
                    "sanctions_gap")]]
    pipe, labels = train(records, lambda text: [], {"cause"})
    probs = dict(zip(labels, pipe.predict_proba(
        [{"text": "Facing investigations at home, the president could not afford a weak "
                  "deal.", "hits": []}])[0], strict=True))
    assert probs["cause:us_domestic_politics"] > probs["cause:sanctions_gap"]


def test_dismissals_outweighing_a_stray_assertion_make_the_document_reject():
    sentences = pd.DataFrame({"doc_id": ["d"] * 4, "sent_idx": [0, 1, 2, 3],
                              "section": ["Summary", "Body", "Body", "Body"]})
    codes = _codes([
        ("d", 0, "cause", "hardliner_influence", "rejected"),
        ("d", 1, "cause", "hardliner_influence", "asserted"),
        ("d", 2, "cause", "scope_gap", "rejected"),
        ("d", 3, "cause", "scope_gap", "asserted"),
        ("d", 1, "cause", "sanctions_gap", "asserted"),
        ("d", 2, "cause", "sanctions_gap", "asserted"),
        ("d", 3, "cause", "sanctions_gap", "rejected"),
    ])
    out = aggregate_codes(codes, sentences, [SectionWeight("summary", 1.5)])
    rows = {r.value: (r.assessment, r.weight) for r in out.itertuples()}
    # a dismissal in the summary outweighs one assertion; equal weights go to the dismissal;
    # two assertions outweigh one dismissal
    assert rows["hardliner_influence"][0] == "rejected"
    assert rows["scope_gap"][0] == "rejected"
    assert rows["sanctions_gap"] == ("asserted", 2.0)


def test_values_with_too_little_evidence_are_left_out_of_the_document():
    sentences = pd.DataFrame({"doc_id": ["d"] * 3, "sent_idx": [0, 1, 2],
                              "section": ["Body"] * 3})
    codes = _codes([
        ("d", 0, "cause", "scope_gap", "asserted"),
        ("d", 1, "cause", "sanctions_gap", "asserted"),
        ("d", 2, "cause", "sanctions_gap", "asserted"),
    ], confidence=0.4)
    out = aggregate_codes(codes, sentences, [], min_weight=0.45)
    assert list(out["value"]) == ["sanctions_gap"]
    assert set(aggregate_codes(codes, sentences, [])["value"]) == {"scope_gap", "sanctions_gap"}
