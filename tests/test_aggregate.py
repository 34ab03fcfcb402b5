"""The approach index: its value, its bootstrap interval, and its determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.aggregate import approach_index


def _corpus(approaches: dict[str, list[tuple[int, str]]], n_sents: int = 40):
    """documents / sentences / codes frames: doc_id -> [(sent_idx, approach value)]."""
    documents = pd.DataFrame({"doc_id": list(approaches), "status": "ok", "think_tank": "tank"})
    sentences = pd.DataFrame(
        [{"doc_id": d, "sent_idx": i} for d in approaches for i in range(n_sents)]
    )
    codes = pd.DataFrame(
        [{"doc_id": d, "sent_idx": i, "variable": "approach", "holder": "us", "value": v,
          "assessment": "asserted"} for d, rows in approaches.items() for i, v in rows]
    )
    return codes, sentences, documents


def _naive_interval(approaches, n_sents, n_boot=4000, seed=1):
    """Resample each document's sentences with replacement, the textbook way."""
    rng = np.random.default_rng(seed)
    ratios = []
    for _ in range(n_boot):
        big = small = 0
        for rows in approaches.values():
            draws = rng.integers(0, n_sents, n_sents)
            bigs = {i for i, v in rows if v == "big_deal"}
            smalls = {i for i, v in rows if v == "small_deal"}
            big += sum(d in bigs for d in draws)
            small += sum(d in smalls for d in draws)
        if big + small:
            ratios.append((big - small) / (big + small))
    return np.quantile(ratios, [0.025, 0.975])


APPROACHES = {
    "a": [(1, "big_deal"), (5, "big_deal"), (9, "small_deal"), (12, "big_deal")],
    "b": [(2, "big_deal"), (3, "small_deal"), (3, "big_deal"), (20, "hybrid")],
}


def test_index_counts_and_interval() -> None:
    row = approach_index(*_corpus(APPROACHES)).iloc[0]
    assert (row["n_docs"], row["n_big"], row["n_small"], row["n_hybrid"]) == (2, 5, 2, 1)
    assert row["index"] == pytest.approx(3 / 7, abs=1e-4)
    assert row["logit"] == pytest.approx(np.log(5.5 / 2.5), abs=1e-4)
    assert -1 <= row["index_low"] < row["index"] < row["index_high"] <= 1
    assert row["logit_low"] < row["logit"] < row["logit_high"]
    # the same interval as resampling every sentence (within Monte Carlo error)
    low, high = _naive_interval(APPROACHES, 40)
    assert row["index_low"] == pytest.approx(low, abs=0.12)
    assert row["index_high"] == pytest.approx(high, abs=0.12)


def test_one_sided_evidence_has_a_degenerate_interval() -> None:
    row = approach_index(*_corpus({"a": [(1, "big_deal"), (2, "big_deal")]})).iloc[0]
    assert row["index"] == row["index_low"] == row["index_high"] == 1.0


def test_fixed_seed_gives_the_same_figures() -> None:
    first = approach_index(*_corpus(APPROACHES))
    second = approach_index(*_corpus(APPROACHES))
    pd.testing.assert_frame_equal(first, second)
    other_seed = approach_index(*_corpus(APPROACHES), seed=7)
    assert not first.equals(other_seed)
