"""Shares of positive, neutral and negative mentions corrected for the classifier's measured
confusion, with bootstrap intervals: `adjusted_shares` and `corrected_shares`.

A classifier's raw shares are biased wherever its errors do not cancel: a lexicon that reads
"still no refund" as neutral understates the negative share of every brand complained about.
Adjusted classify-and-count (Forman 2008, "Quantifying counts and costs via classification",
Data Mining and Knowledge Discovery 17(2), section 3; Saerens, Latinne & Decaestecker 2002,
Neural Computation 14(1), eq. 2.3 for the same identity) uses the confusion rates
``C[i, j] = P(predicted j | true i)`` measured on labelled texts: the observed shares are
``q = Cᵀ p`` for the true shares ``p``, so ``p`` solves that system. With three classes the
solution can leave the simplex when ``q`` or ``C`` are noisy, so it is solved as least squares
constrained to ``p ≥ 0, Σp = 1`` (`scipy.optimize.nnls` with the sum as a heavily weighted extra
row). The correction assumes the rates hold for the mentions being counted, which is why the
sample to label is drawn in proportion to brand, platform and lexicon class (`labelling`).

The intervals are percentile bootstrap intervals that resample both the group's mentions and
the labelled set: each replicate draws the group's predicted classes (multinomial on its
observed shares, as resampling its mentions) and the labelled (true, predicted) pairs
(multinomial on the confusion counts, as resampling the labelled mentions), and corrects one
with the other, so a matrix measured on 300 labels widens the interval as it should.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from socialreturns.data import require_columns
from socialreturns.inputs import InputError

from .classifier import CLASSES

_SUM_WEIGHT = 1e3  # weight of the Σp = 1 row in the least squares: holds the sum to ~1e-6


def _rates(counts: np.ndarray) -> np.ndarray:
    """Row-normalised confusion counts; a class with no labelled text is taken as always right."""
    totals = counts.sum(axis=-1, keepdims=True)
    eye = np.broadcast_to(np.eye(counts.shape[-1]), counts.shape)
    return np.where(totals > 0, counts / np.where(totals > 0, totals, 1), eye)


def adjusted_shares(observed: Sequence[float] | np.ndarray, rates: np.ndarray | pd.DataFrame) -> np.ndarray:
    """True class shares from observed ones: ``argmin ||Cᵀp − q||`` with ``p ≥ 0, Σp = 1``.

    Parameters
    ----------
    observed
        ``q``, the share of the mentions the classifier put in each class (fractions summing to 1,
        in the order of ``rates``' rows).
    rates
        ``C``, the confusion rates: row i holds P(predicted j | true i) (rows sum to 1).

    Returns
    -------
    numpy.ndarray
        ``p``, the estimated true shares (fractions, summing to 1).

    Examples
    --------
    A two-class classifier that finds 80% of the positives and calls 10% of the negatives
    positive reports 0.8p + 0.1(1 − p) positive: 45% observed means p = 0.5.

    >>> adjusted_shares([0.55, 0.45], [[0.9, 0.1], [0.2, 0.8]]).round(6).tolist()
    [0.5, 0.5]
    """
    c = np.asarray(rates, dtype=float)
    q = np.asarray(observed, dtype=float)
    k = len(q)
    a = np.vstack([c.T, np.full((1, k), _SUM_WEIGHT)])
    b = np.concatenate([q, [_SUM_WEIGHT]])
    p, _ = nnls(a, b)
    total = p.sum()
    return p / total if total > 0 else np.full(k, 1.0 / k)


def _adjusted_many(observed: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """`adjusted_shares` of each row of ``observed`` (…, k) with the matching ``rates`` (…, k, k):
    the exact solution where it lies on the simplex, `nnls` for the rest."""
    transposed = np.swapaxes(rates, -1, -2)
    try:
        exact = np.linalg.solve(transposed, observed[..., None])[..., 0]
        ok = np.all(exact >= 0, axis=-1) & np.isfinite(exact).all(axis=-1)
    except np.linalg.LinAlgError:  # a singular matrix among them: solve each one by least squares
        exact, ok = np.zeros_like(observed), np.zeros(observed.shape[:-1], dtype=bool)
    out = exact / np.where(ok, exact.sum(axis=-1), 1.0)[..., None]
    for index in zip(*np.nonzero(~ok), strict=True):
        out[index] = adjusted_shares(observed[index], rates[index])
    return out


def corrected_shares(
    predicted: pd.DataFrame,
    confusion: pd.DataFrame | None,
    *,
    by: Sequence[str] = ("brand",),
    n_bootstrap: int = 500,
    alpha: float = 0.1,
    seed: int = 0,
) -> pd.DataFrame:
    """Positive, neutral and negative shares and net sentiment per group, corrected for the
    classifier's confusion, with percentile bootstrap intervals.

    Parameters
    ----------
    predicted
        One row per mention: the ``by`` columns and ``label`` (the predicted class, e.g.
        `classifier.choose`'s ``labels``).
    confusion
        Counts of true class (rows) against predicted class (columns) on the labelled mentions,
        cross-validated for a trained model (`classifier.Validation.matrix`). None: no labels,
        the shares are the classifier's own and the intervals resample the mentions only.
    by
        Columns to group by, e.g. ``("brand",)``, ``("brand", "platform")`` or a period column.
    n_bootstrap
        Replicates of the interval; each redraws the group's mentions and the labelled set.
    alpha
        1 − the intervals' coverage (0.1: 90% intervals).
    seed
        Seed of the bootstrap.

    Returns
    -------
    DataFrame, one row per group: the ``by`` columns, ``mentions``, ``positive``, ``neutral``,
    ``negative`` (corrected shares, fractions), ``net`` (positive − negative, in [-1, 1]), each
    with ``<name>_lower`` and ``<name>_upper``, ``observed_net`` (net of the predicted classes,
    uncorrected) and ``corrected`` (whether a confusion matrix was applied).

    Raises
    ------
    InputError
        A missing column, a label outside positive/neutral/negative, a confusion matrix that is
        not 3 × 3 counts of those classes, or an ``alpha`` outside (0, 1).
    """
    by = list(by)
    require_columns(predicted, (*by, "label"), "predicted")
    if not 0 < alpha < 1:
        raise InputError(
            f"is {alpha!r}", key="alpha", expected="a number between 0 and 1 (0.1 for 90% intervals)"
        )
    if not isinstance(n_bootstrap, int) or n_bootstrap < 1:
        raise InputError(f"is {n_bootstrap!r}", key="n_bootstrap", expected="a whole number of at least 1")
    labels = predicted["label"].astype("string")
    unknown = labels.notna() & ~labels.isin(CLASSES)
    if unknown.any():
        raise InputError(f"has the label {labels[unknown].iloc[0]!r}", key="predicted", column="label",
                         expected="positive, neutral or negative")  # fmt: skip
    counts = _confusion_counts(confusion)
    codes = pd.Categorical(labels, categories=list(CLASSES))
    frame = predicted[by].copy()
    frame["_class"] = codes
    table = frame.groupby(by, observed=True, dropna=False)["_class"].value_counts().unstack(fill_value=0)
    table = table.reindex(columns=list(CLASSES), fill_value=0)
    n_group = table.to_numpy().sum(axis=1)
    observed = table.to_numpy() / np.maximum(n_group, 1)[:, None]
    rng = np.random.default_rng(seed)
    if counts is None:
        point = observed
        rates_b = np.broadcast_to(np.eye(3), (n_bootstrap, 3, 3))
    else:
        point = _adjusted_many(observed, np.broadcast_to(_rates(counts), (len(observed), 3, 3)))
        n_labels = int(counts.sum())
        draws = rng.multinomial(n_labels, counts.ravel() / n_labels, size=n_bootstrap).reshape(-1, 3, 3)
        rates_b = _rates(draws.astype(float))
    # (groups, replicates, classes): each group's mentions redrawn, each replicate's matrix shared
    # by the groups, as one redraw of the labelled set is
    resampled = rng.multinomial(n_group[:, None], observed[:, None, :], size=(len(observed), n_bootstrap))
    shares_b = resampled / np.maximum(n_group, 1)[:, None, None]
    boot = _adjusted_many(shares_b, np.broadcast_to(rates_b, (len(observed), n_bootstrap, 3, 3)))
    return _assemble(table.index, by, n_group, point, boot, observed, alpha, counts is not None)


def _confusion_counts(confusion: pd.DataFrame | None) -> np.ndarray | None:
    if confusion is None:
        return None
    try:
        matrix = confusion.reindex(index=list(CLASSES), columns=list(CLASSES))
        values = matrix.to_numpy(dtype=float)
    except (AttributeError, TypeError, ValueError) as error:
        raise InputError(f"is not a table of counts ({error})", key="confusion",
                         expected="counts of true (rows) against predicted (columns) classes") from None  # fmt: skip
    if np.isnan(values).any() or (values < 0).any() or values.sum() <= 0:
        raise InputError("is missing a class, or has negative or no counts", key="confusion",
                         expected="a 3 x 3 table of counts with rows and columns positive, neutral, negative")  # fmt: skip
    return values


def _assemble(index: pd.Index, by: list[str], n_group: np.ndarray, point: np.ndarray, boot: np.ndarray,
              observed: np.ndarray, alpha: float, corrected: bool) -> pd.DataFrame:  # fmt: skip
    out = index.to_frame(index=False) if isinstance(index, pd.MultiIndex) else pd.DataFrame({by[0]: index})
    out["mentions"] = n_group.astype(np.int64)
    # net (positive − negative) per replicate, with the classes in `CLASSES` order
    measures = {c: (point[:, i], boot[..., i]) for i, c in enumerate(CLASSES)}
    measures["net"] = (point[:, 2] - point[:, 0], boot[..., 2] - boot[..., 0])
    for name, (estimate, replicates) in measures.items():
        out[name] = estimate
        out[f"{name}_lower"] = np.quantile(replicates, alpha / 2, axis=1)
        out[f"{name}_upper"] = np.quantile(replicates, 1 - alpha / 2, axis=1)
    out["observed_net"] = observed[:, 2] - observed[:, 0]
    out["corrected"] = corrected
    return out
