"""Build small PDFs for the PDF extractor's tests with reportlab.

Text is placed line by line (`Text` items) so a test controls every line break, font size
and position; `wrap` and `column` lay out longer paragraphs. All output goes to paths the
tests pass in (their `tmp_path`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = letter  # 612 x 792 pt
LEFT = 72.0
RIGHT = PAGE_WIDTH - 72.0
BODY_SIZE = 11.0
LEADING = 14.0
FONT = "Helvetica"

# Paragraphs in the register of a think-tank brief on the 2019 Hanoi summit.
BRIEF = [
    "The second summit between President Donald Trump and Chairman Kim Jong-un ended "
    "abruptly on 28 February 2019, without a joint statement and without the signing "
    "ceremony that both delegations had prepared.",
    "Washington asked for a comprehensive freeze and a declaration of all nuclear "
    "facilities, while Pyongyang offered to dismantle the Yongbyon complex in exchange "
    "for the lifting of the sanctions adopted since 2016.",
    "Seoul had invested heavily in the meeting. President Moon Jae-in had hoped that "
    "an agreement would reopen the Kaesong industrial zone and the tourist resort at "
    "Mount Kumgang.",
    "The collapse of the talks exposed the gap between a step-by-step approach and the "
    "demand for a single grand bargain, a gap that working-level negotiators had failed "
    "to close before the leaders met.",
    "For Tokyo, the outcome was a relief as much as a disappointment, since a partial "
    "deal might have left the shorter-range missiles that threaten Japan untouched.",
    "Beijing welcomed the continuation of dialogue and quietly argued that sanctions "
    "relief should accompany every verified step toward denuclearization.",
]


@dataclass(frozen=True)
class Text:
    """One string drawn at (x, y) baseline, in points from the bottom-left corner."""

    x: float
    y: float
    text: str
    size: float = BODY_SIZE
    font: str = FONT


Page = Sequence[Text]


def wrap(
    text: str,
    x: float,
    top: float,
    width: float,
    size: float = BODY_SIZE,
    leading: float = LEADING,
    font: str = FONT,
) -> list[Text]:
    """Break `text` into lines that fit `width`, first baseline at `top`."""
    lines = simpleSplit(text, font, size, width)
    return [Text(x, top - i * leading, line, size, font) for i, line in enumerate(lines)]


def column(
    paragraphs: Sequence[str],
    x: float,
    top: float,
    width: float,
    gap: float = 10.0,
    size: float = BODY_SIZE,
) -> tuple[list[Text], float]:
    """Lay out paragraphs one below the other with `gap` points between them.

    Returns the lines and the baseline where the next paragraph would start.
    """
    items: list[Text] = []
    y = top
    for paragraph in paragraphs:
        lines = wrap(paragraph, x, y, width, size)
        items.extend(lines)
        y = lines[-1].y - LEADING - gap
    return items, y


def write_pdf(
    path: Path,
    pages: Sequence[Page],
    *,
    title: str | None = None,
    author: str | None = None,
    date: str | None = None,
    encrypt: StandardEncryption | None = None,
    draw: Callable[[canvas.Canvas, int], None] | None = None,
) -> Path:
    """Write `pages` to `path`; `date` is written verbatim as CreationDate (e.g. 'D:2019...').

    `draw(canvas, page_index)` can add anything else to a page (images, shapes).
    """
    c = canvas.Canvas(str(path), pagesize=letter, encrypt=encrypt, invariant=1)
    if title is not None:
        c.setTitle(title)
    if author is not None:
        c.setAuthor(author)
    if date is not None:
        c.setDateFormatter(lambda *_: date)
    for index, page in enumerate(pages):
        for item in page:
            c.setFont(item.font, item.size)
            c.drawString(item.x, item.y, item.text)
        if draw is not None:
            draw(c, index)
        c.showPage()
    c.save()
    return path


def brief_pdf(path: Path, **kwargs: object) -> Path:
    """A one-page brief: the first two BRIEF paragraphs in one column."""
    lines, _ = column(BRIEF[:2], LEFT, 680, RIGHT - LEFT)
    return write_pdf(path, [lines], **kwargs)  # type: ignore[arg-type]


def two_column_pdf(path: Path, title: str | None, left: Sequence[str], right: Sequence[str]):
    """A page with an optional full-width title over two columns of paragraphs."""
    gutter = 20.0
    width = (RIGHT - LEFT - gutter) / 2
    top = 680.0
    items: list[Text] = []
    if title is not None:
        items.append(Text(LEFT, top, title, 16, "Helvetica-Bold"))
        top -= 36
    left_lines, _ = column(left, LEFT, top, width)
    right_lines, _ = column(right, LEFT + width + gutter, top, width)
    return write_pdf(path, [items + left_lines + right_lines])


def paged_pdf(
    path: Path,
    bodies: Sequence[str],
    header: str | None = None,
    footer: Callable[[int, int], str] | None = None,
    first_page_title: str | None = None,
) -> Path:
    """One body paragraph per page, with a running header and a footer made by
    `footer(page_number, n_pages)`; an optional title on page 1 sits in the top margin."""
    pages = []
    for number, body in enumerate(bodies, start=1):
        items = wrap(body, LEFT, 660, RIGHT - LEFT)
        if header is not None:
            items.append(Text(LEFT, 750, header, 9))
        if footer is not None:
            items.append(Text(PAGE_WIDTH / 2 - 20, 40, footer(number, len(bodies)), 9))
        if first_page_title is not None and number == 1:
            items.append(Text(LEFT, 735, first_page_title, 18, "Helvetica-Bold"))
        pages.append(items)
    return write_pdf(path, pages)


def lines_pdf(path: Path, lines: Sequence[str], top: float = 680) -> Path:
    """One page with exactly these lines, one under the other (the test sets the breaks)."""
    return write_pdf(path, [[Text(LEFT, top - i * LEADING, line) for i, line in enumerate(lines)]])


def superscript(after: Text, mark: str) -> Text:
    """A small raised note number right after the text of `after`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x = after.x + stringWidth(after.text, after.font, after.size)
    return Text(x, after.y + 4, mark, 6.5, after.font)


def image_only_pdf(path: Path, n_pages: int = 1) -> Path:
    """Pages that hold only a picture (a scan without a text layer)."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (400, 300), 255)
    pen = ImageDraw.Draw(picture)
    for y in range(20, 280, 16):  # grey bars standing in for scanned lines of text
        pen.rectangle((20, y, 380, y + 6), fill=90)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    reader = ImageReader(io.BytesIO(buffer.getvalue()))

    def draw(c: canvas.Canvas, _index: int) -> None:
        c.drawImage(reader, LEFT, 300, width=RIGHT - LEFT, height=350)

    return write_pdf(path, [[] for _ in range(n_pages)], draw=draw)


def many_pages_pdf(path: Path, n_pages: int) -> Path:
    """A long brief: the BRIEF paragraphs repeated over many pages."""
    pages = []
    for number in range(n_pages):
        lines, _ = column(BRIEF[number % 3 : number % 3 + 3], LEFT, 680, RIGHT - LEFT)
        pages.append(lines)
    return write_pdf(path, pages)


def encryption(user_password: str, owner_password: str, **permissions: int):
    """reportlab StandardEncryption (user password '' = opens without a password)."""
    return StandardEncryption(user_password, ownerPassword=owner_password, **permissions)
