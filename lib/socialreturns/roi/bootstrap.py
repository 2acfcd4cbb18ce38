"""Moving-block bootstrap: resampled indices drawn up front, refits run in worker processes.

The model's refit of one replicate lives with the model (`socialreturns.roi.incremental`);
this module only draws the resamples and runs the refits, serially or in ``n_jobs`` processes,
with a result that does not depend on ``n_jobs``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd


class _Refit(Protocol):
    """A picklable problem whose ``refit`` re-estimates the model on one resample."""

    def refit(self, sample: np.ndarray, replicate: int) -> pd.DataFrame: ...


def _block_indices(rng: np.random.Generator, n: int, block: int) -> np.ndarray:
    """Indices of a moving-block bootstrap sample of length ``n``."""
    starts = rng.integers(0, n - block + 1, size=int(np.ceil(n / block)))
    return (starts[:, None] + np.arange(block)).ravel()[:n]


def _block_samples(seed: int, n: int, block: int, n_samples: int) -> list[np.ndarray]:
    """``n_samples`` moving-block samples of length ``n`` (blocks of ``block`` periods)."""
    rng = np.random.default_rng(seed)
    return [_block_indices(rng, n, block) for _ in range(n_samples)]


def _bootstrap_chunk(problem: _Refit, samples: list[np.ndarray], first: int) -> list[pd.DataFrame]:
    """Refit on consecutive replicates, numbered from ``first``; one frame per replicate."""
    return [problem.refit(idx, first + j) for j, idx in enumerate(samples)]


def _one_blas_thread() -> None:
    """Worker set-up: one BLAS thread per process. The matrices are small, and processes that
    each start a BLAS thread per core fight over the cores (measured: slower than serial)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _run_bootstrap(problem: _Refit, samples: list[np.ndarray], n_jobs: int) -> list[pd.DataFrame]:
    """Run the replicates in ``n_jobs`` processes; the resamples are drawn beforehand, so the
    result does not depend on ``n_jobs``."""
    n_jobs = max(1, min(n_jobs, len(samples)))
    if n_jobs == 1:
        return _bootstrap_chunk(problem, samples, 0)
    import concurrent.futures as cf

    bounds = np.linspace(0, len(samples), n_jobs + 1).astype(int)
    with cf.ProcessPoolExecutor(max_workers=n_jobs, initializer=_one_blas_thread) as pool:
        futures = [
            pool.submit(_bootstrap_chunk, problem, samples[lo:hi], lo)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return [frame for f in futures for frame in f.result()]
