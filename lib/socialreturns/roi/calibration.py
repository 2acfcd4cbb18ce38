"""Lift-test calibration of the incremental model: tests as pseudo-observations, and how far the
model's implied lifts are from the measured ones before and after calibrating.

A lift test (a geo or audience holdout, a conversion-lift study) measures the incremental
revenue a channel earned over a window, with a standard error. The model's **implied lift** of
channel ``c`` over the window ``[start_date, end_date]`` (inclusive UTC days) is

``lift_c = Σ_t w_t β_c hill(adstock_c(spend)_t)``,

the channel's fitted contribution summed over the periods of the window, ``w_t`` being the
share of period ``t``'s days that fall inside it (1 or 0 for daily data; a week half inside
counts half). Revenue carried over past the window's end is not counted, as a holdout that
measures the window only does not count it either. Given the curves the lift is linear in
``β_c``, so each test enters the profiled linear solve of `socialreturns.roi.solver` as one more
row, ``(lift_c - measured) / standard_error`` in units of the residual sigma: a maximum a
posteriori fit where the test is one more observation with its own precision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.roi.incremental import IncrementalFit
from socialreturns.roi.solver import _Lifts, _saturated

#: The columns of a lift-test table (`socialreturns.data.load_experiments` reads them from a file).
EXPERIMENT_COLUMNS = ("channel", "start_date", "end_date", "incremental_revenue", "standard_error")


def _parse_experiments(experiments: pd.DataFrame) -> pd.DataFrame:
    """The lift tests with UTC days and float amounts; stops on a missing column, an unparsable
    value, a window that ends before it starts, or a standard error that is not positive."""
    missing = [c for c in EXPERIMENT_COLUMNS if c not in experiments.columns]
    if missing:
        raise InputError(f"missing column '{missing[0]}'", key="experiments",
                         expected="columns " + ", ".join(EXPERIMENT_COLUMNS))  # fmt: skip
    out = experiments[list(EXPERIMENT_COLUMNS)].reset_index(drop=True).copy()
    out["channel"] = out["channel"].astype(str)
    for column in ("start_date", "end_date"):
        parsed = pd.to_datetime(out[column], utc=True, errors="coerce").dt.normalize()
        if parsed.isna().any():
            raise InputError(f"unparsable or empty dates in rows {list(out.index[parsed.isna()][:5])}",
                             key=f"experiments.{column}", expected="ISO 8601 dates such as 2025-03-01")  # fmt: skip
        out[column] = parsed
    for column in ("incremental_revenue", "standard_error"):
        values = pd.to_numeric(out[column], errors="coerce").astype(float)
        if not np.isfinite(values).all():
            raise InputError(f"non-numeric or empty values in rows {list(out.index[~np.isfinite(values)][:5])}",
                             key=f"experiments.{column}", expected="numbers (currency)")  # fmt: skip
        out[column] = values
    backwards = out["end_date"] < out["start_date"]
    if backwards.any():
        raise InputError(f"end_date before start_date in rows {list(out.index[backwards][:5])}",
                         key="experiments.end_date", expected="end_date on or after start_date")  # fmt: skip
    bad_se = out["standard_error"] <= 0
    if bad_se.any():
        raise InputError(f"standard_error of 0 or less in rows {list(out.index[bad_se][:5])}",
                         key="experiments.standard_error",
                         expected="a positive standard error of the measured lift (currency)")  # fmt: skip
    return out


def _day_numbers(days: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """UTC days as whole numbers of days since 1970-01-01."""
    index = pd.DatetimeIndex(days)
    return (index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index).to_numpy(
        dtype="datetime64[D]").astype(np.int64)  # fmt: skip


def _window_weights(tests: pd.DataFrame, dates: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Tests by periods: the share of each period's days inside each test's window."""
    days = 7 if freq == "W" else 1
    start = _day_numbers(dates)[None, :]
    lo = np.maximum(start, _day_numbers(tests["start_date"])[:, None])
    hi = np.minimum(start + days, _day_numbers(tests["end_date"])[:, None] + 1)
    return np.clip(hi - lo, 0, None) / days


def _experiment_lifts(
    experiments: pd.DataFrame | None,
    dates: pd.DatetimeIndex,
    freq: str,
    channels: list[str],
    not_identifiable: dict[str, str],
    known: set[str],
) -> tuple[pd.DataFrame | None, _Lifts | None]:
    """The tests that bear on the fit and their solver form, or (None, None) without any.

    A test of a channel left out of the fit on purpose (``known`` but not in ``channels``) or
    whose window lies wholly outside ``dates`` does not bear on it and is left out.

    Raises
    ------
    InputError
        As `_parse_experiments`, or for a test on a channel that has no spend or whose spend
        is too flat to fit.
    """
    if experiments is None or len(experiments) == 0:
        return None, None
    tests = _parse_experiments(experiments)
    bad = tests.loc[~tests["channel"].isin(known) | tests["channel"].isin(list(not_identifiable)), "channel"]
    if len(bad):
        channel = bad.iloc[0]
        why = "its spend is too flat to fit" if channel in not_identifiable else "it has no spend"
        raise InputError(f"a lift test on channel '{channel}', which the model cannot estimate ({why})",
                         key="experiments.channel", expected="one of " + ", ".join(channels))  # fmt: skip
    tests = tests[tests["channel"].isin(channels)]
    tests = tests[_window_weights(tests, dates, freq).sum(axis=1) > 1e-9].reset_index(drop=True)
    if tests.empty:
        return None, None
    lifts = _Lifts(
        window=_window_weights(tests, dates, freq),
        channel=np.array([channels.index(c) for c in tests["channel"]]),
        measured=tests["incremental_revenue"].to_numpy(),
        standard_error=tests["standard_error"].to_numpy(),
    )
    return tests, lifts


def _implied(fit: IncrementalFit, curves: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Implied lift per test and ROAS per channel of ``fit``'s spend under ``curves``."""
    x = fit.spend.to_numpy()
    contrib = _saturated(x, curves["adstock_decay"].to_numpy(), curves["half_saturation"].to_numpy(),
                         curves["hill_shape"].to_numpy()) * curves["coef"].to_numpy()  # fmt: skip
    roas = contrib.sum(axis=0) / x.sum(axis=0)
    if fit.experiments is None:
        return np.zeros(0), roas
    weights = _window_weights(fit.experiments, fit.dates, fit.freq)
    column = [fit.channels.index(c) for c in fit.experiments["channel"]]
    return np.einsum("jt,tj->j", weights, contrib[:, column]), roas


def _curves(fit: IncrementalFit) -> pd.DataFrame:
    return pd.DataFrame({"channel": fit.channels, "adstock_decay": fit.decay,
                         "half_saturation": fit.half_saturation, "hill_shape": fit.hill_shape,
                         "coef": fit.coef})  # fmt: skip


def lift_tests(fit: IncrementalFit) -> pd.DataFrame:
    """Each lift test against the model's implied lift, before and after calibration.

    Returns
    -------
    pandas.DataFrame
        One row per test: ``channel``, ``start_date``, ``end_date``, ``measured`` (incremental
        revenue over the window, currency), ``standard_error`` (currency), ``lift_uncalibrated``
        and ``lift_calibrated`` (the model's implied lift without and with the tests, currency;
        see the module docstring), ``gap_uncalibrated`` and ``gap_calibrated`` (implied minus
        measured, in standard errors of the test). No rows when the fit has no tests.
    """
    columns = ["channel", "start_date", "end_date", "measured", "standard_error", "lift_uncalibrated",
               "lift_calibrated", "gap_uncalibrated", "gap_calibrated"]  # fmt: skip
    if fit.experiments is None:
        return pd.DataFrame(columns=columns)
    before, _ = _implied(fit, fit.uncalibrated)
    after, _ = _implied(fit, _curves(fit))
    t = fit.experiments
    se = t["standard_error"].to_numpy()
    measured = t["incremental_revenue"].to_numpy()
    return pd.DataFrame({
        "channel": t["channel"], "start_date": t["start_date"], "end_date": t["end_date"],
        "measured": measured, "standard_error": se, "lift_uncalibrated": before, "lift_calibrated": after,
        "gap_uncalibrated": (before - measured) / se, "gap_calibrated": (after - measured) / se,
    })[columns]  # fmt: skip


def calibration_effect(fit: IncrementalFit) -> pd.DataFrame:
    """Each channel's ROAS before and after the lift tests calibrated the fit.

    Returns
    -------
    pandas.DataFrame
        One row per fitted channel: ``channel``, ``tests`` (lift tests on it), ``roas_uncalibrated``,
        ``roas_calibrated`` (currency of revenue per currency of spend) and ``change`` (calibrated
        over uncalibrated, less 1). Without tests both ROAS columns are the fit's and ``change`` 0.
    """
    _, after = _implied(fit, _curves(fit))
    before = after if fit.uncalibrated is None else _implied(fit, fit.uncalibrated)[1]
    counts = (fit.experiments["channel"].value_counts() if fit.experiments is not None
              else pd.Series(dtype=int))  # fmt: skip
    return pd.DataFrame({
        "channel": fit.channels, "tests": [int(counts.get(c, 0)) for c in fit.channels],
        "roas_uncalibrated": before, "roas_calibrated": after, "change": after / before - 1,
    })  # fmt: skip


def calibration_text(fit: IncrementalFit, *, currency: str) -> str:
    """One markdown paragraph on the lift tests: none, or how they moved each tested channel."""
    if fit.experiments is None:
        return ("No lift tests in this data: the response curves rest on the spend and revenue alone "
                "(add `experiments.csv` to calibrate them).")  # fmt: skip
    effect = calibration_effect(fit)
    tests = lift_tests(fit)
    moved = effect[effect["tests"] > 0]
    summary = fit.summary()
    unknown = set(summary.loc[~summary["identifiable"].astype(bool), "channel"].astype(str))
    parts = [
        f"{md(r.channel)} {r.roas_uncalibrated:.2f} → {r.roas_calibrated:.2f}"
        + (" (still not identified: no finding)" if str(r.channel) in unknown else "")
        for r in moved.itertuples()
    ]
    worst = tests["gap_calibrated"].abs().max()
    count = f"{len(tests)} lift test{'' if len(tests) == 1 else 's'}"
    return (f"{count} calibrated the fit. ROAS ({md(currency)} of revenue per {md(currency)} "
            f"spent) before → after: {', '.join(parts)}. After calibration the implied lifts are within "
            f"{worst:.1f} standard errors of the measured ones (before: "
            f"{tests['gap_uncalibrated'].abs().max():.1f}).")  # fmt: skip
