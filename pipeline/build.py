"""The build: run the stages in order, write each stage's tables atomically, and report
what each stage did and how long it took (the CLI prints it; the benchmark measures it).

raw -> ingest (documents) -> nlp (sentences, mentions, positions) -> coding (codes,
doc_codes) -> tables (comparison, profiles, position_edges, approach_index, codebook,
networks/, comparison_wide.csv, datapackage.json). Every stage reuses its per-document
cache, so a build redoes only what changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.config import Config
from pipeline.io import remove_stale_temporaries, write_table, write_text_atomic
from pipeline.schemas import CODES, DOC_CODES, DOCUMENTS, MENTIONS, POSITIONS, SENTENCES

log = logging.getLogger(__name__)

STAGES = ("ingest", "nlp", "coding", "tables")
Progress = Callable[[str], Callable[[Iterable, int], Iterator]]


@dataclass
class StageReport:
    """What one stage did: documents redone and taken from the cache, time, notes."""

    stage: str
    seconds: float
    n_done: int
    n_cached: int
    summary: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    stages: list[StageReport] = field(default_factory=list)
    documents: pd.DataFrame | None = None

    @property
    def failed(self) -> pd.DataFrame:
        docs = self.documents
        return docs[docs["status"] != "ok"] if docs is not None else pd.DataFrame()


def run_build(config: Config, until: str = STAGES[-1], progress: Progress | None = None
              ) -> BuildReport:
    """Run the stages from ingest up to and including `until`, writing their tables.

    Args:
        config: the loaded configuration.
        until: the last stage to run (one of STAGES).
        progress: optional factory: stage name -> wrapper(iterable, total) for progress bars.

    Raises:
        ConfigError: a configuration file is invalid (nothing of that stage is written).
    """
    from pipeline.ingest.stage import missing_metadata, run_ingest

    out = config.paths.processed
    report = BuildReport()
    # A build killed mid-write leaves only hidden temporaries (outputs are replaced
    # atomically); sweep them so nothing half-written lingers.
    remove_stale_temporaries(out, config.paths.interim)
    started = time.perf_counter()
    key = build_key(config, until)
    key_file = out / ".build-key"
    if _unchanged(key_file, key, out, until):
        report.documents = pd.read_parquet(out / "documents.parquet")
        report.stages.append(StageReport(
            "check", time.perf_counter() - started, 0, len(report.documents),
            "nothing changed since the last build (inputs, configs, model, code); "
            "tables are current"))
        return report
    key_file.unlink(missing_ok=True)

    def bar(stage: str):
        return progress(stage) if progress else None


    started = time.perf_counter()
    ingest = run_ingest(config, progress=bar("ingest"))
    docs = ingest.documents
    write_table(docs, DOCUMENTS, out)
    report.documents = docs
    counts = docs["status"].value_counts()
    warnings = list(ingest.problems)
    failed = docs[docs["status"] != "ok"]
    if len(failed):
        warnings.append(f"{len(failed)} file(s) could not be used:")
        warnings += [f"  [{row.status}] {row.error}" for row in failed.itertuples()]
    missing = missing_metadata(docs)
    if missing:
        warnings.append(f"{len(missing)} file(s) lack metadata (add a row to "
                        "data/raw/sources.csv):")
        warnings += [f"  {line}" for line in missing]
    report.stages.append(StageReport(
        "ingest", time.perf_counter() - started, ingest.n_extracted, ingest.n_cached,
        f"{len(docs)} files ({counts.get('ok', 0)} ok, {counts.get('empty', 0)} empty, "
        f"{counts.get('error', 0)} error); extracted {ingest.n_extracted}, "
        f"from cache {ingest.n_cached}", warnings))
    if until == "ingest":
        write_text_atomic(key_file, key)
        return report

    from pipeline.nlp.stage import run_nlp

    started = time.perf_counter()
    nlp = run_nlp(config, docs, progress=bar("nlp"))
    for frame, table in ((nlp.sentences, SENTENCES), (nlp.mentions, MENTIONS),
                         (nlp.positions, POSITIONS)):
        write_table(frame, table, out)
    report.stages.append(StageReport(
        "nlp", time.perf_counter() - started, nlp.n_parsed, nlp.n_cached,
        f"{nlp.n_parsed + nlp.n_cached} documents (parsed {nlp.n_parsed}, from cache "
        f"{nlp.n_cached}): {len(nlp.sentences)} sentences, {len(nlp.mentions)} mentions, "
        f"{len(nlp.positions)} positions", list(nlp.problems)))
    if until == "nlp":
        write_text_atomic(key_file, key)
        return report

    from pipeline.coding.stage import run_coding

    started = time.perf_counter()
    coding = run_coding(config, docs, nlp.sentences, progress=bar("coding"))
    write_table(coding.codes, CODES, out)
    write_table(coding.doc_codes, DOC_CODES, out)
    report.stages.append(StageReport(
        "coding", time.perf_counter() - started, coding.n_coded, coding.n_cached,
        f"{coding.n_coded + coding.n_cached} documents (coded {coding.n_coded}, from cache "
        f"{coding.n_cached}) with {coding.method}: {len(coding.codes)} codes, "
        f"{len(coding.doc_codes)} document codes; {coding.model_note}",
        list(coding.problems)))
    if until == "coding":
        write_text_atomic(key_file, key)
        return report

    started = time.perf_counter()
    written = write_aggregates(config, docs, nlp.sentences, nlp.mentions, nlp.positions,
                               coding.codes, coding.doc_codes)
    report.stages.append(StageReport(
        "tables", time.perf_counter() - started, len(written), 0,
        f"{len(written)} comparison tables, networks/ and datapackage.json"))
    write_text_atomic(key_file, key)
    return report


OUTPUTS = {
    "ingest": ("documents",),
    "nlp": ("documents", "sentences", "mentions", "positions"),
    "coding": ("documents", "sentences", "mentions", "positions", "codes", "doc_codes"),
}


def build_key(config: Config, until: str) -> str:
    """A hash of everything a build's outputs depend on: the input files' contents, every
    configuration file, the annotations and trained model, the code's cache versions and
    the installed versions of the spaCy pipeline and libraries."""
    import hashlib
    import importlib.metadata as md

    from pipeline import sources
    from pipeline.io import hash_files
    from pipeline.versions import CODING_VERSION, EXTRACTOR_VERSION, NLP_VERSION

    rel_paths = sources.discover_files(config.paths.raw, config.ingest)
    hashes = hash_files(config.paths.raw, rel_paths, config.paths.interim / "raw-hashes.json")
    parts = [until, f"x{EXTRACTOR_VERSION}", f"n{NLP_VERSION}", f"c{CODING_VERSION}"]
    parts += [f"{rel}={digest}" for rel, digest in sorted(hashes.items())]
    parts += [f"{p.name}={hashlib.sha256(p.read_bytes()).hexdigest()}"
              for p in sorted(config.config_dir.glob("*.yaml"))]
    manifest = config.paths.sources_manifest
    if manifest.exists():
        parts.append(f"manifest={hashlib.sha256(manifest.read_bytes()).hexdigest()}")
    model = config.root / "models" / "coder.pkl"
    for extra in (model, *sorted(config.paths.annotations.glob("*.jsonl"))):
        if extra.exists():
            parts.append(f"{extra.name}={extra.stat().st_size}:{extra.stat().st_mtime_ns}")
    for package in ("summit-briefs", "spacy", "scikit-learn", "pdfminer.six",
                    config.nlp.model.replace("_", "-")):
        try:
            parts.append(f"{package}={md.version(package)}")
        except md.PackageNotFoundError:
            parts.append(f"{package}=missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _unchanged(key_file: Path, key: str, out: Path, until: str) -> bool:
    """True if the last complete build had this key and its outputs are all still there."""
    try:
        if key_file.read_text(encoding="utf-8") != key:
            return False
    except OSError:
        return False
    if until == "tables":
        from pipeline.schemas import TABLES

        names = list(TABLES)
    else:
        names = list(OUTPUTS[until])
    return all((out / f"{name}.parquet").exists() for name in names)

def write_aggregates(config: Config, documents: pd.DataFrame, sentences: pd.DataFrame,
                     mentions: pd.DataFrame, positions: pd.DataFrame, codes: pd.DataFrame,
                     doc_codes: pd.DataFrame) -> list[str]:
    """Write the comparison tables, the network exports, the wide view and the data package.

    Returns:
        The names of the tables written.
    """
    import json

    from pipeline import aggregate
    from pipeline.coding.codebook import load_codebook
    from pipeline.datapackage import datapackage
    from pipeline.io import write_text_atomic
    from pipeline.nlp.vocab import load_vocabulary
    from pipeline.schemas import (
        ACTOR_PROFILE,
        APPROACH_INDEX,
        CODEBOOK,
        COMPARISON,
        NETWORK,
        POSITION_EDGES,
        PROPOSAL_PROFILE,
        STATEMENTS,
        make_frame,
    )

    out = config.paths.processed
    codebook = load_codebook(config.config_dir / "codebook.yaml")
    vocab = load_vocabulary(config.config_dir)
    persons = {a.id for a in vocab.actors if a.kind == "person"}

    def frame(rows: pd.DataFrame, table) -> pd.DataFrame:
        return make_frame(rows.astype(object).where(rows.notna(), None).to_dict("records"),
                          table)

    comparison = frame(aggregate.comparison(doc_codes, documents), COMPARISON)
    tables = {
        COMPARISON: comparison,
        ACTOR_PROFILE: frame(aggregate.mention_profile(mentions, documents, ("actor",)),
                             ACTOR_PROFILE),
        PROPOSAL_PROFILE: frame(aggregate.mention_profile(
            mentions, documents, ("proposal", "approach")), PROPOSAL_PROFILE),
        POSITION_EDGES: frame(aggregate.position_edges(positions, documents), POSITION_EDGES),
        APPROACH_INDEX: frame(aggregate.approach_index(codes, sentences, documents),
                              APPROACH_INDEX),
        CODEBOOK: make_frame([
            {"variable": var.id, "variable_description": var.description, "value": val.id,
             "definition": val.definition, "source": var.source}
            for var in codebook.variables for val in var.values], CODEBOOK),
    }
    for table, rows in tables.items():
        write_table(rows, table, out)
    statements = frame(aggregate.statements(positions, documents, sentences, persons),
                       STATEMENTS)
    write_table(statements, STATEMENTS, out / "networks")
    write_table(frame(aggregate.think_tank_network(statements), NETWORK), NETWORK,
                out / "networks")
    wide = aggregate.comparison_wide(comparison)
    write_text_atomic(out / "comparison_wide.csv",
                      wide.to_csv(index=False, lineterminator="\n", float_format="%.4f"))
    package = datapackage(config, documents, list(wide.columns))
    write_text_atomic(out / "datapackage.json",
                      json.dumps(package, indent=2, ensure_ascii=False, default=str) + "\n")
    return [t.name for t in tables] + [STATEMENTS.name, NETWORK.name, "comparison_wide"]
