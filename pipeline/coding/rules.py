"""Coding stage, rule coder: parsed Doc + its positions -> `codes` rows (method "rules").

Cue-based variables are matched with spaCy `Matcher`/`PhraseMatcher` built from
configs/codebook.yaml; `source: positions` variables (approach) are read from the NLP stage's
positions rows. `assess` decides asserted / rejected / reported from the assessment cues.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from pipeline.coding.codebook import AssessmentCues, Codebook, CueGroup
from pipeline.matching import AnchoredMatcher
from pipeline.nlp.stage import iter_sentences
from pipeline.nlp.vocab import surface_variants

METHOD = "rules"
# Approach rows restate the NLP stage's positions (the codes table's method enum).
POSITIONS_METHOD = "positions"
AUTHOR = "author"
# Contexts (configs/codebook.yaml) for approaches the positions miss: a recommendation in
# the author's voice, a fixed end state (which makes step-by-step implementation a hybrid), and
# the big / small deal wording used when the NLP stage found no approach in the sentence.
RECOMMEND, END_STATE, BIG_SIDE, SMALL_SIDE = "recommend", "end_state", "big_side", "small_side"
# Two sides set against each other in one sentence ("while", "whereas").
CONTRAST = "contrast"
# Relations by which a side pursues (or the author recommends) an approach.
PURSUES = frozenset({"proposes", "offers", "demands", "advocates", "accepts"})
# Dependency labels of clauses that stand beside, not under, the clause of a cue.
_SIDE_CLAUSES = frozenset({"conj", "parataxis"})
# Negators of a clause or a noun phrase ("was not X", "not X", "never"), and the words after
# "not" that make it a restriction rather than a negation ("not only", "not just").
_NEGATORS = frozenset({"not", "n't", "never", "nor", "hardly", "scarcely"})
# Verbs that characterise something "as X" (or "call it X"): negated, they deny X ("Hanoi
# should not be described as a failure", "need not be written off as a fiasco").
_CHARACTERIZING = frozenset(
    {"describe", "call", "characterize", "characterise", "label", "term", "brand", "dub",
     "portray", "depict", "paint", "frame", "write", "see", "view", "regard", "read",
     "count", "treat", "understand", "consider", "judge", "classify", "remember"})
_NOT_A_NEGATION = frozenset({"only", "just", "merely", "simply", "least", "even", "yet", "until"})
# Verbs whose negation is the refusal a cue names, not a denial of it ("North Korea would
# not declare its enrichment facilities" is the scope gap, asserted).
_REFUSAL_VERBS = frozenset(
    {"declare", "give", "offer", "include", "accept", "agree", "commit", "discuss", "put",
     "cover", "lift", "ease", "provide", "dismantle", "close", "allow", "disclose", "list",
     "budge", "yield", "relax", "remove", "grant", "go", "consider", "share", "bridge",
     "resolve", "settle", "reconcile"}
)
# Determiners / pronouns that negate a subject ("neither side miscalculated").
_NEGATIVE_SUBJECTS = frozenset({"neither", "no", "nobody", "none", "nothing"})
# Comparatives whose "than" sets two things against each other: "more A than B" ("better
# understood as A than as B") keeps A and dismisses B; "less A than B" dismisses A.
_REASONS = frozenset({"because", "since", "given"})
_MORE = frozenset({"more", "rather", "greater", "bigger", "larger", "better"})
_LESS = frozenset({"less", "fewer"})
# "X mattered, but not nearly as much as Y": the words between "not" and the first "as".
_AS_DEGREE = frozenset({"nearly", "quite", "remotely", "anywhere", "near", "so"})
# An auxiliary that opens a yes/no question ("Was Hanoi really lost for want of a draft?").
_QUESTION_AUX = frozenset({"was", "were", "is", "are", "did", "does", "do", "could", "can",
                           "would", "has", "had", "have"})
# Subjects that are not the thing a predicate judges ("It is a myth that X", "This is too
# tidy"): the rejection then reaches the whole clause.
_EXPLETIVES = frozenset({"it", "this", "that", "there", "these", "those", "which", "such"})
# Head nouns of a subject that voices a claim ("the argument that X ignores ...").
_CLAIM_NOUNS = frozenset(
    {"view", "claim", "argument", "explanation", "narrative", "account", "idea", "notion",
     "theory", "reading", "interpretation", "assumption", "assertion", "contention", "story",
     "thesis", "diagnosis", "those", "anyone", "analysts", "critics", "observers",
     # forecasts and characterisations ("Predictions of a return to fire and fury
     # underestimate ...", "Talk of a frozen process strikes me as premature")
     "prediction", "forecast", "expectation", "hope", "talk", "speculation", "suggestion",
     "characterization", "characterisation", "description", "portrayal", "framing",
     "caricature", "charge", "complaint", "verdict", "version", "belief", "commentator"}
)
# Prepositions by which a step-by-step approach heads for an end state.
_TOWARD = frozenset({"with", "toward", "towards", "to", "within", "under", "around", "for"})
# Discourse openers before the subject of a sentence that answers the one before it.
_OPENERS = frozenset({"but", "yet", "however", "still", "and", "in", "fact", "truth",
                      "reality", "practice", "alas", "unfortunately", "frankly"})
# "The record suggests otherwise."
_SHOWING = frozenset({"suggest", "show", "indicate", "tell", "prove", "demonstrate", "say"})
# A one-word (or short) answer that dismisses the question before it ("X? Hardly.").
_DISMISSIVE_ANSWERS = frozenset(
    {("hardly",), ("no",), ("not", "really"), ("far", "from", "it"), ("unlikely",),
     ("not", "at", "all"), ("certainly", "not"), ("surely", "not"), ("of", "course", "not"),
     ("hardly", "so"), ("doubtful",), ("scarcely",), ("not", "so"), ("probably", "not"),
     ("not", "quite")}
)


class CueMatcher:
    """A Matcher and a PhraseMatcher (LOWER) sharing string keys; returns (key, span)."""

    def __init__(self, vocab: Vocab, tokenizer: Callable[[str], Doc]) -> None:
        self.vocab = vocab
        self.tokenizer = tokenizer
        self.matcher = AnchoredMatcher(vocab)
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self.keys: set[str] = set()

    def add(self, key: str, phrases: Iterable[str], patterns: Iterable[Sequence[dict]]) -> None:
        """Add cues under `key` (phrases get their hyphen/apostrophe variants)."""
        docs = []
        seen: set[tuple[str, ...]] = set()
        for phrase in phrases:
            for variant in surface_variants(phrase):
                doc = self.tokenizer(variant)
                form = tuple(t.lower_ for t in doc)
                if form and form not in seen:
                    seen.add(form)
                    docs.append(doc)
        if docs:
            self.phrases.add(key, docs)
        patterns = [[dict(tok) for tok in p] for p in patterns]
        if patterns:
            self.matcher.add(key, patterns)
        if docs or patterns:
            self.keys.add(key)

    def __call__(self, doclike: Doc | Span) -> list[tuple[str, Span]]:
        if not self.keys:
            return []
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        offset = doclike.start if isinstance(doclike, Span) else 0
        # On a Span, the PhraseMatcher returns Doc indices but the Matcher Span indices.
        raw = list(self.phrases(doclike)) if len(self.phrases) else []
        if len(self.matcher):
            raw += [(m, offset + s, offset + e) for m, s, e in self.matcher(doclike)]
        found = {(self.vocab.strings[m], s, e) for m, s, e in raw}
        return [(key, doc[s:e]) for key, s, e in sorted(found, key=lambda x: (x[1], x[2], x[0]))]


@dataclass(frozen=True)
class _Found:
    kind: str  # rejection, report, endorsement, contrast, anaphor, hedge
    scope: str
    span: Span


class AssessmentMatcher:
    """The compiled assessment cues of a codebook (the `cues` argument of `assess`)."""

    def __init__(
        self, cues: AssessmentCues, vocab: Vocab, tokenizer: Callable[[str], Doc]
    ) -> None:
        self.cues = cues
        self.matcher = CueMatcher(vocab, tokenizer)
        for kind, lists in (("rejection", cues.rejection), ("report", cues.report)):
            for i, cue in enumerate(lists):
                self.matcher.add(f"{kind}:{cue.scope}:{i}", cue.phrases, cue.patterns)
        for kind, cue_set in (
            ("endorsement", cues.endorsement),
            ("contrast", cues.contrast),
            ("rebuttal", cues.rebuttal),
            ("anaphor", cues.anaphors),
            ("hedge", cues.hedges),
        ):
            self.matcher.add(f"{kind}:sentence:0", cue_set.phrases, cue_set.patterns)
        self.scope_breaks = frozenset(cues.scope_breaks)
        self.report_verbs = frozenset(cues.report_verbs)
        self.author_subjects = frozenset(cues.author_subjects)
        self.condition_marks = frozenset(cues.condition_marks)
        self.conditional_variables = frozenset(cues.conditional_variables)
        self._cache: tuple[Doc, int, list[_Found]] | None = None

    def find(self, sentence: Span) -> list[_Found]:
        """All assessment cues in a sentence (cached for the last sentence asked)."""
        # Compare the Doc by identity (not id()): a freed Doc's id can be reused.
        if self._cache is not None and self._cache[0] is sentence.doc:
            if self._cache[1] == sentence.start:
                return self._cache[2]
        found = []
        for label, span in self.matcher(sentence):
            kind, scope, _ = label.split(":")
            found.append(_Found(kind, scope, span))
        found += [_Found("report", "following", sentence.doc[t.i: t.i + 1])
                  for t in sentence if self._reports(t)]
        self._cache = (sentence.doc, sentence.start, found)
        return found

    def _reports(self, verb: Token) -> bool:
        """Whether `verb` is a report verb with someone other than the author as subject and
        what it reports after it (a that-clause, or the object of blaming/attributing)."""
        if verb.pos_ != "VERB" or verb.lemma_.lower() not in self.report_verbs:
            return False
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects or any(c.dep_ == "neg" for c in verb.children):
            return False
        # "we argue", "this brief's authors contend", "the paper argues"
        subject = subjects[0]
        if any(t.lower_ in self.author_subjects for t in subject.subtree
               if t == subject or t.dep_ in ("compound", "poss")):
            return False
        return any(c.dep_ in ("ccomp", "dobj") and c.i > verb.i for c in verb.children)

    def is_hedged(self, sentence: Span) -> bool:
        """Whether the sentence hedges its claim ("appears to", "may have")."""
        return any(f.kind == "hedge" for f in self.find(sentence))


# ------------------------------------------------------------------------------- scope


def _clause_head(span: Span) -> Token:
    """The verb a cue hangs on: its own root if a verb, else the nearest verb above."""
    token = span.root
    if token.dep_ in ("prep", "advmod", "npadvmod", "advcl") and token.head not in span:
        token = token.head  # "according to X", "reportedly": the clause they modify
    while token.pos_ not in ("VERB", "AUX") and token.head != token:
        token = token.head
    return token


def _pruned_subtree(token: Token, breaks: frozenset[str], keep: Token | None = None) -> set[int]:
    """Token indices under `token`, leaving out coordinated clauses ("..., but Y") and
    subordinate clauses introduced by a scope break ("because", "while")."""
    out = {token.i}
    for child in token.children:
        if child == keep:
            out |= _pruned_subtree(child, breaks)
            continue
        if child.dep_ in _SIDE_CLAUSES and child.pos_ in ("VERB", "AUX"):
            continue
        if child.dep_ == "cc" or (child.dep_ == "mark" and child.lower_ in breaks):
            continue
        if child.dep_ in ("advcl", "ccomp") and any(
            g.dep_ == "mark" and g.lower_ in breaks for g in child.children
        ):
            continue
        out |= _pruned_subtree(child, breaks)
    return out


def _reported_conjuncts(verb: Token, breaks: frozenset[str]) -> set[int]:
    """Token indices of the clauses coordinated with what a report verb reports ("They say
    X, and that Y": Y, whether parsed as joined to X or, with its "that", to the verb),
    unless a scope break joins them ("X, but Y")."""
    def joined(head: Token) -> list[Token]:
        if any(c.dep_ == "cc" and c.lower_ in breaks for c in head.children):
            return []
        return [c for c in head.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]

    clauses = [c for c in joined(verb)
               if any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)]
    for clause in verb.children:
        if clause.dep_ in ("ccomp", "xcomp"):
            clauses += joined(clause)
    return set().union(*(_pruned_subtree(c, breaks) for c in clauses))


def _scope(found: _Found, sentence: Span, breaks: frozenset[str]) -> set[int]:
    """Token indices an assessment cue reaches (see configs/codebook.yaml: assessment)."""
    all_tokens = set(range(sentence.start, sentence.end))
    if found.scope == "sentence":
        return all_tokens
    span = found.span
    if found.scope == "subject":
        # "Calling Hanoi a miscalculation mistakes a collision of known positions for an
        # accident": what the verb says is mistaken is its subject, not its object
        subjects = [c for c in _clause_head(span).children
                    if c.dep_ in ("nsubj", "nsubjpass", "csubj") and c.lower_ not in _EXPLETIVES]
        return ({t.i for s in subjects for t in s.subtree} | set(range(span.start, span.end))
                ) & all_tokens
    if found.kind == "rejection":
        subject = _judged_subject(span)
        if subject is not None:
            # "Hasty preparation is an unconvincing explanation for a breakdown that turned
            # on sanctions": the predicate judges its subject, not what the predicate adds
            return ({t.i for t in subject.subtree} | set(range(span.start, span.end))) & all_tokens
    if found.scope == "following":
        # a cue ending in a break word opens it ("did not fail because X" reaches X)
        breaks = breaks - {span[-1].lower_}
        own = _pruned_subtree(span.root, breaks)
        if found.kind == "report":
            own |= _reported_conjuncts(span.root, breaks)
        own &= all_tokens
        after = {i for i in own if i >= span.end}
        if not after:
            clause = _pruned_subtree(_clause_head(span), breaks) & all_tokens
            after = {i for i in clause if i >= span.end}
        if found.kind == "rejection":
            # "Rather than X, Y ...", "not because of X but Y": a dismissal reaches the end
            # of its phrase, not past it
            stop = next(
                (i for i in range(span.end, sentence.end) if _ends_phrase(span.doc[i])),
                sentence.end,
            )
            after = {i for i in after if i < stop}
        return after
    return _pruned_subtree(_clause_head(span), breaks) & all_tokens


def _judged_subject(span: Span) -> Token | None:
    """The subject a nominal predicate judges: "X is a red herring", "X was an unconvincing
    explanation for a breakdown that ..." (the cue inside the attribute of "be"); None for an
    expletive or anaphoric subject ("It is a myth that X", "This is too tidy") or any
    other cue."""
    token = span.root
    first = span[0]
    predicates = ("attr",)
    if len(span) > 1 and first.pos_ == "ADJ" and first.dep_ in ("acomp", "conj"):
        # "X was real but secondary to Y": an adjectival predicate with its own object
        token = first
        while token.dep_ == "conj" and token.head.dep_ in ("acomp", "conj"):
            token = token.head
        if token.dep_ == "acomp":
            predicates = ("attr", "acomp")
        else:
            token = span.root
    while token.dep_ not in predicates:
        if token.dep_ in ("ROOT", "relcl", "acl", "advcl", "ccomp", "xcomp", "conj") or (
            token.head == token
        ):
            return None
        token = token.head
    copula = token.head
    if copula.lemma_ != "be":
        return None
    subjects = [c for c in copula.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
    if len(subjects) != 1 or subjects[0].lower_ in _EXPLETIVES:
        return None
    if any(c.dep_ in ("ccomp", "xcomp") for c in copula.children):
        return None  # "X is wrong to say ...": the predicate has a clause of its own
    return subjects[0]


def _negated_predicate(cue: Span) -> bool:
    """The cue lies inside what a negated "be" predicates, however deep: "It was not a
    disagreement over what denuclearization means that divided them", "The problem was not
    that the sides read the term differently" (not the "but Y" that follows)."""
    token = cue.root
    while token.head != token:
        if token.dep_ == "conj" and _after_but(token):
            return False
        if token.dep_ in ("xcomp", "advcl"):
            return False  # "was not prepared to give X": friction, not a denial of X
        if token.dep_ in ("attr", "ccomp") and token.head.lemma_ == "be":
            copula = token.head
            if token.dep_ == "ccomp" and not any(
                c.dep_ in ("nsubj", "attr") and c.i < copula.i for c in copula.children
            ):
                return False
            return any(
                _is_negator(c, cue) for c in copula.children if c.dep_ in ("neg", "advmod")
            )
        token = token.head
    return False


def _dismissed_subject(cue: Span, found: list[_Found]) -> bool:
    """The cue is in the subject of a rebuttal or rejection verb and that subject voices a
    claim: "Attributing the collapse to X misses ...", "Those who blame X overlook ...",
    "The argument that X ignores ..." (not "Kim's miscalculation ignored ...")."""
    for f in found:
        if f.kind not in ("rebuttal", "rejection") or f.span.start <= cue.start:
            continue
        verb = _clause_head(f.span)
        for subject in (c for c in verb.children if c.dep_ in ("nsubj", "csubj")):
            tokens = {t.i for t in subject.subtree}
            if cue.root.i not in tokens:
                continue
            if subject.dep_ == "csubj" or subject.lemma_.lower() in _CLAIM_NOUNS:
                return True
            if any(t.pos_ == "VERB" and t.dep_ in ("relcl", "acl") for t in subject.subtree):
                return True
    return False


def _in_subordinate(span: Span, breaks: frozenset[str]) -> bool:
    """Whether a cue sits in a clause opened by a scope break ("Although the summit
    collapsed, ...", "... because the talks broke down")."""
    token = span.root
    while True:
        if any(c.dep_ == "mark" and c.lower_ in breaks for c in token.children):
            return True
        if token.head == token:
            return False
        token = token.head


# Auxiliaries that open a condition by inversion ("Should talks resume, ...", "Had Trump
# accepted, ...")
_INVERTED_CONDITIONS = frozenset({"should", "were", "had"})


def _in_condition(span: Span, marks: frozenset[str]) -> bool:
    """Whether a cue sits in a condition ("If talks resume, ...", "unless Washington
    relents", "Should the North resume testing, ..."): a clause with one of `marks`, or
    opened by an inverted auxiliary, up to the comma that closes it (the parser seldom reads
    the inversion)."""
    sent = span.sent
    if sent[0].lower_ in _INVERTED_CONDITIONS and not _is_question(sent):
        comma = next((t.i for t in sent if t.text == ","), None)
        if comma is not None and span.end <= comma:
            return True
    token = span.root
    while True:
        if token.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in marks for c in token.children):
            return True
        if token.head == token:
            return False
        token = token.head


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _is_negator(token: Token, cue: Span) -> bool:
    """A "not" / "never" / "nor" outside the cue that negates, not restricts ("not only")."""
    if token.lower_ not in _NEGATORS or cue.start <= token.i < cue.end:
        return False
    before = token.doc[token.i - 1] if token.i > 0 else None
    if before is not None and (before.text in (",", ";") or before.lower_ in ("and", "but")):
        return False  # "Y, not X": negates X only (see _contrastive_not)
    nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return nxt is None or nxt.lower_ not in _NOT_A_NEGATION


def _after_but(token: Token) -> bool:
    """Whether a conjunct is the "but Y" of "not X but Y" (Y is what the author asserts)."""
    while token.dep_ == "conj":
        if any(c.dep_ == "cc" and c.lower_ in ("but", "rather") for c in token.head.children):
            return True
        if any(c.dep_ == "cc" and c.lower_ in ("but", "rather") for c in token.children):
            return True
        token = token.head
    return False


def _contrastive_not(cue: Span, sentence: Span) -> Token | None:
    """The "not" of "Y, not X" / "due to Y and not X" if the cue is its X (up to the next
    clause punctuation)."""
    for t in sentence:
        if t.lower_ != "not" or t.i == sentence.start or t.i >= cue.start:
            continue
        before = t.doc[t.i - 1]
        if before.text not in (",", "—", "–", ";") and before.lower_ not in ("and", "but"):
            continue
        nxt = t.doc[t.i + 1] if t.i + 1 < len(t.doc) else None
        if nxt is None or nxt.lower_ in _NOT_A_NEGATION or nxt.pos_ in ("VERB", "AUX"):
            continue
        if any(t.i == not_i for not_i, _ in _not_as_much(sentence)):
            continue  # "X mattered, but not as much as Y": Y is asserted
        end = t.i + 1
        while end < sentence.end and not _ends_phrase(t.doc[end]):
            end += 1
        if cue.end <= end:
            return t
    return None


def _negated(cue: Span) -> bool:
    """The author denies what the cue names: "X was not what sank the talks", "the problem
    was not X", "Nor was the outcome a product of X", "not X" ("Y, not X"), "neither X nor
    Y", "Neither side miscalculated", "talks will not resume". A negated verb that merely
    governs the cue ("could not agree on sanctions relief") is friction, not a denial."""
    root = cue.root
    if _after_but(root):
        return False
    # "not X" / "neither X nor Y": a negator on the cue's noun phrase (or its conjunct head);
    # a cue that only modifies the noun ("neither an all-at-once bargain") shares its negator
    token = root
    while (
        token.dep_ in ("amod", "compound", "nmod", "preconj")
        and token.head.pos_ in ("NOUN", "PROPN")
        and token.head.i not in range(cue.start, cue.end)
    ):
        token = token.head
    while True:
        if any(
            (_is_negator(c, cue) and c.dep_ in ("neg", "preconj", "advmod", "det", "cc"))
            or (c.lower_ == "neither" and c.dep_ in ("preconj", "det", "cc"))
            for c in token.children
            if not cue.start <= c.i < cue.end
        ):
            if token.pos_ not in ("VERB", "AUX") or (
                token == root and root.lemma_ not in _REFUSAL_VERBS
            ):
                return True
        if token.dep_ != "conj" or token.head == token:
            break
        token = token.head
    # the verb the cue hangs on: negated if it is the cue itself, a copula ("was not X") or
    # a verb that characterises something as the cue ("should not be described as X")
    token = root
    as_complement = root.dep_ in ("oprd", "attr")
    while token.pos_ not in ("VERB", "AUX") and token.head != token:
        if token.dep_ in ("relcl", "acl", "advcl", "ccomp", "xcomp", "pcomp"):
            return False  # a clause of its own inside the noun phrase
        as_complement = as_complement or (token.lower_ == "as" and token.dep_ == "prep")
        token = token.head
    if token.pos_ not in ("VERB", "AUX"):
        return False
    is_copula = token.lemma_ == "be" and token != root
    characterizes = as_complement and token.lemma_ in _CHARACTERIZING
    if token != root and not (is_copula or characterizes):
        return False
    if token == root and token.lemma_ in _REFUSAL_VERBS:
        return False
    if any(
        _is_negator(c, cue)
        for c in token.children
        if c.dep_ in ("neg", "advmod", "cc", "preconj", "dep")
    ):
        return True
    # "Nor was the outcome ...": a sentence-initial "nor" before the copula
    if any(c.lower_ == "nor" and c.i < token.i for c in token.children):
        return True
    if token == root:
        # "Neither side miscalculated", "No one miscalculated"
        subjects = (
            c
            for c in token.children
            if c.dep_ in ("nsubj", "nsubjpass") and not cue.start <= c.i < cue.end
        )
        for subj in subjects:
            if subj.lower_ in _NEGATIVE_SUBJECTS or any(
                d.lower_ in _NEGATIVE_SUBJECTS and d.dep_ in ("det", "preconj")
                for d in subj.children
            ):
                return True
    return False


def _compared_away(cue: Span, sentence: Span) -> bool:
    """The cue is the dismissed side of a comparison: B in "more (to do with) A than (with)
    B", "A rather than B"; A in "less A than B"."""
    tokens = list(sentence)
    for t in tokens:
        if t.lower_ != "than":
            continue
        comparative = next(
            (
                p
                for p in reversed(tokens[max(0, t.i - sentence.start - 15) : t.i - sentence.start])
                if p.lower_ in _MORE | _LESS
            ),
            None,
        )
        if comparative is None:
            continue
        if comparative.lower_ in _LESS:
            if comparative.i < cue.start and cue.end <= t.i:
                return True
            # "A mattered / counted for less than B": A is the subject of the verb
            # ("Whether A or B matters less than C" dismisses the choice, not A or B)
            verb = comparative.head
            if verb.dep_ in ("attr", "acomp") and verb.head.lemma_ == "be":
                verb = verb.head  # "X was less a cause than a symptom"
            choice = any(t.lower_ == "whether" for t in sentence if t.i < comparative.i)
            if cue.end <= comparative.i and verb.pos_ in ("VERB", "AUX") and not choice:
                subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
                if any(cue.root.i in {d.i for d in s.subtree} for s in subjects):
                    return True
            continue
        if cue.start <= t.i:
            continue
        # B runs from "than" to the end of its phrase (the next clause punctuation or "but")
        end = t.i + 1
        while end < sentence.end and not _ends_phrase(sentence.doc[end]):
            end += 1
        if t.i < cue.start and cue.end <= end:
            return True
    return False


def _not_as_much(sentence: Span) -> list[tuple[int, int]]:
    """(index of "not", index of the second "as") of each "not (nearly) as much / important
    as" in the sentence."""
    out = []
    doc = sentence.doc
    for t in sentence:
        if t.lower_ not in ("not", "n't"):
            continue
        i = t.i + 1
        while i < sentence.end and doc[i].lower_ in _AS_DEGREE:
            i += 1
        if i >= sentence.end or doc[i].lower_ != "as":
            continue
        second = next(
            (j for j in range(i + 2, min(i + 4, sentence.end)) if doc[j].lower_ == "as"), None
        )
        if second is not None:
            out.append((t.i, second))
    return out


def _less_than_other(cue: Span, sentence: Span) -> bool:
    """The cue is the subject of "X mattered, but not nearly as much as Y" / "X was not as
    important as Y" (the verb nearest before "not")."""
    for not_i, _ in _not_as_much(sentence):
        if cue.end > not_i:
            continue
        verb = next(
            (
                sentence.doc[i]
                for i in range(not_i - 1, sentence.start - 1, -1)
                if sentence.doc[i].pos_ in ("VERB", "AUX")
            ),
            None,
        )
        if verb is None:
            continue
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        if any(cue.root.i in {d.i for d in s.subtree} for s in subjects):
            return True
    return False


def _is_question(sentence: Span) -> bool:
    return sentence.text.rstrip().endswith("?")


def _rhetorical(sentence: Span) -> bool:
    """A yes/no question with "really" ("Was Hanoi really lost for want of a draft?",
    "Did Bolton really sink the summit?", "Does anyone seriously expect a third summit?"):
    the author doubts what it asks."""
    words = [t for t in sentence if not t.is_punct]
    return (
        _is_question(sentence)
        and bool(words)
        and words[0].lower_ in _QUESTION_AUX
        and any(t.lower_ in ("really", "truly", "seriously", "honestly") for t in words)
    )


def states_claim(sentence: Span) -> bool:
    """Whether a sentence has a verb: a title, heading, citation or list label without one
    ("Misjudgement.", "Summitry without Foundations", "3.2 Domestic politics in the U.S.")
    names a topic and claims nothing, so it is coded nothing."""
    return any(t.pos_ in ("VERB", "AUX") for t in sentence)


def _ends_phrase(token: Token) -> bool:
    """A token that ends the phrase after "than" (clause punctuation or a contrast)."""
    return token.text in (",", ";", ":", ".", "—", "–") or token.lower_ in ("but", "yet", "while")


def assess(sentence: Span, cue: Span, cues: AssessmentMatcher) -> str:
    """Decide whether the author asserts, rejects or reports what `cue` names.

    Rejected: a rejection cue whose scope covers the cue ("X was not the key determinant",
    "due to A rather than B" rejects B, a rejection in the main clause reaches a subordinate
    "despite assertions that X" clause); a rejection whose clause names an anaphor ("these two
    factors") reaches the whole sentence. Reported: a report cue's scope covers the cue
    ("it is argued that X", "according to critics"), unless the author endorses it ("as X
    rightly notes") or rejects it after a contrast ("some blame X, but that is overstated").
    Otherwise asserted; hedges do not change the assessment. Cues overlapping `cue` itself are
    ignored ("cannot be blamed on either side" is a cue, not a rejection of it).

    Args:
        sentence: the sentence (a Span of a parsed Doc).
        cue: the matched cue within the sentence.
        cues: the compiled assessment cues (`RuleCoder.assessment`).

    Returns:
        "asserted", "rejected" or "reported".
    """
    # An assessment cue that the code's cue begins with is part of it ("cannot be blamed on
    # either side" is a cue of `neither`, not a rejection of it).
    found = [
        f
        for f in cues.find(sentence)
        if not (_overlaps(f.span, cue) and f.span.start == cue.start)
    ]
    breaks = cues.scope_breaks
    target = cue.root.i
    # "X mattered, but not nearly as much as Y": Y is what the author asserts
    for not_i, second in _not_as_much(sentence):
        if cue.start > second:
            found = [
                f
                for f in found
                if not (f.kind == "rejection" and f.span.start <= not_i < f.span.end)
            ]
    if (
        _negated(cue)
        or _negated_predicate(cue)
        or _compared_away(cue, sentence)
        or _less_than_other(cue, sentence)
        or _rhetorical(sentence)
        or _contrastive_not(cue, sentence)
        or _dismissed_subject(cue, found)
    ):
        return "rejected"
    anaphors = [f.span for f in found if f.kind == "anaphor"]
    for f in found:
        if f.kind != "rejection":
            continue
        scope = _scope(f, sentence, breaks)
        if target in scope:
            return "rejected"
        clause = _pruned_subtree(_clause_head(f.span), breaks)
        if f.scope != "subject" and any(a.root.i in clause or _overlaps(a, f.span)
                                        for a in anaphors):
            return "rejected"
    # What others said includes its reasons ("Trump said he left because ...").
    report_breaks = breaks - _REASONS
    cue_tokens = set(range(cue.start, cue.end))
    reports = [
        f
        for f in found
        if f.kind == "report"
        and (target in (scope := _scope(f, sentence, report_breaks)) or cue_tokens & scope)
    ]
    if not reports:
        return "asserted"
    if any(f.kind == "endorsement" for f in found):
        return "asserted"
    if _rebutted(found, cue, reports):
        return "rejected"
    return "reported"


def _rebutted(found: list[_Found], cue: Span, reports: list[_Found]) -> bool:
    """A rejection or rebuttal after a contrast that follows the cue ("some blame X, but
    that is overstated", "... but this underestimates ..."), or after the cue when the report
    is a claim the sentence is about ("The explanation most often heard, that X, does not fit
    the record", "Claims that X are overstated")."""
    later = [f.span.start for f in found
             if f.kind in ("rejection", "rebuttal") and f.span.start >= cue.end]
    if not later:
        return False
    if any(r.span[0].lemma_.lower() in _CLAIM_NOUNS and r.span.start < cue.start
           for r in reports):
        return True
    contrasts = [f.span.start for f in found if f.kind == "contrast" and f.span.start > cue.end]
    return bool(contrasts) and max(later) > min(contrasts)


# -------------------------------------------------------------------------------- coder


@dataclass(frozen=True)
class _GroupInfo:
    variable: str
    value: str
    group: CueGroup


class RuleCoder:
    """Codes sentences of parsed Docs with a codebook; build once, call `code_doc` per Doc.

    Args:
        codebook: the loaded codebook.
        vocab: the Vocab of the Docs to be coded (`nlp.vocab`).
        tokenizer: tokenises phrases (default: the English tokenizer on `vocab`; pass
            `nlp.tokenizer` to use the pipeline's own).
        state_of: actor id -> state id, to roll persons up when a positions row has no
            `holder_state` (e.g. {"trump": "us"}).
    """

    def __init__(
        self,
        codebook: Codebook,
        vocab: Vocab,
        tokenizer: Callable[[str], Doc] | None = None,
        state_of: Mapping[str, str] | None = None,
    ) -> None:
        self.codebook = codebook
        tokenizer = tokenizer or spacy.blank("en", vocab=vocab).tokenizer
        self.state_of = dict(state_of or {})
        # One matcher for all cues, keyed "shape index|variable:value": the shape (strength,
        # requires, main_clause, dismisses) says which kind of cue group fired.
        self._shapes: list[tuple[str, tuple[str, ...], bool, bool]] = []
        self._cues = CueMatcher(vocab, tokenizer)
        self._combines: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self._implies: dict[tuple[str, str], str] = {}
        self._opposed: list[tuple[str, str, tuple[str, ...]]] = []
        self._exclusive = frozenset(v.id for v in codebook.variables if v.exclusive)
        for variable in codebook.variables:
            if variable.source != "cues":
                continue
            for value in variable.values:
                for group in value.cues:
                    shape = (group.strength, group.requires, group.main_clause,
                             group.dismisses)
                    if shape not in self._shapes:
                        self._shapes.append(shape)
                    self._cues.add(
                        f"{self._shapes.index(shape)}|{variable.id}:{value.id}",
                        group.phrases,
                        group.patterns,
                    )
                if value.combines:
                    self._combines.setdefault(variable.id, []).append((value.id, value.combines))
                if value.rejected_implies:
                    self._implies[(variable.id, value.id)] = value.rejected_implies
                if value.opposed_approaches:
                    self._opposed.append((variable.id, value.id, value.opposed_approaches))
        self._contexts = CueMatcher(vocab, tokenizer)
        for name, cue_set in codebook.contexts.items():
            self._contexts.add(name, cue_set.phrases, cue_set.patterns)
        self.assessment = AssessmentMatcher(codebook.assessment, vocab, tokenizer)
        self._positions = {
            v.id: frozenset(v.value_ids) for v in codebook.variables if v.source == "positions"
        }

    # -- cue-based variables ---------------------------------------------------------------

    def _confidence(self, group: CueGroup, hedged: bool, assessment: str) -> float:
        conf = self.codebook.confidence
        value = conf.strong if group.strength == "strong" else conf.weak
        if group.requires:
            value -= conf.contextual_penalty
        if hedged:
            value -= conf.hedge_penalty
        if assessment == "reported":
            value -= conf.report_penalty
        return round(min(1.0, max(0.0, value)), 2)

    def _cue_rows(
        self,
        doc: Doc,
        sents: list[tuple[int, Span, int]],
        context_hits: list[tuple[str, Span]],
    ) -> list[dict[str, Any]]:
        sent_of = {}
        for idx, sent, _start in sents:
            for i in range(sent.start, sent.end):
                sent_of[i] = idx
        spans = {idx: sent for idx, sent, _ in sents}
        contexts: dict[int, set[str]] = {}
        for name, span in context_hits:
            if span.start in sent_of:
                contexts.setdefault(sent_of[span.start], set()).add(name)
        hits: list[tuple[int, str, str, CueGroup, Span]] = []
        breaks = self.assessment.scope_breaks
        conditional = self.assessment.conditional_variables
        condition_marks = self.assessment.condition_marks
        found = []
        for key, span in self._cues(doc):
            shape, label = key.split("|", 1)
            found.append((int(shape), span.start, span.end, label, span))
        # in the order of the cue groups, then of the text (the first of equal rows is kept)
        for shape, _, _, label, span in sorted(found, key=lambda f: f[:4]):
            strength, requires, main_clause, dismisses = self._shapes[shape]
            idx = sent_of.get(span.start)
            if idx is None or sent_of.get(span.end - 1) != idx:
                continue
            if not set(requires) <= contexts.get(idx, set()):
                continue
            if main_clause and _in_subordinate(span, breaks):
                continue
            variable, value = label.split(":", 1)
            group = CueGroup(strength=strength, requires=requires, main_clause=main_clause,
                             dismisses=dismisses)
            hits.append((idx, variable, value, group, span))
        # In an exclusive variable, a cue inside a longer cue of another value loses to it
        # ("not a complete failure" is mixed, not failure).
        kept = [
            h
            for h in hits
            if h[1] not in self._exclusive
            or not any(
                o is not h
                and o[0] == h[0]
                and o[1] == h[1]
                and o[2] != h[2]
                and o[4].start <= h[4].start
                and h[4].end <= o[4].end
                and len(o[4]) > len(h[4])
                for o in hits
            )
        ]
        best: dict[tuple[int, str, str], dict[str, Any]] = {}
        answered = _answered_no(sents)
        for idx, variable, value, group, span in kept:
            sent = spans[idx]
            assessment = assess(sent, span, self.assessment)
            if (variable in conditional and assessment != "rejected"
                    and _in_condition(span, condition_marks)):
                continue  # (but "I would be surprised if X" dismisses X)
            if group.dismisses and assessment == "asserted":
                assessment = "rejected"
            if assessment == "asserted" and idx in answered:
                assessment = "rejected"  # "Did X sink the summit? Hardly."
            if assessment == "reported" and idx + 1 in spans and self._refutes(spans[idx + 1]):
                assessment = "rejected"  # "Critics blame X. This explanation is too tidy."
            row = {
                "sent_idx": idx,
                "variable": variable,
                "value": value,
                "holder": None,
                "assessment": assessment,
                "method": METHOD,
                "confidence": self._confidence(group, self.assessment.is_hedged(sent), assessment),
                "cue": span.text,
                "start_char": span.start_char,
                "end_char": span.end_char,
            }
            key = (idx, variable, value)
            if key not in best or row["confidence"] > best[key]["confidence"]:
                best[key] = row
        for (idx, variable, value), row in list(best.items()):
            implied = self._implies.get((variable, value))
            if row["assessment"] != "rejected" or not implied:
                continue
            if (idx, variable, implied) not in best:
                best[(idx, variable, implied)] = {
                    **row,
                    "value": implied,
                    "assessment": "asserted",
                }
        return self._combine(doc, list(best.values()))

    def _combine(self, doc: Doc, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace co-occurring values by the value that combines them (failure +
        constructive_no_deal in one asserted sentence -> mixed)."""
        for variable, combos in self._combines.items():
            for value, parts in combos:
                by_sent: dict[int, list[dict[str, Any]]] = {}
                for row in rows:
                    if (
                        row["variable"] == variable
                        and row["value"] in parts
                        and row["assessment"] == "asserted"
                    ):
                        by_sent.setdefault(row["sent_idx"], []).append(row)
                for idx, found in by_sent.items():
                    if {r["value"] for r in found} != set(parts):
                        continue
                    start = min(r["start_char"] for r in found)
                    end = max(r["end_char"] for r in found)
                    rows = [r for r in rows if not any(r is f for f in found)]
                    existing = next(
                        (
                            r
                            for r in rows
                            if r["sent_idx"] == idx
                            and r["variable"] == variable
                            and r["value"] == value
                        ),
                        None,
                    )
                    if existing is not None:
                        continue
                    rows.append(
                        {
                            **found[0],
                            "value": value,
                            "confidence": min(r["confidence"] for r in found),
                            "cue": doc.text[start:end],
                            "start_char": start,
                            "end_char": end,
                        }
                    )
        return rows

    # -- position-based variables ----------------------------------------------------------

    def _holder(self, row: Mapping[str, Any]) -> str:
        holder = row["holder"]
        if holder == AUTHOR:
            return AUTHOR
        state = row.get("holder_state")
        if isinstance(state, str) and state:
            return state
        return self.state_of.get(holder, holder)

    def _position_rows(
        self,
        doc: Doc,
        sents: list[tuple[int, Span, int]],
        positions: Sequence[Mapping],
        context_hits: Sequence[tuple[str, Span]] = (),
    ) -> list[dict[str, Any]]:
        spans = {idx: sent for idx, sent, _ in sents}
        end_states = [span for name, span in context_hits if name == END_STATE]
        text = doc.text  # Doc.text joins every token on each access: read it once
        best: dict[tuple, dict[str, Any]] = {}
        for row in positions:
            sent = spans.get(row.get("sent_idx"))
            if sent is None:
                continue
            for variable, values in self._positions.items():
                if row.get("target") not in values or row.get("target_kind", "approach") != (
                    "approach"
                ):
                    continue
                holder = self._holder(row)
                value = row["target"]
                if row["polarity"] == "oppose" or row["relation"] not in PURSUES:
                    # An approach a side turns down ("Washington rejected the step-by-step
                    # approach", "wanted X rather than Y") or is denied to have pursued ("did
                    # not want a grand bargain") is that side's approach rejected; the author
                    # arguing against one is a rejected recommendation.
                    assessment = "rejected"
                else:
                    evidence = doc.char_span(
                        row["start_char"], row["end_char"], alignment_mode="expand"
                    )
                    target = _target_span(doc, text, row, evidence)
                    judged = assess(sent, target, self.assessment) if target is not None else ""
                    if judged == "reported" and holder != AUTHOR and _said_by_holder(
                            sent, evidence, self.assessment):
                        judged = "asserted"
                    assessment = "reported" if judged == "reported" else "asserted"
                    if holder == AUTHOR and judged == "rejected":
                        # "Instead of a grand bargain, Washington should aim for ...": the
                        # author's recommendation sets the approach aside
                        assessment = "rejected"
                    if row["target"] == "small_deal" and _framed(target, end_states):
                        value = "hybrid"  # "a step-by-step process toward a fixed end state"
                confidence = float(row.get("confidence", self.codebook.confidence.strong))
                if assessment == "reported":
                    confidence -= self.codebook.confidence.report_penalty
                out = {
                    "sent_idx": row["sent_idx"],
                    "variable": variable,
                    "value": value if value in values else row["target"],
                    "holder": holder,
                    "assessment": assessment,
                    "method": POSITIONS_METHOD,
                    "confidence": round(min(1.0, max(0.0, confidence)), 2),
                    "cue": text[row["start_char"] : row["end_char"]],
                    "start_char": row["start_char"],
                    "end_char": row["end_char"],
                }
                key = (out["sent_idx"], variable, holder, out["value"])
                if key not in best or out["confidence"] > best[key]["confidence"]:
                    best[key] = out
        return _lone_hybrids(list(best.values()), sents, context_hits,
                             self._positions.get("approach", frozenset()))

    def _author_approaches(
        self,
        doc: Doc,
        sents: list[tuple[int, Span, int]],
        positions: Sequence[Mapping],
        rows: list[dict[str, Any]],
        context_hits: list[tuple[str, Span]],
    ) -> list[dict[str, Any]]:
        """Approaches the author recommends that the positions missed ("The sensible way
        forward is a phased deal", "What is needed is ... implemented in stages"), and the
        author's step-by-step implementation of a fixed end state read as `hybrid`."""
        if "approach" not in self._positions:
            return rows
        values = self._positions["approach"]
        sent_of = {}
        for idx, sent, _ in sents:
            for i in range(sent.start, sent.end):
                sent_of[i] = idx
        spans = {idx: sent for idx, sent, _ in sents}
        contexts: dict[int, dict[str, list[Span]]] = {}
        for name, span in context_hits:
            if span.start in sent_of:
                contexts.setdefault(sent_of[span.start], {}).setdefault(name, []).append(span)
        found: dict[int, list[tuple[str, Span]]] = {}
        for span in doc.spans["approaches"] if "approaches" in doc.spans else []:
            if span.id_ in values and span.start in sent_of:
                found.setdefault(sent_of[span.start], []).append((span.id_, span))
        covered = {
            (r.get("sent_idx"), r.get("target_text"))
            for r in positions
            if r.get("target_kind", "approach") == "approach"
        }
        # approach mentions inside the phrase of one the positions cover ("a package deal
        # that demands everything up front") belong to that position
        nested = {
            t.i
            for idx, spans_found in found.items()
            for _, span in spans_found
            if (idx, span.text) in covered
            for t in span.root.subtree
        }
        out = list(rows)
        for idx, sent in spans.items():
            ctx = contexts.get(idx, {})
            if RECOMMEND not in ctx or _is_question(sent):
                continue  # ("Why should Pyongyang embrace ...?" recommends nothing)
            candidates = [
                (value, span)
                for value, span in found.get(idx, [])
                if (idx, span.text) not in covered and span.root.i not in nested
            ]
            if not found.get(idx) and not any(r["sent_idx"] == idx for r in rows):
                candidates = [("big_deal", s) for s in ctx.get(BIG_SIDE, [])] + [
                    ("small_deal", s) for s in ctx.get(SMALL_SIDE, [])
                ]
            for value, span in candidates:
                assessment = assess(sent, span, self.assessment)
                if assessment == "reported" or any(
                    r["sent_idx"] == idx
                    and r["holder"] == AUTHOR
                    and r["value"] == value
                    and r["assessment"] == assessment
                    for r in out
                ):
                    continue
                confidence = self.codebook.confidence.weak
                out.append(
                    {
                        "sent_idx": idx,
                        "variable": "approach",
                        "value": value,
                        "holder": AUTHOR,
                        "assessment": assessment,
                        "method": POSITIONS_METHOD,
                        "confidence": confidence,
                        "cue": span.text,
                        "start_char": span.start_char,
                        "end_char": span.end_char,
                    }
                )
        # the author's step-by-step implementation of a fixed end state is a hybrid, also
        # when the end state was set out in the sentence before ("... agree on the end
        # state. That framework should then be implemented in phases.")
        for idx in spans:
            ctx = contexts.get(idx, {})
            if END_STATE in contexts.get(idx - 1, {}) and END_STATE not in ctx:
                ctx = {**ctx, END_STATE: contexts[idx - 1][END_STATE]}
            mine = [
                r
                for r in out
                if r["sent_idx"] == idx
                and r["variable"] == "approach"
                and r["holder"] == AUTHOR
                and r["assessment"] == "asserted"
            ]
            small = [r for r in mine if r["value"] == "small_deal"]
            if not small or "hybrid" not in values:
                continue
            # a package the author argues against ("We do not recommend an all-or-nothing
            # strategy; an interim agreement ...", "abandon the all-or-nothing mentality and
            # build trust through small steps") frames nothing
            set_aside = [(r["start_char"], r["end_char"]) for r in out
                         if r["sent_idx"] == idx and r["variable"] == "approach"
                         and r["holder"] == AUTHOR and r["assessment"] == "rejected"]
            framed = END_STATE in ctx or any(
                assess(spans[idx], span, self.assessment) != "rejected"
                and not any(start <= span.start_char < end for start, end in set_aside)
                for span in ctx.get(BIG_SIDE, [])
            )
            if not framed and not any(r["value"] == "big_deal" for r in mine):
                continue
            hybrid = {**small[0], "value": "hybrid"}
            out = [r for r in out if not any(r is m for m in mine if m["value"] != "hybrid")]
            if not any(r["value"] == "hybrid" for r in mine):
                out.append(hybrid)
        # one code per sentence x holder x value: an approach the author both sets aside and
        # recommends ("not that incrementalism has failed; an incremental approach ... remains
        # the best path") is recommended
        asserted = {
            (r["sent_idx"], r["holder"], r["value"])
            for r in out
            if r["variable"] == "approach" and r["assessment"] == "asserted"
        }
        return [
            r
            for r in out
            if not (
                r["variable"] == "approach"
                and r["holder"] == AUTHOR
                and r["assessment"] == "rejected"
                and (r["sent_idx"], r["holder"], r["value"]) in asserted
            )
        ]

    def _refutes(self, sentence: Span) -> bool:
        """Whether a sentence dismisses the view reported just before it by pointing back at
        it ("Critics blame Bolton. This explanation does not hold up." / "That is too
        simple." / "Not so." / "The record suggests otherwise.")."""
        words = [t for t in sentence if not t.is_punct]
        if tuple(t.lower_ for t in words) in _DISMISSIVE_ANSWERS:
            return True
        if any(t.lower_ == "otherwise" and t.head.lemma_.lower() in _SHOWING for t in words):
            return True
        while words and words[0].lower_ in _OPENERS:
            words = words[1:]
        if not words or words[0].lower_ not in _EXPLETIVES or words[0].lower_ == "there":
            return False
        # the pointing word is the subject or its determiner ("This explanation ..."), and
        # the sentence judges it ("... does not hold up", "... is too tidy")
        head = words[0] if words[0].dep_ != "det" else words[0].head
        if head.dep_ not in ("nsubj", "nsubjpass") or (
            head is not words[0] and head.lemma_.lower() not in _CLAIM_NOUNS
        ):
            return False
        return bool({f.kind for f in self.assessment.find(sentence)} & {"rejection", "rebuttal"})

    def opposed_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Values coded where one sentence sets two sides' opposed approaches against each
        other (`opposed_approaches`; neither side holding both), unless the value is already
        coded there (`rows`: a Doc's codes, with the approaches the positions or the approach
        classifier found; a pair with a classifier's approach gives a classifier's row)."""
        held: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            if (row["variable"] == "approach" and row["holder"] != AUTHOR
                    and row["assessment"] == "asserted"):
                held.setdefault(row["sent_idx"], []).append(row)
        out = []
        for variable, value, (first, second) in self._opposed:
            coded = {r["sent_idx"] for r in rows
                     if r["variable"] == variable and r["value"] == value}
            for idx, here in sorted(held.items()):
                # (not where a side holds both: one moving toward the other's approach)
                holding = {(r["holder"], r["value"]) for r in here}
                pair = next(((a, b) for a in here for b in here
                             if a["value"] == first and b["value"] == second
                             and a["holder"] != b["holder"]
                             and (a["holder"], second) not in holding
                             and (b["holder"], first) not in holding), None)
                if pair is None or idx in coded:
                    continue
                learned = any(r["method"] == "model" for r in pair)
                out.append({
                    "sent_idx": idx, "variable": variable, "value": value, "holder": None,
                    "assessment": "asserted", "method": "model" if learned else METHOD,
                    "confidence": min(self.codebook.confidence.weak,
                                      *(r["confidence"] for r in pair)),
                    "cue": pair[0]["cue"], "start_char": min(r["start_char"] for r in pair),
                    "end_char": max(r["end_char"] for r in pair),
                })
        return out

    # -- public ----------------------------------------------------------------------------

    def sentence_assessment(self, sentence: Span) -> str:
        """A coarse assessment for a code without a cue span (e.g. a classifier's label):
        rejected if the sentence has a rejection cue, reported if it has a report cue and
        no endorsement, else asserted."""
        kinds = {f.kind for f in self.assessment.find(sentence)}
        if "rejection" in kinds:
            return "rejected"
        if "report" in kinds and "endorsement" not in kinds:
            return "reported"
        return "asserted"

    def code_doc(self, doc: Doc, positions: Sequence[Mapping]) -> list[dict[str, Any]]:
        """Code every sentence of a parsed Doc.

        Args:
            doc: a Doc from the configured pipeline (parsed).
            positions: the Doc's positions rows with `sent_idx` (as in the positions table;
                `holder_state` is used when present).

        Returns:
            Rows with sent_idx, variable, value, holder (null except for position-based
            variables), assessment, method, confidence, cue, start_char, end_char; one per
            sentence x variable x holder x value, sorted by those keys.
        """
        sents = list(iter_sentences(doc))
        context_hits = self._contexts(doc)
        position_rows = self._position_rows(doc, sents, positions, context_hits)
        position_rows = self._author_approaches(
            doc, sents, positions, position_rows, context_hits
        )
        rows = self._cue_rows(doc, sents, context_hits) + position_rows
        rows += self.opposed_rows(rows)
        # Headings and citations are still read as answers ("Not so.") to the sentence before
        claims = {idx for idx, sent, _ in sents if states_claim(sent)}
        return sorted(
            (r for r in rows if r["sent_idx"] in claims),
            key=lambda r: (r["sent_idx"], r["variable"], r["holder"] or "", r["value"]),
        )


def _said_by_holder(sentence: Span, evidence: Span | None, cues: AssessmentMatcher) -> bool:
    """The side holding an approach is the one saying so ("China maintains that the issue must
    be settled step by step"): a report cue between the holder and the approach states the
    side's own stance, which the author asserts it holds."""
    return evidence is not None and any(
        f.kind == "report" and evidence.start <= f.span.start and f.span.end <= evidence.end
        for f in cues.find(sentence)
    )


def _framed(target: Span | None, end_states: Sequence[Span]) -> bool:
    """A step-by-step approach whose own noun phrase names a fixed end state ("a phased
    approach with a clearly defined destination", "step-by-step toward a comprehensive end
    state"): a hybrid."""
    if target is None:
        return False
    head = target.root
    while head.dep_ in ("amod", "compound", "nmod", "npadvmod") and head.head != head:
        head = head.head
    # only an end state the phrase itself heads for, not one in an aside ("(giving up the
    # ultimate goal)")
    phrase = {
        t.i
        for prep in head.children
        if prep.dep_ == "prep" and prep.lower_ in _TOWARD
        for t in prep.subtree
    }
    return any(s.root.i in phrase and not _overlaps(s, target) for s in end_states)


def _lone_hybrids(rows: list[dict[str, Any]], sents: list[tuple[int, Span, int]],
                  context_hits: Sequence[tuple[str, Span]], values: Collection[str]
                  ) -> list[dict[str, Any]]:
    """A side's step-by-step approach whose own words fix the end state, with no other
    side's approach set against it in the sentence, is a hybrid ("Seoul's proposal is to
    agree on the end state first and then move through reciprocal steps"; not "Washington
    wanted the end state agreed at once, while Pyongyang wanted steps")."""
    if "hybrid" not in values:
        return rows
    end_states = [span for name, span in context_hits if name == END_STATE]
    contrasted = {idx for idx, sent, _ in sents for name, span in context_hits
                  if name == CONTRAST and sent.start <= span.start < sent.end}

    def lone_side(row: dict[str, Any]) -> bool:
        return row["variable"] == "approach" and row["holder"] != AUTHOR and (
            row["assessment"] == "asserted") and row["sent_idx"] not in contrasted

    hybrid_of = {}
    for row in rows:
        if lone_side(row) and row["value"] == "small_deal" and any(
            row["start_char"] <= s.start_char and s.end_char <= row["end_char"]
            for s in end_states
        ) and len({r["holder"] for r in rows
                   if lone_side(r) and r["sent_idx"] == row["sent_idx"]}) == 1:
            hybrid_of[(row["sent_idx"], row["holder"])] = row
    out = []
    for row in rows:
        hybrid = hybrid_of.get((row["sent_idx"], row["holder"]))
        if hybrid is row:
            out.append({**row, "value": "hybrid"})
        elif hybrid is not None and lone_side(row) and row["value"] == "big_deal":
            continue  # the side's big deal beside it is the hybrid's end state
        else:
            out.append(row)
    return out


def _answered_no(sents: list[tuple[int, Span, int]]) -> set[int]:
    """Sentences that ask a question the next sentence dismisses ("Did X sink the
    summit? Hardly." / "No." / "Far from it.")."""
    out = set()
    for (idx, sent, _), (_, nxt, _) in zip(sents, sents[1:], strict=False):
        if not _is_question(sent):
            continue
        words = tuple(t.lower_ for t in nxt if not t.is_punct)
        if words in _DISMISSIVE_ANSWERS:
            out.add(idx)
    return out


def _target_span(
    doc: Doc, doc_text: str, row: Mapping[str, Any], evidence: Span | None
) -> Span | None:
    """The approach mention inside a position's evidence (else the evidence itself)."""
    if evidence is None:
        return None
    target = row.get("target_text")
    if isinstance(target, str) and target:
        at = doc_text.find(target, row["start_char"], row["end_char"])
        if at >= 0:
            span = doc.char_span(at, at + len(target), alignment_mode="expand")
            if span is not None:
                return span
    return evidence
