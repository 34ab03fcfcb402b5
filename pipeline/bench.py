"""Benchmark of the build ("Speed and scale"): `python -m pipeline.bench [options]`.

In a temporary project (a copy of `configs/` and a synthetic corpus as `data/raw/`):

* end to end: the full build in a fresh subprocess with n_process 1 and 2 (per stage and
  in total: seconds, docs/s, pages/s, words/s, peak memory);
* the floor: bare `pdfminer.high_level.extract_text` + reading the TXT files, then bare
  `nlp.pipe` of the base spaCy pipeline (no project components), on the same files;
* incremental rebuilds of the built project: nothing changed, one brief added,
  `configs/actors.yaml` edited;
* scaling: build time and peak memory for several corpus sizes (1 process).

Every measured run is a subprocess (`python -m pipeline.bench --child SPEC`), so peak RSS
is per run. A stage that raises ImportError/NotImplementedError is reported as skipped,
any other failure as failed; the bench goes on either way.

Defaults (200 briefs, scaling 50,100,200,400) take about half an hour on 2 cores; the
200-brief scaling point reuses the 1-process end-to-end run. `--scaling 50,100` or
`--docs 50` make a quick run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import PROJECT_ROOT

MIB = 1024.0  # ru_maxrss is in KiB on Linux
WORDS_PER_TXT_PAGE = 500


# ============================================================================ child side


class _TreeMemorySampler:
    """Samples RSS and PSS of this process and its children (spaCy workers) from /proc.

    ru_maxrss gives the peak of one process; the sampler gives the peak of the sum over
    the process tree (RSS double-counts pages shared after fork; PSS splits them fairly).
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_rss = 0.0
        self.peak_pss = 0.0
        self.max_processes = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.available = Path("/proc/self/status").exists()

    def __enter__(self) -> _TreeMemorySampler:
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.available:
            self._thread.join()

    @staticmethod
    def _children(pid: int) -> list[int]:
        kids: list[int] = []
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                text = (task / "children").read_text()
                kids += [int(k) for k in text.split()]
        except OSError:
            pass
        return kids

    @staticmethod
    def _field(path: str, name: str) -> float:
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith(name):
                        return float(line.split()[1]) / MIB  # kB -> MiB
        except OSError:
            pass
        return 0.0

    def sample(self) -> None:
        pids, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += self._children(pid)
        rss = sum(self._field(f"/proc/{p}/status", "VmRSS:") for p in pids)
        pss = sum(self._field(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self.max_processes = max(self.max_processes, len(pids))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def figures(self) -> dict[str, Any]:
        import multiprocessing

        multiprocessing.active_children()  # reap finished workers so RUSAGE_CHILDREN counts
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MIB
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MIB
        return {
            "peak_rss_mib": round(own, 1),  # the main process (ru_maxrss)
            "peak_rss_worker_mib": round(kids, 1),  # the largest worker process, if any
            "peak_tree_rss_mib": round(self.peak_rss, 1) if self.available else None,
            "peak_tree_pss_mib": round(self.peak_pss, 1) if self.available else None,
            "max_processes": self.max_processes,
        }


def _partial_report(exc: BaseException):
    """The BuildReport of a run_build that raised: the stages finished before the failure
    (taken from run_build's frame in the traceback; run_build returns nothing on error)."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "run_build" and "report" in tb.tb_frame.f_locals:
            found = tb.tb_frame.f_locals["report"]
        tb = tb.tb_next
    return found


def _document_totals(docs) -> dict[str, Any]:
    """Documents, PDF pages, TXT words/500 'pages', words, from the documents table."""
    if docs is None or not len(docs):
        return {"n_docs": 0, "n_ok": 0, "n_pdf": 0, "n_txt": 0, "pdf_pages": 0,
                "txt_words": 0, "words": 0, "pages": 0.0}
    pdf = docs[docs["format"] == "pdf"]
    txt = docs[docs["format"] == "txt"]
    pdf_pages = int(pdf["n_pages"].fillna(0).sum())
    txt_words = int(txt["n_words"].fillna(0).sum())
    return {
        "n_docs": int(len(docs)),
        "n_ok": int((docs["status"] == "ok").sum()),
        "n_pdf": int(len(pdf)),
        "n_txt": int(len(txt)),
        "pdf_pages": pdf_pages,
        "txt_words": txt_words,
        "words": int(docs["n_words"].fillna(0).sum()),
        "pages": round(pdf_pages + txt_words / WORDS_PER_TXT_PAGE, 1),
    }


def _child_build(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the build in this (fresh) process; report per stage and in total."""
    from pipeline.build import STAGES, run_build
    from pipeline.config import load_config

    root = Path(spec["root"])
    config = load_config(root / "configs", root=root)
    config = dataclasses.replace(
        config, nlp=dataclasses.replace(config.nlp, n_process=int(spec["n_process"])))
    until = spec.get("until") or STAGES[-1]
    last = STAGES.index(until)
    starts: dict[str, float] = {}

    def progress(stage: str):
        starts[stage] = time.perf_counter()
        return lambda items, total: items

    stages: list[dict[str, Any]] = []
    error = None
    with _TreeMemorySampler() as memory:
        started = time.perf_counter()
        try:
            report = run_build(config, until=until, progress=progress)
            failure = None
        except Exception as exc:  # noqa: BLE001 - the bench reports, it does not crash
            report = _partial_report(exc)
            failure = exc
        seconds = time.perf_counter() - started
        ended = time.perf_counter()
    done = list(report.stages) if report is not None else []
    for st in done:
        stages.append({"stage": st.stage, "status": "ok", "seconds": round(st.seconds, 3),
                       "n_done": st.n_done, "n_cached": st.n_cached, "summary": st.summary,
                       "n_warnings": len(st.warnings)})
    if failure is not None:
        failed = STAGES[len(done)] if len(done) < len(STAGES) else "?"
        skipped = isinstance(failure, (ImportError, NotImplementedError))
        start = starts.get(failed) or (started + sum(s["seconds"] for s in stages))
        error = f"{type(failure).__name__}: {failure}"
        stages.append({"stage": failed, "status": "skipped" if skipped else "failed",
                       "seconds": round(ended - start, 3), "n_done": None,
                       "n_cached": None, "summary": error, "n_warnings": 0,
                       "traceback": "".join(traceback.format_exception(failure))[-3000:]})
        for name in STAGES[len(done) + 1:last + 1]:
            stages.append({"stage": name, "status": "not run", "seconds": None,
                           "n_done": None, "n_cached": None, "summary": "", "n_warnings": 0})
    docs = report.documents if report is not None else None
    return {"seconds": round(seconds, 3), "stages": stages, "error": error,
            "n_process": int(spec["n_process"]), "totals": _document_totals(docs),
            "memory": memory.figures()}


def _child_floor(spec: dict[str, Any]) -> dict[str, Any]:
    """Bare pdfminer + TXT reading, then bare nlp.pipe of the base model, on the same files."""
    from pdfminer.high_level import extract_text

    from pipeline.config import load_config
    from pipeline.nlp.build import load_base

    root = Path(spec["root"])
    config = load_config(root / "configs", root=root)
    files = sorted(p for p in config.paths.raw.rglob("*") if p.is_file()
                   and p.suffix.lower() in (".pdf", ".txt"))
    texts: list[str] = []
    out: dict[str, Any] = {"errors": []}
    with _TreeMemorySampler() as memory:
        started = time.perf_counter()
        for path in files:
            if path.suffix.lower() == ".pdf":
                try:
                    texts.append(extract_text(str(path)))
                except Exception as exc:  # noqa: BLE001
                    out["errors"].append(f"{path.name}: {exc}")
        out["pdf_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        for path in files:
            if path.suffix.lower() == ".txt":
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
        out["txt_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        nlp = load_base(config.nlp.model, config.config_dir)
        nlp.max_length = max(nlp.max_length, 5_000_000)
        out["load_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        tokens = 0
        for doc in nlp.pipe(texts, batch_size=config.nlp.batch_size, n_process=1):
            tokens += len(doc)
        out["pipe_seconds"] = time.perf_counter() - started
    out.update(
        n_pdf=sum(p.suffix.lower() == ".pdf" for p in files),
        n_txt=sum(p.suffix.lower() == ".txt" for p in files),
        words=sum(len(t.split()) for t in texts), tokens=tokens,
        pipeline=list(nlp.pipe_names), model=config.nlp.model,
        memory=memory.figures())
    out["extract_seconds"] = out["pdf_seconds"] + out["txt_seconds"]
    out["nlp_seconds"] = out["load_seconds"] + out["pipe_seconds"]
    out["seconds"] = out["extract_seconds"] + out["nlp_seconds"]
    for key in list(out):
        if key.endswith("_seconds") or key == "seconds":
            out[key] = round(out[key], 3)
    return out


def _child_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    try:
        result = (_child_floor if spec["kind"] == "floor" else _child_build)(spec)
    except Exception as exc:  # noqa: BLE001
        result = {"error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc()[-3000:]}
    Path(spec["out"]).write_text(json.dumps(result, default=str))
    return 0


# =========================================================================== parent side


def _run_child(work: Path, kind: str, root: Path, n_process: int = 1,
               timeout: float = 3600, until: str | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; add its wall time (start-up included)."""
    work.mkdir(parents=True, exist_ok=True)
    stamp = f"{kind}-{time.monotonic_ns()}"
    spec_file, out_file = work / f"{stamp}.spec.json", work / f"{stamp}.out.json"
    spec_file.write_text(json.dumps({"kind": kind, "root": str(root), "n_process": n_process,
                                     "until": until, "out": str(out_file)}))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PROJECT_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline.bench", "--child", str(spec_file)],
            cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
        returncode, stderr = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired as exc:
        returncode, stderr = None, f"timed out after {timeout} s: {exc.stderr or ''}"
    wall = time.perf_counter() - started
    if out_file.exists():
        result = json.loads(out_file.read_text())
    else:
        result = {"error": f"child exited with {returncode}: {stderr[-2000:]}"}
    result["wall_seconds"] = round(wall, 3)
    return result


def _clean_outputs(root: Path) -> None:
    for name in ("interim", "processed"):
        shutil.rmtree(root / "data" / name, ignore_errors=True)


def _make_project(root: Path, n_docs: int, seed: int) -> dict[str, Any]:
    """A temp project: a copy of the real configs/ and a synthetic corpus as data/raw/."""
    from pipeline.synthetic import write_corpus

    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(PROJECT_ROOT / "configs", root / "configs")
    started = time.perf_counter()
    paths = write_corpus(root / "data" / "raw", n_docs, seed=seed)
    return {"n_docs": len(paths), "generate_seconds": round(time.perf_counter() - started, 3),
            "bytes": sum(p.stat().st_size for p in paths),
            "n_pdf": sum(p.suffix == ".pdf" for p in paths),
            "n_txt": sum(p.suffix == ".txt" for p in paths)}


def _rates(seconds: float | None, totals: dict[str, Any], n_docs: int | None = None
           ) -> dict[str, Any]:
    if not seconds:
        return {"docs_per_s": None, "pages_per_s": None, "words_per_s": None}
    docs = totals.get("n_docs", 0) if n_docs is None else n_docs
    return {"docs_per_s": round(docs / seconds, 2),
            "pages_per_s": round(totals.get("pages", 0) / seconds, 2),
            "words_per_s": round(totals.get("words", 0) / seconds, 1)}


def _add_rates(result: dict[str, Any]) -> dict[str, Any]:
    totals = result.get("totals") or {}
    result.update(_rates(result.get("seconds"), totals))
    for st in result.get("stages", []):
        if st.get("status") == "ok":
            n = (st["n_done"] or 0) + (st["n_cached"] or 0)
            st.update(_rates(st["seconds"], totals, n))
    return result


def machine_info() -> dict[str, Any]:
    import importlib.metadata as md

    def version(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    return {"cpu_count": os.cpu_count(),
            "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else None,
            "python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "processor": platform.processor() or None,
            "spacy": version("spacy"), "pdfminer.six": version("pdfminer.six"),
            "reportlab": version("reportlab"), "pandas": version("pandas")}


# ------------------------------------------------------------------------------ printing


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for row in cells[1:]:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(lines) + "\n"


def _mem(result: dict[str, Any]) -> float | None:
    """Peak memory of a run: the sampled process-tree RSS, or the main process's ru_maxrss
    when sampling missed a short peak."""
    mem = result.get("memory") or {}
    values = [v for v in (mem.get("peak_tree_rss_mib"), mem.get("peak_rss_mib")) if v]
    return max(values) if values else None


def _print_report(data: dict[str, Any], out=sys.stdout) -> None:
    m, c = data["machine"], data["corpus"]
    print(f"\nmachine: {m['cpu_count']} CPUs, Python {m['python']}, spaCy {m['spacy']}, "
          f"pdfminer.six {m['pdfminer.six']}, {m['platform']}", file=out)
    print(f"corpus: {c['n_docs']} briefs ({c['n_pdf']} PDF, {c['n_txt']} TXT), "
          f"{_fmt(c.get('pdf_pages'))} PDF pages, {_fmt(c.get('words'))} words, "
          f"{c['bytes'] / 1e6:.1f} MB, generated in {c['generate_seconds']:.1f} s\n",
          file=out)
    rows = []
    for run in data["end_to_end"]:
        label = f"n_process={run['n_process']}"
        if run.get("error") and not run.get("stages"):
            rows.append([label, "ERROR", run["error"][:60], None, None, None, None, None])
            continue
        for st in run.get("stages", []):
            rows.append([label, st["stage"], st["status"], st.get("seconds"),
                         st.get("docs_per_s"), st.get("pages_per_s"), st.get("words_per_s"),
                         f"{st.get('n_done')}/{st.get('n_cached')}"])
        rows.append([label, "TOTAL (build)", "ok" if not run.get("error") else "partial",
                     run.get("seconds"), run.get("docs_per_s"), run.get("pages_per_s"),
                     run.get("words_per_s"), f"{_fmt(_mem(run))} MiB (PSS "
                     f"{_fmt((run.get('memory') or {}).get('peak_tree_pss_mib'))})"])
        rows.append([label, "wall (+start-up)", "", run.get("wall_seconds"), None, None,
                     None, ""])
    print(_table("END TO END (fresh subprocess per run; memory = peak RSS of the process "
                 "tree)", ["run", "stage", "status", "seconds", "docs/s", "pages/s",
                           "words/s", "done/cached | mem"], rows), file=out)
    for run in data["end_to_end"]:
        for st in run.get("stages", []):
            if st["status"] in ("skipped", "failed"):
                print(f"  n_process={run['n_process']}: stage {st['stage']} {st['status']}: "
                      f"{st['summary'][:200]}", file=out)
    fl = data.get("floor") or {}
    if fl.get("error"):
        print(f"FLOOR: error: {fl['error']}\n", file=out)
    elif fl:
        rows = [["pdfminer extract_text (PDF)", fl["pdf_seconds"]],
                ["read TXT", fl["txt_seconds"]],
                ["spacy.load (base model)", fl["load_seconds"]],
                [f"nlp.pipe ({', '.join(fl['pipeline'])})", fl["pipe_seconds"]],
                ["floor total", fl["seconds"]],
                ["floor wall (+start-up)", fl["wall_seconds"]]]
        print(_table(f"FLOOR (same files, n_process=1; peak RSS {_fmt(_mem(fl))} MiB)",
                     ["step", "seconds"], rows), file=out)
    ratios = data.get("ratios") or {}
    if ratios:
        rows = [[k.replace("_", " "), v] for k, v in ratios.items()]
        print(_table("RATIOS", ["measure", "value"], rows), file=out)
    rows = []
    for inc in data.get("incremental", []):
        stages = " ".join(
            f"{s['stage']}:{s['status'] if s['status'] != 'ok' else ''}"
            f"{'' if s['status'] != 'ok' else str(s['n_done']) + '/' + str(s['n_cached'])}"
            f"({_fmt(s.get('seconds'))}s)" for s in inc.get("stages", []))
        rows.append([inc["case"], inc.get("seconds"), inc.get("wall_seconds"),
                     stages or inc.get("error", "")[:80]])
    if rows:
        print(_table(f"INCREMENTAL REBUILDS (n_process={data['settings']['incremental_n_process']}"
                     "; stage:done/cached(seconds))",
                     ["case", "build s", "wall s", "what was redone"], rows), file=out)
    rows = []
    for sc in data.get("scaling", []):
        st = {s["stage"]: s.get("seconds") for s in sc.get("stages", [])}
        rows.append([sc["n_docs"], sc.get("seconds"), sc.get("wall_seconds"),
                     st.get("ingest"), st.get("nlp"), st.get("coding"), st.get("tables"),
                     sc.get("docs_per_s"),
                     sc.get("words_per_s"), _mem(sc),
                     (sc.get("memory") or {}).get("peak_rss_mib"),
                     "reused" if sc.get("reused") else ""])
    if rows:
        print(_table("SCALING (n_process=1)", ["docs", "build s", "wall s", "ingest s",
                                               "nlp s", "coding s", "tables s", "docs/s",
                                               "words/s",
                                               "tree MiB", "main MiB", ""], rows), file=out)


# ---------------------------------------------------------------------------------- main


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.bench",
        description="Benchmark the build on a synthetic corpus: end to end (per stage, "
                    "1 and 2 processes), against a floor of bare pdfminer + spaCy, "
                    "incremental rebuilds, and scaling with corpus size. The default run "
                    "takes about half an hour on 2 cores.")
    parser.add_argument("--docs", type=int, default=200, help="briefs in the main corpus "
                        "(default 200)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2],
                        help="n_process values for the end-to-end runs (default: 1 2)")
    parser.add_argument("--scaling", default="50,100,200,400",
                        help="comma-separated corpus sizes, built with 1 process (default "
                             "50,100,200,400)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling runs")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor")
    parser.add_argument("--no-incremental", action="store_true",
                        help="skip the incremental rebuilds")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--json", type=Path, help="write all figures to this JSON file")
    parser.add_argument("--keep", type=Path,
                        help="work in this folder and keep it (default: a temp folder, "
                             "removed at the end)")
    parser.add_argument("--until", help="last build stage to run (default: all of "
                        "pipeline.build.STAGES), e.g. nlp while coding is unfinished")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds before one measured run is stopped (default 3600)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.docs < 1 or any(p < 1 for p in args.processes):
        parser.error("--docs and --processes must be at least 1")
    try:
        args.scaling_sizes = [] if args.no_scaling else sorted(
            {int(x) for x in str(args.scaling).split(",") if x.strip()})
    except ValueError:
        parser.error(f"--scaling: expected comma-separated integers, got {args.scaling!r}")
    return args


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.child:
        return _child_main(args.child)
    began = time.perf_counter()
    if args.keep:
        base = args.keep.resolve()
        base.mkdir(parents=True, exist_ok=True)
    else:
        base = Path(tempfile.mkdtemp(prefix="briefs-bench-"))
    processes = list(dict.fromkeys(args.processes))
    incremental_np = max(processes)
    data: dict[str, Any] = {
        "machine": machine_info(),
        "settings": {"docs": args.docs, "processes": processes, "seed": args.seed,
                     "until": args.until,
                     "scaling": args.scaling_sizes, "incremental_n_process": incremental_np,
                     "words_per_txt_page": WORDS_PER_TXT_PAGE,
                     "started": time.strftime("%Y-%m-%dT%H:%M:%S")},
        "corpus": {}, "end_to_end": [], "floor": {}, "ratios": {}, "incremental": [],
        "scaling": [],
    }
    work = base / "runs"
    try:
        root = base / f"project-{args.docs}"
        _log(f"generating {args.docs} briefs in {root}")
        data["corpus"] = _make_project(root, args.docs, args.seed)
        by_np: dict[int, dict[str, Any]] = {}
        for n_process in processes:
            _clean_outputs(root)
            _log(f"end to end, n_process={n_process}")
            result = _add_rates(_run_child(work, "build", root, n_process, args.timeout,
                                           args.until))
            by_np[n_process] = result
            data["end_to_end"].append(result)
            if result.get("error"):
                _log(f"  note: {result['error'][:200]}")
        totals = next((r["totals"] for r in by_np.values() if r.get("totals")), {})
        data["corpus"].update({k: totals.get(k) for k in ("pdf_pages", "txt_words", "words",
                                                          "pages")})

        if not args.no_floor:
            _log("floor: bare pdfminer + bare spaCy")
            data["floor"] = _run_child(work, "floor", root, 1, args.timeout)
        data["ratios"] = _ratios(by_np, data["floor"])

        if not args.no_incremental:
            data["incremental"] = _incremental(work, root, args, incremental_np, by_np)

        for n in args.scaling_sizes:
            if n == args.docs and 1 in by_np:
                data["scaling"].append({**by_np[1], "n_docs": n, "reused": True})
                continue
            sroot = base / f"project-{n}"
            _log(f"scaling: {n} briefs")
            corpus = _make_project(sroot, n, args.seed)
            result = _add_rates(_run_child(work, "build", sroot, 1, args.timeout, args.until))
            result.update(n_docs=n, corpus=corpus)
            data["scaling"].append(result)
            if not args.keep:
                shutil.rmtree(sroot, ignore_errors=True)
    finally:
        data["settings"]["total_seconds"] = round(time.perf_counter() - began, 1)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(data, indent=2, default=str))
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    _print_report(data)
    print(f"bench took {data['settings']['total_seconds']:.0f} s"
          + (f"; figures in {args.json}" if args.json else "")
          + (f"; project kept in {base}" if args.keep else ""))
    return 0


def _ratios(by_np: dict[int, dict[str, Any]], floor: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    one = by_np.get(1) or {}
    stages = {s["stage"]: s for s in one.get("stages", []) if s.get("status") == "ok"}
    if one.get("seconds") and floor.get("seconds"):
        out["end_to_end_1proc_over_floor"] = round(one["seconds"] / floor["seconds"], 2)
        if "ingest" in stages and floor.get("extract_seconds"):
            out["ingest_over_bare_extraction"] = round(
                stages["ingest"]["seconds"] / floor["extract_seconds"], 2)
        if "nlp" in stages and floor.get("nlp_seconds"):
            out["nlp_over_bare_spacy_load_and_pipe"] = round(
                stages["nlp"]["seconds"] / floor["nlp_seconds"], 2)
        ours_to_nlp = sum(s["seconds"] for n, s in stages.items() if n in ("ingest", "nlp"))
        out["ingest_plus_nlp_over_floor"] = round(ours_to_nlp / floor["seconds"], 2)
    for n_process, run in sorted(by_np.items()):
        if n_process != 1 and one.get("seconds") and run.get("seconds"):
            out[f"speedup_1proc_over_{n_process}proc"] = round(
                one["seconds"] / run["seconds"], 2)
            nlp_n = {s["stage"]: s for s in run.get("stages", [])}.get("nlp") or {}
            if "nlp" in stages and nlp_n.get("status") == "ok":
                out[f"nlp_speedup_1proc_over_{n_process}proc"] = round(
                    stages["nlp"]["seconds"] / nlp_n["seconds"], 2)
    return out


def _incremental(work: Path, root: Path, args: argparse.Namespace, n_process: int,
                 by_np: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rebuilds of the project as the last end-to-end run left it."""
    from pipeline.synthetic import write_brief

    out = []
    if not (root / "data" / "processed").exists():
        _log("incremental: no built project (the end-to-end runs failed); building first")
        _add_rates(_run_child(work, "build", root, n_process, args.timeout, args.until))

    def rebuild(case: str, change: str) -> None:
        _log(f"incremental: {case}")
        result = _add_rates(_run_child(work, "build", root, n_process, args.timeout, args.until))
        result.update(case=case, change=change)
        out.append(result)

    rebuild("no change", "nothing")
    path, _ = write_brief(root / "data" / "raw", args.docs, seed=args.seed)
    rebuild("one brief added", f"added {path.relative_to(root).as_posix()}")
    # a real knowledge-base edit (a comment alone changes no cache key)
    actors_file = root / "configs" / "actors.yaml"
    actors = yaml.safe_load(actors_file.read_text(encoding="utf-8"))
    actors.setdefault("not_actors", []).append("Hanoi Hilton")
    actors_file.write_text(yaml.safe_dump(actors, sort_keys=False, allow_unicode=True),
                           encoding="utf-8")
    rebuild("actors.yaml edited", "added a not_actors entry to configs/actors.yaml")
    return out


if __name__ == "__main__":
    sys.exit(main())
