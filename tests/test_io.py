import datetime as dt

import pandas as pd
import pytest

from pipeline.io import read_cache, write_cache, write_table
from pipeline.schemas import DOCUMENTS, SchemaError, column_docs_markdown, make_frame


def _row(**overrides):
    row = dict.fromkeys(DOCUMENTS.column_names)
    row.update(doc_id="a", path="a.txt", format="txt", sha256="0" * 64, n_bytes=3,
               n_paragraphs=1, n_words=3, status="ok", date=dt.date(2019, 3, 28))
    row.update(overrides)
    return row


def test_make_frame_orders_rows_and_columns():
    frame = make_frame([_row(doc_id="b"), _row(doc_id="a")], DOCUMENTS)
    assert list(frame["doc_id"]) == ["a", "b"]
    assert list(frame.columns) == DOCUMENTS.column_names
    assert str(frame["n_words"].dtype) == "Int64"


def test_make_frame_rejects_unknown_column():
    with pytest.raises(SchemaError, match="unknown columns \\['extra'\\]"):
        make_frame([{**_row(), "extra": 1}], DOCUMENTS)


@pytest.mark.parametrize(
    ("override", "message"),
    [({"status": "fine"}, "status"), ({"sha256": None}, "sha256: null"),
     ({"n_words": "3"}, "n_words")],
)
def test_validate_rejects_bad_values(tmp_path, override, message):
    frame = make_frame([_row()], DOCUMENTS)
    frame = frame.astype(object)
    for key, value in override.items():
        frame.loc[0, key] = value
    with pytest.raises(SchemaError, match=message):
        write_table(frame, DOCUMENTS, tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_write_table_round_trips_and_is_deterministic(tmp_path):
    frame = make_frame([_row(), _row(doc_id="b", date=None, status="error", error="bad")],
                       DOCUMENTS)
    write_table(frame, DOCUMENTS, tmp_path / "one")
    write_table(frame, DOCUMENTS, tmp_path / "two")
    for name in ("documents.csv", "documents.parquet"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    back = pd.read_parquet(tmp_path / "one" / "documents.parquet")
    assert back.loc[0, "date"] == dt.date(2019, 3, 28)
    assert list(back.columns) == DOCUMENTS.column_names


def test_failed_write_keeps_previous_table(tmp_path):
    good = make_frame([_row()], DOCUMENTS)
    write_table(good, DOCUMENTS, tmp_path)
    before = (tmp_path / "documents.csv").read_bytes()
    bad = good.astype(object)
    bad.loc[0, "status"] = None
    with pytest.raises(SchemaError):
        write_table(bad, DOCUMENTS, tmp_path)
    assert (tmp_path / "documents.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents.csv", "documents.parquet"]


def test_cache_detects_corruption(tmp_path):
    entry = tmp_path / "e.json"
    write_cache(entry, {"text": "Kim Jong-un"})
    assert read_cache(entry) == {"text": "Kim Jong-un"}
    entry.write_text(entry.read_text().replace("Kim", "Kym"))
    assert read_cache(entry) is None
    entry.write_text("{not json")
    assert read_cache(entry) is None
    assert read_cache(tmp_path / "missing.json") is None


def test_column_docs_cover_every_column():
    docs = column_docs_markdown()
    for name in DOCUMENTS.column_names:
        assert f"| `{name}` |" in docs


def test_committed_column_docs_and_readme_overview_are_current():
    from pipeline.coding.codebook import load_codebook
    from pipeline.schemas import with_readme_overview
    from tests.conftest import PROJECT

    codebook = load_codebook(PROJECT / "configs" / "codebook.yaml")
    committed = (PROJECT / "docs" / "tables.md").read_text(encoding="utf-8")
    assert committed == column_docs_markdown(codebook), "run `make docs` and commit"
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert with_readme_overview(readme) == readme, "run `make docs` and commit README.md"
