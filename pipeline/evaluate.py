"""Evaluation of the NLP stage against the gold annotations in data/annotations/.

Reads `nlp_gold.jsonl`, runs the configured pipeline over every record (written sentences
one by one; seed sentences inside their whole document, so context such as an established
"Kim" is the same as in a build) and reports precision, recall and F1 per split, table and id.
A predicted mention is correct when it has the gold mention's kind and id and overlaps it;
a predicted position is correct when holder, relation, target and polarity all match
(table `positions`); `holder_target` is the relaxed view (holder and target only).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Config

MENTION_KINDS = ("actor", "proposal", "approach")
SPLITS = ("seed", "train", "test")


class GoldError(ValueError):
    """The gold file is malformed (message names file and line)."""


@dataclass
class Prediction:
    """Predicted mentions (start, end, kind, id) and positions (holder, rel, target, pol)."""

    mentions: list[tuple[int, int, str, str]] = field(default_factory=list)
    positions: list[tuple[str, str, str, str]] = field(default_factory=list)


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Read the gold JSONL file.

    Raises:
        GoldError: a line is not JSON or lacks a required key.
    """
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}: line {number}: not JSON: {exc}") from exc
            missing = {"id", "split", "source", "text", "mentions", "positions"} - set(record)
            if missing:
                raise GoldError(f"{path}: line {number}: missing keys {sorted(missing)}")
            records.append(record)
    return records


def gold_mentions(record: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    return [
        (m["start"], m["end"], m["kind"], m["id"])
        for m in record["mentions"]
        if m["kind"] in MENTION_KINDS
    ]


def gold_positions(record: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(p["holder"], p["relation"], p["target"], p["polarity"]) for p in record["positions"]]


def doc_prediction(doc: Any, start: int = 0, end: int | None = None) -> Prediction:
    """Mentions and positions of a processed Doc inside [start, end), offsets made relative."""
    from pipeline.nlp.positions import position_rows

    end = len(doc.text) if end is None else end
    pred = Prediction()
    for key, kind in (("actors", "actor"), ("proposals", "proposal"), ("approaches", "approach")):
        for span in doc.spans[key] if key in doc.spans else []:
            if start <= span.start_char < end:
                pred.mentions.append(
                    (span.start_char - start, span.end_char - start, kind, span.id_)
                )
    for row in position_rows(doc):
        if start <= row["start_char"] < end:
            pred.positions.append((row["holder"], row["relation"], row["target"], row["polarity"]))
    return pred


def match_mentions(
    gold: Sequence[tuple[int, int, str, str]], pred: Sequence[tuple[int, int, str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Greedy overlap matching. Returns (true positives, false positives, false negatives)
    as (kind, id) pairs."""
    unused = list(gold)
    tp, fp = [], []
    for p_start, p_end, kind, ident in sorted(pred):
        hit = next(
            (
                g
                for g in unused
                if g[2] == kind and g[3] == ident and g[0] < p_end and p_start < g[1]
            ),
            None,
        )
        if hit is None:
            fp.append((kind, ident))
        else:
            unused.remove(hit)
            tp.append((kind, ident))
    return tp, fp, [(g[2], g[3]) for g in unused]


def match_positions(
    gold: Sequence[tuple[str, ...]], pred: Sequence[tuple[str, ...]]
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Multiset matching of (holder, relation, target, polarity) tuples."""
    g, p = Counter(gold), Counter(pred)
    both = g & p
    return list(both.elements()), list((p - both).elements()), list((g - both).elements())


def predict(config: Config, records: list[dict[str, Any]], nlp: Any) -> dict[str, Prediction]:
    """Run the pipeline over every gold record; seed records inside their document."""

    predictions: dict[str, Prediction] = {}
    written = [r for r in records if r["source"] == "written"]
    for record, doc in zip(written, nlp.pipe(r["text"] for r in written), strict=True):
        predictions[record["id"]] = doc_prediction(doc)
    seeds = [r for r in records if r["source"] != "written"]
    for doc_id in sorted({r["source"] for r in seeds}):
        text = seed_document_text(config, doc_id)
        doc = nlp(text)
        for record, start in locate_records(text, [r for r in seeds if r["source"] == doc_id]):
            predictions[record["id"]] = doc_prediction(doc, start, start + len(record["text"]))
    return predictions


def seed_document_text(config: Config, doc_id: str) -> str:
    """The clean text the build parses for a seed document (from the ingest cache)."""
    from pipeline.ingest.stage import IngestOutcome, cache_file, ingest_file
    from pipeline.io import read_cache, sha256_file
    from pipeline.nlp.stage import doc_text
    from pipeline.sources import discover_files, make_doc_ids

    rel_paths = discover_files(config.paths.raw, config.ingest)
    by_id = {d: rel for rel, d in make_doc_ids(rel_paths).items()}
    if doc_id not in by_id:
        raise GoldError(f"gold names document {doc_id!r}, which is not in data/raw/")
    path = config.paths.raw / by_id[doc_id]
    payload = read_cache(cache_file(config.paths.interim, sha256_file(path), config.ingest))
    outcome = (IngestOutcome.from_payload(payload) if payload is not None
               else ingest_file(path, path.suffix.lower()[1:], config.ingest))
    return doc_text(outcome)[0]


def locate_records(text: str, records: list[dict[str, Any]]) -> Iterator[tuple[dict, int]]:
    """Each seed record with the offset of its sentence in the document text (in order).

    Raises:
        GoldError: a record's text is not in the document.
    """
    cursor = 0
    for record in records:
        start = text.find(record["text"], cursor)
        if start < 0:
            start = text.find(record["text"])
        if start < 0:
            raise GoldError(f"gold record {record['id']}: text not found in its document")
        cursor = start
        yield record, start


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(records: Iterable[dict[str, Any]], predictions: dict[str, Prediction]) -> pd.DataFrame:
    """One row per split x table x id (and id 'ALL'): tp, fp, fn, precision, recall, f1."""
    counts: Counter = Counter()
    for record in records:
        pred = predictions[record["id"]]
        split = record["split"]
        tp, fp, fn = match_mentions(gold_mentions(record), pred.mentions)
        for outcome, items in (("tp", tp), ("fp", fp), ("fn", fn)):
            for _kind, ident in items:
                counts[(split, "mentions", ident, outcome)] += 1
                counts[(split, "mentions", "ALL", outcome)] += 1
        tp, fp, fn = match_positions(gold_positions(record), pred.positions)
        for outcome, items in (("tp", tp), ("fp", fp), ("fn", fn)):
            for item in items:
                counts[(split, "positions", item[2], outcome)] += 1
                counts[(split, "positions", "ALL", outcome)] += 1
        # a relaxed view: who stands on what, whatever the relation and polarity
        tp, fp, fn = match_positions(
            [p[::2] for p in gold_positions(record)], [p[::2] for p in pred.positions]
        )
        for outcome, items in (("tp", tp), ("fp", fp), ("fn", fn)):
            counts[(split, "holder_target", "ALL", outcome)] += len(items)
    keys = sorted(
        {k[:3] for k in counts},
        key=lambda k: (SPLITS.index(k[0]) if k[0] in SPLITS else 9, k[1], k[2] != "ALL", k[2]),
    )
    rows = []
    for split, table, ident in keys:
        tp, fp, fn = (counts[(split, table, ident, o)] for o in ("tp", "fp", "fn"))
        precision, recall, f1 = _prf(tp, fp, fn)
        rows.append(
            {
                "split": split,
                "table": table,
                "id": ident,
                "n_gold": tp + fn,
                "n_pred": tp + fp,
                "tp": tp,
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "f1": round(f1, 3),
            }
        )
    return pd.DataFrame(rows)


def errors(
    records: Iterable[dict[str, Any]], predictions: dict[str, Prediction], split: str
) -> list[str]:
    """Readable list of misses and false hits for one split (for tuning on train only)."""
    lines = []
    for record in records:
        if record["split"] != split:
            continue
        pred = predictions[record["id"]]
        _, fp, fn = match_mentions(gold_mentions(record), pred.mentions)
        _, pfp, pfn = match_positions(gold_positions(record), pred.positions)
        if fp or fn or pfp or pfn:
            lines.append(f"{record['id']}: {record['text']}")
            lines += [f"    mention missed {m}" for m in fn] + [
                f"    mention extra {m}" for m in fp
            ]
            lines += [f"    position missed {p}" for p in pfn]
            lines += [f"    position extra {p}" for p in pfp]
    return lines
