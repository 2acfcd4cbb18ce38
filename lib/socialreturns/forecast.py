"""Monthly forecasts with intervals, and a rolling-origin backtest against seasonal naive.

The series is a pandas Series indexed by month start (one value per month, e.g. revenue in
currency per month). Methods: ``ets`` (statsmodels ETSModel: additive errors, damped additive
trend, additive yearly season when two years are available), ``sarimax`` (statsmodels SARIMAX,
ARIMA(1,1,0) with a seasonal difference when two years are available) and ``seasonal_naive``
(each month repeats the same month a year before).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from socialreturns import store
from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA, norm_ppf

Method = Literal["ets", "sarimax", "seasonal_naive"]
METHODS: tuple[Method, ...] = ("ets", "sarimax", "seasonal_naive")
SEASON = 12  # months in a year
#: The domain of `compare_backtests`' and `outlook`'s cache entries (`store.cache_root`).
CACHE_DOMAIN = "forecast"


@dataclass(frozen=True)
class ForecastFit:
    """A fitted forecasting model; see `fit_forecast`."""

    method: Method
    series: pd.Series
    model: object | None  # statsmodels results (None for seasonal naive)
    seasonal: bool


def _check_series(series: pd.Series) -> pd.Series:
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise InputError("is not a Series indexed by month", key="series",
                         expected="a pandas Series with a DatetimeIndex of month starts")  # fmt: skip
    s = series.astype(float).sort_index()
    index = s.index.tz_localize(None) if s.index.tz is not None else s.index
    months = index.to_period("M")
    if months.has_duplicates or len(months) != (months.max() - months.min()).n + 1:
        raise InputError("has missing or repeated months", key="series",
                         expected="one value for every month, without gaps")  # fmt: skip
    if s.isna().any():
        raise InputError("has missing values", key="series", expected="a number for every month")
    if len(s) < 6:
        raise InputError(f"has only {len(s)} months", key="series",
                         expected="at least 6 months (24 or more for a yearly season)")  # fmt: skip
    return pd.Series(s.to_numpy(), index=months.to_timestamp(), name=series.name)


def fit_forecast(series: pd.Series, *, method: Method = "ets") -> ForecastFit:
    """Fit a monthly forecasting model.

    Parameters
    ----------
    series
        One value per month (e.g. currency per month), indexed by month start, no gaps.
    method
        ``ets``, ``sarimax`` or ``seasonal_naive`` (see the module docstring).

    Raises
    ------
    InputError
        An unknown method, gaps in the months, missing values, or fewer than 6 months
        (``seasonal_naive`` needs 13).
    """
    if method not in METHODS:
        raise InputError(f"is {method!r}", key="method", expected="one of " + ", ".join(METHODS))
    s = _check_series(series)
    seasonal = len(s) >= 2 * SEASON
    if method == "seasonal_naive":
        if len(s) <= SEASON:
            raise InputError(f"has only {len(s)} months", key="series",
                             expected="more than 12 months for a seasonal naive forecast")  # fmt: skip
        return ForecastFit(method, s, None, True)
    y = s.asfreq("MS")
    with warnings.catch_warnings():
        # statsmodels warns about optimiser convergence on short series; the backtest is the
        # judge of the fit, so these do not stop a report.
        warnings.simplefilter("ignore")
        if method == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            model = ETSModel(y, error="add", trend="add", damped_trend=True,
                             seasonal="add" if seasonal else None,
                             seasonal_periods=SEASON if seasonal else None)  # fmt: skip
            result = model.fit(disp=False)
        else:
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            model = SARIMAX(y, order=(1, 1, 0),
                            seasonal_order=(0, 1, 0, SEASON) if seasonal else (0, 0, 0, 0))  # fmt: skip
            result = model.fit(disp=False)
    return ForecastFit(method, s, result, seasonal)


def forecast(fit: ForecastFit, horizon_months: int, alpha: float = ALPHA) -> pd.DataFrame:
    """Forecast the next ``horizon_months`` months.

    Returns
    -------
    pandas.DataFrame
        ``month`` (month start), ``mean``, ``ci_lower``, ``ci_upper`` (the ``1 - alpha`` prediction
        interval), in the series' unit.

    Notes
    -----
    Seasonal naive intervals: ``sigma * sqrt(k + 1)`` with ``k`` the whole years ahead and
    ``sigma`` the standard deviation of the year-on-year differences (Hyndman &
    Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., section 5.5).
    """
    if horizon_months < 1:
        raise InputError(f"is {horizon_months!r}", key="horizon_months", expected="1 or more")
    if not 0 < alpha < 1:
        raise InputError(f"is {alpha!r}", key="alpha", expected="a fraction between 0 and 1")
    s = fit.series
    months = pd.date_range(s.index[-1] + pd.offsets.MonthBegin(1), periods=horizon_months,
                           freq="MS")  # fmt: skip
    if fit.method == "seasonal_naive":
        h = np.arange(1, horizon_months + 1)
        last_year = s.to_numpy()[-SEASON:]
        mean = last_year[(h - 1) % SEASON]
        diffs = s.to_numpy()[SEASON:] - s.to_numpy()[:-SEASON]
        sigma = np.sqrt(np.mean(diffs**2))
        half = norm_ppf(1 - alpha / 2) * sigma * np.sqrt((h - 1) // SEASON + 1)
        out = pd.DataFrame({"month": months, "mean": mean, "ci_lower": mean - half,
                            "ci_upper": mean + half})  # fmt: skip
        out.attrs["alpha"] = alpha
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fit.method == "ets":
            frame = fit.model.get_prediction(start=len(s), end=len(s) + horizon_months - 1).summary_frame(
                alpha=alpha
            )
            mean, lower, upper = frame["mean"], frame["pi_lower"], frame["pi_upper"]
        else:
            frame = fit.model.get_forecast(horizon_months).summary_frame(alpha=alpha)
            mean, lower, upper = frame["mean"], frame["mean_ci_lower"], frame["mean_ci_upper"]
    out = pd.DataFrame({"month": months, "mean": mean.to_numpy(), "ci_lower": lower.to_numpy(),
                        "ci_upper": upper.to_numpy()})  # fmt: skip
    out.attrs["alpha"] = alpha
    return out


def backtest(series: pd.Series, *, method: Method, horizon_months: int = 3, folds: int = 4) -> pd.DataFrame:
    """Rolling-origin backtest: refit on a growing window and forecast the next months.

    Returns
    -------
    pandas.DataFrame
        One row per fold: ``origin`` (last month fitted), ``mape`` (mean absolute percentage
        error, fraction), ``mase`` (mean absolute error over the in-sample mean absolute error
        of the seasonal naive forecast; below 1 beats seasonal naive), ``mae``.

    Notes
    -----
    MASE as in Hyndman & Koehler (2006), "Another look at measures of forecast accuracy",
    IJF 22(4), with the seasonal (m = 12) naive scale.
    """
    s = _check_series(series)
    last_origin = len(s) - horizon_months
    origins = range(last_origin - folds + 1, last_origin + 1)
    if origins.start <= SEASON:
        raise InputError(
            f"leaves {origins.start} months to fit the first of {folds} folds", key="folds",
            expected="fewer folds or a shorter horizon, so that every fold fits on 13+ months",
        )  # fmt: skip
    rows = []
    for end in origins:
        train, test = s.iloc[:end], s.iloc[end : end + horizon_months]
        pred = forecast(fit_forecast(train, method=method), horizon_months)["mean"].to_numpy()
        err = np.abs(test.to_numpy() - pred)
        scale = np.mean(np.abs(train.to_numpy()[SEASON:] - train.to_numpy()[:-SEASON]))
        rows.append({"origin": train.index[-1], "mape": float(np.mean(err / np.abs(test.to_numpy()))),
                     "mase": float(np.mean(err) / scale), "mae": float(np.mean(err))})  # fmt: skip
    return pd.DataFrame(rows)


def monthly(frame: pd.DataFrame, *, time: str, value: str) -> pd.Series:
    """Sum ``value`` per calendar month (UTC) of ``time``: a Series indexed by month start,
    without gaps (months without rows are 0)."""
    stamp = frame[time].dt.tz_convert("UTC").dt.tz_localize(None)
    out = frame.groupby(stamp.dt.to_period("M"))[value].sum()
    full = pd.period_range(out.index.min(), out.index.max(), freq="M")
    out = out.reindex(full, fill_value=0.0)
    return pd.Series(out.to_numpy(dtype=float), index=full.to_timestamp(), name=value)


def compare_backtests(series: pd.Series, *, horizon_months: int = 3, folds: int = 4) -> pd.DataFrame:
    """`backtest` of every method, averaged over folds: ``method``, ``mape``, ``mase``,
    ``mae``, best (lowest MASE) first.

    Computed once per series and arguments (and library version): every scenario of the IRR
    report backtests the same baseline, so the result is kept in the cache of `store.cached_frames`
    (domain ``forecast``) and read back from there, equal to a fresh computation.
    """

    def compute() -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
        rows = [
            backtest(series, method=m, horizon_months=horizon_months, folds=folds)
            .drop(columns="origin")
            .mean()
            .rename(m)
            for m in METHODS
        ]
        out = pd.DataFrame(rows).rename_axis("method").reset_index()
        return {"backtests": out.sort_values("mase", ignore_index=True)}, {}

    key = store.frames_key("compare_backtests", series, horizon_months, folds)
    return store.cached_frames(CACHE_DOMAIN, key, compute)[0]["backtests"]


def outlook(
    series: pd.Series, horizon_months: int, *, method: Method = "ets", alpha: float = ALPHA
) -> pd.DataFrame:
    """``forecast(fit_forecast(series, method=method), horizon_months, alpha)``, computed once per
    series and arguments (and library version) like `compare_backtests`: the same columns
    (``month``, ``mean``, ``ci_lower``, ``ci_upper``) and ``attrs["alpha"]``."""

    def compute() -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
        return {"outlook": forecast(fit_forecast(series, method=method), horizon_months, alpha=alpha)}, {}

    key = store.frames_key("outlook", series, horizon_months, method, alpha)
    return store.cached_frames(CACHE_DOMAIN, key, compute)[0]["outlook"]
