"""NLP stage vocabularies: configs/actors.yaml and configs/proposals.yaml -> token patterns.

Loads both files into frozen dataclasses (validated like every other config: unknown keys,
duplicate ids and bad patterns raise `ConfigError` naming the file and the id) and turns them
into spaCy token patterns for the `briefs_*` components in `pipeline.nlp.matchers`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

from pipeline.config import ConfigError, build_dataclass, read_yaml

ACTORS_FILE = "actors.yaml"
PROPOSALS_FILE = "proposals.yaml"
ACTOR_KINDS = ("state", "organization", "person")
TARGET_KINDS = ("proposal", "approach")
# Pattern dicts with this label mark phrases that are *not* actors ("South China Sea"); the
# actor component lets them win overlaps and then drops them.
NOT_ACTOR_LABEL = "not_actor"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# Rules must run on spacy.blank("en") (fast tests, no dependence on the tagger's mistakes).
_NEEDS_MODEL = frozenset(
    {
        "LEMMA",
        "POS",
        "TAG",
        "DEP",
        "MORPH",
        "ENT_TYPE",
        "ENT_IOB",
        "ENT_ID",
        "ENT_KB_ID",
        "HEAD",
        "SENT_START",
    }
)
# Typographic variants generated for every surface form, so the YAML lists each name once.
_HYPHEN_BETWEEN_WORDS = re.compile(r"(?<=\w)-(?=\w)")
_HYPHEN_VARIANTS = ("-", "\u2010", "\u2011", "\u2013", " ", "")
_APOSTROPHES = ("'", "\u2019")
# Hyphens and dashes a brief may use between name parts ("Kim Jong‑un", "U.S.–DPRK").
DASHES = ("-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014")
# Lets a multi-word name match across a non-breaking space or doubled whitespace, which
# spaCy keeps as whitespace tokens.
_OPTIONAL_SPACE: dict[str, Any] = {"IS_SPACE": True, "OP": "*"}
# Lets a phrase written with spaces match its hyphenated compound ("a package-deal
# administration", "grand-bargain diplomacy" for "package deal", "grand bargain").
_OPTIONAL_DASH: dict[str, Any] = {"ORTH": {"IN": list(DASHES)}, "OP": "?"}


@dataclass(frozen=True)
class Actor:
    """A state, organization or person of the codebook and the ways briefs name it."""

    id: str
    kind: str
    name: str
    affiliation: str = ""
    surname: str = ""
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """A proposal or approach of the codebook, with its phrases and Matcher patterns.

    `patterns` holds spaCy Matcher token patterns (lists of dicts); treat them as read-only.
    """

    id: str
    kind: str
    label: str
    definition: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    # Which negotiating side would give it (an actor id): turns "X proposed it" into
    # "X offers it" (X gives) or "X demands it" (the other side gives).
    given_by: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """Everything the NLP components match: actors, proposals, approaches, non-actors."""

    actors: tuple[Actor, ...]
    proposals: tuple[Target, ...]
    approaches: tuple[Target, ...]
    not_actors: tuple[str, ...] = ()

    def actor(self, actor_id: str) -> Actor:
        """Return the actor with this id (KeyError if unknown)."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)

    @property
    def states(self) -> frozenset[str]:
        """The ids of the actors that are states."""
        return frozenset(a.id for a in self.actors if a.kind == "state")

    @property
    def targets(self) -> tuple[Target, ...]:
        """Proposals then approaches."""
        return self.proposals + self.approaches


# ------------------------------------------------------------------------------ loading


def _entries(data: Any, key: str, where: str) -> list[tuple[int, str, dict[str, Any]]]:
    """Return (index, id, mapping) for each entry of a top-level list, checking the ids."""
    items = data.get(key) or []
    if not isinstance(items, list):
        raise ConfigError(f"{where}: {key}: expected a list of entries, got {items!r}")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: {key}[{i}]: expected a mapping, got {item!r}")
        ident = item.get("id")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise ConfigError(
                f"{where}: {key}[{i}]: 'id' must be a lower-case identifier, got {ident!r}"
            )
        out.append((i, ident, item))
    return out


def _top_level(path: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {', '.join(allowed)}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known keys: {', '.join(allowed)})")
    return data


def _check_strings(values: Iterable[str], where: str) -> None:
    for value in values:
        if not value.strip():
            raise ConfigError(f"{where}: empty string in a list of surface forms")


def _load_actors(path: Path) -> tuple[tuple[Actor, ...], tuple[str, ...]]:
    data = _top_level(path, ("actors", "not_actors"))
    actors: list[Actor] = []
    seen: dict[str, str] = {}
    for i, ident, item in _entries(data, "actors", str(path)):
        where = f"{path}: actor {ident!r} (actors[{i}])"
        if ident in seen:
            raise ConfigError(f"{where}: duplicate id {ident!r}")
        actor = build_dataclass(Actor, item, where)
        if actor.kind not in ACTOR_KINDS:
            raise ConfigError(
                f"{where}: kind: {actor.kind!r} is not one of {', '.join(ACTOR_KINDS)}"
            )
        if not actor.name.strip():
            raise ConfigError(f"{where}: name: must not be empty")
        if not actor.aliases:
            raise ConfigError(f"{where}: aliases: list at least one surface form")
        person_only = {
            "affiliation": actor.affiliation,
            "surname": actor.surname,
            "titles": actor.titles,
            "weak_aliases": actor.weak_aliases,
        }
        if actor.kind != "person":
            for key, value in person_only.items():
                if value:
                    raise ConfigError(f"{where}: {key}: only persons have {key}")
        else:
            for key in ("demonyms", "capitals"):
                if getattr(actor, key):
                    raise ConfigError(f"{where}: {key}: persons have no {key}")
            if not actor.affiliation:
                raise ConfigError(f"{where}: affiliation: a person needs a state id")
        for key in ("aliases", "weak_aliases", "titles", "demonyms", "capitals"):
            _check_strings(getattr(actor, key), f"{where}: {key}")
        seen[ident] = ident
        actors.append(actor)

    states = {a.id for a in actors if a.kind == "state"}
    owner: dict[str, str] = {}
    for i, actor in enumerate(actors):
        where = f"{path}: actor {actor.id!r} (actors[{i}])"
        if actor.affiliation and actor.affiliation not in states:
            raise ConfigError(
                f"{where}: affiliation: {actor.affiliation!r} is not a known state id "
                f"(known: {', '.join(sorted(states))})"
            )
        # One surface form naming two actors would make linking depend on pattern order.
        for form in _surface_forms(actor):
            key = _normalise_form(form)
            if owner.get(key, actor.id) != actor.id:
                raise ConfigError(
                    f"{where}: surface form {form!r} is also listed for actor {owner[key]!r}"
                )
            owner[key] = actor.id

    not_actors = data.get("not_actors") or []
    if not isinstance(not_actors, list) or not all(isinstance(s, str) for s in not_actors):
        raise ConfigError(f"{path}: not_actors: expected a list of strings")
    _check_strings(not_actors, f"{path}: not_actors")
    return tuple(actors), tuple(not_actors)


def _surface_forms(actor: Actor) -> tuple[str, ...]:
    return actor.aliases + actor.weak_aliases + actor.demonyms + actor.capitals


def _normalise_form(form: str) -> str:
    return form.replace("\u2019", "'").replace("-", " ").casefold().strip()


def _validate_pattern(pattern: Any, where: str) -> tuple[dict[str, Any], ...]:
    """Check one Matcher pattern against spaCy's schema; return it as a tuple of dicts."""
    if (
        not isinstance(pattern, list)
        or not pattern
        or not all(isinstance(tok, dict) for tok in pattern)
    ):
        raise ConfigError(f"{where}: a pattern is a non-empty list of token mappings")
    for tok in pattern:
        needs_model = sorted(k for k in tok if k.upper() in _NEEDS_MODEL)
        if needs_model:
            raise ConfigError(
                f"{where}: attribute {needs_model[0]!r} needs a trained pipeline; rules must "
                "run on spacy.blank('en') (use LOWER, ORTH, REGEX, IN, OP, IS_*, LENGTH)"
            )
    matcher = Matcher(_blank().vocab, validate=True)
    try:
        matcher.add("check", [copy.deepcopy(pattern)])
    except (ValueError, TypeError, KeyError) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(f"{where}: not a valid spaCy Matcher pattern: {message}") from exc
    return tuple(pattern)


_BLANK: list[Language] = []


def _blank() -> Language:
    # One shared blank pipeline: only its vocab and tokenizer are used, for validation.
    if not _BLANK:
        _BLANK.append(spacy.blank("en"))
    return _BLANK[0]


def _load_targets(path: Path) -> tuple[tuple[Target, ...], tuple[Target, ...]]:
    data = _top_level(path, ("proposals", "approaches"))
    seen: set[str] = set()
    groups: dict[str, list[Target]] = {"proposals": [], "approaches": []}
    for key, kind in (("proposals", "proposal"), ("approaches", "approach")):
        for i, ident, item in _entries(data, key, str(path)):
            where = f"{path}: {kind} {ident!r} ({key}[{i}])"
            if ident in seen:
                raise ConfigError(f"{where}: duplicate id {ident!r}")
            seen.add(ident)
            fields_ = {k: v for k, v in item.items() if k != "patterns"}
            if "kind" in fields_:
                raise ConfigError(f"{where}: unknown key 'kind' (set by the section)")
            fields_["kind"] = kind
            target = build_dataclass(Target, fields_, where)
            raw_patterns = item.get("patterns") or []
            if not isinstance(raw_patterns, list):
                raise ConfigError(f"{where}: patterns: expected a list of patterns")
            patterns = tuple(
                _validate_pattern(p, f"{where}: patterns[{j}]") for j, p in enumerate(raw_patterns)
            )
            for key_ in ("label", "definition"):
                if not getattr(target, key_).strip():
                    raise ConfigError(f"{where}: {key_}: must not be empty")
            _check_strings(target.phrases, f"{where}: phrases")
            if not target.phrases and not patterns:
                raise ConfigError(f"{where}: give at least one phrase or pattern")
            groups[key].append(replace(target, patterns=patterns))
    return tuple(groups["proposals"]), tuple(groups["approaches"])


def load_vocabulary(config_dir: Path) -> Vocabulary:
    """Load and validate configs/actors.yaml and configs/proposals.yaml.

    Args:
        config_dir: the folder holding both files.

    Returns:
        The vocabulary, actors and targets in file order.

    Raises:
        ConfigError: a file is missing or invalid; the message names the file, id and key.
    """
    config_dir = Path(config_dir)
    actors, not_actors = _load_actors(config_dir / ACTORS_FILE)
    proposals, approaches = _load_targets(config_dir / PROPOSALS_FILE)
    return Vocabulary(actors, proposals, approaches, not_actors)


# ----------------------------------------------------------------------------- patterns


def surface_variants(text: str) -> list[str]:
    """Typographic variants of a surface form: hyphen/space/no separator, ' and ’.

    "Kim Jong-un" -> "Kim Jong-un", "Kim Jong un", "Kim Jongun", "Kim Jong‐un", ...
    """
    base = text.replace("\u2019", "'")
    forms = {base.replace("'", a) for a in _APOSTROPHES}
    out: set[str] = set()
    for form in forms:
        if _HYPHEN_BETWEEN_WORDS.search(form):
            out.update(_HYPHEN_BETWEEN_WORDS.sub(h, form) for h in _HYPHEN_VARIANTS)
        else:
            out.add(form)
    return sorted(out)


def _tokens(nlp: Any, text: str) -> list[str]:
    # Accepts a Language or its tokenizer (components keep only the tokenizer).
    tokenizer = getattr(nlp, "tokenizer", nlp)
    return [t.text for t in tokenizer(text) if not t.is_space]


def is_case_sensitive(token: str) -> bool:
    """Whether an alias token matches exactly: ALL CAPS ("US", "DPRK") or dotted ("U.S.")."""
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return False
    return "." in token or (len(letters) >= 2 and all(c.isupper() for c in letters))


def _dash_or_lower(text: str) -> dict[str, Any]:
    if text in DASHES:
        return {"ORTH": {"IN": list(DASHES)}}
    return {"LOWER": text.lower()}


def _actor_token(text: str, first: bool) -> dict[str, Any]:
    if text in DASHES:
        return _dash_or_lower(text)
    if is_case_sensitive(text):
        return {"ORTH": text}
    spec: dict[str, Any] = {"LOWER": text.lower()}
    if first and text[:1].isupper():
        # Capitalised names must not match lower-case words: "trump card", "the north".
        spec["IS_LOWER"] = False
    return spec


def _interleave(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, spec in enumerate(specs):
        if i:
            out.append(dict(_OPTIONAL_SPACE))
        out.append(spec)
    return out


def _lead_and_core(form: str) -> tuple[str, str]:
    # "the North": the article is required for the match but not part of the mention.
    if form.startswith("the ") and len(form) > 4:
        return "the", form[4:]
    return "", form


def _name_patterns(nlp: Any, lead: str, core: str) -> Iterator[tuple[list, int]]:
    """Yield (pattern, n_lead_tokens) for every variant of `lead` + `core`."""
    for lead_v in surface_variants(lead) if lead else [""]:
        lead_toks = _tokens(nlp, lead_v) if lead_v else []
        for core_v in surface_variants(core):
            core_toks = _tokens(nlp, core_v)
            if not core_toks:
                continue
            specs = [_dash_or_lower(t) for t in lead_toks]
            specs += [_actor_token(t, j == 0) for j, t in enumerate(core_toks)]
            yield _interleave(specs), len(lead_toks)


def actor_patterns(vocab: Vocabulary, nlp: Any) -> list[dict[str, Any]]:
    """SpanRuler-style patterns for actors (and for the phrases that are not actors).

    Each dict has `label` (the actor kind, or "not_actor"), `id` (the actor id), `pattern`,
    and two keys the actor component uses: `trim` (leading words that are matched but are
    not part of the mention: a title, "the") and `weak` (the form names the actor only after
    the document has named it otherwise, e.g. a bare "Kim").
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(label: str, ident: str, pattern: list, trim: int, weak: bool) -> None:
        key = json.dumps([ident, pattern, trim, weak], sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(
                {"label": label, "id": ident, "pattern": pattern, "trim": trim, "weak": weak}
            )

    for actor in vocab.actors:
        for form in actor.aliases + actor.demonyms + actor.capitals:
            for pattern, trim in _name_patterns(nlp, *_lead_and_core(form)):
                add(actor.kind, actor.id, pattern, trim, False)
        for form in actor.weak_aliases:
            for pattern, trim in _name_patterns(nlp, *_lead_and_core(form)):
                add(actor.kind, actor.id, pattern, trim, True)
        names = dict.fromkeys(
            ([actor.surname] if actor.surname else [])
            + list(actor.aliases)
            + list(actor.weak_aliases)
        )
        for title in actor.titles:
            for name in names:
                # A title establishes the person even before a bare surname ("Chairman Kim").
                for pattern, trim in _name_patterns(nlp, title, name):
                    add(actor.kind, actor.id, pattern, trim, False)
    for form in vocab.not_actors:
        for pattern, trim in _name_patterns(nlp, *_lead_and_core(form)):
            add(NOT_ACTOR_LABEL, "", pattern, trim, False)
    return out


def _phrase_pattern(nlp: Any, text: str) -> list[dict[str, Any]]:
    """Matcher pattern for a phrase: its tokens on LOWER, whitespace allowed between them,
    and a hyphen allowed where the phrase has a space between two words."""
    tokenizer = getattr(nlp, "tokenizer", nlp)
    toks = [t for t in tokenizer(text) if not t.is_space]
    specs: list[dict[str, Any]] = []
    for before, tok in zip([None, *toks], toks, strict=False):
        if before is not None and before.whitespace_ and before.is_alpha and tok.is_alpha:
            specs.append(dict(_OPTIONAL_DASH))
        specs.append(_dash_or_lower(tok.text))
    return _interleave(specs)


def target_patterns(vocab: Vocabulary, nlp: Any) -> list[dict[str, Any]]:
    """SpanRuler-style patterns for proposals and approaches (`label` = kind, `id` = id).

    Phrases are tokenised with `nlp`'s tokenizer (all typographic variants, and hyphenated
    where they have a space between words) and matched on LOWER; YAML patterns are passed
    through unchanged.
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for target in vocab.targets:
        patterns: list[list[dict[str, Any]]] = []
        for phrase in target.phrases:
            for variant in surface_variants(phrase):
                pattern = _phrase_pattern(nlp, variant)
                if pattern:
                    patterns.append(pattern)
        patterns += [copy.deepcopy(list(p)) for p in target.patterns]
        for pattern in patterns:
            key = json.dumps([target.id, pattern], sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append({"label": target.kind, "id": target.id, "pattern": pattern})
    return out
