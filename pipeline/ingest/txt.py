"""TXT briefs -> clean paragraphs: decoding, web-page debris, and reflowing wrapped lines.

TXT briefs come from two sources with different damage:

* text copied from a web page: one paragraph per line, with site furniture around it (view
  counters, "Print"/"Share" buttons, the series banner, the title and byline repeated);
* text saved from a PDF: hard-wrapped lines, sometimes with a blank line after every line
  (so a paragraph is only visible as a whitespace-only line) and stray spaces at page seams.

The file is never modified; everything happens on a decoded copy.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from pipeline.config import IngestSettings
from pipeline.ingest import clean
from pipeline.ingest.clean import (
    Vocabulary,
    join_lines,
    letter_stats,
    normalize_text,
)
from pipeline.ingest.infer import (
    NUMBERED_HEADING,
    parse_affiliation,
    parse_date_line,
    parse_names,
)
from pipeline.ingest.model import ExtractedText, ExtractionFailure, Paragraph

# ---------------------------------------------------------------------------- decoding

# Longer BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Signatures of formats people save with the wrong extension.
_MAGIC = (
    (b"%PDF-", "it starts like a PDF file"),
    (b"PK\x03\x04", "it is a ZIP archive, e.g. a Word .docx file"),
    (b"\xd0\xcf\x11\xe0", "it is an old Office file, e.g. a Word .doc file"),
    (b"{\\rtf", "it is an RTF document"),
)
# More control characters than this share (tab, newlines and form feed excepted) is binary.
_MAX_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_HANGUL = re.compile("[\uac00-\ud7a3]")


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined decode as their Latin-1 code points, as browsers
    # do, so one stray byte does not make a Western text unreadable.
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("summit-briefs-latin1", _latin1_fallback)


def _not_text(reason: str) -> ExtractionFailure:
    return ExtractionFailure(
        "error",
        f"not a text file: it looks binary ({reason}); if it is a PDF or Word file, give it "
        "the right extension (.pdf) or save it as plain text (.txt), then run the build again",
    )


def decode_bytes(data: bytes, min_letter_share: float = 0.5) -> tuple[str, str]:
    """Decode a TXT file's bytes, detecting the encoding deterministically.

    Order: byte-order marks; UTF-16 without BOM (recognised by NUL bytes in every other
    position); strict UTF-8; then the legacy encodings briefs come in, cp949 (Korean) and
    cp1252 (Western), with charset-normalizer as the tie-breaker when both decode.

    Args:
        data: the file's bytes.
        min_letter_share: below this share of letters among visible characters the decoded
            text is judged binary junk (`IngestSettings.min_letter_share`).

    Returns:
        The text and the encoding's name (e.g. 'utf-8', 'utf-8-sig', 'utf-16-le', 'cp949').

    Raises:
        ExtractionFailure: status 'error' when the bytes are not text in any of them.
    """
    head = data[:1024]
    for magic, what in _MAGIC:
        if head.lstrip().startswith(magic) or (magic == b"%PDF-" and magic in head):
            raise _not_text(what)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise _not_text(
                    f"it starts with a {encoding} byte-order mark but is not "
                    f"valid {encoding}: {exc.reason}"
                ) from exc
            return _checked(text, encoding, min_letter_share)
    if b"\x00" in data:
        encoding = _utf16_from_nuls(data)
        if encoding is None:
            raise _not_text("it contains NUL bytes")
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _not_text("it contains NUL bytes") from exc
        return _checked(text, encoding, min_letter_share)
    try:
        return _checked(data.decode("utf-8"), "utf-8", min_letter_share)
    except UnicodeDecodeError:
        pass
    text, encoding = _decode_legacy(data)
    return _checked(text, encoding, min_letter_share)


def _utf16_from_nuls(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' if NULs sit in every other byte (Latin text in UTF-16)."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= 0.3 and even_nul <= 0.05:
        return "utf-16-le"
    if even_nul >= 0.3 and odd_nul <= 0.05:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _plausible_korean(text: str) -> bool:
    """True if cp949 output looks like Korean, not Western bytes misread as Hangul.

    Real Korean text stays within the KS X 1001 (EUC-KR) repertoire: common syllables,
    Hanja, symbols. Western accented letters and curly quotes misread as cp949 fall into the
    rare extended syllables, or do not decode at all.
    """
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii or not _HANGUL.search(text):
        return False
    in_euc_kr = 0
    for char in non_ascii:
        try:
            char.encode("euc_kr")
            in_euc_kr += 1
        except UnicodeEncodeError:
            pass
    return in_euc_kr / len(non_ascii) >= 0.95


def _decode_legacy(data: bytes) -> tuple[str, str]:
    korean = _strict(data, "cp949")
    if korean is not None and not _plausible_korean(korean):
        korean = None
    western = _strict(data, "cp1252")
    if korean is not None and western is None:
        return korean, "cp949"
    if western is not None and korean is None:
        return western, "cp1252"
    if korean is not None and western is not None:
        best = from_bytes(data, cp_isolation=["cp949", "cp1252"]).best()
        if best is not None and best.encoding == "cp1252":
            return western, "cp1252"
        return korean, "cp949"  # it passed the EUC-KR repertoire test: trust the Hangul
    best = from_bytes(data, cp_isolation=["cp949", "euc_kr", "cp1252", "latin_1"]).best()
    if best is not None:
        text = str(best)
        if _HANGUL.search(text):
            return text, "cp949"
        if best.encoding != "latin_1":
            return text, best.encoding
    # Western text with a stray undefined byte: cp1252, undefined bytes as Latin-1.
    return data.decode("cp1252", errors="summit-briefs-latin1"), "cp1252"


def _checked(text: str, encoding: str, min_letter_share: float) -> tuple[str, str]:
    """Reject decoded text that is really binary: control characters or few letters."""
    if not text.strip():
        return text, encoding  # empty: the caller reports it as such
    controls = sum(1 for c in text if c not in _TEXT_CONTROLS and unicodedata.category(c) == "Cc")
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise _not_text(f"{controls} control characters in {len(text)} decoded as {encoding}")
    _, share = letter_stats(text)
    if share < min_letter_share:
        raise _not_text(f"only {share:.0%} of its characters are letters")
    return text, encoding


# ------------------------------------------------------------------------- furniture

# Lines this early in the file (content lines) are the head, where banners live.
_HEAD_LINES = 40
_MAX_FURNITURE_WORDS = 12
_MAX_FURNITURE_CHARS = 100
_LONG_LINE = 100  # a body line, for telling a repeated section heading from a banner


# A footnote marker after the full stop ("...sanctions.12") still ends the sentence.
_FOOTNOTE_MARK = re.compile(r"(?<=[.!?\"\u201d\u2019)\]])\d{1,3}$")
# A line that is only a page number: "3", "- 3 -", "Page 3 of 12", "3/12".
_PAGE_NUMBER = re.compile(
    r"(?:page|p\.)?\s*[-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?(?:\s*(?:of|/)\s*\d{1,4})?",
    re.IGNORECASE,
)


def ends_sentence(text: str) -> bool:
    """`clean.ends_sentence`, tolerating a footnote number after the punctuation."""
    return clean.ends_sentence(_FOOTNOTE_MARK.sub("", text.rstrip()))


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _is_furniture_candidate(line: str) -> bool:
    """A short line that is not a sentence and not a numbered heading."""
    return (
        len(line.split()) <= _MAX_FURNITURE_WORDS
        and len(line) <= _MAX_FURNITURE_CHARS
        and not re.search(r"[.,;]$", line)
        and not line[:1].islower()
        and not NUMBERED_HEADING.match(line)
    )


def drop_furniture(lines: Sequence[str], settings: IngestSettings) -> list[str | None]:
    """Mark web-page debris, page numbers and repeated banners as removed (None).

    * A line matching one of `settings.debris_patterns` (whole line, any case) is debris.
    * A line with no letter or digit ("* * *", "-----") is decoration; a line holding only
      a page number ("- 3 -", "Page 3 of 12") is page furniture.
    * A short line without sentence punctuation that occurs twice or more, once in the first
      lines, is page furniture, with three exceptions that keep one copy:
      - a byline (the line is a person's name): keep the first copy;
      - the title: a copy is followed directly by a date, byline or affiliation line (web
        pages repeat "title / date / author" above the text): keep the first copy;
      - a section heading: a copy is followed by two long sentences of body text (a table
        of contents repeats headings): keep that copy.
      Anything else repeated, e.g. the series banner "Sejong Policy Briefs" printed above
      and inside the page, is dropped everywhere.

    Removed lines stay in the list as None so that `reflow` can close the gap they leave.
    """
    patterns = [re.compile(p, re.IGNORECASE) for p in settings.debris_patterns]
    out: list[str | None] = list(lines)
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if (
            any(p.fullmatch(text) for p in patterns)
            or not re.search(r"[^\W_]", text)
            or _PAGE_NUMBER.fullmatch(text)
        ):
            out[i] = None

    content = [i for i, line in enumerate(out) if line and line.strip()]
    text_of = {i: (out[i] or "").strip() for i in content}
    head = set(content[:_HEAD_LINES])
    following = {a: content[k + 1 : k + 3] for k, a in enumerate(content)}
    groups: dict[str, list[int]] = defaultdict(list)
    for i in content:
        if _is_furniture_candidate(text_of[i]):
            groups[_key(text_of[i])].append(i)

    def starts_metadata(i: int) -> bool:
        nxt = following[i][:1]
        if not nxt:
            return False
        text = text_of[nxt[0]]
        return bool(
            parse_date_line(text)
            or parse_names(text)
            or parse_affiliation(text, settings.think_tanks)
        )

    def starts_body(i: int) -> bool:
        nxt = following[i]
        return len(nxt) == 2 and all(
            len(text_of[j]) >= _LONG_LINE and ends_sentence(text_of[j]) for j in nxt
        )

    for copies in groups.values():
        if len(copies) < 2 or not head.intersection(copies):
            continue
        if any(following[i] and text_of[following[i][0]][:1].islower() for i in copies):
            continue  # a wrapped fragment of a sentence that happens to recur, not furniture
        if parse_names(text_of[copies[0]]) or any(starts_metadata(i) for i in copies):
            keep = copies[0]
        else:
            keep = next((i for i in copies if starts_body(i)), -1)
        for i in copies:
            if i != keep:
                out[i] = None
    return out


# ---------------------------------------------------------------------------- reflow

# Lines longer than this were never hard-wrapped: the text has one paragraph per line.
_MAX_WRAP_WIDTH = 160
_SHORT_SHARE = 0.6  # a line shorter than this share of the wrap width ended early


@dataclass(frozen=True)
class _Line:
    text: str  # stripped
    indent: int  # leading spaces: a stray one marks a page seam in PDF-saved text
    gap: tuple[str, ...]  # the blank or whitespace-only lines before it


@dataclass(frozen=True)
class _Layout:
    wrap: int  # typical full line length
    double_spaced: bool  # a blank line after every line
    spacer: str  # the blank line that separates lines (double-spaced layout)


def _split_lines(lines: Sequence[str | None]) -> list[_Line]:
    items: list[_Line] = []
    gap: list[str] = []
    for line in lines:
        if line is None:
            # A removed line takes one blank line with it, so a page number between two
            # lines of a double-spaced paragraph does not split the paragraph.
            if gap:
                gap.pop()
        elif line.strip():
            stripped = line.strip()
            items.append(_Line(stripped, len(line) - len(line.lstrip()), tuple(gap)))
            gap = []
        else:
            gap.append(line)
    return items


def _detect_layout(items: Sequence[_Line]) -> _Layout:
    """Measure the wrap width and detect the blank-line-after-every-line layout.

    The layout is double-spaced when most consecutive lines are separated by exactly one
    blank line AND many of those breaks fall mid-sentence (the previous line is unfinished
    and the next continues it in lower case, or the previous ends with a hyphen). The second
    test keeps out web text with one paragraph per line and a blank line between paragraphs,
    where the only unfinished lines are titles and headings followed by a capital.
    """
    lengths = sorted(len(item.text) for item in items)
    wrap = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    singles = [k for k in range(1, len(items)) if len(items[k].gap) == 1]
    if len(items) < 6 or len(singles) < 0.5 * (len(items) - 1) or wrap > _MAX_WRAP_WIDTH:
        return _Layout(wrap, False, "")
    mid_sentence = 0
    for k in singles:
        prev, cur = items[k - 1].text, items[k].text
        # Lower case (or an uncased script such as Hangul) after an unfinished line.
        continues = cur[:1].isalpha() and not cur[:1].isupper()
        if not ends_sentence(prev) and (continues or prev.endswith("-")):
            mid_sentence += 1
    spacers = [items[k].gap[0] for k in singles]
    spacer = max(sorted(set(spacers)), key=spacers.count)
    return _Layout(wrap, mid_sentence >= 0.3 * len(singles), spacer)


def _starts_block(text: str) -> bool:
    """Could start a paragraph: capital, digit, bullet, quote or an uncased script."""
    first = text[:1]
    if first.isalpha():
        return not first.islower()
    return first.isdigit() or first in "(\"'\u201c\u2018\u2022*-\u2013\u2014[\u25cf\u25a0\u25aa"


def _title_ratio(text: str) -> float:
    """Share of capitalised words among the words of four or more letters."""
    words = [w for w in text.split() if sum(c.isalpha() for c in w) >= 4]
    if not words:
        return 1.0
    return sum(1 for w in words if w.lstrip("(\"'\u201c")[:1].isupper()) / len(words)


def _is_heading(text: str, wrap: int) -> bool:
    """A heading line: numbered ("3. Prospect", "(1) ...") or short and title-cased."""
    if re.search(r"[.!?,;:]$", text):
        return False
    words = text.split()
    if NUMBERED_HEADING.match(text):
        rest = text[len(words[0]) :].strip()  # without the number
        return len(words) <= 15 and rest[:1].isupper() and _title_ratio(rest) >= 0.5
    return (
        len(words) <= 10
        and len(text) < 0.7 * wrap
        and text[:1].isupper()
        and _title_ratio(text) >= 0.6
    )


def _is_short(text: str, wrap: int) -> bool:
    return len(text) < _SHORT_SHARE * wrap


# A bullet ("• ", "- ", "▪ ") or a numbered item ("1. ", "(2) ") starting a line.
_LIST_ITEM = re.compile(
    r"(?:[\u2022\u25cf\u25cb\u25a0\u25a1\u25aa\u25c6\u25b6\u27a2\u2013\u2014*-]|"
    r"\(\d{1,2}\)|\d{1,2}[.)])\s+\S"
)


def _paragraph_break(prev: _Line, cur: _Line, layout: _Layout) -> bool:
    """Does `cur` start a new paragraph after `prev`?"""
    if layout.double_spaced:
        if len(cur.gap) >= 2 or (len(cur.gap) == 1 and cur.gap[0] != layout.spacer):
            return True  # whitespace-only separator, or removed furniture
        if not cur.gap and ends_sentence(prev.text) and _starts_block(cur.text):
            return True  # page seam after a finished sentence: a new block starts
    else:
        if cur.gap:
            return True
        if layout.wrap > _MAX_WRAP_WIDTH:
            # One paragraph per line; only a sentence visibly running on continues.
            return ends_sentence(prev.text) or not cur.text[:1].islower()
        if cur.indent > prev.indent and ends_sentence(prev.text) and _starts_block(cur.text):
            return True  # first-line indent marks a paragraph
    if _is_heading(prev.text, layout.wrap) and _starts_block(cur.text):
        return True
    if _LIST_ITEM.match(cur.text) and (
        ends_sentence(prev.text) or _is_short(prev.text, layout.wrap)
    ):
        return True  # each bullet or numbered item of a list is its own paragraph
    if _is_heading(cur.text, layout.wrap) and (
        ends_sentence(prev.text) or _is_short(prev.text, layout.wrap)
    ):
        return True
    # A line that stops well short of the wrap width ended its paragraph (or is a title,
    # date or byline line of its own).
    return _is_short(prev.text, layout.wrap) and (
        ends_sentence(prev.text) or _starts_block(cur.text)
    )


# "...between the two parties. 1. Policy Means of the U.S. and DPRK": a numbered heading
# glued onto the end of a paragraph when the line break before it was lost.
_INLINE_HEADING = re.compile(r"(?<=[.!?\"\u201d\u2019)])\s+(?=(?:\d{1,2}|[IVX]{1,4})\.\s+[A-Z])")


def _split_trailing_heading(text: str) -> list[str]:
    for match in _INLINE_HEADING.finditer(text):
        tail = text[match.end() :]
        rest = tail.partition(" ")[2]  # without the number
        if (
            len(tail.split()) <= 15
            and not re.search(r"[.!?,;:]$", tail)
            and _title_ratio(rest) >= 0.7
            and len(text[: match.start()].split()) >= 5
        ):
            return [text[: match.start()], tail]
    return [text]


def reflow(lines: Sequence[str | None]) -> list[str]:
    """Rebuild paragraphs from a text's lines (blank lines included, None for removed ones).

    Returns:
        One string per paragraph, its lines joined and hyphenated breaks mended.
    """
    items = _split_lines(lines)
    if not items:
        return []
    layout = _detect_layout(items)
    vocabulary = Vocabulary.from_text(item.text for item in items)
    groups: list[list[str]] = [[items[0].text]]
    for prev, cur in zip(items, items[1:], strict=False):
        if _paragraph_break(prev, cur, layout):
            groups.append([cur.text])
        else:
            groups[-1].append(cur.text)
    paragraphs = []
    for group in groups:
        paragraphs.extend(_split_trailing_heading(join_lines(group, vocabulary)))
    return [p for p in paragraphs if p]


# ------------------------------------------------------------------------------- entry


def extract_txt(path: Path, settings: IngestSettings) -> ExtractedText:
    """Read a TXT brief into paragraphs (page None), recording the detected encoding.

    Raises:
        ExtractionFailure: 'empty' for an empty or whitespace-only file (or one holding only
            web-page debris); 'error' for an unreadable or binary file.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionFailure("error", f"cannot read the file: {exc.strerror or exc}") from exc
    if not data:
        raise ExtractionFailure("empty", "the file is empty (0 bytes); replace it with the brief")
    text, encoding = decode_bytes(data, settings.min_letter_share)
    text = normalize_text(text)
    if not text.strip():
        raise ExtractionFailure(
            "empty", "the file holds only whitespace; replace it with the brief's text"
        )
    paragraphs = reflow(drop_furniture(text.split("\n"), settings))
    if not paragraphs:
        raise ExtractionFailure(
            "empty",
            "the file holds only web-page debris (view counters, buttons, banners); "
            "replace it with the brief's text",
        )
    return ExtractedText(
        paragraphs=[Paragraph(p, None, "body") for p in paragraphs],
        n_pages=None,
        metadata={},
        encoding=encoding,
    )
