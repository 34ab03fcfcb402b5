"""TXT extraction: encodings, binary and empty files, web-page debris, reflow, headings."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from pipeline.config import IngestSettings, load_config
from pipeline.ingest.model import ExtractionFailure
from pipeline.ingest.txt import decode_bytes, extract_txt

SETTINGS: IngestSettings = load_config().ingest
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEJONG_SEED = SEEDS / "sejong-2019-03-28-woo-us-perception-second-summit.txt"
UNKNOWN_SEED = SEEDS / "unknown-2019-hanoi-assessment-and-prospects.txt"

KOREAN = "하노이 정상회담은 합의 없이 끝났다. 북미 협상의 전망을 분석한다."
WESTERN = "The so-called \u201cbig deal\u201d \u2014 Trump\u2019s offer \u2014 was refused."


def write(tmp_path: Path, data: bytes, name: str = "brief.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def texts(path: Path) -> list[str]:
    return [p.text for p in extract_txt(path, SETTINGS).paragraphs]


# ---------------------------------------------------------------------------- encodings


def test_cp949_korean_is_decoded():
    assert decode_bytes(KOREAN.encode("cp949")) == (KOREAN, "cp949")


def test_cp949_mixed_with_english_is_decoded():
    text = "The Hanoi summit (하노이 정상회담) ended without an agreement on sanctions."
    assert decode_bytes(text.encode("cp949")) == (text, "cp949")


def test_cp1252_curly_quotes_are_decoded():
    assert decode_bytes(WESTERN.encode("cp1252")) == (WESTERN, "cp1252")


def test_short_cp1252_text_is_decoded():
    text = "\u201cNo deal\u201d"
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_utf16_with_bom_is_decoded(bom, codec, name):
    assert decode_bytes(bom + (WESTERN + " " + KOREAN).encode(codec)) == (
        WESTERN + " " + KOREAN,
        name,
    )


def test_utf16_without_bom_is_detected_from_nul_bytes():
    assert decode_bytes(WESTERN.encode("utf-16-le")) == (WESTERN, "utf-16-le")


def test_utf8_bom_is_removed():
    assert decode_bytes(codecs.BOM_UTF8 + WESTERN.encode("utf-8")) == (WESTERN, "utf-8-sig")


def test_plain_utf8_is_decoded():
    assert decode_bytes(KOREAN.encode("utf-8")) == (KOREAN, "utf-8")


def test_extracted_text_records_the_encoding(tmp_path):
    extracted = extract_txt(write(tmp_path, KOREAN.encode("cp949")), SETTINGS)
    assert (extracted.encoding, extracted.text) == ("cp949", KOREAN)


# ------------------------------------------------------------------ binary and empty


def test_binary_file_named_txt_is_an_error(tmp_path):
    path = write(tmp_path, bytes(range(256)) * 20)
    with pytest.raises(ExtractionFailure) as caught:
        extract_txt(path, SETTINGS)
    assert caught.value.status == "error"
    assert caught.value.message.startswith("not a text file: it looks binary (")
    assert "give it the right extension" in caught.value.message


def test_pdf_named_txt_is_an_error_naming_pdf(tmp_path):
    path = write(tmp_path, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 5)
    with pytest.raises(ExtractionFailure, match="PDF") as caught:
        extract_txt(path, SETTINGS)
    assert caught.value.status == "error"


def test_control_characters_without_nul_are_binary():
    with pytest.raises(ExtractionFailure, match="control characters"):
        decode_bytes(b"abc\x01\x02\x03\x04def\x05\x06" * 30)


def test_text_with_few_letters_is_binary():
    with pytest.raises(ExtractionFailure, match="letters"):
        decode_bytes(b"1234 5678 #### %%%% 9999 ++++ ==== abc")


@pytest.mark.parametrize(
    "data", [b"", b"  \n\n\t \r\n", codecs.BOM_UTF16_LE + "  \n ".encode("utf-16-le")]
)
def test_empty_or_whitespace_file_is_empty(tmp_path, data):
    with pytest.raises(ExtractionFailure) as caught:
        extract_txt(write(tmp_path, data), SETTINGS)
    assert caught.value.status == "empty"


def test_file_of_only_debris_is_empty(tmp_path):
    with pytest.raises(ExtractionFailure) as caught:
        extract_txt(write(tmp_path, b"View : 778\nPrint\n\nShare\n"), SETTINGS)
    assert caught.value.status == "empty"


def test_input_file_is_not_modified(tmp_path):
    path = write(tmp_path, ("Title Line\r\n\r\n" + WESTERN + "\r\nView : 12\r\n").encode("cp1252"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    extract_txt(path, SETTINGS)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_txt_paragraphs_have_no_page(tmp_path):
    extracted = extract_txt(write(tmp_path, WESTERN.encode()), SETTINGS)
    assert extracted.n_pages is None
    assert [p.page for p in extracted.paragraphs] == [None]
    assert [p.kind for p in extracted.paragraphs] == ["body"]


# ------------------------------------------------------------------ debris and banners

WEB_PAGE = """Asan Issue Briefs
The Asan Institute publishes analyses of the security situation on the Korean peninsula.

Asan Issue Briefs

After Hanoi: What Next for Denuclearization
2019.04.02 Tuesday
View : 1,204
Print
Share
Kim Min-ji

After Hanoi: What Next for Denuclearization

Kim Min-ji

Senior Fellow, the Asan Institute for Policy Studies

The summit in Hanoi ended early and without a joint statement.
"""


def test_debris_lines_are_dropped(tmp_path):
    paragraphs = texts(write(tmp_path, WEB_PAGE.encode()))
    assert not {"View : 1,204", "Print", "Share"} & set(paragraphs)


def test_repeated_banner_is_dropped(tmp_path):
    assert "Asan Issue Briefs" not in texts(write(tmp_path, WEB_PAGE.encode()))


def test_repeated_title_and_byline_are_kept_once(tmp_path):
    paragraphs = texts(write(tmp_path, WEB_PAGE.encode()))
    assert paragraphs.count("After Hanoi: What Next for Denuclearization") == 1
    assert paragraphs.count("Kim Min-ji") == 1


def test_web_page_lines_become_separate_paragraphs(tmp_path):
    assert texts(write(tmp_path, WEB_PAGE.encode())) == [
        "The Asan Institute publishes analyses of the security situation on the Korean peninsula.",
        "After Hanoi: What Next for Denuclearization",
        "2019.04.02 Tuesday",
        "Kim Min-ji",
        "Senior Fellow, the Asan Institute for Policy Studies",
        "The summit in Hanoi ended early and without a joint statement.",
    ]


def test_decoration_lines_are_dropped(tmp_path):
    data = b"First paragraph ends here.\n\n* * *\n\nSecond paragraph ends here.\n"
    assert texts(write(tmp_path, data)) == [
        "First paragraph ends here.",
        "Second paragraph ends here.",
    ]


# ------------------------------------------------------------------------------ reflow

# Text saved from a PDF with a blank line after every line: paragraph breaks are lines
# holding only a space, and a page seam leaves a line starting with a stray space.
DOUBLE_SPACED = (
    "1. Background of the Talks \n\n \n\n"
    "The second summit between the leaders of North Korea and The United \n\n"
    "States ended without any agreement, and the talks stalled for many \n\n"
    "months. Chairman Kim Jong-\n\n"
    "un left Hanoi by train the next day after the breakdown of the summit. \n\n \n\n"
    "2. Prospect \n\n \n\n"
    "The working-level talks could resume later this year if both sides show more \n\n"
    "flexibility on the sequencing of denuclearization steps and the relief of the \n"
    " sanctions imposed by the United Nations Security Council since the year 2016. \n"
    " A third summit remains possible, although nobody expects it to happen very soon \n\n"
    "given the distance between the two positions on the core issues. \n\n"
)


def test_double_spaced_text_rejoins_split_lines(tmp_path):
    text = extract_txt(write(tmp_path, DOUBLE_SPACED.encode()), SETTINGS).text
    assert "The United States ended" in text
    assert "Kim Jong-un left" in text
    assert "Jong- un" not in text and "United\n\nStates" not in text


def test_double_spaced_text_keeps_paragraphs_and_headings(tmp_path):
    assert texts(write(tmp_path, DOUBLE_SPACED.encode())) == [
        "1. Background of the Talks",
        "The second summit between the leaders of North Korea and The United States ended "
        "without any agreement, and the talks stalled for many months. Chairman Kim Jong-un "
        "left Hanoi by train the next day after the breakdown of the summit.",
        "2. Prospect",
        "The working-level talks could resume later this year if both sides show more "
        "flexibility on the sequencing of denuclearization steps and the relief of the "
        "sanctions imposed by the United Nations Security Council since the year 2016.",
        "A third summit remains possible, although nobody expects it to happen very soon "
        "given the distance between the two positions on the core issues.",
    ]


def test_page_number_inside_a_double_spaced_paragraph_is_dropped(tmp_path):
    data = DOUBLE_SPACED.replace("given the distance", "- 7 -\n\ngiven the distance")
    paragraphs = texts(write(tmp_path, data.encode()))
    assert paragraphs[-1] == (
        "A third summit remains possible, although nobody expects it to happen very soon "
        "given the distance between the two positions on the core issues."
    )


HARD_WRAPPED = """Executive Summary
The collapse of the Hanoi summit showed that the two sides still disagree
on the definition of denucle-
arization and on the sequencing of sanctions relief.

3. Prospect
Both sides are likely to wait. Washington will keep the sanctions in place
while Pyongyang tests the patience of its partners.
"""


def test_hard_wrapped_lines_are_joined_and_hyphens_mended(tmp_path):
    paragraphs = texts(write(tmp_path, HARD_WRAPPED.encode()))
    assert paragraphs[1] == (
        "The collapse of the Hanoi summit showed that the two sides still disagree on the "
        "definition of denuclearization and on the sequencing of sanctions relief."
    )


def test_headings_stay_their_own_paragraphs(tmp_path):
    paragraphs = texts(write(tmp_path, HARD_WRAPPED.encode()))
    assert [paragraphs[0], paragraphs[2]] == ["Executive Summary", "3. Prospect"]
    assert len(paragraphs) == 4


def test_one_paragraph_per_line_text_splits_at_every_line(tmp_path):
    long_a = "The first paragraph is a single long line of web text. " * 4
    long_b = "The second paragraph follows on the next line without a blank line. " * 4
    data = f"{long_a.strip()}\n{long_b.strip()}\n".encode()
    assert texts(write(tmp_path, data)) == [long_a.strip(), long_b.strip()]


def test_list_items_are_separate_paragraphs(tmp_path):
    data = (
        "Key Findings\n"
        "\u2022 North Korea wants sanctions relief before it gives up anything.\n"
        "\u2022 The United States wants a full declaration first.\n"
    ).encode()
    assert texts(write(tmp_path, data)) == [
        "Key Findings",
        "\u2022 North Korea wants sanctions relief before it gives up anything.",
        "\u2022 The United States wants a full declaration first.",
    ]


def test_footnote_number_after_a_full_stop_still_ends_the_paragraph(tmp_path):
    data = DOUBLE_SPACED.replace("the year 2016. ", "the year 2016.3 ")
    paragraphs = texts(write(tmp_path, data.encode()))
    assert paragraphs[3].endswith("since the year 2016.3")
    assert paragraphs[4].startswith("A third summit remains possible")


def test_numbered_heading_glued_to_paragraph_end_is_split(tmp_path):
    data = (
        b"Future negotiations are likely to rely on concessions from one side rather than a "
        b"compromise between the two parties. 1. Policy Means of the U.S. and DPRK and "
        b"Scenarios of Nuclear Negotiation\n"
    )
    assert texts(write(tmp_path, data)) == [
        "Future negotiations are likely to rely on concessions from one side rather than a "
        "compromise between the two parties.",
        "1. Policy Means of the U.S. and DPRK and Scenarios of Nuclear Negotiation",
    ]


def test_numbered_sentence_after_a_sentence_is_not_split(tmp_path):
    data = b"The talks failed in 2019. 2. The sanctions stayed because nobody moved first.\n"
    assert len(texts(write(tmp_path, data))) == 1


# ------------------------------------------------------------------------------- seeds

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed briefs not present")


@needs_seeds
def test_unknown_seed_rejoins_words_split_across_lines():
    text = extract_txt(UNKNOWN_SEED, SETTINGS).text
    assert "The United States" in text and "Kim Jong-un" in text
    assert "Jong- un" not in text and "United\n\nStates" not in text


@needs_seeds
def test_unknown_seed_keeps_paragraphs():
    paragraphs = texts(UNKNOWN_SEED)
    first = [p for p in paragraphs if p.startswith("First, regarding the approach")]
    assert len(first) == 1
    assert first[0].endswith("dismantling the Yongbyon nuclear facility would be the first step.")


@needs_seeds
def test_unknown_seed_headings_are_separate():
    paragraphs = texts(UNKNOWN_SEED)
    for heading in (
        "2. Assessment of Hanoi Summit Meeting and Prospects",
        "3. Prospect",
        "4. Policy Recommendations",
        "(1) Establishment of a Comprehensive Nuclear Roadmap",
    ):
        assert heading in paragraphs


@needs_seeds
def test_sejong_seed_loses_debris_and_banner():
    paragraphs = texts(SEJONG_SEED)
    assert not any("View : 778" in p for p in paragraphs)
    assert "Sejong Policy Briefs" not in paragraphs


@needs_seeds
def test_sejong_seed_keeps_title_once_and_summary_intact():
    paragraphs = texts(SEJONG_SEED)
    title = "The U.S. Perception of the Second DPRK-U.S. Summit and Future Prospects"
    assert paragraphs.count(title) == 1
    summary = paragraphs[paragraphs.index("Executive Summary") + 1 :]
    assert len(summary) == 8
    assert summary[0] == (
        "The causes behind the collapse of the second DPRK-U.S. summit and prospects for the "
        "resumption of negotiations between the two countries require objective and realistic "
        "analyses."
    )
    assert summary[-1].endswith("a compromise between the two parties.")
