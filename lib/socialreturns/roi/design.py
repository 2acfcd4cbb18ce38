"""The incremental model's inputs: revenue per period, spend per channel on the revenue's
periods, and the control regressors (trend, seasonality, weekdays).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError


def daily_revenue(orders: pd.DataFrame) -> pd.DataFrame:
    """Order revenue per UTC day: ``date``, ``revenue`` (currency per day); days without orders
    inside the span are 0."""
    day = orders["timestamp"].dt.normalize()
    out = orders.assign(date=day).groupby("date")["revenue"].sum()
    full = pd.date_range(day.min(), day.max(), freq="D")
    return out.reindex(full, fill_value=0.0).rename_axis("date").reset_index()


def _infer_freq(dates: pd.DatetimeIndex) -> str:
    step = pd.Series(dates).diff().dt.days.median()
    if step == 1:
        return "D"
    if step == 7:
        return "W"
    raise InputError(
        f"dates are {step:g} days apart",
        key="revenue.date",
        expected="daily or weekly dates (1 or 7 days apart)",
    )


def _prepare(
    spend: pd.DataFrame,
    revenue: pd.DataFrame,
    channels: list[str] | None,
) -> tuple[pd.DataFrame, pd.Series, str]:
    """Spend as one column per channel on the revenue's dates, and the revenue series."""
    for frame, name, cols in ((spend, "spend", ("date", "channel", "spend")),
                              (revenue, "revenue", ("date", "revenue"))):  # fmt: skip
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"missing column '{missing[0]}'", key=name,
                             expected="columns " + ", ".join(cols))  # fmt: skip
    if (spend["spend"] < 0).any():
        bad = spend.loc[spend["spend"] < 0, "channel"].astype(str).unique()
        raise InputError(f"negative spend for {', '.join(bad)}", key="spend",
                         expected="spend of 0 or more")  # fmt: skip
    y = revenue.assign(date=pd.to_datetime(revenue["date"], utc=True).dt.normalize())
    y = y.groupby("date")["revenue"].sum().sort_index()
    freq = _infer_freq(y.index)
    s = spend.assign(date=pd.to_datetime(spend["date"], utc=True).dt.normalize())
    known = sorted(s["channel"].astype(str).unique())
    if channels:
        unknown = [c for c in channels if c not in known]
        if unknown:
            raise InputError(f"channel '{unknown[0]}' never appears in the spend table",
                             key="channels", expected="some of " + ", ".join(known))  # fmt: skip
        s = s[s["channel"].isin(channels)]
    if s["date"].min() < y.index.min() or s["date"].max() > y.index.max() + pd.Timedelta(
        days=6 if freq == "W" else 0
    ):
        raise InputError(
            f"revenue covers {y.index.min().date()} to {y.index.max().date()} but spend runs "
            f"from {s['date'].min().date()} to {s['date'].max().date()}",
            key="revenue.date",
            expected="revenue for every period that has spend",
        )
    # Each spend date goes to the revenue period it falls in (the period starting on or before).
    period = y.index[np.searchsorted(y.index, s["date"], side="right") - 1]
    wide = s.assign(period=period).pivot_table(
        index="period", columns="channel", values="spend", aggfunc="sum"
    )
    wide = wide.reindex(y.index, fill_value=0.0).fillna(0.0)
    weeks = (y.index.max() - y.index.min()).days / 7 + (1 if freq == "W" else 1 / 7)
    if weeks < 8:
        raise InputError(f"only {weeks:.1f} weeks of data", key="revenue.date",
                         expected="at least 8 weeks (a year or more for seasonality)")  # fmt: skip
    wide.columns = [str(c) for c in wide.columns]
    return wide, y.astype(float), freq


def _controls(
    dates: pd.DatetimeIndex,
    freq: str,
    extra: pd.DataFrame | None,
    *,
    fit_until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Intercept, a piecewise-linear trend (a knot every half year of the fitted span), yearly
    Fourier terms when a year or more is fitted, and weekday dummies for daily data.

    ``fit_until`` is the last fitted date when ``dates`` run past it (a holdout): the terms
    are those of the fitted span, extrapolated."""
    t = (dates - dates[0]).days.to_numpy() / 365.25
    span = (((fit_until or dates[-1]) - dates[0]).days) / 365.25
    cols = {"const": np.ones(len(dates)), "trend": t}
    for knot in np.arange(0.5, span - 0.2, 0.5):
        cols[f"trend_after_{knot:.2f}y"] = np.maximum(t - knot, 0.0)
    if span >= 0.95:
        day = dates.day_of_year.to_numpy() / 365.25
        for k in (1, 2):
            cols[f"sin{k}"] = np.sin(2 * np.pi * k * day)
            cols[f"cos{k}"] = np.cos(2 * np.pi * k * day)
    if freq == "D":
        for d in range(1, 7):
            cols[f"weekday{d}"] = (dates.day_of_week == d).astype(float)
    out = pd.DataFrame(cols, index=dates)
    if extra is not None:
        e = extra.assign(date=pd.to_datetime(extra["date"], utc=True).dt.normalize())
        e = e.set_index("date").reindex(dates)
        if e.isna().any().any():
            raise InputError("controls do not cover every revenue date", key="controls",
                             expected="a value for every date of the revenue table")  # fmt: skip
        out = out.join(e.astype(float))
    return out
