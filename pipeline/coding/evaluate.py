"""Evaluation and training of the coding stage against data/annotations/codes_gold.jsonl and
the fictional briefs in tests/fixtures/briefs/ (held out) and briefs_train/.

Sentence level, per variable and value: precision/recall/F1 of the rules (seed, train and
test splits), of the sentence classifier alone (cross-validated on the training split, and on
the test split), and of the rules with every classifier as the build uses them (the
assessment classifier reviewing the rules' assessments, the sentence and approach
classifiers adding codes), cross-validated on the training split and on the held-back test
split; the recall of `rejected`. Document level: accuracy on the fictional briefs, over
every (document, variable, holder, value) cell.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline.coding.classify import (
    GOLD_FILE,
    RANDOM_STATE,
    SentenceModel,
    added_labels,
    featurize,
    gold_labels,
    judge_assessment,
    load_gold_codes,
    make_pipeline,
    reassess,
    train,
    train_assessor,
    train_sentence_assessor,
)
from pipeline.coding.holders import Sides, code_approaches, train_approach
from pipeline.config import Config

if TYPE_CHECKING:
    from spacy.tokens import Span

Code = tuple[str, str, str, str]  # variable, holder ('' if none), value, assessment


class CodingEvaluator:
    """Runs the rules over gold sentences (parsing each once) and scores methods."""

    def __init__(self, config: Config) -> None:
        from pipeline.coding.codebook import load_codebook
        from pipeline.coding.rules import RuleCoder
        from pipeline.nlp.build import build_nlp
        from pipeline.nlp.vocab import load_vocabulary

        self.config = config
        self.nlp = build_nlp(config)
        self.codebook = load_codebook(config.config_dir / "codebook.yaml")
        self.coder = RuleCoder(self.codebook, self.nlp.vocab)
        self.vocab = load_vocabulary(config.config_dir)
        self.sides = Sides.from_vocabulary(self.vocab)
        self.text_variables = {v.id for v in self.codebook.variables if v.source != "positions"}
        self._cache: dict[str, tuple[Span, list[dict[str, Any]], list[dict[str, Any]]]] = {}

    def parse(self, text: str) -> tuple[Span, list[dict[str, Any]], list[dict[str, Any]]]:
        """One passage parsed on its own: (its text as a Span, its mentions, its rule codes
        with approach from positions)."""
        if text not in self._cache:
            from pipeline.nlp.stage import doc_rows

            doc = self.nlp(text)
            rows = doc_rows(doc, [0], [None], ["body"], self.vocab)
            self._cache[text] = (doc[:], rows["mentions"],
                                 self.coder.code_doc(doc, rows["positions"]))
        return self._cache[text]

    def rule_rows(self, text: str) -> list[dict[str, Any]]:
        """Rule codes (with approach from positions) of one passage parsed on its own."""
        return self.parse(text)[2]

    def sentence_assessment(self, text: str) -> str:
        """The rules' assessment of a whole sentence (for classifier codes, which have no
        cue)."""
        return self.coder.sentence_assessment(self.parse(text)[0])

    def rule_hits(self, text: str) -> list[str]:
        return sorted({f"{r['variable']}:{r['value']}" for r in self.rule_rows(text)})

    def seed_rule_rows(self, records: Sequence[dict[str, Any]]) -> dict[str, list[dict]]:
        """Rule codes of seed sentences, coded inside their whole document."""
        from pipeline.evaluate import locate_records, seed_document_text
        from pipeline.nlp.layout import paragraph_spans
        from pipeline.nlp.stage import doc_rows

        out: dict[str, list[dict]] = {}
        for doc_id in sorted({r["source"] for r in records}):
            text = seed_document_text(self.config, doc_id)
            doc = self.nlp(text)
            spans = paragraph_spans(text)
            positions = doc_rows(doc, [s for s, _ in spans], [None] * len(spans),
                                 ["body"] * len(spans), self.vocab)["positions"]
            coded = self.coder.code_doc(doc, positions)
            records_here = [r for r in records if r["source"] == doc_id]
            for record, start in locate_records(text, records_here):
                end = start + len(record["text"])
                out[record["id"]] = [r for r in coded if start <= r["start_char"] < end]
        return out


def _codes(rows: Sequence[dict[str, Any]]) -> set[Code]:
    return {(r["variable"], r.get("holder") or "", r["value"], r["assessment"]) for r in rows}


def _gold(record: dict[str, Any]) -> set[Code]:
    return _codes(record["codes"])


def score_codes(gold: dict[str, set[Code]], pred: dict[str, set[Code]],
                variables: set[str] | None = None) -> pd.DataFrame:
    """Per variable and value (and ALL): tp/fp/fn on (variable, holder, value); plus how
    many gold `rejected` codes were found with that assessment."""
    counts: Counter = Counter()
    for key, g in gold.items():
        p = pred.get(key, set())
        if variables is not None:
            g = {c for c in g if c[0] in variables}
            p = {c for c in p if c[0] in variables}
        g_keys = {c[:3] for c in g}
        p_keys = {c[:3] for c in p}
        for var, holder, value in g_keys | p_keys:
            outcome = ("tp" if (var, holder, value) in g_keys & p_keys else
                       "fn" if (var, holder, value) in g_keys else "fp")
            for k in ((var, value), (var, "ALL")):
                counts[(*k, outcome)] += 1
        for code in g:
            if code[3] == "rejected":
                counts[("ALL", "rejected", "gold")] += 1
                counts[("ALL", "rejected", "found")] += code in p
                if code[:3] in p_keys:  # the value was found: was it judged rejected?
                    counts[("ALL", "rejected", "detected")] += 1
    rows = []
    for var, value in sorted({k[:2] for k in counts if k[0] != "ALL"},
                             key=lambda k: (k[0], k[1] != "ALL", k[1])):
        tp, fp, fn = (counts[(var, value, o)] for o in ("tp", "fp", "fn"))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        rows.append({"variable": var, "value": value, "n_gold": tp + fn, "n_pred": tp + fp,
                     "precision": round(p, 3), "recall": round(r, 3),
                     "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0})
    gold_rej = counts[("ALL", "rejected", "gold")]
    found = counts[("ALL", "rejected", "found")]
    detected = counts[("ALL", "rejected", "detected")]
    rows.append({"variable": "assessment", "value": "rejected_recall", "n_gold": gold_rej,
                 "n_pred": found, "precision": None,
                 "recall": round(found / gold_rej, 3) if gold_rej else None, "f1": None})
    # of the rejected values the method found at all, the share it judged rejected
    rows.append({"variable": "assessment", "value": "rejected_recall_if_found",
                 "n_gold": detected, "n_pred": found, "precision": None,
                 "recall": round(found / detected, 3) if detected else None, "f1": None})
    return pd.DataFrame(rows)


def macro_f1(table: pd.DataFrame, variable: str) -> float | None:
    rows = table[(table["variable"] == variable) & (table["value"] != "ALL")]
    return round(float(rows["f1"].mean()), 3) if len(rows) else None


def model_codes(probs: np.ndarray, labels: Sequence[str], records: Sequence[dict[str, Any]],
                assess: Callable[[str], str], threshold: float) -> dict[str, set[Code]]:
    out = {}
    for record, row in zip(records, probs, strict=True):
        codes = set()
        for label, prob in zip(labels, row, strict=True):
            if prob >= threshold:
                variable, value = label.split(":", 1)
                codes.add((variable, "", value, assess(record["text"])))
        out[record["id"]] = codes
    return out


def cross_validated(evaluator: CodingEvaluator, records: Sequence[dict[str, Any]],
                    threshold: float, folds: int = 5) -> dict[str, set[Code]]:
    """Classifier predictions for each training record from a model not trained on it."""
    from sklearn.model_selection import KFold
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer()
    y = binarizer.fit_transform([gold_labels(r, evaluator.text_variables) for r in records])
    labels = list(binarizer.classes_)
    X = featurize(records, evaluator.rule_hits)
    probs = np.zeros(y.shape)
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=RANDOM_STATE).split(X):
        keep = y[train_idx].sum(axis=0) > 0
        pipe = make_pipeline().fit([X[i] for i in train_idx], y[train_idx][:, keep])
        probs[np.ix_(test_idx, np.flatnonzero(keep))] = pipe.predict_proba(
            [X[i] for i in test_idx])
    return model_codes(probs, labels, records, evaluator.sentence_assessment, threshold)


def train_models(evaluator: CodingEvaluator, records: Sequence[dict[str, Any]]
                 ) -> SentenceModel:
    """Every classifier the build uses, fitted on annotated `records` (`make train` saves
    them; the evaluation fits them again for each cross-validation fold)."""
    pipe, labels = train(records, evaluator.rule_hits, evaluator.text_variables)
    approach, approach_values = train_approach(records, evaluator.parse, evaluator.sides)
    return SentenceModel(
        pipeline=pipe, labels=labels, assessor=train_assessor(records, evaluator.rule_rows),
        approach=approach, approach_values=tuple(approach_values),
        sentence_assessor=train_sentence_assessor(records, evaluator.sentence_assessment,
                                                  evaluator.rule_rows))


def combined_codes(evaluator: CodingEvaluator, model: SentenceModel,
                   records: Sequence[dict[str, Any]]) -> dict[str, set[Code]]:
    """Code `records` as the build does with the classifiers of `model` (`train_models`): the
    rules, their assessments reviewed by the assessment classifier, plus what the sentence
    and approach classifiers add (assessed by the sentence assessor)."""
    settings = evaluator.config.coding
    probs = model.pipeline.predict_proba(featurize(records, evaluator.rule_hits))
    approaches = code_approaches(model.approach, model.approach_values,
                                 [evaluator.parse(r["text"]) for r in records],
                                 settings.approach_threshold, evaluator.sides)
    out = {}
    for record, label_probs, found in zip(records, probs, approaches, strict=True):
        text = record["text"]
        rows = reassess(model.assessor, text, 0, evaluator.rule_rows(text),
                        settings.assessment_threshold, settings.assessment_variables)
        added = added_labels(dict(zip(model.labels, label_probs, strict=True)),
                             evaluator.parse(text)[0],
                             {f"{r['variable']}:{r['value']}" for r in rows},
                             settings.model_threshold, settings.model_variables)
        new = [(variable, None, value, prob) for variable, value, prob in added]
        new += [("approach", holder, value, prob) for holder, value, prob in found]
        added_rows = [
            {"sent_idx": 0, "variable": variable, "holder": holder, "value": value,
             "assessment": judge_assessment(model.sentence_assessor, text, variable, holder,
                                            value, evaluator.sentence_assessment(text),
                                            [r["assessment"] for r in rows]),
             "method": "model", "confidence": prob, "cue": None, "start_char": 0,
             "end_char": len(text)}
            for variable, holder, value, prob in new]
        # (the record is read as one passage, like its classifiers' codes)
        derived = evaluator.coder.opposed_rows([{**r, "sent_idx": 0} for r in rows]
                                               + added_rows)
        out[record["id"]] = _codes(rows) | _codes(added_rows) | _codes(derived)
    return out


def combined_cross_validated(evaluator: CodingEvaluator, records: Sequence[dict[str, Any]],
                             folds: int = 5) -> dict[str, set[Code]]:
    """`combined_codes` for each training record from classifiers not trained on it."""
    from sklearn.model_selection import KFold

    out: dict[str, set[Code]] = {}
    for train_idx, test_idx in KFold(folds, shuffle=True,
                                     random_state=RANDOM_STATE).split(records):
        model = train_models(evaluator, [records[i] for i in train_idx])
        out.update(combined_codes(evaluator, model, [records[i] for i in test_idx]))
    return out


def document_accuracy(config: Config, briefs_dir: Path, gold: dict[str, Any]
                      ) -> tuple[pd.DataFrame, float]:
    """Build the fictional briefs in a throw-away project and compare doc_codes to gold.

    Accuracy is over every (document, variable, holder, value) cell of the codebook values
    (holders: those in gold or predicted): the cell's assessment, or `absent`, must match.
    """
    from pipeline.build import run_build

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(config.config_dir, root / "configs")
        shutil.copytree(briefs_dir, root / "data" / "raw",
                        ignore=shutil.ignore_patterns("*.json", "*.md"))
        models = config.root / "models"
        if models.exists():
            shutil.copytree(models, root / "models")
        if config.paths.annotations.exists():
            shutil.copytree(config.paths.annotations, root / "data" / "annotations")
        sub = dataclasses.replace(config, root=root, config_dir=root / "configs",
                                  paths=config.paths.__class__().resolved(root))
        run_build(sub)
        doc_codes = pd.read_parquet(root / "data" / "processed" / "doc_codes.parquet")
        documents = pd.read_parquet(root / "data" / "processed" / "documents.parquet")
    path_of = documents.set_index("doc_id")["path"]
    predicted: dict[tuple, str] = {}
    for row in doc_codes.itertuples():
        holder = row.holder if isinstance(row.holder, str) else ""
        predicted[(path_of[row.doc_id], row.variable, holder, row.value)] = row.assessment
    from pipeline.coding.codebook import load_codebook

    codebook = load_codebook(config.config_dir / "codebook.yaml")
    rows = []
    for path, entry in sorted(gold.items()):
        expected = {(path, c["variable"], c["holder"] or "", c["value"]): c["assessment"]
                    for c in entry["codes"]}
        holders = {(v, h) for (_, v, h, _) in [*expected, *[k for k in predicted
                                                            if k[0] == path]]}
        for variable in codebook.variables:
            for holder in sorted({h for v, h in holders if v == variable.id} or {""}):
                for value in variable.value_ids:
                    key = (path, variable.id, holder, value)
                    want, got = expected.get(key, "absent"), predicted.get(key, "absent")
                    rows.append({"path": path, "variable": variable.id, "holder": holder,
                                 "value": value, "gold": want, "predicted": got,
                                 "correct": want == got})
    cells = pd.DataFrame(rows)
    return cells, round(float(cells["correct"].mean()), 3)


def evaluate_coding(config: Config, briefs_dir: Path | None = None) -> dict[str, Any]:
    """Every figure of the coding evaluation, as tables."""
    records = load_gold_codes(config.paths.annotations / GOLD_FILE)
    evaluator = CodingEvaluator(config)
    threshold = config.coding.model_threshold
    by_split = {s: [r for r in records if r["split"] == s] for s in ("seed", "train", "test")}
    gold = {s: {r["id"]: _gold(r) for r in rs} for s, rs in by_split.items()}
    rules = {s: {r["id"]: _codes(evaluator.rule_rows(r["text"])) for r in rs}
             for s, rs in by_split.items() if s != "seed"}
    rules["seed"] = {k: _codes(v) for k, v in evaluator.seed_rule_rows(by_split["seed"]).items()}
    tables = {f"rules/{s}": score_codes(gold[s], rules[s]) for s in ("seed", "train", "test")}
    text_vars = evaluator.text_variables
    cv = cross_validated(evaluator, by_split["train"], threshold)
    tables["model/train-cv"] = score_codes(gold["train"], cv, text_vars)
    model = train_models(evaluator, by_split["train"])
    test_probs = model.pipeline.predict_proba(featurize(by_split["test"], evaluator.rule_hits))
    model_test = model_codes(test_probs, model.labels, by_split["test"],
                             evaluator.sentence_assessment, threshold)
    tables["model/test"] = score_codes(gold["test"], model_test, text_vars)
    tables["rules+model/train-cv"] = score_codes(
        gold["train"], combined_cross_validated(evaluator, by_split["train"]))
    tables["rules+model/test"] = score_codes(
        gold["test"], combined_codes(evaluator, model, by_split["test"]))
    summary = {}
    for name, table in tables.items():
        recall = table.set_index("value")["recall"]
        summary[name] = {"cause_macro_f1": macro_f1(table, "cause"),
                         "approach_macro_f1": macro_f1(table, "approach"),
                         "rejected_recall": recall["rejected_recall"],
                         "rejected_recall_if_found": recall["rejected_recall_if_found"]}
    result: dict[str, Any] = {"tables": tables, "summary": summary}
    fixtures = config.root / "tests" / "fixtures"
    # the held-out briefs (test), and the training briefs whose errors may be looked at
    for suffix, folder in (("", briefs_dir or fixtures / "briefs"),
                           ("_train", fixtures / "briefs_train")):
        if (folder / "doc_gold.json").exists():
            doc_gold = json.loads((folder / "doc_gold.json").read_text(encoding="utf-8"))
            cells, accuracy = document_accuracy(config, folder, doc_gold)
            result[f"document_cells{suffix}"] = cells
            result[f"document_accuracy{suffix}"] = accuracy
    return result


def coding_errors(config: Config, split: str) -> list[str]:
    """Readable misses and false hits of the rules on one split (tune on `train` only)."""
    records = [r for r in load_gold_codes(config.paths.annotations / GOLD_FILE)
               if r["split"] == split]
    evaluator = CodingEvaluator(config)
    if split == "seed":
        pred = {k: _codes(v) for k, v in evaluator.seed_rule_rows(records).items()}
    else:
        pred = {r["id"]: _codes(evaluator.rule_rows(r["text"])) for r in records}
    lines = []
    for record in records:
        g, p = _gold(record), pred.get(record["id"], set())
        if g != p:
            lines.append(f"{record['id']}: {record['text']}")
            lines += [f"    missed {c}" for c in sorted(g - p)]
            lines += [f"    extra  {c}" for c in sorted(p - g)]
    return lines
