"""Metadata a brief states about itself in its first lines: think tank, date, authors, title.

Only the document head is read (the lines before the first section heading such as
"Executive Summary" or "1. Introduction", and at most the first few thousand characters),
so dates and names quoted in the body ("Feb. 27-28, 2019") are never taken for metadata.
Every rule is conservative: when a line is ambiguous the field stays None, because a wrong
value is worse than a missing one (the build lists files with missing metadata).

The line classifiers (`parse_date_line`, `parse_names`, `parse_affiliation`) are also used by
the TXT extractor to tell a repeated title or byline from a repeated series banner.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline import sources
from pipeline.config import ThinkTank
from pipeline.ingest.model import Paragraph

# The head: paragraphs before the first section heading, within these limits.
HEAD_MAX_PARAGRAPHS = 25
HEAD_MAX_CHARS = 2500

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?"
    r"|\(?[월화수목금토일](?:요일)?\)?"
)
# A whole line that is a date, optionally labelled and with a weekday before or after it.
_DATE_FORMS = (
    r"(?P<y>\d{4})\s*[.\-/]\s*(?P<m>\d{1,2})\s*[.\-/]\s*(?P<d>\d{1,2})\.?",
    r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일",
    _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})",
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})",
)
_DATE_LABEL = r"(?:(?:date|published|publication date|posted|released|issued)(?:\s+on)?\s*:?\s*)?"
_DATE_LINES = [
    re.compile(
        rf"{_DATE_LABEL}(?:(?:{_WEEKDAY}),?\s+)?{form}(?:\s*,?\s*(?:{_WEEKDAY}))?",
        re.IGNORECASE,
    )
    for form in _DATE_FORMS
]
# Separators between the parts of a masthead line ("Policy Brief | March 28, 2019").
_PART_SEPARATOR = re.compile(r"\s+[|\u00b7\u2022]\s+")

# Section headings that end the document head.
_SECTION_START = re.compile(
    r"(?:executive\s+summary|summary|abstract|introduction|key\s+(?:findings|points|"
    r"takeaways|judgments)|main\s+points|overview|background|(?:table\s+of\s+)?contents)\s*:?",
    re.IGNORECASE,
)
# "1. Introduction", "II. Background", "(1) Roadmap", "A. Scenarios".
NUMBERED_HEADING = re.compile(
    r"(?:\(\d{1,2}\)|\d{1,2}(?:\.\d{1,2})*[.)]|[IVX]{1,5}\.|[A-H]\.)\s+\S"
)

# Job titles that start an affiliation line ("Senior Research Fellow", "Korea Chair").
_ROLE = re.compile(
    r"(?:[\w.'\u2019&-]+\s+){0,4}?"
    r"(?:fellow|researcher|director|professor|president|chair|chairman|chairwoman|analyst|"
    r"scholar|associate|dean|lecturer|editor|advis[eo]r|coordinator|specialist|ambassador|"
    r"founder|economist|head|manager|ceo)"
    r"(?P<rest>\s+(?:of|for|in)\s+.+)?",
    re.IGNORECASE,
)
_AFFILIATION_SPLIT = re.compile(r"\s*[,;|]\s*|\s+(?:at|with)\s+|\s+[\u2013\u2014-]\s+")
# Words that make a phrase an organisation name.
_ORG_WORD = re.compile(
    r"\b(?:institute|institution|center|centre|foundation|council|endowment|corporation|"
    r"university|academy|forum|group|society|association|initiative|program|programme|school|"
    r"college|agency|ministry|commission|project|network|fund|trust|service|"
    r"department|office)\b",
    re.IGNORECASE,
)

# Lower-cased words that never occur in a person's name but do in headings, banners and
# web-page furniture; they keep "Executive Summary" or "North Korea" from passing as names.
_NOT_NAME_WORDS = frozenset(
    """the of and for on in to a an at with by from after before new our your this that
    summary executive abstract introduction conclusion conclusions policy policies brief briefs
    recommendations recommendation implications analysis report reports commentary background
    overview contents table key findings points prospect prospects assessment perception future
    north south korea korean korea's united states u.s. us usa dprk rok china japan russia
    summit hanoi singapore nuclear denuclearization sanctions talks negotiations peninsula
    institute institution center centre foundation council university academy research fellow
    director professor senior program studies international national security peace strategy
    strategic foreign affairs relations president chairman minister government ministry news
    press home publications publication events about contact menu search view views share
    print download pdf english page issue vol no series paper papers working insights review
    notes note commentaries analyses perspectives newsletter bulletin forum online edition
    update updates latest more read full text list top back next previous""".split()
)
_NAME_PARTICLES = frozenset("van von de der den del da di du bin al la le".split())
_NAME_TOKEN = re.compile(r"(?:[A-Z][^\W\d_]*(?:['\u2019.-][^\W\d_]*)*\.?|[\uac00-\ud7a3]{2,4})")
_BY_LABEL = re.compile(r"^(?:by|written\s+by|authors?\s*:)\s*", re.IGNORECASE)
_TITLE_PREFIX = re.compile(r"^(?:dr|prof|mr|ms|mrs)\.?\s+", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*")

# Words of a publication-series banner ("Sejong Policy Briefs", "Issue Brief", "Commentary").
_SERIES_WORD = re.compile(
    r"\b(?:briefs?|briefings?|series|papers?|commentar(?:y|ies)|reports?|insights?|"
    r"analys[ie]s|newsletters?|bulletins?|perspectives|notes|forum|publications?|review)\b",
    re.IGNORECASE,
)


def parse_date_line(text: str) -> str | None:
    """Return the ISO date if the whole line is a date ("2019.03.28 Thursday"), else None.

    A masthead line made of parts separated by '|' or a middle dot counts when one part is a
    date. Dates inside sentences never count.
    """
    line = " ".join(text.split())
    if len(line) > 120:
        return None
    for part in [line, *_PART_SEPARATOR.split(line)]:
        part = part.strip()
        for pattern in _DATE_LINES:
            match = pattern.fullmatch(part)
            if match:
                iso = _iso_date(match)
                if iso:
                    return iso
    return None


def _iso_date(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    month_name = groups.get("month")
    month = _MONTHS[month_name.lower()] if month_name else int(groups["m"])
    try:
        date = dt.date(int(groups["y"]), month, int(groups["d"]))
    except ValueError:
        return None
    if not 1990 <= date.year <= 2100:
        return None
    return date.isoformat()


def parse_names(text: str) -> list[str] | None:
    """Return the person names if the whole line is a byline ("Woo Jung-Yeop", "By A and B").

    A name is 2-4 capitalised tokens (or a Hangul name), none of them a heading or banner
    word; a line with anything else is not a byline and gives None.
    """
    line = " ".join(text.split()).strip(" .")
    line = _BY_LABEL.sub("", line)
    if not line or len(line) > 150 or re.search(r"\d", line):
        return None
    names = []
    for part in _NAME_SPLIT.split(line):
        part = _TITLE_PREFIX.sub("", part.strip())
        if not part:
            continue
        tokens = part.split()
        hangul = len(tokens) == 1 and re.fullmatch(r"[\uac00-\ud7a3]{2,4}", tokens[0])
        if not hangul and not 2 <= len(tokens) <= 4:
            return None
        for k, token in enumerate(tokens):
            if k > 0 and token.lower() in _NAME_PARTICLES:
                continue
            if not _NAME_TOKEN.fullmatch(token):
                return None
            initial = re.fullmatch(r"[A-Z]\.", token)
            if not initial and token.lower().strip(".") in _NOT_NAME_WORDS:
                return None
            if re.search(r"['\u2019]s$", token):
                return None  # a possessive: "Kim Jong Un's Gamble" is a title
        if not hangul and not any(c.islower() for c in part):
            return None  # all capitals: an acronym heading ("DPRK US TALKS"), not a name
        names.append(part)
    return names or None


@dataclass(frozen=True)
class Affiliation:
    """What an affiliation line says: the organisation and, if given on the line, a name."""

    organisation: str
    names: tuple[str, ...] = ()


def parse_affiliation(text: str, think_tanks: Sequence[ThinkTank] = ()) -> Affiliation | None:
    """Parse "Research Fellow, the Sejong Institute" style lines; None if it is not one.

    The line must start with a job title (optionally after the person's name) and name an
    organisation: a known think tank (canonical name returned) or a phrase with a word such as
    Institute, Center or University (returned as written, without a leading 'the').
    """
    line = " ".join(text.split()).rstrip(" .")
    if line.startswith("(") and line.endswith(")"):
        line = line[1:-1]
    if not line or len(line) > 200 or len(line.split()) > 30:
        return None
    names: tuple[str, ...] = ()
    paren = re.fullmatch(r"(?P<name>[^()]+?)\s*\((?P<aff>[^()]+)\)", line)
    if paren:
        found = parse_names(paren["name"])
        if not found:
            return None
        names, line = tuple(found), paren["aff"]
    segments = [s for s in _AFFILIATION_SPLIT.split(line) if s]
    role_at = None
    for i, segment in enumerate(segments[:2]):
        if _ROLE.fullmatch(segment):
            role_at = i
            break
    if role_at is None:
        return None
    if role_at == 1:
        if names:
            return None
        found = parse_names(segments[0])
        if not found:
            return None
        names = tuple(found)
    candidates = list(segments[role_at + 1 :])
    rest = _ROLE.fullmatch(segments[role_at])["rest"]  # type: ignore[index]
    if rest:  # "Director of the Center for Korean Studies"
        candidates.insert(0, re.sub(r"^\s+(?:of|for|in)\s+", "", rest))
    organisation = _known_think_tank(candidates, line, think_tanks)
    if organisation is None:
        org_like = [c for c in candidates if _ORG_WORD.search(c)]
        if not org_like:
            return None
        # The parent organisation comes last: "Center for X, Y University".
        organisation = _strip_article(org_like[-1])
    return Affiliation(organisation, names)


def _strip_article(text: str) -> str:
    return re.sub(r"^the\s+", "", text.strip(" .,;"), flags=re.IGNORECASE)


def _known_think_tank(
    candidates: Sequence[str], line: str, think_tanks: Sequence[ThinkTank]
) -> str | None:
    """A configured think tank named by a whole segment, or by a multi-word alias anywhere."""
    for candidate in candidates:
        key = sources.slugify(_strip_article(candidate))
        for tank in think_tanks:
            if key in {sources.slugify(_strip_article(n)) for n in (tank.name, *tank.aliases)}:
                return tank.name
    # Single-word aliases ("rand", "asan") only count as whole segments: inside a longer
    # phrase they may be a person's name.
    lowered = f" {sources.slugify(line).replace('-', ' ')} "
    for tank in think_tanks:
        for alias in (tank.name, *tank.aliases):
            words = sources.slugify(_strip_article(alias)).replace("-", " ")
            if " " in words and f" {words} " in lowered:
                return tank.name
    return None


def canonical_think_tank(name: str, think_tanks: Sequence[ThinkTank]) -> str:
    """Map a think-tank name, alias or folder slug to its canonical name.

    Case, a leading 'the' and punctuation are ignored; an unknown name comes back tidied (a
    slug like 'east-asia-institute' becomes 'East Asia Institute'). Delegates to
    `pipeline.sources.canonical_think_tank` so folder names, sources.csv and the text agree.
    """
    return sources.canonical_think_tank(name, think_tanks)


def is_banner(text: str, think_tanks: Sequence[ThinkTank] = ()) -> bool:
    """True for a short series or site banner: "Sejong Policy Briefs", "Commentary", "CSIS"."""
    line = " ".join(text.split())
    words = line.split()
    if not words or len(words) > 5:
        return False
    if _SERIES_WORD.search(line):
        return True
    key = sources.slugify(_strip_article(line))
    names = (n for tank in think_tanks for n in (tank.name, *tank.aliases))
    return any(key == sources.slugify(_strip_article(n)) for n in names)


def is_section_start(text: str) -> bool:
    """True for a heading that starts the body: "Executive Summary", "1. Introduction"."""
    line = " ".join(text.split())
    if _SECTION_START.fullmatch(line):
        return True
    return bool(NUMBERED_HEADING.match(line)) and len(line.split()) <= 15


def document_head(paragraphs: Sequence[Paragraph]) -> list[str]:
    """The paragraphs before the first section heading (within the head limits)."""
    head: list[str] = []
    chars = 0
    for paragraph in paragraphs[:HEAD_MAX_PARAGRAPHS]:
        text = " ".join(paragraph.text.split())
        if paragraph.kind != "body" or not text:
            continue
        if is_section_start(text) or chars > HEAD_MAX_CHARS:
            break
        head.append(text)
        chars += len(text)
    return head


def _looks_like_title(text: str) -> bool:
    words = text.split()
    if not 3 <= len(words) <= 25 or len(text) > 200:
        return False
    if re.search(r"[.,;:]$", text) or re.search(r"https?://|www\.|@|[>\u203a]", text):
        return False
    first = text.lstrip("\"'\u201c\u2018")[:1]
    return first.isupper() or first.isdigit()


def infer_metadata(
    paragraphs: Sequence[Paragraph], think_tanks: Sequence[ThinkTank]
) -> dict[str, str | None]:
    """Infer think_tank, date, authors and title from the head of a document's text.

    Args:
        paragraphs: the document's paragraphs in reading order.
        think_tanks: configured think tanks, to resolve an affiliation to a canonical name.

    Returns:
        A dict with keys think_tank, date (yyyy-mm-dd), authors ("; "-joined) and title;
        a value is None when the head does not state it unambiguously.
    """
    head = document_head(paragraphs)
    dates = [parse_date_line(p) for p in head]
    affiliations = [parse_affiliation(p, think_tanks) for p in head]
    names = [None if dates[i] or affiliations[i] else parse_names(p) for i, p in enumerate(head)]

    think_tank = next(
        (canonical_think_tank(a.organisation, think_tanks) for a in affiliations if a), None
    )
    date = next((d for d in dates if d), None)

    authors: list[str] = []
    for i, affiliation in enumerate(affiliations):
        if affiliation is None:
            continue
        if affiliation.names:
            found: Sequence[str] | None = affiliation.names
        elif i > 0 and names[i - 1]:
            found = names[i - 1]
        else:
            found = names[i + 1] if i + 1 < len(head) else None
        authors.extend(found or ())
    # A labelled byline ("By Woo Jung-Yeop", "By Victor Cha | March 1, 2019") is an author
    # line even without an affiliation.
    for paragraph in head:
        for part in _PART_SEPARATOR.split(paragraph):
            if _BY_LABEL.match(part):
                authors.extend(parse_names(part) or ())
    # The same person may be named twice (byline and affiliation line): keep the first.
    unique: dict[str, str] = {}
    for author in authors:
        author = " ".join(author.split())
        unique.setdefault(author.casefold(), author)

    title = None
    for i, paragraph in enumerate(head):
        if dates[i] or affiliations[i] or names[i] or is_banner(paragraph, think_tanks):
            continue
        if _looks_like_title(paragraph):
            title = paragraph
            break

    return {
        "think_tank": think_tank,
        "date": date,
        "authors": "; ".join(unique.values()) or None,
        "title": title,
    }
