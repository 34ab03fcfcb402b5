"""The approach classifier (pipeline/coding/holders.py) and the sentence assessor of the codes
the classifiers add."""

from __future__ import annotations

import functools

import pytest

from pipeline.coding.holders import (
    Sides,
    added_approaches,
    approach_candidates,
    code_approaches,
    train_approach,
)
from pipeline.config import load_config
from pipeline.nlp.stage import doc_rows
from pipeline.nlp.vocab import Actor, Vocabulary, load_vocabulary

SIDES = Sides.from_vocabulary(load_vocabulary(load_config().config_dir))


@pytest.fixture(scope="module")
def parse(nlp):
    """text -> (its Span, its mentions, no rule rows), as the evaluator parses gold."""
    vocab = load_vocabulary(load_config().config_dir)

    def parse_text(text):
        doc = nlp(text)
        return doc[:], doc_rows(doc, [0], [None], ["body"], vocab)["mentions"], []

    return parse_text


def test_candidates_are_the_named_sides_as_states_and_the_author(parse):
    rows = approach_candidates(*parse(
        "Pyongyang's offer was one reactor complex, while Trump wanted everything at once, "
        "and the UN waited."), SIDES)
    # Trump rolls up to us; the UN is no state
    assert [r["holder"] for r in rows] == ["dprk", "us", "author"]
    dprk, us, author = (r["features"] for r in rows)
    assert dprk["role=possessor"] == 1.0 and dprk["head=offer"] == 1.0
    assert us["role=subject"] == 1.0 and us["scope=want"] == 1.0
    assert author["recommending"] == 0.0
    assert all(r["text"].startswith("Pyongyang's offer") for r in rows)
    # the rules' approach codes of a side are among its features
    sent, mentions, _ = parse("Washington should stop insisting on everything up front.")
    rule = [{"variable": "approach", "holder": "author", "value": "big_deal"}]
    rows = approach_candidates(sent, mentions, rule, SIDES)
    assert [r["holder"] for r in rows] == ["us", "author"]
    assert rows[-1]["features"]["rule=big_deal"] == 1.0
    assert rows[0]["features"]["rule_other=big_deal"] == 1.0
    assert rows[-1]["features"]["recommending"] == 1.0
    # the side a recommendation addresses is marked, the side in a plain statement not
    assert rows[0]["features"]["addressed"] == 1.0
    assert "addressed" not in us


def test_a_bare_surname_of_one_states_persons_names_that_side(parse):
    # the NLP stage links no bare "Kim" or "Moon" the passage has not introduced ...
    sent, mentions, _ = parse("Kim came with a phased offer, and Moon's government backed it.")
    assert {(m["text"], m["kind"]) for m in mentions} >= {("Kim", "unlinked"),
                                                          ("Moon", "unlinked")}
    # ... but only North Korea's persons are called Kim here, and only Seoul's Moon
    rows = approach_candidates(sent, mentions, [], SIDES)
    assert [r["holder"] for r in rows] == ["dprk", "rok", "author"]
    # a surname persons of two states carry names neither, nor does that of a body's person
    vocab = Vocabulary(actors=(
        Actor("us", "state", "United States"), Actor("rok", "state", "South Korea"),
        Actor("un", "organization", "United Nations"),
        Actor("kim_a", "person", "A", affiliation="us", surname="Kim"),
        Actor("kim_b", "person", "B", affiliation="rok", surname="Kim"),
        Actor("lee", "person", "Lee", affiliation="rok", weak_aliases=("Lee",)),
        Actor("guterres", "person", "Guterres", affiliation="un", surname="Guterres"),
    ), proposals=(), approaches=())
    sides = Sides.from_vocabulary(vocab)
    unlinked = {"kind": "unlinked", "entity_id": None, "affiliation": None}
    assert sides.of({**unlinked, "text": "Kim"}) is None
    assert sides.of({**unlinked, "text": "Guterres"}) is None
    assert sides.of({**unlinked, "text": "Lee"}) == "rok"
    assert sides.of({"kind": "actor", "entity_id": "lee", "affiliation": "rok",
                     "text": "Lee Jae"}) == "rok"


def test_additions_skip_sides_the_positions_covered_and_unsure_ones():
    values = ["big_deal", "hybrid", "small_deal"]
    candidates = [{"holder": "us", "features": {}}, {"holder": "dprk", "features": {}},
                  {"holder": "author", "features": {}}, {"holder": "rok", "features": {
                      "rule=hybrid": 1.0}}]
    probs = [[0.9, 0.1, 0.2], [0.3, 0.2, 0.6], [0.1, 0.1, 0.1], [0.95, 0.0, 0.0]]
    assert added_approaches(candidates, probs, values, 0.8) == [("us", "big_deal", 0.9)]
    assert added_approaches(candidates, probs, values, 0.5) == [
        ("us", "big_deal", 0.9), ("dprk", "small_deal", 0.6)]
    # where the positions found the author's recommendation, the states named are the
    # sides it addresses ("Washington should ..."): nothing is added for them
    candidates[2]["features"] = {"rule=small_deal": 1.0}
    assert added_approaches(candidates, probs, values, 0.5) == []
    # nor for a side addressed where the positions found nothing
    candidates[2]["features"] = {}
    candidates[0]["features"] = {"addressed": 1.0}
    assert added_approaches(candidates, probs, values, 0.5) == [("dprk", "small_deal", 0.6)]


def test_no_author_approach_beside_a_side_the_positions_found_unless_it_recommends():
    # "Pyongyang wanted to sell its program in stages": the positions found North Korea's
    # approach, and the sentence describes it; it is not the author's recommendation
    values = ["big_deal", "hybrid", "small_deal"]
    author = {"holder": "author", "features": {"recommending": 0.0, "first_person": 0.0}}
    candidates = [{"holder": "dprk", "features": {"rule=small_deal": 1.0}}, author]
    probs = [[0.0, 0.0, 0.9], [0.1, 0.1, 0.8]]
    assert added_approaches(candidates, probs, values, 0.5) == []
    # "... and we should offer the same": the author speaks
    author["features"]["recommending"] = 1.0
    assert added_approaches(candidates, probs, values, 0.5) == [("author", "small_deal", 0.8)]
    # with no side's approach found, the author's stays open to the classifier
    author["features"]["recommending"] = 0.0
    candidates[0]["features"] = {}
    assert added_approaches(candidates, probs, values, 0.5) == [
        ("dprk", "small_deal", 0.9), ("author", "small_deal", 0.8)]


def _record(text, *codes):
    return {"text": text, "codes": [{"variable": "approach", "holder": h, "value": v,
                                     "assessment": "asserted"} for h, v in codes]}


def _side_records():
    """Who wanted everything at once and who wanted to trade piece by piece, by template."""
    everything = ["{} wanted every weapon and every site on the table before any relief.",
                  "{} demanded the whole arsenal up front, with rewards only at the end.",
                  "{} held out for total disarmament first and sanctions relief afterwards."]
    piecemeal = ["{} offered one reactor complex in return for most of the relief.",
                 "{} proposed to sell its programme one facility at a time.",
                 "{} wanted each small step paid for with some sanctions relief."]
    records = []
    for side, state in (("Washington", "us"), ("The Americans", "us"),
                        ("Pyongyang", "dprk"), ("North Korea", "dprk")):
        for template in everything:
            records.append(_record(template.format(side), (state, "big_deal")))
        for template in piecemeal:
            records.append(_record(template.format(side), (state, "small_deal")))
    records.append(_record("The two delegations met in Hanoi on 27 February."))
    return records


def test_classifier_learns_which_side_wanted_what(parse):
    pipe, values = train_approach(_side_records(), parse, SIDES)
    assert values == ["big_deal", "small_deal"]
    sentences = [parse("In Hanoi, the United States insisted on total disarmament first, with "
                       "rewards only at the end."),
                 parse("Seoul offered a single factory in return for partial relief, step by "
                       "small step."),
                 parse("Too short.")]
    added = code_approaches(pipe, values, sentences, threshold=0.5, sides=SIDES)
    assert [(h, v) for h, v, _ in added[0]] == [("us", "big_deal")]
    assert [(h, v) for h, v, _ in added[1]] == [("rok", "small_deal")]
    assert added[2] == []  # a fragment gets nothing


def test_model_codes_a_docs_sentences_with_the_approaches_it_adds(nlp, parse):
    from pipeline.coding.classify import SentenceModel
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.rules import RuleCoder

    config = load_config()
    model = SentenceModel(pipeline=None, labels=[], sklearn_version="", annotations_sha256="",
                          codebook_sha256="")
    model.approach, values = train_approach(_side_records(), parse, SIDES)
    model.approach_values = tuple(values)
    text = ("The summit opened on 27 February. Critics say the United States insisted on "
            "total disarmament first, with rewards only at the end.")
    doc = nlp(text)
    rows = doc_rows(doc, [0], [None], ["body"], load_vocabulary(config.config_dir))
    coder = RuleCoder(load_codebook(config.config_dir / "codebook.yaml"), nlp.vocab)
    out = model.code_doc_approaches(doc, [], rows["mentions"], coder, 0.5, SIDES)
    second = text.index("Critics")
    assert [(r["sent_idx"], r["holder"], r["value"], r["assessment"], r["method"],
             r["start_char"], r["end_char"]) for r in out] == [
        (1, "us", "big_deal", "reported", "model", second, len(text))]

    # the sentence assessor sees the assessments of the rules' codes in the sentence, not
    # those of the codes the sentence classifier added before it (as in training)
    class Recorder:
        seen: list = []

        def predict(self, features):
            self.seen.extend(features)
            return ["asserted"]

    model.sentence_assessor = Recorder()
    found = [{"sent_idx": 1, "variable": "cause", "value": "sanctions_gap",
              "assessment": "rejected", "method": "rules"},
             {"sent_idx": 1, "variable": "outlook", "value": "impasse",
              "assessment": "reported", "method": "model"}]
    model.code_doc_approaches(doc, found, rows["mentions"], coder, 0.5, SIDES)
    assert [k for k in Recorder.seen[0] if k.startswith("rules_others=")] == [
        "rules_others=reported:rejected"]
    # a side whose approach the positions found gets nothing more
    ruled = [{"sent_idx": 1, "variable": "approach", "holder": "us", "value": "small_deal"}]
    assert model.code_doc_approaches(doc, ruled, rows["mentions"], coder, 0.5, SIDES) == []


def test_sentence_assessor_judges_added_codes_from_their_sentence():
    from pipeline.coding.classify import judge_assessment, train_sentence_assessor

    def record(text, assessment):
        return {"text": text, "codes": [{"variable": "cause", "value": "hardliner_influence",
                                         "holder": None, "assessment": assessment}]}

    records = [record(t.format(s), a) for s in ("Bolton", "The hawks", "Pompeo")
               for t, a in (("{} was a red herring in the end.", "rejected"),
                            ("Blaming {} is a distraction from the substance.", "rejected"),
                            ("{} wrecked the talks in Hanoi.", "asserted"),
                            ("{} pushed Trump to walk away.", "asserted"),
                            ("Critics in Seoul say {} pushed Trump to walk away.", "reported"))]
    assessor = train_sentence_assessor(records, lambda text: "asserted", lambda text: [])
    judge = functools.partial(judge_assessment, assessor, variable="cause", holder=None,
                              value="hardliner_influence", rules="asserted")
    assert judge("The national security adviser was a red herring.") == "rejected"
    assert judge("The national security adviser wrecked the summit.") == "asserted"
    # without an assessor: the rules' assessment of the sentence
    assert judge_assessment(None, "Critics say Bolton wrecked it.", "cause", None,
                            "hardliner_influence", "reported") == "reported"


def test_sentence_assessor_sees_whether_the_rules_spent_the_rejection():
    # "It was price, not sequencing, ...": where the rules already rejected another value, the
    # sentence's rejection cue is spent and an added code is the asserted one
    from pipeline.coding.classify import judge_assessment, train_sentence_assessor

    spent = {"variable": "cause", "value": "approach_gap", "assessment": "rejected"}
    records = [{"text": f"Case {i} {word} of the sanctions quarrel.",
                "codes": [{"variable": "cause", "value": "sanctions_gap", "holder": None,
                           "assessment": assessment}]}
               for i in range(6)
               for word, assessment in (("alpha", "asserted"), ("beta", "rejected"))]
    assessor = train_sentence_assessor(
        records, lambda text: "rejected", lambda text: [spent] if "alpha" in text else [])
    judge = functools.partial(judge_assessment, assessor, "Case 9 of the sanctions quarrel.",
                              "cause", None, "sanctions_gap", "rejected")
    assert judge(["rejected"]) == "asserted"
    assert judge([]) == "rejected"


def _assessed_records():
    """Causes asserted, rejected and reported (each assessment class at least twice)."""
    return [
        {"text": text, "codes": [{"variable": "cause", "value": value, "holder": None,
                                  "assessment": assessment}]}
        for text, value, assessment in [
            ("Trump needed a political win at home after the Cohen hearing.",
             "us_domestic_politics", "asserted"),
            ("The two sides disagreed on how much sanctions relief to grant.",
             "sanctions_gap", "asserted"),
            ("Bolton was not what sank the talks.", "hardliner_influence", "rejected"),
            ("The hawks were not the key determinant of the outcome.", "hardliner_influence",
             "rejected"),
            ("Critics say Bolton sank the talks.", "hardliner_influence", "reported"),
            ("Some analysts argue that the hawks sank the talks.", "hardliner_influence",
             "reported")]]


def test_evaluation_codes_as_the_build_with_classifiers_trained_elsewhere():
    from pipeline.coding.evaluate import (
        CodingEvaluator,
        combined_codes,
        combined_cross_validated,
        train_models,
    )

    evaluator = CodingEvaluator(load_config())
    train = _side_records() + _assessed_records()
    target = [{"id": "t1", "text": "In Hanoi, the United States insisted on total "
                                   "disarmament first, with rewards only at the end."},
              {"id": "t2", "text": "Talks are unlikely to resume this year."}]
    codes = combined_codes(evaluator, train_models(evaluator, train), target)
    # the classifier's approach beside the rules' outlook codes
    assert ("approach", "us", "big_deal", "asserted") in codes["t1"]
    assert codes["t2"] == {("outlook", "", "resumption", "rejected"),
                           ("outlook", "", "impasse", "asserted")}
    # cross-validated: every training record coded by classifiers not trained on it
    records = [{**r, "id": f"r{i}"} for i, r in enumerate(train)]
    assert set(combined_cross_validated(evaluator, records, folds=2)) == {
        r["id"] for r in records}


def test_the_build_uses_a_trained_model(tmp_path):
    """`make train` then `make`: the stage feeds the approach classifier each document's
    sentences and mentions, and its additions reach `codes` and `doc_codes`."""
    import argparse
    import json

    from pipeline.cli import cmd_train
    from pipeline.coding.stage import run_coding
    from pipeline.ingest.stage import run_ingest
    from pipeline.nlp.stage import run_nlp
    from tests.conftest import copy_project

    root = copy_project(tmp_path)
    brief = root / "data" / "raw" / "test-tank" / "what-washington-wanted.txt"
    brief.parent.mkdir()
    # (wording the positions do not read, so that the approach is the classifier's)
    brief.write_text("Test Tank\nWhat Washington Wanted\n\nIn Hanoi, the United States insisted "
                     "on total disarmament first, with rewards afterwards. The talks "
                     "ended early.\n", encoding="utf-8")
    annotations = root / "data" / "annotations"
    annotations.mkdir(parents=True)
    with open(annotations / "codes_gold.jsonl", "w", encoding="utf-8") as handle:
        for i, record in enumerate(_side_records() + _assessed_records()):
            handle.write(json.dumps({"id": f"r{i}", "split": "train", **record}) + "\n")
    config = load_config(root / "configs", root=root)
    assert cmd_train(config, argparse.Namespace()) == 0
    documents = run_ingest(config).documents
    nlp = run_nlp(config, documents)
    result = run_coding(config, documents, nlp.sentences)
    assert result.method == "rules+model" and not result.problems
    doc_id = documents.loc[documents["path"].str.contains("test-tank"), "doc_id"].iloc[0]
    added = result.codes[(result.codes["doc_id"] == doc_id)
                         & (result.codes["variable"] == "approach")]
    assert [(r.holder, r.value, r.method, r.sent_idx) for r in added.itertuples()] == [
        ("us", "big_deal", "model", 2)]
    doc = result.doc_codes[(result.doc_codes["doc_id"] == doc_id)
                           & (result.doc_codes["variable"] == "approach")]
    assert [(r.holder, r.value, r.assessment) for r in doc.itertuples()] == [
        ("us", "big_deal", "asserted")]
