"""Plain data passed between the ingest extractors and the ingest stage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of clean text and the 1-based page it starts on (None for TXT)."""

    text: str
    page: int | None = None
    kind: str = "body"  # "body" or "footnote"


@dataclass(frozen=True)
class ExtractedText:
    """What an extractor read from one file, before metadata from other sources is merged."""

    paragraphs: list[Paragraph]
    n_pages: int | None = None
    # Metadata the file itself carries (PDF info dict, or what the text states).
    # Keys: title, authors, date (ISO yyyy-mm-dd), think_tank, url; absent or None if unknown.
    metadata: dict[str, str | None] = field(default_factory=dict)
    encoding: str | None = None  # TXT only: the detected encoding
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Clean text: paragraphs separated by a blank line."""
        return "\n\n".join(p.text for p in self.paragraphs)


class ExtractionFailure(Exception):
    """A file could not be turned into text; `status` is 'error' or 'empty'.

    The message is for a researcher: what is wrong and what to do about it. The
    ingest stage prefixes the file's path.
    """

    def __init__(self, status: str, message: str) -> None:
        if status not in ("error", "empty"):
            raise ValueError(f"status must be 'error' or 'empty', not {status!r}")
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple:
        # picklable with both arguments, so failures cross process boundaries
        return (type(self), (self.status, self.message))
