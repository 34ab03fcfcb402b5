"""NLP stage: ingest cache -> spaCy -> per-document cache in data/interim/nlp/ and the
`sentences`, `mentions` and `positions` tables.

Documents stream through `nlp.pipe`; each Doc is reduced to plain rows at once and cached by
the file's content hash, the ingest settings and the NLP fingerprint (model, vocabularies),
so an unchanged document is never parsed twice and no more than a batch of Docs is held.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from spacy.tokens import Doc, DocBin, Span

from pipeline.config import Config
from pipeline.ingest.stage import IngestOutcome, cache_file
from pipeline.io import atomic_path, read_cache, write_cache
from pipeline.nlp.layout import HEADINGS
from pipeline.nlp.positions import AUTHOR, position_rows
from pipeline.nlp.vocab import Vocabulary, load_vocabulary
from pipeline.parallel import map_in_order
from pipeline.schemas import MENTIONS, POSITIONS, SENTENCES, make_frame

log = logging.getLogger(__name__)


@dataclass
class NlpResult:
    """The three tables and what was redone."""

    sentences: pd.DataFrame
    mentions: pd.DataFrame
    positions: pd.DataFrame
    n_parsed: int = 0
    n_cached: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DocInput:
    """One readable document: where its NLP cache lives and its paragraphs."""

    doc_id: str
    cache: Path
    outcome_file: Path


def doc_text(outcome: IngestOutcome) -> tuple[str, list[int], list[int | None], list[str]]:
    """Clean text (paragraphs joined by a blank line) and each paragraph's start, page, kind."""
    assert outcome.extracted is not None
    starts, pages, kinds, pieces, pos = [], [], [], [], 0
    for para in outcome.extracted.paragraphs:
        starts.append(pos)
        pages.append(para.page)
        kinds.append(para.kind)
        pieces.append(para.text)
        pos += len(para.text) + 2
    return "\n\n".join(pieces), starts, pages, kinds


def iter_sentences(doc: Doc) -> Iterator[tuple[int, Span, int]]:
    """The Doc's sentences as numbered in the `sentences` table: (sent_idx, span, start_char).

    Whitespace-only sentences are skipped; start_char is where the sentence's text begins.
    """
    idx = 0
    for sent in doc.sents:
        text = sent.text
        if not text.strip():
            continue
        yield idx, sent, sent.start_char + (len(text) - len(text.lstrip()))
        idx += 1


def doc_rows(
    doc: Doc, starts: list[int], pages: list[int | None], kinds: list[str], vocab: Vocabulary
) -> dict[str, list[dict[str, Any]]]:
    """Reduce a processed Doc to rows of the three tables (without doc_id)."""
    headings = {span.start for span in doc.spans[HEADINGS]} if HEADINGS in doc.spans else set()
    sentences, sent_starts = [], []
    section = None
    for _idx, sent, start in iter_sentences(doc):
        text = sent.text.strip()
        para = bisect.bisect_right(starts, start) - 1
        is_heading = sent.start in headings
        if kinds[para] == "footnote":
            section = "Footnotes"
        elif is_heading:
            section = text
        sentences.append(
            {
                "sent_idx": len(sentences),
                "section": section,
                "is_heading": is_heading,
                "page": pages[para],
                "start_char": start,
                "end_char": start + len(text),
                "text": text,
            }
        )
        sent_starts.append(start)

    def sent_of(char: int) -> int:
        return max(0, bisect.bisect_right(sent_starts, char) - 1)

    target_chars = [
        (span.start_char, span.end_char)
        for key in ("proposals", "approaches")
        if key in doc.spans
        for span in doc.spans[key]
    ]
    mentions = []
    for key, kind in (
        ("actors", "actor"),
        ("proposals", "proposal"),
        ("approaches", "approach"),
        ("unlinked", "unlinked"),
    ):
        for span in doc.spans[key] if key in doc.spans else []:
            if kind == "unlinked" and any(
                s < span.end_char and span.start_char < e for s, e in target_chars
            ):
                continue  # "Yongbyon" inside a proposal is not an unknown entity
            entity = span.id_ or None if kind != "unlinked" else None
            actor = vocab.actor(entity) if kind == "actor" and entity else None
            mentions.append(
                {
                    "sent_idx": sent_of(span.start_char),
                    "start_char": span.start_char,
                    "end_char": span.end_char,
                    "text": span.text,
                    "kind": kind,
                    "entity_id": entity,
                    "affiliation": actor.affiliation if actor is not None else None,
                    "ner_label": (span.kb_id_ or None) if kind == "unlinked" else None,
                }
            )
    positions = []
    for row in position_rows(doc):
        holder = row["holder"]
        if holder == AUTHOR:
            state = None
        else:
            actor = vocab.actor(holder)
            state = actor.affiliation or (holder if actor.kind == "state" else None)
        positions.append({"sent_idx": sent_of(row["start_char"]), "holder_state": state, **row})
    return {"sentences": sentences, "mentions": mentions, "positions": positions}


def write_parsed(item: DocInput, doc: Doc, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Cache a document's rows and its parsed Doc (DocBin), so later stages never re-parse.

    The DocBin's hash goes into the checksummed JSON entry: a damaged .spacy file is
    detected by `load_parsed` and the document is parsed again.
    """
    blob = DocBin(store_user_data=True, docs=[doc]).to_bytes()
    with atomic_path(item.cache.with_suffix(".spacy")) as tmp:
        tmp.write_bytes(blob)
    write_cache(item.cache, {**rows, "docbin_sha256": hashlib.sha256(blob).hexdigest()})


def load_parsed(cache: Path, vocab: Any = None) -> tuple[dict[str, Any], Doc | None] | None:
    """A document's cached rows, and its Doc if `vocab` is given; None if missing or damaged."""
    payload = read_cache(cache)
    if payload is None:
        return None
    docbin = cache.with_suffix(".spacy")
    try:
        blob = docbin.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(blob).hexdigest() != payload.get("docbin_sha256"):
        return None
    rows = {k: v for k, v in payload.items() if k != "docbin_sha256"}
    if vocab is None:
        return rows, None
    return rows, next(DocBin().from_bytes(blob).get_docs(vocab))


def nlp_cache_file(interim_dir: Path, outcome_file: Path, fingerprint: str) -> Path:
    """NLP cache entry for one ingest cache entry under the current NLP fingerprint."""
    return (
        interim_dir / "nlp" / outcome_file.parent.name / f"{outcome_file.stem}-{fingerprint}.json"
    )


def readable_documents(
    config: Config, documents: pd.DataFrame, fingerprint: str
) -> list[DocInput]:
    """The `ok` documents with their ingest and NLP cache locations, in doc_id order."""
    inputs = []
    for row in documents[documents["status"] == "ok"].itertuples():
        outcome_file = cache_file(config.paths.interim, row.sha256, config.ingest)
        inputs.append(
            DocInput(
                row.doc_id,
                nlp_cache_file(config.paths.interim, outcome_file, fingerprint),
                outcome_file,
            )
        )
    return inputs


_WORKER: dict[str, Any] = {}  # the spaCy pipeline and vocabulary of this process


def _parse_chunk(chunk: list[DocInput]) -> list[tuple[str, dict[str, list] | str | None]]:
    """Parse a few documents, cache each (rows and Doc), and return their rows: a message
    instead if the ingest cache is missing, None if a component failed on the document."""
    nlp, vocab = _WORKER["nlp"], _WORKER["vocab"]
    out: dict[str, dict[str, list] | str | None] = {}
    texts = []
    for item in chunk:
        payload = read_cache(item.outcome_file)
        if payload is None:  # removed since ingest ran
            out[item.doc_id] = "ingest cache missing; run ingest"
            continue
        text, starts, pages, kinds = doc_text(IngestOutcome.from_payload(payload))
        texts.append((text, (item, starts, pages, kinds)))
    for doc, (item, starts, pages, kinds) in nlp.pipe(
        texts, as_tuples=True, batch_size=_WORKER["batch_size"]
    ):
        rows = doc_rows(doc, starts, pages, kinds, vocab)
        write_parsed(item, doc, rows)
        out[item.doc_id] = rows
    # a document a component failed on was dropped from nlp.pipe's output
    return [(item.doc_id, out.get(item.doc_id)) for item in chunk]


def run_nlp(
    config: Config,
    documents: pd.DataFrame,
    progress: Callable[[Iterator, int], Iterator] | None = None,
) -> NlpResult:
    """Parse every readable document not yet cached, then assemble the three tables.

    Args:
        config: the loaded configuration.
        documents: the `documents` table from the ingest stage.
        progress: optional wrapper (iterable, total) -> iterable, e.g. a tqdm bar.
    """
    from pipeline.nlp.build import build_nlp, nlp_fingerprint

    fingerprint = nlp_fingerprint(config)
    vocab = load_vocabulary(config.config_dir)
    inputs = readable_documents(config, documents, fingerprint)
    # each cache entry is read (and its DocBin hash checked) once per run
    parsed_rows: dict[str, dict[str, list]] = {}
    for item in inputs:
        parsed = load_parsed(item.cache)
        if parsed is not None:
            parsed_rows[item.doc_id] = parsed[0]
    todo = [d for d in inputs if d.doc_id not in parsed_rows]
    result = NlpResult(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    result.n_cached = len(inputs) - len(todo)
    if todo:
        # the pipeline is built once here; forked workers inherit it
        _WORKER.update(nlp=build_nlp(config), vocab=vocab, batch_size=config.nlp.batch_size)
        processes = config.nlp.n_process
        # small chunks with several processes, so that the workers finish together
        size = config.nlp.batch_size if processes < 2 else max(
            1, min(config.nlp.batch_size, len(todo) // (4 * processes)))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        try:
            stream = (pair for chunk in map_in_order(_parse_chunk, chunks, processes)
                      for pair in chunk)
            for doc_id, outcome in progress(stream, len(todo)) if progress else stream:
                if isinstance(outcome, str):
                    result.problems.append(f"{doc_id}: {outcome}")
                elif outcome is None:  # a component failed on it (see build_nlp)
                    result.problems.append(
                        f"{doc_id}: the NLP stage failed on it; it has no sentences, mentions "
                        "or positions (see the warning above)")
                else:
                    parsed_rows[doc_id] = outcome
                    result.n_parsed += 1
        finally:
            _WORKER.clear()
    tables: dict[str, list[dict[str, Any]]] = {"sentences": [], "mentions": [], "positions": []}
    for item in inputs:
        for name, rows in parsed_rows.get(item.doc_id, {}).items():
            tables[name] += [{"doc_id": item.doc_id, **row} for row in rows]
    result.sentences = make_frame(tables["sentences"], SENTENCES)
    result.mentions = make_frame(tables["mentions"], MENTIONS)
    result.positions = make_frame(tables["positions"], POSITIONS)
    return result
