"""Customer lifetime value from the two fits, and the calibration/holdout check of the forecast.

CLV discounts each month's expected margin at finance's cost of capital; the holdout check fits
BG/NBD on a calibration period and compares its forecast with what happened next (FHL 2005,
section 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from socialreturns.data import is_member
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError

from .bgnbd import _conditional_expected, fit_bgnbd, p_alive
from .fit import PURCHASE_MODELS, ModelFit, _need
from .gamma_gamma import expected_order_value
from .mbgnbd import fit_mbgnbd
from .rfm import DAYS_PER_UNIT, TimeUnit, _columns, _day_of, _days, rfm_summary


def _expected_at(
    fit: ModelFit, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, horizons: np.ndarray
) -> np.ndarray:
    """Each customer's expected purchases in (T, T + h] for every horizon ``h``: one row per
    customer, one column per horizon. Computed once per distinct (x, t_x, T), a few times fewer
    than the customers (same-day cohorts share T), since each value costs a hypergeometric series."""
    unique, inverse = np.unique(np.column_stack([x, t_x, T]), axis=0, return_inverse=True)
    ux, ut, uT = unique.T
    out = np.column_stack([_conditional_expected(fit, ux, ut, uT, np.full_like(ux, h)) for h in horizons])
    return out[inverse.ravel()]


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
    DataFrame indexed like ``summary`` with ``p_alive`` (empty for customers without a repeat
    purchase, about whom the model's P(alive) says nothing: see `share_active`),
    ``expected_purchases`` (over the horizon), ``discounted_purchases`` (the same, discounted),
    ``expected_order_value`` (currency) and ``clv`` (currency).

    ``bgnbd`` is the purchase model's fit, BG/NBD or MBG/NBD (`fit_purchases`).
    """
    _need(bgnbd, *PURCHASE_MODELS)
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
        [np.zeros_like(x), _expected_at(bgnbd, x, t_x, T, months[1:] * units_per_month)]
    )
    per_month = np.diff(cumulative, axis=1)
    discount = (1 + discount_rate_annual) ** (-months[1:] / 12)
    value = expected_order_value(gamma_gamma, summary).to_numpy()
    discounted = per_month @ discount
    return pd.DataFrame(
        {
            "p_alive": p_alive(bgnbd, summary).where(summary["frequency"] > 0).to_numpy(),
            "expected_purchases": cumulative[:, -1],
            "discounted_purchases": discounted,
            "expected_order_value": value,
            "clv": discounted * value * margin_rate,
        },
        index=summary.index,
    )


# --------------------------------------------------------------------------- validation

PurchaseModel = Literal["BG/NBD", "MBG/NBD"]


def fit_purchases(summary: pd.DataFrame, *, model: PurchaseModel = "BG/NBD") -> ModelFit:
    """Fit the named model of repeat purchasing (`fit_bgnbd` or `fit_mbgnbd`).

    Raises
    ------
    InputError
        For a model name other than ``"BG/NBD"`` or ``"MBG/NBD"``, or as the fit does.
    """
    if model not in PURCHASE_MODELS:
        raise InputError(f"is {model!r}", key="purchase_model", expected="'BG/NBD' or 'MBG/NBD'")
    return fit_bgnbd(summary) if model == "BG/NBD" else fit_mbgnbd(summary)


@dataclass(frozen=True)
class Holdout:
    """Calibration/holdout check of the BG/NBD model (FHL 2005, section 4).

    ``summary`` is the calibration summary with ``predicted_holdout``; ``totals`` holds
    ``customers``, ``actual``, ``predicted``, ``error`` (predicted − actual), ``error_share`` (of
    actual) and ``mse`` (mean squared error of each customer's holdout purchases);
    ``by_frequency`` the conditional expectations per calibration frequency (0, 1, …, 7+);
    ``cumulative`` the weekly cumulative repeat purchases in the holdout period, actual and
    predicted (computed when first read: a model the holdout rejects never needs it).
    """

    fit: ModelFit
    summary: pd.DataFrame
    totals: pd.Series
    by_frequency: pd.DataFrame
    actual_curve: pd.DataFrame = field(repr=False)
    steps: np.ndarray = field(repr=False)

    @cached_property
    def cumulative(self) -> pd.DataFrame:
        """``week``, ``actual`` and ``predicted`` cumulative repeat purchases after the calibration end."""
        x, t_x, T = _columns(self.summary, ("frequency", "recency", "T"))
        return self.actual_curve.assign(predicted=_expected_at(self.fit, x, t_x, T, self.steps).sum(axis=0))


def calibration_holdout(
    orders: pd.DataFrame,
    *,
    calibration_end: str,
    holdout_end: str | None = None,
    time_unit: TimeUnit = "W",
    max_bucket: int = 7,
    model: PurchaseModel = "BG/NBD",
) -> Holdout:
    """Fit the purchase model on the calibration period and compare its forecast with the holdout
    purchases.

    Parameters
    ----------
    calibration_end, holdout_end
        ISO dates, inclusive. ``holdout_end`` defaults to the last order's day.
    max_bucket
        Calibration frequencies above it are pooled into one ``max_bucket+`` bucket.
    model
        ``"BG/NBD"`` or ``"MBG/NBD"``.
    """
    summary = rfm_summary(orders, calibration_end=calibration_end, observation_end=holdout_end,
                          time_unit=time_unit)  # fmt: skip
    return _check_holdout(orders, summary, fit_purchases(summary, model=model), calibration_end=calibration_end,
                          time_unit=time_unit, max_bucket=max_bucket)  # fmt: skip


def _check_holdout(
    orders: pd.DataFrame, summary: pd.DataFrame, fit: ModelFit, *, calibration_end: str, time_unit: TimeUnit,
    max_bucket: int,
) -> Holdout:  # fmt: skip
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    duration = summary["duration_holdout"].to_numpy(float)
    summary = summary.assign(predicted_holdout=_conditional_expected(fit, x, t_x, T, duration))
    actual = float(summary["frequency_holdout"].sum())
    predicted = float(summary["predicted_holdout"].sum())
    totals = pd.Series({
        "customers": float(len(summary)), "actual": actual, "predicted": predicted,
        "error": predicted - actual, "error_share": (predicted - actual) / actual if actual else np.nan,
        "mse": float(np.mean((summary["predicted_holdout"] - summary["frequency_holdout"]) ** 2)),
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
    actual_curve = pd.DataFrame({
        "week": weeks, "actual": np.searchsorted(np.sort(hold_days), cal_day + weeks * 7, side="right"),
    })  # fmt: skip
    return Holdout(fit=fit, summary=summary, totals=totals, by_frequency=by_frequency, actual_curve=actual_curve,
                   steps=steps)  # fmt: skip


@dataclass(frozen=True)
class ModelChoice:
    """BG/NBD against MBG/NBD on the same time-ordered holdout, and the one used.

    ``holdouts`` maps each model to its `Holdout`; ``model`` is the one with the smaller mean
    squared error of the customers' holdout purchases (BG/NBD on a tie: the published default).
    """

    holdouts: dict[str, Holdout]
    model: PurchaseModel

    @property
    def holdout(self) -> Holdout:
        """The chosen model's holdout check."""
        return self.holdouts[self.model]

    def to_frame(self) -> pd.DataFrame:
        """One row per model (``model``, chosen first): ``log_likelihood`` (calibration), ``actual`` and
        ``predicted`` holdout purchases, ``error_share``, ``mse`` and ``used``."""
        rows = {name: {"log_likelihood": h.fit.log_likelihood, **h.totals[["actual", "predicted", "error_share",
                                                                         "mse"]].to_dict()}
                for name, h in self.holdouts.items()}  # fmt: skip
        frame = pd.DataFrame(rows).T.rename_axis("model")
        frame["used"] = frame.index == self.model
        return frame.sort_values("used", ascending=False)

    def sentence(self) -> str:
        """Which model is used and why, in one sentence (Markdown)."""
        other = next(n for n in self.holdouts if n != self.model)
        mine, theirs = self.holdouts[self.model].totals, self.holdouts[other].totals
        return (f"The {self.model} model is used: on the holdout its forecast of each customer's purchases is "
                f"off by {mine['mse']:.3f} (mean squared error) against {theirs['mse']:.3f} for {other}, "
                f"and its total by {mine['error_share']:+.1%} against {theirs['error_share']:+.1%}.")  # fmt: skip


def choose_purchase_model(
    orders: pd.DataFrame,
    *,
    calibration_end: str,
    holdout_end: str | None = None,
    time_unit: TimeUnit = "W",
) -> ModelChoice:
    """Fit BG/NBD and MBG/NBD on the calibration period and keep the one that forecasts the
    holdout purchases better (smaller mean squared error per customer).

    The holdout is time-ordered: the models see only the orders up to ``calibration_end`` and are
    scored on the same customers' purchases up to ``holdout_end`` (FHL 2005, section 4;
    Batislam et al. 2007 compare the two models the same way).
    """
    summary = rfm_summary(orders, calibration_end=calibration_end, observation_end=holdout_end,
                          time_unit=time_unit)  # fmt: skip
    holdouts = {m: _check_holdout(orders, summary, fit_purchases(summary, model=m), calibration_end=calibration_end,
                                  time_unit=time_unit, max_bucket=7) for m in PURCHASE_MODELS}  # fmt: skip
    mse = {m: h.totals["mse"] for m, h in holdouts.items()}
    best = "MBG/NBD" if mse["MBG/NBD"] < mse["BG/NBD"] else "BG/NBD"
    return ModelChoice(holdouts=holdouts, model=best)


# --------------------------------------------------------------------------- who is still active


@dataclass(frozen=True)
class ActiveShare:
    """How many customers are likely still active, counted only where the model can tell.

    ``repeat_customers`` bought on two or more days; ``active`` of them have P(alive) of at least
    ``threshold``; ``one_time`` bought once and are not counted either way.
    """

    model: str
    customers: int
    repeat_customers: int
    active: int
    threshold: float

    @property
    def one_time(self) -> int:
        """Customers with no repeat purchase."""
        return self.customers - self.repeat_customers

    @property
    def share(self) -> float:
        """``active / repeat_customers`` (NaN without repeat customers)."""
        return self.active / self.repeat_customers if self.repeat_customers else float("nan")

    def sentence(self) -> str:
        """The share with its definition, in one sentence (Markdown)."""
        why = ("it lets a customer drop out only right after a repeat purchase, so it gives every one of them "
               "P(alive) = 1 by construction" if self.model == "BG/NBD" else
               "it judges them by the time since their one purchase alone")  # fmt: skip
        return (f"Of the {self.repeat_customers:,} customers who bought more than once "
                f"({self.repeat_customers / self.customers:.0%} of {self.customers:,}), {self.share:.0%} are likely "
                f"still active (P(alive) of {self.threshold:.0%} or more under {self.model}). The other "
                f"{self.one_time:,} bought once and are not counted either way: {self.model} cannot tell whether they "
                f"are still active ({why}).")  # fmt: skip


def share_active(fit: ModelFit, summary: pd.DataFrame, *, threshold: float = 0.5) -> ActiveShare:
    """The share of repeat customers whose P(alive) is at least ``threshold``.

    Customers without a repeat purchase are left out: under BG/NBD their P(alive) is 1 whatever
    happened (FHL 2005: drop-out follows a repeat purchase), so counting them would turn most of
    a typical base, the one-time buyers, into "active" customers by assumption.
    """
    _need(fit, *PURCHASE_MODELS)
    if not 0 < threshold < 1:
        raise InputError(
            f"is {threshold!r}", key="threshold", expected="a probability strictly between 0 and 1"
        )
    repeat = summary["frequency"].to_numpy(float) > 0
    alive = p_alive(fit, summary).to_numpy()
    return ActiveShare(model=fit.model, customers=len(summary), repeat_customers=int(repeat.sum()),
                       active=int((alive[repeat] >= threshold).sum()), threshold=threshold)  # fmt: skip
