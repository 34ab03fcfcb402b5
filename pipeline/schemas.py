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

ASSESSMENTS = ("asserted", "rejected", "reported")


def _holder(what: str) -> Column:
    return Column("holder", "string", f"For `approach`: the side {what} (actor id, a person "
                  "rolled up to their state) or `author` (what the brief recommends); null for "
                  "other variables.")


CODES = Table(
    name="codes",
    description="Codebook codes per sentence (configs/codebook.yaml): why the summit failed, "
    "blame, outcome framing, approach, outlook, each with the author's assessment.",
    row="codebook hit in a sentence (per method)",
    primary_key=("doc_id", "sent_idx", "variable", "holder", "value", "method"),
    columns=(
        _doc_id(),
        _sent_idx(),
        Column("variable", "string", "Codebook variable (cause, blame, outcome_framing, "
               "approach, outlook, or one a user added).", required=True),
        _holder("said to pursue it"),
        Column("value", "string", "Codebook value id of the variable.", required=True),
        Column("assessment", "string", "asserted (the author claims it), rejected (mentioned "
               "to dismiss it) or reported (attributed to others without endorsement).",
               required=True, enum=ASSESSMENTS),
        Column("assessed_by", "string", "rules (the codebook's assessment cues) or model (the "
               "trained assessment classifier judged a rule's asserted or reported code "
               "rejected; see configs/coding.yaml assessment_threshold).", required=True,
               enum=("rules", "model")),
        Column("method", "string", "rules (codebook cues), positions (approach from the NLP "
               "stage's positions) or model (a trained classifier: the sentence classifier, "
               "or for approach the approach classifier).", required=True,
               enum=("rules", "positions", "model")),
        Column("confidence", "number", "Confidence in [0, 1]: rule strength, or the "
               "classifier's probability.", required=True),
        Column("cue", "string", "The words that triggered the code (null for model rows)."),
        Column("start_char", "integer", "Start of the cue in the document's clean text "
               "(the sentence start for model rows).", required=True),
        Column("end_char", "integer", "End of the cue (exclusive).", required=True),
    ),
)

DOC_CODES = Table(
    name="doc_codes",
    description="Codebook codes per document, aggregated from the sentence codes; `blame` "
    "and `outcome_framing` have one asserted verdict per document, beside the values it only "
    "rejects or reports.",
    row="document x variable x holder x value",
    primary_key=("doc_id", "variable", "holder", "value"),
    columns=(
        _doc_id(),
        Column("think_tank", "string", "The document's think tank (null if unknown)."),
        Column("variable", "string", "Codebook variable.", required=True),
        _holder("pursues"),
        Column("value", "string", "Codebook value id.", required=True),
        Column("assessment", "string", "asserted if any sentence asserts it (unless the "
               "sentences dismissing it, with those reporting the view dismissed, weigh at "
               "least as much); otherwise rejected if any "
               "sentence dismisses it; otherwise reported (an outcome framing only reported "
               "while the document asserts another, not mixed, is rejected).",
               required=True, enum=ASSESSMENTS),
        Column("weight", "number", "How strongly the document makes the point: the sum over "
               "the evidence sentences with this assessment of confidence x section weight "
               "(executive summary, conclusions and recommendations weigh more; "
               "configs/coding.yaml); values whose evidence weighs less than min_weight "
               "there are left out, and so is a side's asserted approach that another "
               "asserted approach of the same side outweighs approach_ratio times.",
               required=True),
        Column("n_evidence", "integer", "Sentences coded with this value (any assessment).",
               required=True),
        Column("evidence", "string", "The evidence sentences' sent_idx, separated by ';'.",
               required=True),
        Column("n_asserted", "integer", "Evidence sentences asserting the value.",
               required=True),
        Column("n_rejected", "integer", "Evidence sentences rejecting it.", required=True),
        Column("n_reported", "integer", "Evidence sentences reporting it.", required=True),
        Column("methods", "string", "Which methods produced the evidence (e.g. rules, "
               "rules+model).", required=True),
        Column("is_derived", "boolean", "True for the derived blame and outcome_framing "
               "verdicts (both/neither, mixed).", required=True),
    ),
)

def _think_tank() -> Column:
    return Column("think_tank", "string", "Think tank (`unknown` for documents whose think "
                  "tank is not known).", required=True)


def _n_docs_tank() -> Column:
    return Column("n_docs_think_tank", "integer", "Readable documents of this think tank.",
                  required=True)


COMPARISON = Table(
    name="comparison",
    description="How think tanks characterize the summit: for each codebook value, how many "
    "of a think tank's documents assert, reject or report it.",
    row="think tank x variable x holder x value x assessment",
    primary_key=("think_tank", "variable", "holder", "value", "assessment"),
    columns=(
        _think_tank(),
        Column("variable", "string", "Codebook variable.", required=True),
        Column("holder", "string", "For `approach`: the side (or `author`); null otherwise."),
        Column("value", "string", "Codebook value id.", required=True),
        Column("assessment", "string", "The documents' assessment (see doc_codes).",
               required=True, enum=ASSESSMENTS),
        Column("n_docs", "integer", "Documents of the think tank with this code.",
               required=True),
        Column("share_docs", "number", "n_docs / n_docs_think_tank.", required=True),
        Column("weight", "number", "Sum of the documents' weights for this code.",
               required=True),
        _n_docs_tank(),
    ),
)


def _profile(name: str, what: str) -> Table:
    return Table(
        name=name,
        description=f"How often each think tank mentions each {what}.",
        row=f"think tank x {what}",
        primary_key=("think_tank", "kind", "entity_id"),
        columns=(
            _think_tank(),
            Column("kind", "string", "Mention kind.", required=True, enum=MENTION_KINDS),
            Column("entity_id", "string", "Codebook id.", required=True),
            Column("n_mentions", "integer", "Mentions in the think tank's documents.",
                   required=True),
            Column("share_mentions", "number", f"Share of the think tank's {what} mentions.",
                   required=True),
            Column("n_docs", "integer", "Documents of the think tank mentioning it.",
                   required=True),
            Column("share_docs", "number", "n_docs / n_docs_think_tank.", required=True),
            _n_docs_tank(),
        ),
    )


ACTOR_PROFILE = _profile("actor_profile", "actor")
PROPOSAL_PROFILE = _profile("proposal_profile", "proposal or approach")

POSITION_EDGES = Table(
    name="position_edges",
    description="The discourse network behind positions: which holder stands how on which "
    "target, counted per think tank (e.g. which think tanks describe the US as proposing "
    "the big deal).",
    row="think tank x holder x relation x target x polarity",
    primary_key=("think_tank", "holder", "relation", "target_kind", "target", "polarity"),
    columns=(
        _think_tank(),
        Column("holder", "string", "Actor id or `author`.", required=True),
        Column("holder_state", "string", "The holder rolled up to its state."),
        Column("relation", "string", "proposes, offers, demands, accepts, rejects, "
               "advocates.", required=True, enum=RELATIONS),
        Column("target_kind", "string", "approach or proposal.", required=True,
               enum=("approach", "proposal")),
        Column("target", "string", "Approach or proposal id.", required=True),
        Column("polarity", "string", "support or oppose.", required=True,
               enum=("support", "oppose")),
        Column("n_statements", "integer", "Positions (sentences) stating it.", required=True),
        Column("n_docs", "integer", "Documents stating it.", required=True),
    ),
)

APPROACH_INDEX = Table(
    name="approach_index",
    description="A RILE-like index of which approach a think tank attributes to each side "
    "(or recommends, holder `author`): (big - small) / (big + small) over asserted "
    "approach evidence sentences, +1 all big deal, -1 all small deal; with its logit "
    "log((big + 0.5) / (small + 0.5)) and 95% bootstrap intervals (sentences resampled "
    "within documents, fixed seed). Hybrid evidence is counted beside it, not folded in.",
    row="think tank x holder",
    primary_key=("think_tank", "holder"),
    columns=(
        _think_tank(),
        Column("holder", "string", "The side the approach is attributed to, or `author`.",
               required=True),
        Column("n_docs", "integer", "Documents with approach evidence for this holder.",
               required=True),
        Column("n_big", "integer", "Sentences attributing the big deal.", required=True),
        Column("n_small", "integer", "Sentences attributing the small deal.", required=True),
        Column("n_hybrid", "integer", "Sentences attributing a hybrid (not in the index).",
               required=True),
        Column("index", "number", "(big - small) / (big + small); null without evidence."),
        Column("index_low", "number", "2.5% bootstrap quantile of the index."),
        Column("index_high", "number", "97.5% bootstrap quantile of the index."),
        Column("logit", "number", "log((big + 0.5) / (small + 0.5)).", required=True),
        Column("logit_low", "number", "2.5% bootstrap quantile of the logit."),
        Column("logit_high", "number", "97.5% bootstrap quantile of the logit."),
    ),
)

CODEBOOK = Table(
    name="codebook",
    description="The codebook used for this build (configs/codebook.yaml): every variable "
    "and value with its definition.",
    row="variable x value",
    primary_key=("variable", "value"),
    columns=(
        Column("variable", "string", "Codebook variable.", required=True),
        Column("variable_description", "string", "What the variable records.", required=True),
        Column("value", "string", "Value id.", required=True),
        Column("definition", "string", "One-line definition of the value.", required=True),
        Column("source", "string", "cues (codebook phrases and patterns) or positions (from "
               "the NLP stage).", required=True),
    ),
)

STATEMENTS = Table(
    name="statements",
    description="Discourse Network Analyzer export (networks/statements.csv): one statement "
    "per position, with source document, date, person, organization, concept and agreement.",
    row="statement (position)",
    primary_key=("doc_id", "sent_idx", "person", "organization", "concept", "relation",
                 "agreement"),
    columns=(
        _doc_id(),
        _sent_idx(),
        _think_tank(),
        Column("date", "date", "Publication date of the source document."),
        Column("person", "string", "The holder if a person (actor id), the document's authors "
               "for the author's own statements."),
        Column("organization", "string", "The holder's state or organization (actor id), or "
               "the think tank for the author's statements.", required=True),
        Column("concept", "string", "`approach:<id>` or `proposal:<id>`.", required=True),
        Column("relation", "string", "The position's relation.", required=True,
               enum=RELATIONS),
        Column("agreement", "integer", "1 if the holder supports the concept, 0 if opposes.",
               required=True),
        Column("text", "string", "The sentence stating it.", required=True),
    ),
)

NETWORK = Table(
    name="think_tank_network",
    description="Think-tank congruence and conflict over shared statements "
    "(networks/think_tank_network.csv): edges between think tanks that report the same "
    "organization's stance on a concept with the same (congruence) or opposite (conflict) "
    "agreement.",
    row="think tank pair x edge type",
    primary_key=("source", "target", "edge"),
    columns=(
        Column("source", "string", "Think tank (alphabetically first).", required=True),
        Column("target", "string", "Think tank (alphabetically second).", required=True),
        Column("edge", "string", "congruence or conflict.", required=True,
               enum=("congruence", "conflict")),
        Column("n_shared", "integer", "Statements shared (or opposed).", required=True),
        Column("weight", "number", "n_shared divided by the two think tanks' mean number of "
               "distinct statements (average activity normalization).", required=True),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (DOCUMENTS, SENTENCES, MENTIONS, POSITIONS, CODES, DOC_CODES,
                        COMPARISON, ACTOR_PROFILE, PROPOSAL_PROFILE, POSITION_EDGES,
                        APPROACH_INDEX, CODEBOOK)
}
# Tables written to data/processed/networks/ (CSV and parquet), described in the package.
NETWORK_TABLES: dict[str, Table] = {t.name: t for t in (STATEMENTS, NETWORK)}


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


def column_docs_markdown(codebook: object | None = None) -> str:
    """Markdown documentation of every table and column (written to docs/tables.md), and of
    the codebook's variables and values when a `Codebook` is given."""
    lines = [
        "# Output tables",
        "",
        "Generated from `pipeline/schemas.py` by `briefs docs`; do not edit by hand.",
        "Each table is written to `data/processed/` as `NAME.parquet` and `NAME.csv`.",
        "",
    ]
    for table in [*TABLES.values(), *NETWORK_TABLES.values()]:
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
    if codebook is not None:
        lines += ["## Codebook values", "",
                  "The values of `codes.variable` / `codes.value` (and `doc_codes`, "
                  "`comparison`), from configs/codebook.yaml.", ""]
        for variable in codebook.variables:
            lines += [f"### `{variable.id}`", "", variable.description, "",
                      "| value | definition |", "|---|---|"]
            lines += [f"| `{value.id}` | {value.definition} |" for value in variable.values]
            lines.append("")
    return "\n".join(lines)


README_START = "<!-- tables:start (generated by `briefs docs` from pipeline/schemas.py) -->"
README_END = "<!-- tables:end -->"


def readme_table_overview() -> str:
    """The README's table overview (one line per table), from the same schema as the docs."""
    lines = [README_START, "", "| table | one row per | what it holds |", "|---|---|---|"]
    for table in TABLES.values():
        lines.append(f"| [`{table.name}`](docs/tables.md#{table.name}) | {table.row} | "
                     f"{table.description} |")
    for table in NETWORK_TABLES.values():
        lines.append(f"| [`networks/{table.name}`](docs/tables.md#{table.name}) | "
                     f"{table.row} | {table.description} |")
    lines += ["| `comparison_wide.csv` | think tank | One column per `variable:holder:value` "
              "with the share of the think tank's documents asserting it (a spreadsheet "
              "view of `comparison`). |", "", README_END]
    return "\n".join(lines)


def with_readme_overview(readme: str) -> str:
    """The README text with its generated table overview replaced by the current one."""
    start, end = readme.index(README_START), readme.index(README_END) + len(README_END)
    return readme[:start] + readme_table_overview() + readme[end:]
