"""PDF extraction: pdfminer.six layout -> clean paragraphs in reading order, plus metadata.

One pass of pdfminer's layout analysis (the same work `pdfminer.high_level.extract_text`
does) yields text lines with their positions and font sizes. Everything else is cheap
geometry over those lines:

* running headers/footers and page numbers in the top/bottom margin bands are dropped;
* small-font lines at the page bottom become footnotes, kept out of the body flow;
* text boxes are put in reading order (left column before right column, full-width
  blocks such as a title stay where they are);
* lines are grouped into paragraphs (box structure, vertical gaps, short last lines,
  indentation), paragraphs broken by a column or page break are rejoined, and
  hyphenated line breaks are mended with `join_lines`.

Failures (password, damage, no text layer, time limit) raise `ExtractionFailure` with a
message a researcher can act on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import signal
import statistics
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import (
    LAParams,
    LTChar,
    LTFigure,
    LTImage,
    LTPage,
    LTTextBox,
    LTTextLine,
)
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psexceptions import PSException
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text

from pipeline.config import IngestSettings
from pipeline.ingest.clean import (
    Vocabulary,
    ends_sentence,
    join_lines,
    letter_stats,
    normalize_text,
)
from pipeline.ingest.model import ExtractedText, ExtractionFailure, Paragraph

__all__ = ["extract_pdf"]

# A footnote line's font is at most this share of the document's body font size. Word's
# defaults (11 pt body, 10 pt notes) give 0.91, LaTeX (10/8) 0.8.
_FOOTNOTE_SIZE_RATIO = 0.92
# Lines whose font sizes differ by more than this share belong to different paragraphs
# (an 11 pt heading above its 10 pt paragraph).
_SIZE_CHANGE = 0.08
# Indentation (in font sizes) that marks a paragraph's first line.
_INDENT = 0.8
_MAX_WARNINGS = 8

_HYPHENS = "-\u2010\u2011"
# Glyphs that only ever start a list item (dashes also start wrapped lines of prose).
_BULLETS = "\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2219\u00b7\u27a2\u2043"
# A list item's first line: "1.", "(a)", "a)", a bullet glyph or a dash; its hanging-
# indented continuation lines must not be read as new paragraphs.
_LIST_ITEM = re.compile(rf"^(?:\(?\d{{1,2}}[.)]|\(?[a-z][.)]|[{_BULLETS}*\-\u2013\u2014])\s")
# A footnote starts with its mark: "12 See ...", "12See", "* Note", "† ...".
_FOOTNOTE_MARK = re.compile(r"^(?:\d{1,3}(?![\d,.:]\d)|[*\u2020\u2021\u00a7\u00b6]+)\s*\S")
# Bare page numbers and "number | running title" folios, judged only in the margin bands.
_SEP = r"[\s\-\u2013\u2014|\u2022\u00b7]"
_PAGE_NO = r"(?:(?i:page|p\.|pg\.?)\s*)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?i:of|/)\s*\d{1,4})?"
_BARE_PAGE_NUMBER = re.compile(rf"^{_SEP}*{_PAGE_NO}{_SEP}*$")  # "- 3 -", "Page 3 of 10"
_PAGE_NUMBER_LINE = re.compile(
    rf"^{_SEP}*{_PAGE_NO}{_SEP}*$"
    rf"|^{_PAGE_NO}\s*[|\u2022\u00b7]\s*\S.{{0,100}}$"  # "3 | Report name"
    rf"|^.{{0,100}}\S\s*[|\u2022\u00b7]\s*{_PAGE_NO}$"  # "Report name | 3"
)
# A line that is only a list or section number or a bullet ("1.", "(a)", "2.1", "•", "!").
_MARKER_ONLY = re.compile(
    r"^(?:\(?(?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})[.)]|\d{1,2}(?:\.\d{1,2}){0,3}\.?|[^\w\s]{1,2})$"
)
# A footnote reference number or sign standing alone (a superscript boxed apart).
_REFERENCE_MARK = re.compile(r"^(?:\d{1,3}|[*\u2020\u2021\u00a7\u00b6]{1,3})$")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

# Magic numbers of files that are often saved with a .pdf name by mistake.
_NOT_PDF_KINDS = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a zip archive (e.g. a Word .docx file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (e.g. a Word .doc)"),
    (b"{\\rtf", "an RTF document"),
)


class _Timeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so no `except Exception` eats it."""


@dataclass
class _Line:
    """One text line as pdfminer laid it out, with what the heuristics need."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # the most common font size of its characters
    first_word_x1: float  # right edge of its first word (does it fit on the line above?)
    box: int  # the pdfminer text box it came from, numbered per page
    page: int  # 1-based
    role: str = "body"  # "body", "margin" (running header/footer, page number), "footnote"
    sideways: bool = False  # mostly rotated characters (a vertical margin stamp)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class _Page:
    number: int
    x0: float
    y0: float
    x1: float
    y1: float
    lines: list[_Line] = field(default_factory=list)
    has_image: bool = False
    body_size: float = 0.0  # the font size most of the document's text is set in


@dataclass
class _Block:
    """A text box reduced to its kept lines (top to bottom)."""

    lines: list[_Line]
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0

    def __post_init__(self) -> None:
        self.x0 = min(line.x0 for line in self.lines)
        self.y0 = min(line.y0 for line in self.lines)
        self.x1 = max(line.x1 for line in self.lines)
        self.y1 = max(line.y1 for line in self.lines)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


# ---------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------


def extract_pdf(path: Path, settings: IngestSettings) -> ExtractedText:
    """Extract clean paragraphs, page count and info-dict metadata from one PDF.

    Args:
        path: the PDF; it is only read, never modified.
        settings: thresholds for margins, running headers, empty/junk text and the time limit.

    Returns:
        Body paragraphs in reading order followed by footnote paragraphs.

    Raises:
        ExtractionFailure: status 'error' for password-protected, damaged or non-PDF files
            and for the time limit; 'empty' when there is no usable text layer.
    """
    path = Path(path)
    tail = _sniff(path)
    warnings: list[str] = []
    if b"%%EOF" not in tail:
        warnings.append("the file has no %%EOF end marker, so it may be truncated")

    pages, metadata = _run_pdfminer(path, settings, warnings)

    _mark_margins(pages, settings)
    body_size = _body_size(pages)
    for page in pages:
        _mark_footnotes(page, body_size)
    kept = [line for page in pages for line in page.lines if line.role != "margin"]
    vocabulary = Vocabulary.from_text(line.text for line in kept)

    body: list[list[_Line]] = []
    notes: list[list[_Line]] = []
    for page in pages:
        _add_flow(body, _page_blocks(page, "body"), footnotes=False)
        _add_flow(notes, _page_blocks(page, "footnote"), footnotes=True)
    paragraphs = [
        Paragraph(text, lines[0].page, kind)
        for kind, flow in (("body", body), ("footnote", notes))
        for lines in flow
        if (text := join_lines([line.text for line in lines], vocabulary))
    ]

    _check_text(paragraphs, pages, tail, settings, warnings)
    cids = sum(p.text.count("(cid:") for p in paragraphs)
    if cids:
        warnings.append(
            f"{cids} glyphs have no text mapping and appear as '(cid:N)' (math or symbol fonts)"
        )
    return ExtractedText(
        paragraphs=paragraphs,
        n_pages=len(pages),
        metadata=metadata,
        warnings=warnings[:_MAX_WARNINGS],
    )


# ---------------------------------------------------------------------------------------
# Running pdfminer: errors, time limit, logging
# ---------------------------------------------------------------------------------------


def _sniff(path: Path) -> bytes:
    """Reject files that are plainly not PDFs; return the file's last 2 KiB."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 2048))
            tail = fh.read()
    except OSError as exc:
        raise ExtractionFailure("error", f"cannot read the file ({exc.strerror or exc})") from exc
    if size == 0:
        raise ExtractionFailure("error", "the file is empty (0 bytes), not a PDF; re-download it")
    if b"%PDF" not in head:
        kind = next((name for magic, name in _NOT_PDF_KINDS if head.startswith(magic)), None)
        if kind is None and re.search(rb"(?i)<!doctype html|<html", head):
            kind = "a web page (HTML), probably a download or login page"
        looks = f"its content looks like {kind}" if kind else "it has no %PDF header"
        raise ExtractionFailure(
            "error",
            f"the file is not a PDF ({looks}); download the actual PDF or convert the file",
        )
    return tail


def _run_pdfminer(
    path: Path, settings: IngestSettings, warnings: list[str]
) -> tuple[list[_Page], dict[str, str | None]]:
    """Lay out every page once with pdfminer, translating its failures into ExtractionFailure."""
    limit = settings.pdf_timeout_seconds
    pages: list[_Page] = []
    metadata: dict[str, str | None] = {}
    try:
        with (
            _quiet_pdfminer(warnings),
            _time_limit(limit) as deadline,
            path.open("rb") as fh,
        ):
            document = PDFDocument(PDFParser(fh))
            try:
                metadata = _read_metadata(document)
            except Exception as exc:  # odd info dicts are no reason to lose the text
                warnings.append(f"could not read the PDF's metadata ({type(exc).__name__})")
            if not document.is_extractable:
                warnings.append(
                    "the PDF's permissions forbid copying text; it was extracted anyway"
                )
            resources = PDFResourceManager(caching=True)
            # all_texts: also lay out text inside figures (InDesign sidebars, charts),
            # which extract_text emits too; otherwise pdfminer's default parameters.
            device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
            interpreter = PDFPageInterpreter(resources, device)
            for number, page in enumerate(PDFPage.create_pages(document), start=1):
                # Fallback for threads, where SIGALRM cannot interrupt pdfminer.
                if time.monotonic() > deadline:
                    raise _Timeout
                interpreter.process_page(page)
                pages.append(_read_page(device.get_result(), number))
    except _Timeout:
        raise ExtractionFailure(
            "error",
            f"pdfminer gave up after {limit:g} s (the time limit) on page {len(pages) + 1}; "
            "raise pdf_timeout_seconds in configs/ingest.yaml, or split the PDF or "
            "re-export it (e.g. print to PDF) to simplify it",
        ) from None
    except PDFPasswordIncorrect:
        raise ExtractionFailure(
            "error",
            "the PDF is encrypted with a password that is needed to open it; save an "
            "unencrypted copy (open it with the password, then print or export to PDF) "
            "and add that instead",
        ) from None
    except PDFEncryptionError as exc:
        # The parent of PDFPasswordIncorrect: unreadable encryption data, e.g. a truncated
        # encrypted file ("Unknown filter"), not a missing password.
        raise _damaged(f"unreadable encryption data: {exc}") from exc
    except (PSException, RecursionError) as exc:
        raise _damaged(f"{type(exc).__name__}: {exc}") from exc
    except ExtractionFailure:
        raise
    except Exception as exc:  # pdfminer fails deep inside on broken files in many ways
        raise _damaged(f"{type(exc).__name__}: {exc}") from exc
    return pages, metadata


def _damaged(detail: str) -> ExtractionFailure:
    detail = _SPACES.sub(" ", detail).strip()
    if len(detail) > 160:
        detail = detail[:157] + "..."
    return ExtractionFailure(
        "error", f"the PDF is damaged or truncated ({detail}); re-download or re-export it"
    )


@contextmanager
def _time_limit(seconds: float) -> Iterator[float]:
    """Interrupt pdfminer after `seconds`; yields the deadline for between-page checks.

    SIGALRM can stop pdfminer inside a pathological page, but only in the main thread
    and only if nobody else is using the real-time timer; otherwise rely on the deadline.
    """
    deadline = time.monotonic() + seconds
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if usable and signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        usable = False  # someone else's timer is running: do not clobber it
    if not usable:
        yield deadline
        return
    active = True

    def on_alarm(signum: int, frame: Any) -> None:
        if active:  # the alarm may land just after extraction finished
            raise _Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield deadline
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _WarningCollector(logging.Handler):
    """Keep distinct pdfminer warnings (with counts) instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break extraction
            message = str(record.msg)
        # Drop file-object reprs and object numbers so repeats collapse into one entry.
        message = re.sub(r"<[^>]*>", "the file", message)
        message = _SPACES.sub(" ", message).strip()[:200]
        if message and (message in self.counts or len(self.counts) < 50):
            self.counts[message] = self.counts.get(message, 0) + 1


@contextmanager
def _quiet_pdfminer(warnings: list[str]) -> Iterator[None]:
    """Silence pdfminer's loggers during extraction and collect its warnings."""
    logger = logging.getLogger("pdfminer")
    collector = _WarningCollector()
    old_level, old_propagate = logger.level, logger.propagate
    # WARNING also makes pdfminer's many debug calls cheap no-ops.
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(collector)
    try:
        yield
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
        for message, count in collector.counts.items():
            if "should not allow text extraction" in message:
                continue  # reported in plain words from document.is_extractable
            if "Data-loss while decompressing" in message:
                message = "part of the file is corrupted (data lost while decompressing)"
            times = f" ({count}x)" if count > 1 else ""
            warnings.append(f"pdfminer: {message}{times}")


# ---------------------------------------------------------------------------------------
# Layout -> lines
# ---------------------------------------------------------------------------------------


def _read_page(layout: LTPage, number: int) -> _Page:
    """Reduce pdfminer's layout tree to lightweight lines (the tree itself is dropped)."""
    page = _Page(number, *layout.bbox)
    box_ids = iter(range(1_000_000))

    def visit(items: Any) -> None:
        for item in items:
            if isinstance(item, LTTextBox):
                box = next(box_ids)
                for line in item:
                    if isinstance(line, LTTextLine):
                        made = _make_line(line, box, number)
                        if made is not None:
                            page.lines.append(made)
            elif isinstance(item, LTTextLine):  # a loose line: its own box
                made = _make_line(item, next(box_ids), number)
                if made is not None:
                    page.lines.append(made)
            elif isinstance(item, LTFigure):
                visit(item)
            elif isinstance(item, LTImage):
                page.has_image = True

    visit(layout)
    return page


def _make_line(line: LTTextLine, box: int, page: int) -> _Line | None:
    """Read a line's text, dominant font size and first-word extent in one pass."""
    # This loop runs once per character of the document: keep it lean.
    parts: list[str] = []
    append = parts.append
    raw_sizes: dict[float, int] = {}
    first_word_x1: float | None = None
    last_x1 = line.x0
    sideways = 0
    for obj in line:
        text = obj.get_text()
        append(text)
        if text.isspace():  # pdfminer's inserted spaces (LTAnno) or a space glyph
            if first_word_x1 is None and raw_sizes:
                first_word_x1 = last_x1
        elif isinstance(obj, LTChar):
            raw_sizes[obj.size] = raw_sizes.get(obj.size, 0) + 1
            last_x1 = obj.x1
            if not obj.upright:
                sideways += 1
    sizes: dict[float, int] = {}
    for raw, count in raw_sizes.items():
        sizes[round(raw, 1)] = sizes.get(round(raw, 1), 0) + count
    # The largest size that a fair share of the characters use: a small-caps lead-in
    # ("FOR FURTHER INFORMATION CONTACT: Ian") or a superscript does not shrink the line.
    total = sum(sizes.values())
    size = max(
        (s for s, n in sizes.items() if n >= max(2, 0.15 * total)),
        default=max(sizes, key=sizes.__getitem__) if sizes else line.height,
    )
    if len(sizes) > 1:  # mixed sizes: maybe note references ("Hanoi.3 The")
        parts = _drop_note_references(line, size)
    text = normalize_text("".join(parts)).strip()
    if not text:
        return None
    return _Line(
        text=_SPACES.sub(" ", text),
        x0=line.x0,
        y0=line.y0,
        x1=line.x1,
        y1=line.y1,
        size=size,
        first_word_x1=first_word_x1 if first_word_x1 is not None else line.x1,
        box=box,
        page=page,
        sideways=sideways > total / 2,
    )


def _drop_note_references(line: LTTextLine, size: float) -> list[str]:
    """The line's text without superscript note numbers after its first word.

    A leading one is kept: it numbers a footnote.
    """
    parts: list[str] = []
    started = False
    for obj in line:
        text = obj.get_text()
        if (
            started
            and isinstance(obj, LTChar)
            and (text.isdigit() or text in "*\u2020\u2021")
            and obj.size < 0.75 * size
            and obj.y0 > line.y0 + 0.15 * size
        ):
            continue
        started = started or (text.isalpha())
        parts.append(text)
    return parts


# ---------------------------------------------------------------------------------------
# Running headers/footers, page numbers, footnotes
# ---------------------------------------------------------------------------------------


def _margin_band(line: _Line, page: _Page, band: float) -> str | None:
    """'top' or 'bottom' if the line's centre lies in that margin band of the page."""
    height = page.y1 - page.y0
    if line.cy >= page.y1 - band * height:
        return "top"
    if line.cy <= page.y0 + band * height:
        return "bottom"
    return None


def _top(line: _Line) -> float:
    return line.y1


def _bottom(line: _Line) -> float:
    return line.y0


def _set_apart(line: _Line, lines: Sequence[_Line], below: bool) -> bool:
    """Is there a blank line's height between `line` and the nearest text below (above)?"""
    space = line.y1 - line.y0
    for other in lines:
        if other is line:
            continue
        gap = line.y0 - other.y1 if below else other.y0 - line.y1
        if -0.5 * space < gap < space:
            return False
    return True


def _mark_margins(pages: Sequence[_Page], settings: IngestSettings) -> None:
    """Mark running headers/footers and page numbers in the margin bands as 'margin'."""
    # Key: band, text with digit runs as '#', rounded font size. Case and size keep a
    # page-1 title from being taken for the running header that repeats it.
    on_pages: dict[tuple[str, str, int], set[int]] = {}
    candidates: list[tuple[_Line, tuple[str, str, int]]] = []
    for page in pages:
        if not page.lines:
            continue
        bands = [_margin_band(line, page, settings.margin_band) for line in page.lines]
        # A page box much larger than the printed area (bleed, a printer's proof) pushes
        # running headers out of the page-relative band. When a band holds no text at
        # all, look instead within the band's height of the page's first (last) text,
        # at lines set apart from the text below (above) them by a blank line.
        reach = settings.margin_band * (page.y1 - page.y0)
        text_top = max(line.y1 for line in page.lines) - reach
        text_bottom = min(line.y0 for line in page.lines) + reach
        empty_top, empty_bottom = "top" not in bands, "bottom" not in bands
        for line, band in zip(page.lines, bands, strict=True):
            if band is not None and _PAGE_NUMBER_LINE.match(line.text):
                line.role = "margin"
                continue
            if band is None and empty_top and line.cy >= text_top:
                band = "top" if _set_apart(line, page.lines, below=True) else None
            elif band is None and empty_bottom and line.cy <= text_bottom:
                band = "bottom" if _set_apart(line, page.lines, below=False) else None
            if band is None:
                continue
            key = (band, _DIGITS.sub("#", line.text), round(line.size))
            on_pages.setdefault(key, set()).add(page.number)
            candidates.append((line, key))
    # A bare number that is the page's first or last line is a page number even outside
    # the bands (LaTeX puts it ~17% up from the bottom edge).
    for page in pages:
        if page.lines:
            for line in (max(page.lines, key=_top), min(page.lines, key=_bottom)):
                digits = sum(c.isdigit() for c in line.text)
                if digits <= 3 and _BARE_PAGE_NUMBER.match(line.text):
                    line.role = "margin"
    # Rotated text on an upright page is a margin stamp or a rotated axis label that
    # pdfminer spells out letter by letter; on a rotated page it is the text itself.
    for page in pages:
        sideways = sum(len(line.text) for line in page.lines if line.sideways)
        if 0 < sideways < 0.2 * sum(len(line.text) for line in page.lines):
            for line in page.lines:
                if line.sideways:
                    line.role = "margin"
    n_text_pages = sum(1 for page in pages if page.lines)
    needed = max(2.0, settings.repeated_line_min_share * n_text_pages)
    for line, key in candidates:
        if len(on_pages[key]) >= needed:
            line.role = "margin"


def _body_size(pages: Sequence[_Page]) -> float:
    """The font size most of the document's text is set in (weighted by characters)."""
    weight: dict[float, int] = {}
    for page in pages:
        for line in page.lines:
            if line.role == "body":
                key = round(line.size * 2) / 2
                weight[key] = weight.get(key, 0) + len(line.text)
    return max(weight, key=weight.__getitem__) if weight else 0.0


def _mark_footnotes(page: _Page, body_size: float) -> None:
    """Mark small-font lines at the foot of a column of body text as footnotes.

    The document's body size, not the page's: a page can hold more footnote text than
    body text. A small line qualifies in the page's lower half, with no larger text below
    it in its column (footnotes of a multi-column page sit at the foot of each column,
    above body text of the other columns) and body text above it in its column (an
    endnotes page set small throughout is body text).
    """
    page.body_size = body_size
    limit = body_size * _FOOTNOTE_SIZE_RATIO
    middle = (page.y0 + page.y1) / 2
    lines = [line for line in page.lines if line.role == "body"]
    big = [line for line in lines if line.size > limit]
    for line in lines:
        if line.size > limit or line.cy >= middle:
            continue
        above = 0
        for other in big:
            if other.x0 < line.x1 and line.x0 < other.x1:
                if other.y0 < line.y1 - 1.0:
                    break  # larger text below it in its column
                above += 1
        else:
            if above >= 3:
                line.role = "footnote"


# ---------------------------------------------------------------------------------------
# Reading order
# ---------------------------------------------------------------------------------------


def _page_blocks(page: _Page, role: str) -> list[_Block]:
    """The page's text boxes holding lines of `role`, in reading order."""
    lines = [line for line in page.lines if line.role == role]
    if role == "body":  # in body text a boxed-apart note number is noise
        lines = [line for line in lines if not _is_reference_mark(line, page)]
    by_box: dict[int, list[_Line]] = {}
    for line in _attach_list_markers(lines, notes=role == "footnote"):
        by_box.setdefault(line.box, []).append(line)
    _absorb_fragments(by_box)
    blocks = [_Block(_merge_fragments(lines)) for lines in by_box.values()]
    try:
        return _order(blocks)
    except RecursionError:  # a pathological staircase of boxes: fall back to top-down
        return _top_down(blocks)


def _is_reference_mark(line: _Line, page: _Page) -> bool:
    """A superscript note number that pdfminer laid out as a line of its own."""
    return bool(_REFERENCE_MARK.match(line.text)) and line.size < 0.8 * page.body_size


def _attach_list_markers(lines: list[_Line], notes: bool) -> list[_Line]:
    """Prefix list numbers and bullets (and, in footnotes, note numbers) that pdfminer
    boxed apart to the text beside them.

    Without this, a column of "1." "2." "3." (or bullet glyphs) is read as its own
    column before the list items.
    """
    markers = [
        line
        for line in lines
        if _MARKER_ONLY.match(line.text) or (notes and _REFERENCE_MARK.match(line.text))
    ]
    if not markers or len(markers) > 500:  # none, or a table of numbers / letter soup
        return lines
    # Candidates share the marker's row: look them up by vertical centre.
    by_centre = sorted(lines, key=lambda item: item.cy)
    centres = [line.cy for line in by_centre]
    reach = max(line.y1 - line.y0 for line in lines)
    taken: set[int] = set()
    replaced: dict[int, _Line] = {}
    for marker in markers:
        best = None
        low = bisect_left(centres, marker.cy - reach)
        high = bisect_right(centres, marker.cy + reach)
        for line in by_centre[low:high]:
            if line is marker or id(line) in taken or line.x0 < marker.x1 - 1:
                continue
            overlap = min(marker.y1, line.y1) - max(marker.y0, line.y0)
            if (
                overlap > 0.5 * min(marker.y1 - marker.y0, line.y1 - line.y0)
                and line.x0 - marker.x1 < 6 * marker.size
                and (best is None or line.x0 < best.x0)
            ):
                best = line
        if best is None:
            continue
        # Bullets in symbol fonts often decode to junk such as "!": call them bullets.
        sign = marker.text if any(c.isalnum() for c in marker.text) else "\u2022"
        target = replaced.get(id(best), best)
        replaced[id(best)] = replace(target, text=f"{sign} {target.text}", x0=marker.x0)
        taken.add(id(marker))
    return [replaced.get(id(line), line) for line in lines if id(line) not in taken]


def _absorb_fragments(by_box: dict[int, list[_Line]]) -> None:
    """Move one-line boxes that sit inside another box (a piece of a justified line that
    pdfminer boxed separately) into that box, so the pieces are rejoined in place."""
    hosts = {
        box: (
            min(line.x0 for line in lines),
            min(line.y0 for line in lines),
            max(line.x1 for line in lines),
            max(line.y1 for line in lines),
        )
        for box, lines in by_box.items()
        if len(lines) > 1
    }
    if not hosts:
        return
    for box, lines in list(by_box.items()):
        if len(lines) != 1:
            continue
        piece = lines[0]
        for host, (x0, y0, x1, y1) in hosts.items():
            if x0 - 1 <= piece.x0 and piece.x1 <= x1 + 1 and y0 < piece.cy < y1:
                by_box[host].append(piece)
                del by_box[box]
                break


def _merge_fragments(lines: list[_Line]) -> list[_Line]:
    """Rejoin pieces of one line that pdfminer split at a wide justified space.

    pdfminer keeps such pieces in the same box but may list the right piece first.
    """
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda item: -item.y1):
        if rows:
            head = rows[-1][0]
            overlap = min(head.y1, line.y1) - max(head.y0, line.y0)
            if overlap > 0.5 * min(head.y1 - head.y0, line.y1 - line.y0):
                rows[-1].append(line)
                continue
        rows.append([line])
    merged: list[_Line] = []
    for row in rows:
        if len(row) == 1:
            merged.append(row[0])
            continue
        row.sort(key=lambda item: item.x0)
        merged.append(
            replace(
                row[0],
                text=" ".join(item.text for item in row),
                x1=max(item.x1 for item in row),
                y0=min(item.y0 for item in row),
                y1=max(item.y1 for item in row),
            )
        )
    return merged


def _top_down(blocks: list[_Block]) -> list[_Block]:
    return sorted(blocks, key=lambda b: (-b.y1, b.x0))


def _order(blocks: list[_Block]) -> list[_Block]:
    """Order blocks for reading: columns left to right, full-width blocks in place.

    Blocks that have a neighbour side by side define the column gutters. A block with no
    such neighbour that straddles a gutter (a title, a full-width paragraph or caption)
    separates the page into horizontal sections; each section is read column by column.
    """
    if len(blocks) <= 1:
        return blocks
    paired = _side_by_side(blocks)
    gutters = _x_gaps([blocks[i] for i in paired]) if paired else []
    separators = [
        i
        for i, block in enumerate(blocks)
        if i not in paired and any(block.x0 < g0 and block.x1 > g1 for g0, g1 in gutters)
    ]
    if not separators:
        return _xy_cut(blocks)
    seps = sorted((blocks[i] for i in separators), key=lambda b: -b.cy)
    sections: list[list[_Block]] = [[] for _ in range(len(seps) + 1)]
    chosen = set(separators)
    for i, block in enumerate(blocks):
        if i not in chosen:
            sections[sum(1 for sep in seps if sep.cy > block.cy)].append(block)
    ordered: list[_Block] = []
    for k, section in enumerate(sections):
        ordered.extend(_order(section))
        if k < len(seps):
            ordered.append(seps[k])
    return ordered


def _side_by_side(blocks: list[_Block]) -> set[int]:
    """Indices of blocks that share a horizontal band with a block beside them."""
    order = sorted(range(len(blocks)), key=lambda i: -blocks[i].y1)
    paired: set[int] = set()
    for pos, i in enumerate(order):
        a = blocks[i]
        for j in order[pos + 1 :]:
            b = blocks[j]
            if b.y1 <= a.y0:
                break  # sorted by top: every later block lies entirely below `a`
            overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
            if overlap <= 0.25 * min(a.y1 - a.y0, b.y1 - b.y0):
                continue
            if a.x1 <= b.x0 + 1.0 or b.x1 <= a.x0 + 1.0:
                paired.add(i)
                paired.add(j)
    return paired


def _x_gaps(blocks: Sequence[_Block], min_gap: float = 1.0) -> list[tuple[float, float]]:
    """Horizontal gaps not covered by any block (candidate column gutters), left to right."""
    spans = sorted((b.x0, b.x1) for b in blocks)
    gaps: list[tuple[float, float]] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach > min_gap:
            gaps.append((reach, x0))
        reach = max(reach, x1)
    return gaps


def _xy_cut(blocks: list[_Block]) -> list[_Block]:
    """Recursive XY-cut that tries columns (vertical cuts) before rows.

    Columns first, because the paragraph gaps of two columns often line up: cutting rows
    first would interleave the columns.
    """
    if len(blocks) <= 1:
        return blocks
    gaps = _x_gaps(blocks)
    if gaps:
        cuts = [g0 for g0, _ in gaps]
        columns: list[list[_Block]] = [[] for _ in range(len(cuts) + 1)]
        for block in blocks:
            columns[sum(1 for cut in cuts if block.x0 > cut)].append(block)
        return [b for column in columns for b in _order(column)]
    rows: list[list[_Block]] = []
    floor = 0.0
    for block in _top_down(blocks):
        if rows and block.y1 > floor + 0.5:  # overlaps the current row vertically
            rows[-1].append(block)
            floor = min(floor, block.y0)
        else:
            rows.append([block])
            floor = block.y0
    if len(rows) > 1:
        return [b for row in rows for b in _order(row)]
    return _top_down(blocks)


# ---------------------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------------------


def _add_flow(flow: list[list[_Line]], blocks: list[_Block], footnotes: bool) -> None:
    """Append a page's blocks' paragraphs to `flow`, rejoining ones broken by a column or
    page break and list items whose hanging-indented lines pdfminer boxed separately."""
    for block in blocks:
        paragraphs = _split_block(block, footnotes)
        if flow and (
            _continues(flow[-1][-1], paragraphs[0][0]) or _adjacent(flow[-1], block, footnotes)
        ):
            flow[-1].extend(paragraphs[0])
            paragraphs = paragraphs[1:]
        flow.extend(paragraphs)


def _adjacent(paragraph: list[_Line], block: _Block, footnotes: bool) -> bool:
    """Does `block` continue `paragraph` from right below it in the same column?

    pdfminer boxes an indented first line, or a list item's first line, apart from the
    rest of the paragraph; judge the two lines as if they were in one box.
    """
    last, line = paragraph[-1], block.lines[0]
    gap = last.y0 - line.y1
    if (
        line.page != last.page
        or not -0.5 < gap < 0.8 * max(last.size, line.size)
        or line.x0 >= last.x1
        or last.x0 >= line.x1
    ):
        return False
    left = min(min(item.x0 for item in paragraph), block.x0)
    right = _right_edge([*paragraph, *block.lines])
    return not _breaks(last, line, gap, gap, left, right, paragraph[0], footnotes)


def _continues(previous: _Line, following: _Line) -> bool:
    """Does `following` (first line of a new box or page) continue the paragraph that
    `previous` ends? Only in the same font size: a heading is not continued by its text."""
    if abs(previous.size - following.size) > _SIZE_CHANGE * max(previous.size, following.size):
        return False
    before, after = previous.text, following.text
    if before[-1] in _HYPHENS and after[0].isalpha():
        return True  # a word or compound broken at the break
    return not ends_sentence(before) and after[0].islower()


def _split_block(block: _Block, footnotes: bool) -> list[list[_Line]]:
    """Split a text box's lines into paragraphs."""
    lines = block.lines
    left = block.x0
    right = _right_edge(lines)
    gaps = [upper.y0 - lower.y1 for upper, lower in pairwise(lines)]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    paragraphs = [[lines[0]]]
    for (previous, line), gap in zip(pairwise(lines), gaps, strict=True):
        first = paragraphs[-1][0]
        if _breaks(previous, line, gap, usual_gap, left, right, first, footnotes):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _right_edge(lines: Sequence[_Line]) -> float:
    """The box's right margin, ignoring one line that sticks out (a long URL)."""
    edges = sorted((line.x1 for line in lines), reverse=True)
    if len(edges) > 2 and edges[0] - edges[1] > 2 * lines[0].size:
        return edges[1]
    return edges[0]


def _breaks(
    previous: _Line,
    line: _Line,
    gap: float,
    usual_gap: float,
    left: float,
    right: float,
    first: _Line,
    footnotes: bool,
) -> bool:
    """Does `line` start a new paragraph after `previous` within the same box?"""
    size = max(previous.size, line.size)
    if abs(previous.size - line.size) > _SIZE_CHANGE * size:
        return True  # a heading and its text
    if gap > usual_gap + 0.5 * size:
        return True
    if line.text[0] in _BULLETS or (_LIST_ITEM.match(line.text) and ends_sentence(previous.text)):
        return True
    if previous.text[-1] in _HYPHENS and not previous.text.endswith(" -"):
        return False  # a word broken across lines
    if footnotes and _FOOTNOTE_MARK.match(line.text) and _ends_note(previous.text):
        return True
    # The previous line stops short although this line's first word would have fit: it
    # was the last line of its paragraph. Typesetters of ragged-right text do leave such
    # gaps mid-paragraph, so also ask for a sentence end or a clearly short line.
    room = right - previous.x1
    if room > (line.first_word_x1 - line.x0) + 0.5 * size and (
        ends_sentence(previous.text) or room > 0.4 * (right - left)
    ):
        return True
    indent = line.x0 - left
    if (
        indent >= _INDENT * size
        and previous.x0 - left < 0.3 * size
        and not _LIST_ITEM.match(first.text)
    ):
        return True  # a first-line indent (not a hanging indent of a list item)
    return False


def _ends_note(text: str) -> bool:
    """A footnote ends with a full stop or, often, with a bare URL."""
    last = text.rsplit(" ", 1)[-1]
    return ends_sentence(text) or "/" in last or last.startswith("www.")


# ---------------------------------------------------------------------------------------
# Empty / junk text
# ---------------------------------------------------------------------------------------


def _check_text(
    paragraphs: Sequence[Paragraph],
    pages: Sequence[_Page],
    tail: bytes,
    settings: IngestSettings,
    warnings: list[str],
) -> None:
    """Raise ExtractionFailure('empty') when the PDF has no usable text layer."""
    text = "\n".join(p.text for p in paragraphs)
    letters, share = letter_stats(text)
    n_pages = max(len(pages), 1)
    truncated = b"%%EOF" not in tail
    if letters == 0 and truncated:
        raise ExtractionFailure(
            "empty",
            "no text could be read and the file looks truncated (it has no %%EOF end "
            "marker); re-download it or export it again",
        )
    if not pages:
        raise ExtractionFailure(
            "empty",
            "no pages could be read (the PDF's page tree looks damaged); open it in a viewer "
            "and re-export it (print to PDF), or run OCR (e.g. ocrmypdf) if it is a scan",
        )
    has_images = any(page.has_image for page in pages)
    if letters < settings.min_letters_per_page * n_pages and (letters == 0 or has_images):
        raise ExtractionFailure(
            "empty",
            f"no text layer (scanned or image-only pages: {letters} letters on "
            f"{len(pages)} page(s)); run OCR (e.g. ocrmypdf) and add the OCR'd PDF",
        )
    if share < settings.min_letter_share:
        raise ExtractionFailure(
            "empty",
            f"the text layer is junk (only {share:.0%} of its characters are letters: a "
            "poor OCR layer or fonts without a text mapping); run OCR again (e.g. "
            "ocrmypdf --force-ocr) and add the OCR'd PDF",
        )
    if letters < settings.min_letters_per_page * n_pages:
        # Few letters but no images: a short document (a form, a cover), not a scan.
        warnings.append(f"very little text: {letters} letters on {len(pages)} page(s)")


# ---------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------

_OFFICE_PREFIX = re.compile(
    r"^(?:microsoft\s+)?(?:word|powerpoint|excel|office)\s*-\s*", re.IGNORECASE
)
_FILE_EXTENSION = re.compile(
    r"\.(?:docx?|rtf|odt|pdf|pptx?|xlsx?|indd|txt|tex|dvi|ps|qxd|pages|html?)$", re.IGNORECASE
)
_JUNK_TITLE = re.compile(
    r"^(?:untitled(?:[\s_-]*\d+)?|untitled document|title|document\s*\d*|no title|none|null"
    r"|unknown|n/?a|slide\s*\d+|presentation\s*\d*|powerpoint presentation|[\W\d_]*)$",
    re.IGNORECASE,
)
_JUNK_AUTHORS = {
    "anonymous",  # reportlab's default
    "admin",
    "administrator",
    "author",
    "owner",
    "user",
    "unknown",
    "windows user",
    "microsoft office user",
    "microsoft",
    "default",
    "none",
    "null",
    "n/a",
}
_PDF_DATE = re.compile(r"^\s*(?:D:)?\s*(\d{4})(\d{2})(\d{2})")


def _read_metadata(document: PDFDocument) -> dict[str, str | None]:
    """Title, authors and creation date from the PDF info dictionary (newest first)."""
    info: dict[str, Any] = {}
    for entries in document.info:
        for key, value in entries.items():
            info.setdefault(key, value)
    metadata: dict[str, str | None] = {}
    title = _clean_title(_pdf_string(info.get("Title")))
    authors = _clean_authors(_pdf_string(info.get("Author")))
    date = _pdf_date(_pdf_string(info.get("CreationDate")))
    for key, value in (("title", title), ("authors", authors), ("date", date)):
        if value:
            metadata[key] = value
    return metadata


def _pdf_string(value: Any) -> str | None:
    """Decode a PDF text string: UTF-16 with BOM, UTF-8 with BOM, or PDFDocEncoding."""
    try:
        value = resolve1(value)
    except Exception:  # a dangling reference in the info dict is not worth failing over
        return None
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            text = value[2:].decode("utf-16-be", "ignore")
        elif value.startswith(b"\xff\xfe"):
            text = value[2:].decode("utf-16-le", "ignore")
        elif value.startswith(b"\xef\xbb\xbf"):
            text = value[3:].decode("utf-8", "ignore")
        else:
            try:
                # Some producers write UTF-8 without a BOM; valid multi-byte UTF-8 is
                # practically never meant as PDFDocEncoding.
                text = value.decode("utf-8") if not value.isascii() else decode_text(value)
            except UnicodeDecodeError:
                text = decode_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = _SPACES.sub(" ", normalize_text(text.replace("\x00", ""))).strip()
    return text or None


def _clean_title(title: str | None) -> str | None:
    """Drop placeholder and file-name titles; strip 'Microsoft Word - ' and extensions."""
    if not title:
        return None
    title = _OFFICE_PREFIX.sub("", title).strip()
    stem = _FILE_EXTENSION.sub("", title).strip()
    had_extension = stem != title
    if " " not in stem and (had_extension or any(c in stem for c in "_\\/")):
        return None  # a file name or path, not a title
    if _JUNK_TITLE.match(stem):
        return None
    return stem


def _clean_authors(authors: str | None) -> str | None:
    """Drop account names that word processors fill in ('Administrator', 'User')."""
    if not authors or authors.lower() in _JUNK_AUTHORS:
        return None
    if not any(c.isalpha() for c in authors):
        return None
    return authors


def _pdf_date(value: str | None) -> str | None:
    """'D:20190328093000+09'00'' -> '2019-03-28' (the date as written, in its own zone)."""
    if not value:
        return None
    match = _PDF_DATE.match(value)
    if not match:
        return None
    try:
        date = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    if not 1990 <= date.year <= dt.date.today().year + 1:
        return None  # epoch or placeholder dates
    return date.isoformat()
