"""Assemble the spaCy pipeline from configuration: an installed base pipeline plus the
project's components (layout, actors, targets, positions), vocabularies from `configs/`."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import spacy
from spacy.language import Language

import pipeline.nlp.layout  # noqa: F401  (registers briefs_layout)
import pipeline.nlp.matchers  # noqa: F401  (registers briefs_actors, briefs_targets)
import pipeline.nlp.positions  # noqa: F401  (registers briefs_positions)
from pipeline.config import Config, ConfigError
from pipeline.nlp.layout import NOTE_MARK
from pipeline.nlp.positions import load_position_rules
from pipeline.nlp.vocab import load_vocabulary
from pipeline.versions import NLP_VERSION

log = logging.getLogger(__name__)

VOCABULARY_FILES = ("actors.yaml", "proposals.yaml", "positions.yaml", "nlp.yaml")


def load_base(model: str, config_dir: Path) -> Language:
    """Load the named installed spaCy pipeline, or explain how to get it.

    Raises:
        ConfigError: the package is not installed.
    """
    try:
        return spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"{config_dir / 'nlp.yaml'}: model: spaCy pipeline {model!r} is not installed "
            f"(pip install it into .venv, or name an installed one): {exc}"
        ) from exc


def add_components(nlp: Language, config_dir: Path) -> Language:
    """Add the project's components to `nlp` (any pipeline, also `spacy.blank("en")`)."""
    vocab = load_vocabulary(config_dir)
    rules = load_position_rules(config_dir / "positions.yaml")
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("briefs_layout", before="parser")
    else:
        nlp.add_pipe("briefs_layout", first=True)
    nlp.add_pipe("briefs_actors").add_vocabulary(vocab)
    nlp.add_pipe("briefs_targets").add_vocabulary(vocab)
    nlp.add_pipe("briefs_positions").add_rules(rules, vocab)
    return nlp


def report_component_error(name: str, component: object, docs: list, error: Exception) -> None:
    """A component failed on a document: log it and drop that document from this run, so one
    odd brief does not stop the build (the NLP stage then reports it as not parsed)."""
    head = docs[0].text[:60].replace("\n", " ") if docs else ""
    log.warning("nlp: component %s failed (%s: %s) on the document starting %r "
                "(please report)", name, type(error).__name__, error, head)


def split_note_marks(nlp: Language) -> None:
    """Make bracketed note marks glued to a word or a stop ("future.[2] North Korea's ...")
    tokens of their own, so the word before them still matches the vocabularies and the
    sentence can end at its stop."""
    from spacy.util import compile_infix_regex, compile_suffix_regex

    infixes = [*nlp.Defaults.infixes, rf"(?<=[^\s\[])(?={NOTE_MARK})"]
    suffixes = [*nlp.Defaults.suffixes, NOTE_MARK]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search


def build_nlp(config: Config) -> Language:
    """The full pipeline named in configs/nlp.yaml with the project's components."""
    nlp = load_base(config.nlp.model, config.config_dir)
    split_note_marks(nlp)
    nlp.max_length = max(nlp.max_length, 5_000_000)
    nlp = add_components(nlp, config.config_dir)
    # our components are plain callables: spaCy gives them the default handler
    nlp.default_error_handler = report_component_error
    return nlp


def nlp_fingerprint(config: Config) -> str:
    """Changes when the model, its version, the vocabularies or the NLP code change."""
    import importlib.metadata as md

    parts = [f"v{NLP_VERSION}", config.nlp.model, md.version("spacy")]
    try:
        parts.append(md.version(config.nlp.model.replace("_", "-")))
    except md.PackageNotFoundError:
        parts.append("unknown-version")
    parts += [config.content_hash(name) for name in VOCABULARY_FILES if name != "nlp.yaml"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]
