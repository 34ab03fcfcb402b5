"""The trained classifiers, fitted by `make train` on data/annotations/codes_gold.jsonl
(scikit-learn). The sentence classifier: a sentence vector (pipeline/coding/embed.py), the
TF-IDF of its words and word pairs, and the codebook rules' hits, then one logistic
regression per `variable:value` label; it adds values the rules missed. The assessment
classifier: a logistic regression over the value, the words around its cue and the vectors
of the text before and after it, that may turn a rule's `asserted` or `reported` into
`rejected` when it is confident, since dismissals are phrased in more ways than the
assessment cues list. The sentence assessor: the same over a code and its whole sentence,
for the codes the classifiers add (they have no cue). The approach classifier is in
pipeline/coding/holders.py.

The model is rebuilt from the annotations (never committed) and saved with the scikit-learn
version and the hashes of the annotations and codebook it was made from; the build uses it
only when all three still match, otherwise the rules alone, and says why.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config import Config
from pipeline.versions import CODING_VERSION

if TYPE_CHECKING:  # scikit-learn is imported only when a model is trained or used
    from sklearn.pipeline import Pipeline
    from spacy.tokens import Span

    from pipeline.coding.holders import Sides

RANDOM_STATE = 0
MODEL_FILE = "coder.pkl"
GOLD_FILE = "codes_gold.jsonl"
_WORD = re.compile(r"[a-z][a-z'\u2019-]*")


def _texts(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [row["text"] for row in rows]


def _hits(rows: Sequence[dict[str, Any]]) -> list[dict[str, float]]:
    return [{f"rule={hit}": 1.0 for hit in row["hits"]} for row in rows]


# The classifier codes no sentence shorter than this (headings, citations, asides).
MIN_WORDS = 8


def is_fragment(sentence: Span) -> bool:
    """A heading, citation or aside the classifiers code nothing in: under MIN_WORDS words
    ("We see it differently.") or without a verb (`states_claim`, which the rules skip too)."""
    from pipeline.coding.rules import states_claim

    return len(sentence.text.split()) < MIN_WORDS or not states_claim(sentence)


# Weight of the sentence vector beside the rule hits (both feed one linear model).
VECTOR_SCALE = 4.0


def _vectors(rows: Sequence[dict[str, Any]]) -> Any:
    from pipeline.coding.embed import sentence_vectors

    return sentence_vectors(_texts(rows)) * VECTOR_SCALE


# Weight of the TF-IDF word features beside them (chosen by cross-validation on the
# training split: the words of a sentence add what its averaged vector blurs).
TFIDF_SCALE = 3.0


def word_features() -> Pipeline:
    """The TF-IDF of a row's text, its words and word pairs."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    return Pipeline([
        ("select", FunctionTransformer(_texts)),
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
    ])


def make_pipeline() -> Pipeline:
    """Features (a sentence vector, TF-IDF of its words and word pairs, the rules' hits) and
    the classifier."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    features = FeatureUnion([
        ("vector", FunctionTransformer(_vectors)),
        ("words", word_features()),
        ("rules", Pipeline([
            ("select", FunctionTransformer(_hits)),
            ("onehot", DictVectorizer()),
        ])),
    ], transformer_weights={"words": TFIDF_SCALE})
    classifier = OneVsRestClassifier(
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000,
                           random_state=RANDOM_STATE)
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def added_labels(label_probs: Mapping[str, float], sentence: Span, coded: Collection[str],
                 threshold: float, variables: Collection[str]) -> list[tuple[str, str, float]]:
    """What the classifier adds to one sentence: (variable, value, probability) of the labels
    of `variables` at or above `threshold` that the rules did not code there (`coded`,
    "variable:value"); nothing in a fragment (`is_fragment`)."""
    if is_fragment(sentence):
        return []
    out = []
    for label, prob in sorted(label_probs.items()):
        variable, value = label.split(":", 1)
        if prob >= threshold and label not in coded and variable in variables:
            out.append((variable, value, prob))
    return out


def _clause_vectors(text: str, start: int, end: int) -> dict[str, float]:
    """The sentence vectors of the text before and after a cue (zero where there is none):
    they let the assessor see that "lacks persuasiveness" is near "unconvincing" when no
    word of the cue lists is there."""
    from pipeline.coding.embed import sentence_vectors

    clauses = {"before": text[:start].strip(), "after": text[end:].strip()}
    present = [name for name, clause in clauses.items() if _WORD.search(clause.lower())]
    features: dict[str, float] = {}
    for name, vector in zip(present, sentence_vectors([clauses[n] for n in present]),
                            strict=True):
        features.update({f"{name}_vector{i}": float(x) for i, x in enumerate(vector)})
    return features


def assessment_features(text: str, start: int, end: int, variable: str, value: str
                        ) -> dict[str, float]:
    """What the assessment classifier sees of one code: its value, the words just before and
    after its cue, the words of its sentence and the vectors of the text before and after
    the cue (`start`/`end`: the cue's offsets in `text`, the sentence)."""
    words = _WORD.findall
    features = {f"value={variable}:{value}": 1.0, f"variable={variable}": 1.0,
                "position": start / max(1, len(text))}
    features.update({f"word={w}": 0.5 for w in words(text.lower())})
    features.update({f"before={w}": 1.0 for w in words(text[:start].lower())[-8:]})
    features.update({f"after={w}": 1.0 for w in words(text[end:].lower())[:8]})
    features.update(_clause_vectors(text, start, end))
    return features


def make_assessment_pipeline(C: float = 0.3, class_weight: str | None = "balanced"
                             ) -> Pipeline:
    """Features of one code -> asserted / rejected / reported."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("features", DictVectorizer()),
        ("classifier", LogisticRegression(C=C, class_weight=class_weight, max_iter=3000,
                                          random_state=RANDOM_STATE)),
    ])


def assessment_examples(records: Sequence[dict[str, Any]],
                        rule_rows: Callable[[str], list[dict[str, Any]]]
                        ) -> tuple[list[dict[str, float]], list[str]]:
    """The codes the rules find in annotated sentences, with their gold assessment."""
    features, labels = [], []
    for record in records:
        gold = {(c["variable"], c.get("holder") or "", c["value"]): c["assessment"]
                for c in record["codes"]}
        for row in rule_rows(record["text"]):
            key = (row["variable"], row.get("holder") or "", row["value"])
            if key in gold:
                features.append(assessment_features(record["text"], row["start_char"],
                                                    row["end_char"], row["variable"],
                                                    row["value"]))
                labels.append(gold[key])
    return features, labels


def train_assessor(records: Sequence[dict[str, Any]],
                   rule_rows: Callable[[str], list[dict[str, Any]]]) -> Pipeline:
    """Fit the assessment classifier on the codes the rules find in the given records."""
    features, labels = assessment_examples(records, rule_rows)
    return make_assessment_pipeline().fit(features, labels)


def reassess(assessor: Pipeline, text: str, offset: int, rows: list[dict[str, Any]],
             threshold: float, variables: Collection[str]) -> list[dict[str, Any]]:
    """Rows of one sentence (`text`, starting at `offset` in the rows' coordinates), copied:
    an `asserted` or `reported` code of one of `variables` the assessor judges `rejected`
    with probability at or above `threshold` becomes `rejected`, with `assessed_by` "model"
    (a view reported and then rebutted in the same sentence is rejected)."""
    out = [dict(row) for row in rows]
    judged = [row for row in out
              if row["assessment"] != "rejected" and row["variable"] in variables]
    if not judged:
        return out
    probs = assessor.predict_proba([
        assessment_features(text, row["start_char"] - offset, row["end_char"] - offset,
                            row["variable"], row["value"])
        for row in judged
    ])
    rejected = list(assessor.classes_).index("rejected")
    for row, prob in zip(judged, probs, strict=True):
        if prob[rejected] >= threshold:
            row["assessment"], row["assessed_by"] = "rejected", "model"
    return out


def sentence_assessment_features(text: str, variable: str, holder: str | None, value: str,
                                 rules: str, others: Collection[str] = ()) -> dict[str, float]:
    """What the sentence assessor sees of a code the classifiers added (which has no cue):
    the code, the words of its sentence, the rules' assessment of the whole sentence
    (`rules`) and the assessments of the codes the rules found there (`others`: in "It was
    price, not sequencing, that sank the talks" with sequencing rejected by the rules, the
    rejection is spent and an added code is likely the asserted one)."""
    found = "+".join(sorted(set(others)))
    features = {f"value={variable}:{value}": 1.0, f"variable={variable}": 1.0,
                f"holder={holder or ''}": 1.0, f"rules={rules}": 1.0,
                f"rules_others={rules}:{found}": 1.0}
    features.update({f"word={w}": 0.5 for w in _WORD.findall(text.lower())})
    return features


def train_sentence_assessor(records: Sequence[dict[str, Any]],
                            rules_assessment: Callable[[str], str],
                            rule_rows: Callable[[str], Sequence[dict[str, Any]]]) -> Pipeline:
    """Fit the sentence assessor on every annotated code with its gold assessment: it judges
    the codes the classifiers add, whose cue is unknown, from their sentence (on the codes
    the rules miss it judges better than the rules' sentence-level assessment, which it
    sees: `rules_assessment(text)`, with the assessments of the rules' other codes there,
    `rule_rows(text)`)."""
    features, labels = [], []
    for record in records:
        rules = rules_assessment(record["text"])
        found = rule_rows(record["text"])
        for code in record["codes"]:
            # the classifiers add only codes the rules did not find: the others, as then
            others = [r["assessment"] for r in found
                      if (r["variable"], r["value"]) != (code["variable"], code["value"])]
            features.append(sentence_assessment_features(
                record["text"], code["variable"], code.get("holder"), code["value"], rules,
                others))
            labels.append(code["assessment"])
    # unweighted classes: with balanced ones it called too many added codes rejected, which
    # outweighed the rules' assertions in the training briefs' doc_codes
    return make_assessment_pipeline(C=1.0, class_weight=None).fit(features, labels)


def judge_assessment(assessor: Pipeline | None, text: str, variable: str, holder: str | None,
                     value: str, rules: str, others: Collection[str] = ()) -> str:
    """The assessment of a code a classifier added to a sentence: the sentence assessor's
    judgement, or without one the rules' assessment of the sentence (`rules`; `others`: the
    assessments of the rules' codes in the sentence)."""
    if assessor is None:
        return rules
    features = sentence_assessment_features(text, variable, holder, value, rules, others)
    return str(assessor.predict([features])[0])


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class SentenceModel:
    """The fitted classifiers, the labels the sentence classifier predicts, and what they were
    made from (filled in by `save_model`)."""

    pipeline: Pipeline
    labels: list[str]
    sklearn_version: str = ""
    annotations_sha256: str = ""
    codebook_sha256: str = ""
    assessor: Pipeline | None = None
    approach: Pipeline | None = None  # pipeline/coding/holders.py
    approach_values: tuple[str, ...] = ()
    sentence_assessor: Pipeline | None = None
    # the coding code's version it was trained by (its features are that code's)
    coding_version: int = 0

    @property
    def model_id(self) -> str:
        return f"model-{self.annotations_sha256[:8]}-{self.codebook_sha256[:8]}"

    def predict_proba(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, float]]:
        """Probability of every label for each row ({"text", "hits"})."""
        if not rows:
            return []
        probs = self.pipeline.predict_proba(list(rows))
        return [dict(zip(self.labels, map(float, p), strict=True)) for p in probs]

    def reassess_doc(self, doc: Any, rows: list[dict[str, Any]], threshold: float,
                     variables: Collection[str]) -> list[dict[str, Any]]:
        """The rule rows of a Doc, their assessment reviewed sentence by sentence."""
        from pipeline.nlp.stage import iter_sentences

        if self.assessor is None:
            return list(rows)
        by_sentence: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_sentence.setdefault(row["sent_idx"], []).append(row)
        reviewed: dict[int, dict[str, Any]] = {}
        for idx, sent, start in iter_sentences(doc):
            group = by_sentence.get(idx)
            if group:
                new = reassess(self.assessor, sent.text.strip(), start, group, threshold,
                               variables)
                reviewed.update({id(row): row_ for row, row_ in zip(group, new, strict=True)})
        return [reviewed.get(id(row), row) for row in rows]

    def code_doc(self, doc: Any, rule_rows: list[dict[str, Any]], coder: Any,
                 threshold: float, variables: Collection[str]) -> list[dict[str, Any]]:
        """Model rows for a Doc: what the classifier adds to each sentence (`added_labels`)."""
        from pipeline.nlp.stage import iter_sentences

        hits: dict[int, set[str]] = {}
        assessments: dict[int, list[str]] = {}
        for row in rule_rows:
            hits.setdefault(row["sent_idx"], set()).add(f"{row['variable']}:{row['value']}")
            assessments.setdefault(row["sent_idx"], []).append(row["assessment"])
        sents = list(iter_sentences(doc))
        probs = self.predict_proba(
            [{"text": s.text.strip(), "hits": sorted(hits.get(i, ()))} for i, s, _ in sents]
        )
        out = []
        for (idx, sent, start), label_probs in zip(sents, probs, strict=True):
            text = sent.text.strip()
            for variable, value, prob in added_labels(label_probs, sent, hits.get(idx, set()),
                                                      threshold, variables):
                out.append({
                    "sent_idx": idx, "variable": variable, "holder": None, "value": value,
                    "assessment": judge_assessment(self.sentence_assessor, text, variable,
                                                   None, value, coder.sentence_assessment(sent),
                                                   assessments.get(idx, ())),
                    "method": "model", "confidence": round(prob, 3), "cue": None,
                    "start_char": start, "end_char": start + len(text),
                })
        return out

    def code_doc_approaches(self, doc: Any, rule_rows: list[dict[str, Any]],
                            mentions: Sequence[Mapping[str, Any]], coder: Any,
                            threshold: float, sides: Sides) -> list[dict[str, Any]]:
        """Model rows for a Doc: the approaches the approach classifier adds for states (and
        the author) the positions gave none (pipeline/coding/holders.py; `sides`: which
        mentions name a state)."""
        from pipeline.coding.holders import code_approaches
        from pipeline.nlp.stage import iter_sentences

        if self.approach is None:
            return []
        rules_of: dict[int, list[Mapping[str, Any]]] = {}
        for row in rule_rows:
            rules_of.setdefault(row["sent_idx"], []).append(row)
        mentions_of: dict[int, list[Mapping[str, Any]]] = {}
        for mention in mentions:
            mentions_of.setdefault(mention["sent_idx"], []).append(mention)
        sents = list(iter_sentences(doc))
        parsed = [(sent, mentions_of.get(idx, []), rules_of.get(idx, []))
                  for idx, sent, _ in sents]
        added = code_approaches(self.approach, self.approach_values, parsed, threshold, sides)
        out = []
        for (idx, sent, start), found in zip(sents, added, strict=True):
            text = sent.text.strip()
            for holder, value, prob in found:
                out.append({
                    "sent_idx": idx, "variable": "approach", "holder": holder, "value": value,
                    "assessment": judge_assessment(
                        self.sentence_assessor, text, "approach", holder, value,
                        coder.sentence_assessment(sent),
                        # the rules' codes only, as in training (not the sentence
                        # classifier's, which `rule_rows` also holds here)
                        [r["assessment"] for r in rules_of.get(idx, [])
                         if r["method"] != "model"]),
                    "method": "model", "confidence": round(prob, 3), "cue": None,
                    "start_char": start, "end_char": start + len(text),
                })
        return out


def model_path(config: Config) -> Path:
    return config.root / "models" / MODEL_FILE


def load_current_model(config: Config, codebook: Any) -> tuple[SentenceModel | None, str]:
    """The saved model if it matches the annotations, codebook and scikit-learn; else None.

    Returns:
        The model or None, and a sentence for the build summary saying which and why.
    """
    path = model_path(config)
    gold = config.paths.annotations / GOLD_FILE
    if not path.exists():
        return None, "classifier: none trained (run `make train`); using the rules alone"
    import sklearn

    with open(path, "rb") as handle:
        model: SentenceModel = pickle.load(handle)  # noqa: S301 - our own artefact, checked
    if model.sklearn_version != sklearn.__version__:
        return None, (f"classifier: trained with scikit-learn {model.sklearn_version}, "
                      f"this is {sklearn.__version__}; run `make train`; using the rules alone")
    if model.coding_version != CODING_VERSION:
        return None, ("classifier: trained by another version of the coding stage; run "
                      "`make train`; using the rules alone")
    if gold.exists() and model.annotations_sha256 != file_sha256(gold):
        return None, ("classifier: older than data/annotations/codes_gold.jsonl; run "
                      "`make train`; using the rules alone")
    if model.codebook_sha256 != config.content_hash("codebook.yaml"):
        return None, ("classifier: trained with another configs/codebook.yaml; run "
                      "`make train`; using the rules alone")
    return model, f"classifier: using {path.name} ({len(model.labels)} labels) with the rules"


def load_gold_codes(path: Path) -> list[dict[str, Any]]:
    """Read codes_gold.jsonl (one sentence per line)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold_labels(record: dict[str, Any], text_variables: set[str]) -> list[str]:
    """The record's `variable:value` labels the classifier learns (not approach)."""
    return sorted({f"{c['variable']}:{c['value']}" for c in record["codes"]
                   if c["variable"] in text_variables})


def featurize(records: Sequence[dict[str, Any]],
              rule_hits: Callable[[str], list[str]]) -> list[dict[str, Any]]:
    return [{"text": r["text"], "hits": rule_hits(r["text"])} for r in records]


def train(records: Sequence[dict[str, Any]], rule_hits: Callable[[str], list[str]],
          text_variables: set[str]) -> tuple[Pipeline, list[str]]:
    """Fit the pipeline on the given records; returns it and its label order."""
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer()
    y = binarizer.fit_transform([gold_labels(r, text_variables) for r in records])
    keep = y.sum(axis=0) > 0
    labels = [str(label) for label, k in zip(binarizer.classes_, keep, strict=True) if k]
    pipeline = make_pipeline()
    pipeline.fit(featurize(records, rule_hits), y[:, keep])
    return pipeline, labels


def save_model(config: Config, model: SentenceModel) -> Path:
    """Save fitted classifiers with what they were made from: the scikit-learn and coding
    versions and the hashes of the annotations and codebook (`load_current_model` checks
    them)."""
    import dataclasses

    import sklearn

    from pipeline.io import atomic_path

    model = dataclasses.replace(
        model, sklearn_version=sklearn.__version__,
        annotations_sha256=file_sha256(config.paths.annotations / GOLD_FILE),
        codebook_sha256=config.content_hash("codebook.yaml"), coding_version=CODING_VERSION)
    path = model_path(config)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        pickle.dump(model, handle)
    return path
