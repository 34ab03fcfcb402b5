"""A spaCy `Matcher` that only looks where a match can be.

spaCy's Matcher tries every pattern at every token, so its cost grows with patterns x tokens
even when a pattern's words never occur in the document. Almost every cue and name pattern
has a token that any match must contain (a word, a lemma, a regular expression). The
`AnchoredMatcher` indexes those anchors, finds the tokens that satisfy one (a vectorised
lookup over `Doc.to_array`), and runs a Matcher holding only the patterns of that anchor on
windows around them, as wide as those patterns can reach. The matches are the Matcher's
own; a pattern without an anchor or of unbounded length is matched over the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from spacy.attrs import IS_SPACE, LEMMA, LOWER, NORM, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

# Token attributes an anchor can test, by their names in patterns (TEXT is ORTH).
_ATTRS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "LEMMA": LEMMA, "NORM": NORM}
_UNBOUNDED = None
# Below this many tokens (a sentence) the plain Matcher is cheaper than indexing.
_MIN_TOKENS = 200
# Windows closer than this are matched as one, saving Matcher calls.
_MERGE_GAP = 8
# Strings whose regex-anchor outcome is remembered, at most (then forgotten at once).
_MAX_REMEMBERED = 50_000
# If the windows cover more of the document than this, match the whole document.
_MAX_COVERAGE = 0.8


def _repeats(spec: Mapping[str, Any]) -> tuple[int, int | None]:
    """(min, max) times a token spec matches; max None when unbounded."""
    op = spec.get("OP")
    if op is None or op == "!":
        return (1, 1) if op is None else (0, 1)
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _UNBOUNDED
    if op == "+":
        return 1, _UNBOUNDED
    found = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", str(op))
    if found is None:
        return 0, _UNBOUNDED  # unknown operator: assume the worst
    low, comma, high = found.groups()
    lo = int(low) if low else 0
    if not comma:
        return lo, lo
    return lo, int(high) if high else _UNBOUNDED


def _only_spaces(spec: Mapping[str, Any]) -> bool:
    """A spec that can only match whitespace tokens (they do not count towards extents)."""
    return spec.get("IS_SPACE") is True


def _anchor(spec: Mapping[str, Any], vocab: Vocab) -> tuple[int, str, Any] | None:
    """(attr id, "set" | "regex", ids or pattern) that every token matching `spec` meets."""
    best = None
    for name, value in spec.items():
        attr = _ATTRS.get(name)
        if attr is None:
            continue
        if isinstance(value, str):
            return attr, "set", {vocab.strings.add(value)}
        if isinstance(value, Mapping):
            if "IN" in value and all(isinstance(v, str) for v in value["IN"]):
                return attr, "set", {vocab.strings.add(v) for v in value["IN"]}
            if "REGEX" in value and best is None:
                best = (attr, "regex", str(value["REGEX"]))
    return best


def _common(word: str) -> bool:
    """A word too frequent to anchor on: a stop word, punctuation, one or two letters."""
    return len(word) <= 2 or not any(c.isalpha() for c in word) or word.lower() in STOP_WORDS


class _Group:
    """The patterns sharing one anchor: their Matcher and how far they reach around it."""

    def __init__(self, vocab: Vocab) -> None:
        self.matcher = Matcher(vocab)
        self.before = 0  # non-space tokens a match may have before / after the anchor token
        self.after = 0

    def windows(
        self, anchors: np.ndarray, rank: np.ndarray, spaces: np.ndarray
    ) -> list[tuple[int, int]] | None:
        """Token ranges holding every match around `anchors`, or None for everything."""
        n = len(rank)
        # from the non-space token just before the `before` ones (so the spaces between are
        # in) to the last space after the `after` ones
        first = rank[anchors] - (~spaces[anchors]).astype(np.int64) - self.before
        starts = np.clip(np.searchsorted(rank, first, side="left"), 0, n).tolist()
        ends = np.clip(np.searchsorted(rank, rank[anchors] + self.after, side="right"), 0, n)
        windows: list[tuple[int, int]] = []
        for start, end in zip(starts, ends.tolist(), strict=True):
            if windows and start <= windows[-1][1] + _MERGE_GAP:
                windows[-1] = (windows[-1][0], max(windows[-1][1], end))
            else:
                windows.append((start, end))
        if sum(end - start for start, end in windows) > _MAX_COVERAGE * n:
            return None
        return windows


class AnchoredMatcher:
    """`spacy.matcher.Matcher` with anchor-word prefiltering; same `add` and call API.

    Calling it on a Doc or Span returns `(match_id, start, end)` like the Matcher (indices
    relative to a Span when called on one), sorted by start, end and the order the keys
    were added in (spaCy's own order depends on where matches end).
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.matcher = Matcher(vocab)  # all patterns: for short texts
        self._everywhere = Matcher(vocab)  # patterns without an anchor or a bound
        self._groups: dict[tuple, _Group] = {}  # anchor -> its patterns
        self._by_id: dict[int, dict[int, list[_Group]]] = {}  # attr -> string id -> groups
        self._by_regex: dict[int, list[tuple[re.Pattern[str], _Group]]] = {}  # attr -> ...
        self._regex_groups: dict[tuple[int, int], list[_Group]] = {}  # (attr, id) -> groups
        self._order: dict[int, int] = {}  # key hash -> when it was first added

    def __len__(self) -> int:
        return len(self.matcher)

    def __contains__(self, key: object) -> bool:
        return key in self.matcher

    def add(self, key: str, patterns: Iterable[Sequence[Mapping[str, Any]]]) -> None:
        """Add token patterns under `key` (as `Matcher.add`)."""
        patterns = [list(p) for p in patterns]
        self.matcher.add(key, patterns)
        self._order.setdefault(self.vocab.strings.add(key), len(self._order))
        for pattern in patterns:
            found = self._anchor(pattern)
            if found is None:
                self._everywhere.add(key, [pattern])
                continue
            (attr, kind, value), before, after = found
            anchor = (attr, kind, tuple(sorted(value)) if kind == "set" else value)
            group = self._groups.get(anchor)
            if group is None:
                group = self._groups[anchor] = _Group(self.vocab)
                if kind == "set":
                    for string_id in value:
                        self._by_id.setdefault(attr, {}).setdefault(string_id, []).append(group)
                else:
                    self._by_regex.setdefault(attr, []).append((re.compile(value), group))
                    self._regex_groups = {}
            group.matcher.add(key, [pattern])
            group.before = max(group.before, before)
            group.after = max(group.after, after)

    def _anchor(self, pattern: list[Mapping[str, Any]]) -> tuple | None:
        """The pattern's anchor and its reach before and after it, or None if it has none."""
        maxima = [0 if _only_spaces(s) else _repeats(s)[1] for s in pattern]
        if _UNBOUNDED in maxima:
            return None
        # the most selective required token: a word list without common words, else a
        # regular expression, else any word list ("of", "a" would put a window everywhere)
        anchor_at, anchor, best = None, None, 0
        for i, spec in enumerate(pattern):
            if _repeats(spec)[0] < 1:
                continue
            found = _anchor(spec, self.vocab)
            if found is None:
                continue
            if found[1] == "regex":
                rank = 2
            else:
                rank = 1 if any(_common(self.vocab.strings[v]) for v in found[2]) else 3
            if rank > best:
                anchor_at, anchor, best = i, found, rank
        if anchor is None or anchor_at is None:
            return None
        # the anchor token itself may repeat ("{1,3}"): its extra repeats count on both sides
        extra = (maxima[anchor_at] or 1) - 1
        before = sum(maxima[:anchor_at]) + extra  # type: ignore[arg-type]
        after = sum(maxima[anchor_at + 1 :]) + extra  # type: ignore[arg-type]
        return anchor, before, after

    def __call__(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        if not len(self.matcher):
            return []  # (spaCy's Matcher warns when called without patterns)
        if len(doclike) < _MIN_TOKENS:
            found = self.matcher(doclike)
        else:
            found = self._everywhere(doclike) if len(self._everywhere) else []
            spaces = doclike.to_array([IS_SPACE]).reshape(-1).astype(bool)
            rank = np.cumsum(~spaces)  # non-space tokens up to and including each token
            for group, anchors in self._anchored(doclike).items():
                windows = group.windows(np.array(anchors), rank, spaces)
                if windows is None:
                    found += group.matcher(doclike)
                    continue
                for start, end in windows:
                    found += [(m, start + s, start + e)
                              for m, s, e in group.matcher(doclike[start:end])]
        return sorted(set(found), key=lambda m: (m[1], m[2], self._order.get(m[0], 0)))

    def _anchored(self, doclike: Doc | Span) -> dict[_Group, list[int]]:
        """Each group with an anchor in the text, and the token positions of its anchors."""
        attrs = sorted(set(self._by_id) | set(self._by_regex))
        if not attrs:
            return {}
        values = doclike.to_array(attrs).reshape(len(doclike), len(attrs))
        strings = doclike.doc.vocab.strings if isinstance(doclike, Span) else doclike.vocab.strings
        out: dict[_Group, list[int]] = {}
        for col, attr in enumerate(attrs):
            column = values[:, col]
            uniques, inverse = np.unique(column, return_inverse=True)
            order = np.argsort(inverse, kind="stable")
            bounds = np.searchsorted(inverse[order], np.arange(len(uniques) + 1))
            by_id = self._by_id.get(attr, {})
            for k, string_id in enumerate(uniques.tolist()):
                groups = by_id.get(string_id, []) + self._regex_matches(attr, string_id, strings)
                if groups:
                    positions = order[bounds[k] : bounds[k + 1]].tolist()
                    for group in groups:
                        out.setdefault(group, []).extend(positions)
        return {group: sorted(set(positions)) for group, positions in out.items()}

    def _regex_matches(self, attr: int, string_id: int, strings: Any) -> list[_Group]:
        """The regex-anchored groups a string satisfies (remembered per string)."""
        if attr not in self._by_regex:
            return []
        key = (attr, string_id)
        if key not in self._regex_groups:
            if len(self._regex_groups) > _MAX_REMEMBERED:
                self._regex_groups.clear()  # memory stays flat over a large corpus
            text = strings[string_id]
            self._regex_groups[key] = [g for rx, g in self._by_regex[attr] if rx.search(text)]
        return self._regex_groups[key]
