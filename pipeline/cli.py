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
  briefs explain "Sejong Institute" --variable cause
                            every coded value with the sentences it was coded from
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
    return _run(config, args, "tables")


def cmd_train(config: Config, args: argparse.Namespace) -> int:
    """Train the sentence, assessment and approach classifiers from the training split of
    codes_gold.jsonl."""
    from pipeline.coding.classify import GOLD_FILE, load_gold_codes, save_model
    from pipeline.coding.evaluate import CodingEvaluator, train_models

    gold = config.paths.annotations / GOLD_FILE
    records = [r for r in load_gold_codes(gold) if r["split"] == "train"]
    model = train_models(CodingEvaluator(config), records)
    path = save_model(config, model)
    log.info("trained on %d sentences of %s (%d labels); saved %s", len(records),
             _rel(gold, config.root), len(model.labels), _rel(path, config.root))
    return 0


def cmd_evaluate(config: Config, args: argparse.Namespace) -> int:
    """Score the NLP and coding stages against the gold data; print and save the tables."""
    import pandas as pd

    from pipeline.evaluate import errors, load_gold, predict, score
    from pipeline.io import write_text_atomic
    from pipeline.nlp.build import build_nlp

    out_dir = config.paths.processed / "evaluation"
    gold_file = config.paths.annotations / "nlp_gold.jsonl"
    records = load_gold(gold_file)
    predictions = predict(config, records, build_nlp(config))
    table = score(records, predictions)
    shown = table if args.per_id else table[table["id"] == "ALL"]
    print(f"NLP stage against {_rel(gold_file, config.root)} "
          "(mentions: same kind and id, overlapping; positions: exact tuple)")
    print(shown.to_string(index=False))
    write_text_atomic(out_dir / "nlp.csv", table.to_csv(index=False, lineterminator="\n"))
    if args.errors:
        if args.errors == "test":
            log.warning("showing errors on the held-out test split: do not tune rules on them")
        print("\n".join(errors(records, predictions, args.errors)))
        return 0

    from pipeline.coding.evaluate import evaluate_coding

    result = evaluate_coding(config)
    print("\nCoding stage against data/annotations/codes_gold.jsonl (sentence level; a code "
          "is (variable, holder, value); rejected recall needs the assessment too)")
    summary = pd.DataFrame([{"method/split": k, **v} for k, v in result["summary"].items()])
    print(summary.to_string(index=False))
    for name, tab in result["tables"].items():
        write_text_atomic(out_dir / f"coding_{name.replace('/', '_')}.csv",
                          tab.to_csv(index=False, lineterminator="\n"))
    if args.per_id:
        for name in ("rules/test", "model/train-cv", "rules+model/train-cv", "rules+model/test"):
            print(f"\n{name}")
            print(result["tables"][name].to_string(index=False))
    for suffix, folder in (("", "briefs (held out)"), ("_train", "briefs_train")):
        if f"document_accuracy{suffix}" in result:
            cells = result[f"document_cells{suffix}"]
            print(f"\nDocument level, fictional briefs in tests/fixtures/{folder}: accuracy "
                  f"{result[f'document_accuracy{suffix}']:.3f} over {len(cells)} (document, "
                  "variable, holder, value) cells")
            write_text_atomic(out_dir / f"coding_documents{suffix}.csv",
                              cells.to_csv(index=False, lineterminator="\n"))
    log.info("wrote %s/", _rel(out_dir, config.root))
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


def cmd_explain(config: Config, args: argparse.Namespace) -> int:
    """Every coded value of a document or think tank, with its evidence sentences."""
    import textwrap

    import pandas as pd

    from pipeline.loader import load_tables

    try:
        tables = load_tables(config.paths.processed, tables=[
            "documents", "sentences", "codes", "doc_codes"], check_fresh=False)
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return 2
    docs = tables["documents"]
    wanted = args.target
    chosen = docs[(docs["doc_id"].astype(str) == wanted)
                  | (docs["think_tank"].astype(str).str.lower() == wanted.lower())]
    if chosen.empty:
        chosen = docs[docs["doc_id"].astype(str).str.contains(wanted, regex=False)]
    if chosen.empty:
        log.error("no document or think tank matches %r; ids are in documents.csv", wanted)
        return 2
    sentences = tables["sentences"].set_index(["doc_id", "sent_idx"])
    codes = tables["codes"]
    doc_codes = tables["doc_codes"]
    if args.variable:
        doc_codes = doc_codes[doc_codes["variable"].astype(str) == args.variable]
    for doc in chosen.itertuples():
        date = doc.date.date() if not pd.isna(doc.date) else "no date"
        print(f"\n{doc.doc_id}  ({doc.think_tank if not pd.isna(doc.think_tank) else 'unknown'}"
              f", {date}, {doc.status})")
        rows = doc_codes[doc_codes["doc_id"].astype(str) == str(doc.doc_id)]
        if rows.empty:
            print("  no codes")
        for row in rows.itertuples():
            holder = f" [{row.holder}]" if not pd.isna(row.holder) else ""
            print(f"  {row.variable}{holder} = {row.value}: {row.assessment}, weight "
                  f"{row.weight:.2f}, {row.n_evidence} sentence(s)"
                  f"{' (derived verdict)' if row.is_derived else ''}")
            sent_codes = codes[(codes["doc_id"].astype(str) == str(doc.doc_id))
                               & (codes["variable"].astype(str) == str(row.variable))]
            for idx in (int(i) for i in str(row.evidence).split(";") if i):
                sent = sentences.loc[(doc.doc_id, idx)]
                how = sent_codes[sent_codes["sent_idx"] == idx]
                if not row.is_derived:
                    how = how[how["value"].astype(str) == str(row.value)]
                method = ", ".join(sorted(
                    f"{h.value}/{h.assessment} by {h.method} {h.confidence:.2f}"
                    f"{f' cue {h.cue!r}' if not pd.isna(h.cue) else ''}"
                    for h in how.itertuples()))
                section = "-" if pd.isna(sent["section"]) else sent["section"]
                page = "-" if pd.isna(sent["page"]) else sent["page"]
                where = f"sentence {idx}, section {section}, page {page}"
                print(f"    - {where}: {method}")
                print(textwrap.indent(textwrap.fill(str(sent["text"]), 92), "        "))
    return 0


def cmd_report(config: Config, args: argparse.Namespace) -> int:
    """Write data/processed/report.html from the tables."""
    from pipeline.report import write_report

    out = write_report(config.paths.processed, config.paths.processed / "report.html")
    log.info("wrote %s (open it in a browser; no network needed)", _rel(out, config.root))
    return 0


def cmd_bench(config: Config, args: argparse.Namespace) -> int:
    """Run the benchmark (pipeline/bench.py) with the remaining arguments."""
    from pipeline.bench import main as bench_main

    return bench_main(args.bench_args)


def cmd_status(config: Config, args: argparse.Namespace) -> int:
    """Print one line per file: format, think tank, pages, words, status, cached."""
    from pipeline import sources
    from pipeline.ingest.stage import IngestOutcome, cache_file, document_row, file_format
    from pipeline.io import hash_files, read_cache

    settings = config.ingest
    rel_paths = sources.discover_files(config.paths.raw, settings)
    # the same stat-cached hashes as the build: an unchanged file is not read again
    hashes = hash_files(config.paths.raw, rel_paths,
                        config.paths.interim / "raw-hashes.json")
    doc_ids = sources.make_doc_ids(rel_paths)
    manifest = sources.read_manifest(config.paths.sources_manifest)
    header = f"{'file':50} {'format':6} {'think tank':28} {'pages':>5} {'words':>7} "
    print(header + f"{'status':8} cached")
    for rel in rel_paths:
        path = config.paths.raw / rel
        fmt = file_format(rel, settings)
        sha = hashes[rel]
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
    from pipeline.coding.codebook import load_codebook
    from pipeline.io import write_text_atomic
    from pipeline.schemas import column_docs_markdown, with_readme_overview

    target = config.root / "docs" / "tables.md"
    codebook = load_codebook(config.config_dir / "codebook.yaml")
    write_text_atomic(target, column_docs_markdown(codebook))
    readme = config.root / "README.md"
    write_text_atomic(readme, with_readme_overview(readme.read_text(encoding="utf-8")))
    log.info("wrote %s and the table overview in README.md", _rel(target, config.root))
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
    add("docs", cmd_docs, "regenerate docs/tables.md and README.md's table overview from "
        "the table schema")
    p = add("explain", cmd_explain, "show every coded value of a document or think tank with "
            "its evidence sentences, section, page and how each was coded")
    p.add_argument("target", help="a doc_id (or part of one) or a think tank name")
    p.add_argument("--variable", help="only this variable (e.g. cause)")
    add("report", cmd_report, "write data/processed/report.html (self-contained HTML "
        "report with figures and evidence)")
    p = add("bench", cmd_bench, "benchmark on a synthetic corpus: per stage, against the "
            "floor, incremental rebuilds, scaling (see `briefs bench -- --help`)")
    p.add_argument("bench_args", nargs=argparse.REMAINDER,
                   help="arguments for the benchmark, e.g. --docs 50 --json bench.json")
    add("train", cmd_train, "train the sentence, assessment and approach classifiers from "
        "data/annotations/ (saved in models/, used by the build while they are current)")
    p = add("evaluate", cmd_evaluate, "score the NLP and coding stages against the gold "
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
