"""Coding stage, rule coder: cue-based codes, assessment scope, approach from positions,
and the acceptance targets on the two seed briefs (real pipeline, loaded once)."""

from __future__ import annotations

import bisect

import pytest

from pipeline.coding.codebook import load_codebook
from pipeline.coding.rules import RuleCoder, assess
from pipeline.config import load_config
from pipeline.ingest.txt import extract_txt
from pipeline.nlp.positions import position_rows
from pipeline.nlp.stage import iter_sentences
from tests.conftest import PROJECT, SEEDS, SEJONG, UNKNOWN

COLUMNS = [
    "sent_idx",
    "variable",
    "value",
    "holder",
    "assessment",
    "method",
    "confidence",
    "cue",
    "start_char",
    "end_char",
]


@pytest.fixture(scope="session")
def coder(nlp):
    codebook = load_codebook(PROJECT / "configs" / "codebook.yaml")
    return RuleCoder(codebook, nlp.vocab, nlp.tokenizer)


def positions_for(doc):
    """Positions rows with sent_idx, as the NLP stage writes them."""
    starts = [start for _idx, _sent, start in iter_sentences(doc)]
    return [
        {**row, "sent_idx": max(0, bisect.bisect_right(starts, row["start_char"]) - 1)}
        for row in position_rows(doc)
    ]


def code(nlp, coder, text):
    doc = nlp(text)
    return coder.code_doc(doc, positions_for(doc))


def found(nlp, coder, text):
    return {(r["variable"], r["value"], r["assessment"]) for r in code(nlp, coder, text)}


# ------------------------------------------------------------------------ values by cue


@pytest.mark.parametrize(
    ("text", "variable", "value"),
    [
        # blame laid on a side named by its officials or institutions, or shared
        ("The White House bears much of the responsibility for the collapse.", "blame", "us"),
        ("Responsibility for the outcome in Hanoi is shared between the two governments.",
         "blame", "both"),
        ("The Trump administration dropped the ball in Hanoi.", "blame", "us"),
        ("Pyongyang dropped the ball in Hanoi.", "blame", "dprk"),
        ("The fault lies with a regime that pocketed every concession.", "blame", "dprk"),
        (
            "The talks collapsed over North Korea's demand for the lifting of sanctions.",
            "cause",
            "sanctions_gap",
        ),
        (
            "Washington refused any easing of sanctions before full denuclearization.",
            "cause",
            "sanctions_gap",
        ),
        ("Washington wanted Pyongyang to commit to steps beyond Yongbyon.", "cause", "scope_gap"),
        ("The sides clashed over the scope of denuclearization.", "cause", "scope_gap"),
        (
            "The two sides still disagree about what denuclearization means.",
            "cause",
            "definition_gap",
        ),
        (
            "The summit exposed a mismatch between the two sides' approaches.",
            "cause",
            "approach_gap",
        ),
        (
            "The gap between Washington's all-or-nothing big deal and Pyongyang's incremental "
            "approach could not be bridged.",
            "cause",
            "approach_gap",
        ),
        (
            "The summit was held without sufficient working-level groundwork.",
            "cause",
            "poor_preparation",
        ),
        ("Top-down summitry left no room for detailed negotiation.", "cause", "poor_preparation"),
        ("Trump needed a win at home after the Cohen testimony.", "cause", "us_domestic_politics"),
        ("Hawks in the administration pushed Trump to walk away.", "cause", "hardliner_influence"),
        ("Pyongyang miscalculated Trump's willingness to settle.", "cause", "miscalculation"),
        ("Kim overplayed his hand in Hanoi.", "cause", "miscalculation"),
        ("Washington had badly underestimated how little Pyongyang would give.", "cause",
         "miscalculation"),
        ("The blame lies squarely with Washington.", "blame", "us"),
        ("Washington's maximalist demands doomed the talks.", "blame", "us"),
        ("North Korea's intransigence doomed the talks.", "blame", "dprk"),
        ("Both sides share responsibility for the outcome.", "blame", "both"),
        ("No one is to blame for the outcome.", "blame", "neither"),
        ("The Hanoi summit was a debacle for American diplomacy.", "outcome_framing", "failure"),
        (
            "In the end, no deal is better than a bad deal.",
            "outcome_framing",
            "constructive_no_deal",
        ),
        (
            "The summit clarified positions and left the door open.",
            "outcome_framing",
            "constructive_no_deal",
        ),
        ("The summit was not a complete failure.", "outcome_framing", "mixed"),
        (
            "Negotiations are likely to continue with a third summit later this year.",
            "outlook",
            "resumption",
        ),
        (
            "The two sides will probably resume working-level talks in the summer.",
            "outlook",
            "resumption",
        ),
        ("We expect a prolonged stalemate.", "outlook", "impasse"),
        ("The impasse is likely to last until the U.S. election.", "outlook", "impasse"),
        ("North Korea may return to provocations such as missile tests.", "outlook", "escalation"),
    ],
)
def test_value_detected_and_asserted(nlp, coder, text, variable, value):
    assert (variable, value, "asserted") in found(nlp, coder, text)


@pytest.mark.parametrize(
    "text",
    [
        "The summit took place in Hanoi in February 2019.",
        # a past event is not an outlook; a sanctions topic without friction is not a cause
        "North Korea fired two short-range missiles in May.",
        "The roadmap should specify corresponding measures such as eased sanctions.",
        "Biegun spoke before working-level negotiations began.",
        # an argument, not a side, underestimates: the author's rebuttal, not a misjudgement
        "This reading underestimates how much Kim has invested in the talks.",
        # one side's demand alone is no disagreement over scope
        "The United States demanded a full declaration of the nuclear program.",
    ],
)
def test_neutral_sentences_get_no_codes(nlp, coder, text):
    assert code(nlp, coder, text) == []


@pytest.mark.parametrize(
    ("text", "variable", "value"),
    [
        # sanctions relief against the other side's position / as the crux
        (
            "The sticking point was how much sanctions relief Pyongyang would get for Yongbyon.",
            "cause",
            "sanctions_gap",
        ),
        (
            "Kim demanded that most UN sanctions be lifted, which Trump could not accept.",
            "cause",
            "sanctions_gap",
        ),
        ("At the heart of the breakdown was the question of sanctions.", "cause", "sanctions_gap"),
        (
            "Pyongyang offered only the Yongbyon complex, while the Americans wanted all nuclear "
            "facilities on the table.",
            "cause",
            "scope_gap",
        ),
        (
            "The U.S. side raised a second, secret uranium enrichment site, which the North "
            "refused to discuss.",
            "cause",
            "scope_gap",
        ),
        (
            "Washington and Pyongyang attach very different meanings to the word "
            "denuclearization.",
            "cause",
            "definition_gap",
        ),
        (
            "There was no common understanding of denuclearization, so any deal was bound to "
            "unravel.",
            "cause",
            "definition_gap",
        ),
        (
            "Trump wanted a big deal, while Kim preferred a step-by-step process.",
            "cause",
            "approach_gap",
        ),
        (
            "The American grand bargain and the North's incremental approach were simply "
            "incompatible.",
            "cause",
            "approach_gap",
        ),
        (
            "Too much was left to the two leaders, with little preparation at the working level.",
            "cause",
            "poor_preparation",
        ),
        (
            "The meeting was arranged in haste and without a joint draft text.",
            "cause",
            "poor_preparation",
        ),
        (
            "Domestic political pressure on the president shaped his decision to walk out.",
            "cause",
            "us_domestic_politics",
        ),
        (
            "Pompeo and Bolton persuaded the president to present an all-or-nothing demand.",
            "cause",
            "hardliner_influence",
        ),
        (
            "Pyongyang wrongly assumed that Trump would accept the Yongbyon offer.",
            "cause",
            "miscalculation",
        ),
        ("Kim bet that Trump would settle for Yongbyon, and he lost.", "cause", "miscalculation"),
        ("The responsibility for the failure lies primarily with Pyongyang.", "blame", "dprk"),
        ("Washington must take most of the blame for the collapse.", "blame", "us"),
        ("Kim Jong-un is chiefly to blame for the outcome.", "blame", "dprk"),
        ("Both Washington and Pyongyang are responsible for the failure.", "blame", "both"),
        ("The blame is shared by both sides.", "blame", "both"),
        ("Neither side deserves blame for the outcome.", "blame", "neither"),
        ("Responsibility for Hanoi lies above all with Washington.", "blame", "us"),
        ("I would put most of the responsibility for the breakdown on Pyongyang.", "blame",
         "dprk"),
        ("We hold Pyongyang fully responsible for the collapse.", "blame", "dprk"),
        ("I would split the blame evenly.", "blame", "both"),
        ("Washington carries an equal share of the blame.", "blame", "both"),
        ("In the end Pyongyang alone scuttled the talks.", "blame", "dprk"),
        ("I blame only Washington for the collapse.", "blame", "us"),
        ("We expect the two leaders to meet again within the year.", "outlook", "resumption"),
        ("The standoff will likely persist into 2020.", "outlook", "impasse"),
        ("As so often, it takes two to tango.", "blame", "both"),
        ("I would pin the whole thing on the North Korean regime.", "blame", "dprk"),
        ("The Americans had prepared poorly.", "cause", "poor_preparation"),
        ("The lack of a working-level text doomed the summit.", "cause", "poor_preparation"),
        ("Hanoi was a major diplomatic failure.", "outcome_framing", "failure"),
        (
            "Although no agreement was reached, the talks clarified what each side needs.",
            "outcome_framing",
            "constructive_no_deal",
        ),
        (
            "The talks collapsed, yet the collapse gave both sides a useful reality check.",
            "outcome_framing",
            "mixed",
        ),
        (
            "We expect working-level talks to restart within a few months.",
            "outlook",
            "resumption",
        ),
        (
            "Diplomacy is likely to remain frozen for the foreseeable future.",
            "outlook",
            "impasse",
        ),
        (
            "Tensions on the peninsula are likely to mount in the coming months.",
            "outlook",
            "escalation",
        ),
        ("Pyongyang will probably test more short-range missiles.", "outlook", "escalation"),
    ],
)
def test_paraphrases_detected_and_asserted(nlp, coder, text, variable, value):
    assert (variable, value, "asserted") in found(nlp, coder, text)


@pytest.mark.parametrize(
    "text",
    [
        # a noun-phrase mention of the breakdown is not a framing of it
        "After the breakdown of the talks, Trump flew home.",
        "The collapse of the summit prompted a flurry of commentary.",
        "Bolton joined the expanded meeting on the second day.",
        "Michael Cohen testified before a House committee that week.",
    ],
)
def test_mentions_are_not_codes(nlp, coder, text):
    assert code(nlp, coder, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a concessive plain fact + something positive is a constructive no-deal, not mixed
        (
            "Although the summit collapsed, the leaders parted well and the door remains open.",
            {("outcome_framing", "constructive_no_deal", "asserted")},
        ),
        # attributing the breakdown to X rejects X; mentioning the breakdown frames nothing
        (
            "It would be wrong to attribute the breakdown to the Cohen hearing.",
            {("cause", "us_domestic_politics", "rejected")},
        ),
        # a negated expectation rejects resumption and expects an impasse
        (
            "Talks are unlikely to resume this year.",
            {("outlook", "resumption", "rejected"), ("outlook", "impasse", "asserted")},
        ),
        # blame: placed, owned, shared, denied, reported
        ("If responsibility must be assigned, I would place it chiefly in Washington.",
         {("blame", "us", "asserted")}),
        ("The responsibility rests with an administration that treated talks as an ultimatum.",
         {("blame", "us", "asserted")}),
        ("Pyongyang therefore owns the result.", {("blame", "dprk", "asserted")}),
        ("Responsibility is therefore shared.", {("blame", "both", "asserted")}),
        ("Washington bears no share of the responsibility.", {("blame", "us", "rejected")}),
        ("It would not be appropriate to place the responsibility on the United States.",
         {("blame", "us", "rejected")}),
        ("Some critics fault the Trump administration for walking away.",
         {("blame", "us", "reported")}),
        ("It would be unfair to pin the outcome on Kim alone.", {("blame", "dprk", "rejected")}),
        ("Assigning responsibility to Pyongyang alone would misrepresent the outcome.",
         {("blame", "dprk", "rejected")}),
        ("The responsibility for the collapse belongs to Washington.",
         {("blame", "us", "asserted")}),
        # a cause's topic named where the sentence dismisses it as an explanation
        ("The Cohen hearing is a red herring.", {("cause", "us_domestic_politics", "rejected")}),
        ("The quarrel over sanctions relief is beside the point.",
         {("cause", "sanctions_gap", "rejected")}),
        ("The Cohen hearing was held on 27 February.", set()),
        # an expectation the author dismisses
        ("Don't hold your breath for a third summit; the likelier prospect is a long, sullen "
         "stalemate.",
         {("outlook", "resumption", "rejected"), ("outlook", "impasse", "asserted")}),
        # a forecast the sentence's predicate rebuts
        ("Predictions of an imminent return to fire and fury underestimate how much Kim has "
         "invested in his economic line.", {("outlook", "escalation", "rejected")}),
        ("Talk of a frozen process strikes me as premature; the leaders will meet again.",
         {("outlook", "impasse", "rejected"), ("outlook", "resumption", "asserted")}),
        ("Kim underestimated Trump's resolve.", {("cause", "miscalculation", "asserted")}),
        ("Pyongyang's overconfidence and wishful thinking about Trump sank the talks.",
         {("cause", "miscalculation", "asserted")}),
        # (an adjective of advice before a noun dismisses nothing)
        ("Trump's ill-advised walkout reflected Bolton's influence.",
         {("cause", "hardliner_influence", "asserted")}),
        # a framing a negated verb of characterising denies; one a clause flatters (a
        # failure denied frames the outcome as a constructive no-deal: `rejected_implies`)
        ("The Hanoi outcome should not be described as a failure.",
         {("outcome_framing", "failure", "rejected"),
          ("outcome_framing", "constructive_no_deal", "asserted")}),
        ("Hanoi should not be written off as a fiasco.",
         {("outcome_framing", "failure", "rejected"),
          ("outcome_framing", "constructive_no_deal", "asserted")}),
        ("Describing the summit as a failure understates what it clarified.",
         {("outcome_framing", "failure", "rejected"),
          ("outcome_framing", "constructive_no_deal", "asserted")}),
        ("To call the summit a failure flatters its critics.",
         {("outcome_framing", "failure", "rejected"),
          ("outcome_framing", "constructive_no_deal", "asserted")}),
        ("The summit should be seen as a failure.", {("outcome_framing", "failure", "asserted")}),
        # the sides a sentence of responsibility sets aside are rejected
        ("Blame belongs neither to Washington nor to Pyongyang but to mutual distrust.",
         {("blame", "neither", "asserted"), ("blame", "us", "rejected"),
          ("blame", "dprk", "rejected")}),
        ("Pyongyang, not Washington, bears primary responsibility for the breakdown.",
         {("blame", "us", "rejected")}),
        ("The North, rather than the United States, must bear the principal blame.",
         {("blame", "us", "rejected")}),
        ("Responsibility for the outcome lies not with the DPRK but with the U.S. side.",
         {("blame", "dprk", "rejected")}),
        ("Critics say responsibility lies not with Kim but with Trump.",
         {("blame", "dprk", "reported")}),
        # a mocked framing beside the author's own is no mix
        ("Those who call the outcome a useful clarification are putting lipstick on a pig; it "
         "was a setback.", {("outcome_framing", "constructive_no_deal", "rejected"),
                           ("outcome_framing", "failure", "asserted")}),
        # (a side's name after "not" without responsibility in the sentence is no blame)
        ("North Korea offered Yongbyon, not Washington.", set()),
        # (a side that wrecked the talks without "alone" is no blame: "Bolton torpedoed
        # Hanoi" is a hardliner's influence)
        ("In the end Bolton torpedoed the summit.",
         {("cause", "hardliner_influence", "asserted")}),
    ],
)
def test_exact_codes(nlp, coder, text, expected):
    assert found(nlp, coder, text) == expected


@pytest.mark.parametrize(
    "text",
    ["Hanoi was a setback, but one from which both sides learned.",
     "Hanoi was a setback, but not a rupture.",
     "Hanoi was a setback, certainly, but one that left the Singapore framework intact."],
)
def test_a_setback_qualified_by_but_is_mixed(nlp, coder, text):
    rows = [r for r in code(nlp, coder, text) if r["variable"] == "outcome_framing"]
    assert [(r["value"], r["assessment"]) for r in rows] == [("mixed", "asserted")]


def test_mixed_replaces_failure_and_constructive_in_one_sentence(nlp, coder):
    codes = found(nlp, coder, "The summit was a fiasco, but it has positive implications.")
    assert codes == {("outcome_framing", "mixed", "asserted")}


# ------------------------------------------------------------------------- assessment


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # negation of the governing verb / noun
        (
            "Bolton's intervention was not the key determinant of the breakdown.",
            "hardliner_influence",
            "rejected",
        ),
        (
            "Trump's domestic troubles did not cause the collapse.",
            "us_domestic_politics",
            "rejected",
        ),
        (
            "The collapse had little to do with Bolton's intervention.",
            "hardliner_influence",
            "rejected",
        ),
        # a rejection in the main clause reaches the "despite assertions that" clause
        (
            "Despite assertions that Bolton's intervention caused the collapse, this article "
            "does not consider it a main factor.",
            "hardliner_influence",
            "rejected",
        ),
        (
            "Despite assertions that Bolton's intervention caused the collapse, the summit "
            "ended for other reasons.",
            "hardliner_influence",
            "reported",
        ),
        (
            "It is argued that Trump's domestic troubles doomed the summit.",
            "us_domestic_politics",
            "reported",
        ),
        (
            "According to critics, the summit collapsed because of Trump's domestic troubles.",
            "us_domestic_politics",
            "reported",
        ),
        (
            "Some analysts blame Bolton's intervention for the collapse.",
            "hardliner_influence",
            "reported",
        ),
        (
            "Some analysts blame Bolton's intervention, but his role was overstated.",
            "hardliner_influence",
            "rejected",
        ),
        # due to A rather than B: A asserted, B rejected
        (
            "The failure was due to disagreement over sanctions relief rather than Bolton's "
            "intervention.",
            "sanctions_gap",
            "asserted",
        ),
        (
            "The failure was due to disagreement over sanctions relief rather than Bolton's "
            "intervention.",
            "hardliner_influence",
            "rejected",
        ),
        # a hedge keeps the claim asserted
        (
            "The collapse appears to have been caused by disagreement over sanctions relief.",
            "sanctions_gap",
            "asserted",
        ),
        (
            "This article argues that top-down summitry doomed the summit.",
            "poor_preparation",
            "asserted",
        ),
    ],
)
def test_assessment(nlp, coder, text, value, expected):
    rows = [r for r in code(nlp, coder, text) if r["value"] == value]
    assert [r["assessment"] for r in rows] == [expected]


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # "X was not what sank the talks", "the problem was not X": a negated copula
        ("Bolton's role was not what doomed the talks.", "hardliner_influence", "rejected"),
        ("The trouble was not a lack of preparation.", "poor_preparation", "rejected"),
        (
            "Nor was the walkout a product of Trump's troubles at home.",
            "us_domestic_politics",
            "rejected",
        ),
        # "neither X nor Y", "Neither side ...", a negated verb cue
        (
            "Neither Bolton nor the Cohen testimony explains the collapse.",
            "hardliner_influence",
            "rejected",
        ),
        ("Neither side miscalculated in Hanoi.", "miscalculation", "rejected"),
        (
            "Kim did not miscalculate; he simply refused to give more.",
            "miscalculation",
            "rejected",
        ),
        # "Y, not X": X rejected, Y asserted
        (
            "The breakdown was due to the sanctions gap, not to Bolton's intervention.",
            "hardliner_influence",
            "rejected",
        ),
        (
            "The breakdown was due to the sanctions gap, not to Bolton's intervention.",
            "sanctions_gap",
            "asserted",
        ),
        # "more to do with A than with B": B rejected; "less A than B": A rejected
        (
            "The failure had more to do with sanctions relief than with Bolton's influence.",
            "hardliner_influence",
            "rejected",
        ),
        (
            "The failure had more to do with sanctions relief than with Bolton's influence.",
            "sanctions_gap",
            "asserted",
        ),
        ("Hanoi was less a fiasco than a clarification.", "failure", "rejected"),
        # "Rather than X, Y": only X
        (
            "Rather than a lack of preparation, the summit suffered from a clash over sanctions "
            "relief.",
            "poor_preparation",
            "rejected",
        ),
        (
            "Rather than a lack of preparation, the summit suffered from a clash over sanctions "
            "relief.",
            "sanctions_gap",
            "asserted",
        ),
        # dismissals of an explanation
        (
            "Blaming John Bolton for the collapse is too convenient.",
            "hardliner_influence",
            "rejected",
        ),
        (
            "There is little evidence that the hawks in the administration changed the outcome.",
            "hardliner_influence",
            "rejected",
        ),
        ("It is misleading to speak of a definitional gap.", "definition_gap", "rejected"),
        ("Pyongyang is not to blame for the collapse.", "dprk", "rejected"),
        # others' views refuted after a contrast
        (
            "Some analysts predict renewed provocations, but this ignores Kim's need for relief.",
            "escalation",
            "rejected",
        ),
        (
            "It is often claimed that hawks sank the summit, but this account is too simple.",
            "hardliner_influence",
            "rejected",
        ),
        ("We do not expect a return to missile tests this year.", "escalation", "rejected"),
        # reported: the reasons others give, and what officials or the media say
        (
            "Trump said he walked away because the North wanted sanctions removed in full.",
            "sanctions_gap",
            "reported",
        ),
        ("North Korean state media blamed the United States for the collapse.", "us", "reported"),
        (
            "Some South Korean officials fear that the North will resume missile tests.",
            "escalation",
            "reported",
        ),
    ],
)
def test_assessment_constructions(nlp, coder, text, value, expected):
    rows = [r for r in code(nlp, coder, text) if r["value"] == value]
    assert [r["assessment"] for r in rows] == [expected]


def test_rejection_naming_these_factors_rejects_every_cause_in_the_sentence(nlp, coder):
    text = (
        "Trump's domestic political situation and Bolton's intervention are often cited, but "
        "this article does not consider these two factors decisive."
    )
    assert found(nlp, coder, text) == {
        ("cause", "us_domestic_politics", "rejected"),
        ("cause", "hardliner_influence", "rejected"),
    }


def test_assess_is_public_and_takes_a_cue_span(nlp, coder):
    doc = nlp("Trump's domestic troubles did not cause the collapse; the sanctions gap did.")
    sent = next(iter(doc.sents))
    assert assess(sent, doc[2:4], coder.assessment) == "rejected"
    # "the sanctions gap", in the clause after the semicolon, is not negated
    assert assess(sent, doc[11:13], coder.assessment) == "asserted"


def test_hedged_and_reported_codes_are_less_confident(nlp, coder):
    def confidence(text):
        (row,) = [r for r in code(nlp, coder, text) if r["value"] == "sanctions_gap"]
        return row["confidence"]

    plain = confidence("The summit collapsed over the lifting of sanctions.")
    hedged = confidence("The summit apparently collapsed over the lifting of sanctions.")
    reported = confidence("Critics say the summit collapsed over the lifting of sanctions.")
    assert 0 <= reported < plain <= 1 and 0 <= hedged < plain


def test_rows_have_the_columns_and_traceable_offsets(nlp, coder):
    doc = nlp("The summit was a fiasco. Pyongyang misjudged Trump and misread his mood.")
    rows = coder.code_doc(doc, positions_for(doc))
    assert rows
    for row in rows:
        assert list(row) == COLUMNS
        assert row["method"] == "rules"  # approach rows say "positions"
        assert doc.text[row["start_char"] : row["end_char"]] == row["cue"]
    # one row per sentence x variable x holder x value
    keys = [(r["sent_idx"], r["variable"], r["holder"], r["value"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {(r["sent_idx"], r["value"]) for r in rows} == {(0, "failure"), (1, "miscalculation")}


# ------------------------------------------------------------------- approach (positions)


def _position(holder, target, relation="proposes", polarity="support", **extra):
    return {
        "sent_idx": 0,
        "holder": holder,
        "relation": relation,
        "target_kind": "approach",
        "target": target,
        "polarity": polarity,
        "confidence": 0.85,
        "is_hedged": False,
        "target_text": None,
        "start_char": 0,
        "end_char": 10,
        **extra,
    }


def test_approach_from_positions_rolls_up_and_rejects_what_a_side_turns_down(nlp, coder):
    # the annotation convention: a side turning an approach down ("X rather than Y", "North
    # Korea rejected ...") is that side's approach `rejected`; proposals are not approaches
    doc = nlp("Trump proposed a big deal, which North Korea rejected.")
    rows = coder.code_doc(
        doc,
        [
            _position("trump", "big_deal", holder_state="us"),
            _position("dprk", "big_deal", "rejects", "oppose", holder_state="dprk"),
            _position("author", "small_deal", "advocates", "oppose"),
            _position("dprk", "freeze", target_kind="proposal", holder_state="dprk"),
        ],
    )
    assert {(r["variable"], r["value"], r["holder"], r["assessment"]) for r in rows} == {
        ("approach", "big_deal", "us", "asserted"),
        ("approach", "big_deal", "dprk", "rejected"),
        ("approach", "small_deal", "author", "rejected"),
    }


def test_approach_rows_are_traced_to_positions(nlp, coder):
    doc = nlp("Trump proposed a big deal.")
    (row,) = coder.code_doc(doc, [_position("trump", "big_deal", holder_state="us")])
    assert row["method"] == "positions"
    assert row["cue"] == doc.text[row["start_char"] : row["end_char"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Some argue that the talks failed.", "reported"),
        ("This article does not consider these factors decisive.", "rejected"),
        ("The talks failed.", "asserted"),
    ],
)
def test_sentence_assessment(nlp, coder, text, expected):
    assert coder.sentence_assessment(next(iter(nlp(text).sents))) == expected


def test_approach_holder_rolled_up_without_holder_state(nlp):
    codebook = load_codebook(PROJECT / "configs" / "codebook.yaml")
    coder = RuleCoder(codebook, nlp.vocab, state_of={"trump": "us"})
    doc = nlp("Trump proposed a big deal.")
    (row,) = coder.code_doc(doc, [_position("trump", "big_deal")])
    assert (row["holder"], row["value"]) == ("us", "big_deal")


def test_negated_pursuit_is_a_rejected_approach(nlp, coder):
    doc = nlp("Pyongyang did not want a grand bargain.")
    rows = coder.code_doc(
        doc, [_position("dprk", "big_deal", "proposes", "oppose", holder_state="dprk")]
    )
    assert [(r["value"], r["holder"], r["assessment"]) for r in rows] == [
        ("big_deal", "dprk", "rejected")
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "The wiser course is a phased deal that starts with a freeze; Seoul should back it.",
            "small_deal",
        ),
        ("What is needed is a comprehensive roadmap that is implemented in stages.", "hybrid"),
        (
            "The best option is a framework agreement fixing the end state, with reciprocal steps "
            "along the way.",
            "hybrid",
        ),
    ],
)
def test_author_recommendation_without_a_holder(nlp, coder, text, value):
    rows = [r for r in code(nlp, coder, text) if r["variable"] == "approach"]
    assert ("author", value, "asserted") in {
        (r["holder"], r["value"], r["assessment"]) for r in rows
    }


def test_approach_from_real_positions(nlp, coder):
    rows = code(nlp, coder, "North Korea proposed a step-by-step approach in Hanoi.")
    assert [(r["value"], r["holder"], r["assessment"]) for r in rows] == [
        ("small_deal", "dprk", "asserted")
    ]


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # dismissals phrased as judgements of a claim, a comparison or a concession
        ("Far from being a product of Bolton's influence, the walkout was planned.",
         "hardliner_influence", "rejected"),
        ("Blaming the collapse on the hawks misses what happened at the table.",
         "hardliner_influence", "rejected"),
        ("Those who blame the lack of preparation overlook the months of talks.",
         "poor_preparation", "rejected"),
        ("Domestic political pressure was at most a contributing factor.",
         "us_domestic_politics", "rejected"),
        ("The Cohen testimony had little bearing on the outcome.",
         "us_domestic_politics", "rejected"),
        ("It is tempting to blame Bolton, but the decision was the president's.",
         "hardliner_influence", "rejected"),
        ("Bolton's influence mattered less than the gap on sanctions relief.",
         "hardliner_influence", "rejected"),
        ("Bolton's influence mattered less than the gap on sanctions relief.",
         "sanctions_gap", "asserted"),
        # a nominal predicate judges its subject, not the clause inside the predicate
        ("Hasty preparation is an unconvincing explanation for a breakdown that turned on a "
         "clause about sanctions.", "poor_preparation", "rejected"),
        ("Hasty preparation is an unconvincing explanation for a breakdown that turned on a "
         "clause about sanctions.", "sanctions_gap", "asserted"),
        # a negated cleft reaches into its attribute's clauses, not the "but Y"
        ("It was not a quarrel over what denuclearization means that ended the summit, but "
         "a dispute over which facilities to close.", "definition_gap", "rejected"),
        ("Some argue that the hawks were decisive, a view that is hard to reconcile with the "
         "record.", "hardliner_influence", "rejected"),
        # a refusal the cue names is friction, not a denial
        ("Officials say the talks failed because Pyongyang would not declare its "
         "undisclosed enrichment facilities.", "scope_gap", "reported"),
        ("According to North Korean officials, the talks broke down over the lifting of "
         "sanctions.", "sanctions_gap", "reported"),
        # "X mattered, but not as much as Y"; "X was less a cause than a symptom"
        ("The hawks mattered, but not nearly as much as the gap on sanctions relief.",
         "hardliner_influence", "rejected"),
        ("The hawks mattered, but not nearly as much as the gap on sanctions relief.",
         "sanctions_gap", "asserted"),
        ("The sanctions dispute was less a cause of the breakdown than a symptom of distrust.",
         "sanctions_gap", "rejected"),
        # an adjectival predicate with its own object judges only its subject
        ("The sequencing dispute was real but secondary to the gap on sanctions relief.",
         "approach_gap", "rejected"),
        ("The sequencing dispute was real but secondary to the gap on sanctions relief.",
         "sanctions_gap", "asserted"),
        ("The definitional quarrel is better read as a bargaining tactic than as the cause "
         "of the walkout.", "definition_gap", "rejected"),
        ("Analysts should not overstate the role of Trump's domestic troubles.",
         "us_domestic_politics", "rejected"),
        # a yes/no question with "really" doubts what it asks
        ("Did the hawks really sink the summit?", "hardliner_influence", "rejected"),
        # "never shared a definition" is the gap itself, not a denial of it
        ("The two sides never shared a definition of denuclearization.",
         "definition_gap", "asserted"),
        # what others say runs on through "X, and that Y", not through "X, but Y"
        ("Officials in Seoul say the talks stalled over sequencing, and that the leaders "
         "arrived without an agreed draft.", "poor_preparation", "reported"),
        ("Officials in Seoul say the talks stalled over sequencing, but the leaders arrived "
         "without an agreed draft.", "poor_preparation", "asserted"),
        ("It is sometimes said that the summit was poorly prepared, yet the gap on sanctions "
         "relief decided it.", "sanctions_gap", "asserted"),
        # a verb that says its subject is mistaken: the subject is dismissed, not the object
        ("Calling Hanoi a miscalculation mistakes a collision of known positions for an "
         "accident.", "miscalculation", "rejected"),
        ("Reducing Hanoi to Bolton's influence obscures the gap over sanctions relief.",
         "hardliner_influence", "rejected"),
        ("Reducing Hanoi to Bolton's influence obscures the gap over sanctions relief.",
         "sanctions_gap", "asserted"),
        # dismissive idioms
        ("The Cohen hearing, however lurid, cannot account for a breakdown whose terms were "
         "set weeks earlier.", "us_domestic_politics", "rejected"),
        ("Explaining Hanoi by Kim's misreading of Trump gives too much weight to "
         "personalities.", "miscalculation", "rejected"),
        # others linking or noting: a report
        ("Analysts have linked the walkout to Trump's domestic troubles.",
         "us_domestic_politics", "reported"),
        ("Others have noted that Trump's domestic troubles made a modest deal costly.",
         "us_domestic_politics", "reported"),
        # "in his view" is someone else's; "in our view" the author's own
        ("In his view, the summit was doomed by poor preparation.", "poor_preparation",
         "reported"),
        ("In our view, the summit was doomed by poor preparation.", "poor_preparation",
         "asserted"),
        # "did not fail because X": what follows the cue is dismissed, up to a contrast
        ("The summit did not collapse because the hawks around Bolton prevailed.",
         "hardliner_influence",
         "rejected"),
        ("The summit did not fail because Bolton intervened but because the sides disagreed "
         "on sanctions relief.", "sanctions_gap", "asserted"),
        ("The talks broke down not because of Cohen's testimony but because of the gap on "
         "sanctions.", "sanctions_gap", "asserted"),
        # doubts and denials in the author's voice, with a modal or an adverb between
        ("One may doubt whether either side misread the other.", "miscalculation", "rejected"),
        ("One cannot seriously maintain that Bolton derailed the negotiations.",
         "hardliner_influence", "rejected"),
        ("The dispute over sanctions was the symptom, not the disease.", "sanctions_gap",
         "rejected"),
        ("Does anyone seriously expect a third summit this year?", "resumption", "rejected"),
        # others' views: a perspective named, a press that brands, officials who hint
        ("From Pyongyang's perspective, the United States bears responsibility for the "
         "breakdown.", "us", "reported"),
        ("From the perspective of Beijing, Washington bears responsibility for the breakdown.",
         "us", "reported"),
        ("From our perspective, Washington bears responsibility for the breakdown.", "us",
         "asserted"),
        ("Much of the press branded the summit a fiasco.", "failure", "reported"),
        # a forecast the author rebuts, and those who expect too much
        ("Some commentators expected a swift return to the table, a forecast that "
         "underestimated how much face Kim had lost.", "resumption", "rejected"),
        ("The pundits predicting a return to fire and fury are overreacting.", "escalation",
         "rejected"),
        ("It is hard to square the claim that poor preparation doomed the summit with the "
         "drafts exchanged before Hanoi.", "poor_preparation", "rejected"),
        ("Officials predicted that talks would resume by summer, a forecast that says more "
         "about hope than analysis.", "resumption", "rejected"),
        ("I would be surprised if the North resumed nuclear testing this year.", "escalation",
         "rejected"),
        ("One often hears that Bolton sank the summit.", "hardliner_influence", "reported"),
        ("Former officials faulted the White House for staging the summit too early.", "us",
         "reported"),
        ("Pyongyang later blamed Pompeo for the collapse.", "us", "reported"),
        ("Critics argue that Trump walked out because of the Cohen hearing, a claim for which "
         "there is no evidence.", "us_domestic_politics", "rejected"),
        ("Critics argue that Trump walked out because of the Cohen hearing, a charge that does "
         "not survive contact with the record.", "us_domestic_politics", "rejected"),
        # a counterfactual removes what did not decide the outcome (up to the comma); a
        # cause "at most" in a supporting role; a claim "we do not find convincing"
        ("Even had Bolton stayed at home, the gap over sanctions relief would have been just "
         "as wide.", "hardliner_influence", "rejected"),
        ("Even had Bolton stayed at home, the gap over sanctions relief would have been just "
         "as wide.", "sanctions_gap", "asserted"),
        ("Bolton's presence played at most a supporting role.", "hardliner_influence",
         "rejected"),
        ("Some claim that Kim misread Trump, an interpretation we do not find convincing.",
         "miscalculation", "rejected"),
        ("One frequently cited view is that Kim misread Trump.", "miscalculation", "reported"),
        ("The committee heard testimony that Bolton's hard line sank the summit.",
         "hardliner_influence", "reported"),
        # (a guard: "hardly" denies like "not")
        ("Bolton's influence could hardly have been decisive.", "hardliner_influence",
         "rejected"),
        ("Bolton makes a convenient villain, but the gap over sanctions relief sank the summit.",
         "hardliner_influence", "rejected"),
        ("Theories about domestic distractions in Washington carry far less weight.",
         "us_domestic_politics", "rejected"),
        # (guards: what carries weight, and "the problem with Hanoi", are asserted)
        ("The gap over sanctions relief carries real weight as an explanation.",
         "sanctions_gap", "asserted"),
        ("The problem with Hanoi was the gap over sanctions relief.", "sanctions_gap",
         "asserted"),
        ("It would be incorrect to blame Bolton's influence for the collapse.",
         "hardliner_influence", "rejected"),
        ("Forget the talk of misread signals: Kim wanted the five resolutions lifted.",
         "miscalculation", "rejected"),
        # the "X alone wrecked it" claim judged; "hold that" reports
        ("The story that Washington alone wrecked the talks does not survive a look at the "
         "North's offer.", "us", "rejected"),
        ("It would be unjust to place the whole burden on Pyongyang.", "dprk", "rejected"),
        ("Pinning everything on Kim Jong-un is lazy analysis.", "dprk", "rejected"),
        ("It's tempting to blame Bolton's influence for the collapse.", "hardliner_influence",
         "rejected"),
        ("Pyongyang's account of American greed should not be taken at face value.", "us",
         "rejected"),
        ("Party newspapers hold that the United States must bear the responsibility.", "us",
         "reported"),
        # a framing set aside by "better understood as A than as B", or mocked
        ("Hanoi is better understood as a useful clarification than as a failure.", "failure",
         "rejected"),
        ("To call the summit a catastrophe is to misunderstand how diplomacy works.",
         "failure", "rejected"),
        ("Calling the outcome a useful clarification is a stretch.", "constructive_no_deal",
         "rejected"),
        ("Dressing up the walkout as a useful clarification fools nobody.",
         "constructive_no_deal", "rejected"),
        ("Those who find a silver lining in Hanoi are too generous.", "constructive_no_deal",
         "rejected"),
        # an outlook set aside ("not new talks") or mocked; a dismissed failure frames the
        # outcome as constructive (`rejected_implies`)
        ("Expect more missile tests, not new talks, through the rest of the year.",
         "resumption", "rejected"),
        ("Those who expect talks to resume soon are going to be disappointed.", "resumption",
         "rejected"),
        ("We expect a long silence rather than a return to threats.", "escalation",
         "rejected"),
        ("Hanoi was not the disaster the papers proclaimed.", "constructive_no_deal",
         "asserted"),
        # (the author's own "I say", "I blame" report nothing)
        ("I say Bolton's hard line sank the summit.", "hardliner_influence", "asserted"),
    ],
)
def test_dismissals(nlp, coder, text, value, expected):
    rows = [r for r in code(nlp, coder, text) if r["value"] == value]
    assert [r["assessment"] for r in rows] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a condition is no forecast; the main clause's forecast is
        ("If talks resume at the working level, the first test will be a declaration.", []),
        ("Should the North resume nuclear testing, the Council would tighten sanctions.", []),
        ("Unless Washington shows flexibility, we expect the stalemate to continue.",
         [("impasse", "asserted")]),
        ("We expect talks to resume if Washington shows flexibility.",
         [("resumption", "asserted")]),
    ],
)
def test_outlook_in_a_condition_is_not_coded(nlp, coder, text, expected):
    rows = [r for r in code(nlp, coder, text) if r["variable"] == "outlook"]
    assert [(r["value"], r["assessment"]) for r in rows] == expected


def test_a_heading_or_citation_without_a_verb_is_coded_nothing(nlp, coder):
    assert code(nlp, coder, "Misjudgement and the Sanctions Gap") == []
    assert code(nlp, coder, "Kang Hye-won (ed.), Top-Down: Leader Diplomacy without "
                            "Working-Level Talks (Mirae Academic, 2019), 341 pp.") == []
    # ... though it still answers the sentence before it
    rows = code(nlp, coder, "Critics say Bolton sank the summit. Not so.")
    assert [(r["value"], r["assessment"]) for r in rows] == [("hardliner_influence", "rejected")]


def test_one_sentence_setting_the_sides_approaches_against_each_other_codes_the_gap(
        nlp, coder):
    rows = code(nlp, coder, "Hanoi was the predictable collision of Pyongyang's incremental "
                            "strategy with Washington's demand for a comprehensive settlement.")
    assert [(r["value"], r["assessment"]) for r in rows if r["variable"] == "cause"] == [
        ("approach_gap", "asserted")]
    # one side's approach alone is no gap, nor is a side moving toward the other's
    rows = code(nlp, coder, "Pyongyang pursued an incremental strategy in Hanoi.")
    assert [r for r in rows if r["variable"] == "cause"] == []
    rows = code(nlp, coder, "The Trump administration insisted on a package deal at first, but "
                            "it appeared to be accepting North Korea's idea of a gradual "
                            "solution and considering a small deal as an option.")
    assert [r for r in rows if r["variable"] == "cause"] == []


def test_question_answered_hardly_is_rejected(nlp, coder):
    rows = code(nlp, coder, "Did Bolton sink the summit? Hardly.")
    assert [(r["value"], r["assessment"]) for r in rows] == [("hardliner_influence", "rejected")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Some commentators have blamed John Bolton's intervention for the collapse. "
         "This explanation does not hold up.", "rejected"),
        ("Critics say the summit was poorly prepared. That is too simple.", "rejected"),
        ("Critics say the summit was poorly prepared. Not so.", "rejected"),
        ("Critics say the summit was poorly prepared. But this view is wrong.", "rejected"),
        ("Many in Seoul argued that Trump needed a distraction from the Cohen hearing. "
         "The record suggests otherwise.", "rejected"),
        # the next sentence agrees, or judges something else: the view stays reported
        ("Critics say the summit was poorly prepared. That may be true.", "reported"),
        ("Critics say the summit was poorly prepared. The negotiators were not wrong to "
         "walk away.", "reported"),
    ],
)
def test_reported_view_refuted_by_the_next_sentence(nlp, coder, text, expected):
    rows = [r for r in code(nlp, coder, text) if r["variable"] == "cause"]
    assert [r["assessment"] for r in rows] == [expected]


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # others' explanations, named as such
        ("A widely repeated explanation holds that Kim misread Trump.", "miscalculation",
         "reported"),
        ("Another explanation, popular among South Korean progressives, holds that the hawks "
         "sank the summit.", "hardliner_influence", "reported"),
        ("Much has been made of John Bolton's presence at the expanded session.",
         "hardliner_influence", "reported"),
        ("It became a staple of commentary that Trump walked out to change the subject at "
         "home.", "us_domestic_politics", "reported"),
        ("Much of the commentary in Europe and in Seoul described the outcome as a "
         "diplomatic disaster.", "failure", "reported"),
        ("The White House presented the walkout as a success, and some commentators have "
         "echoed it, calling Hanoi a useful clarification of positions.",
         "constructive_no_deal", "reported"),
        # ... and dismissed in the same sentence
        ("The explanation most often heard in Seoul, that the summit was poorly prepared, "
         "does not fit the record.", "poor_preparation", "rejected"),
        ("Claims that Bolton sabotaged the summit are overstated.", "hardliner_influence",
         "rejected"),
        ("To describe the outcome as one leader's misjudgement is to obscure a structural "
         "problem.", "miscalculation", "rejected"),
        # an explanation named as such and dismissed
        ("The Cohen factor has been overstated.", "us_domestic_politics", "rejected"),
        ("The influence of Washington's hawks was real but secondary; the main obstacle was "
         "elsewhere.", "hardliner_influence", "rejected"),
        ("A renewed crisis is not inevitable.", "escalation", "rejected"),
        # the views of someone the brief discusses, and explanations counted off
        ("He contends that Kim misread Trump's eagerness for a deal.", "miscalculation",
         "reported"),
        ("The second explanation links the walkout to the Cohen hearing in Washington.",
         "us_domestic_politics", "reported"),
        ("A common reading places the breakdown in Trump's need for a win at home.",
         "us_domestic_politics", "reported"),
        ("The first held that Bolton sabotaged the summit.", "hardliner_influence",
         "reported"),
        ("The timing invited a different story, in which Trump walked out to change the "
         "subject at home.", "us_domestic_politics", "reported"),
        ("We find little support for accounts built around the hawks in the White House.",
         "hardliner_influence", "rejected"),
        ("Accounts that blame Bolton for the walkout find little support in the record.",
         "hardliner_influence", "rejected"),
        ("Nor was the collapse the product of Bolton's intervention.", "hardliner_influence",
         "rejected"),
        ("The claim that the summit was held without groundwork is no more persuasive.",
         "poor_preparation", "rejected"),
        ("It is a mistake to blame Bolton.", "hardliner_influence", "rejected"),
        ("Nothing in the record supports the idea that the President walked out to change "
         "the subject at home.", "us_domestic_politics", "rejected"),
        ("We cannot accept the view that the sanctions dispute caused the collapse.",
         "sanctions_gap", "rejected"),
        ("A more popular account has Trump walking away to change the subject from the "
         "Cohen hearing.", "us_domestic_politics", "reported"),
        ("It has become fashionable to say that Bolton sabotaged the summit.",
         "hardliner_influence", "reported"),
        # a report verb whose subject is someone else, however far from the verb
        ("Several former negotiators, writing in their memoirs, argue that the summit was "
         "held before any draft text existed.", "poor_preparation", "reported"),
        ("A large literature attributes the breakdown to Bolton's influence over the "
         "President.", "hardliner_influence", "reported"),
        ("Washington believed that Kim had misread Trump.", "miscalculation", "reported"),
        # the author's own explanation stays asserted
        ("The explanation for the failure is that Kim misread Trump.", "miscalculation",
         "asserted"),
        ("We argue that Bolton's presence at the expanded session hardened the American "
         "position.", "hardliner_influence", "asserted"),
        ("The evidence suggests that Bolton's presence hardened the American position.",
         "hardliner_influence", "asserted"),
        ("Our reading places the breakdown in the gap over sanctions relief.",
         "sanctions_gap", "asserted"),
    ],
)
def test_explanations_named_reported_or_dismissed(nlp, coder, text, value, expected):
    rows = [r for r in code(nlp, coder, text) if r["value"] == value]
    assert [r["assessment"] for r in rows] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "prefers X to Y": Y is turned down, not merged into a hybrid
        ("North Korea prefers incremental exchanges to a grand bargain.",
         {("dprk", "small_deal", "asserted"), ("dprk", "big_deal", "rejected")}),
        # "X rather than Y" / "instead of Y": Y is set aside, by a side or by the author
        ("Washington insisted on a grand bargain rather than a step-by-step approach.",
         {("us", "big_deal", "asserted"), ("us", "small_deal", "rejected")}),
        ("Washington should pursue a phased agreement instead of a grand bargain.",
         {("author", "small_deal", "asserted"), ("author", "big_deal", "rejected")}),
        ("Rather than trading facility by facility, Washington should table one "
         "comprehensive offer.",
         {("author", "big_deal", "asserted"), ("author", "small_deal", "rejected")}),
        # a question recommends nothing
        ("Why should Pyongyang, which has always preferred to negotiate in thin slices, "
         "embrace the all-or-nothing bargain tabled by Washington?", set()),
        # the author's warning against a course
        ("A return to all-or-nothing diplomacy would be inadvisable for Seoul and Washington.",
         {("author", "big_deal", "rejected")}),
        # an owned approach equated with a target
        ("The Trump administration's strategy remained a grand bargain.",
         {("us", "big_deal", "asserted")}),
        ("Pyongyang has long relied on salami tactics.", {("dprk", "small_deal", "asserted")}),
        # step-by-step toward a fixed end state is a hybrid, whoever holds it
        ("China favors a step-by-step process toward a comprehensive end state.",
         {("china", "hybrid", "asserted")}),
        # a package the author argues against does not make the alternative a hybrid
        ("We do not recommend an all-or-nothing strategy; an interim agreement is wiser.",
         {("author", "big_deal", "rejected"), ("author", "small_deal", "asserted")}),
        # a modifier shares the negation of its noun ("neither an all-at-once bargain")
        ("Neither an all-at-once bargain nor a piecemeal process will work; what is needed "
         "is patience.",
         {("author", "big_deal", "rejected"), ("author", "small_deal", "rejected")}),
        # the author advising against an approach (no actor holds the stance)
        ("We would caution against another all-or-nothing summit.",
         {("author", "big_deal", "rejected")}),
        # a mention inside the noun phrase of a covered approach belongs to it
        ("Washington should not revive a package deal that demands everything up front.",
         {("author", "big_deal", "rejected")}),
        # a lemmatiser slip ("hoped" -> "hop") still states a stance
        ("Seoul hoped for a small deal in Hanoi.", {("rok", "small_deal", "asserted")}),
        ("Washington's preferred method was an all-in-one settlement.",
         {("us", "big_deal", "asserted")}),
        # wording of the sides' approaches without the usual labels
        ("Washington held out for a front-loaded settlement in Hanoi.",
         {("us", "big_deal", "asserted")}),
        ("We do not recommend a one-step solution.", {("author", "big_deal", "rejected")}),
        # a side's own sequence / formula (a demonym owns it)
        ("The talks broke down over an American package against a North Korean "
         "step-by-step sequence.", {("dprk", "small_deal", "asserted")}),
        ("The North Korean formula paired each step with immediate compensation.",
         {("dprk", "small_deal", "asserted")}),
        ("Washington insisted on denuclearization first and rewards afterwards.",
         {("us", "big_deal", "asserted")}),
        ("Washington demanded the whole package in one go.", {("us", "big_deal", "asserted")}),
        ("Pyongyang wanted to trade one facility at a time.",
         {("dprk", "small_deal", "asserted")}),
        ("The North came with an incremental offer.", {("dprk", "small_deal", "asserted")}),
        ("Pyongyang wanted each step rewarded as it was taken.",
         {("dprk", "small_deal", "asserted")}),
        # the author's phased implementation of an end state, set out in the same sentence
        # or the one before, is a hybrid
        ("The parties should negotiate the whole agreement first and then carry it out in "
         "phases.", {("author", "hybrid", "asserted")}),
        ("Washington and Pyongyang should first agree on a common definition of the end "
         "state. That framework should then be implemented in phases.",
         {("author", "hybrid", "asserted")}),
        # ... and so is a side's, when no other side's approach is set against it
        ("Seoul has proposed that the parties agree on the end state first and then "
         "implement it in stages.", {("rok", "hybrid", "asserted")}),
        ("Washington wanted the end state agreed at once, while Pyongyang wanted to move "
         "step by step.", {("dprk", "small_deal", "asserted")}),
        # the Chinese-Russian "roadmap" is a step-by-step plan, not an end state
        ("Moscow, which had long promoted a joint roadmap with Beijing, wanted sanctions "
         "eased piece by piece.", {("russia", "small_deal", "asserted")}),
        # relief in proportion to steps; denuclearization up front; "what is required"
        ("Seoul should extend incentives strictly in proportion to concrete North Korean "
         "steps.", {("author", "small_deal", "asserted")}),
        ("Washington demanded complete denuclearization up front.",
         {("us", "big_deal", "asserted")}),
        ("Rather than a grand bargain, what is required is a sequence of reciprocal measures.",
         {("author", "small_deal", "asserted"), ("author", "big_deal", "rejected")}),
        # a side saying what should be done holds that stance; the author's own "should"
        # stays the author's, also over a clause it addresses to a side
        ("China has long maintained that the nuclear issue must be settled step by step.",
         {("china", "small_deal", "asserted")}),
        ("Moscow argues that sanctions should be eased in a phased manner.",
         {("russia", "small_deal", "asserted")}),
        ("Washington should make clear that it will offer a phased agreement.",
         {("author", "small_deal", "asserted")}),
        # a package the author sets aside frames no hybrid; "stop" and "steer clear of" turn
        # a recommendation down
        ("The parties need to abandon the all-or-nothing mentality and build trust through "
         "small steps.",
         {("author", "big_deal", "rejected"), ("author", "small_deal", "asserted")}),
        ("Washington should stop insisting on a grand bargain.",
         {("author", "big_deal", "rejected")}),
        ("Seoul should steer clear of another grand bargain.",
         {("author", "big_deal", "rejected")}),
        ("Mediators should discourage any return to a grand bargain.",
         {("author", "big_deal", "rejected")}),
        # what one side asks the other to give is the asker's approach; a side refusing to
        # give it all at once turns the package down
        ("Washington demanded that Pyongyang surrender its entire arsenal in one go.",
         {("us", "big_deal", "asserted")}),
        ("Washington wanted Pyongyang to hand over everything at once.",
         {("us", "big_deal", "asserted")}),
        ("Pyongyang will not surrender its deterrent in a single stroke.",
         {("dprk", "big_deal", "rejected")}),
        ("Washington wanted everything up front, Pyongyang wanted reciprocity in stages.",
         {("us", "big_deal", "asserted"), ("dprk", "small_deal", "asserted")}),
        # "such a proposal" / "this idea" stands for the approach named before it; an "it"
        # subject passes to the verb above
        ("Pyongyang proposed a phased deal, and Washington rejected this idea.",
         {("dprk", "small_deal", "asserted"), ("us", "small_deal", "rejected")}),
        ("Washington finds it hard to accept a phased deal.",
         {("us", "small_deal", "rejected")}),
        ("Washington said it would reject a phased deal.", {("us", "small_deal", "rejected")}),
        ("Washington wanted all or nothing at Hanoi.", {("us", "big_deal", "asserted")}),
        # bare "the administration" is Washington's
        ("The administration's all-or-nothing demand left no room for a deal.",
         {("us", "big_deal", "asserted")}),
        # "before any relief" is the package itself, not a condition on it
        ("Washington insisted that Pyongyang disarm completely before any relief was granted.",
         {("us", "big_deal", "asserted")}),
        ("North Korean negotiators balked at any formula that left relief at the far end.",
         {("dprk", "big_deal", "rejected")}),
        ("Washington now distrusts any bargain paid out in instalments.",
         {("us", "small_deal", "rejected")}),
        ("The North will hardly surrender its deterrent at one blow.",
         {("dprk", "big_deal", "rejected")}),
        ("Pyongyang sought relief in step with each measure it took.",
         {("dprk", "small_deal", "asserted")}),
        ("Washington wanted to settle everything in one package.",
         {("us", "big_deal", "asserted")}),
        ("Washington handed Pyongyang a maximalist paper.", {("us", "big_deal", "asserted")}),
        # a pseudo-cleft names the side and its stance
        ("What Washington brought to Hanoi was an all-or-nothing offer.",
         {("us", "big_deal", "asserted")}),
        ("What Pyongyang refused was a grand bargain.", {("dprk", "big_deal", "rejected")}),
        ("Pyongyang would never surrender its arsenal at a single stroke.",
         {("dprk", "big_deal", "rejected")}),
        ("The American side was asking for the whole inventory up front.",
         {("us", "big_deal", "asserted")}),
        ("Washington wanted everything before receiving anything.",
         {("us", "big_deal", "asserted")}),
    ],
)
def test_approach_wording_and_holder(nlp, coder, text, expected):
    rows = [r for r in code(nlp, coder, text) if r["variable"] == "approach"]
    assert {(r["holder"], r["value"], r["assessment"]) for r in rows} == expected


def test_a_pseudo_cleft_that_advises_a_side_is_not_its_approach(nlp, coder):
    rows = code(nlp, coder, "What Washington should not do is revive the all-or-nothing "
                            "playbook.")
    assert not [r for r in rows if r["variable"] == "approach" and r["holder"] == "us"]


# ------------------------------------------------------------------------ seed briefs


@pytest.fixture(scope="session")
def seeds(nlp, coder):
    config = load_config()
    out = {}
    for name in (SEJONG, UNKNOWN):
        doc = nlp(extract_txt(SEEDS / name, config.ingest).text)
        out[name] = coder.code_doc(doc, positions_for(doc))
    return out


def _codes(rows, assessment=None):
    return {
        (r["variable"], r["value"], r["holder"])
        for r in rows
        if assessment is None or r["assessment"] == assessment
    }


def test_sejong_acceptance(seeds):
    rows = seeds[SEJONG]
    for value in ("us_domestic_politics", "hardliner_influence"):
        assert {r["assessment"] for r in rows if r["value"] == value} == {"rejected"}
    asserted = _codes(rows, "asserted")
    assert ("cause", "definition_gap", None) in asserted
    assert ("cause", "sanctions_gap", None) in asserted
    assert ("approach", "big_deal", "us") in asserted
    assert ("approach", "small_deal", "dprk") in asserted


def test_second_brief_acceptance(seeds):
    asserted = _codes(seeds[UNKNOWN], "asserted")
    for value in ("approach_gap", "scope_gap", "sanctions_gap"):
        assert ("cause", value, None) in asserted
    assert {
        ("outcome_framing", "constructive_no_deal", None),
        ("outcome_framing", "mixed", None),
    } & asserted
    assert ("approach", "hybrid", "author") in asserted
    for value in ("resumption", "impasse", "escalation"):
        assert ("outlook", value, None) in asserted
