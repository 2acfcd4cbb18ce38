"""Monthly forecasts: hand-computed seasonal naive, recovery of a known series, backtests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socialreturns import forecast
from socialreturns.inputs import InputError


def _months(n, start="2023-01-01"):
    return pd.date_range(start, periods=n, freq="MS")


def _series(n=36, seed=0, noise=20.0):
    """Trend 1000 + 15 per month, a yearly season of +-150, and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 1000 + 15 * t + 150 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, n)
    return pd.Series(values, index=_months(n), name="revenue")


def test_seasonal_naive_hand_computed():
    year1 = np.arange(1.0, 13.0) * 100
    s = pd.Series(np.r_[year1, year1 + 10], index=_months(24))
    fit = forecast.fit_forecast(s, method="seasonal_naive")
    out = forecast.forecast(fit, 15, alpha=0.2)
    np.testing.assert_allclose(out["mean"], np.r_[year1 + 10, (year1 + 10)[:3]])
    z = stats.norm.ppf(0.9)
    half = out["ci_upper"] - out["mean"]
    np.testing.assert_allclose(half[:12], z * 10)  # sigma of year-on-year differences = 10
    np.testing.assert_allclose(half[12:], z * 10 * np.sqrt(2))  # one more year ahead
    assert list(out["month"][:2]) == list(pd.to_datetime(["2025-01-01", "2025-02-01"]))


@pytest.mark.parametrize("method", ["ets", "sarimax"])
def test_models_forecast_a_known_series(method):
    s = _series()
    out = forecast.forecast(forecast.fit_forecast(s, method=method), 12, alpha=0.1)
    t = np.arange(36, 48)
    truth = 1000 + 15 * t + 150 * np.sin(2 * np.pi * t / 12)
    assert np.mean(np.abs(out["mean"] - truth) / truth) < 0.05
    assert (out["ci_lower"] < out["mean"]).all() and (out["mean"] < out["ci_upper"]).all()
    width = out["ci_upper"] - out["ci_lower"]
    assert width.iloc[-1] > width.iloc[0]  # uncertainty grows with the horizon
    inside = ((out["ci_lower"] <= truth) & (truth <= out["ci_upper"])).mean()
    assert inside >= 0.75


def test_backtest_shows_models_beating_seasonal_naive_on_a_trend():
    s = _series(n=40, seed=1)
    ets = forecast.backtest(s, method="ets", horizon_months=3, folds=4)
    naive = forecast.backtest(s, method="seasonal_naive", horizon_months=3, folds=4)
    assert list(ets.columns) == ["origin", "mape", "mase", "mae"] and len(ets) == 4
    assert ets["mase"].mean() < naive["mase"].mean()
    assert (naive["mape"] > 0).all()


def test_monthly_sums_and_fills_gaps():
    frame = pd.DataFrame({
        "timestamp": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-02"], utc=True),
        "revenue": [10.0, 5.0, 7.0],
    })  # fmt: skip
    s = forecast.monthly(frame, time="timestamp", value="revenue")
    assert s.to_dict() == {pd.Timestamp("2025-01-01"): 15.0, pd.Timestamp("2025-02-01"): 0.0,
                           pd.Timestamp("2025-03-01"): 7.0}  # fmt: skip


@pytest.mark.parametrize(
    ("series", "kwargs", "key"),
    [
        (_series().drop(_months(36)[5]), {}, "series"),
        (_series(n=5), {}, "series"),
        (_series(), {"method": "prophet"}, "method"),
        (_series(n=12), {"method": "seasonal_naive"}, "series"),
    ],
)
def test_bad_input(series, kwargs, key):
    with pytest.raises(InputError) as info:
        forecast.fit_forecast(series, **kwargs)
    assert info.value.key == key


def test_backtest_with_too_many_folds():
    with pytest.raises(InputError) as info:
        forecast.backtest(_series(n=20), method="ets", horizon_months=3, folds=6)
    assert info.value.key == "folds"


def test_backtests_and_outlook_are_computed_once_and_read_back_equal(monkeypatch, tmp_path):
    s = _series()
    monkeypatch.setenv("SOCIALRETURNS_CACHE", "off")
    fresh_backtests = forecast.compare_backtests(s, horizon_months=3, folds=2)
    fresh_outlook = forecast.forecast(forecast.fit_forecast(s, method="ets"), 12, alpha=0.1)
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path))
    fits = []
    real = forecast.fit_forecast
    monkeypatch.setattr(forecast, "fit_forecast", lambda *a, **k: fits.append(k["method"]) or real(*a, **k))
    for _ in range(2):
        backtests = forecast.compare_backtests(s, horizon_months=3, folds=2)
        outlook = forecast.outlook(s, 12, method="ets", alpha=0.1)
        pd.testing.assert_frame_equal(backtests, fresh_backtests, check_exact=True)
        pd.testing.assert_frame_equal(outlook, fresh_outlook, check_exact=True)
        assert outlook.attrs == {"alpha": 0.1}
    first_round = 2 * len(forecast.METHODS) + 1  # two folds per method and the outlook: all fitted once
    assert len(fits) == first_round
    other = forecast.outlook(s.iloc[1:], 12, method="ets", alpha=0.1)  # another series: its own entry
    assert len(fits) == first_round + 1 and other["month"].iloc[0] == fresh_outlook["month"].iloc[0]
    assert forecast.outlook(s, 12, method="ets", alpha=0.2).attrs == {"alpha": 0.2}
