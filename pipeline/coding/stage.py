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
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.coding.doc_codes import aggregate_codes
from pipeline.config import CodingSettings, Config
from pipeline.io import read_cache, write_cache
from pipeline.parallel import map_in_order
from pipeline.schemas import CODES, DOC_CODES, make_frame
from pipeline.versions import CODING_VERSION

if TYPE_CHECKING:
    from pipeline.coding.holders import Sides

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
    parts = [f"v{CODING_VERSION}", config.content_hash("codebook.yaml"),
             config.content_hash("coding.yaml"), model_id]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


_WORKER: dict[str, Any] = {}  # the coder of this process (see _init_coder)


def _init_coder(codebook: Any, model: Any, settings: CodingSettings, sides: Sides) -> None:
    """Build the rule coder once (forked workers inherit it), with a spaCy vocab shared
    with the Docs it loads."""
    import spacy

    from pipeline.coding.rules import RuleCoder

    blank = spacy.blank("en")
    _WORKER.update(vocab=blank.vocab, coder=RuleCoder(codebook, blank.vocab, blank.tokenizer),
                   model=model, settings=settings, sides=sides)


def _code_document(job: tuple[str, Any, Any]) -> list[dict[str, Any]] | str:
    """Code one parsed document and cache its rows; returns the rows or a problem message."""
    from pipeline.nlp.stage import load_parsed

    doc_id, nlp_cache, out = job
    parsed = load_parsed(nlp_cache, _WORKER["vocab"])
    if parsed is None or parsed[1] is None:
        return f"{doc_id}: NLP cache missing; run `make nlp`"
    rows, doc = parsed
    coder, model = _WORKER["coder"], _WORKER["model"]
    try:
        coded = coder.code_doc(doc, rows["positions"])
        if model is not None:
            settings = _WORKER["settings"]
            coded = model.reassess_doc(doc, coded, settings.assessment_threshold,
                                       settings.assessment_variables)
            coded += model.code_doc(doc, coded, coder, settings.model_threshold,
                                    settings.model_variables)
            coded += model.code_doc_approaches(doc, coded, rows["mentions"], coder,
                                               settings.approach_threshold, _WORKER["sides"])
            coded += coder.opposed_rows(coded)  # now with the classifier's approaches
        # every assessment the assessment classifier did not change is the rules'
        coded = [{"assessed_by": "rules", **row} for row in coded]
    except Exception as exc:  # one document's bug must not stop the build
        log.debug("coding failed on %s", doc_id, exc_info=True)
        return (f"{doc_id}: coding failed ({type(exc).__name__}: {exc}); its codes are "
                "missing (please report)")
    write_cache(out, {"codes": coded})
    return coded


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
    from pipeline.coding.classify import load_current_model
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.holders import Sides
    from pipeline.nlp.build import nlp_fingerprint
    from pipeline.nlp.stage import readable_documents
    from pipeline.nlp.vocab import load_vocabulary

    codebook = load_codebook(config.config_dir / "codebook.yaml")
    model, note = load_current_model(config, codebook)
    result = CodingResult(pd.DataFrame(), pd.DataFrame(), model_note=note,
                          method="rules+model" if model is not None else "rules")
    fingerprint = coding_fingerprint(config, model.model_id if model is not None else "rules")
    inputs = readable_documents(config, documents, nlp_fingerprint(config))
    caches = {item.doc_id: item.cache.with_name(f"{item.cache.stem}-{fingerprint}.codes.json")
              for item in inputs}
    coded: dict[str, list[dict[str, Any]]] = {}
    for item in inputs:
        payload = read_cache(caches[item.doc_id])
        if payload is not None:
            coded[item.doc_id] = payload["codes"]
    todo = [item for item in inputs if item.doc_id not in coded]
    result.n_cached = len(inputs) - len(todo)
    if todo:
        jobs = [(item.doc_id, item.cache, caches[item.doc_id]) for item in todo]
        # each worker codes whole documents and writes only their own cache entries
        # which mentions name a state: only the approach classifier asks
        sides = (Sides.from_vocabulary(load_vocabulary(config.config_dir))
                 if model is not None else Sides())
        _init_coder(codebook, model, config.coding, sides)
        try:
            outcomes = list(map_in_order(_code_document, jobs, config.nlp.n_process, progress))
        finally:
            _WORKER.clear()
        for (doc_id, _, _), outcome in zip(jobs, outcomes, strict=True):
            if isinstance(outcome, str):
                result.problems.append(outcome)
            else:
                coded[doc_id] = outcome
                result.n_coded += 1
    rows = [{"doc_id": item.doc_id, **row}
            for item in inputs for row in coded.get(item.doc_id, [])]
    result.codes = make_frame(rows, CODES)
    aggregated = aggregate_codes(result.codes, sentences, config.coding.section_weights,
                                 config.coding.min_weight, config.coding.mixed_ratio,
                                 config.coding.approach_ratio)
    tanks = documents.set_index("doc_id")["think_tank"]
    aggregated.insert(1, "think_tank", aggregated["doc_id"].map(tanks))
    result.doc_codes = make_frame(aggregated.to_dict("records"), DOC_CODES)
    return result
