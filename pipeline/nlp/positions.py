"""Positions: who proposes, offers, demands, accepts, rejects or advocates which proposal or
approach, read from the dependency parse of each sentence (component `briefs_positions`).

Input: `doc.spans["actors"]`, `doc.spans["proposals"]`, `doc.spans["approaches"]` and the
parse. Output: `doc._.positions`, a list of plain dicts (one per stance statement) with the
character offsets of the evidence, so every row can be traced to its sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.config import ConfigError, read_yaml
from pipeline.nlp.vocab import Vocabulary

RELATIONS = ("proposes", "offers", "demands", "accepts", "rejects", "advocates")
AUTHOR = "author"
# How confident each way of finding a holder is (before hedging).
CONFIDENCE = {"verb": 0.85, "owner": 0.75, "modal": 0.75, "surface": 0.5, "clause": 0.5}
# How an approach reaches the verb of its own clause in the clause fallback ("arrived with a
# grand bargain", "held out for a package", "rested on a comprehensive deal").
_CLAUSE_LINKS = frozenset({"dobj", "pobj", "prep", "attr", "appos", "conj", "cc", "amod",
                           "compound", "nmod", "npadvmod", "acomp", "oprd", "dative", "det",
                           "poss", "punct"})
HEDGE_PENALTY = 0.15
# Subjects that deny the verb ("Neither side proposed ...", "Nobody wanted ...")
_NO_ONE = frozenset({"neither", "nobody", "none", "noone"})
# Words that set two clauses against each other ("X wanted A, yet B")
_CONTRASTS = frozenset({"but", "yet", "while", "whereas", "although", "though", "however"})
# Words that set an alternative aside ("rather than Y", "instead of Y")
_SET_ASIDE = frozenset({("rather", "than"), ("instead", "of")})
# Adverbs that deny their verb as "not" does ("will hardly surrender")
_NEGATING_ADVERBS = frozenset({"never", "hardly", "scarcely"})

if not Doc.has_extension("positions"):
    Doc.set_extension("positions", default=None)


@dataclass(frozen=True)
class PositionRules:
    """Verb and noun classes and cue words (configs/positions.yaml)."""

    verbs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    nouns: Mapping[str, frozenset[str]] = field(default_factory=dict)
    negators: frozenset[str] = frozenset()
    advocacy_modals: frozenset[str] = frozenset()
    exchange_markers: frozenset[str] = frozenset()
    hedges: frozenset[str] = frozenset()
    conditional_marks: frozenset[str] = frozenset()
    preference_verbs: frozenset[str] = frozenset()
    against_verbs: frozenset[str] = frozenset()
    copulas: frozenset[str] = frozenset()
    not_holding: frozenset[str] = frozenset()

    def verb_class(self, lemma: str) -> str | None:
        return next((rel for rel, words in self.verbs.items() if lemma in words), None)

    def token_verb_class(self, token: Token) -> str | None:
        """Stance class of a verb token; falls back from a mangled lemma ("hoped" ->
        "hop") to the inflected form less its "-d" / "-s" ("hope")."""
        found = self.verb_class(token.lemma_.lower())
        word = token.lower_
        if found is None and len(word) > 4 and word.endswith(("ed", "es")):
            found = self.verb_class(word[:-1])
        return found

    def noun_class(self, lemma: str) -> str | None:
        return next((rel for rel, words in self.nouns.items() if lemma in words), None)


def load_position_rules(path: Path) -> PositionRules:
    """Load and validate `configs/positions.yaml`.

    Raises:
        ConfigError: unknown key, unknown relation, or a value that is not a list of words.
    """
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    allowed = {
        "verbs",
        "nouns",
        "negators",
        "advocacy_modals",
        "exchange_markers",
        "hedges",
        "conditional_marks",
        "preference_verbs",
        "against_verbs",
        "copulas",
        "not_holding",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
        )

    def words(value: Any, where: str) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {where}: expected a list of words")
        return frozenset(v.lower() for v in value)

    def classes(key: str) -> dict[str, frozenset[str]]:
        table = data.get(key) or {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {key}: expected relation: [words] entries")
        for rel in table:
            if rel not in RELATIONS:
                raise ConfigError(
                    f"{path}: {key}: unknown relation {rel!r} (known: {', '.join(RELATIONS)})"
                )
        return {rel: words(v, f"{key}: {rel}") for rel, v in table.items()}

    return PositionRules(
        verbs=classes("verbs"),
        nouns=classes("nouns"),
        **{k: words(data.get(k) or [], k) for k in sorted(allowed - {"verbs", "nouns"})},
    )


@dataclass
class _Finding:
    holder: str
    holder_span: Span | None
    relation: str
    cue: Token | None
    method: str
    negated: bool = False


def _flip(relation: str) -> tuple[str, str]:
    """Relation and polarity of a negated relation ("did not accept" = rejects)."""
    if relation == "accepts":
        return "rejects", "oppose"
    if relation == "rejects":
        return "accepts", "support"
    return relation, "oppose"  # includes advocates: the author argues against it


class PositionExtractor:
    """Reads positions from parsed sentences; rules come from `add_rules`, not the config."""

    def __init__(self) -> None:
        self.rules = PositionRules()
        self.given_by: dict[str, str] = {}
        self.state_of: dict[str, str] = {}

    def add_rules(self, rules: PositionRules, vocab: Vocabulary) -> PositionExtractor:
        """Attach the stance rules and the codebook (who gives which proposal, and which
        state each actor belongs to)."""
        self.rules = rules
        self.given_by = {t.id: t.given_by for t in vocab.proposals if t.given_by}
        self.state_of = {
            a.id: a.affiliation or (a.id if a.kind == "state" else "") for a in vocab.actors
        }
        return self

    def __call__(self, doc: Doc) -> Doc:
        actors = list(doc.spans["actors"]) if "actors" in doc.spans else []
        targets = []
        for key, kind in (("proposals", "proposal"), ("approaches", "approach")):
            if key in doc.spans:
                targets += [(kind, span) for span in doc.spans[key]]
        found: list[dict[str, Any]] = []
        if targets and doc.has_annotation("DEP"):
            by_sentence: dict[int, list[tuple[str, Span]]] = {}
            for kind, span in targets:
                by_sentence.setdefault(span.sent.start, []).append((kind, span))
            for sent_start, sent_targets in sorted(by_sentence.items()):
                sent = doc[sent_start].sent
                sent_actors = [a for a in actors if sent.start <= a.start < sent.end]
                found += self.sentence_positions(sent, sent_actors, sent_targets)
        doc._.positions = found
        return doc

    # -- one sentence -----------------------------------------------------------------------

    def sentence_positions(
        self, sent: Span, actors: list[Span], targets: list[tuple[str, Span]]
    ) -> list[dict[str, Any]]:
        """All positions in one sentence, deduplicated, hybrid-merged, in text order."""
        actor_at = {t.i: a for a in actors for t in a}
        if sent.text.rstrip().endswith("?"):
            return []  # a question states no position
        rows = []
        for kind, target in [*targets, *self._anaphors(sent, targets)]:
            if self._hypothetical(target):
                continue
            findings = self._find(sent, target, actor_at, actors)
            if not findings and kind == "approach":
                findings = self._clause_subject(target, actor_at)
            for finding in findings:
                for holder_span in self._coordinated(finding.holder_span, actor_at):
                    extra = _Finding(
                        holder_span.id_,
                        holder_span,
                        finding.relation,
                        finding.cue,
                        finding.method,
                        finding.negated,
                    )
                    rows.append(self._row(sent, kind, target, extra))
                rows.append(self._row(sent, kind, target, finding))
        rows = self._apply_exchange(sent, targets, rows)
        rows = self._merge_hybrid(rows, sent, actors)
        unique: dict[tuple, dict[str, Any]] = {}
        for row in rows:
            key = (row["holder"], row["relation"], row["target"], row["polarity"])
            if key not in unique or row["confidence"] > unique[key]["confidence"]:
                unique[key] = row
        return sorted(unique.values(), key=lambda r: (r["start_char"], r["target"], r["holder"]))

    def _anaphors(self, sent: Span, targets: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
        """A stance noun that points back ("Despite North Korea's desire for a step-by-step
        approach, the U.S. finds it hard to accept such a proposal", "this plan") stands for
        the approach named last before it in the sentence."""
        approaches = [span for kind, span in targets if kind == "approach"]
        inside = {i for _, span in targets for i in range(span.start, span.end)}
        out = []
        for token in sent:
            if (token.i in inside or token.pos_ != "NOUN"
                    or self.rules.noun_class(token.lemma_.lower()) is None
                    or not any(c.lower_ in ("such", "this", "that") for c in token.children)):
                continue
            before = [span for span in approaches if span.end <= token.i]
            if before:
                out.append(("approach", Span(sent.doc, token.i, token.i + 1,
                                             label=before[-1].label, span_id=before[-1].id)))
        return out

    def _hypothetical(self, target: Span) -> bool:
        """True if the target sits in an 'if'/'unless'/'whether'/'before' clause (not when
        the mark is the target's own word: "before a single sanction was lifted" says when
        relief comes, the big deal itself)."""
        for anc in target.root.ancestors:
            if anc.dep_ in ("advcl", "ccomp", "csubj") and any(
                c.dep_ == "mark" and c.lower_ in self.rules.conditional_marks
                and not target.start <= c.i < target.end for c in anc.children
            ):
                return True
        return False

    def _coordinated(self, holder: Span | None, actor_at: dict[int, Span]) -> list[Span]:
        """Other actors coordinated with the holder ("Moscow and Beijing", "by Bolton and
        Pompeo"), each of whom holds the same position."""
        if holder is None:
            return []
        found, token = [], holder.root
        while True:
            nxt = next((c for c in token.children if c.dep_ == "conj"), None)
            if nxt is None or nxt.i not in actor_at or actor_at[nxt.i] == holder:
                return found
            found.append(actor_at[nxt.i])
            token = nxt

    def _find(
        self, sent: Span, target: Span, actor_at: dict[int, Span], actors: list[Span]
    ) -> list[_Finding]:
        """Walk up from the target to the stance cue(s) and holder(s)."""
        rules = self.rules
        inside = {t.i for t in target}
        token = target.root
        owner: _Finding | None = None
        seen = 0
        path: list[Token] = []
        while seen < 40:
            seen += 1
            path.append(token)
            # Nouns on the way: an owner ("North Korea's proposal", "offer by the U.S.").
            if token.pos_ in ("NOUN", "PROPN") and owner is None:
                holder = self._owner(token, actor_at)
                if holder is not None:
                    rel = rules.noun_class(token.lemma_.lower()) or self._noun_near(token)
                    owner = _Finding(
                        actor_at[holder.i].id_,
                        actor_at[holder.i],
                        rel or "proposes",
                        token,
                        "owner",
                    )
                    # An owned stance ("North Korea's offer to close Yongbyon") answers
                    # who holds it, whatever the sentence then says about it.
                    if self._modal_above(token) is None:
                        owner.negated = self._negated(token)
                        return [owner, *self._governing_stance(token, actor_at, owner)]
                else:
                    floated = self._participle_agent(token, actor_at)
                    if floated is not None:
                        return [floated]
            if token.pos_ in ("VERB", "AUX") and token.i not in inside:
                finding = self._from_verb(token, actor_at, owner, self._against(token, path))
                if finding is not None:
                    if self._dispreferred(token, path) or _set_aside(path[:-1]):
                        finding.relation = "rejects"
                    return [finding]
                equated = self._equated(token, path, actor_at)
                if equated is not None:
                    return [equated]
            if token.head is token or token.dep_ == "ROOT":
                break
            token = token.head
        if owner is not None:
            owner.negated = self._negated(owner.cue)
            return [owner]
        surface = self._surface(sent, target, actors)
        return [surface] if surface is not None else []

    def _clause_subject(self, target: Span, actor_at: dict[int, Span]) -> list[_Finding]:
        """Last resort for an approach: the actor subject of the verb of the approach's own
        clause holds it ("Washington arrived in Hanoi with a grand bargain in mind"), unless
        that verb only talks about it (`not_holding`: "misjudged", "discussed")."""
        token = target.root
        while token.dep_ in _CLAUSE_LINKS and token.head is not token:
            token = token.head
            if token.pos_ in ("VERB", "AUX"):
                break
        if token.pos_ not in ("VERB", "AUX") or token.lemma_.lower() in self.rules.not_holding:
            return []
        if self._modal_above(target.root) is not None or self._hypothetical(target):
            return []
        # the subject must be the actor itself or a stance noun it owns ("North Korea's
        # proposal followed the action-for-action formula"; not "Washington's posture left
        # little room for ..."), and the approach not one set aside ("rather than ...")
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        before = target.doc[max(target.sent.start, target.start - 3) : target.start].text.lower()
        if len(subjects) != 1 or any(" ".join(words) in before for words in _SET_ASIDE):
            return []
        holder = subjects[0]
        if holder.i not in actor_at and self.rules.noun_class(holder.lemma_.lower()):
            holder = self._owner(holder, actor_at) or holder
        if holder.i not in actor_at:
            return []
        subject = actor_at[holder.i]
        return [_Finding(subject.id_, subject, "proposes", token, "clause",
                         self._negated_chain([token]))]

    def _against(self, verb: Token, path: list[Token]) -> bool:
        """The target is what the verb's "against" phrase names ("argued against a grand
        bargain", "should counsel Washington against all-or-nothing bargaining")."""
        return any(t.dep_ == "prep" and t.lower_ == "against" and t.head.i in
                   (verb.i, *(c.i for c in verb.children)) for t in path)

    def _dispreferred(self, verb: Token, path: list[Token]) -> bool:
        """The target is the "to Y" / "over Y" of a preference verb ("prefers X to Y"):
        what the holder turns down, not what it favours."""
        return verb.lemma_.lower() in self.rules.preference_verbs and any(
            t.dep_ == "prep" and t.lower_ in ("to", "over") for t in path
        )

    def _equated(
        self, verb: Token, path: list[Token], actor_at: dict[int, Span]
    ) -> _Finding | None:
        """"Washington's strategy remained a grand bargain": an owned stance noun as the
        subject of a copula whose attribute is the target; or a clause "what <side> <verb>"
        ("What Washington brought to Hanoi was an all-or-nothing offer")."""
        if verb.lemma_.lower() not in self.rules.copulas or len(path) < 2:
            return None
        if path[-2].dep_ != "attr":
            return None
        for clause in (c for c in verb.children if c.dep_ == "csubj"):
            if not any(c.lower_ == "what" for c in clause.children if c.i < clause.i):
                continue
            chain = self._verb_chain(clause)
            holder, _ = self._subject(chain, actor_at)
            if (holder is None or clause.lemma_.lower() in self.rules.not_holding
                    or self._modal_at(chain) is not None):
                continue  # ("What Washington should not do is ..." advises the side)
            return _Finding(holder.id_, holder, self.rules.token_verb_class(clause) or "proposes",
                            clause, "verb", self._negated(verb) or self._negated_chain(chain))
        for subject in (c for c in verb.children if c.dep_ == "nsubj"):
            relation = self.rules.noun_class(subject.lemma_.lower())
            holder = self._owner(subject, actor_at) if relation else None
            if holder is not None:
                return _Finding(
                    actor_at[holder.i].id_,
                    actor_at[holder.i],
                    relation,
                    subject,
                    "owner",
                    self._negated(verb),
                )
        return None

    def _governing_stance(
        self, noun: Token, actor_at: dict[int, Span], owner: _Finding
    ) -> list[_Finding]:
        """Another actor's stance on an owned proposal in the same clause: "The U.S. did not
        accept North Korea's offer" (a reported clause, "..., Seoul insists", is not one)."""
        token = noun
        while token.dep_ in ("dobj", "pobj", "prep", "nsubjpass", "xcomp", "conj", "appos"):
            token = token.head
            if token.pos_ != "VERB":
                continue
            relation = self.rules.token_verb_class(token)
            if relation is None:
                continue
            chain = self._verb_chain(token)
            subject, _ = self._subject(chain, actor_at)
            if subject is None or subject.id_ == owner.holder:
                return []
            return [
                _Finding(subject.id_, subject, relation, token, "verb", self._negated_chain(chain))
            ]
        return []

    def _noun_near(self, token: Token) -> str | None:
        """Stance class of a noun the target hangs from ("proposal to dismantle ...")."""
        for anc in token.ancestors:
            if anc.pos_ not in ("NOUN", "PROPN", "ADP"):
                return None
            rel = self.rules.noun_class(anc.lemma_.lower())
            if rel:
                return rel
        return None

    def _modal_above(self, token: Token) -> Token | None:
        """The first verb above a token if it carries an advocacy modal ("should")."""
        for anc in token.ancestors:
            if anc.pos_ in ("VERB", "AUX"):
                if any(
                    c.dep_ == "aux" and c.lower_ in self.rules.advocacy_modals
                    for c in anc.children
                ):
                    return anc
                return None
        return None

    def _participle_agent(self, noun: Token, actor_at: dict[int, Span]) -> _Finding | None:
        """'the big deal floated by Bolton': a stance participle with a `by` agent."""
        for child in noun.children:
            if child.dep_ != "acl":
                continue
            rel = self.rules.verb_class(child.lemma_.lower())
            for agent in child.children:
                if agent.dep_ == "agent":
                    for obj in agent.children:
                        if obj.dep_ == "pobj" and obj.i in actor_at and rel:
                            return _Finding(
                                actor_at[obj.i].id_, actor_at[obj.i], rel, child, "verb"
                            )
        return None

    def _owner(self, noun: Token, actor_at: dict[int, Span]) -> Token | None:
        """The actor token that owns a noun: possessor, `by` agent, or an actor modifier
        ("the American all-or-nothing approach", "the U.S. proposal")."""
        for child in noun.children:
            if child.dep_ == "poss" and child.i in actor_at:
                return child
            if (
                child.dep_ in ("amod", "compound", "nmod")
                and child.i in actor_at
                and child.i < noun.i
                and self.rules.noun_class(noun.lemma_.lower())
            ):
                return child
            if child.dep_ in ("prep", "agent") and child.lower_ == "by":
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.i in actor_at:
                        return obj
        return None

    def _verb_chain(self, verb: Token) -> list[Token]:
        """The verb and the verbs above it through xcomp/ccomp/conj/advcl ("refused to accept")."""
        chain = [verb]
        token = verb
        while (
            token.dep_ in ("xcomp", "ccomp", "conj", "advcl", "acomp") and token.head is not token
        ):
            token = token.head
            chain.append(token)
        return chain

    def _subject(self, chain: list[Token], actor_at: dict[int, Span]) -> tuple[Span | None, bool]:
        """The actor subject of the first verb in the chain that has one (and if passive).
        An "it" subject passes to the verb above ("the U.S. finds it hard to accept",
        "Washington said it would reject")."""
        for verb in chain:
            for child in verb.children:
                if child.dep_ == "agent":
                    for obj in child.children:
                        if obj.dep_ == "pobj" and obj.i in actor_at:
                            return actor_at[obj.i], True
                if child.dep_ in ("nsubj", "csubj") and child.lower_ != "it":
                    span = self._actor_in(child, actor_at)
                    return span, False
        return None, False

    def _actor_in(self, token: Token, actor_at: dict[int, Span]) -> Span | None:
        """The actor a subject token is, or the owner of a subject noun ("Seoul's envoy")."""
        if token.i in actor_at:
            return actor_at[token.i]
        for child in token.children:
            if child.dep_ in ("compound", "poss", "amod") and child.i in actor_at:
                return actor_at[child.i]
        return None

    def _from_verb(
        self, verb: Token, actor_at: dict[int, Span], owner: _Finding | None,
        against: bool = False,
    ) -> _Finding | None:
        """The stance a verb above the target states (`against`: the target is what its
        "against" phrase names, which turns the stance around)."""
        rules = self.rules
        chain = self._verb_chain(verb)
        relation = rules.token_verb_class(verb)
        if relation is None and against and verb.lemma_.lower() in rules.against_verbs:
            relation = "proposes"  # "cautioned Washington against X": a stance on X, turned
        modal = self._modal_at(chain)
        negated = self._negated_chain(chain) != against
        if modal is not None:
            # The author's recommendation: "Washington should offer X" advocates X, and
            # "ought to accept X rather than insist on Y" advocates X and opposes Y.
            if relation == "rejects":
                negated = not negated
            side = self._recommending_side(chain[modal:], actor_at)
            if side is not None:
                return _Finding(side.id_, side, "proposes", verb, "verb", negated)
            return _Finding(AUTHOR, None, "advocates", verb, "modal", negated)
        if relation is None:
            return None
        # the verb's subject holds the stance before any owner noun on the way up
        subject, _passive = self._subject(chain, actor_at)
        asker = self._asking_side(chain, actor_at)
        if asker is not None and (subject is None or asker[0].start != subject.start):
            return _Finding(asker[0].id_, asker[0], asker[1], verb, "verb", negated)
        if subject is None:
            if owner is not None:
                owner.negated = negated
                return owner
            return None
        return _Finding(subject.id_, subject, relation, verb, "verb", negated)

    def _modal_at(self, chain: list[Token]) -> int | None:
        """Where in the verb chain an advocacy modal sits ("should offer", "need to
        accept"), if anywhere."""
        modals = self.rules.advocacy_modals
        return next((i for i, v in enumerate(chain)
                     if any(c.dep_ == "aux" and c.lower_ in modals for c in v.children)
                     or (i > 0 and v.lemma_.lower() in modals)), None)

    def _recommending_side(self, chain: list[Token], actor_at: dict[int, Span]) -> Span | None:
        """A side that says what should be done holds that stance, not the author ("China
        maintains that the issue must be settled step by step"): the subject of a verb above
        the modal (`chain` starts at it) whose clausal complement carries it. Not a side the
        modal's own clause addresses ("Washington should make clear that it will offer X" is
        the author's)."""
        for lower, upper in zip(chain, chain[1:], strict=False):
            if lower.dep_ == "ccomp" and lower.head.i == upper.i:
                subject, _passive = self._subject([upper], actor_at)
                if subject is not None:
                    return subject
        return None

    def _asking_side(
        self, chain: list[Token], actor_at: dict[int, Span]
    ) -> tuple[Span, str] | None:
        """What one side asks of another is the asker's stance ("Washington wanted Pyongyang
        to hand over everything at once", "demanded that Pyongyang surrender its arsenal in
        one go"): the actor subject of a demanding or proposing verb whose clausal complement
        is the stance verb itself, the other side giving or accepting, with the asking verb's
        class (not two stances spliced by a comma: "Washington wanted X, Pyongyang wanted
        Y")."""
        if len(chain) < 2 or chain[0].dep_ not in ("ccomp", "xcomp"):
            return None
        relation = self.rules.token_verb_class(chain[1])
        if (relation not in ("demands", "proposes")
                or self.rules.token_verb_class(chain[0]) not in ("offers", "accepts")):
            return None
        subject, _passive = self._subject([chain[1]], actor_at)
        return (subject, relation) if subject is not None else None

    def _negated(self, token: Token | None) -> bool:
        if token is None:
            return False
        return any(c.dep_ == "neg" for c in token.children)

    def _negated_chain(self, chain: list[Token]) -> bool:
        """Odd number of negations over the verb chain: 'did not accept', 'refused to accept'."""
        count = 0
        for i, verb in enumerate(chain):
            if any(c.dep_ == "neg" or c.lower_ in _NEGATING_ADVERBS for c in verb.children):
                count += 1
            # "Neither Beijing nor Moscow has endorsed X": a subject that no one is
            if any(c.dep_ in ("nsubj", "nsubjpass") and (
                    c.lower_ in _NO_ONE
                    or any(d.lower_ == "neither" and d.dep_ in ("preconj", "det")
                           for d in c.children))
                   for c in verb.children):
                count += 1
            # "walked away rather than accept X": the verb after "rather than" (or "instead
            # of") is refused
            if tuple(t.lower_ for t in verb.doc[max(0, verb.i - 2) : verb.i]) in _SET_ASIDE:
                count += 1
            if i > 0 and verb.lemma_.lower() in self.rules.negators:
                count += 1
        return count % 2 == 1

    def _surface(self, sent: Span, target: Span, actors: list[Span]) -> _Finding | None:
        """Fallback when the parse gives no holder: 'by ACTOR' or "ACTOR's" shortly before."""
        doc = sent.doc
        before = [a for a in actors if a.end <= target.start and target.start - a.end <= 8]
        for actor in reversed(before):
            gap = doc[actor.end : target.start]
            if any(t.pos_ == "VERB" and t.dep_ not in ("amod", "acl") for t in gap):
                continue
            before_i = actor.start - 1
            while before_i > sent.start and doc[before_i].dep_ == "det":
                before_i -= 1  # "by the U.S.": the mention itself leaves out "the"
            prev = doc[before_i] if before_i >= sent.start else None
            nxt = doc[actor.end] if actor.end < sent.end else None
            if (prev is not None and prev.lower_ == "by") or (
                nxt is not None and nxt.lower_ in ("'s", "\u2019s", "'", "\u2019")
            ):
                cue = next(
                    (
                        t
                        for t in doc[max(sent.start, actor.start - 4) : target.start]
                        if self.rules.noun_class(t.lemma_.lower())
                    ),
                    None,
                )
                rel = self.rules.noun_class(cue.lemma_.lower()) if cue is not None else None
                return _Finding(actor.id_, actor, rel or "proposes", cue, "surface")
        return None

    # -- post-processing --------------------------------------------------------------------

    def _row(self, sent: Span, kind: str, target: Span, finding: _Finding) -> dict[str, Any]:
        relation = finding.relation
        side = self.given_by.get(target.id_) if kind == "proposal" else None
        state = self.state_of.get(finding.holder)
        if relation == "proposes" and side and state in set(self.given_by.values()):
            # A negotiating side proposing what it would give offers it; proposing what the
            # other side would give is a demand.
            relation = "offers" if state == side else "demands"
        if kind == "approach" and relation in ("offers", "demands"):
            relation = "proposes"  # one offers or demands things, but proposes an approach
        polarity = "oppose" if relation == "rejects" else "support"
        if finding.negated:
            relation, polarity = _flip(relation)
        pieces = [target] + ([finding.holder_span] if finding.holder_span is not None else [])
        cue = finding.cue
        start = min([p.start_char for p in pieces] + ([cue.idx] if cue is not None else []))
        end = max([p.end_char for p in pieces] + ([cue.idx + len(cue)] if cue is not None else []))
        hedged = any(t.lemma_.lower() in self.rules.hedges for t in sent)
        confidence = CONFIDENCE[finding.method] - (HEDGE_PENALTY if hedged else 0.0)
        return {
            "holder": finding.holder,
            "relation": relation,
            "target_kind": kind,
            "target": target.id_,
            "polarity": polarity,
            "method": f"rule:{finding.method}",
            "confidence": round(confidence, 2),
            "is_hedged": hedged,
            "cue": cue.lemma_.lower() if cue is not None else None,
            "holder_text": finding.holder_span.text if finding.holder_span is not None else None,
            "target_text": target.text,
            "start_char": start,
            "end_char": end,
            "_target_i": target.start,
        }

    def _apply_exchange(
        self, sent: Span, targets: list[tuple[str, Span]], rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """'offer X in exchange for Y' / 'demand Y as compensation for X': split the swap."""
        markers = [t for t in sent if t.lemma_.lower() in self.rules.exchange_markers]
        if not markers or len(rows) < 2:
            return rows
        counter: set[int] = set()
        scope: set[int] = set()
        for marker in markers:
            # "in exchange for Y" hangs "for" from the noun; "trade X for Y" from the verb.
            fors = [c for c in marker.children if c.dep_ == "prep" and c.lower_ == "for"]
            if not fors and marker.pos_ == "VERB":
                # the parser often hangs "for Y" on the object: take the first "for" after it
                fors = [
                    t
                    for t in marker.subtree
                    if t.i > marker.i and t.dep_ == "prep" and t.lower_ == "for"
                ][:1]
            if not fors:
                continue
            for child in fors:
                counter |= {t.i for t in child.subtree}
            if marker.pos_ == "VERB":
                scope |= {t.i for t in marker.subtree}
            else:  # "in exchange for", "as compensation for": the swap spans the clause of
                # the stance word the phrase hangs from ("requested X as compensation for Y")
                anchor = next(
                    (a for a in marker.ancestors
                     if self.rules.verb_class(a.lemma_.lower())
                     or self.rules.noun_class(a.lemma_.lower())),
                    sent.root,
                )
                scope |= {t.i for t in anchor.subtree}
        if not counter:
            return rows
        inside = [r for r in rows if r["_target_i"] in counter]
        outside = [r for r in rows if r["_target_i"] in scope - counter]
        if not inside or not outside:
            return rows
        main = outside[0]["relation"]
        give, take = ("demands", "offers") if main == "demands" else ("offers", "demands")
        for row in outside:
            if row["relation"] in ("proposes", "offers", "demands"):
                row["relation"] = give
        for row in inside:
            if row["relation"] in ("proposes", "offers", "demands"):
                row["relation"] = take
        return rows

    def _merge_hybrid(self, rows: list[dict[str, Any]], sent: Span, actors: list[Span]
                      ) -> list[dict[str, Any]]:
        """Holding a package and step-by-step implementation at once is holding a hybrid
        ("a comprehensive agreement with step-by-step implementation"), unless the words
        between the two set them apart: another side ("Washington's posture as
        all-or-nothing and Pyongyang's as action for action") or a contrast ("wanted a grand
        bargain, yet its offer was a limited exchange")."""
        by_holder: dict[tuple, list[dict[str, Any]]] = {}
        for row in rows:
            if row["target_kind"] == "approach" and row["polarity"] == "support":
                by_holder.setdefault((row["holder"], row["relation"]), []).append(row)
        doc = sent.doc

        def together(holder: str, first: int, second: int) -> bool:
            start, end = sorted((first, second))
            # only when the two are said together, not in two clauses of a long sentence
            if end - start > 12:
                return False
            state = self.state_of.get(holder, holder)
            if any(start < a.start < end and self.state_of.get(a.id_, a.id_) != state
                   for a in actors):
                return False
            return not any(t.lower_ in _CONTRASTS or t.text == ";" for t in doc[start:end])

        for (holder, _), group in by_holder.items():
            bigs = [r["_target_i"] for r in group if r["target"] == "big_deal"]
            smalls = [r["_target_i"] for r in group if r["target"] == "small_deal"]
            if any(together(holder, b, s) for b in bigs for s in smalls):
                for row in group:
                    row["target"] = "hybrid"
        return rows


def _set_aside(path: list[Token]) -> bool:
    """The path from the target up to its stance verb passes through a "rather than" or
    "instead of" phrase ("should table one offer rather than trade facility by facility",
    "pursue a phased deal instead of another grand bargain"): the alternative turned down."""
    def sets_aside(token: Token) -> bool:
        words = tuple(t.lower_ for t in token.doc[max(token.sent.start, token.i - 2) : token.i])
        return words in _SET_ASIDE or (bool(words) and (words[-1], token.lower_) in _SET_ASIDE)

    return any(
        sets_aside(token)
        # the parser's "X rather than Y" as coordination: "than" a cc of Y's head between
        # the two (not "Washington, rather than Seoul, should pursue Y")
        or any(c.dep_ == "cc" and token.head.i < c.i < token.i and sets_aside(c)
               for c in token.head.children)
        for token in path
    )


def position_rows(doc: Doc) -> list[dict[str, Any]]:
    """The positions found in a processed Doc, without internal keys."""
    return [
        {k: v for k, v in row.items() if not k.startswith("_")} for row in doc._.positions or []
    ]


@Language.factory("briefs_positions")
def make_position_extractor(nlp: Language, name: str) -> PositionExtractor:
    return PositionExtractor()
