"""Ingest stage: every file under data/raw/ -> per-document cache in data/interim/ingest/
and the `documents` table.

A file is extracted only when its content hash or the ingest settings changed; everything
else comes from the cache. Metadata is merged after the cache, so editing sources.csv or
configs/think_tanks.yaml never re-reads a PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import sources
from pipeline.config import Config, IngestSettings
from pipeline.ingest.infer import infer_metadata
from pipeline.ingest.model import ExtractedText, ExtractionFailure, Paragraph
from pipeline.io import hash_files, read_cache, write_cache
from pipeline.parallel import map_in_order
from pipeline.schemas import DOCUMENTS, make_frame
from pipeline.versions import EXTRACTOR_VERSION

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class IngestOutcome:
    """Result of ingesting one file, as cached: the text, or why there is none."""

    extracted: ExtractedText | None
    failure: ExtractionFailure | None = None

    def to_payload(self) -> dict[str, Any]:
        if self.failure is not None:
            return {"failure": {"status": self.failure.status, "message": self.failure.message}}
        ex = self.extracted
        assert ex is not None
        return {
            "paragraphs": [[p.text, p.page, p.kind] for p in ex.paragraphs],
            "n_pages": ex.n_pages,
            "metadata": ex.metadata,
            "encoding": ex.encoding,
            "warnings": ex.warnings,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> IngestOutcome:
        if "failure" in payload:
            fail = payload["failure"]
            return cls(None, ExtractionFailure(fail["status"], fail["message"]))
        return cls(
            ExtractedText(
                paragraphs=[Paragraph(t, page, kind) for t, page, kind in payload["paragraphs"]],
                n_pages=payload["n_pages"],
                metadata=payload["metadata"],
                encoding=payload["encoding"],
                warnings=payload["warnings"],
            )
        )


@dataclass
class IngestResult:
    """What the ingest stage produced: the documents table and a summary for the user."""

    documents: pd.DataFrame
    n_extracted: int = 0
    n_cached: int = 0
    problems: list[str] = field(default_factory=list)  # manifest and config problems


def file_format(rel_path: str, settings: IngestSettings) -> str:
    suffix = Path(rel_path).suffix.lower()
    return suffix[1:] if suffix in settings.supported_suffixes else "other"


def extract_file(path: Path, fmt: str, settings: IngestSettings) -> ExtractedText:
    """Extract one file with the reader for its format.

    Raises:
        ExtractionFailure: the file has no usable text, or is not a supported format.
    """
    if fmt == "pdf":
        from pipeline.ingest.pdf import extract_pdf

        return extract_pdf(path, settings)
    if fmt == "txt":
        from pipeline.ingest.txt import extract_txt

        return extract_txt(path, settings)
    raise ExtractionFailure(
        "error",
        f"unsupported file type '{path.suffix or '(none)'}': only "
        f"{', '.join(settings.supported_suffixes)} files are read; convert it to PDF or TXT "
        "(skipped)",
    )


def cache_file(interim_dir: Path, sha256: str, settings: IngestSettings) -> Path:
    """Cache entry path for a file's content under the current ingest settings."""
    key = f"{sha256}-{settings.fingerprint()}-v{EXTRACTOR_VERSION}"
    return interim_dir / "ingest" / sha256[:2] / f"{key}.json"


def ingest_file(path: Path, fmt: str, settings: IngestSettings) -> IngestOutcome:
    """Extract one file, turning every failure into an outcome instead of an exception."""
    try:
        return IngestOutcome(extract_file(path, fmt, settings))
    except ExtractionFailure as failure:
        return IngestOutcome(None, failure)


def extract_and_cache(
    path: Path, fmt: str, sha256: str, settings: IngestSettings, interim_dir: Path
) -> IngestOutcome:
    """Extract one file and cache the outcome (runs in a worker process when parallel).

    Each call writes only its own content-addressed cache entry, so workers never write
    the same file (the caller gives each distinct content to one worker).
    """
    try:
        outcome = ingest_file(path, fmt, settings)
    except Exception as exc:  # a bug or an unforeseen file: report it, keep the build going
        log.debug("unexpected error on %s", path, exc_info=True)
        failure = ExtractionFailure(
            "error", f"unexpected {type(exc).__name__} while reading: {exc} (please report)"
        )
        return IngestOutcome(None, failure)  # not cached: a fix should retry it
    write_cache(cache_file(interim_dir, sha256, settings), outcome.to_payload())
    return outcome


def _extract_job(job: tuple[Path, str, str, IngestSettings, Path]) -> IngestOutcome:
    return extract_and_cache(*job)


def document_row(
    rel: str,
    doc_id: str,
    fmt: str,
    sha256: str,
    n_bytes: int,
    outcome: IngestOutcome,
    manifest_row: dict[str, str],
    settings: IngestSettings,
) -> dict[str, Any]:
    """One `documents` row: file facts, merged metadata, text counts and status."""
    ex = outcome.extracted
    folder = sources.folder_think_tank(rel, settings)
    manifest_values = dict(manifest_row)
    if manifest_values.get("think_tank"):
        manifest_values["think_tank"] = sources.canonical_think_tank(
            manifest_values["think_tank"], settings.think_tanks
        )
    layers: list[tuple[str, dict]] = [
        ("manifest", manifest_values),
        ("folder", {"think_tank": folder} if folder else {}),
    ]
    if ex is not None:
        layers.append(("pdf_metadata" if fmt == "pdf" else "file", ex.metadata))
        layers.append(("text", infer_metadata(ex.paragraphs, settings.think_tanks)))
    meta, origin = sources.merge_metadata(layers)
    date = sources.parse_date(meta["date"]) if meta["date"] else None
    failure = outcome.failure
    return {
        "doc_id": doc_id,
        "path": rel,
        "format": fmt,
        "sha256": sha256,
        "n_bytes": n_bytes,
        "think_tank": meta["think_tank"],
        "title": meta["title"],
        "authors": meta["authors"],
        "date": date,
        "url": meta["url"],
        "metadata_source": origin,
        "n_pages": ex.n_pages if ex else None,
        "n_paragraphs": len(ex.paragraphs) if ex else 0,
        "n_words": sum(len(p.text.split()) for p in ex.paragraphs) if ex else 0,
        "encoding": ex.encoding if ex else None,
        "status": failure.status if failure else "ok",
        "error": f"data/raw/{rel}: {failure.message}" if failure else None,
    }


def run_ingest(
    config: Config, progress: Callable[[Any, int], Any] | None = None
) -> IngestResult:
    """Ingest every file under the raw folder and build the `documents` table.

    Files whose content and settings are cached are not read again; the others are
    extracted, with `config.nlp.n_process` worker processes.

    Args:
        config: the loaded configuration (paths and ingest settings).
        progress: optional wrapper (iterable, total) -> iterable over the files extracted.

    Returns:
        The `documents` frame (not yet written) and counts for the summary.
    """
    settings = config.ingest
    processes = config.nlp.n_process
    raw_dir, interim_dir = config.paths.raw, config.paths.interim
    rel_paths = sources.discover_files(raw_dir, settings)
    doc_ids = sources.make_doc_ids(rel_paths)
    manifest = sources.read_manifest(config.paths.sources_manifest)
    result = IngestResult(documents=pd.DataFrame())
    result.problems += manifest.problems
    result.problems += sources.manifest_orphans(
        manifest, rel_paths, config.paths.sources_manifest
    )
    hashes = hash_files(raw_dir, rel_paths, interim_dir / "raw-hashes.json")
    files = [  # (rel, fmt, sha256, size)
        (rel, file_format(rel, settings), hashes[rel], (raw_dir / rel).stat().st_size)
        for rel in rel_paths
    ]
    outcomes: dict[tuple[str, str], IngestOutcome] = {}
    todo: dict[tuple[str, str], str] = {}  # one extraction per distinct content and format
    for rel, fmt, sha256, _size in files:
        payload = read_cache(cache_file(interim_dir, sha256, settings))
        if payload is not None:
            outcomes[(sha256, fmt)] = IngestOutcome.from_payload(payload)
        else:
            todo.setdefault((sha256, fmt), rel)
    jobs = [(raw_dir / rel, fmt, sha, settings, interim_dir) for (sha, fmt), rel in todo.items()]
    extracted = map_in_order(_extract_job, jobs, processes, progress)
    for key, outcome in zip(todo, extracted, strict=True):
        outcomes[key] = outcome
    result.n_extracted = len(todo)
    result.n_cached = len(files) - len(todo)
    rows = [
        document_row(rel, doc_ids[rel], fmt, sha256, size, outcomes[(sha256, fmt)],
                     dict(manifest.rows.get(rel, {})), settings)
        for rel, fmt, sha256, size in files
    ]
    result.documents = make_frame(rows, DOCUMENTS)
    return result


def missing_metadata(documents: pd.DataFrame) -> list[str]:
    """Lines naming files (read successfully) that lack a think tank or a date."""
    lines = []
    for row in documents.itertuples():
        if row.status != "ok":
            continue
        missing = [f for f in ("think_tank", "date") if pd.isna(getattr(row, f))]
        if missing:
            lines.append(f"data/raw/{row.path}: no {' or '.join(missing)}")
    return lines


