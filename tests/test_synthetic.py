"""The synthetic corpus generator (deterministic, PDFs readable) and a bench smoke test."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text

from pipeline.synthetic import make_brief, write_brief, write_corpus


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 6, seed=7)
    write_corpus(tmp_path / "b", 6, seed=7)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a == b


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 6, seed=1)
    write_corpus(tmp_path / "b", 6, seed=2)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert set(a.values()) != set(b.values())
    assert not set(a.values()) & set(b.values()) - {b"\n"}


def test_writes_requested_count_half_pdf(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 10, seed=0)
    assert len(paths) == 10
    assert all(p.exists() and p.parent.parent == tmp_path for p in paths)
    suffixes = [p.suffix for p in paths]
    assert suffixes.count(".pdf") == 5 and suffixes.count(".txt") == 5
    assert len(set(paths)) == 10
    with open(tmp_path / "sources.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "some briefs are described in sources.csv"
    assert {r["path"] for r in rows} <= {p.relative_to(tmp_path).as_posix() for p in paths}


def test_corpus_is_a_prefix_of_a_larger_one(tmp_path: Path) -> None:
    small = write_corpus(tmp_path / "a", 4, seed=3)
    large = write_corpus(tmp_path / "b", 8, seed=3)
    for p, q in zip(small, large, strict=False):
        assert p.relative_to(tmp_path / "a") == q.relative_to(tmp_path / "b")
        assert p.read_bytes() == q.read_bytes()


def test_txt_briefs_read_like_briefs(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 6, seed=0, pdf_share=0.0)
    assert all(p.suffix == ".txt" for p in paths)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        words = len(text.split())
        assert 600 <= words <= 6500
        for heading in ("Executive Summary", "Background", "Why Hanoi Failed", "Outlook",
                        "Recommendations"):
            assert heading.lower() in text.lower()
        assert "North Korea" in text or "Pyongyang" in text or "DPRK" in text


def test_pdfs_open_with_pdfminer_and_contain_the_text(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 8, seed=5, pdf_share=1.0)
    assert all(p.suffix == ".pdf" for p in paths)
    layouts = set()
    for index, path in enumerate(paths):
        brief = make_brief(index, 5, "pdf")
        layouts.add(brief.layout)
        text = extract_text(str(path))
        flat = " ".join(text.split())
        assert "Executive Summary" in flat and "Why Hanoi Failed" in flat
        assert brief.authors[0] in flat
        assert brief.series in flat  # running header
        assert "- 2 -" in flat  # page numbers; every brief has at least two pages
        first_para = brief.sections[0][1][0]
        assert " ".join(first_para.split()[:6]) in flat
        assert len(flat.split()) >= 0.8 * brief.n_words
    assert layouts == {"single", "double"}


def test_pdf_metadata(tmp_path: Path) -> None:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    path, brief = write_brief(tmp_path, 1, seed=0, pdf_share=1.0)
    with open(path, "rb") as handle:
        info = PDFDocument(PDFParser(handle)).info[0]
    assert info["Title"].decode("latin-1") == brief.title
    assert info["Author"].decode("latin-1") == "; ".join(brief.authors)


@pytest.mark.slow
def test_bench_smoke(tmp_path: Path) -> None:
    from pipeline import bench

    out = tmp_path / "bench.json"
    assert bench.main(["--docs", "4", "--processes", "1", "--no-scaling",
                       "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    for section in ("machine", "settings", "corpus", "end_to_end", "floor", "ratios",
                    "incremental", "scaling"):
        assert section in data
    assert data["machine"]["cpu_count"] >= 1 and data["machine"]["spacy"]
    assert data["corpus"]["n_docs"] == 4
    (run,) = data["end_to_end"]
    assert run["n_process"] == 1
    stages = {s["stage"]: s for s in run["stages"]}
    assert stages["ingest"]["status"] == "ok" and stages["ingest"]["n_done"] == 4
    assert stages["nlp"]["status"] == "ok"
    assert run["memory"]["peak_rss_mib"] > 0
    assert data["floor"]["seconds"] > 0
    assert "end_to_end_1proc_over_floor" in data["ratios"]
    cases = [c["case"] for c in data["incremental"]]
    assert cases == ["no change", "one brief added", "actors.yaml edited"]
    # Nothing redone: either the build's "check" fast path or every stage from the cache.
    noop = [s for s in data["incremental"][0]["stages"] if s["status"] == "ok"]
    assert noop and all(s["n_done"] == 0 for s in noop)
    added = {s["stage"]: s for s in data["incremental"][1]["stages"]}
    assert added["ingest"]["n_done"] == 1
    assert data["scaling"] == []
