r"""ROI recovery on a published simulated media mix: PyMC-Marketing's confounded ROAS benchmark.

Reads ``data/mmm_roas_data.csv`` of the public repository pymc-labs/pymc-marketing, the data of
Juan Orduz's case study "Unobserved confounders, ROAS and lift tests": 131 weekly rows
(2021-10-02 to 2024-03-30), two channels ``x1`` and ``x2``, a confounder ``z`` that drives both
``x1``'s spend and the sales, a trend and yearly seasonality; ``y`` is the sales and ``y01`` /
``y02`` the counterfactual sales without ``x1`` / ``x2``. It is not the project's own data: keep
it outside the repository and pass its path.

Fits `socialreturns.roi.fit_incremental` on it (spend: the ``x`` columns as given; revenue:
``y``; 100 posterior draws, seed 7, as `bench/roi_recovery_bench.py` does) and prints, per
channel, the true ROAS (``sum(y - y0k) / sum(xk)`` over the 131 weeks) and share of the sales,
then per fit the fitted ROAS, its 90% interval, whether the truth is inside, the relative error,
whether the fit flags the channel as not identified (`IncrementalFit.summary`'s
``identifiable``, with its ``note``) and the fit's seconds. Rows: with the confounder ``z``
passed as a control; without it; with ``--experiments``, with ``z`` and one lift test per
channel. Those lift tests are built from the truth, a perfect experiment: a 4-week window in
the last half of the data, the measured lift the true incremental sales over it
(``sum(y - y0k)``) and a standard error of 10% of it; the row shows what calibration does
when the experiment is right.

Issue #14's reference: with the confounder passed as a control the fit was 44% low on one
channel and 41% high on the other, while the true curves plus the project's trend and
seasonality recover both within 6%, and peers within about 17%.

    PYTHONPATH=lib .venv/bin/python bench/roi_published_bench.py \
        --csv /work/data/mmm_roas_data.csv [--experiments]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from socialreturns import roi

CHANNELS = ("x1", "x2")
#: First row (0-based week) of each channel's 4-week lift test, in the last half of the 131 weeks.
TEST_START = {"x1": 80, "x2": 104}
TEST_WEEKS = 4
TEST_RELATIVE_SE = 0.10


def _inputs(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`roi.fit_incremental`'s spend (long: date, channel, spend), revenue and controls (z)."""
    dates = pd.to_datetime(frame["date"], utc=True)
    spend = pd.concat(
        [pd.DataFrame({"date": dates, "channel": c, "spend": frame[c].to_numpy()}) for c in CHANNELS],
        ignore_index=True,
    )
    revenue = pd.DataFrame({"date": dates, "revenue": frame["y"].to_numpy()})
    controls = pd.DataFrame({"date": dates, "z": frame["z"].to_numpy()})
    return spend, revenue, controls


def _truth(frame: pd.DataFrame) -> pd.DataFrame:
    """Per channel: total spend, true incremental sales, true ROAS and share of the sales."""
    rows = []
    for k, c in enumerate(CHANNELS, start=1):
        incremental = (frame["y"] - frame[f"y0{k}"]).sum()
        rows.append(
            {
                "channel": c,
                "spend": frame[c].sum(),
                "incremental": incremental,
                "true_roas": incremental / frame[c].sum(),
                "share_of_y": incremental / frame["y"].sum(),
            }
        )
    return pd.DataFrame(rows).set_index("channel")


def _experiments(frame: pd.DataFrame) -> pd.DataFrame:
    """One lift test per channel from the truth: 4 whole weeks (inclusive UTC days), the true
    incremental sales over them, a standard error of 10% of it."""
    dates = pd.to_datetime(frame["date"], utc=True)
    rows = []
    for k, c in enumerate(CHANNELS, start=1):
        first = TEST_START[c]
        window = slice(first, first + TEST_WEEKS)
        lift = (frame["y"] - frame[f"y0{k}"]).iloc[window].sum()
        rows.append(
            {
                "channel": c,
                "start_date": dates.iloc[first],
                "end_date": dates.iloc[first + TEST_WEEKS - 1] + pd.Timedelta(days=6),
                "incremental_revenue": lift,
                "standard_error": TEST_RELATIVE_SE * lift,
            }
        )
    return pd.DataFrame(rows)


def _fit(label: str, truth: pd.DataFrame, spend, revenue, **kwargs) -> tuple[pd.DataFrame, object]:
    """One fit's rows against the truth, and the fit."""
    start = time.perf_counter()
    fit = roi.fit_incremental(spend, revenue, n_bootstrap=100, seed=7, **kwargs)
    seconds = time.perf_counter() - start
    summary = fit.summary().set_index("channel")
    rows = []
    for c in CHANNELS:
        row, true = summary.loc[c], truth.loc[c, "true_roas"]
        rows.append(
            {
                "fit": label,
                "channel": c,
                "true": true,
                "roas": row["roas"],
                "ci_lower": row["ci_lower"],
                "ci_upper": row["ci_upper"],
                "inside": bool(row["ci_lower"] <= true <= row["ci_upper"]),
                "error": f"{row['roas'] / true - 1:+.1%}",
                "identified": bool(row["identifiable"]),
                "decay": row["adstock_decay"],
                "half_sat": row["half_saturation"],
                "shape": row["hill_shape"],
                "seconds": round(seconds, 2),
                "note": row["note"],
            }
        )
    return pd.DataFrame(rows), fit


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--csv", required=True, help="path of pymc-marketing's data/mmm_roas_data.csv")
    parser.add_argument(
        "--experiments", action="store_true", help="add a fit calibrated by lift tests built from the truth"
    )
    args = parser.parse_args()

    frame = pd.read_csv(args.csv)
    spend, revenue, controls = _inputs(frame)
    truth = _truth(frame)
    print(
        f"{len(frame)} weeks, {frame['date'].iloc[0]} to {frame['date'].iloc[-1]}; "
        f"mean weekly sales {frame['y'].mean():.1f}"
    )
    print(truth.round(3).to_string())
    print()

    fits = [("z as control", {"controls": controls}), ("no control", {})]
    if args.experiments:
        tests = _experiments(frame)
        fits.append(("z + lift tests", {"controls": controls, "experiments": tests}))
    tables, calibrated = [], None
    for label, kwargs in fits:
        table, fit = _fit(label, truth, spend, revenue, **kwargs)
        tables.append(table)
        if "experiments" in kwargs:
            calibrated = fit
    table = pd.concat(tables, ignore_index=True)
    columns = [c for c in table.columns if c != "note"]
    print(table[columns].round(3).to_string(index=False))
    flagged = table[table["note"] != ""]
    if len(flagged):
        print("\nnot identified:")
        for r in flagged.itertuples():
            print(f"  {r.fit}, {r.channel}: {r.note}")
    if calibrated is not None:
        print("\nlift tests (from the truth) against the fit's implied lift:")
        lifts = roi.lift_tests(calibrated)
        for column in ("start_date", "end_date"):
            lifts[column] = lifts[column].dt.date
        print(lifts.round(2).to_string(index=False))
        print(roi.calibration_effect(calibrated).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
