"""Validate codes_gold.jsonl and the doc_gold.json of tests/fixtures/briefs/ and briefs_train/ (stdlib only).

The seed-text check uses the project's ingest if importable (skipped otherwise).

Usage: python data/annotations/check_codes_gold.py [codes_gold.jsonl] [doc_gold.json]
Exit status 1 if there are problems. Warnings (coverage targets) do not fail the run.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BRIEFS = ROOT / "tests" / "fixtures" / "briefs"
BRIEFS_TRAIN = ROOT / "tests" / "fixtures" / "briefs_train"

# Codebook, copied from ../shared/SPEC.md ("Codebook ids").
VALUES = {
    "cause": {
        "sanctions_gap", "scope_gap", "definition_gap", "approach_gap", "poor_preparation",
        "us_domestic_politics", "hardliner_influence", "miscalculation",
    },
    "blame": {"us", "dprk", "both", "neither"},
    "outcome_framing": {"failure", "constructive_no_deal", "mixed"},
    "approach": {"big_deal", "small_deal", "hybrid"},
    "outlook": {"resumption", "impasse", "escalation"},
}
ASSESSMENTS = ("asserted", "rejected", "reported")
STATES = {"us", "dprk", "rok", "china", "russia", "japan", "un"}
APPROACH_HOLDERS = STATES | {"author"}
SPLITS = ("train", "test", "seed")
SEED_SOURCES = {
    "k1": "sejong-institute__sejong-2019-03-28-woo-us-perception-second-summit",
    "k2": "unknown__unknown-2019-hanoi-assessment-and-prospects",
}
RECORD_KEYS = {"id", "split", "source", "text", "codes"}
OPTIONAL_KEYS = {"note"}
CODE_KEYS = {"variable", "value", "holder", "assessment"}
WRITTEN_ID = re.compile(r"^c(\d{3,})$")
# Sentences other annotators wrote without seeing the rules or the other gold, in rounds:
# the first part of each round is train (may be used for tuning), the rest held out.
BLIND_ID = re.compile(r"^b(\d{3,})$")
BLIND_ROUNDS = ((1, 120, 60), (121, 360, 240), (361, 600, 480), (601, 840, 840), (841, 1080, 1080),
                (1081, 1320, 1320),
                (1321, 1560, 1560),
                (1561, 1800, 1800),
                (1801, 2040, 2040),
                (2041, 2280, 2280),
                (2281, 2520, 2520),
                (2521, 2760, 2760),
                (2761, 3000, 3000),
                (3001, 3240, 3240),
                (3241, 3480, 3480),
                (3481, 3720, 3720),
                (3721, 3960, 3960),
                (3961, 4200, 4200))
# (first, last, last train id): rounds 4 to 18 are all train (scored before tuning, see README)
SEED_ID = re.compile(r"^(k1|k2)-(\d{3,})$")

# Coverage targets for the written sentences (warnings only).
MIN_TRAIN, MIN_TEST = 6, 3
MIN_REJECTED, MIN_REJECTED_TEST = 25, 8
MIN_WRITTEN = 210


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


def check_code(code, where: str, problems: list[str], doc_level: bool = False) -> bool:
    if not isinstance(code, dict):
        problems.append(f"{where}: code {code!r} is not an object")
        return False
    if CODE_KEYS - code.keys():
        problems.append(f"{where}: code {code!r} lacks keys {sorted(CODE_KEYS - code.keys())}")
        return False
    if code.keys() - CODE_KEYS:
        problems.append(f"{where}: code has unexpected keys {sorted(code.keys() - CODE_KEYS)}")
    var, val, holder, ass = (code[k] for k in ("variable", "value", "holder", "assessment"))
    ok = True
    if var not in VALUES:
        problems.append(f"{where}: variable {var!r} not allowed")
        return False
    if val not in VALUES[var]:
        problems.append(f"{where}: value {val!r} not allowed for {var}")
        ok = False
    if ass not in ASSESSMENTS:
        problems.append(f"{where}: assessment {ass!r} not allowed")
        ok = False
    if var == "approach":
        if holder not in APPROACH_HOLDERS:
            problems.append(f"{where}: approach holder {holder!r} must be a state id or 'author'")
            ok = False
    elif holder is not None:
        problems.append(f"{where}: holder must be null for {var}")
        ok = False
    return ok


def check_records(path: Path, problems: list[str], warnings: list[str]) -> list[dict]:
    records: list[tuple[int, dict]] = []
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

    good: list[dict] = []
    seen_ids: set[str] = set()
    seen_texts: dict[str, str] = {}
    for lineno, rec in records:
        rid = rec.get("id", f"<line {lineno}>")
        missing = RECORD_KEYS - rec.keys()
        if missing:
            problems.append(f"{rid}: missing keys {sorted(missing)}")
            continue
        if rec.keys() - RECORD_KEYS - OPTIONAL_KEYS:
            problems.append(f"{rid}: unexpected keys {sorted(rec.keys() - RECORD_KEYS - OPTIONAL_KEYS)}")
        if rid in seen_ids:
            problems.append(f"{rid}: duplicate id")
        seen_ids.add(rid)
        text = rec["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{rid}: empty text")
            continue
        if text != text.strip():
            problems.append(f"{rid}: text has leading/trailing whitespace")
        if text in seen_texts:
            warnings.append(f"{rid}: same text as {seen_texts[text]}")
        seen_texts.setdefault(text, rid)

        split, source = rec["split"], rec["source"]
        if split not in SPLITS:
            problems.append(f"{rid}: split {split!r} not in {SPLITS}")
        m, s = WRITTEN_ID.match(rid), SEED_ID.match(rid)
        if m:
            want = "test" if int(m.group(1)) % 3 == 0 else "train"
            if split != want:
                problems.append(f"{rid}: split should be {want!r} (every third written sentence is test)")
            if source != "written":
                problems.append(f"{rid}: source should be 'written'")
        elif BLIND_ID.match(rid):
            number = int(BLIND_ID.match(rid).group(1))
            rounds = [r for r in BLIND_ROUNDS if r[0] <= number <= r[1]]
            if not rounds:
                problems.append(f"{rid}: no blind round covers this id")
            else:
                last_train = rounds[0][2]
                want = "train" if number <= last_train else "test"
                if split != want:
                    problems.append(f"{rid}: split should be {want!r} (blind sentences after "
                                    f"b{last_train:03d} in their round are held out)")
            if source != "written":
                problems.append(f"{rid}: source should be 'written'")
        elif s:
            if split != "seed":
                problems.append(f"{rid}: split should be 'seed'")
            if source != SEED_SOURCES[s.group(1)]:
                problems.append(f"{rid}: source should be {SEED_SOURCES[s.group(1)]!r}")
        else:
            problems.append(f"{rid}: id must be cNNN, bNNN, k1-NNN or k2-NNN")

        if not isinstance(rec["codes"], list):
            problems.append(f"{rid}: codes is not a list")
            continue
        keys = set()
        for code in rec["codes"]:
            if not check_code(code, rid, problems):
                continue
            key = (code["variable"], code["value"], code["holder"])
            if key in keys:
                problems.append(f"{rid}: duplicate code {key}")
            keys.add(key)
        if "note" in rec and not isinstance(rec["note"], str):
            problems.append(f"{rid}: note must be a string")
        good.append(rec)

    for prefix in ("b", "k1-", "k2-"):
        nums = sorted(int(r["id"][len(prefix):]) for r in good
                      if r["id"].startswith(prefix) and r["id"][len(prefix):].isdigit())
        if nums and nums != list(range(1, len(nums) + 1)):
            warnings.append(f"ids {prefix}... are not consecutive from 1")

    texts = seed_texts()
    if texts is not None:
        for rec in good:
            if rec["split"] != "seed":
                continue
            doc = texts.get(rec["source"])
            if doc is None:
                problems.append(f"{rec['id']}: source {rec['source']!r} not produced by ingest")
            elif rec["text"] not in doc:
                problems.append(f"{rec['id']}: text not found verbatim in the ingest output")
        for doc_id in SEED_SOURCES.values():
            n = sum(1 for r in good if r["source"] == doc_id)
            print(f"seed {doc_id}: {n} records")
    return good


def check_doc_gold(path: Path, problems: list[str]) -> dict:
    briefs = path.parent  # the briefs sit beside their doc_gold.json
    shown = briefs.relative_to(ROOT).as_posix() if briefs.is_relative_to(ROOT) else briefs
    if not path.exists():
        problems.append(f"{path}: missing")
        return {}
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        problems.append(f"{path}: invalid JSON ({exc})")
        return {}
    if not isinstance(gold, dict):
        problems.append(f"{path}: top level must be an object")
        return {}
    for rel, entry in gold.items():
        where = f"{shown}/doc_gold.json[{rel}]"
        if not (briefs / rel).is_file():
            problems.append(f"{where}: file {shown}/{rel} does not exist")
        else:
            raw = (briefs / rel).read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"{where}: not UTF-8")
        if not isinstance(entry, dict) or {"think_tank", "codes"} - entry.keys():
            problems.append(f"{where}: needs 'think_tank' and 'codes'")
            continue
        if not isinstance(entry["think_tank"], str) or not entry["think_tank"].strip():
            problems.append(f"{where}: empty think_tank")
        keys = set()
        for code in entry["codes"]:
            if not check_code(code, where, problems, doc_level=True):
                continue
            key = (code["variable"], code["value"], code["holder"])
            if key in keys:
                problems.append(f"{where}: duplicate code {key}")
            keys.add(key)
    on_disk = {p.relative_to(briefs).as_posix() for p in briefs.rglob("*.txt")}
    for rel in sorted(on_disk - gold.keys()):
        problems.append(f"{shown}/{rel}: brief without a doc_gold entry")
    return gold


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else HERE / "codes_gold.jsonl"
    doc_path = Path(argv[2]) if len(argv) > 2 else BRIEFS / "doc_gold.json"
    problems: list[str] = []
    warnings: list[str] = []

    recs = check_records(path, problems, warnings)
    doc_gold = check_doc_gold(doc_path, problems)
    if len(argv) <= 2:  # the training briefs too (their errors may be looked at)
        check_doc_gold(BRIEFS_TRAIN / "doc_gold.json", problems)

    # counts per split x variable x value x assessment
    counts: Counter = Counter()
    for r in recs:
        for c in r["codes"]:
            if isinstance(c, dict) and CODE_KEYS <= c.keys():
                counts[(r["split"], c["variable"], c["value"], c["assessment"])] += 1
    split_n = Counter(r["split"] for r in recs)
    uncoded = Counter(r["split"] for r in recs if not r["codes"])
    print(f"\n{len(recs)} records")
    for sp in SPLITS:
        print(f"  {sp:6} {split_n[sp]:4} records, {uncoded[sp]:3} without codes")
    header = "  ".join(f"{sp[:5]:>5}:{a[:3]}" for sp in SPLITS for a in ASSESSMENTS)
    print(f"\n{'variable':16} {'value':22} {header}")
    for var, vals in VALUES.items():
        for val in sorted(vals):
            cells = "  ".join(f"{counts[(sp, var, val, a)]:9d}" for sp in SPLITS for a in ASSESSMENTS)
            print(f"{var:16} {val:22} {cells}")
    ass_tot = Counter()
    for (sp, _, _, a), n in counts.items():
        ass_tot[(sp, a)] += n
    print("\nassessments: " + ", ".join(
        f"{sp} " + "/".join(f"{a[:3]}={ass_tot[(sp, a)]}" for a in ASSESSMENTS) for sp in SPLITS))

    # approach by holder
    hold = Counter()
    for r in recs:
        for c in r["codes"]:
            if isinstance(c, dict) and c.get("variable") == "approach":
                hold[(r["split"], c.get("holder"), c.get("value"))] += 1
    print("\napproach by holder (train/test/seed):")
    for h, v in sorted({(h, v) for _, h, v in hold}, key=str):
        print(f"  {h!s:8} {v:11} " + "/".join(str(hold[(sp, h, v)]) for sp in SPLITS))

    # coverage targets (written sentences)
    n_written = split_n["train"] + split_n["test"]
    if n_written < MIN_WRITTEN:
        warnings.append(f"only {n_written} written sentences (target {MIN_WRITTEN})")
    for var, vals in VALUES.items():
        for val in vals:
            for sp, lo in (("train", MIN_TRAIN), ("test", MIN_TEST)):
                n = sum(counts[(sp, var, val, a)] for a in ASSESSMENTS)
                if n < lo:
                    warnings.append(f"{sp}: {var}={val} appears {n} times (target {lo})")
    rej = ass_tot[("train", "rejected")] + ass_tot[("test", "rejected")]
    if rej < MIN_REJECTED:
        warnings.append(f"only {rej} rejected codes in written sentences (target {MIN_REJECTED})")
    if ass_tot[("test", "rejected")] < MIN_REJECTED_TEST:
        warnings.append(f"only {ass_tot[('test', 'rejected')]} rejected codes in test (target {MIN_REJECTED_TEST})")
    if n_written:
        share = (uncoded["train"] + uncoded["test"]) / n_written
        print(f"\nwritten sentences without codes: {share:.0%}")

    # doc_gold summary
    if doc_gold:
        print(f"\ndoc_gold: {len(doc_gold)} briefs")
        dc = Counter()
        for entry in doc_gold.values():
            for c in entry.get("codes", []):
                if isinstance(c, dict):
                    dc[(c.get("variable"), c.get("value"), c.get("assessment"))] += 1
        for (var, val, a), n in sorted(dc.items(), key=str):
            print(f"  {var:16} {val:22} {a:9} {n}")

    for w in warnings:
        print(f"warning: {w}")
    for p in problems:
        print(f"PROBLEM: {p}")
    print(f"\n{len(problems)} problems, {len(warnings)} warnings")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
