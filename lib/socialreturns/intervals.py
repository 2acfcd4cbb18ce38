"""Interval conventions shared by every analysis.

Every interval in socialreturns is at level ``1 - alpha`` and sits in two columns named
``ci_lower`` and ``ci_upper`` (statsmodels' spelling); `ALPHA` is the one default level.
"""

from __future__ import annotations

import numpy as np

#: The default alpha: intervals are at level 1 - ALPHA (90%).
ALPHA = 0.1
#: Column names of an interval's bounds.
CI_LOWER, CI_UPPER = "ci_lower", "ci_upper"


def norm_ppf(q: float | np.ndarray) -> float | np.ndarray:
    """Standard normal quantile of the probability ``q`` (scipy.stats imported on first use: it
    takes about a second to import).

    >>> round(float(norm_ppf(0.975)), 4)
    1.96
    """
    from scipy import stats

    return stats.norm.ppf(q)
