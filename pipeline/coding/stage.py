"""Coding stage: parsed Docs and positions (NLP cache) -> sentence `codes` (rules, and the
trained classifier when it is present and current) -> document `doc_codes`.

Codes are cached per document, keyed by the NLP cache entry, the codebook and the model,
so editing the codebook re-codes without re-parsing, and an unchanged build reads only JSON.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.coding.doc_codes import aggregate_codes
from pipeline.config import Config
from pipeline.io import read_cache, write_cache
from pipeline.schemas import CODES, DOC_CODES, make_frame
from pipeline.versions import CODING_VERSION

log = logging.getLogger(__name__)



@dataclass
class CodingResult:
    codes: pd.DataFrame
    doc_codes: pd.DataFrame
    n_coded: int = 0
    n_cached: int = 0
    method: str = "rules"  # "rules" or "rules+model"
    model_note: str = ""
    problems: list[str] = field(default_factory=list)


def coding_fingerprint(config: Config, model_id: str) -> str:
    parts = [f"v{CODING_VERSION}", config.file_hash("codebook.yaml"),
             config.file_hash("coding.yaml"), model_id]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def run_coding(
    config: Config,
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    progress: Callable[[Iterator, int], Iterator] | None = None,
) -> CodingResult:
    """Code every readable document (from the cache where possible) and aggregate.

    Args:
        config: the loaded configuration.
        documents: the `documents` table.
        sentences: the `sentences` table (for sections when weighting evidence).
        progress: optional wrapper (iterable, total) -> iterable.
    """
    import spacy

    from pipeline.coding.classify import load_current_model
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.rules import RuleCoder
    from pipeline.nlp.build import nlp_fingerprint
    from pipeline.nlp.stage import load_parsed, readable_documents

    codebook = load_codebook(config.config_dir / "codebook.yaml")
    model, note = load_current_model(config, codebook)
    result = CodingResult(pd.DataFrame(), pd.DataFrame(), model_note=note,
                          method="rules+model" if model is not None else "rules")
    fingerprint = coding_fingerprint(config, model.model_id if model is not None else "rules")
    inputs = readable_documents(config, documents, nlp_fingerprint(config))
    caches = {item.doc_id: item.cache.with_name(f"{item.cache.stem}-{fingerprint}.codes.json")
              for item in inputs}
    todo = [item for item in inputs if read_cache(caches[item.doc_id]) is None]
    result.n_cached = len(inputs) - len(todo)
    if todo:
        vocab = spacy.blank("en").vocab
        coder = RuleCoder(codebook, vocab)
        stream = iter(todo)
        if progress is not None:
            stream = progress(stream, len(todo))
        for item in stream:
            parsed = load_parsed(item.cache, vocab)
            if parsed is None or parsed[1] is None:
                result.problems.append(f"{item.doc_id}: NLP cache missing; run `make nlp`")
                continue
            rows, doc = parsed
            try:
                coded = coder.code_doc(doc, rows["positions"])
                if model is not None:
                    coded += model.code_doc(doc, coded, coder, config.coding.model_threshold)
            except Exception as exc:  # one document's bug must not stop the build
                log.debug("coding failed on %s", item.doc_id, exc_info=True)
                result.problems.append(
                    f"{item.doc_id}: coding failed ({type(exc).__name__}: {exc}); its codes "
                    "are missing (please report)")
                continue
            write_cache(caches[item.doc_id], {"codes": coded})
            result.n_coded += 1
    rows: list[dict[str, Any]] = []
    for item in inputs:
        payload = read_cache(caches[item.doc_id])
        if payload is not None:
            rows += [{"doc_id": item.doc_id, **row} for row in payload["codes"]]
    result.codes = make_frame(rows, CODES)
    aggregated = aggregate_codes(result.codes, sentences, config.coding.section_weights)
    tanks = documents.set_index("doc_id")["think_tank"]
    aggregated.insert(1, "think_tank", aggregated["doc_id"].map(tanks))
    result.doc_codes = make_frame(aggregated.to_dict("records"), DOC_CODES)
    return result
