"""Load the output tables into pandas with the documented dtypes:

    from pipeline import load_tables
    tables = load_tables()            # every table in data/processed/
    codes = load_tables(tables=["codes"])["codes"]

Ids are categoricals, dates are datetime64, counts are nullable integers; a missing table
says which `make` target builds it, and a table older than its inputs is flagged as stale.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.config import PROJECT_ROOT
from pipeline.schemas import PANDAS_DTYPES, TABLES, Column

# The make target that (re)builds each table.
TARGET = {"documents": "make ingest", "sentences": "make nlp", "mentions": "make nlp",
          "positions": "make nlp", "codes": "make", "doc_codes": "make"}
# Free-text columns stay strings; other string columns with few distinct values are ids.
TEXT_COLUMNS = {"path", "sha256", "title", "authors", "url", "error", "text", "cue",
                "holder_text", "target_text", "section", "evidence", "metadata_source"}


class StaleTableWarning(UserWarning):
    """A table is older than the briefs or configuration it is built from."""


def load_dtype(col: Column) -> str:
    """The pandas dtype a column is loaded as."""
    if col.type == "date":
        return "datetime64[ns]"
    if col.type == "string" and col.name not in TEXT_COLUMNS:
        return "category"
    return PANDAS_DTYPES[col.type]


def _check_fresh(path: Path, root: Path) -> None:
    built = path.stat().st_mtime
    sources = [*(root / "configs").glob("*.yaml"), *(root / "data" / "raw").rglob("*")]
    newer = sorted(str(p.relative_to(root)) for p in sources
                   if p.is_file() and p.stat().st_mtime > built)
    if newer:
        name = path.stem
        warnings.warn(
            f"{path.name} is older than {newer[0]}"
            f"{f' and {len(newer) - 1} more' if len(newer) > 1 else ''}: "
            f"run `{TARGET.get(name, 'make')}` to rebuild it",
            StaleTableWarning, stacklevel=3)


def load_tables(folder: Path | str | None = None, tables: Iterable[str] | None = None,
                check_fresh: bool = True) -> dict[str, pd.DataFrame]:
    """Read tables from `folder` (default: the project's data/processed/).

    Args:
        folder: where the NAME.parquet files are.
        tables: which tables (default: every table of the schema that exists there, and an
            error if none does).
        check_fresh: warn (StaleTableWarning) if a table is older than data/raw/ or configs/.

    Raises:
        FileNotFoundError: a requested table is missing; the message names the make target.
    """
    folder = Path(folder) if folder is not None else PROJECT_ROOT / "data" / "processed"
    wanted = list(tables) if tables is not None else [
        name for name in TABLES if (folder / f"{name}.parquet").exists()]
    if not wanted:
        raise FileNotFoundError(f"no tables in {folder}: run `make` to build them")
    out = {}
    for name in wanted:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
        path = folder / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: run `{TARGET.get(name, 'make')}` to build it")
        root = folder.parent.parent
        if check_fresh and (root / "configs").is_dir():
            _check_fresh(path, root)
        frame = pd.read_parquet(path)
        for col in TABLES[name].columns:
            dtype = load_dtype(col)
            if dtype == "datetime64[ns]":
                frame[col.name] = pd.to_datetime(frame[col.name])
            else:
                frame[col.name] = frame[col.name].astype(dtype)
        out[name] = frame
    return out
