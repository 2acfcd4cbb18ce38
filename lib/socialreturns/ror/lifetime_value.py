"""Customer lifetime value from the two fits, and the calibration/holdout check of the forecast.

CLV discounts each month's expected margin at finance's cost of capital; the holdout check fits
BG/NBD on a calibration period and compares its forecast with what happened next (FHL 2005,
section 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns.data import is_member
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError

from .bgnbd import _conditional_expected, fit_bgnbd, p_alive
from .fit import ModelFit, _need
from .gamma_gamma import expected_order_value
from .rfm import DAYS_PER_UNIT, TimeUnit, _columns, _day_of, _days, rfm_summary


def clv(
    bgnbd: ModelFit,
    gamma_gamma: ModelFit,
    summary: pd.DataFrame,
    *,
    horizon_months: int,
    discount_rate_annual: float,
    margin_rate: float,
) -> pd.DataFrame:
    """Discounted expected margin of each customer over the next ``horizon_months`` months.

    Month ``m`` contributes (expected purchases in month m) × (expected order value) ×
    ``margin_rate``, discounted by ``(1 + discount_rate_annual) ** (-m / 12)`` (end of month).
    A month is 365.25 / 12 days.

    Parameters
    ----------
    horizon_months
        Months ahead, from each customer's ``T`` (the end of the observation).
    discount_rate_annual
        Finance's cost of capital, an annual rate as a fraction (0.09 for 9 %).
    margin_rate
        Gross margin as a fraction of order value.

    Returns
    -------
    DataFrame indexed like ``summary`` with ``p_alive``, ``expected_purchases`` (over the
    horizon), ``discounted_purchases`` (the same, discounted), ``expected_order_value``
    (currency) and ``clv`` (currency).
    """
    _need(bgnbd, "BG/NBD")
    _need(gamma_gamma, "Gamma-Gamma")
    if not (isinstance(horizon_months, int) and 1 <= horizon_months <= 240):
        raise InputError(f"is {horizon_months!r}", key="horizon_months", expected="1 to 240 months")
    if not -1 < discount_rate_annual < 1:
        raise InputError(f"is {discount_rate_annual!r}", key="discount_rate_annual",
                         expected="an annual rate as a fraction, e.g. 0.09")  # fmt: skip
    if not 0 < margin_rate <= 1:
        raise InputError(f"is {margin_rate!r}", key="margin_rate", expected="a fraction in (0, 1]")
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    units_per_month = DAYS_PER_MONTH / DAYS_PER_UNIT[bgnbd.time_unit]
    months = np.arange(horizon_months + 1)
    cumulative = np.column_stack(
        [np.zeros_like(x)] + [_conditional_expected(bgnbd, x, t_x, T, np.full_like(x, m * units_per_month))
                              for m in months[1:]]
    )  # fmt: skip
    per_month = np.diff(cumulative, axis=1)
    discount = (1 + discount_rate_annual) ** (-months[1:] / 12)
    value = expected_order_value(gamma_gamma, summary).to_numpy()
    discounted = per_month @ discount
    return pd.DataFrame(
        {
            "p_alive": p_alive(bgnbd, summary).to_numpy(),
            "expected_purchases": cumulative[:, -1],
            "discounted_purchases": discounted,
            "expected_order_value": value,
            "clv": discounted * value * margin_rate,
        },
        index=summary.index,
    )


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Holdout:
    """Calibration/holdout check of the BG/NBD model (FHL 2005, section 4).

    ``summary`` is the calibration summary with ``predicted_holdout``; ``totals`` holds
    ``actual``, ``predicted``, ``error`` (predicted − actual) and ``error_share`` (of actual);
    ``by_frequency`` the conditional expectations per calibration frequency (0, 1, …, 7+);
    ``cumulative`` the weekly cumulative repeat purchases in the holdout period.
    """

    fit: ModelFit
    summary: pd.DataFrame
    totals: pd.Series
    by_frequency: pd.DataFrame
    cumulative: pd.DataFrame


def calibration_holdout(
    orders: pd.DataFrame,
    *,
    calibration_end: str,
    holdout_end: str | None = None,
    time_unit: TimeUnit = "W",
    max_bucket: int = 7,
) -> Holdout:
    """Fit BG/NBD on the calibration period and compare its forecast with the holdout purchases.

    Parameters
    ----------
    calibration_end, holdout_end
        ISO dates, inclusive. ``holdout_end`` defaults to the last order's day.
    max_bucket
        Calibration frequencies above it are pooled into one ``max_bucket+`` bucket.
    """
    summary = rfm_summary(orders, calibration_end=calibration_end, observation_end=holdout_end,
                          time_unit=time_unit)  # fmt: skip
    fit = fit_bgnbd(summary)
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    duration = summary["duration_holdout"].to_numpy(float)
    summary = summary.assign(predicted_holdout=_conditional_expected(fit, x, t_x, T, duration))
    actual = float(summary["frequency_holdout"].sum())
    predicted = float(summary["predicted_holdout"].sum())
    totals = pd.Series({
        "customers": float(len(summary)), "actual": actual, "predicted": predicted,
        "error": predicted - actual, "error_share": (predicted - actual) / actual if actual else np.nan,
    })  # fmt: skip
    bucket = summary["frequency"].clip(upper=max_bucket)
    by_frequency = summary.groupby(bucket).agg(
        customers=("frequency", "size"),
        actual=("frequency_holdout", "mean"),
        predicted=("predicted_holdout", "mean"),
    )
    by_frequency.index = [f"{i}+" if i == max_bucket else str(i) for i in by_frequency.index]
    by_frequency.index.name = "calibration_frequency"

    # Weekly cumulative curve: actual repeat purchases (days) after calibration_end, against the
    # sum of each customer's conditional expectation up to that week.
    unit = DAYS_PER_UNIT[time_unit]
    cal_day = _day_of("calibration_end", calibration_end)
    days = _days(orders["timestamp"])
    ids = orders["customer_id"].astype(str)
    keep = (days > cal_day) & is_member(ids, summary.index).to_numpy()
    ids = ids.to_numpy()
    end_day = cal_day + int(round(duration.max() * unit))
    hold_days = np.unique(np.column_stack([pd.factorize(ids[keep])[0], days[keep]]), axis=0)[:, 1]
    hold_days = hold_days[hold_days <= end_day]
    weeks = np.arange(1, int(np.ceil((end_day - cal_day) / 7)) + 1)
    steps = np.minimum(weeks * 7.0 / unit, duration.max())
    predicted_curve = [float(_conditional_expected(fit, x, t_x, T, np.full_like(x, s)).sum()) for s in steps]
    cumulative = pd.DataFrame({
        "week": weeks,
        "actual": np.searchsorted(np.sort(hold_days), cal_day + weeks * 7, side="right"),
        "predicted": predicted_curve,
    })  # fmt: skip
    return Holdout(fit=fit, summary=summary, totals=totals, by_frequency=by_frequency, cumulative=cumulative)
