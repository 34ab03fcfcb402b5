"""Tests for the PDF extractor on small PDFs generated with reportlab (see pdf_factory)."""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
import time
from pathlib import Path

import pytest
from pdfminer.pdfinterp import PDFPageInterpreter

from pipeline.config import IngestSettings
from pipeline.ingest.model import ExtractionFailure
from pipeline.ingest.pdf import extract_pdf
from tests import pdf_factory as factory
from tests.pdf_factory import BRIEF, LEFT, Text

SETTINGS = IngestSettings()


def texts(path: Path, settings: IngestSettings = SETTINGS) -> list[str]:
    return [p.text for p in extract_pdf(path, settings).paragraphs]


def failure(path: Path, settings: IngestSettings = SETTINGS) -> ExtractionFailure:
    with pytest.raises(ExtractionFailure) as caught:
        extract_pdf(path, settings)
    return caught.value


# --- reading order ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", [None, "Lessons from the Hanoi Summit"], ids=["no-title", "title"]
)
@pytest.mark.parametrize(
    ("left", "right"),
    [
        # Same line counts, so the paragraph gaps of both columns line up: a row-first
        # reading would interleave the columns.
        ([BRIEF[2], BRIEF[4]], [BRIEF[3], BRIEF[5]]),
        ([BRIEF[0], BRIEF[1]], [BRIEF[4]]),
    ],
    ids=["gaps-aligned", "gaps-staggered"],
)
def test_two_columns_read_left_column_first(
    tmp_path: Path, title: str | None, left: list[str], right: list[str]
) -> None:
    path = factory.two_column_pdf(tmp_path / "brief.pdf", title, left, right)

    expected = ([title] if title else []) + [*left, *right]
    assert texts(path) == expected


def test_sentence_continues_from_left_to_right_column(tmp_path: Path) -> None:
    left = [BRIEF[0], "The talks broke down because the two sides disagreed about how much"]
    right = ["sanctions relief should follow the closure of Yongbyon.", BRIEF[4]]
    path = factory.two_column_pdf(tmp_path / "brief.pdf", None, left, right)

    assert texts(path) == [BRIEF[0], f"{left[1]} {right[0]}", BRIEF[4]]


# --- running headers, footers, page numbers -----------------------------------------------


@pytest.mark.parametrize(
    "footer",
    [
        lambda n, total: str(n),
        lambda n, total: f"- {n} -",
        lambda n, total: f"Page {n}",
        lambda n, total: f"Page {n} of {total}",
        lambda n, total: f"{n} | Hanoi Summit Brief",
    ],
    ids=["bare", "dashes", "page-n", "page-n-of-m", "n-pipe-title"],
)
def test_running_header_and_page_numbers_removed(tmp_path: Path, footer) -> None:
    bodies = [BRIEF[i] for i in range(4)]
    path = factory.paged_pdf(
        tmp_path / "brief.pdf", bodies, header="Asan Institute for Policy Studies", footer=footer
    )

    result = extract_pdf(path, SETTINGS)

    assert [p.text for p in result.paragraphs] == bodies
    assert [p.page for p in result.paragraphs] == [1, 2, 3, 4]
    assert result.n_pages == 4


def test_running_header_with_page_number_in_it_removed(tmp_path: Path) -> None:
    bodies = [BRIEF[i] for i in range(3)]
    path = factory.paged_pdf(
        tmp_path / "brief.pdf", bodies, header=None, footer=lambda n, _: f"Issue Brief No. {n}7"
    )

    assert texts(path) == bodies


def test_title_in_top_margin_of_first_page_kept(tmp_path: Path) -> None:
    bodies = [BRIEF[i] for i in range(3)]
    path = factory.paged_pdf(
        tmp_path / "brief.pdf",
        bodies,
        header="Hanoi Summit Brief",
        first_page_title="Hanoi Summit Brief",  # same words as the header, larger type
    )

    assert texts(path) == ["Hanoi Summit Brief", *bodies]


def test_page_number_above_the_margin_band_removed(tmp_path: Path) -> None:
    # LaTeX's default layout puts the page number ~130 pt up: outside a 12% band.
    pages = [
        [*factory.wrap(BRIEF[i], LEFT, 660, factory.RIGHT - LEFT), Text(300, 130, str(i + 1))]
        for i in range(2)
    ]
    path = factory.write_pdf(tmp_path / "brief.pdf", pages)

    assert texts(path) == BRIEF[:2]


# --- hyphenation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "Both delegations had drafted a text that committed Pyongyang to denucle-",
                "arization in stages, with sanctions relief granted at every verified step.",
            ],
            "Both delegations had drafted a text that committed Pyongyang to "
            "denuclearization in stages, with sanctions relief granted at every verified step.",
        ),
        (
            [
                "The morning session began late because Chairman Kim Jong-",
                "un had asked for a private meeting with the President at the hotel.",
            ],
            "The morning session began late because Chairman Kim Jong-un had asked for a "
            "private meeting with the President at the hotel.",
        ),
        (
            [
                "Analysts in Seoul warned that the failure would strain the U.S.-",
                "ROK alliance unless both capitals agreed on a common negotiating line.",
            ],
            "Analysts in Seoul warned that the failure would strain the U.S.-ROK alliance "
            "unless both capitals agreed on a common negotiating line.",
        ),
        (
            [
                "Pyongyang describes its economic doctrine as self-reliance, and the self-",
                "reliance slogan returned to state media within days of the Hanoi summit.",
            ],
            "Pyongyang describes its economic doctrine as self-reliance, and the "
            "self-reliance slogan returned to state media within days of the Hanoi summit.",
        ),
    ],
    ids=["word-break", "korean-name", "abbreviation", "compound-seen-elsewhere"],
)
def test_hyphenated_line_break(tmp_path: Path, lines: list[str], expected: str) -> None:
    path = factory.lines_pdf(tmp_path / "brief.pdf", lines)

    assert texts(path) == [expected]


# --- paragraphs across pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end_of_page_1", "start_of_page_2", "joined"),
    [
        ("and the American side left Hanoi convinced that", "the offer was too small.", True),
        ("and the American side left Hanoi convinced that", "Yongbyon was not enough.", False),
        ("and the American side left Hanoi early.", "the offer was judged too small.", False),
    ],
    ids=["lowercase-continuation", "capitalised-start", "sentence-ended"],
)
def test_paragraph_continued_on_next_page(
    tmp_path: Path, end_of_page_1: str, start_of_page_2: str, joined: bool
) -> None:
    opening = "The North Korean delegation held a late-night press conference,"
    first = [Text(LEFT, 160, opening), Text(LEFT, 146, end_of_page_1)]
    second = [Text(LEFT, 680, start_of_page_2)]
    path = factory.write_pdf(tmp_path / "brief.pdf", [first, second])

    result = extract_pdf(path, SETTINGS)

    page_1 = f"{opening} {end_of_page_1}"
    if joined:
        expected = [(1, f"{page_1} {start_of_page_2}")]
    else:
        expected = [(1, page_1), (2, start_of_page_2)]
    assert [(p.page, p.text) for p in result.paragraphs] == expected


# --- footnotes --------------------------------------------------------------------------------


def test_footnote_kept_out_of_a_sentence_that_continues_on_next_page(tmp_path: Path) -> None:
    body, y = factory.column(BRIEF[:3], LEFT, 680, factory.RIGHT - LEFT)
    running = (
        "The summit ended without a joint statement or a signing ceremony, and the "
        "delegations left Hanoi a day early. The White House said that the two leaders "
        "had agreed that"
    )
    lines = factory.wrap(running, LEFT, y, factory.RIGHT - LEFT)
    note = "1 White House, Remarks by President Trump in Press Conference, Hanoi, 28 Feb. 2019."
    page_1 = [*body, *lines, factory.superscript(lines[0], "1"), Text(LEFT, 70, note, 8)]
    page_2 = [Text(LEFT, 680, "more work was needed before a deal could be signed.")]
    path = factory.write_pdf(tmp_path / "brief.pdf", [page_1, page_2])

    result = extract_pdf(path, SETTINGS)

    assert [(p.kind, p.page, p.text) for p in result.paragraphs] == [
        *[("body", 1, text) for text in BRIEF[:3]],
        ("body", 1, f"{running} more work was needed before a deal could be signed."),
        ("footnote", 1, note),
    ]


# --- metadata ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (
            {
                "title": "After Hanoi: Rebuilding Diplomacy with North Korea",
                "author": "Jane Doe; Kim Min-ji",
                "date": "D:20190328093000+09'00'",
            },
            {
                "title": "After Hanoi: Rebuilding Diplomacy with North Korea",
                "authors": "Jane Doe; Kim Min-ji",
                "date": "2019-03-28",
            },
        ),
        (
            {"title": "하노이 회담 이후의 한반도 정세", "author": "이정민", "date": "D:20190305"},
            {"title": "하노이 회담 이후의 한반도 정세", "authors": "이정민", "date": "2019-03-05"},
        ),
        (
            {"title": "Microsoft Word - Hanoi Summit Brief.docx", "date": "D:20190301120000Z"},
            {"title": "Hanoi Summit Brief", "date": "2019-03-01"},
        ),
        ({"title": "untitled", "author": "Administrator", "date": "D:2019"}, {}),
        ({"title": "hanoi_brief_final_v2.pdf", "date": "D:20190231000000"}, {}),
    ],
    ids=["plain", "utf16-korean", "word-prefix", "placeholders", "filename-bad-date"],
)
def test_metadata_from_info_dict(tmp_path: Path, info: dict, expected: dict) -> None:
    path = factory.brief_pdf(tmp_path / "brief.pdf", **info)

    assert extract_pdf(path, SETTINGS).metadata == expected


# --- encryption -----------------------------------------------------------------------------


@pytest.mark.parametrize("can_copy", [1, 0], ids=["owner-password", "copy-forbidden"])
def test_pdf_without_user_password_is_read(tmp_path: Path, can_copy: int) -> None:
    encrypt = factory.encryption("", "owner-secret", canCopy=can_copy)
    path = factory.brief_pdf(tmp_path / "brief.pdf", encrypt=encrypt)

    result = extract_pdf(path, SETTINGS)

    assert [p.text for p in result.paragraphs] == BRIEF[:2]
    assert any("forbid copying" in w for w in result.warnings) == (not can_copy)


def test_user_password_is_an_error_asking_for_an_unencrypted_copy(tmp_path: Path) -> None:
    path = factory.brief_pdf(tmp_path / "brief.pdf", encrypt=factory.encryption("open", "own"))

    error = failure(path)

    assert error.status == "error"
    assert "password" in error.message and "unencrypted copy" in error.message


# --- broken and empty files -------------------------------------------------------------------


def test_truncated_file_reported_as_truncated(tmp_path: Path) -> None:
    whole = factory.write_pdf(
        tmp_path / "whole.pdf", [factory.column(BRIEF, LEFT, 680, 468)[0]] * 3
    )
    data = whole.read_bytes()
    half = tmp_path / "half.pdf"
    half.write_bytes(data[: len(data) // 2])

    error = failure(half)

    assert error.status in ("error", "empty")
    assert "truncated" in error.message and "re-download" in error.message


def test_image_only_page_needs_ocr(tmp_path: Path) -> None:
    path = factory.image_only_pdf(tmp_path / "scan.pdf", n_pages=2)

    error = failure(path)

    assert error.status == "empty"
    assert "no text layer" in error.message and "OCR" in error.message


def test_junk_text_layer_is_empty(tmp_path: Path) -> None:
    junk = "«3E* 0,1 %% 7/5 ~~ 10.2.4 (48) »» 3 1 4 1 5 9 ## 2 6 5 | 3 5 = 8 9 * 7 9 ; 32 38 4"
    path = factory.lines_pdf(tmp_path / "ocr.pdf", [junk] * 12)

    error = failure(path)

    assert error.status == "empty"
    assert "junk" in error.message and "OCR" in error.message


def test_short_document_without_images_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = factory.lines_pdf(tmp_path / "cover.pdf", ["Hanoi, 28 February 2019"])

    result = extract_pdf(path, SETTINGS)

    assert [p.text for p in result.paragraphs] == ["Hanoi, 28 February 2019"]
    assert result.warnings == ["very little text: 13 letters on 1 page(s)"]


def test_zero_byte_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")

    error = failure(path)

    assert (error.status, error.message) == (
        "error",
        "the file is empty (0 bytes), not a PDF; re-download it",
    )


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "a JPEG image"),
        (b"<!DOCTYPE html><html><head><title>Sign in</title>", "a web page (HTML)"),
    ],
    ids=["jpeg", "html"],
)
def test_file_that_is_not_a_pdf_is_an_error(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "brief.pdf"
    path.write_bytes(content)

    error = failure(path)

    assert error.status == "error"
    assert "not a PDF" in error.message and kind in error.message


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    path = factory.brief_pdf(tmp_path / "brief.pdf", encrypt=factory.encryption("", "x"))
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)

    extract_pdf(path, SETTINGS)

    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


# --- time limit and side effects --------------------------------------------------------------


@pytest.fixture
def slow_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make pdfminer take 50 ms per page."""
    original = PDFPageInterpreter.process_page

    def slow(self, page):  # noqa: ANN001 - mirrors pdfminer's signature
        time.sleep(0.05)
        return original(self, page)

    monkeypatch.setattr(PDFPageInterpreter, "process_page", slow)


@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "worker-thread"])
def test_time_limit_stops_extraction(tmp_path: Path, slow_pages: None, in_thread: bool) -> None:
    path = factory.many_pages_pdf(tmp_path / "long.pdf", 20)
    settings = IngestSettings(pdf_timeout_seconds=0.2)
    caught: list[BaseException] = []

    def run() -> None:
        try:
            extract_pdf(path, settings)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            caught.append(exc)

    started = time.monotonic()
    if in_thread:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    else:
        run()

    assert time.monotonic() - started < 0.9  # 20 pages would take >= 1 s
    (error,) = caught
    assert isinstance(error, ExtractionFailure) and error.status == "error"
    assert "gave up after 0.2 s" in error.message and "pdf_timeout_seconds" in error.message


def test_time_limit_restores_the_alarm_handler(tmp_path: Path) -> None:
    def handler(signum, frame):  # noqa: ANN001 - signal handler signature
        pass

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        extract_pdf(factory.brief_pdf(tmp_path / "brief.pdf"), SETTINGS)
        assert signal.getsignal(signal.SIGALRM) is handler
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("broken", [False, True], ids=["success", "failure"])
def test_pdfminer_logging_silenced_then_restored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, broken: bool
) -> None:
    logger = logging.getLogger("pdfminer")
    before = (logger.level, logger.propagate, list(logger.handlers))
    path = factory.brief_pdf(tmp_path / "brief.pdf")
    if broken:
        path.write_bytes(path.read_bytes()[:-400])

    with caplog.at_level(logging.DEBUG):
        try:
            extract_pdf(path, SETTINGS)
        except ExtractionFailure:
            pass

    assert not [r for r in caplog.records if r.name.startswith("pdfminer")]
    assert (logger.level, logger.propagate, list(logger.handlers)) == before
