"""Text clean-up shared by the PDF and TXT extractors: normalisation and joining lines.

Pure functions over strings; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Characters that carry no text: zero-width spaces and joiners, BOMs, soft hyphens.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Spaces that should read as one ordinary space.
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
# Typographic ligatures that pdfminer passes through as single code points.
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_LIGATURE_RE = re.compile("|".join(_LIGATURES))

# Hyphen-like characters a line can end with when a word is broken across lines.
_LINE_END_HYPHEN = re.compile(r"(\S*?)([-\u2010\u2011])$")
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010\u2011][^\W\d_]+)*")
_FIRST_WORD = re.compile(r"^[^\W\d_]+")
# One romanised Korean syllable (McCune-Reischauer or Revised Romanization), lower case.
_ROMANISED_SYLLABLE = re.compile(r"(?:[bcdghjkmnprstw]{0,3})[aeiouwy]{1,3}(?:ng|n|k|l|m|p|t)?")
_SENTENCE_END = re.compile(r"[.!?:;\"\u201d\u2019)\]]$")


def normalize_text(text: str) -> str:
    """NFC-normalise, unify line breaks and odd spaces, drop invisible characters.

    Curly quotes and dashes are kept as written; only characters that change nothing for a
    reader but break matching (non-breaking spaces, soft hyphens, ligatures) are replaced.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.translate(_INVISIBLE)
    text = _LIGATURE_RE.sub(lambda m: _LIGATURES[m.group()], text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Vocabulary:
    """Word forms seen in a document, used to decide how to rejoin a hyphenated line break."""

    words: frozenset[str]
    hyphenated: frozenset[str]

    @classmethod
    def from_text(cls, texts: Iterable[str]) -> Vocabulary:
        words: set[str] = set()
        hyphenated: set[str] = set()
        for text in texts:
            for match in _WORD.finditer(text):
                token = match.group().lower()
                if "-" in token or "\u2010" in token or "\u2011" in token:
                    hyphenated.add(re.sub("[\u2010\u2011]", "-", token))
                else:
                    words.add(token)
        return cls(frozenset(words), frozenset(hyphenated))


EMPTY_VOCABULARY = Vocabulary(frozenset(), frozenset())


def keep_hyphen(left: str, right: str, vocabulary: Vocabulary = EMPTY_VOCABULARY) -> bool:
    """Decide whether `left-` at a line end and `right` on the next line keep their hyphen.

    A real hyphen survives in names and compounds ("Kim Jong-" + "un", "U.S.-" + "North",
    "step-by-" + "step"); a typesetter's hyphen inside a word goes ("denucle-" + "arization").
    The document itself is the best evidence: if it writes the word elsewhere with or without
    the hyphen, follow it.

    Args:
        left: the fragment before the hyphen (the line's last word, hyphen excluded).
        right: the first word of the next line.
        vocabulary: words seen elsewhere in the same document.
    """
    if not left or not right:
        return True
    left_word = re.split(r"[-\u2010\u2011]", left)[-1]
    if not left_word.isalpha() or not right[:1].isalpha():
        return True  # digits, abbreviations ("U.S.-"), symbols: a real hyphen
    joined = (left_word + right).lower()
    hyphened = f"{left_word}-{right}".lower()
    if hyphened in vocabulary.hyphenated:
        return True
    if joined in vocabulary.words:
        return False
    if right[0].isupper():
        return True  # "anti-" + "American", "Korea-" + "U.S."
    if left_word[0].isupper() and _ROMANISED_SYLLABLE.fullmatch(right):
        return True  # romanised Korean names: "Jong-" + "un", "Jae-" + "in", "Hyok-" + "chol"
    if "-" in left:
        return True  # already a compound: "step-by-" + "step", "action-for-" + "action"
    return False


def join_lines(lines: Sequence[str], vocabulary: Vocabulary = EMPTY_VOCABULARY) -> str:
    """Join the lines of one paragraph into a single line, mending hyphenated breaks.

    Linear in the paragraph's length: each decision looks only at the last word so far.

    Args:
        lines: the paragraph's lines in reading order, without trailing newlines.
        vocabulary: words seen in the whole document (see `Vocabulary.from_text`).

    Returns:
        The paragraph as one line with single spaces.
    """
    parts: list[str] = []
    tail = ""  # the output's last run of non-space characters
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        hyphen = _LINE_END_HYPHEN.search(tail) if parts else None
        first = _FIRST_WORD.match(line)
        glued = False
        if hyphen and first and hyphen.group(1):
            keep = keep_hyphen(hyphen.group(1), first.group(), vocabulary)
            parts[-1] = parts[-1][: len(parts[-1]) - 1] + "-" if keep else parts[-1][:-1]
            glued = True
        elif parts:
            parts.append(" ")
        parts.append(line)
        head, _, last = line.rpartition(" ")
        if glued and not head:
            tail = (tail[:-1] + ("-" if keep else "")) + line
        else:
            tail = last
    return re.sub(r" {2,}", " ", "".join(parts))


def ends_sentence(text: str) -> bool:
    """True if text ends like a finished sentence or heading (used when joining blocks)."""
    return bool(_SENTENCE_END.search(text.rstrip()))


def letter_stats(text: str) -> tuple[int, float]:
    """Count letters and their share among non-space characters (for junk/OCR detection)."""
    visible = [c for c in text if not c.isspace()]
    letters = sum(1 for c in visible if c.isalpha())
    return letters, (letters / len(visible) if visible else 0.0)
