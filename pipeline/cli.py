"""Command line: `briefs <command>` (also `python -m pipeline`). Thin: parse, load config,
call the stages, write, summarise."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeline.config import DEFAULT_CONFIG_DIR, Config, ConfigError, load_config

log = logging.getLogger("briefs")

DESCRIPTION = """\
summit-briefs: turn think-tank briefs on the February 2019 Hanoi summit into a coded,
traceable dataset. Drop PDF or TXT briefs into data/raw/<think-tank>/ (optionally describe
them in data/raw/sources.csv) and run `briefs build`; tables appear in data/processed/.
"""

EPILOG = """\
examples:
  briefs build              rebuild everything that changed, write data/processed/
  briefs build --strict     same, but exit 1 if any file could not be read
  briefs status             one line per file under data/raw/: is it read, cached, complete?
  briefs evaluate           precision, recall and F1 of mentions and positions on gold data
  briefs actors --unlinked  named entities the actor knowledge base does not know yet
  briefs docs               regenerate docs/tables.md (the column documentation)
"""


def _default_config_dir() -> Path:
    local = Path.cwd() / "configs"
    return local if (local / "paths.yaml").exists() else DEFAULT_CONFIG_DIR


def _stage_progress(enabled: bool):
    """A progress-bar factory for the build (stage name -> wrapper), or None."""
    if not enabled:
        return None
    from tqdm import tqdm

    def factory(stage: str):
        def wrap(items, total):
            return tqdm(items, total=total, desc=stage, unit="doc", leave=False,
                        file=sys.stderr)
        return wrap

    return factory


def _run(config: Config, args: argparse.Namespace, until: str) -> int:
    """Run the build up to a stage, print each stage's summary and problems."""
    from pipeline.build import run_build

    report = run_build(config, until=until, progress=_stage_progress(args.progress))
    for stage in report.stages:
        log.info("%s: %s; %.1f s", stage.stage, stage.summary, stage.seconds)
        for warning in stage.warnings:
            log.warning("%s", warning)
    log.info("tables in %s", _rel(config.paths.processed, config.root))
    if args.strict and len(report.failed):
        log.error("--strict: %d file(s) could not be used", len(report.failed))
        return 1
    return 0


def cmd_ingest(config: Config, args: argparse.Namespace) -> int:
    """Extract text and metadata; write `documents`."""
    return _run(config, args, "ingest")


def cmd_nlp(config: Config, args: argparse.Namespace) -> int:
    """Ingest (cached) and the NLP stage; write sentences, mentions, positions."""
    return _run(config, args, "nlp")


def cmd_code(config: Config, args: argparse.Namespace) -> int:
    """Everything up to the coding stage; write codes and doc_codes."""
    return _run(config, args, "coding")


def cmd_build(config: Config, args: argparse.Namespace) -> int:
    """Run every stage in order; with --strict, fail if any file could not be read."""
    return _run(config, args, "coding")


def cmd_evaluate(config: Config, args: argparse.Namespace) -> int:
    """Score the NLP stage against data/annotations/nlp_gold.jsonl; print and save the table."""
    from pipeline.evaluate import errors, load_gold, predict, score
    from pipeline.io import write_text_atomic
    from pipeline.nlp.build import build_nlp

    gold_file = config.paths.annotations / "nlp_gold.jsonl"
    records = load_gold(gold_file)
    predictions = predict(config, records, build_nlp(config))
    table = score(records, predictions)
    shown = table if args.per_id else table[table["id"] == "ALL"]
    print(f"NLP evaluation against {_rel(gold_file, config.root)} "
          "(mentions: same kind and id, overlapping; positions: exact tuple)")
    print(shown.to_string(index=False))
    out = config.paths.processed / "evaluation" / "nlp.csv"
    write_text_atomic(out, table.to_csv(index=False, lineterminator="\n"))
    log.info("wrote %s (per split, table and id)", _rel(out, config.root))
    if args.errors:
        if args.errors == "test":
            log.warning("showing errors on the held-out test split: do not tune rules on them")
        print("\n".join(errors(records, predictions, args.errors)))
    return 0


def cmd_actors(config: Config, args: argparse.Namespace) -> int:
    """List actor mentions, or the most frequent unlinked entities, across the corpus."""
    import pandas as pd

    mentions_file = config.paths.processed / "mentions.parquet"
    if not mentions_file.exists():
        log.error("%s is missing: run `make` first", _rel(mentions_file, config.root))
        return 2
    mentions = pd.read_parquet(mentions_file)
    kind = "unlinked" if args.unlinked else "actor"
    rows = mentions[mentions["kind"] == kind]
    key = rows["text"] if args.unlinked else rows["entity_id"]
    counts = (
        rows.assign(key=key)
        .groupby("key", observed=True)
        .agg(n_mentions=("doc_id", "size"), n_docs=("doc_id", "nunique"))
        .sort_values(["n_mentions", "n_docs"], ascending=False, kind="stable")
        .head(args.top)
    )
    if args.unlinked:
        labels = rows.dropna(subset=["ner_label"]).groupby("text")["ner_label"].first()
        counts["ner_label"] = labels.reindex(counts.index)
        print("Named entities not in configs/actors.yaml (add an alias there to link them):")
    print(counts.to_string())
    return 0


def cmd_status(config: Config, args: argparse.Namespace) -> int:
    """Print one line per file: format, think tank, pages, words, status, cached."""
    from pipeline import sources
    from pipeline.ingest.stage import IngestOutcome, cache_file, document_row, file_format
    from pipeline.io import read_cache, sha256_file

    settings = config.ingest
    rel_paths = sources.discover_files(config.paths.raw, settings)
    doc_ids = sources.make_doc_ids(rel_paths)
    manifest = sources.read_manifest(config.paths.sources_manifest)
    header = f"{'file':50} {'format':6} {'think tank':28} {'pages':>5} {'words':>7} "
    print(header + f"{'status':8} cached")
    for rel in rel_paths:
        path = config.paths.raw / rel
        fmt = file_format(rel, settings)
        sha = sha256_file(path)
        payload = read_cache(cache_file(config.paths.interim, sha, settings))
        if payload is None:
            outcome = IngestOutcome(None)
        else:
            outcome = IngestOutcome.from_payload(payload)
        row = document_row(rel, doc_ids[rel], fmt, sha, path.stat().st_size, outcome,
                           dict(manifest.rows.get(rel, {})), settings)
        status = row["status"] if payload is not None else "new"
        print(
            f"{_clip(rel, 50):50} {fmt:6} {_clip(row['think_tank'] or '-', 28):28} "
            f"{row['n_pages'] if row['n_pages'] is not None else '-':>5} "
            f"{row['n_words'] if payload is not None else '-':>7} {status:8} "
            f"{'yes' if payload is not None else 'no'}"
        )
    print(f"{len(rel_paths)} file(s) under {_rel(config.paths.raw, config.root)}")
    return 0


def cmd_docs(config: Config, args: argparse.Namespace) -> int:
    """Regenerate docs/tables.md from the schema."""
    from pipeline.io import write_text_atomic
    from pipeline.schemas import column_docs_markdown

    target = config.root / "docs" / "tables.md"
    write_text_atomic(target, column_docs_markdown())
    log.info("wrote %s", _rel(target, config.root))
    return 0


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefs",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", type=Path, default=None, metavar="DIR",
        help="folder with the YAML configuration (default: ./configs)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging detail")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    for name, func, text in (
        ("build", cmd_build, "run the whole pipeline: data/raw/ -> data/processed/"),
        ("ingest", cmd_ingest, "extract text and metadata; write the documents table"),
        ("nlp", cmd_nlp, "sentences, actor/proposal mentions and positions from the "
         "ingested documents"),
        ("code", cmd_code, "codebook codes per sentence and per document (codes, doc_codes)"),
    ):
        p = add(name, func, text)
        p.add_argument("--strict", action="store_true",
                       help="exit with status 1 if any file is empty or failed")
        p.add_argument("--no-progress", dest="progress", action="store_false",
                       help="do not show progress bars")
    add("status", cmd_status, "one line per file under data/raw/ (format, think tank, "
        "pages, words, status, cached)")
    add("docs", cmd_docs, "regenerate docs/tables.md from the table schema")
    p = add("evaluate", cmd_evaluate, "score mentions and positions against the gold "
            "annotations in data/annotations/ (precision, recall, F1 per split)")
    p.add_argument("--per-id", action="store_true", help="also one row per actor/proposal id")
    p.add_argument("--errors", choices=("seed", "train", "test"),
                   help="list the misses and false hits of one split")
    p = add("actors", cmd_actors, "how often each actor is mentioned; with --unlinked, the "
            "named entities the knowledge base does not know yet")
    p.add_argument("--unlinked", action="store_true",
                   help="list unlinked named entities (candidates for configs/actors.yaml)")
    p.add_argument("--top", type=int, default=30, help="how many rows (default 30)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `briefs` console script."""
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    # force: the CLI owns logging (also when called from tests or a notebook).
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    if not hasattr(args, "progress"):
        args.progress = False
    args.progress = args.progress and sys.stderr.isatty() and not args.quiet
    config_dir = args.config or _default_config_dir()
    try:
        config = load_config(config_dir, root=config_dir.resolve().parent)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    try:
        return args.func(config, args)
    except ConfigError as exc:  # vocabularies are loaded by the stage that needs them
        log.error("configuration error: %s", exc)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
