"""Shared fixtures: a throw-away project (configs + data/raw) in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import Config, load_config

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
SEEDS = PROJECT / "data" / "raw"
SEJONG = "sejong-institute/sejong-2019-03-28-woo-us-perception-second-summit.txt"
UNKNOWN = "unknown/unknown-2019-hanoi-assessment-and-prospects.txt"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real configs and seed briefs in tmp_path, laid out like the project."""
    shutil.copytree(PROJECT / "configs", tmp_path / "configs")
    shutil.copytree(SEEDS, tmp_path / "data" / "raw")
    return tmp_path


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project / "configs", root=project)
