"""The anchored matcher finds exactly what spaCy's Matcher finds, only faster."""

from __future__ import annotations

import random

import pytest
import spacy
from spacy.matcher import Matcher

from pipeline.matching import AnchoredMatcher

WORDS = ("north korea kim jong - un sanctions relief the of a to refused yongbyon deal big "
         "small step by phased washington talks , . collapse blame hardliners").split()


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def _text(rng: random.Random, n_words: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n_words)]
    # whitespace tokens between some words (a pattern may allow them with IS_SPACE)
    return " ".join(w if rng.random() > 0.05 else w + "\n\n" for w in words)


PATTERNS = {
    "literal": [[{"LOWER": "north"}, {"LOWER": "korea"}]],
    "in_set": [[{"LOWER": {"IN": ["kim", "washington"]}}, {"LOWER": "refused"}]],
    "regex": [[{"LOWER": {"REGEX": "^sanction"}}, {"LOWER": "relief"}]],
    "quantified": [[{"LOWER": {"IN": ["the", "a"]}, "OP": "?"},
                    {"LOWER": "big"}, {"IS_PUNCT": False, "OP": "{,4}"}, {"LOWER": "deal"}]],
    "anchor_late": [[{"IS_PUNCT": False, "OP": "{1,3}"}, {"LOWER": "blame"}]],
    "repeated_anchor": [[{"LOWER": "step", "OP": "{1,2}"}, {"LOWER": "by"}]],
    "spaces": [[{"LOWER": "kim"}, {"IS_SPACE": True, "OP": "*"}, {"LOWER": "jong"},
                {"IS_SPACE": True, "OP": "*"}, {"ORTH": "-"}, {"LOWER": "un"}]],
    "stop_words_only": [[{"LOWER": "of"}, {"LOWER": "the"}]],
    "unanchored": [[{"IS_PUNCT": True}, {"LOWER": {"NOT_IN": ["the"]}}]],
    "unbounded": [[{"LOWER": "talks"}, {"OP": "+"}, {"LOWER": "collapse"}]],
    "optional_first": [[{"LOWER": "phased", "OP": "?"}, {"LOWER": "deal"}]],
}


@pytest.mark.parametrize("seed", range(6))
def test_same_matches_as_spacy_matcher(blank, seed: int) -> None:
    rng = random.Random(seed)
    plain, anchored = Matcher(blank.vocab), AnchoredMatcher(blank.vocab)
    for key, patterns in PATTERNS.items():
        plain.add(key, patterns)
        anchored.add(key, patterns)
    for n_words in (30, 400, 1500):  # below and above the size where windows are used
        doc = blank(_text(rng, n_words))
        assert sorted(set(plain(doc))) == sorted(anchored(doc))
        span = doc[len(doc) // 3 :]
        assert sorted(set(plain(span))) == sorted(anchored(span))


def test_matches_are_sorted_by_position_then_key_order(blank) -> None:
    anchored = AnchoredMatcher(blank.vocab)
    anchored.add("second", [[{"LOWER": "deal"}]])
    anchored.add("first", [[{"LOWER": "deal"}], [{"LOWER": "big"}, {"LOWER": "deal"}]])
    doc = blank(" ".join(["the big deal"] * 100))
    found = anchored(doc)
    assert found == sorted(found, key=lambda m: (m[1], m[2]))
    strings = blank.vocab.strings
    assert [strings[m] for m, s, e in found[:3]] == ["first", "second", "first"]


def test_no_patterns_finds_nothing(blank) -> None:
    assert AnchoredMatcher(blank.vocab)(blank("north korea " * 200)) == []
