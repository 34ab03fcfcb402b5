"""Shared fixtures: a throw-away project (configs + data/raw) in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import Config, load_config

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
SEEDS = PROJECT / "data" / "raw"
BRIEFS = PROJECT / "tests" / "fixtures" / "briefs"
SEJONG = "sejong-institute/sejong-2019-03-28-woo-us-perception-second-summit.txt"
UNKNOWN = "unknown/unknown-2019-hanoi-assessment-and-prospects.txt"
SEJONG_ID = "sejong-institute__sejong-2019-03-28-woo-us-perception-second-summit"
SECOND_ID = "unknown__unknown-2019-hanoi-assessment-and-prospects"


def copy_project(root: Path, briefs: bool = False) -> Path:
    """A throw-away project in `root`: the real configs and seed briefs (and, with `briefs`,
    the fictional briefs of several think tanks)."""
    shutil.copytree(PROJECT / "configs", root / "configs")
    shutil.copytree(SEEDS, root / "data" / "raw")
    if briefs:
        shutil.copytree(BRIEFS, root / "data" / "raw", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.json", "*.md"))
    return root


@pytest.fixture(scope="session")
def nlp():
    """The real configured spaCy pipeline, loaded once per test session."""
    from pipeline.nlp.build import build_nlp

    return build_nlp(load_config())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real configs and seed briefs in tmp_path, laid out like the project."""
    return copy_project(tmp_path)


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project / "configs", root=project)
