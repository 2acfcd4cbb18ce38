"""ROI recovery on the confounded weekly mixes, and the identification flag against the truth.

For the 108 channels of `tests/test_roi_curves.py` (``SCENARIOS``, seeds 0-11, to choose on;
``VALIDATION``, seeds 100-111, and ``FRESH``, seeds 200-211, to confirm on; 104 to 156 weeks, 2 to
4 channels, the confounder passed as a control), fitted as the slow test fits them (100
replicates, seed 7), it prints:

* the oracle: each scenario fitted with the generator's TRUE curves (decay, half-saturation and
  Hill shape fixed; only the media and control coefficients free, on the fit's own design and
  controls), its share within 15% of the true ROAS, median and worst error, and its OLS 90%
  interval's coverage; then the partial oracles, the true curves with one parameter of every
  channel fitted under its prior. Whether 15% is reachable at the generator's noise, and which
  parameter's freedom costs what.
* per seed set, for the estimator: the share of channels within 15% of the true ROAS, the
  median and worst error, the share of truths inside the 90% interval, how many channels are
  flagged not identified, how many identified channels miss by more than 15% ("identified but
  off") and how many flagged channels are within 15% ("flagged but good"). Rows: the MAP with
  its posterior-draw intervals (the default) and the flag before `roi.MAX_ROAS_RELATIVE_SD`
  (bounds, prior-set curves, interval wider than the estimate, flat spend) and with it; the
  same with the moving-block bootstrap's intervals (``intervals="bootstrap"``); the bagged
  estimate (median of the bootstrap replicates' ROAS) tried instead of the MAP.
* the three sets side by side with the default flag, and the posterior's own expected number of
  identified channels more than 15% off (`roi.miss_probability` summed over them).
* the trade-off of the flag's threshold per set, with the sample's channels it leaves identified.
* what the data said of every identified channel more than 10% off (the misses and near
  misses) against the ranges over the other identified channels: its error in posterior sds,
  the ROAS moved by dropping the first or the last 20% of the weeks (time-ordered stability),
  the variance inflation of its saturated spend against the controls and the other channels,
  the ROAS moved by the shape prior's centre at 0.75 or 1.4, and the profile likelihood's rise
  at the truth (in residual variances, against the Laplace approximation's).
* the sample's ROAS per channel against its truth with both intervals and the fit's time with
  each (in the same run).
* with ``--variants``: the MAP (no replicates) under other priors, the ones tried to close the
  gap to the oracle.

    PYTHONPATH=lib python bench/roi_recovery_bench.py [--channels] [--skip-sample] [--variants]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd

from socialreturns import data, roi, synth
from socialreturns.data import project_root
from socialreturns.roi import solver
from socialreturns.roi.design import _controls, _prepare
from socialreturns.synth.weekly import WeeklySample, generate_weekly

SETS = {"scenarios": range(12), "validation": range(100, 112), "fresh": range(200, 212)}
THRESHOLDS = [0.06, 0.07, 0.0765, 0.08, 0.085, 0.09, 0.10, 0.11, 0.12, 0.13, 0.15, 0.20, np.inf]


def _scenario(seed: int) -> WeeklySample:
    """The scenario of ``seed``, as `tests/test_roi_curves.py` draws it."""
    return generate_weekly(seed, weeks=(104, 131, 156)[seed % 3], n_channels=2 + (seed + 1) % 3)


#: The curve parameters the partial oracles free one at a time, by their prior's name.
FREE = ("decay", "half-saturation", "shape")


def _oracle(w: WeeklySample) -> dict[str, dict[str, float]]:
    """Per channel of ``w``: the ROAS fitted with the TRUE curves (decay, half-saturation, Hill
    shape fixed at the generator's; only the media and control coefficients free, by OLS on the
    fit's own design and controls) and its OLS 90% interval (``oracle``, ``oracle_lo``,
    ``oracle_hi``); then, for each curve parameter in `FREE`, the ROAS with that parameter of
    every channel fitted under its prior (`socialreturns.roi.solver`) and the other two true
    (``free <name>``)."""
    import statsmodels.api as sm

    wide, y, freq = _prepare(w.spend, w.revenue, None)
    x, yy = wide.to_numpy(), y.to_numpy()
    c = _controls(y.index, freq, w.controls).to_numpy()
    names = list(wide.columns)
    true = {p: np.array([w.truth[n][key] for n in names])
            for p, key in (("decay", "adstock_decay"), ("half", "half_saturation"), ("shape", "hill_shape"))}  # fmt: skip
    h = solver._saturated(x, true["decay"], true["half"], true["shape"])
    ols = sm.OLS(yy, np.column_stack([h, c])).fit()
    per_spend = h.sum(axis=0) / x.sum(axis=0)
    lo, hi = ols.conf_int(0.1)[: len(names)].T
    out = {n: {"oracle": ols.params[i] * per_spend[i], "oracle_lo": lo[i] * per_spend[i],
               "oracle_hi": hi[i] * per_spend[i]} for i, n in enumerate(names)}  # fmt: skip
    sigma = float(np.sqrt(ols.scale))
    for free in FREE:
        roas = _partial_oracle(x, yy, c, true, free, sigma)
        for i, n in enumerate(names):
            out[n][f"free {free}"] = roas[i]
    return out


def _partial_oracle(x: np.ndarray, y: np.ndarray, c: np.ndarray, true: dict[str, np.ndarray], free: str,
                    sigma: float) -> np.ndarray:  # fmt: skip
    """ROAS per channel with one curve parameter of every channel fitted (MAP under its prior in
    `socialreturns.roi.solver`, the priors' rows weighed by ``sigma`` as there) and the others
    true, started from the truth."""
    from scipy.optimize import least_squares
    from scipy.special import expit, logit

    k = x.shape[1]
    q = np.linalg.qr(c)[0]
    y_perp = y - q @ (q.T @ y)
    typical = solver._mean_positive(x)

    def curves(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        decay = solver.DECAY_BOUNDS[1] * expit(v) if free == "decay" else true["decay"]
        ratio = true["half"] / (typical / (1 - true["decay"]))
        ratio = np.exp(v) if free == "half-saturation" else ratio
        shape = np.exp(v) if free == "shape" else true["shape"]
        prior = {"decay": (decay - solver.PRIOR_DECAY[0]) / solver.PRIOR_DECAY[1],
                 "half-saturation": (np.log(ratio) - solver.PRIOR_LOG_HALF_RATIO[0]) / solver.PRIOR_LOG_HALF_RATIO[1],
                 "shape": (np.log(shape) - solver.PRIOR_LOG_SHAPE[0]) / solver.PRIOR_LOG_SHAPE[1]}[free]  # fmt: skip
        return solver._saturated(x, decay, ratio * typical / (1 - decay), shape), sigma * prior

    def residuals(v: np.ndarray) -> np.ndarray:
        h, prior = curves(v)
        h_perp = h - q @ (q.T @ h)
        beta = np.linalg.lstsq(h_perp, y_perp, rcond=None)[0]
        return np.r_[h_perp @ beta - y_perp, prior]

    start = {"decay": logit(np.clip(true["decay"] / solver.DECAY_BOUNDS[1], 1e-3, 1 - 1e-3)),
             "half-saturation": np.log(true["half"] / (typical / (1 - true["decay"]))),
             "shape": np.log(true["shape"])}[free]  # fmt: skip
    h = curves(least_squares(residuals, start, method="lm").x)[0]
    beta = np.linalg.lstsq(np.column_stack([h, c]), y, rcond=None)[0][:k]
    return beta * h.sum(axis=0) / x.sum(axis=0)


def _channels(set_name: str, seeds: range) -> pd.DataFrame:
    """One row per channel of the set's scenarios: truth, estimates, interval, flags."""
    rows = []
    for seed in seeds:
        w = _scenario(seed)
        fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=100, seed=7)
        boot = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=100, seed=7,
                                   intervals="bootstrap")  # fmt: skip
        now, by_boot = fit.summary().set_index("channel"), boot.summary().set_index("channel")
        before = dataclasses.replace(fit, roas_relative_sd=None).summary().set_index("channel")
        bagged = boot.bootstrap.groupby("channel")["roas"].median()
        relative_sd = pd.Series(fit.roas_relative_sd, index=fit.channels)
        oracle = _oracle(w)
        for channel, true in w.truth_roas.items():
            row = now.loc[channel]
            rows.append({"set": set_name, "seed": seed, "channel": channel, "true": true, "roas": row["roas"],
                         "bagged": bagged[channel], "ci_lower": row["ci_lower"], "ci_upper": row["ci_upper"],
                         "boot_lower": by_boot.loc[channel, "ci_lower"], "boot_upper": by_boot.loc[channel, "ci_upper"],
                         "relative_sd": relative_sd[channel], "p_off": float(roi.miss_probability(relative_sd[channel])),
                         "identified": bool(row["identifiable"]),
                         "identified_before": bool(before.loc[channel, "identifiable"]),
                         "identified_boot": bool(by_boot.loc[channel, "identifiable"]), **oracle[channel]})  # fmt: skip
    out = pd.DataFrame(rows)
    return out.assign(error=out["roas"] / out["true"] - 1,
                      covered=(out["ci_lower"] <= out["true"]) & (out["true"] <= out["ci_upper"]),
                      covered_boot=(out["boot_lower"] <= out["true"]) & (out["true"] <= out["boot_upper"]))  # fmt: skip


def _scores(
    frame: pd.DataFrame, estimate: str, identified: pd.Series, covered: str = "covered"
) -> dict[str, object]:
    err = (frame[estimate] / frame["true"] - 1).abs()
    bad = err > 0.15
    return {"within 15%": f"{(~bad).mean():.0%}", "median": f"{err.median():.1%}", "worst": f"{err.max():.0%}",
            "covered": f"{frame[covered].mean():.0%}", "flagged": int((~identified).sum()),
            "identified but off": int((identified & bad).sum()),
            "flagged but good": int((~identified & ~bad).sum())}  # fmt: skip


def _summary(frame: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for name, part in frame.groupby("set", sort=False):
        rows[(name, "MAP, posterior draws, flag before")] = _scores(part, "roas", part["identified_before"])
        rows[(name, "MAP, posterior draws, flag now")] = _scores(part, "roas", part["identified"])
        rows[(name, "MAP, bootstrap, flag now")] = _scores(
            part, "roas", part["identified_boot"], "covered_boot"
        )
        rows[(name, "bagged, bootstrap, flag now")] = _scores(part, "bagged", part["identified_boot"],
                                                              "covered_boot")  # fmt: skip
    return pd.DataFrame(rows).T


def _oracle_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per set: the oracle's (true curves) and the partial oracles' (one curve parameter fitted)
    share within 15%, median and worst error, and the oracle's OLS 90% interval's coverage."""
    rows = {}
    for name, part in frame.groupby("set", sort=False):
        for estimate in ["oracle", *(f"free {f}" for f in FREE), "roas"]:
            err = (part[estimate] / part["true"] - 1).abs()
            label = {"oracle": "true curves", "roas": "estimator (MAP)"}.get(
                estimate, f"true curves, {estimate[5:]} fitted"
            )
            row = {"within 15%": f"{(err <= 0.15).mean():.0%}", "median": f"{err.median():.1%}",
                   "worst": f"{err.max():.0%}", "misses": ", ".join(f"{r.seed} {r.channel} {e:+.0%}" for r, e in
                   zip(part.itertuples(), part[estimate] / part["true"] - 1, strict=True) if abs(e) > 0.15)}  # fmt: skip
            if estimate == "oracle":
                row["covered"] = (
                    f"{((part['oracle_lo'] <= part['true']) & (part['true'] <= part['oracle_hi'])).mean():.0%}"
                )
            rows[(name, label)] = row
    return pd.DataFrame(rows).T.fillna("")


def _three_sets(frame: pd.DataFrame) -> pd.DataFrame:
    """Per set, with the default flag: within 15%, identified but off (and the posterior's
    expected count of them), flagged, covered, median and worst error."""
    rows = {}
    for name, part in frame.groupby("set", sort=False):
        err, ident = part["error"].abs(), part["identified"]
        rows[name] = {"channels": len(part), "within 15%": f"{(err <= 0.15).mean():.0%}",
                      "identified but off": int((ident & (err > 0.15)).sum()),
                      "expected off": f"{part.loc[ident, 'p_off'].sum():.2f}", "flagged": int((~ident).sum()),
                      "covered": f"{part['covered'].mean():.0%}", "median": f"{err.median():.1%}",
                      "worst": f"{err.max():.0%}",
                      "beyond 1.645 sd": f"{(part['error'].abs() > 1.645 * part['relative_sd']).mean():.0%}"}  # fmt: skip
    return pd.DataFrame(rows).T


def _trade_off(frame: pd.DataFrame, sample: pd.DataFrame | None) -> pd.DataFrame:
    """Flagged / identified but off / flagged but good / the posterior's expected count off, per
    set, by the relative-sd threshold (with the other checks kept); and the sample's channels
    left identified."""
    rows = []
    for threshold in THRESHOLDS:
        row = {"max relative sd": threshold}
        for name, part in frame.groupby("set", sort=False):
            identified = part["identified_before"] & (part["relative_sd"] <= threshold)
            bad = part["error"].abs() > 0.15
            row[name] = (f"{(~identified).sum()} flagged, {(identified & bad).sum()} off, "
                         f"{(~identified & ~bad).sum()} good flagged, {part.loc[identified, 'p_off'].sum():.2f} exp.")  # fmt: skip
        if sample is not None:
            kept = sample["identified_before"] & (sample["relative_sd"] <= threshold)
            row["sample identified"] = " ".join(sample.index[kept]) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def _profile_rise(fit: roi.IncrementalFit, i: int, roas: float) -> float:
    """The MAP objective's rise (in residual variances) when channel ``i``'s ROAS is held at
    ``roas``: every curve parameter and the other coefficients refitted under the priors."""
    from scipy.optimize import least_squares

    x, y, c = fit.spend.to_numpy(), fit.revenue.to_numpy(), fit.controls.to_numpy()
    k, sigma, typical = x.shape[1], fit.residual_sigma, solver._mean_positive(x)

    def residuals(z: np.ndarray, target: float) -> np.ndarray:
        decay, ratio, shape = solver._to_params(z, k)
        h = solver._saturated(x, decay, ratio * typical / (1 - decay), shape)
        rest = y - target * x[:, i].sum() / h[:, i].sum() * h[:, i]
        others = np.column_stack([c, np.delete(h, i, axis=1)])
        gamma = np.linalg.lstsq(others, rest, rcond=None)[0]
        return np.r_[rest - others @ gamma, solver._prior_rows(z, k, sigma)] / sigma

    ratio = fit.half_saturation / solver._typical(x, fit.decay)
    z0 = solver._from_params(fit.decay, ratio, fit.hill_shape)
    now = fit.summary().set_index("channel").loc[fit.channels[i], "roas"]
    cost = [least_squares(residuals, z0, args=(r,), method="lm").cost for r in (now, roas)]
    return 2 * (cost[1] - cost[0])


def _diagnostics(frame: pd.DataFrame) -> pd.DataFrame:
    """For each identified channel: its error in posterior sds, the ROAS moved by dropping the
    first and the last 20% of the weeks (the refit's curves over the whole span), the variance
    inflation of its saturated spend, the ROAS moved by the shape prior's centre at 0.75 or 1.4,
    and for those more than 10% off the profile likelihood's rise at the truth against the
    Laplace approximation's ``(error / sd)**2``."""
    rows = []
    for (_, seed), part in frame[frame["identified"]].groupby(["set", "seed"], sort=False):
        w = _scenario(seed)
        fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
        x, c, n = fit.spend.to_numpy(), fit.controls.to_numpy(), len(fit.dates)
        h = solver._saturated(x, fit.decay, fit.half_saturation, fit.hill_shape)
        moved = {}
        for label, keep in (
            ("drop first 20%", fit.dates[n // 5 :]),
            ("drop last 20%", fit.dates[: n - n // 5]),
        ):
            sub = [t[t["date"].isin(keep)] for t in (w.spend, w.revenue, w.controls)]
            f = roi.fit_incremental(*sub[:2], controls=sub[2], n_bootstrap=0)
            moved[label] = (solver._saturated(x, f.decay, f.half_saturation, f.hill_shape) * f.coef).sum(
                axis=0
            )
        for label, centre in (("shape prior 0.75", 0.75), ("shape prior 1.4", 1.4)):
            saved, solver.PRIOR_LOG_SHAPE = (
                solver.PRIOR_LOG_SHAPE,
                (np.log(centre), solver.PRIOR_LOG_SHAPE[1]),
            )
            try:
                moved[label] = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0).summary()[
                    "roas"].to_numpy()[: len(fit.channels)] * x.sum(axis=0)  # fmt: skip
            finally:
                solver.PRIOR_LOG_SHAPE = saved
        for r in part.itertuples():
            i = fit.channels.index(r.channel)
            others = np.column_stack([c, np.delete(h, i, axis=1)])
            resid = h[:, i] - others @ np.linalg.lstsq(others, h[:, i], rcond=None)[0]
            revenue = r.roas * x[:, i].sum()
            row = {"set": r.set, "seed": seed, "channel": r.channel, "error": r.error,
                   "sds off": r.error / r.relative_sd, "relative sd": r.relative_sd,
                   "stability": max(abs(moved[m][i] / revenue - 1) for m in ("drop first 20%", "drop last 20%")),
                   "vif": h[:, i].var() / resid.var(),
                   "prior moves": max(abs(moved[m][i] / revenue - 1) for m in ("shape prior 0.75", "shape prior 1.4"))}  # fmt: skip
            if abs(r.error) > 0.10:
                row["profile at truth"] = _profile_rise(fit, i, r.true)
                row["laplace at truth"] = row["sds off"] ** 2
            rows.append(row)
    return pd.DataFrame(rows)


def _print_diagnostics(diag: pd.DataFrame) -> None:
    near = diag[diag["error"].abs() > 0.10]
    print(near.round(3).to_string(index=False))
    rest = diag[diag["error"].abs() <= 0.10]
    columns = ["relative sd", "stability", "vif", "prior moves"]
    print("the other identified channels (within 10%), range:")
    print(rest[columns].agg(["min", "median", "max"]).round(3).to_string())


def _sample() -> pd.DataFrame:
    sample = project_root() / "data" / "sample"
    spend, orders = data.load_spend(sample), data.load_orders(sample)
    truth = synth.load_truth(sample).channels
    seconds, tables = {}, {}
    for intervals in ("posterior", "bootstrap"):
        start = time.perf_counter()
        fit = roi.fit_incremental(
            spend, roi.daily_revenue(orders), n_bootstrap=100, seed=7, intervals=intervals
        )
        seconds[intervals] = time.perf_counter() - start
        tables[intervals] = fit.summary().set_index("channel")
    table = tables["posterior"]
    table = table.assign(true=[truth[c]["roas"] for c in table.index],
                         relative_sd=pd.Series(fit.roas_relative_sd, index=fit.channels),
                         boot_lower=tables["bootstrap"]["ci_lower"], boot_upper=tables["bootstrap"]["ci_upper"],
                         identifiable_boot=tables["bootstrap"]["identifiable"],
                         identified_before=dataclasses.replace(fit, roas_relative_sd=None).summary()
                         .set_index("channel")["identifiable"])  # fmt: skip
    table["error"] = table["roas"] / table["true"] - 1
    print(f"\nsample: incremental fit with 100 posterior draws {seconds['posterior']:.1f} s, with 100 bootstrap "
          f"refits {seconds['bootstrap']:.1f} s (ratio {seconds['bootstrap'] / seconds['posterior']:.1f}; "
          "target 10 s)")  # fmt: skip
    columns = ["true", "roas", "error", "ci_lower", "ci_upper", "boot_lower", "boot_upper", "relative_sd",
               "identifiable", "identifiable_boot"]  # fmt: skip
    print(table[columns].round(3).to_string())
    return table


#: Priors tried instead of `socialreturns.roi.solver`'s, each as {name: (centre, scale)}.
VARIANTS = {
    "shape prior centred on 1.2": {"PRIOR_LOG_SHAPE": (np.log(1.2), 0.4)},
    "shape prior centred on 1.3": {"PRIOR_LOG_SHAPE": (np.log(1.3), 0.4)},
    "shape prior scale 0.25": {"PRIOR_LOG_SHAPE": (0.0, 0.25)},
    "shape prior scale 0.8": {"PRIOR_LOG_SHAPE": (0.0, 0.8)},
    "shape fixed at 1 (scale 0.02)": {"PRIOR_LOG_SHAPE": (0.0, 0.02)},
    "shape fixed at 1.3 (scale 0.02)": {"PRIOR_LOG_SHAPE": (np.log(1.3), 0.02)},
    "half-saturation prior scale 0.5": {"PRIOR_LOG_HALF_RATIO": (0.0, 0.5)},
    "decay prior (0.4, 0.15)": {"PRIOR_DECAY": (0.4, 0.15)},
}


def _variants() -> pd.DataFrame:
    """The MAP's share within 15%, median and worst error per set under each of `VARIANTS`."""
    scenarios = {seed: _scenario(seed) for seeds in SETS.values() for seed in seeds}
    rows = {}
    for label, priors in {"as fitted": {}, **VARIANTS}.items():
        saved = {name: getattr(solver, name) for name in priors}
        try:
            for name, value in priors.items():
                setattr(solver, name, value)
            for set_name, seeds in SETS.items():
                err = []
                for seed in seeds:
                    w = scenarios[seed]
                    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
                    roas = fit.summary().set_index("channel")["roas"]
                    err += [abs(roas[c] / t - 1) for c, t in w.truth_roas.items()]
                rows[(label, set_name)] = {"within 15%": f"{np.mean(np.array(err) <= 0.15):.0%}",
                                           "median": f"{np.median(err):.1%}", "worst": f"{max(err):.0%}"}  # fmt: skip
        finally:
            for name, value in saved.items():
                setattr(solver, name, value)
    return pd.DataFrame(rows).T


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--channels", action="store_true", help="print every channel's row")
    parser.add_argument("--skip-sample", action="store_true", help="skip the sample's fit")
    parser.add_argument("--variants", action="store_true", help="the MAP under the other priors tried")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    start = time.perf_counter()
    frame = pd.concat([_channels(name, seeds) for name, seeds in SETS.items()], ignore_index=True)
    print(f"{len(frame)} confounded channels fitted in {time.perf_counter() - start:.0f} s\n")
    print("oracle: the same design and controls with the generator's curves (all, or all but one parameter):")
    print(_oracle_summary(frame).to_string())
    print()
    print(_summary(frame).to_string())
    print(f"\nthe three sets, the default flag (roi.MAX_ROAS_RELATIVE_SD = {roi.MAX_ROAS_RELATIVE_SD}):")
    print(_three_sets(frame).to_string())
    sample = None if args.skip_sample else _sample()
    print("\nthe flag's threshold (exp.: the posterior's expected count of identified channels off):")
    print(_trade_off(frame, sample).to_string(index=False))
    print("\nidentified channels more than 10% off: what the data said")
    _print_diagnostics(_diagnostics(frame))
    if args.channels:
        print()
        print(frame.drop(columns=["set", "oracle_lo", "oracle_hi"]).round(3).to_string(index=False))
    if args.variants:
        print("\nthe MAP (no replicates) under other priors:")
        print(_variants().to_string())


if __name__ == "__main__":
    main()
