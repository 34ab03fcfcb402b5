"""Sentence vectors for the sentence classifier: WordLlama's static token embeddings (the
256-dimension `l2_supercat` model that ships inside the `wordllama` wheel), averaged over a
sentence and normalised.

Static vectors are fast on a CPU and deterministic, and they let the classifier see that
"his former lawyer's testimony" is near "the Cohen hearing" when no word is shared; on
sentences by writers the rules were not built on they raised cause macro F1 by about 0.09
(README, "Measuring quality"). The model files are read from the installed package: nothing
is downloaded.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
DIMENSIONS = 256


@functools.cache
def _model() -> Any:
    # The tokenizer's thread pool must not be running when the coding stage forks workers.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import wordllama
    from safetensors import safe_open
    from wordllama import WordLlama
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tokenizer = WordLlama.load_tokenizer(root / TOKENIZER)
    with safe_open(str(root / WEIGHTS), framework="np", device="cpu") as handle:
        embedding = handle.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer)


def sentence_vectors(texts: Sequence[str]) -> np.ndarray:
    """One unit-length vector per text (shape: len(texts) x 256)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return _model().embed(list(texts), norm=True)
