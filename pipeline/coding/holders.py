"""The approach classifier: which approach a side in a sentence pursued (or the author
recommends) when the positions found none for that side.

Writers often say what each side wanted without the words the positions look for ("the
Americans put everything on the table, with the rewards to follow once the job was done",
"Pyongyang's offer was one complex for most of its export revenue"). For every state a
sentence names (persons rolled up to their state; a bare surname that only one state's
persons carry names that state, `Sides`) and for the author, the classifier sees the
sentence's vector and words, the side's grammatical role and governing word, the words of the
phrase that word heads, and the approaches the positions found for this side and for the
others; one logistic regression per approach value judges whether that side pursued it.
Trained by `make train` on the annotated sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.coding.classify import (
    RANDOM_STATE,
    TFIDF_SCALE,
    _vectors,
    is_fragment,
    word_features,
)

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline
    from spacy.tokens import Span, Token

    from pipeline.nlp.vocab import Vocabulary

AUTHOR = "author"
# Grammatical roles of a side's mention, best first: a side is most clearly the holder of
# what its own clause says.
ROLES = ("subject", "possessor", "agent", "object", "other")
RECOMMENDING = frozenset({"should", "must", "ought", "need", "needs"})
FIRST_PERSON = frozenset({"we", "our", "us"})
# Feature of a side that is the subject of a recommendation ("Washington should ...")
ADDRESSED = "addressed"

# (sentence, its mentions, the rule rows of the sentence)
Parsed = tuple["Span", Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class Sides:
    """Which state, if any, a mention names as a side (organisations such as the UN hold no
    approach). `states`: the ids of the actors that are states; `surnames`: bare names
    that only persons of one state carry (no person of another state or of a body), with
    that state."""

    states: frozenset[str] = frozenset()
    surnames: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_vocabulary(cls, vocab: Vocabulary) -> Sides:
        """The states of configs/actors.yaml and the surnames of their persons."""
        carriers: dict[str, set[str]] = {}
        for actor in vocab.actors:
            if actor.kind == "person" and actor.affiliation:
                for name in ([actor.surname] if actor.surname else []) + list(
                        actor.weak_aliases):
                    carriers.setdefault(name, set()).add(actor.affiliation)
        states = vocab.states
        return cls(states, {name: next(iter(of)) for name, of in carriers.items()
                            if len(of) == 1 and of <= states})

    def of(self, mention: Mapping[str, Any]) -> str | None:
        """A linked actor: its state (persons and bodies roll up to theirs). An unlinked
        name: the state of a surname only that state's persons carry ("Kim offered
        Yongbyon" in a passage that never introduced Kim Jong-un: the NLP stage does not
        link a bare surname to a person, but it still names a side)."""
        if mention["kind"] == "actor" and mention["entity_id"]:
            holder = mention["affiliation"] or mention["entity_id"]
            return holder if holder in self.states else None
        if mention["kind"] == "unlinked":
            return self.surnames.get(mention["text"])
        return None


def _role(token: Token) -> tuple[str, Token]:
    """The mention's role in its clause and the word it depends on (the verb of a subject or
    agent, the possessed noun of a possessor)."""
    dep = token.dep_
    if dep in ("nsubj", "nsubjpass", "csubj"):
        return "subject", token.head
    if dep == "poss":
        return "possessor", token.head
    if dep == "pobj" and token.head.dep_ == "agent":
        return "agent", token.head.head
    if dep == "pobj":
        return "object", token.head.head
    if dep in ("dobj", "dative"):
        return "object", token.head
    return "other", token.head


def approach_candidates(sent: Span, mentions: Sequence[Mapping[str, Any]],
                        rule_rows: Sequence[Mapping[str, Any]], sides: Sides
                        ) -> list[dict[str, Any]]:
    """One row per possible holder in a sentence: every state its mentions name (persons
    as their state), then the author; each {"holder", "text", "features"}.

    Args:
        sent: the sentence (a Span of the parsed Doc).
        mentions: the NLP stage's mention rows of this sentence (doc character offsets).
        rule_rows: the rules' code rows of this sentence.
        sides: which state a mention names (`Sides`).
    """
    doc = sent.doc
    best: dict[str, tuple[int, int, str, Token, Span]] = {}
    for mention in mentions:
        holder = sides.of(mention)
        if holder is None:
            continue
        span = doc.char_span(mention["start_char"], mention["end_char"],
                             alignment_mode="expand")
        if span is None:
            continue
        role, head = _role(span.root)
        rank = (ROLES.index(role), mention["start_char"])
        if holder not in best or rank < best[holder][:2]:
            # the phrase the side's governing word heads: what its clause says about it
            best[holder] = (*rank, role, head, doc[head.left_edge.i: head.right_edge.i + 1])
    ruled: dict[str, list[str]] = {}
    for row in rule_rows:
        if row["variable"] == "approach":
            ruled.setdefault(row["holder"], []).append(row["value"])
    text = sent.text.strip()
    out = []
    for holder, (_, _, role, head, scope) in sorted(best.items()):
        features = {f"holder={holder}": 1.0, f"role={role}": 1.0,
                    f"holder_role={holder}:{role}": 1.0, f"head={head.lemma_.lower()}": 1.0,
                    "n_sides": float(len(best))}
        if role == "subject" and any(c.dep_ == "aux" and c.lower_ in RECOMMENDING
                                     for c in head.children):
            # "Washington should take what was on offer": the recommendation is the
            # author's, the side only its addressee
            features[ADDRESSED] = 1.0
        features.update({f"scope={t.lemma_.lower()}": 1.0 for t in scope
                         if t.is_alpha and not t.is_stop})
        out.append({"holder": holder, "text": text, "features": features})
    words = {t.lower_ for t in sent}
    out.append({"holder": AUTHOR, "text": text, "features": {
        f"holder={AUTHOR}": 1.0, "n_sides": float(len(best)),
        "recommending": float(bool(words & RECOMMENDING)),
        "first_person": float(bool(words & FIRST_PERSON))}})
    for row in out:
        row["features"].update({f"rule={v}": 1.0 for v in ruled.get(row["holder"], ())})
        # what the positions found for the other sides: a sentence about them is rarely
        # also the author's recommendation
        row["features"].update({f"rule_other={v}": 1.0 for holder, values in ruled.items()
                                if holder != row["holder"] for v in values})
    return out


def _features(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, float]]:
    return [row["features"] for row in rows]


def make_approach_pipeline() -> Pipeline:
    """Features of one (sentence, holder) candidate -> one probability per approach value:
    the sentence's words as the sentence classifier sees them (vector and TF-IDF), and the
    candidate's own features."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    features = FeatureUnion([
        ("vector", FunctionTransformer(_vectors)),
        ("words", word_features()),
        ("holder", Pipeline([("select", FunctionTransformer(_features)),
                             ("onehot", DictVectorizer())])),
    ], transformer_weights={"words": TFIDF_SCALE})
    classifier = OneVsRestClassifier(
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000,
                           random_state=RANDOM_STATE)
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def approach_examples(records: Sequence[dict[str, Any]], parse: Callable[[str], Parsed],
                      sides: Sides) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The candidates of annotated sentences with the approach values gold gives their
    holder (an empty list: none)."""
    rows, labels = [], []
    for record in records:
        gold: dict[str, list[str]] = {}
        for code in record["codes"]:
            if code["variable"] == "approach":
                gold.setdefault(code["holder"], []).append(code["value"])
        for row in approach_candidates(*parse(record["text"]), sides):
            rows.append(row)
            labels.append(sorted(gold.get(row["holder"], [])))
    return rows, labels


def train_approach(records: Sequence[dict[str, Any]], parse: Callable[[str], Parsed],
                   sides: Sides) -> tuple[Pipeline, list[str]]:
    """Fit the approach classifier; returns it and its value order."""
    from sklearn.preprocessing import MultiLabelBinarizer

    rows, labels = approach_examples(records, parse, sides)
    binarizer = MultiLabelBinarizer()
    y = binarizer.fit_transform(labels)
    return make_approach_pipeline().fit(rows, y), [str(v) for v in binarizer.classes_]


def added_approaches(candidates: Sequence[Mapping[str, Any]], probs: Sequence[Sequence[float]],
                     values: Sequence[str], threshold: float
                     ) -> list[tuple[str, str, float]]:
    """(holder, value, probability) the classifier adds: for each candidate holder the rules
    gave no approach in this sentence, its most probable value if it reaches `threshold`;
    no state where the positions found the author's recommendation, nor the state a
    recommendation addresses (the side of "Washington should accept a phased deal" seldom
    holds an approach there); no author where the positions found a state's approach and
    the sentence neither recommends nor speaks in the first person ("Pyongyang wanted to
    sell its program in stages" describes a side, not what the author wants)."""
    ruled = {row["holder"] for row in candidates
             if any(key.startswith("rule=") for key in row["features"])}
    out = []
    for row, row_probs in zip(candidates, probs, strict=True):
        if row["holder"] in ruled:
            continue  # the positions found this side's approach: they have the evidence
        if (AUTHOR in ruled or ADDRESSED in row["features"]) and row["holder"] != AUTHOR:
            continue
        voiced = row["features"].get("recommending") or row["features"].get("first_person")
        if row["holder"] == AUTHOR and ruled - {AUTHOR} and not voiced:
            continue
        best = max(range(len(values)), key=lambda i: row_probs[i])
        if row_probs[best] >= threshold:
            out.append((row["holder"], values[best], float(row_probs[best])))
    return out


def code_approaches(pipeline: Pipeline, values: Sequence[str], sentences: Sequence[Parsed],
                    threshold: float, sides: Sides
                    ) -> list[list[tuple[str, str, float]]]:
    """What the classifier adds to each sentence (see `added_approaches`); a fragment
    (`is_fragment`) gets nothing."""
    candidates = [[] if is_fragment(parsed[0]) else approach_candidates(*parsed, sides)
                  for parsed in sentences]
    flat = [row for rows in candidates for row in rows]
    probs = iter(pipeline.predict_proba(flat) if flat else [])
    return [added_approaches(rows, [next(probs) for _ in rows], values, threshold)
            for rows in candidates]
