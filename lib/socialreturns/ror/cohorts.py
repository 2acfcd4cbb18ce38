"""Cohorts compared at the same age: the margin each acquisition cohort earned in its first months.

A cohort's future value (CLV) is larger the younger the cohort, because its customers have more
of their life ahead: compared on future value, or on value to date, the newest cohort always looks
best or worst by construction. Compared over the same age (the first ``age_months`` after each
customer's first purchase), cohorts are comparable; one whose youngest customers are not yet
that old is shown as incomplete rather than ranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialreturns.data import require_columns
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError

from .rfm import _day_of, _days


def _spend_by_period(spend: pd.DataFrame, freq: str) -> pd.Series:
    """All spend per calendar period (``freq``, e.g. "Q"), indexed by the period as text."""
    require_columns(spend, ("date", "spend"), "spend")
    dates = pd.to_datetime(spend["date"])
    dates = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
    return spend.groupby(dates.dt.to_period(freq).astype(str))["spend"].sum().astype(float)


def cohort_value_at_age(
    orders: pd.DataFrame,
    spend: pd.DataFrame,
    *,
    age_months: int,
    margin_rate: float,
    observation_end: str | None = None,
    freq: str = "Q",
    value_column: str = "revenue",
) -> pd.DataFrame:
    """Per acquisition cohort: the margin its customers earned in their first ``age_months``.

    A customer's cohort is the period (``freq``, quarters by default) of their first purchase;
    their value at age N is the margin (``value_column`` × ``margin_rate``) of their orders in
    the ``N × 365.25/12`` days from their first purchase, the first order included. A cohort is
    complete when its last-acquired customers have been observed for N months by
    ``observation_end``; an incomplete cohort's figures are shown but get no ROR.

    Parameters
    ----------
    orders
        ``customer_id``, ``timestamp``, ``value_column`` (currency).
    spend
        ``date``, ``spend`` (currency): the cohort's acquisition spend is all spend in its period.
    age_months
        N, the age in months at which cohorts are compared.
    margin_rate
        Gross margin as a fraction of order value.
    observation_end
        ISO date, the last day of data used (inclusive); default the last order's day.

    Returns
    -------
    DataFrame indexed by ``cohort`` with ``customers``, ``months_observed`` (age of the cohort's
    youngest customers, at most N), ``complete``, ``margin_at_age`` and ``margin_per_customer``
    (currency), ``acquisition_spend`` (currency) and ``ror_at_age`` (margin at age per unit of
    spend; empty when incomplete or without spend), oldest cohort first.

    Examples
    --------
    One customer a quarter: A (first order 1 January, another on 20 January, one in June), B
    (1 April); N = 1 month, data to 15 May. A's first month brings 20 × 0.5 = 10 against the
    quarter's spend of 40; the second quarter's customers may have joined on 30 June, so by 15 May
    that cohort cannot be a month old: incomplete, not ranked.

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B"], "revenue": [10.0, 10.0, 5.0, 8.0],
    ...     "timestamp": pd.to_datetime(["2025-01-01", "2025-01-20", "2025-06-01", "2025-04-01"], utc=True)})
    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-05", "2025-04-02"]), "spend": [40.0, 4.0]})
    >>> out = cohort_value_at_age(orders, spend, age_months=1, margin_rate=0.5, observation_end="2025-05-15")
    >>> out[["margin_at_age", "complete", "ror_at_age"]].to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'2025Q1': {'margin_at_age': 10.0, 'complete': True, 'ror_at_age': 0.25},
     '2025Q2': {'margin_at_age': 4.0, 'complete': False, 'ror_at_age': nan}}
    """
    require_columns(orders, ("customer_id", "timestamp", value_column), "orders")
    if not (isinstance(age_months, int) and 1 <= age_months <= 120):
        raise InputError(
            f"is {age_months!r}", key="cohort_age_months", expected="a whole number of months, 1 to 120"
        )
    if not 0 < margin_rate <= 1:
        raise InputError(f"is {margin_rate!r}", key="margin_rate", expected="a fraction in (0, 1]")
    days = _days(orders["timestamp"])
    end = _day_of("observation_end", observation_end)
    end = int(days.max()) if end is None else end
    ids = orders["customer_id"].astype(str).to_numpy()
    keep = days <= end
    frame = pd.DataFrame({"customer": ids[keep], "day": days[keep],
                          "value": orders[value_column].to_numpy(float)[keep]})  # fmt: skip
    first = frame.groupby("customer")["day"].transform("min")
    age_days = age_months * DAYS_PER_MONTH
    frame["at_age"] = np.where(frame["day"] - first < age_days, frame["value"] * margin_rate, 0.0)
    first_day = frame.groupby("customer")["day"].min()
    cohort = pd.PeriodIndex(pd.to_datetime(first_day.to_numpy(), unit="D"), freq=freq)
    customers = pd.DataFrame({"cohort": cohort.astype(str), "cohort_end": _period_last_days(cohort),
                              "at_age": frame.groupby("customer")["at_age"].sum().reindex(first_day.index).to_numpy()})  # fmt: skip
    out = customers.groupby("cohort").agg(customers=("at_age", "size"), cohort_end=("cohort_end", "max"),
                                          margin_at_age=("at_age", "sum"))  # fmt: skip
    # the cohort's youngest customers joined on its last day (or the data's last day, if sooner)
    youngest = np.minimum(out.pop("cohort_end").to_numpy(), end)
    out.insert(1, "months_observed", np.minimum((end + 1 - youngest) / DAYS_PER_MONTH, age_months))
    out.insert(2, "complete", (end + 1 - youngest) >= age_days)
    out["margin_per_customer"] = out["margin_at_age"] / out["customers"]
    out["acquisition_spend"] = _spend_by_period(spend, freq).reindex(out.index).where(lambda s: s > 0)
    out["ror_at_age"] = (out["margin_at_age"] / out["acquisition_spend"]).where(out["complete"])
    out.index.name = "cohort"
    return out.sort_index()


def _period_last_days(periods: pd.PeriodIndex) -> np.ndarray:
    """The last day of each period, as whole days since the epoch."""
    return periods.end_time.normalize().to_numpy("datetime64[D]").astype(np.int64)


def cohort_note(cohorts: pd.DataFrame, *, age_months: int) -> str:
    """What the cohort table compares, and which cohorts are too young to rank (Markdown)."""
    young = cohorts.index[~cohorts["complete"]].tolist()
    ranked = cohorts["ror_at_age"].dropna()
    text = (f"Cohorts compared at the same age: the margin their customers earned in their first {age_months} "
            f"months, per unit of the social spend of their quarter.")  # fmt: skip
    if len(ranked):
        text += (f" Of the {len(ranked)} complete cohorts, {ranked.idxmax()} returned most ({ranked.max():.2f}) "
                 f"and {ranked.idxmin()} least ({ranked.min():.2f}).")  # fmt: skip
    if young:
        text += (f" {', '.join(young)}: incomplete (their newest customers are younger than {age_months} "
                 "months), so not ranked.")  # fmt: skip
    return text
