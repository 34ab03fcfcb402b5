"""The PDF extractor on the shared corpus of real-world sample PDFs (../shared/pdf-samples).

Each file's `expect` column in MANIFEST.csv states the outcome; its `notes` column records
what plain pdfminer got ("N non-space", "pages=N"), which the text cases are checked
against. Skipped when the corpus is not checked out next to the project.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

import pytest

from pipeline.config import IngestSettings
from pipeline.ingest.model import ExtractedText, ExtractionFailure
from pipeline.ingest.pdf import extract_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "pdf-samples"
MANIFEST = SAMPLES / "MANIFEST.csv"

if not MANIFEST.is_file():
    pytest.skip(f"no PDF sample corpus at {SAMPLES}", allow_module_level=True)

pytestmark = pytest.mark.slow

# Default settings, with room for the 619-page file (~27 s in pdfminer alone) and the
# rotated page that takes pdfminer ~16 s on a slow machine.
SETTINGS = dataclasses.replace(IngestSettings(), pdf_timeout_seconds=600)

with MANIFEST.open(encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle))


def _reported(notes: str, pattern: str) -> int | None:
    match = re.search(pattern, notes)
    return int(match.group(1)) if match else None


def _non_space(result: ExtractedText) -> int:
    return sum(1 for c in result.text if not c.isspace())


def _check_text(result: ExtractedText, notes: str) -> None:
    """Substantial text: at least half of what bare pdfminer finds (headers, page numbers
    and margin stamps are dropped on purpose), and the page count it reports."""
    reported = _reported(notes, r"(\d+) non-space")
    assert _non_space(result) >= (reported // 2 if reported else 20)
    pages = _reported(notes, r"pages=(\d+)")
    if pages is not None:
        assert result.n_pages == pages
    assert all(p.text.strip() for p in result.paragraphs)


@pytest.mark.parametrize("row", ROWS, ids=[row["file"] for row in ROWS])
def test_sample(row: dict[str, str]) -> None:
    path = SAMPLES / row["file"]
    if not path.is_file():
        pytest.skip(f"{row['file']} is listed in the manifest but missing")
    expect, notes = row["expect"], row["notes"]

    if expect == "text":
        _check_text(extract_pdf(path, SETTINGS), notes)
        return
    if expect == "partial":  # some text, or judged unusable: both are fine
        try:
            result = extract_pdf(path, SETTINGS)
        except ExtractionFailure as failure:
            assert failure.status == "empty", failure.message
        else:
            assert result.paragraphs
        return

    with pytest.raises(ExtractionFailure) as caught:
        extract_pdf(path, SETTINGS)
    failure = caught.value
    if expect == "no_text":
        assert failure.status == "empty", failure.message
        assert "OCR" in failure.message or "truncated" in failure.message
    elif expect == "error_encrypted":
        assert failure.status == "error"
        assert "password" in failure.message
    elif expect == "error_corrupt":
        assert failure.status == "error"
        # e.g. a truncated encrypted file raises pdfminer's PDFEncryptionError, which is
        # damage, not a missing password.
        assert "password" not in failure.message
    else:
        pytest.fail(f"unknown expect value {expect!r} in {MANIFEST}")
