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

def _doc_id() -> Column:
    return Column("doc_id", "string", "Document id (joins `documents`).", required=True)


def _sent_idx() -> Column:
    return Column("sent_idx", "integer", "0-based sentence index within the document (joins "
                  "`sentences`).", required=True)


def _offsets(what: str) -> tuple[Column, Column]:
    return (
        Column("start_char", "integer", f"Start of {what} in the document's clean text "
               "(character offset).", required=True),
        Column("end_char", "integer", f"End of {what} (exclusive character offset).",
               required=True),
    )


SENTENCES = Table(
    name="sentences",
    description="The clean text of every readable document split into sentences; headings "
    "are sentences of their own.",
    row="sentence",
    primary_key=("doc_id", "sent_idx"),
    columns=(
        _doc_id(),
        _sent_idx(),
        Column("section", "string", "The heading this sentence stands under (the heading "
               "itself for a heading); null before the first heading."),
        Column("is_heading", "boolean", "True if the sentence is a heading.", required=True),
        Column("page", "integer", "1-based page the sentence starts on (PDF only)."),
        *_offsets("the sentence"),
        Column("text", "string", "The sentence text.", required=True),
    ),
)

MENTION_KINDS = ("actor", "proposal", "approach", "unlinked")
RELATIONS = ("proposes", "offers", "demands", "accepts", "rejects", "advocates")

MENTIONS = Table(
    name="mentions",
    description="Every span that names a codebook actor, proposal or approach, and named "
    "entities the knowledge base does not know (kind `unlinked`).",
    row="mention",
    primary_key=("doc_id", "start_char", "end_char", "kind"),
    columns=(
        _doc_id(),
        _sent_idx(),
        *_offsets("the mention"),
        Column("text", "string", "The mention as written.", required=True),
        Column("kind", "string", "actor, proposal, approach, or unlinked (a named entity "
               "not in configs/actors.yaml).", required=True, enum=MENTION_KINDS),
        Column("entity_id", "string", "Codebook id (configs/actors.yaml, "
               "configs/proposals.yaml); null for unlinked mentions."),
        Column("affiliation", "string", "For persons: the state id they belong to."),
        Column("ner_label", "string", "For unlinked mentions: the spaCy entity label "
               "(PERSON, ORG, GPE, NORP)."),
    ),
)

POSITIONS = Table(
    name="positions",
    description="Stance statements: who proposes, offers, demands, accepts, rejects or "
    "advocates which proposal or approach, with the evidence's offsets.",
    row="stance statement",
    primary_key=("doc_id", "sent_idx", "holder", "relation", "target", "polarity"),
    columns=(
        _doc_id(),
        _sent_idx(),
        Column("holder", "string", "Actor id holding the stance, or `author` for the brief's "
               "own recommendations.", required=True),
        Column("holder_state", "string", "The holder rolled up to a state: a person's "
               "affiliation, a state itself; null for `author` and organizations."),
        Column("target_kind", "string", "approach or proposal.", required=True,
               enum=("approach", "proposal")),
        Column("target", "string", "Approach id (big_deal, small_deal, hybrid) or proposal id.",
               required=True),
        Column("relation", "string", "What the holder does with the target.", required=True,
               enum=RELATIONS),
        Column("polarity", "string", "support, or oppose (rejections and negated relations).",
               required=True, enum=("support", "oppose")),
        Column("method", "string", "How it was found: rule:verb (subject of a stance verb), "
               "rule:owner (owner of a stance noun), rule:modal (author's should/must), "
               "rule:surface (word-order fallback).", required=True),
        Column("confidence", "number", "Rule confidence in [0, 1], lowered for hedged "
               "sentences.", required=True),
        Column("is_hedged", "boolean", "True if the sentence hedges (appears, reportedly, "
               "may ...).", required=True),
        Column("cue", "string", "Lemma of the verb or noun that states the stance."),
        Column("holder_text", "string", "The holder's mention as written (null for author)."),
        Column("target_text", "string", "The target's mention as written.", required=True),
        *_offsets("the evidence (holder, cue and target)"),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (DOCUMENTS, SENTENCES, MENTIONS, POSITIONS)}


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
