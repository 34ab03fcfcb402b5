"""The build as a whole: a no-op rebuild does nothing, a change redoes only what it must."""

from __future__ import annotations

import yaml

from pipeline.build import run_build
from pipeline.config import load_config
from tests.conftest import SEJONG, copy_project


def _stages(report) -> dict[str, tuple[int, int]]:
    return {s.stage: (s.n_done, s.n_cached) for s in report.stages}


def test_noop_then_added_brief_then_vocabulary_edit(tmp_path):
    copy_project(tmp_path)
    config = load_config(tmp_path / "configs", root=tmp_path)
    first = _stages(run_build(config))
    assert first["ingest"] == (2, 0) and first["nlp"] == (2, 0) and first["coding"] == (2, 0)
    assert list(_stages(run_build(config))) == ["check"]  # nothing changed
    added = tmp_path / "data" / "raw" / "new-tank" / "copy.txt"
    added.parent.mkdir()
    added.write_text((tmp_path / "data" / "raw" / SEJONG).read_text() + "\nA new line.\n")
    again = _stages(run_build(config))
    assert again["ingest"] == (1, 2) and again["nlp"] == (1, 2) and again["coding"] == (1, 2)
    actors_file = tmp_path / "configs" / "actors.yaml"
    with open(actors_file, "a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes no cache key\n")
    commented = _stages(run_build(config))
    assert commented["nlp"] == (0, 3) and commented["coding"] == (0, 3)
    actors = yaml.safe_load(actors_file.read_text(encoding="utf-8"))
    actors["not_actors"].append("Hanoi Hilton")  # a knowledge-base edit re-parses
    actors_file.write_text(yaml.safe_dump(actors, allow_unicode=True), encoding="utf-8")
    edited = _stages(run_build(config))
    assert edited["ingest"] == (0, 3)  # never re-extracted
    assert edited["nlp"] == (3, 0) and edited["coding"] == (3, 0)
