"""ROI recovery on the confounded weekly mixes, and the identification flag against the truth.

For the 72 channels of `tests/test_roi_curves.py` (``SCENARIOS``, seeds 0-11, to choose on, and
``VALIDATION``, seeds 100-111, to confirm on; 104 to 156 weeks, 2 to 4 channels, the confounder
passed as a control), fitted as the slow test fits them (100 bootstrap replicates, seed 7), it
prints per seed set: the share of channels within 15% of the true ROAS, the median and worst
error, the share of truths inside the 90% interval, how many channels are flagged not identified,
how many identified channels miss by more than 15% ("identified but wrong") and how many flagged
channels are within 15% ("flagged but good"). Rows: the point estimate (MAP) with the flag
before this bench's rule (bounds, prior-set curves, interval wider than the estimate, flat spend)
and with it (also the ROAS's posterior sd over `roi.MAX_ROAS_RELATIVE_SD`), and the bagged
estimate (median of the bootstrap replicates' ROAS) tried instead of the MAP. Then the trade-off
of the flag's threshold, and the sample's ROAS per channel against its truth with the fit's time.

    PYTHONPATH=lib python bench/roi_recovery_bench.py [--channels] [--skip-sample]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd

from socialreturns import data, roi, synth
from socialreturns.data import project_root
from socialreturns.synth.weekly import generate_weekly

SETS = {"scenarios": range(12), "validation": range(100, 112)}
THRESHOLDS = [0.06, 0.08, 0.10, 0.12, 0.13, 0.14, 0.15, 0.20, np.inf]


def _channels(set_name: str, seeds: range) -> pd.DataFrame:
    """One row per channel of the set's scenarios: truth, estimates, interval, flags."""
    rows = []
    for seed in seeds:
        w = generate_weekly(seed, weeks=(104, 131, 156)[seed % 3], n_channels=2 + (seed + 1) % 3)
        fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=100, seed=7)
        now = fit.summary().set_index("channel")
        before = dataclasses.replace(fit, roas_relative_sd=None).summary().set_index("channel")
        bagged = fit.bootstrap.groupby("channel")["roas"].median()
        relative_sd = pd.Series(fit.roas_relative_sd, index=fit.channels)
        for channel, true in w.truth_roas.items():
            row = now.loc[channel]
            rows.append({"set": set_name, "seed": seed, "channel": channel, "true": true, "roas": row["roas"],
                         "bagged": bagged[channel], "ci_lower": row["ci_lower"], "ci_upper": row["ci_upper"],
                         "relative_sd": relative_sd[channel], "identified": bool(row["identifiable"]),
                         "identified_before": bool(before.loc[channel, "identifiable"])})  # fmt: skip
    out = pd.DataFrame(rows)
    return out.assign(error=out["roas"] / out["true"] - 1,
                      covered=(out["ci_lower"] <= out["true"]) & (out["true"] <= out["ci_upper"]))  # fmt: skip


def _scores(frame: pd.DataFrame, estimate: str, identified: pd.Series) -> dict[str, object]:
    err = (frame[estimate] / frame["true"] - 1).abs()
    bad = err > 0.15
    return {"within 15%": f"{(~bad).mean():.0%}", "median": f"{err.median():.1%}", "worst": f"{err.max():.0%}",
            "covered": f"{frame['covered'].mean():.0%}", "flagged": int((~identified).sum()),
            "identified but wrong": int((identified & bad).sum()),
            "flagged but good": int((~identified & ~bad).sum())}  # fmt: skip


def _summary(frame: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for name, part in frame.groupby("set", sort=False):
        rows[(name, "MAP, flag before")] = _scores(part, "roas", part["identified_before"])
        rows[(name, "MAP, flag now")] = _scores(part, "roas", part["identified"])
        rows[(name, "bagged, flag now")] = _scores(part, "bagged", part["identified"])
    return pd.DataFrame(rows).T


def _trade_off(frame: pd.DataFrame) -> pd.DataFrame:
    """Flagged / identified but wrong / flagged but good per set, by the relative-sd threshold
    (with the other checks kept)."""
    rows = []
    for threshold in THRESHOLDS:
        row = {"max relative sd": threshold}
        for name, part in frame.groupby("set", sort=False):
            identified = part["identified_before"] & (part["relative_sd"] <= threshold)
            bad = part["error"].abs() > 0.15
            row[name] = (f"{(~identified).sum()} flagged, {(identified & bad).sum()} wrong, "
                         f"{(~identified & ~bad).sum()} good flagged")  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def _sample() -> None:
    sample = project_root() / "data" / "sample"
    spend, orders = data.load_spend(sample), data.load_orders(sample)
    truth = synth.load_truth(sample).channels
    start = time.perf_counter()
    fit = roi.fit_incremental(spend, roi.daily_revenue(orders), n_bootstrap=100, seed=7)
    seconds = time.perf_counter() - start
    table = fit.summary().set_index("channel")
    table = table.assign(true=[truth[c]["roas"] for c in table.index],
                         relative_sd=pd.Series(fit.roas_relative_sd, index=fit.channels))  # fmt: skip
    table["error"] = table["roas"] / table["true"] - 1
    print(f"\nsample: incremental fit with 100 bootstrap replicates {seconds:.1f} s (target 10 s)")
    print(table[["true", "roas", "error", "ci_lower", "ci_upper", "relative_sd", "identifiable"]].round(3)
          .to_string())  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--channels", action="store_true", help="print every channel's row")
    parser.add_argument("--skip-sample", action="store_true", help="skip the sample's fit")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    start = time.perf_counter()
    frame = pd.concat([_channels(name, seeds) for name, seeds in SETS.items()], ignore_index=True)
    print(f"72 confounded channels fitted in {time.perf_counter() - start:.0f} s\n")
    print(_summary(frame).to_string())
    print(f"\nthe flag's threshold (roi.MAX_ROAS_RELATIVE_SD = {roi.MAX_ROAS_RELATIVE_SD}):")
    print(_trade_off(frame).to_string(index=False))
    if args.channels:
        print()
        print(frame.drop(columns="set").round(3).to_string(index=False))
    if not args.skip_sample:
        _sample()


if __name__ == "__main__":
    main()
