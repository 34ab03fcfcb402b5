"""Document-level coding: sentence `codes` -> `doc_codes` (one row per document x variable x
holder x value), including the derived `blame` and `outcome_framing` verdicts.

Pure pandas over the `codes`, `sentences` and `documents` tables; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from pipeline.config import SectionWeight

# Which assessment a document gets for a value, given all its sentences' assessments:
# asserted anywhere wins (unless outweighed by dismissals); a value the author both reports
# and dismisses is rejected.
ASSESSMENT_ORDER = ("asserted", "rejected", "reported")
# Variables a document gets one verdict for, derived from all its sentence evidence.
VERDICT_VARIABLES = ("blame", "outcome_framing")
# The variable whose values a side holds (one approach per side and document, as a rule).
APPROACH = "approach"


def section_weight(section: str | None, rules: Sequence[SectionWeight]) -> float:
    """Weight of one sentence's evidence by the section it stands in (1.0 by default)."""
    if not isinstance(section, str):
        return 1.0
    lowered = section.lower()
    return next((r.weight for r in rules if r.match in lowered), 1.0)


def document_assessment(assessments: Iterable[str],
                        strength: Mapping[str, float] | None = None) -> str:
    """The document's assessment of a value from its sentences' assessments: asserted
    anywhere wins, unless the document dismisses the value at least as strongly as it asserts
    it (`strength`: summed weight per assessment) — a passing mention read as asserted should
    not outvote the author's explicit dismissals. In a document that dismisses a value, its
    reports of that value are the view it dismisses, and count with the dismissals."""
    present = set(assessments)
    if strength and {"asserted", "rejected"} <= present:
        if strength["rejected"] + strength.get("reported", 0.0) >= strength["asserted"]:
            return "rejected"
    return next(a for a in ASSESSMENT_ORDER if a in present)


def _evidence(indices: Iterable[int]) -> str:
    return ";".join(str(i) for i in sorted(set(int(i) for i in indices)))


def aggregate_codes(
    codes: pd.DataFrame, sentences: pd.DataFrame, weights: Sequence[SectionWeight],
    min_weight: float = 0.0, mixed_ratio: float = 1.5, approach_ratio: float | None = None,
) -> pd.DataFrame:
    """One row per doc x variable x holder x value from the sentence codes.

    Args:
        codes: the `codes` table (doc_id, sent_idx, variable, holder, value, assessment,
            method, confidence).
        sentences: the `sentences` table (doc_id, sent_idx, section).
        weights: section weights.
        min_weight: values whose evidence weighs less are left out.
        mixed_ratio: how many times one outcome framing must outweigh the other for the
            document not to be `mixed` (`framing_verdict`).
        approach_ratio: a side's asserted approach that another asserted approach of the
            same side outweighs this many times is left out (`outweighed_approaches`; None:
            all are kept).

    Returns:
        Columns doc_id, variable, holder, value, assessment, weight, n_evidence, evidence,
        n_asserted, n_rejected, n_reported, methods, is_derived.
    """
    columns = ["doc_id", "variable", "holder", "value", "assessment", "weight", "n_evidence",
               "evidence", "n_asserted", "n_rejected", "n_reported", "methods", "is_derived"]
    if codes.empty:
        return pd.DataFrame(columns=columns)
    # One code per sentence x value: a sentence coded by both methods counts once (its
    # assessment is that of the first method by name). Plain loops: a pandas group per value
    # costs milliseconds, and a corpus has tens of thousands.
    section_of = {
        (doc_id, int(sent_idx)): section
        for doc_id, sent_idx, section in sentences[["doc_id", "sent_idx", "section"]].itertuples(
            index=False
        )
    }
    per_sentence: dict[tuple, dict] = {}
    ordered = codes.sort_values(["method"], kind="stable")
    for doc_id, sent_idx, variable, holder, value, assessment, method, confidence in (
        ordered[["doc_id", "sent_idx", "variable", "holder", "value", "assessment", "method",
                 "confidence"]].itertuples(index=False)
    ):
        holder = holder if isinstance(holder, str) else None
        key = (doc_id, variable, holder, value, int(sent_idx))
        seen = per_sentence.get(key)
        if seen is None:
            per_sentence[key] = {"assessment": assessment, "confidence": float(confidence),
                                 "methods": {method}}
        else:
            seen["confidence"] = max(seen["confidence"], float(confidence))
            seen["methods"].add(method)
    by_value: dict[tuple, list[tuple[int, dict]]] = {}
    for (doc_id, variable, holder, value, sent_idx), code in per_sentence.items():
        by_value.setdefault((doc_id, variable, holder, value), []).append((sent_idx, code))
    rows = []
    keys = ["doc_id", "variable", "holder", "value"]
    for key, group in by_value.items():
        assessments = [code["assessment"] for _, code in group]
        strength: dict[str, float] = {}
        for sent_idx, code in group:
            strength[code["assessment"]] = strength.get(code["assessment"], 0.0) + (
                code["confidence"] * section_weight(section_of.get((key[0], sent_idx)), weights))
        assessment = document_assessment(assessments, strength)
        # weight: how strongly the document makes the point it makes
        weight = strength[assessment]
        if weight < min_weight:
            continue  # one hedged or context-dependent cue does not make a document's point
        rows.append({
            **dict(zip(keys, key, strict=True)),
            "assessment": assessment,
            "weight": round(float(weight), 4),
            "n_evidence": len(group),
            "evidence": _evidence(sent_idx for sent_idx, _ in group),
            "n_asserted": assessments.count("asserted"),
            "n_rejected": assessments.count("rejected"),
            "n_reported": assessments.count("reported"),
            "methods": "+".join(sorted(set().union(*(code["methods"] for _, code in group)))),
            "is_derived": False,
        })
    frame = pd.DataFrame(rows, columns=columns)
    if approach_ratio is not None:
        frame = frame[~outweighed_approaches(frame, approach_ratio)]
    verdicts = derive_verdicts(frame, mixed_ratio)
    # Besides its verdict, a document keeps the blame and framings it only dismisses or
    # reports ("It would be unfair to blame Pyongyang", "Calling Hanoi a failure misses
    # the point"), unless that value is the verdict itself.
    decided = set(zip(verdicts["doc_id"], verdicts["variable"], verdicts["value"], strict=True))
    is_verdict_variable = frame["variable"].isin(VERDICT_VARIABLES)
    kept = [
        not verdict_variable
        or (assessment != "asserted" and (doc_id, variable, value) not in decided)
        for verdict_variable, doc_id, variable, value, assessment in zip(
            is_verdict_variable, frame["doc_id"], frame["variable"], frame["value"],
            frame["assessment"], strict=True)
    ]
    frame = frame[kept].copy()
    # A framing the document only reports while it asserts the opposite one ("Commentary
    # described the outcome as a disaster" ... "No deal was the right result") is one it
    # rejects; beside a mixed verdict it stays reported.
    framed = {doc_id for doc_id, variable, value in decided
              if variable == "outcome_framing" and value != "mixed"}
    contradicted = [
        variable == "outcome_framing" and assessment == "reported" and doc_id in framed
        for doc_id, variable, assessment in zip(frame["doc_id"], frame["variable"],
                                                frame["assessment"], strict=True)
    ]
    frame.loc[contradicted, "assessment"] = "rejected"
    return pd.concat([frame, verdicts], ignore_index=True)


def outweighed_approaches(doc_rows: pd.DataFrame, ratio: float) -> pd.Series:
    """Which asserted approach rows another asserted approach of the same side (holder) in
    the same document outweighs `ratio` times: a brief that argues throughout that
    Washington wanted everything at once, and once mentions Biegun's talk of parallel steps,
    holds that the US pursued a big deal (its sentence codes keep the mention)."""
    asserted = (doc_rows["variable"] == APPROACH) & (doc_rows["assessment"] == "asserted")
    top = doc_rows[asserted].groupby(["doc_id", "holder"])["weight"].transform("max")
    return asserted & (doc_rows["weight"] * ratio <= top.reindex(doc_rows.index))


def _verdict_row(doc_id: str, variable: str, value: str, evidence: pd.DataFrame) -> dict:
    indices = _evidence(i for ev in evidence["evidence"] for i in ev.split(";") if i)
    return {
        "doc_id": doc_id, "variable": variable, "holder": None, "value": value,
        "assessment": "asserted", "weight": round(float(evidence["weight"].sum()), 4),
        "n_evidence": len(indices.split(";")),
        "evidence": indices,
        "n_asserted": int(evidence["n_asserted"].sum()), "n_rejected": 0, "n_reported": 0,
        "methods": "+".join(sorted(set("+".join(evidence["methods"]).split("+")))),
        "is_derived": True,
    }


def framing_verdict(framing: pd.DataFrame, mixed_ratio: float = 1.5) -> str:
    """A document's outcome framing from its asserted framing rows (value, weight): `mixed`
    unless one of failure and constructive no-deal outweighs the other `mixed_ratio` times
    (a passing "useful clarification" in a brief that calls Hanoi a failure is no mix)."""
    weight = dict(zip(framing["value"], framing["weight"], strict=True))
    if "mixed" in weight:
        return "mixed"
    if {"failure", "constructive_no_deal"} <= set(weight):
        failure, constructive = weight["failure"], weight["constructive_no_deal"]
        if failure >= mixed_ratio * constructive:
            return "failure"
        if constructive >= mixed_ratio * failure:
            return "constructive_no_deal"
        return "mixed"
    return max(weight, key=lambda value: (weight[value], value))


def derive_verdicts(doc_rows: pd.DataFrame, mixed_ratio: float = 1.5) -> pd.DataFrame:
    """The document's single asserted `blame` and `outcome_framing` verdicts from its
    asserted sentence evidence (the sentence-level detail stays in `codes`).

    blame: `both` if the author holds both sides responsible (or says so), `us` or `dprk` if
    only one, `neither` if the author only says no side is to blame. outcome_framing: `mixed`
    if the brief frames the outcome both as a failure and as a constructive no-deal with
    neither outweighing the other `mixed_ratio` times (`framing_verdict`).
    """
    out = []
    asserted = doc_rows[doc_rows["assessment"] == "asserted"]
    for doc_id, rows in asserted.groupby("doc_id", sort=True):
        blame = rows[rows["variable"] == "blame"]
        values = set(blame["value"])
        if values:
            if "both" in values or {"us", "dprk"} <= values:
                verdict = "both"
            elif values - {"neither"}:
                # the side with more weight when a third party is also blamed
                sides = blame[blame["value"] != "neither"]
                verdict = sides.sort_values(["weight", "value"], ascending=[False, True])[
                    "value"].iloc[0]
            else:
                verdict = "neither"
            out.append(_verdict_row(doc_id, "blame", verdict, blame))
        framing = rows[rows["variable"] == "outcome_framing"]
        if len(framing):
            out.append(_verdict_row(doc_id, "outcome_framing",
                                    framing_verdict(framing, mixed_ratio), framing))
    return pd.DataFrame(out, columns=doc_rows.columns)
