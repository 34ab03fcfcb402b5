"""The one schema: every output table's columns, types and descriptions.

Used to build frames with fixed column order and dtypes, to validate before every write,
and to generate the column docs (`docs/tables.md`, later `datapackage.json`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

# Logical types (Frictionless Table Schema names) and the pandas dtype each is held in.
PANDAS_DTYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "object",  # datetime.date values, written to parquet as date32
}


class SchemaError(ValueError):
    """A frame does not match its table's schema (the message names table and column)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False  # no nulls allowed
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    row: str  # what one row is
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


STATUS = ("ok", "empty", "error")
FORMATS = ("pdf", "txt", "other")

DOCUMENTS = Table(
    name="documents",
    description="One row per file under data/raw/, including files that could not be read.",
    row="input file",
    primary_key=("doc_id",),
    columns=(
        Column("doc_id", "string", "Stable readable id: a slug of the path under data/raw/ "
               "(folders joined by '__', extension dropped).", required=True),
        Column("path", "string", "Path of the file relative to data/raw/ (POSIX separators).",
               required=True),
        Column("format", "string", "File format by extension: pdf, txt, or other "
               "(unsupported, skipped).", required=True, enum=FORMATS),
        Column("sha256", "string", "SHA-256 of the file's bytes; the cache key.", required=True),
        Column("n_bytes", "integer", "File size in bytes.", required=True),
        Column("think_tank", "string", "Publishing think tank (canonical name from "
               "configs/think_tanks.yaml where known); null if unknown."),
        Column("title", "string", "Title of the brief; null if unknown."),
        Column("authors", "string", "Authors, separated by '; '; null if unknown."),
        Column("date", "date", "Publication date (ISO 8601); null if unknown."),
        Column("url", "string", "Where the brief was published; null if unknown."),
        Column("metadata_source", "string", "Where each known metadata field came from, as "
               "'field:source' pairs separated by ', ' (sources: manifest, folder, "
               "pdf_metadata, text)."),
        Column("n_pages", "integer", "Pages in the PDF; null for TXT files and failures."),
        Column("n_paragraphs", "integer", "Paragraphs of clean text; 0 for failures.",
               required=True),
        Column("n_words", "integer", "Whitespace-separated words of clean text; 0 for "
               "failures.", required=True),
        Column("encoding", "string", "Detected text encoding (TXT only)."),
        Column("status", "string", "ok (text extracted), empty (no usable text, e.g. an empty "
               "file or a scan without a text layer) or error (unreadable or unsupported).",
               required=True, enum=STATUS),
        Column("error", "string", "For empty and error rows: what is wrong and what to do; "
               "null for ok rows."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (DOCUMENTS,)}


def _check_value_type(value: object, col: Column) -> bool:
    if col.type == "string":
        return isinstance(value, str)
    if col.type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if col.type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if col.type == "boolean":
        return isinstance(value, bool)
    if col.type == "date":
        return isinstance(value, dt.date)
    return False


def make_frame(records: list[dict], table: Table) -> pd.DataFrame:
    """Build a frame with the table's columns, order, dtypes and row order (sorted by key).

    Args:
        records: one dict per row; keys must be exactly the table's columns.

    Raises:
        SchemaError: a record has a missing or unknown column.
    """
    names = table.column_names
    for i, rec in enumerate(records):
        if set(rec) != set(names):
            missing = sorted(set(names) - set(rec))
            extra = sorted(set(rec) - set(names))
            raise SchemaError(
                f"{table.name}: row {i} has missing columns {missing} / unknown columns {extra}"
            )
    frame = pd.DataFrame.from_records(records, columns=names)
    frame = frame.astype({c.name: PANDAS_DTYPES[c.type] for c in table.columns})
    if len(frame):
        frame = frame.sort_values(list(table.primary_key), kind="stable").reset_index(drop=True)
    return frame


def validate(frame: pd.DataFrame, table: Table) -> None:
    """Check column order, types, required values, allowed values and key uniqueness.

    Raises:
        SchemaError: naming the table, the column and an offending value.
    """
    if list(frame.columns) != table.column_names:
        raise SchemaError(
            f"{table.name}: columns {list(frame.columns)} != schema {table.column_names}"
        )
    for col in table.columns:
        series = frame[col.name]
        nulls = series.isna()
        if col.required and nulls.any():
            row = int(nulls.to_numpy().nonzero()[0][0])
            raise SchemaError(f"{table.name}.{col.name}: null in row {row}, not allowed")
        for value in series[~nulls]:
            plain = value.item() if hasattr(value, "item") else value
            if not _check_value_type(plain, col):
                raise SchemaError(
                    f"{table.name}.{col.name}: {value!r} is not of type {col.type}"
                )
            if col.enum is not None and plain not in col.enum:
                raise SchemaError(
                    f"{table.name}.{col.name}: {value!r} not among allowed {list(col.enum)}"
                )
    if frame.duplicated(list(table.primary_key)).any():
        raise SchemaError(f"{table.name}: duplicate primary key {list(table.primary_key)}")


def column_docs_markdown() -> str:
    """Markdown documentation of every table and column (written to docs/tables.md)."""
    lines = [
        "# Output tables",
        "",
        "Generated from `pipeline/schemas.py` by `briefs docs`; do not edit by hand.",
        "Each table is written to `data/processed/` as `NAME.parquet` and `NAME.csv`.",
        "",
    ]
    for table in TABLES.values():
        lines += [
            f"## `{table.name}`",
            "",
            f"{table.description} Key: {', '.join(f'`{k}`' for k in table.primary_key)}.",
            "",
            "| column | type | required | description |",
            "|---|---|---|---|",
        ]
        for col in table.columns:
            allowed = f" Allowed: {', '.join(f'`{v}`' for v in col.enum)}." if col.enum else ""
            req = "yes" if col.required else ""
            lines.append(f"| `{col.name}` | {col.type} | {req} | {col.description}{allowed} |")
        lines.append("")
    return "\n".join(lines)
