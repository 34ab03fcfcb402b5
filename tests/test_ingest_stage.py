"""The ingest stage end to end in a throw-away project: statuses, metadata, caching."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from reportlab.pdfgen import canvas

from pipeline.cli import main
from pipeline.ingest.stage import cache_file, run_ingest
from tests.conftest import SEJONG, UNKNOWN


def _brief_pdf(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path))
    pdf.setTitle("A Test Brief")
    y = 750
    for line in text.split("\n"):
        pdf.drawString(72, y, line)
        y -= 14
    pdf.save()


BAD_FILES = {
    "inbox/corrupt.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage",
    "inbox/empty.txt": b"",
    "inbox/binary.txt": bytes(range(256)) * 8,
    "inbox/notes.docx": b"PK\x03\x04 not a brief",
}


@pytest.fixture
def mixed_project(project: Path) -> Path:
    raw = project / "data" / "raw"
    for rel, data in BAD_FILES.items():
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_bytes(data)
    _brief_pdf(raw / "east-asia-institute" / "good brief.pdf",
               "North Korea proposed to dismantle Yongbyon.\n"
               "The United States demanded complete denuclearization.")
    return project


def _hashes(raw: Path) -> dict[str, str]:
    return {
        p.relative_to(raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*")) if p.is_file()
    }


def test_every_file_gets_a_row_with_a_clear_status(mixed_project, config):
    docs = run_ingest(config).documents.set_index("path")
    assert len(docs) == 2 + len(BAD_FILES) + 1
    assert docs.loc[SEJONG, "status"] == "ok"
    assert docs.loc[UNKNOWN, "status"] == "ok"
    assert docs.loc["east-asia-institute/good brief.pdf", "status"] == "ok"
    assert docs.loc["inbox/corrupt.pdf", "status"] == "error"
    assert docs.loc["inbox/empty.txt", "status"] == "empty"
    assert docs.loc["inbox/binary.txt", "status"] == "error"
    assert docs.loc["inbox/notes.docx", "status"] == "error"
    assert docs.loc["inbox/notes.docx", "format"] == "other"
    for rel in BAD_FILES:
        assert docs.loc[rel, "error"].startswith(f"data/raw/{rel}: ")
    assert "unsupported file type '.docx'" in docs.loc["inbox/notes.docx", "error"]
    assert docs["error"][docs["status"] == "ok"].isna().all()


def test_raw_files_are_never_modified(mixed_project, config):
    before = _hashes(config.paths.raw)
    run_ingest(config)
    assert _hashes(config.paths.raw) == before


def test_sejong_metadata_from_manifest(config):
    docs = run_ingest(config).documents.set_index("path")
    row = docs.loc[SEJONG]
    assert row["doc_id"] == "sejong-institute__sejong-2019-03-28-woo-us-perception-second-summit"
    assert row["think_tank"] == "Sejong Institute"
    assert row["authors"] == "Woo Jung-Yeop"
    assert row["title"] == (
        "The U.S. Perception of the Second DPRK-U.S. Summit and Future Prospects"
    )
    assert row["date"] == dt.date(2019, 3, 28)
    assert row["format"] == "txt"
    assert row["n_words"] > 300


def test_metadata_falls_back_to_folder_and_text(config):
    (config.paths.sources_manifest).unlink()
    docs = run_ingest(config).documents.set_index("path")
    row = docs.loc[SEJONG]
    assert row["think_tank"] == "Sejong Institute"
    assert row["date"] == dt.date(2019, 3, 28)
    assert row["authors"] == "Woo Jung-Yeop"
    assert "think_tank:folder" in row["metadata_source"]
    assert "date:text" in row["metadata_source"]
    unknown = docs.loc[UNKNOWN]
    assert pd.isna(unknown["think_tank"]) and pd.isna(unknown["date"])


def test_pdf_metadata_title_is_used(mixed_project, config):
    docs = run_ingest(config).documents.set_index("path")
    row = docs.loc["east-asia-institute/good brief.pdf"]
    assert row["title"] == "A Test Brief"
    assert row["think_tank"] == "East Asia Institute"
    assert row["n_pages"] == 1
    assert row["doc_id"] == "east-asia-institute__good-brief"


def test_second_run_reads_nothing_again(mixed_project, config):
    first = run_ingest(config)
    assert first.n_extracted == len(first.documents)
    second = run_ingest(config)
    assert second.n_extracted == 0
    pd.testing.assert_frame_equal(first.documents, second.documents)


def test_changed_file_is_redone_alone(mixed_project, config):
    run_ingest(config)
    target = config.paths.raw / "east-asia-institute" / "good brief.pdf"
    _brief_pdf(target, "The summit ended without an agreement.")
    again = run_ingest(config)
    assert again.n_extracted == 1


def test_changed_setting_redoes_everything(mixed_project, config):
    first = run_ingest(config)
    changed = dataclasses.replace(
        config, ingest=dataclasses.replace(config.ingest, margin_band=0.2)
    )
    assert run_ingest(changed).n_extracted == len(first.documents)


def test_corrupt_cache_entry_is_rebuilt(config):
    run_ingest(config)
    sha = hashlib.sha256((config.paths.raw / SEJONG).read_bytes()).hexdigest()
    entry = cache_file(config.paths.interim, sha, config.ingest)
    entry.write_text(entry.read_text()[:-20], encoding="utf-8")
    again = run_ingest(config)
    assert again.n_extracted == 1
    assert again.documents.set_index("path").loc[SEJONG, "status"] == "ok"


def test_build_writes_documents_and_exits_zero_despite_bad_files(mixed_project, capsys):
    code = main(["--config", str(mixed_project / "configs"), "build"])
    assert code == 0
    processed = mixed_project / "data" / "processed"
    docs = pd.read_parquet(processed / "documents.parquet")
    assert len(docs) == 7
    assert (processed / "documents.csv").exists()
    err = capsys.readouterr().err
    assert "could not be used" in err
    assert "data/raw/inbox/corrupt.pdf" in err
    assert "lack metadata" in err and UNKNOWN in err


def test_strict_build_fails_on_bad_files(mixed_project):
    assert main(["--config", str(mixed_project / "configs"), "build", "--strict"]) == 1


def test_build_is_deterministic(mixed_project):
    configs = str(mixed_project / "configs")
    processed = mixed_project / "data" / "processed"
    main(["--config", configs, "build"])
    first = (processed / "documents.csv").read_bytes()
    main(["--config", configs, "build"])
    assert (processed / "documents.csv").read_bytes() == first


def test_config_typo_is_reported(project, capsys):
    (project / "configs" / "ingest.yaml").write_text("margin_bnd: 0.1\n")
    assert main(["--config", str(project / "configs"), "build"]) == 2
    assert "unknown key 'margin_bnd'" in capsys.readouterr().err


def test_status_lists_every_file(mixed_project, capsys):
    configs = str(mixed_project / "configs")
    main(["--config", configs, "status"])
    before = capsys.readouterr().out
    assert "new" in before and " no" in before
    main(["--config", configs, "build"])
    capsys.readouterr()
    main(["--config", configs, "status"])
    lines = capsys.readouterr().out.splitlines()
    sejong = next(line for line in lines if line.startswith("sejong-institute/"))
    assert "Sejong Institute" in sejong and sejong.rstrip().endswith("yes")
    assert " ok " in sejong
    assert any("inbox/corrupt.pdf" in line and "error" in line for line in lines)
    assert lines[-1] == "7 file(s) under data/raw"


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("build", "ingest", "status"):
        assert command in out


def test_parallel_ingest_matches_serial_and_extracts_each_content_once(mixed_project, config):
    raw = config.paths.raw
    (raw / "copy").mkdir()
    (raw / "copy" / "same-as-sejong.txt").write_bytes((raw / SEJONG).read_bytes())
    parallel = dataclasses.replace(config, nlp=dataclasses.replace(config.nlp, n_process=2))
    first = run_ingest(parallel)
    assert first.n_extracted == len(first.documents) - 1  # the copy shares the extraction
    shutil.rmtree(config.paths.interim)
    serial = run_ingest(config)
    pd.testing.assert_frame_equal(first.documents, serial.documents)
