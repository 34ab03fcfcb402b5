"""NLP stage: layout, positions from the parse, the stage's tables and caching."""

from __future__ import annotations

import pandas as pd
import pytest
import spacy
import yaml

from pipeline.config import ConfigError, load_config
from pipeline.ingest.stage import run_ingest
from pipeline.nlp.build import build_nlp
from pipeline.nlp.layout import HEADINGS, is_heading, paragraph_spans
from pipeline.nlp.positions import load_position_rules, position_rows
from pipeline.nlp.stage import run_nlp
from tests.conftest import SECOND_ID, SEJONG_ID, copy_project


@pytest.fixture(scope="session")
def seed_tables(tmp_path_factory):
    """Ingest and NLP over the two seed briefs in a throw-away project (run once)."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    config = load_config(root / "configs", root=root)
    documents = run_ingest(config).documents
    return config, documents, run_nlp(config, documents)


def positions_of(nlp, text: str) -> set[tuple[str, str, str, str]]:
    return {(r["holder"], r["relation"], r["target"], r["polarity"])
            for r in position_rows(nlp(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Executive Summary", True),
        ("3. Prospect", True),
        ("(1) Establishment of a Comprehensive Nuclear Roadmap", True),
        ("4. Policy Recommendations", True),
        ("The summit failed.", False),
        ("North Korea and the United States may resume negotiations, first at the working "
         "level and then at a third summit", False),
    ],
)
def test_is_heading(text, expected):
    assert is_heading(text) is expected


def test_paragraph_spans():
    text = "Executive Summary\n\nFirst para.\n\n\n\nSecond para."
    assert [text[s:e] for s, e in paragraph_spans(text)] == [
        "Executive Summary", "First para.", "Second para."]


def test_note_marks_are_tokens_and_end_their_sentence(nlp):
    doc = nlp("Washington wanted a big deal in return for a bright economic future.[2] "
              "North Korea's proposal followed the action-for-action formula[3] instead.")
    assert [s.text for s in doc.sents] == [
        "Washington wanted a big deal in return for a bright economic future.[2]",
        "North Korea's proposal followed the action-for-action formula[3] instead."]
    assert {"future", "[2]", "formula", "[3]"} <= {t.text for t in doc}


def test_layout_makes_headings_their_own_sentences():
    nlp = spacy.blank("en")
    nlp.add_pipe("briefs_layout")
    nlp.add_pipe("sentencizer")
    doc = nlp("3. Prospect\n\nThe first scenario is the resumption of dialogue. It may fail.")
    sents = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert sents[0] == "3. Prospect"
    assert [h.text for h in doc.spans[HEADINGS]] == ["3. Prospect"]
    assert sents[1] == "The first scenario is the resumption of dialogue."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A package deal was proposed by the United States.",
         {("us", "proposes", "big_deal", "support")}),
        ("North Korea proposed a gradual solution.",
         {("dprk", "proposes", "small_deal", "support")}),
        ("The United States did not accept the small deal.",
         {("us", "rejects", "small_deal", "oppose")}),
        ("Pyongyang refused to accept a package deal.",
         {("dprk", "rejects", "big_deal", "oppose")}),
        ("North Korea demanded sanctions relief.",
         {("dprk", "demands", "sanctions_relief", "support")}),
        ("Pyongyang offered to dismantle the Yongbyon nuclear complex in exchange for the "
         "lifting of sanctions.",
         {("dprk", "offers", "yongbyon_dismantlement", "support"),
          ("dprk", "demands", "sanctions_relief", "support")}),
        ("North Korea requested the lifting of the five UN sanctions imposed since 2016 as "
         "compensation for the decommissioning of the Yongbyon nuclear facility.",
         {("dprk", "demands", "sanctions_relief", "support"),
          ("dprk", "offers", "yongbyon_dismantlement", "support")}),
        ("South Korea should come up with a roadmap for a comprehensive agreement and "
         "gradual implementation.",
         {("author", "advocates", "roadmap", "support"),
          ("author", "advocates", "hybrid", "support")}),
        ("Should Washington have accepted the small deal?", set()),
        ("If Washington offers sanctions relief, the talks may resume.", set()),
        ("Let us consider the big deal.", set()),
        # the clause fallback: the actor subject of the approach's own clause holds it ...
        ("Washington arrived in Hanoi with a grand bargain in mind.",
         {("us", "proposes", "big_deal", "support")}),
        ("Pyongyang came to Hanoi with a phased approach in its pocket.",
         {("dprk", "proposes", "small_deal", "support")}),
        ("North Korea's proposal followed the familiar action-for-action formula.",
         {("dprk", "proposes", "small_deal", "support")}),
        # ... unless the verb only talks about it, the subject is a noun the actor owns, or
        # the approach is set aside
        ("Washington discussed a big deal.", set()),
        ("Kim misjudged a grand bargain.", set()),
        ("The Trump administration's posture left little room for an interim agreement.",
         set()),
        # what a verb's "against" phrase names is turned down, also by verbs that state a
        # stance only that way
        ("Beijing argued against a grand bargain.",
         {("china", "proposes", "big_deal", "oppose")}),
        ("Tokyo cautioned Washington against a step-by-step deal.",
         {("japan", "proposes", "small_deal", "oppose")}),
        ("Canberra should counsel Washington against all-or-nothing bargaining.",
         {("author", "advocates", "big_deal", "oppose")}),
        ("Tokyo warned that a step-by-step deal would fail.", set()),
        # dropping an approach is turning it down
        ("Washington must drop its all-or-nothing demands.",
         {("author", "advocates", "big_deal", "oppose")}),
        # a subject that is no one denies the stance
        ("Neither Beijing nor Moscow has endorsed an all-or-nothing formula.",
         {("china", "proposes", "big_deal", "oppose"),
          ("russia", "proposes", "big_deal", "oppose")}),
        # the alternative of "rather than" / "instead of" is turned down
        ("Washington should pursue a phased agreement instead of a grand bargain.",
         {("author", "advocates", "small_deal", "support"),
          ("author", "rejects", "big_deal", "oppose")}),
        ("Washington, rather than Seoul, should pursue a phased agreement.",
         {("author", "advocates", "small_deal", "support")}),
        # a package and steps held together are a hybrid, not when a contrast or another
        # side stands between them
        ("Washington proposed a comprehensive deal with step-by-step implementation.",
         {("us", "proposes", "hybrid", "support")}),
        ("Pyongyang wanted a grand bargain, yet its offer was a limited exchange.",
         {("dprk", "proposes", "big_deal", "support"),
          ("dprk", "proposes", "small_deal", "support")}),
    ],
)
def test_positions_from_the_parse(nlp, text, expected):
    assert positions_of(nlp, text) == expected


def test_pronoun_us_is_never_the_united_states(nlp):
    doc = nlp("Let us be clear: the US proposal gives us little. It worries us.")
    assert [(s.text, s.id_) for s in doc.spans["actors"]] == [("US", "us")]


def test_seed_acceptance_positions(seed_tables):
    _, _, result = seed_tables
    positions = result.positions.astype(object).where(result.positions.notna(), None)
    found = {(r.doc_id, r.holder, r.holder_state, r.relation, r.target)
             for r in positions.itertuples()}
    by_state = {(d, s, rel, t) for d, _, s, rel, t in found}
    assert (SECOND_ID, "us", "proposes", "big_deal") in by_state
    assert (SEJONG_ID, "us", "proposes", "big_deal") in by_state
    assert (SECOND_ID, "dprk", "proposes", "small_deal") in by_state
    assert (SEJONG_ID, "dprk", "demands", "sanctions_relief") in by_state
    assert (SECOND_ID, "dprk", "demands", "sanctions_relief") in by_state
    assert (SEJONG_ID, "dprk", "offers", "yongbyon_dismantlement") in by_state
    assert (SECOND_ID, "dprk", "offers", "yongbyon_dismantlement") in by_state
    assert (SECOND_ID, "author", None, "advocates", "hybrid") in found


def test_tables_are_consistent(seed_tables):
    config, documents, result = seed_tables
    sentences, mentions = result.sentences, result.mentions
    assert set(sentences["doc_id"]) == set(documents["doc_id"])
    keys = set(zip(sentences["doc_id"], sentences["sent_idx"], strict=True))
    for frame in (mentions, result.positions):
        assert set(zip(frame["doc_id"], frame["sent_idx"], strict=True)) <= keys
    # every mention's text is the sentence text at its offsets
    merged = mentions.merge(sentences, on=["doc_id", "sent_idx"], suffixes=("", "_sent"))
    for row in merged.itertuples():
        assert row.start_char_sent <= row.start_char < row.end_char <= row.end_char_sent
        offset = row.start_char - row.start_char_sent
        assert row.text_sent[offset: offset + len(row.text)] == row.text
    assert not ((mentions["kind"] == "actor") & (mentions["text"] == "us")).any()
    sections = sentences[sentences["doc_id"] == SECOND_ID].set_index("sent_idx")["section"]
    assert "3. Prospect" in set(sections)
    recommendation = sentences[sentences["text"].str.startswith("To maintain the momentum")]
    assert recommendation["section"].tolist() == [
        "(1) Establishment of a Comprehensive Nuclear Roadmap"]


def test_second_run_parses_nothing_and_vocabulary_edit_reparses(seed_tables):
    config, documents, first = seed_tables
    again = run_nlp(config, documents)
    assert (again.n_parsed, again.n_cached) == (0, 2)
    pd.testing.assert_frame_equal(again.positions, first.positions)
    actors = config.config_dir / "actors.yaml"
    original = actors.read_text(encoding="utf-8")
    try:
        actors.write_text(original + "\n# layout and comments change no cache key\n",
                          encoding="utf-8")
        assert run_nlp(config, documents).n_parsed == 0
        data = yaml.safe_load(original)
        data["not_actors"].append("Hanoi Hilton")
        actors.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert run_nlp(config, documents).n_parsed == 2
    finally:
        actors.write_text(original, encoding="utf-8")


def test_bad_position_rules_name_file_and_key(tmp_path):
    bad = tmp_path / "positions.yaml"
    bad.write_text("verbs:\n  suggests: [propose]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"positions.yaml: verbs: unknown relation 'suggests'"):
        load_position_rules(bad)
    bad.write_text("verb: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'verb'"):
        load_position_rules(bad)


def test_unknown_model_is_a_config_error(project):
    (project / "configs" / "nlp.yaml").write_text("model: en_core_web_nonexistent\n")
    config = load_config(project / "configs", root=project)
    with pytest.raises(ConfigError, match="nlp.yaml: model: spaCy pipeline"):
        build_nlp(config)


def test_a_component_failure_drops_one_document_not_the_build(project, monkeypatch):
    from pipeline.nlp.positions import PositionExtractor

    original = PositionExtractor.__call__

    def fail_on_sejong(self, doc):
        if "Sejong" in doc.text:
            raise RuntimeError("simulated bug")
        return original(self, doc)

    monkeypatch.setattr(PositionExtractor, "__call__", fail_on_sejong)
    config = load_config(project / "configs", root=project)
    result = run_nlp(config, run_ingest(config).documents)
    assert set(result.sentences["doc_id"]) == {SECOND_ID}
    assert any(SEJONG_ID in p and "failed" in p for p in result.problems)
