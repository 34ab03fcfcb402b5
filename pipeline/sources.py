"""Which files are briefs, their stable ids, and their metadata from the manifest and folders.

Metadata precedence (first known value wins): `data/raw/sources.csv`, the folder name, the
PDF's own metadata, inference from the text.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import IngestSettings, ThinkTank

METADATA_FIELDS = ("think_tank", "title", "authors", "date", "url")
MANIFEST_COLUMNS = ("path", *METADATA_FIELDS)


@dataclass(frozen=True)
class Manifest:
    """The parsed `sources.csv`: metadata per relative path, plus problems found in it."""

    rows: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def discover_files(raw_dir: Path, settings: IngestSettings) -> list[str]:
    """List every candidate brief under `raw_dir` as POSIX paths relative to it, sorted.

    Hidden files and folders (names starting with '.') and the files named in
    `settings.ignore_names` at the top level (the manifest) are not briefs.
    """
    found = []
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if len(rel.parts) == 1 and rel.name in settings.ignore_names:
            continue
        found.append(rel.as_posix())
    return sorted(found)


def slugify(text: str) -> str:
    """Lower-case, NFC, runs of anything but letters and digits become one '-'."""
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"[\W_]+", "-", text).strip("-")


def make_doc_ids(rel_paths: Sequence[str]) -> dict[str, str]:
    """Map each relative path to a readable, stable doc id (a slug of the path).

    Folders are joined with '__' and the extension is dropped; when two files would get the
    same id (e.g. `a.pdf` and `a.txt`) both keep their extension in the id instead.
    """

    def stem_id(rel: str) -> str:
        parts = rel.split("/")
        parts[-1] = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
        return "__".join(slugify(p) or "file" for p in parts)

    def full_id(rel: str) -> str:
        return "__".join(slugify(p) or "file" for p in rel.split("/"))

    stems: dict[str, list[str]] = {}
    for rel in rel_paths:
        stems.setdefault(stem_id(rel), []).append(rel)
    ids = {}
    for stem, rels in stems.items():
        for rel in rels:
            ids[rel] = stem if len(rels) == 1 else full_id(rel)
    return ids


def parse_date(value: str) -> dt.date | None:
    """Parse an ISO-like date (2019-03-28, 2019.03.28, 2019/03/28); None if it is not one."""
    match = re.fullmatch(r"\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})\s*", value or "")
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def read_manifest(path: Path) -> Manifest:
    """Read `sources.csv`; a missing file is an empty manifest.

    Columns: `path` (relative to data/raw/, required) and any of think_tank, title, authors,
    date (YYYY-MM-DD), url; other columns (e.g. notes) are allowed and ignored. Problems
    (unknown date format, duplicate path) are reported with the line number and the bad
    value is left out, so one typo does not stop the build.
    """
    if not path.exists():
        return Manifest()
    problems = []
    rows: dict[str, dict[str, str]] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "path" not in reader.fieldnames:
            return Manifest(problems=(f"{path}: line 1: the header must have a 'path' column",))
        for row in reader:
            line = reader.line_num
            rel = (row.get("path") or "").strip().replace("\\", "/")
            if not rel:
                problems.append(f"{path}: line {line}: empty 'path'")
                continue
            if rel in rows:
                problems.append(f"{path}: line {line}: '{rel}' is listed twice; using the first")
                continue
            values = {}
            for key in METADATA_FIELDS:
                value = (row.get(key) or "").strip()
                if not value:
                    continue
                if key == "date" and parse_date(value) is None:
                    problems.append(
                        f"{path}: line {line}: date '{value}' is not YYYY-MM-DD; ignored"
                    )
                    continue
                values[key] = value
            rows[rel] = values
    return Manifest(rows=rows, problems=tuple(problems))


def manifest_orphans(manifest: Manifest, rel_paths: Iterable[str], path: Path) -> list[str]:
    """Problems for manifest rows that name no file under data/raw/."""
    present = set(rel_paths)
    return [
        f"{path}: row for '{rel}' matches no file under data/raw/"
        for rel in sorted(manifest.rows)
        if rel not in present
    ]


def canonical_think_tank(name: str, think_tanks: Sequence[ThinkTank]) -> str:
    """Map a think-tank name, alias or folder slug to its canonical name.

    Comparison ignores case, a leading 'the' and punctuation; an unknown name is returned
    tidied (a slug like 'east-asia-institute' becomes 'East Asia Institute').
    """

    def key(text: str) -> str:
        text = re.sub(r"^\s*the\s+", "", text, flags=re.IGNORECASE)
        return slugify(text)

    wanted = key(name)
    for tank in think_tanks:
        if wanted in {key(tank.name), *(key(a) for a in tank.aliases)}:
            return tank.name
    cleaned = re.sub(r"\s+", " ", name).strip()
    if re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", cleaned):
        cleaned = " ".join(w.capitalize() for w in re.split(r"[-_]", cleaned))
    return cleaned


def folder_think_tank(rel_path: str, settings: IngestSettings) -> str | None:
    """The think tank a file's top folder names, or None (flat file or anonymous folder)."""
    parts = rel_path.split("/")
    if len(parts) < 2:
        return None
    folder = parts[0]
    if slugify(folder) in {slugify(a) for a in settings.anonymous_folders}:
        return None
    return canonical_think_tank(folder, settings.think_tanks)


def merge_metadata(
    layers: Sequence[tuple[str, Mapping[str, str | None]]],
) -> tuple[dict[str, str | None], str | None]:
    """Take each field from the first layer that knows it.

    Args:
        layers: (source name, metadata) in precedence order.

    Returns:
        The merged metadata (every field of METADATA_FIELDS, None if unknown) and a
        'field:source, ...' description of where each known field came from.
    """
    merged: dict[str, str | None] = dict.fromkeys(METADATA_FIELDS)
    origin = []
    for fname in METADATA_FIELDS:
        for source, values in layers:
            value = values.get(fname)
            if value:
                merged[fname] = value
                origin.append(f"{fname}:{source}")
                break
    return merged, (", ".join(origin) or None)
