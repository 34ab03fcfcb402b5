"""Brief layout for spaCy: paragraph and heading boundaries as sentence boundaries, sections.

The ingest stage joins paragraphs with a blank line; this component (placed before the
parser) starts a sentence at every paragraph, keeps each heading in one piece, and records
the headings in `doc.spans["headings"]` so sentences can carry their section.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

HEADINGS = "headings"
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# "3. Prospect", "(1) Establishment of ...", "II. Findings", "A. Options", "1.2 Scope"
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,2}(?:\.\d{1,2})*[.)]|\(?[ivxIVX]{1,4}[.)]|[A-H][.)])\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;,\"”’)]\s*$")


def is_heading(paragraph: str) -> bool:
    """True if a paragraph reads as a heading: short, no closing punctuation.

    Numbered lines ("3. Prospect", "(1) Establishment of a Comprehensive Nuclear Roadmap")
    and short unpunctuated lines that start with a capital ("Executive Summary") qualify.
    """
    text = paragraph.strip()
    if not text or "\n" in text:
        return False
    words = text.split()
    if _NUMBERED.match(text):
        return len(words) <= 16 and not text.endswith(".")
    if len(words) > 12 or _SENTENCE_END.search(text):
        return False
    return text[0].isupper()


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character (start, end) of every paragraph in clean text (blank-line separated)."""
    spans, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


@Language.factory("briefs_layout")
def make_layout(nlp: Language, name: str) -> BriefLayout:
    return BriefLayout()


# A bracketed note mark ("[2]"); the tokenizer makes it a token of its own (build.py).
NOTE_MARK = r"\[\d{1,3}\]"
_NOTE_MARK_TOKEN = re.compile(rf"^{NOTE_MARK}$")
_STOPS = frozenset({".", "!", "?", ".\u201d", "\u201d", '"', "\u2019", "'"})


class BriefLayout:
    """Sentence starts at paragraph starts; headings are single sentences (`doc.spans`); a
    note mark after a stop ends its sentence ("... future.[2] North Korea's ...")."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:-1]:
            if _NOTE_MARK_TOKEN.match(token.text) and doc[token.i - 1].text in _STOPS:
                token.is_sent_start = False
                doc[token.i + 1].is_sent_start = True
        headings = []
        for start_char, end_char in paragraph_spans(doc.text):
            span = doc.char_span(start_char, end_char, alignment_mode="expand")
            if span is None or not len(span):
                continue
            span[0].is_sent_start = True
            if is_heading(span.text):
                for token in span[1:]:
                    token.is_sent_start = False
                headings.append(Span(doc, span.start, span.end, label="heading"))
        doc.spans[HEADINGS] = headings
        return doc
