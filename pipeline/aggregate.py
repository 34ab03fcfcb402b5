"""Aggregation stage: document codes, mentions and positions -> tables that compare think
tanks (`comparison`, profiles, `position_edges`, `approach_index`, `comparison_wide`) and the
discourse-network exports in `networks/`.

Pure pandas/numpy functions over the earlier tables; documents whose think tank is unknown
are grouped as `unknown`, never dropped. Every output is sorted by its key.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

UNKNOWN = "unknown"
BOOTSTRAP_SEED = 20190228  # the day the Hanoi summit ended
N_BOOTSTRAP = 1000


def _tank_of(documents: pd.DataFrame) -> pd.Series:
    """think_tank per readable doc_id, `unknown` where it is not known."""
    ok = documents[documents["status"] == "ok"]
    return ok.set_index("doc_id")["think_tank"].astype(object).where(
        ok.set_index("doc_id")["think_tank"].notna(), UNKNOWN)


def docs_per_tank(documents: pd.DataFrame) -> pd.Series:
    return _tank_of(documents).value_counts().rename("n_docs_think_tank")


def comparison(doc_codes: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Think tank x variable x holder x value x assessment: how many of the think tank's
    documents make the point, their share, and the summed weight."""
    tanks = _tank_of(documents)
    frame = doc_codes.assign(think_tank=doc_codes["doc_id"].map(tanks).fillna(UNKNOWN))
    keys = ["think_tank", "variable", "holder", "value", "assessment"]
    out = (frame.groupby(keys, dropna=False, sort=True)
           .agg(n_docs=("doc_id", "nunique"), weight=("weight", "sum")).reset_index())
    out = out.merge(docs_per_tank(documents), left_on="think_tank", right_index=True)
    out["share_docs"] = (out["n_docs"] / out["n_docs_think_tank"]).round(4)
    out["weight"] = out["weight"].round(4)
    return out[[*keys, "n_docs", "share_docs", "weight", "n_docs_think_tank"]]


def mention_profile(mentions: pd.DataFrame, documents: pd.DataFrame,
                    kinds: tuple[str, ...]) -> pd.DataFrame:
    """Think tank x entity: mentions, their share of the think tank's mentions of these
    kinds, and how many of its documents mention the entity."""
    tanks = _tank_of(documents)
    rows = mentions[mentions["kind"].isin(kinds)]
    rows = rows.assign(think_tank=rows["doc_id"].map(tanks).fillna(UNKNOWN))
    out = (rows.groupby(["think_tank", "kind", "entity_id"], sort=True)
           .agg(n_mentions=("doc_id", "size"), n_docs=("doc_id", "nunique")).reset_index())
    totals = out.groupby("think_tank")["n_mentions"].transform("sum")
    out["share_mentions"] = (out["n_mentions"] / totals).round(4)
    out = out.merge(docs_per_tank(documents), left_on="think_tank", right_index=True)
    out["share_docs"] = (out["n_docs"] / out["n_docs_think_tank"]).round(4)
    return out[["think_tank", "kind", "entity_id", "n_mentions", "share_mentions", "n_docs",
                "share_docs", "n_docs_think_tank"]]


def position_edges(positions: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Think tank x holder x relation x target x polarity: statements and documents."""
    tanks = _tank_of(documents)
    frame = positions.assign(think_tank=positions["doc_id"].map(tanks).fillna(UNKNOWN))
    keys = ["think_tank", "holder", "holder_state", "relation", "target_kind", "target",
            "polarity"]
    return (frame.groupby(keys, dropna=False, sort=True)
            .agg(n_statements=("doc_id", "size"), n_docs=("doc_id", "nunique"))
            .reset_index())


def _index(big: np.ndarray, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(big + small > 0, (big - small) / (big + small), np.nan)
    logit = np.log((big + 0.5) / (small + 0.5))
    return ratio, logit


def approach_index(codes: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame,
                   n_boot: int = N_BOOTSTRAP, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """A RILE-like approach index per think tank and holder.

    index = (big - small) / (big + small) over the asserted `approach` evidence sentences
    (+1: all big deal, -1: all small deal), and its logit form log((big + .5) / (small + .5)).
    95% intervals come from a bootstrap that resamples each document's sentences (all of
    them, coded or not) with replacement, with a fixed seed. Hybrid counts sit beside it.
    """
    tanks = _tank_of(documents)
    approach = codes[(codes["variable"] == "approach") & (codes["assessment"] == "asserted")]
    approach = approach.drop_duplicates(["doc_id", "sent_idx", "holder", "value"])
    n_sents = sentences[sentences["doc_id"].isin(tanks.index)].groupby("doc_id").size()
    rng = np.random.default_rng(seed)
    rows = []
    groups = approach.assign(think_tank=approach["doc_id"].map(tanks).fillna(UNKNOWN))
    for (tank, holder), group in groups.groupby(["think_tank", "holder"], sort=True):
        big_total = small_total = 0
        boot_big = np.zeros(n_boot)
        boot_small = np.zeros(n_boot)
        for doc_id, doc_rows in group.groupby("doc_id", sort=True):
            n = int(n_sents.get(doc_id, 0)) or int(doc_rows["sent_idx"].max()) + 1
            big = np.zeros(n)
            small = np.zeros(n)
            big[doc_rows.loc[doc_rows["value"] == "big_deal", "sent_idx"].to_numpy()] = 1
            small[doc_rows.loc[doc_rows["value"] == "small_deal", "sent_idx"].to_numpy()] = 1
            big_total += int(big.sum())
            small_total += int(small.sum())
            # Resampling n sentences with replacement draws how many fall in each kind
            # (both, big only, small only, neither) from a multinomial: same distribution,
            # without drawing every sentence.
            both = int((big * small).sum())
            shares = np.array([both, big.sum() - both, small.sum() - both, 0.0]) / n
            shares[3] = max(0.0, 1.0 - shares[:3].sum())
            counts = rng.multinomial(n, shares / shares.sum(), size=n_boot)
            boot_big += counts[:, 0] + counts[:, 1]
            boot_small += counts[:, 0] + counts[:, 2]
        ratio, logit = _index(np.array([big_total]), np.array([small_total]))
        b_ratio, b_logit = _index(boot_big, boot_small)
        hybrid = int((group["value"] == "hybrid").sum())

        def ci(values: np.ndarray, q: float) -> float | None:
            values = values[~np.isnan(values)]
            return round(float(np.quantile(values, q)), 4) if len(values) else None

        rows.append({
            "think_tank": tank, "holder": holder, "n_docs": group["doc_id"].nunique(),
            "n_big": big_total, "n_small": small_total, "n_hybrid": hybrid,
            "index": None if math.isnan(ratio[0]) else round(float(ratio[0]), 4),
            "index_low": ci(b_ratio, 0.025), "index_high": ci(b_ratio, 0.975),
            "logit": round(float(logit[0]), 4),
            "logit_low": ci(b_logit, 0.025), "logit_high": ci(b_logit, 0.975),
        })
    columns = ["think_tank", "holder", "n_docs", "n_big", "n_small", "n_hybrid", "index",
               "index_low", "index_high", "logit", "logit_low", "logit_high"]
    return pd.DataFrame(rows, columns=columns)


def statements(positions: pd.DataFrame, documents: pd.DataFrame, sentences: pd.DataFrame,
               person_ids: set[str]) -> pd.DataFrame:
    """Discourse Network Analyzer statements: one row per position with its source
    document, date, person and organization, concept and agreement (1 support, 0 oppose)."""
    docs = documents.set_index("doc_id")
    tanks = _tank_of(documents)
    text = sentences.set_index(["doc_id", "sent_idx"])["text"]
    rows = []
    for row in positions.itertuples():
        author = row.holder == "author"
        person = (docs.at[row.doc_id, "authors"] if author else
                  row.holder if row.holder in person_ids else None)
        organization = (tanks.get(row.doc_id, UNKNOWN) if author else
                        row.holder_state if isinstance(row.holder_state, str) else row.holder)
        date = docs.at[row.doc_id, "date"]
        rows.append({
            "doc_id": row.doc_id, "sent_idx": row.sent_idx,
            "think_tank": tanks.get(row.doc_id, UNKNOWN),
            "date": date if isinstance(date, type(pd.Timestamp(0).date())) else None,
            "person": person if isinstance(person, str) else None,
            "organization": organization,
            "concept": f"{row.target_kind}:{row.target}", "relation": row.relation,
            "agreement": 1 if row.polarity == "support" else 0,
            "text": text.get((row.doc_id, row.sent_idx)),
        })
    columns = ["doc_id", "sent_idx", "think_tank", "date", "person", "organization",
               "concept", "relation", "agreement", "text"]
    return pd.DataFrame(rows, columns=columns)


def think_tank_network(statement_rows: pd.DataFrame) -> pd.DataFrame:
    """Congruence and conflict between think tanks over shared statements.

    Two think tanks are congruent on a (organization, concept) pair when both report it
    with the same agreement, in conflict when with opposite agreement. Counts are also
    normalized by average activity, as in Discourse Network Analyzer: the count divided
    by the mean number of distinct statements of the two think tanks.
    """
    stated = statement_rows.drop_duplicates(
        ["think_tank", "organization", "concept", "agreement"])
    activity = stated.groupby("think_tank").size()
    pairs: dict[tuple[str, str, str], int] = {}
    for (_org, _concept), group in stated.groupby(["organization", "concept"], sort=True):
        entries = sorted(zip(group["think_tank"], group["agreement"], strict=True))
        for (a, agree_a), (b, agree_b) in itertools.combinations(entries, 2):
            if a == b:
                continue
            kind = "congruence" if agree_a == agree_b else "conflict"
            key = (min(a, b), max(a, b), kind)
            pairs[key] = pairs.get(key, 0) + 1
    rows = [{"source": a, "target": b, "edge": kind, "n_shared": n,
             "weight": round(n / ((activity[a] + activity[b]) / 2), 4)}
            for (a, b, kind), n in sorted(pairs.items())]
    return pd.DataFrame(rows, columns=["source", "target", "edge", "n_shared", "weight"])


def comparison_wide(comparison_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per think tank, one column per `variable:holder:value` (asserted share)."""
    asserted = comparison_rows[comparison_rows["assessment"] == "asserted"]
    if asserted.empty:
        return pd.DataFrame({"think_tank": sorted(comparison_rows["think_tank"].unique())})
    column = (asserted["variable"] + ":" + asserted["holder"].fillna("") + ":"
              + asserted["value"])
    wide = (asserted.assign(column=column)
            .pivot_table(index="think_tank", columns="column", values="share_docs",
                         aggfunc="first", fill_value=0.0)
            .sort_index(axis=1))
    wide.columns.name = None
    return wide.reset_index()
