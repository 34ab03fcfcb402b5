"""NLP stage components: actor, proposal and approach mentions as `doc.spans` groups.

`briefs_actors` fills `doc.spans["actors"]` (linked, label "actor") and `doc.spans["unlinked"]`
(NER entities that name no codebook actor); `briefs_targets` fills `doc.spans["proposals"]`
and `doc.spans["approaches"]`. Both start empty: attach the vocabulary after `add_pipe`:

    vocab = load_vocabulary(config_dir)
    nlp.add_pipe("briefs_actors", after="ner").add_vocabulary(vocab)
    nlp.add_pipe("briefs_targets").add_vocabulary(vocab)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.matching import AnchoredMatcher
from pipeline.nlp.vocab import (
    DASHES,
    NOT_ACTOR_LABEL,
    Vocabulary,
    actor_patterns,
    is_case_sensitive,
    surface_variants,
    target_patterns,
)

ACTOR_LABEL = "actor"
UNLINKED_LABEL = "unlinked"
DEFAULT_NER_LABELS = ["PERSON", "ORG", "GPE", "NORP"]

_DASHES = "".join(DASHES) + "/"
_DASH_SPLIT = re.compile(f"([{re.escape(_DASHES)}])")
_POSSESSIVE = frozenset({"'s", "\u2019s", "'", "\u2019"})


@dataclass(frozen=True)
class _Candidate:
    """One Matcher hit: the full match (title and article included) and its mention core."""

    start: int
    end: int
    core_start: int
    core_end: int
    label: str
    ident: str
    weak: bool = False

    def overlaps(self, other: _Candidate) -> bool:
        return self.start < other.end and other.start < self.end

    def rank(self) -> tuple[int, int, int]:
        # Longest mention first; the full match breaks ties, so "Vice Chairman Kim" beats
        # "Chairman Kim" while "North Korea" beats "the North".
        return (-(self.core_end - self.core_start), -(self.end - self.start), self.start)


def _longest_first(candidates: list[_Candidate], kept: list[_Candidate]) -> list[_Candidate]:
    """Add candidates to `kept`, longest first, skipping any that overlaps a kept one."""
    for cand in sorted(candidates, key=_Candidate.rank):
        if not any(cand.overlaps(k) for k in kept):
            kept.append(cand)
    return kept


class ActorLinker:
    """Links actor mentions to codebook ids; collects other named entities as unlinked.

    Pattern data comes only from `add_vocabulary`, never from the component config.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        spans_key: str,
        unlinked_key: str,
        ner_labels: list[str],
        split_compounds: bool,
    ) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.spans_key = spans_key
        self.unlinked_key = unlinked_key
        self.ner_labels = frozenset(ner_labels)
        self.split_compounds = split_compounds
        self.matcher = AnchoredMatcher(nlp.vocab)
        self._meta: dict[int, tuple[str, str, int, bool]] = {}
        self._exact_parts: frozenset[str] = frozenset()
        self._lower_parts: frozenset[str] = frozenset()

    def add_vocabulary(self, vocab: Vocabulary) -> ActorLinker:
        """Replace the patterns with those of `vocab`; returns self for chaining."""
        self.matcher = AnchoredMatcher(self.vocab)
        self._meta = {}
        for entry in actor_patterns(vocab, self.tokenizer):
            key = f"briefs_actor:{entry['label']}:{entry['id']}:{entry['trim']}:{entry['weak']}"
            key_hash = self.vocab.strings.add(key)
            self._meta[key_hash] = (entry["label"], entry["id"], entry["trim"], entry["weak"])
            self.matcher.add(key, [entry["pattern"]])
        exact: set[str] = set()
        lower: set[str] = set()
        for actor in vocab.actors:
            for form in actor.aliases + actor.demonyms + actor.capitals:
                for variant in surface_variants(form):
                    for tok in self.tokenizer(variant):
                        if is_case_sensitive(tok.text):
                            exact.add(tok.text)
                        elif tok.text[:1].isupper():
                            lower.add(tok.lower_)
        self._exact_parts, self._lower_parts = frozenset(exact), frozenset(lower)
        return self

    def __call__(self, doc: Doc) -> Doc:
        if self.split_compounds:
            self._split_compounds(doc)
        candidates = []
        # An empty Matcher warns on every call; a component without vocabulary finds nothing.
        matches = self.matcher(doc) if len(self.matcher) else []
        for match_id, start, end in matches:
            label, ident, trim, weak = self._meta[match_id]
            core_start = _skip_words(doc, start, end, trim)
            candidates.append(_Candidate(start, end, core_start, end, label, ident, weak))
        kept = _longest_first([c for c in candidates if not c.weak], [])
        first_seen: dict[str, int] = {}
        for cand in kept:
            if cand.label != NOT_ACTOR_LABEL:
                first_seen[cand.ident] = min(first_seen.get(cand.ident, cand.start), cand.start)
        # A weak form ("Kim") needs an earlier full mention and must not begin another
        # person's name ("Kim Yo-jong").
        weak = [
            c
            for c in candidates
            if c.weak
            and first_seen.get(c.ident, len(doc)) < c.start
            and not _starts_name(doc, c.core_end)
        ]
        kept = _longest_first(weak, kept)
        actors = [c for c in kept if c.label != NOT_ACTOR_LABEL]
        doc.spans[self.spans_key] = [
            Span(doc, c.core_start, c.core_end, label=ACTOR_LABEL, kb_id=c.ident, span_id=c.ident)
            for c in sorted(actors, key=lambda c: (c.core_start, c.core_end))
        ]
        doc.spans[self.unlinked_key] = self._unlinked(doc, actors)
        return doc

    def _is_part(self, piece: str) -> bool:
        return piece in self._exact_parts or (
            piece[:1].isupper() and piece.lower() in self._lower_parts
        )

    def _split_compounds(self, doc: Doc) -> None:
        """Split tokens such as "U.S.-DPRK" (the tokenizer keeps them whole) into parts."""
        splits: list[tuple[Token, list[str]]] = []
        for tok in doc:
            text = tok.text
            if len(text) < 3 or not any(ch in _DASHES for ch in text[1:-1]):
                continue
            pieces = [p for p in _DASH_SPLIT.split(text) if p]
            if len(pieces) > 1 and any(self._is_part(p) for p in pieces):
                splits.append((tok, pieces))
        if not splits:
            return
        parsed = doc.has_annotation("DEP")
        with doc.retokenize() as retokenizer:
            for tok, pieces in splits:
                last = len(pieces) - 1
                heads: list[Any] = [(tok, last)] * last
                heads.append(tok.head if parsed and tok.head.i != tok.i else (tok, last))
                attrs: dict[str, list[str]] = {}
                if parsed:
                    attrs["DEP"] = [
                        "punct" if p in _DASHES else "compound" for p in pieces[:-1]
                    ] + [tok.dep_]
                retokenizer.split(tok, pieces, heads=heads, attrs=attrs)

    def _unlinked(self, doc: Doc, actors: list[_Candidate]) -> list[Span]:
        if not doc.has_annotation("ENT_IOB"):
            return []
        spans = []
        for ent in doc.ents:
            if ent.label_ not in self.ner_labels:
                continue
            if any(ent.start < a.end and a.start < ent.end for a in actors):
                continue
            start, end = ent.start, ent.end
            # The statistical NER sometimes runs across a heading break: keep the first line.
            for i in range(start, end):
                if doc[i].is_space and "\n" in doc[i].text:
                    end = i
                    break
            while start < end and (doc[start].lower_ == "the" or doc[start].is_space):
                start += 1
            while end > start and (doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_space):
                end -= 1
            if start < end:
                # kb_id keeps the NER label (PERSON, ORG, ...) for the mentions table
                spans.append(Span(doc, start, end, label=UNLINKED_LABEL, kb_id=ent.label_))
        return spans


def _skip_words(doc: Doc, start: int, end: int, n_words: int) -> int:
    """Index after the first `n_words` non-space tokens from `start` and any spaces after."""
    i = start
    while n_words and i < end:
        if not doc[i].is_space:
            n_words -= 1
        i += 1
    while i < end and doc[i].is_space:
        i += 1
    return i


def _starts_name(doc: Doc, i: int) -> bool:
    """Whether the token at `i` continues a personal name (a capitalised word)."""
    while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += 1
    return i < len(doc) and doc[i].is_alpha and doc[i].text[:1].isupper()


class TargetLinker:
    """Links proposal and approach phrases to codebook ids (longest match wins overall)."""

    def __init__(self, nlp: Language, name: str, proposals_key: str, approaches_key: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.keys = {"proposal": proposals_key, "approach": approaches_key}
        self.matcher = AnchoredMatcher(nlp.vocab)
        self._meta: dict[int, tuple[str, str]] = {}

    def add_vocabulary(self, vocab: Vocabulary) -> TargetLinker:
        """Replace the patterns with those of `vocab`; returns self for chaining."""
        self.matcher = AnchoredMatcher(self.vocab)
        self._meta = {}
        for entry in target_patterns(vocab, self.tokenizer):
            key = f"briefs_target:{entry['label']}:{entry['id']}"
            self._meta[self.vocab.strings.add(key)] = (entry["label"], entry["id"])
            self.matcher.add(key, [entry["pattern"]])
        return self

    def __call__(self, doc: Doc) -> Doc:
        candidates = []
        matches = self.matcher(doc) if len(self.matcher) else []
        for match_id, start, end in matches:
            kind, ident = self._meta[match_id]
            start, end = _strip_spaces(doc, start, end)
            candidates.append(_Candidate(start, end, start, end, kind, ident))
        kept = _longest_first(candidates, [])
        for kind, key in self.keys.items():
            doc.spans[key] = [
                Span(doc, c.start, c.end, label=kind, kb_id=c.ident, span_id=c.ident)
                for c in sorted(kept, key=lambda c: c.start)
                if c.label == kind
            ]
        return doc


def _strip_spaces(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end - 1 and doc[start].is_space:
        start += 1
    while end - 1 > start and doc[end - 1].is_space:
        end -= 1
    return start, end


@Language.factory(
    "briefs_actors",
    default_config={
        "spans_key": "actors",
        "unlinked_key": "unlinked",
        "ner_labels": DEFAULT_NER_LABELS,
        "split_compounds": True,
    },
)
def make_actor_linker(
    nlp: Language,
    name: str,
    spans_key: str,
    unlinked_key: str,
    ner_labels: list[str],
    split_compounds: bool,
) -> ActorLinker:
    """Actor mentions; place after "ner" so unlinked entities can be collected."""
    return ActorLinker(nlp, name, spans_key, unlinked_key, ner_labels, split_compounds)


@Language.factory(
    "briefs_targets",
    default_config={"proposals_key": "proposals", "approaches_key": "approaches"},
)
def make_target_linker(
    nlp: Language, name: str, proposals_key: str, approaches_key: str
) -> TargetLinker:
    """Proposal and approach mentions."""
    return TargetLinker(nlp, name, proposals_key, approaches_key)
