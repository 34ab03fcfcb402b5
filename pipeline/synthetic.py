"""Synthetic think-tank briefs on the 2019 Hanoi summit, for benchmarks and scale tests.

`write_corpus(out_dir, n_docs, seed)` writes N briefs under `out_dir/<think-tank-slug>/`
(a share as typeset PDFs, the rest as UTF-8 TXT) plus a `sources.csv` describing some of
them. Everything is derived from the seed: the same seed gives byte-identical files.

Each brief is drawn from its own `random.Random(f"{seed}:{index}")`, so the corpus of N
documents is the first N documents of any larger corpus with the same seed (scaling runs
compare like with like), and `write_brief` can add "one more brief" to an existing corpus.

The text is composed from sentence templates whose slots are filled from a vocabulary
matching `configs/actors.yaml` and `configs/proposals.yaml` (actors, proposals, approaches)
plus causes and outlooks, in the register of the seed briefs in /work/shared/seeds/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

__all__ = ["Brief", "make_brief", "write_brief", "write_corpus", "render_pdf", "render_txt"]

# (folder slug = an alias in configs/think_tanks.yaml, canonical name, series, URL host)
THINK_TANKS = (
    ("sejong-institute", "Sejong Institute", "Sejong Policy Briefs", "sejong.org"),
    ("kinu", "Korea Institute for National Unification", "Online Series", "kinu.or.kr"),
    ("asan-institute", "Asan Institute for Policy Studies", "Issue Brief", "asaninst.org"),
    ("inss-korea", "Institute for National Security Strategy", "INSS Strategy Report",
     "inss.re.kr"),
    ("kida", "Korea Institute for Defense Analyses", "KIDA Defense Issues", "kida.re.kr"),
    ("knda", "Korea National Diplomatic Academy", "IFANS Focus", "ifans.go.kr"),
    ("csis", "Center for Strategic and International Studies", "CSIS Commentary", "csis.org"),
    ("brookings", "Brookings Institution", "Order from Chaos", "brookings.edu"),
    ("rand", "RAND Corporation", "RAND Perspective", "rand.org"),
    ("carnegie-endowment", "Carnegie Endowment for International Peace", "Carnegie Brief",
     "carnegieendowment.org"),
    ("cfr", "Council on Foreign Relations", "Policy Innovation Memorandum", "cfr.org"),
    ("stimson", "Stimson Center", "38 North Analysis", "38north.org"),
    ("heritage", "Heritage Foundation", "Backgrounder", "heritage.org"),
    ("crisis-group", "International Crisis Group", "Crisis Group Briefing", "crisisgroup.org"),
    ("keia", "Korea Economic Institute of America", "KEI Academic Paper Series", "keia.org"),
)

FIRST_NAMES = ("Jung-Yeop", "Min-ho", "Soo-jin", "Hyun-wook", "Ji-young", "Sang-hoon",
               "Eun-ji", "Dong-hyun", "Mi-kyung", "Jae-sung", "Michael", "Sarah", "David",
               "Victor", "Laura", "Robert", "Frank", "Evans", "Jenny", "Patrick", "Scott",
               "Sue", "Andrew", "Kathryn", "Daniel", "Yuki", "Hiroshi", "Lin", "Wei")
LAST_NAMES = ("Woo", "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang",
              "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Hong",
              "Smith", "Miller", "Klingner", "Revere", "Cha", "Snyder", "Carlin", "Pollack",
              "Terry", "Stangarone", "Aum", "Jackson", "Nakamura", "Zhao")
POSITIONS = ("Research Fellow", "Senior Research Fellow", "Senior Fellow", "Visiting Fellow",
             "Director of the Korea Program", "Research Associate", "Nonresident Fellow",
             "Adjunct Senior Fellow", "Professor", "Chair in Korea Studies")

# Slot fillers. Keys are used as {placeholders} in the templates below.
POOLS: dict[str, tuple[str, ...]] = {
    "us": ("the United States", "Washington", "the Trump administration", "the U.S.",
           "the White House", "the U.S. delegation", "the American side", "the US"),
    "us_person": ("President Donald Trump", "President Trump", "Secretary of State Mike Pompeo",
                  "National Security Adviser John Bolton", "Special Representative Stephen "
                  "Biegun", "Mr. Trump", "Pompeo", "Bolton", "Biegun"),
    "dprk": ("North Korea", "Pyongyang", "the DPRK", "the North", "the North Korean side",
             "the Kim regime", "the North Korean delegation"),
    "dprk_person": ("Chairman Kim Jong-un", "Kim Jong-un", "Foreign Minister Ri Yong-ho",
                    "Vice Foreign Minister Choe Son-hui", "Vice Chairman Kim Yong-chol",
                    "Chairman Kim", "Ri Yong-ho"),
    "rok": ("South Korea", "Seoul", "the Moon administration", "President Moon Jae-in",
            "the Blue House", "the Republic of Korea"),
    "third": ("China", "Beijing", "Russia", "Moscow", "Japan", "Tokyo", "President Xi Jinping",
              "Prime Minister Shinzo Abe", "President Vladimir Putin", "the Abe government"),
    "un": ("the UN Security Council", "the United Nations", "the Security Council"),
    "big": ("a package deal", "a big deal", "a comprehensive deal", "a grand bargain",
            "an all-or-nothing approach", "a comprehensive package", "the Libya model",
            "a comprehensive settlement"),
    "small": ("a step-by-step approach", "a phased and synchronized approach",
              "an action-for-action process", "a gradual solution", "a small deal",
              "simultaneous and parallel steps", "an incremental approach",
              "a reciprocal approach", "an interim deal", "a stage-by-stage process"),
    "hybrid": ("a comprehensive agreement implemented step by step",
               "a comprehensive agreement and phased implementation",
               "a comprehensive deal and phased implementation",
               "a comprehensive agreement and gradual implementation"),
    "dprk_gives": ("to dismantle the Yongbyon nuclear complex",
                   "to dismantle all the nuclear material production facilities in Yongbyon",
                   "to permanently shut down the Yongbyon nuclear facilities",
                   "to close its Yongbyon complex in the presence of US experts",
                   "to freeze nuclear and long-range missile tests",
                   "to repatriate the remains of American soldiers"),
    "dprk_gives_np": ("the dismantlement of the Yongbyon nuclear complex",
                      "the closure of the Yongbyon facilities",
                      "a freeze on nuclear and long-range missile tests",
                      "the repatriation of the remains of American soldiers",
                      "the decommissioning of the Yongbyon nuclear facility",
                      "a written pledge to halt nuclear and missile testing"),
    "us_gives_np": ("the lifting of five UN sanctions",
                    "partial sanctions relief",
                    "the easing of the sanctions imposed since 2016",
                    "an end-of-war declaration",
                    "the opening of liaison offices",
                    "security guarantees",
                    "the suspension of joint military exercises",
                    "the removal of sanctions under five Security Council resolutions",
                    "exemptions for inter-Korean economic projects"),
    "us_demands_np": ("complete denuclearization",
                      "a full declaration of nuclear facilities",
                      "the complete, verifiable and irreversible denuclearization of "
                      "North Korea",
                      "a roadmap toward final denuclearization",
                      "the dismantlement of facilities beyond Yongbyon",
                      "the handover of nuclear weapons and fissile material",
                      "a freeze of all weapons of mass destruction programs"),
    "cause": ("the gap over the definition of denuclearization",
              "insufficient working-level preparation",
              "the disclosure of a second uranium enrichment site beyond Yongbyon",
              "the domestic political pressure on President Trump during the Cohen hearing",
              "the hardline influence of John Bolton",
              "deep mutual mistrust",
              "disagreement over the sequencing of sanctions relief",
              "overconfidence in leader-level diplomacy",
              "a misreading of the other side's bottom line",
              "the absence of an agreed roadmap",
              "unrealistic expectations raised after Singapore"),
    "outlook": ("a prolonged stalemate", "a third summit", "a return to working-level talks",
                "renewed missile tests by North Korea",
                "a diminished role for Seoul as a mediator",
                "closer coordination between Pyongyang and Beijing",
                "a resumption of negotiations before the end of the year",
                "a gradual erosion of the sanctions regime",
                "a new emphasis on inter-Korean cooperation"),
    "experts": ("Many observers", "Some analysts", "Critics in Washington", "Officials in Seoul",
                "Experts in Beijing", "Several former negotiators", "Skeptics",
                "Commentators in Tokyo"),
    "adj": ("abrupt", "unexpected", "sobering", "premature", "costly", "instructive"),
    "time": ("in Hanoi", "on 28 February 2019", "at the Metropole hotel",
             "on the second day of the summit", "after the cancelled working lunch",
             "at the February summit"),
    "soft": ("appears to have", "seems to have", "reportedly", "clearly", "apparently", ""),
    "prior": ("the Singapore summit of June 2018", "the Panmunjom declaration",
              "the September Pyongyang declaration", "the 2018 Winter Olympics",
              "the 2005 Joint Statement of the Six-Party Talks",
              "the Agreed Framework of 1994"),
}

CONNECTORS = ("However, ", "Moreover, ", "In this context, ", "At the same time, ",
              "Indeed, ", "For its part, ", "In short, ", "Nevertheless, ", "Notably, ",
              "In other words, ", "By contrast, ", "As a result, ")

GENERIC = (
    "{us} insisted on {big}, while {dprk} proposed {small}.",
    "{dprk} offered {dprk_gives} in exchange for {us_gives_np}.",
    "{dprk_person} {soft} sought {us_gives_np} as compensation for {dprk_gives_np}.",
    "{us_person} demanded {us_demands_np} before any relief could be considered.",
    "The gap between {big} and {small} was never bridged.",
    "{experts} argue that {cause} explains much of what happened {time}.",
    "{rok} had hoped that the summit would reopen the Kaesong industrial complex and "
    "Mount Kumgang tourism.",
    "{third} welcomed the continuation of dialogue and argued that sanctions relief should "
    "accompany every verified step toward denuclearization.",
    "For {us}, sanctions remain the main source of leverage over {dprk}.",
    "{dprk} limited the first target of denuclearization to the dismantlement of the "
    "Yongbyon nuclear site.",
    "{us} rejected {dprk}'s proposal because it covered only part of the program.",
    "Without {us_demands_np}, {us} saw little reason to offer {us_gives_np}.",
    "Negotiations since {prior} have turned on the sequencing of concessions.",
    "{experts} doubt that {dprk} will ever accept {big}.",
    "{dprk_person} told reporters that {dprk} wanted {us_gives_np}, not a declaration.",
    "The record of {prior} suggests that {small} rarely survives a change of government.",
    "{us_person} later said that {dprk} wanted the sanctions lifted in their entirety.",
    "{dprk_person} countered that {dprk} had asked only for partial relief.",
)

SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": (
        "The second DPRK-U.S. summit {time} ended without an agreement, and the causes of "
        "its collapse require an objective and realistic analysis.",
        "This brief argues that {cause} was the decisive factor, more than {cause}.",
        "The {adj} end of the summit exposed the gap between {big} and {small}.",
        "{dprk}'s proposal {dprk_gives} in exchange for {us_gives_np} was difficult for "
        "{us} to accept.",
        "Prospects for the resumption of negotiations depend on whether {us} and {dprk} can "
        "agree on {hybrid}.",
        "In the short term, {outlook} is more likely than {outlook}.",
        "{rok} should prepare for {outlook} while keeping the door to dialogue open.",
    ),
    "background": (
        "Since {prior}, {us} and {dprk} have pursued very different theories of "
        "denuclearization.",
        "At {prior}, the two leaders agreed on broad principles but left the details to "
        "working-level talks.",
        "In the months before Hanoi, {us_person} signaled flexibility on {small}.",
        "{us_person} said in January that {us} would pursue {small} in parallel.",
        "{dprk_person} used his New Year address to call for {us_gives_np}.",
        "Working-level negotiations between Biegun and Kim Hyok-chol made limited progress "
        "on {us_demands_np}.",
        "{rok} acted as a mediator and pushed for {us_gives_np}.",
        "{third} had long favored {small} and a freeze-for-freeze formula.",
        "By early 2019, {un} sanctions had cut most of {dprk}'s exports.",
        "Expectations were high: {experts} predicted an end-of-war declaration and the "
        "opening of liaison offices.",
    ),
    "failure": (
        "{us} insisted on {big}, demanding {us_demands_np}.",
        "{dprk} proposed {small}, starting with {dprk_gives_np}.",
        "{dprk_person} offered {dprk_gives} in exchange for {us_gives_np}.",
        "{us_person} {soft} decided that {dprk_gives_np} alone was not enough.",
        "{us} considered that {small} would make it difficult to respond to {dprk}'s "
        "salami tactics.",
        "{experts} point to {cause} as the main reason the talks broke down.",
        "A second explanation is {cause}.",
        "The surprise counter-offer by {us}, the so-called big deal, was motivated by "
        "{cause}.",
        "{dprk} refused to accept {big} because it left the regime without security "
        "guarantees.",
        "{us_person} walked away, saying that sometimes you have to walk.",
        "Third, {us} and {dprk} failed to narrow their differences on the easing of "
        "sanctions.",
        "{dprk} argued that the five sanctions covered its general economy, while {us} "
        "considered them the core of the sanctions regime.",
        "Once sanctions are eased, {experts} warn, it would be hard to revert.",
        "{us} demanded {us_demands_np}, which {dprk} rejected as unilateral disarmament.",
        "{dprk_person} {soft} misjudged how far {us_person} was willing to go.",
        "The decision to walk away {soft} reflected {cause} rather than a change of "
        "strategy.",
    ),
    "outlook": (
        "In the months ahead, {outlook} is the most likely scenario.",
        "{experts} expect {outlook}, followed by {outlook}.",
        "{dprk} may return to {small} while testing {us}'s patience.",
        "{us} is unlikely to abandon {big} before the next election.",
        "The audience costs of the public proposals make a compromise more difficult.",
        "{third} will press for {us_gives_np} at the Security Council.",
        "If talks resume, {hybrid} offers the most plausible path.",
        "Future negotiations are likely to rely on concessions from one side rather than a "
        "compromise between the two.",
        "{rok} faces the risk of {outlook}.",
    ),
    "recommendations": (
        "{rok} should propose {hybrid} as a bridge between the two positions.",
        "{us} should consider {us_gives_np} in return for {dprk_gives_np}.",
        "{us} and {dprk} should agree on a common definition of denuclearization first.",
        "Negotiators should agree on a roadmap before the next summit.",
        "{rok} must coordinate closely with {us} to avoid {outlook}.",
        "{dprk} should accept {us_demands_np} as the end point of the process.",
        "The allies should keep the sanctions in place while offering {us_gives_np}.",
        "Working-level talks need a clear mandate and sufficient time.",
        "A snapback clause would make partial sanctions relief acceptable to {us}.",
    ),
}

HEADINGS = (
    ("summary", "Executive Summary", 0.12),
    ("background", "1. Background", 0.22),
    ("failure", "2. Why Hanoi Failed", 0.34),
    ("outlook", "3. Outlook", 0.18),
    ("recommendations", "4. Recommendations", 0.14),
)
SUBHEADINGS = {
    "background": ("1.1 From Singapore to Hanoi", "1.2 Expectations before the Summit"),
    "failure": ("2.1 Package Deal versus Step-by-Step", "2.2 The Sanctions Question",
                "2.3 Domestic Politics"),
    "outlook": ("3.1 Scenarios",),
}

TITLES = (
    "Why the Hanoi Summit Failed and What Comes Next",
    "After Hanoi: Assessing the Second DPRK-U.S. Summit",
    "The {Adj} Collapse of the Hanoi Summit and Future Prospects",
    "Between a Big Deal and a Small Deal: Lessons from Hanoi",
    "No Deal in Hanoi: Implications for {Place}",
    "The Hanoi Summit and the Future of Denuclearization Talks",
    "Assessment of the Hanoi Summit Meeting and Prospects",
    "Walking Away in Hanoi: {Place} after the Second Summit",
    "Sanctions, Yongbyon and the Limits of Summit Diplomacy",
)
TITLE_SLOTS = {
    "Adj": ("Abrupt", "Unexpected", "Instructive", "Sobering"),
    "Place": ("South Korea", "the Alliance", "Northeast Asia", "U.S. Policy", "Seoul",
              "Inter-Korean Relations"),
}

SLOT = re.compile(r"\{(\w+)\}")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Brief:
    """One synthetic brief: metadata, sections of paragraphs, and how it is rendered."""

    index: int
    slug: str
    think_tank: str
    series: str
    host: str
    title: str
    authors: list[str]
    affiliations: list[str]
    date: dt.date
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    fmt: str = "txt"  # "pdf" or "txt"
    layout: str = "single"  # PDFs: "single" or "double" (columns)
    pagesize: str = "letter"  # PDFs: "letter" or "a4"
    txt_style: str = "clean"  # TXTs: "clean", "web" or "wrapped"
    in_manifest: bool = False

    @property
    def filename(self) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-").split("-")
        return (f"{self.slug}-{self.date.isoformat()}-{'-'.join(words[:6])}-"
                f"{self.index:04d}.{self.fmt}")

    @property
    def n_words(self) -> int:
        return sum(len(p.split()) for _, paras in self.sections for p in paras)


def _fill(template: str, rng: Random) -> str:
    text = SLOT.sub(lambda m: rng.choice(POOLS[m.group(1)]), template)
    text = re.sub(r"  +", " ", text).replace(" .", ".").replace(" ,", ",")
    return text[0].upper() + text[1:]


# First words that are not proper names: lower-cased after a sentence connector.
_COMMON_STARTS = frozenset(
    "the a an this many some several skeptics critics officials experts commentators "
    "negotiators expectations prospects future working-level once in if by at for since "
    "without third second sometimes one a allies".split())


def _sentence(section: str, rng: Random, used: set[str]) -> str:
    pool = SECTIONS[section] if rng.random() < 0.7 else GENERIC
    template = rng.choice(pool)
    while template in used:  # no template twice in one paragraph
        template = rng.choice(SECTIONS[section] + GENERIC)
    used.add(template)
    text = _fill(template, rng)
    first = text.split(" ", 1)[0]
    if rng.random() < 0.25 and first.lower() not in ("in", "if", "by", "at", "for", "once",
                                                     "since", "without", "third"):
        if first.lower() in _COMMON_STARTS:
            text = text[0].lower() + text[1:]
        text = rng.choice(CONNECTORS) + text
    return text


def _paragraph(section: str, rng: Random) -> str:
    used: set[str] = set()
    return " ".join(_sentence(section, rng, used) for _ in range(rng.randint(3, 7)))


def make_brief(index: int, seed: int = 0, fmt: str | None = None) -> Brief:
    """Compose brief number `index` of the corpus for `seed` (deterministic)."""
    rng = Random(f"{seed}:{index}")
    slug, tank, series, host = rng.choice(THINK_TANKS)
    title = SLOT.sub(lambda m: rng.choice(TITLE_SLOTS[m.group(1)]), rng.choice(TITLES))
    n_authors = rng.choice((1, 1, 1, 2))
    authors = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(n_authors)]
    affiliations = [f"{rng.choice(POSITIONS)}, {'the ' if rng.random() < 0.5 else ''}{tank}"
                    for _ in authors]
    date = dt.date(2019, 3, 1) + dt.timedelta(days=rng.randrange(150))
    brief = Brief(index, slug, tank, series, host, title, authors, affiliations, date,
                  fmt=fmt or ("pdf" if rng.random() < 0.5 else "txt"),
                  layout=rng.choice(("single", "double")),
                  pagesize=rng.choice(("letter", "a4")),
                  txt_style=rng.choice(("clean", "web", "wrapped")),
                  in_manifest=rng.random() < 0.4)
    # Briefs are 2-10 pages; most are short.
    target = int(rng.triangular(600, 4800, 1200))
    for key, heading, share in HEADINGS:
        words, paragraphs = 0, []
        subheads = list(SUBHEADINGS.get(key, ())) if target > 2500 else []
        per_sub = max(1, int(share * target / 90 / (len(subheads) + 1)))
        while words < share * target or not paragraphs:
            if subheads and len(paragraphs) and len(paragraphs) % (per_sub + 1) == 0:
                paragraphs.append("## " + subheads.pop(0))
                continue
            para = _paragraph(key, rng)
            paragraphs.append(para)
            words += len(para.split())
        brief.sections.append((heading, paragraphs))
    return brief


# ------------------------------------------------------------------------------ TXT


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def _typographic(text: str) -> str:
    text = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    return text.replace(" - ", " \u2013 ")


def render_txt(brief: Brief) -> str:
    """The brief as TXT: a clean file, a web-page copy (with debris), or a hard-wrapped
    copy-paste from a PDF, depending on `brief.txt_style`."""
    out: list[str] = []
    date_long = brief.date.strftime("%B %d, %Y").replace(" 0", " ")
    if brief.txt_style == "web":
        out += [brief.series,
                f"{brief.series} analyze issues in domestic and international policy and "
                "propose alternatives. They are distributed to experts, scholars and "
                "policymakers.", "", brief.series, "", brief.title,
                f"{brief.date.strftime('%Y.%m.%d')}  {WEEKDAYS[brief.date.weekday()]}",
                f"View : {100 + brief.index * 7 % 900}", ", ".join(brief.authors), "",
                brief.title, ""]
        for author, affiliation in zip(brief.authors, brief.affiliations, strict=True):
            out += [author, "", affiliation, ""]
    else:
        out += [brief.title, "", f"By {' and '.join(brief.authors)}"]
        out += brief.affiliations
        out += [date_long, ""]
    width = 110
    for heading, paragraphs in brief.sections:
        out += ["", heading.upper() if brief.txt_style == "wrapped" and
                heading[0].isdigit() is False else heading, ""]
        for para in paragraphs:
            if para.startswith("## "):
                out += [para[3:], ""]
                continue
            if brief.txt_style == "wrapped":
                out += [line + " " for line in _wrap(para, width)] + [" "]
            else:
                out += [para, ""]
    if brief.txt_style == "web":
        out += ["", "Print  Share  List", f"Copyright (c) 2019 {brief.think_tank}. "
                "All rights reserved."]
    text = "\n".join(out).rstrip() + "\n"
    return _typographic(text) if brief.txt_style != "clean" else text


# ------------------------------------------------------------------------------ PDF

BODY_FONT, BOLD_FONT, HEAD_FONT = "Times-Roman", "Helvetica-Bold", "Helvetica"


def render_pdf(brief: Brief) -> bytes:
    """The brief typeset with reportlab (byte-deterministic): title block on page 1,
    single or two columns, running header and page numbers, document metadata."""
    buf = io.BytesIO()
    size = A4 if brief.pagesize == "a4" else letter
    width, height = size
    pdf = canvas.Canvas(buf, pagesize=size, invariant=1, pageCompression=1)
    pdf.setTitle(brief.title)
    pdf.setAuthor("; ".join(brief.authors))
    pdf.setSubject(f"{brief.series}, {brief.think_tank}")
    pdf.setCreator(brief.think_tank)
    pdf.setKeywords("Hanoi summit; North Korea; denuclearization")
    margin, gutter = 64.0, 20.0
    top, bottom = height - 78.0, 64.0
    two = brief.layout == "double"
    body_size = 10.0 if two else 11.0
    leading = body_size * 1.3
    col_w = (width - 2 * margin - gutter) / 2 if two else width - 2 * margin
    short = brief.title if len(brief.title) < 60 else brief.title[:57] + "..."
    page_no = 1

    def decorate() -> None:
        pdf.setFont(HEAD_FONT, 8)
        pdf.setFillGray(0.35)
        pdf.drawString(margin, height - 44, brief.series)
        pdf.drawRightString(width - margin, height - 44, short)
        pdf.setLineWidth(0.5)
        pdf.line(margin, height - 50, width - margin, height - 50)
        pdf.drawCentredString(width / 2, 36, f"- {page_no} -")
        pdf.setFillGray(0)

    # Title block (full width) on the first page.
    decorate()
    y = top - 8
    pdf.setFont(BOLD_FONT, 18)
    for line in simpleSplit(brief.title, BOLD_FONT, 18, width - 2 * margin):
        pdf.drawString(margin, y, line)
        y -= 23
    y -= 6
    for author, affiliation in zip(brief.authors, brief.affiliations, strict=True):
        pdf.setFont(BOLD_FONT, 11)
        pdf.drawString(margin, y, author)
        y -= 14
        pdf.setFont("Helvetica-Oblique", 9.5)
        pdf.drawString(margin, y, affiliation)
        y -= 16
    pdf.setFont(HEAD_FONT, 9.5)
    pdf.drawString(margin, y, brief.date.strftime("%B %d, %Y").replace(" 0", " "))
    y -= 12
    pdf.line(margin, y, width - margin, y)
    y -= 22
    first_top = y
    col = 0

    def x_of(c: int) -> float:
        return margin + c * (col_w + gutter)

    def advance() -> float:
        nonlocal col, page_no
        if two and col == 0:
            col = 1
            return first_top if page_no == 1 else top
        pdf.showPage()
        page_no += 1
        col = 0
        decorate()
        return top

    for heading, paragraphs in brief.sections:
        blocks = [("h", heading)] + [("s", p[3:]) if p.startswith("## ") else ("p", p)
                                     for p in paragraphs]
        for kind, text in blocks:
            if kind == "p":
                font, fsize, lead = BODY_FONT, body_size, leading
            else:
                font, fsize, lead = BOLD_FONT, body_size + (2 if kind == "h" else 0.5), \
                    leading + 2
            lines = simpleSplit(text, font, fsize, col_w)
            if kind != "p":
                y -= lead * 0.6
                if y - lead * 3 < bottom:  # keep a heading with its next lines
                    y = advance()
            for line in lines:
                if y - lead < bottom:
                    y = advance()
                pdf.setFont(font, fsize)
                pdf.drawString(x_of(col), y - fsize, line)
                y -= lead
            y -= lead * (0.55 if kind == "p" else 0.15)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


# ------------------------------------------------------------------------------ corpus


def _format_for(index: int, pdf_share: float) -> str:
    """Exactly round-down(n * pdf_share) PDFs among the first n briefs, for every n."""
    return "pdf" if int((index + 1) * pdf_share) > int(index * pdf_share) else "txt"


def write_brief(out_dir: Path, index: int, seed: int = 0, pdf_share: float = 0.5
                ) -> tuple[Path, Brief]:
    """Write brief number `index` of the corpus for `seed` under `out_dir/<slug>/`."""
    brief = make_brief(index, seed, _format_for(index, pdf_share))
    path = Path(out_dir) / brief.slug / brief.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    if brief.fmt == "pdf":
        path.write_bytes(render_pdf(brief))
    else:
        path.write_bytes(render_txt(brief).encode("utf-8"))
    return path, brief


def write_corpus(out_dir: Path, n_docs: int, seed: int = 0, pdf_share: float = 0.5
                 ) -> list[Path]:
    """Write `n_docs` synthetic briefs under `out_dir/<think-tank-slug>/` and a
    `sources.csv` with metadata rows for some of them; return the brief paths.

    Deterministic: the same arguments give byte-identical files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, rows = [], []
    for index in range(n_docs):
        path, brief = write_brief(out_dir, index, seed, pdf_share)
        paths.append(path)
        if brief.in_manifest:
            rel = path.relative_to(out_dir).as_posix()
            rows.append({
                "path": rel, "think_tank": brief.think_tank, "title": brief.title,
                "authors": "; ".join(brief.authors), "date": brief.date.isoformat(),
                "url": f"https://www.{brief.host}/briefs/{path.stem}",
                "notes": f"synthetic brief {brief.index} (seed {seed})"})
    with open(out_dir / "sources.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=("path", "think_tank", "title", "authors",
                                                    "date", "url", "notes"),
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return paths
