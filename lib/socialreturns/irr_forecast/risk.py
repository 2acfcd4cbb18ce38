"""Risk: how wrong the model may be (from its time-ordered holdout), the Monte Carlo of the
programme, what that simulation includes, and the one-at-a-time sensitivity (tornado).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns import finance, roi
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError
from socialreturns.irr_forecast.plan import _per_day, _plan_spend, cash_flows, plan_revenue


@dataclass(frozen=True)
class ModelError:
    """How far the ROI model missed revenue it had not seen, as a share of paid social's revenue;
    see `model_error`."""

    sd: float  # relative error of paid social's incremental revenue (fraction, one sigma)
    blocks: tuple[float, ...]  # each held-out block's error over its incremental revenue (fraction)
    holdout_mape: float  # the holdout's mean absolute percentage error of total revenue (fraction)
    holdout_days: int  # days held out
    lift_residuals: tuple[float, ...] = ()  # each lift test: (implied - measured) / implied (fraction)

    @property
    def holdout_sd(self) -> float:
        """Root mean square of the held-out blocks' errors (fraction)."""
        return _rms(self.blocks)

    @property
    def lift_sd(self) -> float:
        """Root mean square of the lift tests' residuals (fraction); 0 without tests."""
        return _rms(self.lift_residuals)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``sd``, ``holdout_sd``, ``lift_sd``, ``holdout_mape``, ``holdout_days``,
        ``blocks`` and ``lift_tests`` (counts)."""
        return pd.DataFrame([{"sd": self.sd, "holdout_sd": self.holdout_sd, "lift_sd": self.lift_sd,
                              "holdout_mape": self.holdout_mape, "holdout_days": self.holdout_days,
                              "blocks": len(self.blocks), "lift_tests": len(self.lift_residuals)}])  # fmt: skip


def _rms(values: tuple[float, ...]) -> float:
    return float(np.sqrt(np.mean(np.square(values)))) if values else 0.0


def model_error(holdout: roi.Holdout, fit: roi.IncrementalFit, *, block_days: int = 28) -> ModelError:
    """The model's out-of-sample error on paid social's revenue, from a time-ordered holdout.

    Parameters
    ----------
    holdout
        `roi.holdout_check`: a fit that never saw the last weeks, and its prediction of them.
    fit
        The full fit, whose contributions say how much of the held-out revenue is paid social's.
    block_days
        The held-out days are cut into blocks of about a month (28 days, 4 weeks for weekly data).

    Returns
    -------
    ModelError
        ``holdout_sd`` = root mean square over blocks of ``Σ (predicted - actual) / Σ incremental
        revenue``. When the fit was calibrated by lift tests, each test's residual
        ``(implied - measured) / implied`` (the calibrated model's lift over the test's window,
        `roi.lift_tests`) is kept too, and ``sd`` is the larger of the two root mean squares.

    Raises
    ------
    InputError
        When the full fit gives paid social no revenue in a held-out block.

    Notes
    -----
    Conservative by design: every unit of revenue the holdout missed is charged to paid social,
    none to the baseline. A month's error is the unit because the plan earns month by month; the
    simulation draws it once per path (a model that is wrong stays wrong), not month by month.
    A lift test's residual also holds the test's own sampling error, so it too errs on the wide
    side; the larger of the two sources is taken rather than their pooled mean, because the
    calibrated fit was pulled towards the tests (its residuals understate its error elsewhere).
    """
    frame = holdout.frame[holdout.frame["holdout"].to_numpy()]
    dates = pd.DatetimeIndex(frame["date"])
    contribution = fit.contributions().sum(axis=1).reindex(dates).to_numpy()
    err = (frame["predicted"] - frame["actual"]).to_numpy()
    block = ((dates - dates.min()).days // block_days).to_numpy()
    ratios = []
    for b in np.unique(block):
        inside = block == b
        paid = np.nansum(contribution[inside])
        if not paid > 0:
            raise InputError("gives paid social no revenue in a held-out month", key="holdout",
                             expected="a fit with paid-social revenue in the held-out weeks")  # fmt: skip
        ratios.append(float(err[inside].sum() / paid))
    days = int((dates.max() - dates.min()).days + (1 if fit.freq == "D" else 7))
    tests = roi.lift_tests(fit)
    lifts = tuple(((tests["lift_calibrated"] - tests["measured"]) / tests["lift_calibrated"]).astype(float))
    return ModelError(max(_rms(tuple(ratios)), _rms(lifts)), tuple(ratios), holdout.mape, days, lifts)


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo of the programme; see `simulate`."""

    paths: pd.DataFrame  # one row per simulation: npv, irr_annual, payback_months (NaN: beyond the horizon)
    prob_irr_above_hurdle: float
    prob_npv_positive: float

    def percentiles(self, q: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
        """Percentiles of NPV, annual IRR and payback months: one row per quantile. A payback
        percentile that lies beyond the horizon is NaN (never the percentile of the paths that
        did pay back)."""
        out = self.paths.drop(columns="payback_months").quantile(list(q))
        payback = self.paths["payback_months"].fillna(np.inf).to_numpy()
        out["payback_months"] = np.quantile(payback, list(q), method="inverted_cdf")
        out["payback_months"] = out["payback_months"].replace(np.inf, np.nan)
        return out.rename_axis("quantile").reset_index()


def simulate(
    fit: roi.IncrementalFit,
    spend_plan: dict[str, float],
    demand: pd.DataFrame,
    *,
    setup_cost: float,
    margin_rate: float,
    cost_of_capital_monthly: float,
    hurdle_rate_annual: float,
    model_error_sd: float = 0.0,
    roas_scale: float = 1.0,
    n_sims: int = 10_000,
    seed: int = 0,
) -> Simulation:
    """Monte Carlo over the response curves, demand and the model's own error.

    Each simulation draws one replicate of the response curves (their joint
    uncertainty, from `roi.fit_incremental`), a demand path (each month's index drawn from its
    forecast distribution) and one model-error factor on the plan's incremental revenue
    (log-normal with mean 1 and log-sd ``model_error_sd``, held for the whole path), builds the
    cash flows and evaluates them; all IRRs are solved together by the batch `finance.irr`.

    Parameters
    ----------
    demand
        From `demand_index`: ``index`` and ``sd`` per forecast month (the horizon).
    model_error_sd
        `ModelError.sd` (fraction); 0 leaves the model's error out.
    roas_scale
        Multiplies the curves' revenue, as in `plan_revenue`.
    """
    if not 0 <= model_error_sd <= 5:
        raise InputError(f"is {model_error_sd!r}", key="model_error_sd", expected="a fraction from 0 to 5")
    rng = np.random.default_rng(seed)
    monthly_spend = _plan_spend(fit, spend_plan)
    periods = DAYS_PER_MONTH * _per_day(fit)
    reps = roi.curve_replicates(fit)
    if reps["coef"].shape[0] == 0:
        raise InputError("the ROI fit has no bootstrap replicates", key="n_bootstrap",
                         expected="an ROI fit with n_bootstrap of 20 or more")  # fmt: skip
    pick = rng.integers(0, reps["coef"].shape[0], n_sims)
    per_period = roi.steady_revenue(
        monthly_spend / periods, reps["adstock_decay"][pick], reps["half_saturation"][pick],
        reps["hill_shape"][pick], reps["coef"][pick],
    ).sum(axis=1)  # fmt: skip
    horizon = len(demand)
    index = demand["index"].to_numpy() + demand["sd"].to_numpy() * rng.standard_normal((n_sims, horizon))
    wrong = np.exp(model_error_sd * rng.standard_normal(n_sims) - model_error_sd**2 / 2)
    revenue = (per_period * roas_scale * wrong)[:, None] * periods * np.maximum(index, 0.0)
    net = np.empty((n_sims, horizon + 1))
    net[:, 0] = -setup_cost
    net[:, 1:] = revenue * margin_rate - monthly_spend.sum()
    irr_m = np.asarray(finance.irr(net))
    paths = pd.DataFrame({
        "npv": np.asarray(finance.npv(cost_of_capital_monthly, net)),
        "irr_annual": (1 + irr_m) ** 12 - 1,
        "payback_months": np.asarray(finance.payback_period(net)),
    })  # fmt: skip
    return Simulation(
        paths=paths,
        prob_irr_above_hurdle=float(np.mean(paths["irr_annual"] > hurdle_rate_annual)),
        prob_npv_positive=float(np.mean(paths["npv"] > 0)),
    )


#: How each of `roi.IncrementalFit.intervals`'s replicates is made, in a reader's words.
REPLICATE_WORDS = {
    "posterior": "draws from the curves' posterior",
    "bootstrap": "bootstrap refits of the curves",
}


def simulation_scope(
    error: ModelError | None, *, n_bootstrap: int, demand_scaling: bool, intervals: str = "posterior"
) -> str:
    """Markdown: what the simulation draws, and what it leaves out, for the report. ``intervals``
    is the ROI fit's `IncrementalFit.intervals` (how its ``n_bootstrap`` replicates were made)."""
    drawn = [
        f"the response curves: one of the ROI fit's {n_bootstrap} {REPLICATE_WORDS[intervals]} per path",
        "demand: each month's index from the business-as-usual forecast's interval"
        + ("" if demand_scaling else " (around 1: demand_scaling is off)"),
    ]
    if error is None or error.sd == 0:
        drawn.append("not the model's own error (no holdout given)")
    else:
        drawn.append(
            f"the model's own error: one factor per path on the plan's incremental revenue, log-normal with "
            f"sd {error.sd:.0%}, from the {error.holdout_days}-day time-ordered holdout: in its "
            f"{len(error.blocks)} held-out month{'' if len(error.blocks) == 1 else 's'} a fit that had not seen "
            f"them predicted revenue "
            f"{', '.join(_miss(r) for r in error.blocks)}, counted as a share of paid social's revenue (all of "
            f"the miss is charged to paid social; as a share of total revenue the holdout's error is "
            f"{error.holdout_mape:.1%})" + _lift_words(error)
        )
    left_out = [
        "flighting: the plan is assumed spent evenly; spent in bursts as in history it earns nearer history's "
        "ROAS (see the reconciliation)",
        "the margin rate, the cost of capital, the set-up cost and the horizon, which are held at the "
        "scenario's values (the tornado below moves them)",
        "competitors' reactions and changes of the curves after the data ends",
    ]
    if error is None or not error.lift_residuals:
        left_out.insert(1, "lift tests' residuals: this data has no lift tests (`experiments.csv`)")
    return ("**The simulation includes**\n\n" + "\n".join(f"- {d}" for d in drawn)
            + "\n\n**It does not include**\n\n" + "\n".join(f"- {d}" for d in left_out))  # fmt: skip


def _miss(share: float) -> str:
    """A held-out month's miss in words: "20% under", "5% over"."""
    return f"{abs(share):.0%} {'under' if share < 0 else 'over'}"


def _lift_words(error: ModelError) -> str:
    """The lift tests' part of the model-error sentence (empty without tests)."""
    if not error.lift_residuals:
        return ""
    larger = "the lift tests'" if error.lift_sd > error.holdout_sd else "the holdout's"
    return (
        f"; and from {len(error.lift_residuals)} lift test{'' if len(error.lift_residuals) == 1 else 's'}, "
        f"whose measured lift the calibrated model "
        f"misses by {', '.join(f'{r:+.0%}' for r in error.lift_residuals)} of its own (sd "
        f"{error.lift_sd:.0%} against the holdout's {error.holdout_sd:.0%}; the sd drawn is {larger})"
    )


def tornado(
    fit: roi.IncrementalFit,
    spend_plan: dict[str, float],
    demand: pd.DataFrame,
    *,
    setup_cost: float,
    margin_rate: float,
    cost_of_capital_annual: float,
    roas_scale: float = 1.0,
    swing: float = 0.2,
) -> pd.DataFrame:
    """NPV when each driver moves down and up by ``swing`` (a fraction), the others held.

    Returns ``driver``, ``low`` (NPV at -swing), ``high`` (NPV at +swing), ``base``, ``range``
    (``|high - low|``), sorted by range, largest first. Drivers: cost of capital, margin rate,
    spend (the whole plan, through the curves), ROAS (the curves' revenue, around ``roas_scale``),
    horizon and set-up cost.
    """

    h = len(demand)

    def npv(coc=cost_of_capital_annual, margin=margin_rate, spend=1.0, roas=1.0,
            horizon=h, setup=setup_cost) -> float:  # fmt: skip
        plan = {c: v * spend for c, v in spend_plan.items()}
        per_month = plan_revenue(fit, plan, roas_scale=roas * roas_scale)["revenue"].sum()
        idx = demand["index"].to_numpy()
        idx = np.resize(idx, horizon)  # a longer horizon repeats the forecast year
        flows = cash_flows(setup_cost=setup, monthly_spend=sum(plan.values()),
                           monthly_revenue=per_month * idx, margin_rate=margin,
                           cost_of_capital_monthly=finance.annual_to_periodic(coc, 12))  # fmt: skip
        return float(flows["discounted"].sum())

    base = npv()
    rows = [
        ("cost of capital", npv(coc=cost_of_capital_annual * (1 - swing)),
         npv(coc=cost_of_capital_annual * (1 + swing))),
        ("margin rate", npv(margin=margin_rate * (1 - swing)), npv(margin=margin_rate * (1 + swing))),
        ("spend", npv(spend=1 - swing), npv(spend=1 + swing)),
        ("ROAS", npv(roas=1 - swing), npv(roas=1 + swing)),
        ("horizon", npv(horizon=max(1, round(h * (1 - swing)))), npv(horizon=round(h * (1 + swing)))),
        ("set-up cost", npv(setup=setup_cost * (1 - swing)), npv(setup=setup_cost * (1 + swing))),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["driver", "low", "high"])
    out["base"] = base
    out["range"] = (out["high"] - out["low"]).abs()
    return out.sort_values("range", ascending=False, ignore_index=True)
