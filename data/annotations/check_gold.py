"""Validate nlp_gold.jsonl (stdlib only; the seed-text check uses the project's ingest if importable).

Usage: python data/annotations/check_gold.py [path/to/nlp_gold.jsonl]
Exit status 1 if there are problems. Warnings (plausibility checks) do not fail the run.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Codebook ids, copied from ../shared/SPEC.md ("Codebook ids").
ACTORS = {
    "us", "dprk", "rok", "china", "russia", "japan", "un",
    "trump", "bolton", "biegun", "pompeo",
    "kim_jong_un", "ri_yong_ho", "choe_son_hui", "kim_yong_chol",
    "moon_jae_in", "xi_jinping", "putin", "abe",
}
PROPOSALS = {
    "yongbyon_dismantlement", "sanctions_relief", "complete_denuclearization", "freeze",
    "end_of_war_declaration", "liaison_office", "remains_repatriation", "peace_regime", "snapback",
    "roadmap", "joint_exercise_suspension", "security_guarantee", "inter_korean_cooperation",
}
APPROACHES = {"big_deal", "small_deal", "hybrid"}
IDS_BY_KIND = {"actor": ACTORS, "proposal": PROPOSALS, "approach": APPROACHES}
RELATIONS = {"proposes", "offers", "demands", "accepts", "rejects", "advocates"}
POLARITIES = {"support", "oppose"}
SPLITS = {"train", "test", "seed"}
SEED_SOURCES = {
    "s1": "sejong-institute__sejong-2019-03-28-woo-us-perception-second-summit",
    "s2": "unknown__unknown-2019-hanoi-assessment-and-prospects",
}
RECORD_KEYS = {"id", "split", "source", "text", "mentions", "positions"}
OPTIONAL_KEYS = {"note"}
MENTION_KEYS = {"start", "end", "text", "kind", "id"}
POSITION_KEYS = {"holder", "relation", "target_kind", "target", "polarity"}

WRITTEN_ID = re.compile(r"^w(\d{3,})$")
SEED_ID = re.compile(r"^(s1|s2)-(\d{3,})$")


def seed_texts() -> dict[str, str] | None:
    """Clean ingest text per doc_id, or None if the pipeline cannot be imported."""
    try:
        sys.path.insert(0, str(ROOT))
        from pipeline.config import load_config
        from pipeline.ingest.txt import extract_txt
    except Exception as exc:  # noqa: BLE001 - optional check
        print(f"note: seed texts not checked against ingest (import failed: {exc})")
        return None
    cfg = load_config()
    texts = {}
    for f in sorted((ROOT / "data" / "raw").rglob("*.txt")):
        rel = f.relative_to(ROOT / "data" / "raw")
        doc_id = "__".join([*rel.parts[:-1], rel.stem])
        texts[doc_id] = extract_txt(f, cfg.ingest).text
    return texts


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else HERE / "nlp_gold.jsonl"
    problems: list[str] = []
    warnings: list[str] = []
    records = []

    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                problems.append(f"line {lineno}: empty line")
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(rec, dict):
                problems.append(f"line {lineno}: not a JSON object")
                continue
            records.append((lineno, rec))

    seen: set[str] = set()
    order: list[str] = []
    for lineno, rec in records:
        rid = rec.get("id", f"<line {lineno}>")
        where = f"{rid}"
        missing = RECORD_KEYS - rec.keys()
        extra = rec.keys() - RECORD_KEYS - OPTIONAL_KEYS
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
            continue
        if extra:
            problems.append(f"{where}: unexpected keys {sorted(extra)}")
        if rid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(rid)
        order.append(rid)
        text = rec["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty text")
            continue
        if text != text.strip():
            warnings.append(f"{where}: text has leading/trailing whitespace")

        # id / split / source
        split, source = rec["split"], rec["source"]
        if split not in SPLITS:
            problems.append(f"{where}: split {split!r} not in {sorted(SPLITS)}")
        m = WRITTEN_ID.match(rid)
        s = SEED_ID.match(rid)
        if m:
            n = int(m.group(1))
            want = "test" if n % 3 == 0 else "train"
            if split != want:
                problems.append(f"{where}: split should be {want!r} (every third written sentence is test)")
            if source != "written":
                problems.append(f"{where}: source should be 'written'")
        elif s:
            if split != "seed":
                problems.append(f"{where}: split should be 'seed'")
            if source != SEED_SOURCES[s.group(1)]:
                problems.append(f"{where}: source should be {SEED_SOURCES[s.group(1)]!r}")
        else:
            problems.append(f"{where}: id must be wNNN or s1-NNN/s2-NNN")

        # mentions
        if not isinstance(rec["mentions"], list):
            problems.append(f"{where}: mentions is not a list")
            rec["mentions"] = []
        spans = set()
        for mention in rec["mentions"]:
            if not isinstance(mention, dict) or MENTION_KEYS - mention.keys():
                problems.append(f"{where}: mention {mention!r} lacks keys")
                continue
            if mention.keys() - MENTION_KEYS:
                problems.append(f"{where}: mention has unexpected keys {sorted(mention.keys() - MENTION_KEYS)}")
            st, en = mention["start"], mention["end"]
            if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(text)):
                problems.append(f"{where}: bad offsets {st}-{en}")
                continue
            if text[st:en] != mention["text"]:
                problems.append(f"{where}: text[{st}:{en}]={text[st:en]!r} != {mention['text']!r}")
            kind, eid = mention["kind"], mention["id"]
            if kind not in IDS_BY_KIND:
                problems.append(f"{where}: kind {kind!r} not allowed")
            elif eid not in IDS_BY_KIND[kind]:
                problems.append(f"{where}: id {eid!r} not a {kind} id")
            if (st, en, kind) in spans:
                problems.append(f"{where}: duplicate mention span {st}-{en} ({kind})")
            spans.add((st, en, kind))
            surface = mention["text"]
            if kind == "actor":
                if surface == "us":
                    problems.append(f"{where}: the pronoun 'us' annotated as an actor")
                if surface.lower().startswith(("the ", "president ", "chairman ", "secretary ")):
                    warnings.append(f"{where}: actor span {surface!r} includes a determiner/title")
                if surface.endswith(("’s", "'s", "’", "'")):
                    warnings.append(f"{where}: actor span {surface!r} includes a possessive")
            if st > 0 and text[st - 1].isalnum() or en < len(text) and text[en].isalnum():
                warnings.append(f"{where}: mention {surface!r} does not start/end at a word boundary")
        starts = [mm.get("start", 0) for mm in rec["mentions"] if isinstance(mm, dict)]
        if starts != sorted(starts):
            warnings.append(f"{where}: mentions not sorted by start")

        # positions
        if not isinstance(rec["positions"], list):
            problems.append(f"{where}: positions is not a list")
            rec["positions"] = []
        mentioned = {mm.get("id") for mm in rec["mentions"] if isinstance(mm, dict)}
        seen_pos = set()
        for pos in rec["positions"]:
            if not isinstance(pos, dict) or POSITION_KEYS - pos.keys():
                problems.append(f"{where}: position {pos!r} lacks keys")
                continue
            if pos.keys() - POSITION_KEYS:
                problems.append(f"{where}: position has unexpected keys {sorted(pos.keys() - POSITION_KEYS)}")
            holder, rel, tk, target, pol = (pos[k] for k in ("holder", "relation", "target_kind", "target", "polarity"))
            if holder != "author" and holder not in ACTORS:
                problems.append(f"{where}: holder {holder!r} not an actor id or 'author'")
            if rel not in RELATIONS:
                problems.append(f"{where}: relation {rel!r} not allowed")
            if pol not in POLARITIES:
                problems.append(f"{where}: polarity {pol!r} not allowed")
            if tk not in ("proposal", "approach"):
                problems.append(f"{where}: target_kind {tk!r} not allowed")
            elif target not in IDS_BY_KIND[tk]:
                problems.append(f"{where}: target {target!r} not a {tk} id")
            if rel == "rejects" and pol != "oppose":
                problems.append(f"{where}: 'rejects' must have polarity 'oppose'")
            if rel == "advocates" and holder != "author":
                warnings.append(f"{where}: 'advocates' with holder {holder!r} (normally the author)")
            if holder == "author" and rel != "advocates":
                warnings.append(f"{where}: author holder with relation {rel!r}")
            if target not in mentioned:
                warnings.append(f"{where}: position target {target!r} has no mention in the sentence")
            if holder != "author" and holder not in mentioned:
                warnings.append(f"{where}: holder {holder!r} has no actor mention in the sentence")
            key = (holder, rel, target)
            if key in seen_pos:
                problems.append(f"{where}: duplicate position {key}")
            seen_pos.add(key)
            if (holder, target) in {(h, t) for h, _, t in seen_pos - {key}}:
                warnings.append(f"{where}: holder {holder!r} has several relations to {target!r}")

    # order: written first (by number), then s1, then s2
    def order_key(rid: str):
        m, s = WRITTEN_ID.match(rid), SEED_ID.match(rid)
        if m:
            return (0, "", int(m.group(1)))
        if s:
            return (1, s.group(1), int(s.group(2)))
        return (2, rid, 0)

    if order != sorted(order, key=order_key):
        warnings.append("records are not in the stable order (written by id, then s1, then s2)")
    for prefix in ("w", "s1-", "s2-"):
        nums = sorted(int(r[len(prefix):]) for r in order if r.startswith(prefix) and r[len(prefix):].isdigit())
        if nums and nums != list(range(1, len(nums) + 1)):
            warnings.append(f"ids {prefix}... are not consecutive from 1")

    # seed texts must be verbatim in the ingest output
    texts = seed_texts()
    if texts is not None:
        by_id = dict((r.get("id"), r) for _, r in records)
        for rid, rec in by_id.items():
            if rec.get("split") != "seed":
                continue
            doc = texts.get(rec.get("source"))
            if doc is None:
                problems.append(f"{rid}: source {rec.get('source')!r} not produced by ingest")
            elif rec["text"] not in doc:
                problems.append(f"{rid}: text not found verbatim in the ingest output")
        for doc_id, doc in texts.items():
            if doc_id not in SEED_SOURCES.values():
                continue
            n_seed = sum(1 for r in by_id.values() if r.get("source") == doc_id)
            print(f"seed {doc_id}: {n_seed} records")

    # counts
    recs = [r for _, r in records if RECORD_KEYS <= r.keys()]
    print(f"\n{len(recs)} records")
    split_c = Counter(r["split"] for r in recs)
    with_pos = Counter(r["split"] for r in recs if r["positions"])
    for sp in ("train", "test", "seed"):
        print(f"  {sp:6} {split_c[sp]:4} records, {with_pos[sp]:3} with positions")
    written = [r for r in recs if r["source"] == "written"]
    if written:
        share = sum(1 for r in written if r["positions"]) / len(written)
        print(f"  written: {len(written)} records, {share:.0%} with at least one position")

    kind_c, id_c = Counter(), Counter()
    for r in recs:
        for mm in r["mentions"]:
            if isinstance(mm, dict):
                kind_c[mm.get("kind")] += 1
                id_c[(mm.get("kind"), mm.get("id"))] += 1
    print("\nmentions per kind: " + ", ".join(f"{k}={v}" for k, v in sorted(kind_c.items())))
    for kind in ("actor", "proposal", "approach"):
        print(f"  {kind}:")
        for eid in sorted(IDS_BY_KIND[kind]):
            n = id_c[(kind, eid)]
            print(f"    {eid:28} {n:4}" + ("   <- NOT COVERED" if n == 0 else ""))

    rel_c, pol_c, holder_c, target_c = Counter(), Counter(), Counter(), Counter()
    for r in recs:
        for p in r["positions"]:
            if isinstance(p, dict):
                rel_c[p.get("relation")] += 1
                pol_c[(p.get("relation"), p.get("polarity"))] += 1
                holder_c[p.get("holder")] += 1
                target_c[p.get("target")] += 1
    print(f"\npositions: {sum(rel_c.values())}")
    for rel in sorted(RELATIONS):
        print(f"  {rel:10} {rel_c[rel]:4}  (support {pol_c[(rel, 'support')]}, oppose {pol_c[(rel, 'oppose')]})")
    print("  holders: " + ", ".join(f"{h}={n}" for h, n in holder_c.most_common()))
    print("  targets: " + ", ".join(f"{t}={n}" for t, n in target_c.most_common()))
    per_split = {sp: Counter() for sp in SPLITS}
    for r in recs:
        for p in r["positions"]:
            per_split.setdefault(r["split"], Counter())[p.get("relation")] += 1
    for sp in ("train", "test", "seed"):
        print(f"  {sp:6}: " + ", ".join(f"{k}={v}" for k, v in sorted(per_split[sp].items())))

    if warnings:
        print(f"\n{len(warnings)} warning(s):")
        for w in warnings:
            print("  WARN", w)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  FAIL", p)
        return 1
    print("\nno problems")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
