"""Coding stage configuration: configs/codebook.yaml -> a validated, frozen `Codebook`.

The codebook names every variable and value of the `codes` table, with the cues that detect
each value and the cues that decide whether the author asserts, rejects or reports it. A
malformed file raises `ConfigError` naming the file, the variable/value and the key.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spacy.matcher import Matcher
from spacy.vocab import Vocab

from pipeline.config import ConfigError, read_yaml

CODEBOOK_FILE = "codebook.yaml"
SOURCES = ("cues", "positions")
STRENGTHS = ("strong", "weak")
# Where an assessment cue reaches: its clause (the verb it hangs on, with what depends on it),
# the words after it in that clause, the whole sentence, or the subject of the verb it hangs
# on ("Framing Hanoi as X obscures Y").
SCOPES = ("clause", "following", "sentence", "subject")
ASSESSMENTS = ("asserted", "rejected", "reported")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = ("confidence", "contexts", "variables", "assessment")
_VARIABLE_KEYS = ("id", "description", "source", "exclusive", "values")
_VALUE_KEYS = ("id", "definition", "phrases", "patterns", "cues", "combines", "rejected_implies",
               "opposed_approaches")
_GROUP_KEYS = ("phrases", "patterns", "requires", "strength", "main_clause", "dismisses")
_CUESET_KEYS = ("phrases", "patterns")
_ASSESSMENT_KEYS = (
    "rejection",
    "report",
    "endorsement",
    "contrast",
    "rebuttal",
    "anaphors",
    "hedges",
    "scope_breaks",
    "report_verbs",
    "author_subjects",
    "condition_marks",
    "conditional_variables",
)
_ASSESSMENT_CUE_KEYS = ("scope", "phrases", "patterns")

Pattern = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class CueSet:
    """Phrases (case-insensitive, tokenised) and spaCy Matcher token patterns."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.phrases or self.patterns)


@dataclass(frozen=True)
class CueGroup:
    """Cues of one value that share a strength and the context they need in the sentence."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    # Context names (see `Codebook.contexts`): the sentence must match a cue of each.
    requires: tuple[str, ...] = ()
    strength: str = "strong"
    # The cue counts only outside a subordinate clause opened by a scope break ("Although the
    # summit collapsed, ..." states a plain fact, not a framing).
    main_clause: bool = False
    # The cue names the value only to set it aside, its negator inside the cue ("Pyongyang,
    # not Washington, bears the responsibility"): its codes are rejected (or reported).
    dismisses: bool = False


@dataclass(frozen=True)
class Value:
    """One codebook value: its definition (also the column docs) and how it is detected."""

    id: str
    definition: str
    cues: tuple[CueGroup, ...] = ()
    # Coded when the sentence has all these values of the same variable (which it replaces).
    combines: tuple[str, ...] = ()
    # A value of the same variable asserted when this one is rejected ("talks will not resume"
    # expects an impasse).
    rejected_implies: str | None = None
    # Also coded where one sentence sets two sides holding these two approaches (positions)
    # against each other ("the collision of Pyongyang's incremental strategy with
    # Washington's demand for a comprehensive settlement").
    opposed_approaches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variable:
    """A document-level variable of the `codes` table."""

    id: str
    description: str
    values: tuple[Value, ...]
    # "cues": matched in the text; "positions": taken from the NLP stage's positions rows.
    source: str = "cues"
    # Values are alternatives: of two overlapping cues of different values the longer wins.
    exclusive: bool = False

    def value(self, value_id: str) -> Value:
        """The value with this id (KeyError if unknown)."""
        for value in self.values:
            if value.id == value_id:
                return value
        raise KeyError(value_id)

    @property
    def value_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.values)


@dataclass(frozen=True)
class AssessmentCue:
    """A list of rejection or report cues with the scope they govern."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    scope: str = "clause"


@dataclass(frozen=True)
class AssessmentCues:
    """What decides asserted / rejected / reported (see `pipeline.coding.rules.assess`)."""

    rejection: tuple[AssessmentCue, ...] = ()
    report: tuple[AssessmentCue, ...] = ()
    # The author adopts what others said ("as X rightly notes", "this article argues").
    endorsement: CueSet = CueSet()
    # "but", "however": after a reported claim, a rejection in the contrast clause rejects it.
    contrast: CueSet = CueSet()
    # "this underestimates", "that view ignores": after a contrast, dismisses what others said
    # before it (without dismissing the words it governs itself).
    rebuttal: CueSet = CueSet()
    # "these two factors": a rejection naming them reaches every code in the sentence.
    anaphors: CueSet = CueSet()
    # Hedges keep a code asserted but lower its confidence.
    hedges: CueSet = CueSet()
    # Subordinators whose clause is outside the scope of the clause it hangs on.
    scope_breaks: tuple[str, ...] = ()
    # Verbs (lemmas) whose complement is reported when their subject is not the author
    # ("Critics in the foreign-policy establishment have also argued that X"), however far
    # the subject stands from the verb; and the subjects that are the author ("we argue").
    report_verbs: tuple[str, ...] = ()
    author_subjects: tuple[str, ...] = ()
    # A cue of one of `conditional_variables` in a condition ("If talks resume, ...": a
    # clause opened by one of `condition_marks`, or by an inverted "Should", "Were", "Had")
    # codes nothing unless it is dismissed: a condition is not what the author expects.
    condition_marks: tuple[str, ...] = ()
    conditional_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Confidence:
    """Rule confidence: a base per cue strength, minus penalties (clamped to [0, 1])."""

    strong: float = 0.8
    weak: float = 0.5
    contextual_penalty: float = 0.1
    hedge_penalty: float = 0.15
    report_penalty: float = 0.1


@dataclass(frozen=True)
class Codebook:
    """Variables, shared context cue sets, assessment cues and confidence settings."""

    variables: tuple[Variable, ...]
    contexts: MappingProxyType[str, CueSet]
    assessment: AssessmentCues
    confidence: Confidence
    path: Path

    def variable(self, variable_id: str) -> Variable:
        """The variable with this id (KeyError if unknown)."""
        for variable in self.variables:
            if variable.id == variable_id:
                return variable
        raise KeyError(variable_id)

    @property
    def variable_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.variables)


# ------------------------------------------------------------------------------ validation


def _mapping(data: Any, allowed: tuple[str, ...], where: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {data!r}")
    unknown = sorted(str(k) for k in set(data) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(allowed)})"
        )
    return data


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key}: expected a non-empty string, got {value!r}")
    if "\n" in value.strip():
        raise ConfigError(f"{where}: {key}: must be one line")
    return value.strip()


def _ident(data: dict[str, Any], where: str) -> str:
    ident = data.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise ConfigError(f"{where}: id: must be a lower-case identifier, got {ident!r}")
    return ident


def _phrases(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of phrases, got {value!r}")
    for i, phrase in enumerate(value):
        if not isinstance(phrase, str) or not phrase.strip():
            raise ConfigError(f"{where}[{i}]: expected a non-empty phrase, got {phrase!r}")
    return tuple(p.strip() for p in value)


_VOCAB: list[Vocab] = []


def validate_pattern(pattern: Any, where: str) -> Pattern:
    """Check one Matcher token pattern against spaCy's schema.

    Unlike the NLP stage's vocabularies (`pipeline.nlp.vocab`), coding runs on parsed Docs,
    so LEMMA, POS and DEP are allowed here.

    Raises:
        ConfigError: not a non-empty list of token mappings, or rejected by spaCy.
    """
    if (
        not isinstance(pattern, list)
        or not pattern
        or not all(isinstance(tok, dict) for tok in pattern)
    ):
        raise ConfigError(f"{where}: a pattern is a non-empty list of token mappings")
    if not _VOCAB:
        _VOCAB.append(Vocab())
    matcher = Matcher(_VOCAB[0], validate=True)
    try:
        matcher.add("check", [copy.deepcopy(pattern)])
    except (ValueError, TypeError, KeyError) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(f"{where}: not a valid spaCy Matcher pattern: {message}") from exc
    return tuple(pattern)


def _patterns(value: Any, where: str) -> tuple[Pattern, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of patterns, got {value!r}")
    return tuple(validate_pattern(p, f"{where}[{i}]") for i, p in enumerate(value))


def _cue_set(data: Any, where: str) -> CueSet:
    data = _mapping(data, _CUESET_KEYS, where)
    return CueSet(
        _phrases(data.get("phrases"), f"{where}: phrases"),
        _patterns(data.get("patterns"), f"{where}: patterns"),
    )


def _group(data: Any, where: str, contexts: dict[str, CueSet]) -> CueGroup:
    data = _mapping(data, _GROUP_KEYS, where)
    requires = data.get("requires") or []
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ConfigError(f"{where}: requires: expected a list of context names")
    for name in requires:
        if name not in contexts:
            raise ConfigError(
                f"{where}: requires: unknown context {name!r} "
                f"(known: {', '.join(sorted(contexts)) or 'none'})"
            )
    strength = data.get("strength", "strong")
    if strength not in STRENGTHS:
        raise ConfigError(f"{where}: strength: {strength!r} is not one of {', '.join(STRENGTHS)}")
    main_clause = data.get("main_clause", False)
    if not isinstance(main_clause, bool):
        raise ConfigError(f"{where}: main_clause: expected true or false, got {main_clause!r}")
    dismisses = data.get("dismisses", False)
    if not isinstance(dismisses, bool):
        raise ConfigError(f"{where}: dismisses: expected true or false, got {dismisses!r}")
    group = CueGroup(
        _phrases(data.get("phrases"), f"{where}: phrases"),
        _patterns(data.get("patterns"), f"{where}: patterns"),
        tuple(requires),
        strength,
        main_clause,
        dismisses,
    )
    if not group.phrases and not group.patterns:
        raise ConfigError(f"{where}: a cue group needs phrases or patterns")
    return group


def _value(data: Any, where: str, source: str, contexts: dict[str, CueSet]) -> Value:
    ident = _ident(_mapping(data, tuple(data or ()), where), where)
    where = f"{where} ({ident!r})"
    data = _mapping(data, _VALUE_KEYS, where)
    definition = _text(data, "definition", where)
    groups: list[CueGroup] = []
    if data.get("phrases") or data.get("patterns"):
        groups.append(
            _group({k: data[k] for k in ("phrases", "patterns") if k in data}, where, contexts)
        )
    extra = data.get("cues") or []
    if not isinstance(extra, list):
        raise ConfigError(f"{where}: cues: expected a list of cue groups")
    groups += [_group(g, f"{where}: cues[{i}]", contexts) for i, g in enumerate(extra)]
    combines = data.get("combines") or []
    if not isinstance(combines, list) or not all(isinstance(c, str) for c in combines):
        raise ConfigError(f"{where}: combines: expected a list of value ids")
    if source == "positions":
        if groups or combines:
            raise ConfigError(
                f"{where}: a variable with source 'positions' takes its values from the "
                "positions table; remove phrases/patterns/cues/combines"
            )
    opposed = data.get("opposed_approaches") or []
    if opposed and (not isinstance(opposed, list) or len(opposed) != 2 or not all(
        isinstance(v, str) and _ID.match(v) for v in opposed
    )):
        raise ConfigError(f"{where}: opposed_approaches: expected two approach value ids, "
                          f"got {opposed!r}")
    if source != "positions" and not groups and not combines:
        raise ConfigError(
            f"{where}: no cues: give phrases, patterns, cues or combines "
            "(only variables with source 'positions' need none)"
        )
    implies = data.get("rejected_implies")
    if implies is not None and (not isinstance(implies, str) or not _ID.match(implies)):
        raise ConfigError(f"{where}: rejected_implies: expected a value id, got {implies!r}")
    return Value(ident, definition, tuple(groups), tuple(combines), implies, tuple(opposed))


def _variable(data: Any, where: str, contexts: dict[str, CueSet]) -> Variable:
    ident = _ident(_mapping(data, tuple(data or ()), where), where)
    where = f"{where} ({ident!r})"
    data = _mapping(data, _VARIABLE_KEYS, where)
    description = _text(data, "description", where)
    source = data.get("source", "cues")
    if source not in SOURCES:
        raise ConfigError(f"{where}: source: {source!r} is not one of {', '.join(SOURCES)}")
    exclusive = data.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise ConfigError(f"{where}: exclusive: expected true or false, got {exclusive!r}")
    raw_values = data.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        raise ConfigError(f"{where}: values: expected a non-empty list of values")
    values: list[Value] = []
    for i, item in enumerate(raw_values):
        value = _value(item, f"{where}: values[{i}]", source, contexts)
        if value.id in {v.id for v in values}:
            raise ConfigError(f"{where}: values[{i}]: duplicate value {value.id!r}")
        values.append(value)
    ids = {v.id for v in values}
    for i, value in enumerate(values):
        for other in value.combines:
            if other not in ids or other == value.id:
                raise ConfigError(
                    f"{where}: values[{i}] ({value.id!r}): combines: {other!r} is not another "
                    "value of this variable"
                )
        implied = value.rejected_implies
        if implied is not None and (implied not in ids or implied == value.id):
            raise ConfigError(
                f"{where}: values[{i}] ({value.id!r}): rejected_implies: {implied!r} is not "
                "another value of this variable"
            )
    return Variable(ident, description, tuple(values), source, exclusive)


def _assessment(data: Any, where: str) -> AssessmentCues:
    data = _mapping(data, _ASSESSMENT_KEYS, where)

    def cue_lists(key: str) -> tuple[AssessmentCue, ...]:
        items = data.get(key) or []
        if not isinstance(items, list) or not items:
            raise ConfigError(f"{where}: {key}: expected a non-empty list of cue lists")
        out = []
        for i, item in enumerate(items):
            at = f"{where}: {key}[{i}]"
            item = _mapping(item, _ASSESSMENT_CUE_KEYS, at)
            scope = item.get("scope", "clause")
            if scope not in SCOPES:
                raise ConfigError(f"{at}: scope: {scope!r} is not one of {', '.join(SCOPES)}")
            cue = AssessmentCue(
                _phrases(item.get("phrases"), f"{at}: phrases"),
                _patterns(item.get("patterns"), f"{at}: patterns"),
                scope,
            )
            if not cue.phrases and not cue.patterns:
                raise ConfigError(f"{at}: give phrases or patterns")
            out.append(cue)
        return tuple(out)

    breaks = _phrases(data.get("scope_breaks"), f"{where}: scope_breaks")
    return AssessmentCues(
        rejection=cue_lists("rejection"),
        report=cue_lists("report"),
        endorsement=_cue_set(data.get("endorsement"), f"{where}: endorsement"),
        contrast=_cue_set(data.get("contrast"), f"{where}: contrast"),
        rebuttal=_cue_set(data.get("rebuttal"), f"{where}: rebuttal"),
        anaphors=_cue_set(data.get("anaphors"), f"{where}: anaphors"),
        hedges=_cue_set(data.get("hedges"), f"{where}: hedges"),
        scope_breaks=tuple(b.lower() for b in breaks),
        report_verbs=tuple(v.lower() for v in _phrases(data.get("report_verbs"),
                                                        f"{where}: report_verbs")),
        author_subjects=tuple(v.lower() for v in _phrases(data.get("author_subjects"),
                                                           f"{where}: author_subjects")),
        condition_marks=tuple(v.lower() for v in _phrases(data.get("condition_marks"),
                                                           f"{where}: condition_marks")),
        conditional_variables=tuple(_phrases(data.get("conditional_variables"),
                                             f"{where}: conditional_variables")),
    )


def _confidence(data: Any, where: str) -> Confidence:
    keys = ("strong", "weak", "contextual_penalty", "hedge_penalty", "report_penalty")
    data = _mapping(data, keys, where)
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{where}: {key}: expected a number in [0, 1], got {value!r}")
    return Confidence(**{k: float(v) for k, v in data.items()})


def load_codebook(path: Path) -> Codebook:
    """Load and validate configs/codebook.yaml.

    Args:
        path: the codebook file.

    Returns:
        The codebook, variables and values in file order.

    Raises:
        ConfigError: missing file, unknown key, duplicate variable or value, a value without
            cues (unless its variable has `source: positions`), an unknown context or a bad
            Matcher pattern; the message names the file and the key.
    """
    path = Path(path)
    data = _mapping(read_yaml(path), _TOP_KEYS, str(path))
    raw_contexts = data.get("contexts") or {}
    if not isinstance(raw_contexts, dict):
        raise ConfigError(f"{path}: contexts: expected a mapping of name: cue set")
    contexts: dict[str, CueSet] = {}
    for name, item in raw_contexts.items():
        where = f"{path}: contexts: {name}"
        if not isinstance(name, str) or not _ID.match(name):
            raise ConfigError(f"{where}: context names are lower-case identifiers")
        contexts[name] = _cue_set(item, where)
        if not contexts[name]:
            raise ConfigError(f"{where}: give phrases or patterns")
    raw_variables = data.get("variables")
    if not isinstance(raw_variables, list) or not raw_variables:
        raise ConfigError(f"{path}: variables: expected a non-empty list of variables")
    variables: list[Variable] = []
    for i, item in enumerate(raw_variables):
        variable = _variable(item, f"{path}: variables[{i}]", contexts)
        if variable.id in {v.id for v in variables}:
            raise ConfigError(f"{path}: variables[{i}]: duplicate variable {variable.id!r}")
        variables.append(variable)
    approaches = {v.id for var in variables if var.source == "positions" for v in var.values}
    for variable in variables:
        for value in variable.values:
            unknown = [a for a in value.opposed_approaches if a not in approaches]
            if unknown:
                raise ConfigError(
                    f"{path}: {variable.id}: {value.id}: opposed_approaches: {unknown[0]!r} is "
                    "not a value of a variable with source 'positions'")
    if "assessment" not in data:
        raise ConfigError(f"{path}: assessment: missing (rejection and report cues)")
    assessment = _assessment(data["assessment"], f"{path}: assessment")
    ids = {variable.id for variable in variables}
    unknown = [v for v in assessment.conditional_variables if v not in ids]
    if unknown:
        raise ConfigError(f"{path}: assessment: conditional_variables: {unknown[0]!r} is not "
                          "a variable of the codebook")
    return Codebook(
        variables=tuple(variables),
        contexts=MappingProxyType(contexts),
        assessment=assessment,
        confidence=_confidence(data.get("confidence"), f"{path}: confidence"),
        path=path,
    )
