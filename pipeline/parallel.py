"""Running a stage's per-document work in worker processes.

Each stage hands whole documents to workers: a worker reads its inputs from the interim
cache, writes only its own documents' cache entries, and returns small rows. Workers are
forked, so they inherit what the parent set up (a loaded spaCy pipeline, a codebook) instead
of pickling it, and results come back in job order, which keeps outputs deterministic.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

J = TypeVar("J")
R = TypeVar("R")

Progress = Callable[[Iterable[Any], int], Iterable[Any]]


def map_in_order(
    func: Callable[[J], R],
    jobs: Sequence[J],
    processes: int,
    progress: Progress | None = None,
) -> Iterator[R]:
    """`func` over `jobs`, results in job order; in `processes` forked workers when there
    are more than one of each, else in this process. Set up shared state (a pipeline, a
    coder) before calling: forked workers inherit it. Consume the iterator fully: it owns
    the worker pool."""
    if processes > 1 and len(jobs) > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(processes, len(jobs)), mp_context=context) as pool:
            results = pool.map(func, jobs, chunksize=1)
            yield from progress(results, len(jobs)) if progress else results
    else:
        results = map(func, jobs)
        yield from progress(results, len(jobs)) if progress else results
