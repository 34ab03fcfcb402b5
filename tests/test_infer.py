"""Metadata inferred from a brief's first lines: think tank, date, authors, title."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ThinkTank, load_config
from pipeline.ingest.infer import (
    canonical_think_tank,
    infer_metadata,
    parse_affiliation,
    parse_date_line,
    parse_names,
)
from pipeline.ingest.model import Paragraph
from pipeline.ingest.txt import extract_txt

SETTINGS = load_config().ingest
TANKS = (
    ThinkTank("Sejong Institute", ("sejong-institute", "sejong", "The Sejong Institute")),
    ThinkTank("Brookings Institution", ("brookings", "The Brookings Institution")),
    ThinkTank("RAND Corporation", ("rand", "The RAND Corporation")),
)
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed briefs not present")

BODY = (
    "The second North Korea-United States Summit (Feb. 27-28, 2019, Hanoi) did not generate "
    "an agreement, and the two leaders left without a joint statement."
)


def infer(*lines: str) -> dict[str, str | None]:
    return infer_metadata([Paragraph(line) for line in lines], TANKS)


# --------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("2019.03.28  Thursday", "2019-03-28"),
        ("2019.03.28", "2019-03-28"),
        ("2019-03-28", "2019-03-28"),
        ("2019/03/28", "2019-03-28"),
        ("March 28, 2019", "2019-03-28"),
        ("Mar. 28, 2019", "2019-03-28"),
        ("28 March 2019", "2019-03-28"),
        ("Thursday, March 28, 2019", "2019-03-28"),
        ("Published: March 28, 2019", "2019-03-28"),
        ("2019년 3월 28일 (목)", "2019-03-28"),
        ("Policy Brief | March 28, 2019", "2019-03-28"),
    ],
)
def test_date_lines_are_recognised(line, iso):
    assert parse_date_line(line) == iso


@pytest.mark.parametrize(
    "line",
    [
        "Feb. 27-28, 2019",
        BODY,
        "March 2019",
        "2019.02.30",
        "The summit was held on March 28, 2019 in Hanoi.",
    ],
)
def test_non_date_lines_give_none(line):
    assert parse_date_line(line) is None


def test_date_comes_from_the_head():
    assert infer("A Title for the Brief", "28 March 2019", BODY)["date"] == "2019-03-28"


def test_date_after_the_first_section_heading_is_ignored():
    assert infer("A Title for the Brief", "Executive Summary", "28 March 2019")["date"] is None


def test_body_dates_give_no_date():
    assert infer(BODY, BODY)["date"] is None


# --------------------------------------------------------------------------- think tank


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("sejong-institute", "Sejong Institute"),
        ("The Sejong Institute", "Sejong Institute"),
        ("the SEJONG institute", "Sejong Institute"),
        ("brookings", "Brookings Institution"),
        ("east-asia-institute", "East Asia Institute"),
        ("  Korea   Foundation ", "Korea Foundation"),
    ],
)
def test_canonical_think_tank(name, canonical):
    assert canonical_think_tank(name, TANKS) == canonical


@pytest.mark.parametrize(
    ("line", "think_tank"),
    [
        ("Research Fellow, the Sejong Institute", "Sejong Institute"),
        ("Senior Fellow at the Brookings Institution", "Brookings Institution"),
        ("Senior Research Fellow, Sejong", "Sejong Institute"),
        ("Director, Center for Korean Studies", "Center for Korean Studies"),
        (
            "Director of the Center for East Asia Policy Studies, Brookings Institution",
            "Brookings Institution",
        ),
        ("Research Fellow, The East Asia Institute", "East Asia Institute"),
        (
            "Professor, Department of Political Science, Seoul National University",
            "Seoul National University",
        ),
    ],
)
def test_affiliation_line_gives_think_tank(line, think_tank):
    assert infer("Woo Jung-Yeop", line, BODY)["think_tank"] == think_tank


@pytest.mark.parametrize(
    "line",
    [
        "The Sejong Institute is a think tank in Seongnam.",
        "President Trump, Hanoi",
        "Research Fellow",
        BODY,
    ],
)
def test_non_affiliation_lines_give_none(line):
    assert parse_affiliation(line, TANKS) is None


def test_single_word_alias_inside_a_phrase_is_not_a_think_tank():
    # "Rand" is a configured alias, but here it is part of a person's name.
    assert parse_affiliation("Senior Fellow, Rand Paul Foundation", TANKS).organisation == (
        "Rand Paul Foundation"
    )


# ------------------------------------------------------------------------------ authors


def test_author_is_the_name_line_before_the_affiliation():
    assert infer("Woo Jung-Yeop", "Research Fellow, the Sejong Institute")["authors"] == (
        "Woo Jung-Yeop"
    )


def test_author_is_the_name_line_after_the_affiliation():
    assert infer("Senior Fellow at the Brookings Institution", "Jung H. Pak")["authors"] == (
        "Jung H. Pak"
    )


def test_author_on_the_affiliation_line():
    assert infer("Woo Jung-Yeop, Research Fellow, the Sejong Institute")["authors"] == (
        "Woo Jung-Yeop"
    )


def test_several_authors_are_joined_with_semicolons():
    meta = infer(
        "Woo Jung-Yeop",
        "Research Fellow, the Sejong Institute",
        "Jung H. Pak",
        "Senior Fellow at the Brookings Institution",
    )
    assert meta["authors"] == "Woo Jung-Yeop; Jung H. Pak"


def test_by_line_gives_authors_without_affiliation():
    assert infer("A Title for the Brief", "By Bruce Klingner and Sue Mi Terry")["authors"] == (
        "Bruce Klingner; Sue Mi Terry"
    )


def test_by_line_in_a_masthead_gives_author_and_date():
    meta = infer("A Title for the Brief", "By Victor D. Cha | March 1, 2019")
    assert (meta["authors"], meta["date"]) == ("Victor D. Cha", "2019-03-01")


def test_author_in_front_of_parenthesised_affiliation():
    meta = infer("Lee Sang-hyun (Senior Research Fellow, Sejong Institute)")
    assert (meta["authors"], meta["think_tank"]) == ("Lee Sang-hyun", "Sejong Institute")


def test_heading_next_to_affiliation_is_not_an_author():
    assert infer("Research Fellow, the Sejong Institute", "Executive Summary")["authors"] is None


@pytest.mark.parametrize(
    "line",
    [
        "Executive Summary",
        "North Korea",
        "Sejong Policy Briefs",
        "DPRK US TALKS",
        "Kim Jong Un's Gamble",
        BODY,
    ],
)
def test_non_names_are_not_names(line):
    assert parse_names(line) is None


# -------------------------------------------------------------------------------- title


def test_title_is_the_first_heading_like_line():
    meta = infer(
        "Sejong Policy Briefs",
        "The U.S. Perception of the Second Summit",
        "2019.03.28 Thursday",
        "Woo Jung-Yeop",
        "Research Fellow, the Sejong Institute",
    )
    assert meta["title"] == "The U.S. Perception of the Second Summit"


def test_possessive_title_is_a_title_not_an_author():
    meta = infer("Kim Jong Un's Gamble", "Woo Jung-Yeop", "Research Fellow, the Sejong Institute")
    assert (meta["title"], meta["authors"]) == ("Kim Jong Un's Gamble", "Woo Jung-Yeop")


def test_sentence_is_not_a_title():
    assert infer(BODY, "Executive Summary")["title"] is None


def test_numbered_section_heading_is_not_a_title():
    assert infer("1. Policy Means of the U.S. and DPRK", BODY)["title"] is None


def test_unknown_fields_stay_none():
    assert infer(BODY) == {"think_tank": None, "date": None, "authors": None, "title": None}


# -------------------------------------------------------------------------------- seeds


@needs_seeds
def test_sejong_seed_metadata():
    path = SEEDS / "sejong-2019-03-28-woo-us-perception-second-summit.txt"
    meta = infer_metadata(extract_txt(path, SETTINGS).paragraphs, SETTINGS.think_tanks)
    assert meta == {
        "think_tank": "Sejong Institute",
        "date": "2019-03-28",
        "authors": "Woo Jung-Yeop",
        "title": "The U.S. Perception of the Second DPRK-U.S. Summit and Future Prospects",
    }


@needs_seeds
def test_unknown_seed_states_no_think_tank_date_or_authors():
    path = SEEDS / "unknown-2019-hanoi-assessment-and-prospects.txt"
    meta = infer_metadata(extract_txt(path, SETTINGS).paragraphs, SETTINGS.think_tanks)
    assert (meta["think_tank"], meta["date"], meta["authors"]) == (None, None, None)
