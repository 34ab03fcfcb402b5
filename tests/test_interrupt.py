"""Killing a build at any point leaves the previous outputs intact and readable, and the
next build completes correctly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import BRIEFS, copy_project


def _build(root: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "--config", str(root / "configs"),
                           "-q", "build"], capture_output=True, text=True, timeout=timeout,
                          cwd=root)


def _readable_tables(processed: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for parquet in sorted(processed.rglob("*.parquet")):
        tables[parquet.stem] = pd.read_parquet(parquet)
        pd.read_csv(parquet.with_suffix(".csv"))
    return tables


@pytest.mark.slow
def test_killed_build_keeps_previous_outputs_and_next_build_completes(tmp_path):
    root = copy_project(tmp_path / "project")
    assert _build(root).returncode == 0
    processed = root / "data" / "processed"
    before = {p: p.read_bytes() for p in processed.rglob("*")
              if p.is_file() and not p.name.startswith(".")}
    # new work for the next build: a brief and a changed vocabulary (re-parses everything)
    brief = BRIEFS / "pacific-policy-forum"
    shutil.copytree(brief, root / "data" / "raw" / "pacific-policy-forum")
    actors_file = root / "configs" / "actors.yaml"
    actors = yaml.safe_load(actors_file.read_text(encoding="utf-8"))
    actors["not_actors"].append("Hanoi Hilton")
    actors_file.write_text(yaml.safe_dump(actors, allow_unicode=True), encoding="utf-8")
    for delay in (0.3, 1.0, 2.0, 3.5):
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--config",
                                 str(root / "configs"), "-q", "build"], cwd=root,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        tables = _readable_tables(processed)  # every visible table still reads
        assert set(tables) >= {"documents", "sentences", "codes", "doc_codes"}
        assert all(path.exists() for path in before)  # nothing was deleted
    done = _build(root)
    assert done.returncode == 0, done.stderr
    assert not list(processed.rglob(".*.tmp"))
    documents = pd.read_parquet(processed / "documents.parquet")
    assert "pacific-policy-forum" in set(documents["path"].str.split("/").str[0])
    assert set(pd.read_parquet(processed / "doc_codes.parquet")["doc_id"]) >= set(
        documents.loc[documents["status"] == "ok", "doc_id"])
