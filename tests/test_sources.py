import datetime as dt

import pytest

from pipeline import sources
from pipeline.config import IngestSettings, ThinkTank

TANKS = (ThinkTank("Sejong Institute", ("sejong-institute", "The Sejong Institute")),)
SETTINGS = IngestSettings(think_tanks=TANKS)


def test_doc_ids_are_readable_slugs():
    ids = sources.make_doc_ids(["sejong-institute/Woo 2019 Brief.pdf", "flat_file.TXT"])
    assert ids == {
        "sejong-institute/Woo 2019 Brief.pdf": "sejong-institute__woo-2019-brief",
        "flat_file.TXT": "flat-file",
    }


def test_doc_ids_keep_extension_when_stems_collide():
    ids = sources.make_doc_ids(["a/brief.pdf", "a/brief.txt"])
    assert ids == {"a/brief.pdf": "a__brief-pdf", "a/brief.txt": "a__brief-txt"}


def test_doc_ids_keep_non_ascii():
    assert sources.make_doc_ids(["세종/브리프 1.txt"]) == {"세종/브리프 1.txt": "세종__브리프-1"}


def test_discover_skips_hidden_files_and_manifest(tmp_path):
    for rel in ["a/x.pdf", "a/.DS_Store", ".git/y.txt", "sources.csv", "z.docx"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert sources.discover_files(tmp_path, SETTINGS) == ["a/x.pdf", "z.docx"]


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("sejong-institute/a.txt", "Sejong Institute"),
        ("east-asia-institute/a.txt", "East Asia Institute"),
        ("Korea Foundation/a.pdf", "Korea Foundation"),
        ("unknown/a.txt", None),
        ("a.txt", None),
    ],
)
def test_folder_think_tank(rel, expected):
    assert sources.folder_think_tank(rel, SETTINGS) == expected


def test_canonical_think_tank_ignores_case_and_article():
    assert sources.canonical_think_tank("the SEJONG institute", TANKS) == "Sejong Institute"


def test_manifest_reports_bad_rows_with_line_numbers(tmp_path):
    manifest = tmp_path / "sources.csv"
    manifest.write_text(
        "path,think_tank,date,notes\n"
        "a/x.pdf,Sejong Institute,2019-03-28,fine\n"
        "a/y.pdf,,28 March 2019,bad date\n"
        "a/x.pdf,Other,,duplicate\n",
        encoding="utf-8",
    )
    parsed = sources.read_manifest(manifest)
    assert parsed.rows["a/x.pdf"] == {"think_tank": "Sejong Institute", "date": "2019-03-28"}
    assert parsed.rows["a/y.pdf"] == {}
    assert any("line 3" in p and "28 March 2019" in p for p in parsed.problems)
    assert any("line 4" in p and "listed twice" in p for p in parsed.problems)


def test_manifest_without_path_column(tmp_path):
    manifest = tmp_path / "sources.csv"
    manifest.write_text("file,title\nx.pdf,X\n", encoding="utf-8")
    assert "'path' column" in sources.read_manifest(manifest).problems[0]


def test_manifest_orphans():
    manifest = sources.Manifest(rows={"gone.pdf": {}})
    assert "gone.pdf" in sources.manifest_orphans(manifest, ["x.pdf"], "sources.csv")[0]


def test_merge_takes_first_known_value():
    merged, origin = sources.merge_metadata(
        [
            ("manifest", {"title": "From manifest"}),
            ("folder", {"think_tank": "Folder Tank"}),
            ("text", {"title": "From text", "think_tank": "Text Tank", "date": "2019-03-28"}),
        ]
    )
    assert merged == {
        "think_tank": "Folder Tank",
        "title": "From manifest",
        "authors": None,
        "date": "2019-03-28",
        "url": None,
    }
    assert origin == "think_tank:folder, title:manifest, date:text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2019-03-28", dt.date(2019, 3, 28)), ("2019.03.28", dt.date(2019, 3, 28)),
     ("2019-02-30", None), ("March 2019", None)],
)
def test_parse_date(text, expected):
    assert sources.parse_date(text) == expected
