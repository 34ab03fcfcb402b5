"""`datapackage.json`: a Frictionless Data Package describing every table and column (from
the one schema in `pipeline/schemas.py` plus the codebook ids in `configs/`), with a run
manifest that traces the tables to exactly the inputs, configs and software that made them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Config
from pipeline.schemas import NETWORK_TABLES, TABLES, Column, Table

# Columns whose allowed values are codebook ids, and where they come from.
CODEBOOK_ENUMS = {
    ("mentions", "entity_id"): "entities",
    ("positions", "holder"): "holders",
    ("positions", "holder_state"): "actors",
    ("positions", "target"): "targets",
    ("codes", "variable"): "variables",
    ("codes", "value"): "values",
    ("codes", "holder"): "holders",
    ("doc_codes", "variable"): "variables",
    ("doc_codes", "value"): "values",
    ("doc_codes", "holder"): "holders",
    ("comparison", "variable"): "variables",
    ("comparison", "value"): "values",
    ("comparison", "holder"): "holders",
    ("actor_profile", "entity_id"): "actors",
    ("proposal_profile", "entity_id"): "targets",
    ("position_edges", "holder"): "holders",
    ("position_edges", "holder_state"): "actors",
    ("position_edges", "target"): "targets",
    ("approach_index", "holder"): "holders",
    ("codebook", "variable"): "variables",
    ("codebook", "value"): "values",
}


def codebook_ids(config: Config) -> dict[str, list[str]]:
    """The id lists of configs/ (actors, proposals, approaches, codebook variables/values)."""
    from pipeline.coding.codebook import load_codebook
    from pipeline.nlp.vocab import load_vocabulary

    vocab = load_vocabulary(config.config_dir)
    codebook = load_codebook(config.config_dir / "codebook.yaml")
    actors = sorted(a.id for a in vocab.actors)
    targets = sorted(t.id for t in vocab.targets)
    return {
        "actors": actors,
        "holders": sorted([*actors, "author"]),
        "targets": targets,
        "entities": sorted({*actors, *targets}),
        "variables": sorted(codebook.variable_ids),
        "values": sorted({v for var in codebook.variables for v in var.value_ids}),
    }


def allowed_values(table: Table, col: Column, ids: dict[str, list[str]]) -> list[str] | None:
    """Allowed values of a column: its schema enum, or the codebook ids it holds."""
    if col.enum is not None:
        return list(col.enum)
    key = CODEBOOK_ENUMS.get((table.name, col.name))
    return ids[key] if key else None


def _field(table: Table, col: Column, ids: dict[str, list[str]]) -> dict[str, Any]:
    field: dict[str, Any] = {"name": col.name, "type": col.type, "description": col.description}
    constraints: dict[str, Any] = {}
    if col.required:
        constraints["required"] = True
    allowed = allowed_values(table, col, ids)
    if allowed is not None:
        constraints["enum"] = allowed
    if constraints:
        field["constraints"] = constraints
    return field


def foreign_keys(table: Table) -> list[dict[str, Any]]:
    """doc_id joins documents; (doc_id, sent_idx) joins sentences."""
    names = set(table.column_names)
    keys = []
    if table.name != "documents" and "doc_id" in names:
        keys.append({"fields": "doc_id", "reference": {"resource": "documents",
                                                       "fields": "doc_id"}})
    if table.name != "sentences" and {"doc_id", "sent_idx"} <= names:
        keys.append({"fields": ["doc_id", "sent_idx"],
                     "reference": {"resource": "sentences", "fields": ["doc_id", "sent_idx"]}})
    return keys


def table_resource(table: Table, ids: dict[str, list[str]], folder: str = "") -> dict[str, Any]:
    return {
        "name": table.name,
        "path": f"{folder}{table.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": f"{table.description} One row per {table.row}.",
        "x_parquet": f"{folder}{table.name}.parquet",
        "schema": {
            "fields": [_field(table, c, ids) for c in table.columns],
            "primaryKey": list(table.primary_key),
            "foreignKeys": foreign_keys(table),
        },
    }


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=True)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_manifest(config: Config, documents: pd.DataFrame) -> dict[str, Any]:
    """What made these tables: versions, commit, config/annotation/input hashes."""
    def version(package: str) -> str | None:
        try:
            return md.version(package)
        except md.PackageNotFoundError:
            return None

    annotations = config.paths.annotations
    return {
        "package": "summit-briefs",
        "package_version": version("summit-briefs"),
        "git_commit": _git_commit(config.root),
        "spacy_pipeline": config.nlp.model,
        "spacy_pipeline_version": version(config.nlp.model.replace("_", "-")),
        "spacy_version": version("spacy"),
        "scikit_learn_version": version("scikit-learn"),
        "pdfminer_version": version("pdfminer.six"),
        "configs": {p.name: _sha256(p) for p in sorted(config.config_dir.glob("*.yaml"))},
        "annotations": {p.name: _sha256(p) for p in sorted(annotations.glob("*.jsonl"))}
        if annotations.exists() else {},
        "inputs": {f"data/raw/{row.path}": row.sha256
                   for row in documents.sort_values("path").itertuples()},
    }


def wide_resource(columns: list[str]) -> dict[str, Any]:
    """comparison_wide.csv: its value columns depend on the codes found, so its schema is
    written from the columns of this build."""
    fields = [{"name": "think_tank", "type": "string", "description": "Think tank.",
               "constraints": {"required": True}}]
    fields += [{"name": c, "type": "number", "description": "Share of the think tank's "
                f"documents asserting {c} (variable:holder:value)."}
               for c in columns if c != "think_tank"]
    return {"name": "comparison_wide", "path": "comparison_wide.csv", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "description": "One row per think tank, one column per variable:holder:value "
            "with the asserted share of its documents (a spreadsheet view of comparison).",
            "schema": {"fields": fields, "primaryKey": ["think_tank"]}}


def datapackage(config: Config, documents: pd.DataFrame,
                wide_columns: list[str] | None = None) -> dict[str, Any]:
    """The whole descriptor: every table, the network exports, the wide view, the run."""
    ids = codebook_ids(config)
    resources = [table_resource(t, ids) for t in TABLES.values()]
    resources += [table_resource(t, ids, "networks/") for t in NETWORK_TABLES.values()]
    if wide_columns is not None:
        resources.append(wide_resource(wide_columns))
    return {
        "profile": "tabular-data-package",
        "name": "summit-briefs",
        "title": "Think-tank briefs on the 2019 Hanoi summit, coded",
        "description": "Tables built by summit-briefs from the briefs under data/raw/. "
        "doc_id and sent_idx join every table to documents and sentences.",
        "resources": resources,
        "x_run": run_manifest(config, documents),
    }
