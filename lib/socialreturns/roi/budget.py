"""Response curves and the budget: what a steady spend per channel earns, the split of a
budget that earns the most, and an out-of-sample check of the incremental model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.parameters import Range
from socialreturns.roi.design import _controls, _prepare
from socialreturns.roi.incremental import IncrementalFit, _saturated, fit_incremental, hill

#: How far the reallocation may move one channel's budget (the ROI notebook's ``max_change``).
MAX_CHANGE = Range("a fraction in [0, 1)", ge=0, lt=1)


def steady_revenue(
    spend: np.ndarray, decay: np.ndarray, half: np.ndarray, shape: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """Incremental revenue per period of a steady spend per period (adstock at steady state).

    Parameters
    ----------
    spend
        Spend per period of the fit (currency per day for daily data, per week for weekly),
        one value per channel; held the same in every period.
    decay
        Adstock decay per period (fraction), per channel.
    half
        Half-saturation per channel, in adstocked spend (currency per period).
    shape
        Hill shape per channel (dimensionless).
    coef
        Incremental revenue per period at full saturation (currency per period), per channel.

    Returns
    -------
    numpy.ndarray
        Expected incremental revenue per period (currency per period), per channel.

    Notes
    -----
    A spend ``x`` in every period carries over to the steady adstock ``x / (1 - decay)``; the
    revenue is ``coef * hill(x / (1 - decay), half, shape)``. The arguments broadcast
    together: the arrays of `curve_replicates` (replicates by channels) give the bootstrap
    distribution.

    >>> steady_revenue(np.array([50.0]), np.array([0.5]), np.array([100.0]), np.array([1.0]),
    ...                np.array([200.0])).tolist()
    [100.0]
    """
    return coef * hill(spend / (1.0 - decay), half, shape)


def curve_replicates(fit: IncrementalFit) -> dict[str, np.ndarray]:
    """The response-curve parameters of every bootstrap replicate of ``fit``.

    Returns
    -------
    dict of numpy.ndarray
        ``adstock_decay`` (fraction per period), ``half_saturation`` (adstocked spend, currency
        per period), ``hill_shape`` (dimensionless) and ``coef`` (incremental revenue per period
        at full saturation, currency per period); each an array of replicates by channels, the
        channels in the order of ``fit.channels``. No rows when the fit has no bootstrap.
    """
    b = fit.bootstrap
    return {
        col: b.pivot(index="replicate", columns="channel", values=col)
        .reindex(columns=fit.channels)
        .to_numpy()
        for col in ("adstock_decay", "half_saturation", "hill_shape", "coef")
    }


def response_curves(fit: IncrementalFit, *, points: int = 41, max_multiple: float = 2.0) -> pd.DataFrame:
    """Expected incremental revenue per period against a steady spend per period, per channel.

    Parameters
    ----------
    fit
        From `fit_incremental`.
    points
        Spend levels per channel, from 0 to ``max_multiple`` times the channel's average spend
        per period.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``spend`` (currency per period), ``revenue`` (expected incremental revenue
        per period at that steady spend), ``ci_lower``, ``ci_upper`` (the bootstrap band at level
        ``1 - fit.alpha``), ``current`` (True at the channel's average spend).
    """
    mean_spend = fit.spend.mean().to_numpy()
    reps = curve_replicates(fit)
    frames = []
    for i, channel in enumerate(fit.channels):
        levels = np.r_[np.linspace(0.0, max_multiple * mean_spend[i], points), mean_spend[i]]
        est = fit.coef[i] * hill(levels / (1 - fit.decay[i]), fit.half_saturation[i],
                                 fit.hill_shape[i])  # fmt: skip
        boot = reps["coef"][:, [i]] * hill(levels / (1 - reps["adstock_decay"][:, [i]]),
                                           reps["half_saturation"][:, [i]],
                                           reps["hill_shape"][:, [i]])  # fmt: skip
        lo, hi = np.quantile(boot, [fit.alpha / 2, 1 - fit.alpha / 2], axis=0)
        frames.append(pd.DataFrame({
            "channel": channel, "spend": levels, "revenue": est, "ci_lower": lo, "ci_upper": hi,
            "current": np.r_[np.zeros(points, dtype=bool), True],
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["channel", "spend"], kind="stable", ignore_index=True)


@dataclass(frozen=True)
class Reallocation:
    """A recommended split of the budget; see `reallocate`."""

    table: pd.DataFrame
    gain: float
    gain_lower: float
    gain_upper: float

    def to_frame(self) -> pd.DataFrame:
        """The headline as one row: ``gain``, ``gain_lower``, ``gain_upper``."""
        return pd.DataFrame([{"gain": self.gain, "gain_lower": self.gain_lower,
                              "gain_upper": self.gain_upper}])  # fmt: skip


def reallocate(
    fit: IncrementalFit, *, total_budget: float | None = None, max_change: float = 0.3
) -> Reallocation:
    """The steady spend per channel that maximises expected incremental revenue.

    Parameters
    ----------
    fit
        From `fit_incremental`.
    total_budget
        Spend per period to split (currency per day for daily data, per week for weekly);
        None keeps today's total (the average spend per period over the data).
    max_change
        Largest change of a channel's spend, as a fraction of its current average spend.

    Returns
    -------
    Reallocation
        ``table``: ``channel``, ``current_spend``, ``recommended_spend`` (currency per period),
        ``change`` (fraction), ``current_revenue``, ``expected_revenue`` (incremental revenue
        per period); ``gain`` (expected extra incremental revenue per period against the
        current split scaled to the same budget) with its bootstrap interval.

    Notes
    -----
    Spend is assumed steady within the period (adstock at its steady state); flighting the same
    budget earns less where curves saturate. Solved with SLSQP under the budget equality and the
    per-channel bounds.
    """
    from scipy.optimize import minimize

    current = fit.spend.mean().to_numpy()
    if total_budget is None:
        total_budget = float(current.sum())
    if total_budget <= 0:
        raise InputError(f"is {total_budget!r}", key="total_budget", expected="a positive amount")
    MAX_CHANGE.check("max_change", max_change)
    lower, upper = current * (1 - max_change), current * (1 + max_change)
    if not lower.sum() <= total_budget <= upper.sum():
        raise InputError(
            f"is {total_budget:,.2f} per period, which the change limit cannot reach from the "
            f"current {current.sum():,.2f}",
            key="total_budget",
            expected=f"between {lower.sum():,.2f} and {upper.sum():,.2f} with max_change "
            f"{max_change:g}, or a larger max_change",
        )
    params = (fit.decay, fit.half_saturation, fit.hill_shape, fit.coef)
    scale = total_budget / current.sum()
    baseline = np.clip(current * scale, lower, upper)

    def negative(s: np.ndarray) -> float:
        return -float(steady_revenue(s, *params).sum())

    result = minimize(
        negative, baseline, method="SLSQP", bounds=list(zip(lower, upper, strict=True)),
        constraints=[{"type": "eq", "fun": lambda s: s.sum() - total_budget}],
        options={"ftol": 1e-10, "maxiter": 500},
    )  # fmt: skip
    best = result.x
    reps = curve_replicates(fit)
    rep = (reps["adstock_decay"], reps["half_saturation"], reps["hill_shape"], reps["coef"])
    gains = (steady_revenue(best, *rep) - steady_revenue(baseline, *rep)).sum(axis=1)
    lo, hi = np.quantile(gains, [fit.alpha / 2, 1 - fit.alpha / 2]) if len(gains) else (np.nan,) * 2
    table = pd.DataFrame({
        "channel": fit.channels,
        "current_spend": baseline,
        "recommended_spend": best,
        "change": best / baseline - 1,
        "current_revenue": steady_revenue(baseline, *params),
        "expected_revenue": steady_revenue(best, *params),
    })  # fmt: skip
    gain = float(table["expected_revenue"].sum() - table["current_revenue"].sum())
    return Reallocation(table, gain, float(lo), float(hi))


@dataclass(frozen=True)
class Holdout:
    """Out-of-sample check of the incremental model; see `holdout_check`."""

    frame: pd.DataFrame  # date, actual, predicted, holdout (bool)
    mape: float  # mean absolute percentage error on the holdout (fraction)
    rmse: float  # root mean squared error on the holdout (currency per period)

    def to_frame(self) -> pd.DataFrame:
        """The headline as one row: ``mape``, ``rmse``."""
        return pd.DataFrame([{"mape": self.mape, "rmse": self.rmse}])


def holdout_check(
    spend: pd.DataFrame, revenue: pd.DataFrame, *, holdout_weeks: int = 8, **kwargs: object
) -> Holdout:
    """Fit `fit_incremental` without the last ``holdout_weeks`` and predict them.

    Returns the actual and predicted revenue per period for the whole span and the error on
    the held-out weeks. Keyword arguments go to `fit_incremental` (without the bootstrap).
    """
    wide, y, freq = _prepare(spend, revenue, kwargs.get("channels"))  # type: ignore[arg-type]
    cut = y.index.max() - pd.Timedelta(weeks=holdout_weeks)
    if holdout_weeks < 1 or (y.index <= cut).sum() < 56 / (7 if freq == "W" else 1):
        raise InputError(f"is {holdout_weeks!r}", key="holdout_weeks",
                         expected="at least 1 week, leaving 8 weeks or more to fit")  # fmt: skip
    train_spend = spend[pd.to_datetime(spend["date"], utc=True) <= cut]
    train_rev = revenue[pd.to_datetime(revenue["date"], utc=True) <= cut]
    fit = fit_incremental(train_spend, train_rev, **{**kwargs, "n_bootstrap": 0})
    x = wide.reindex(columns=fit.channels, fill_value=0.0).to_numpy()
    h = _saturated(x, fit.decay, fit.half_saturation, fit.hill_shape)
    c = _controls(y.index, freq, kwargs.get("controls"), fit_until=cut)  # type: ignore[arg-type]
    design = pd.DataFrame(h, index=y.index, columns=fit.channels).join(c)
    predicted = design[fit.regression.params.index].to_numpy() @ fit.regression.params.to_numpy()
    frame = pd.DataFrame({"date": y.index, "actual": y.to_numpy(), "predicted": predicted,
                          "holdout": y.index > cut})  # fmt: skip
    held = frame[frame["holdout"]]
    err = held["predicted"] - held["actual"]
    mape = float((err.abs() / held["actual"].abs()).mean())
    return Holdout(frame, mape, float(np.sqrt((err**2).mean())))
