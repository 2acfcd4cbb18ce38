"""IRR forecasting: a social programme's future cash flows, their NPV, IRR, payback and risk.

The programme spends a setup cost at month 0 and a monthly plan per channel. What it earns is
the incremental gross margin of that spend, read off the ROI module's fitted response curves
(`socialreturns.roi`) and shaped month by month by the business-as-usual demand forecast
(`socialreturns.forecast`, see `demand_index`). Monthly cash flow = incremental revenue x
margin rate - spend. Rates are annual fractions in parameters and converted by compounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from socialreturns import finance, forecast, roi
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA, norm_ppf
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures
from socialreturns.parameters import (
    AMOUNT,
    ANNUAL_RATE,
    MARGIN_RATE,
    MAX_AMOUNT,
    SEED,
    NotebookParameters,
    check_data_dir,
    check_rules,
    param,
)

#: The figures the IRR notebook records (its record contract; `socialreturns.summary` reads them).
FIGURES = Figures(
    "irr_forecast",
    Figure(
        "backtest_mase", "mean absolute scaled error of the rolling-origin backtest", "ratio", per="method"
    ),
    Figure("npv", "net present value of the programme at the cost of capital", "currency"),
    Figure("irr", "internal rate of return of the programme, annual", "fraction"),
    Figure("mirr", "modified IRR (finance and reinvestment at the cost of capital), annual", "fraction"),
    Figure("payback_months", "months until the cumulative cash flow turns positive", "months"),
    Figure("prob_irr_above_hurdle", "share of simulations whose IRR beats the hurdle rate", "fraction"),
    Figure("prob_npv_positive", "share of simulations with a positive NPV", "fraction"),
)


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the IRR forecasting notebook: the same names, types and defaults as its
    parameters cell, which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "irr_forecast"

    data_dir: str = "data/sample"
    cost_of_capital_annual: float = param(0.09, ANNUAL_RATE)
    hurdle_rate_annual: float = param(0.15, expected="an annual rate as a fraction above -1 and below 5, e.g. 0.15",
                                      gt=-1, lt=5)  # fmt: skip
    horizon_months: int = param(24, expected="1 to 120 months", ge=1, le=120)
    setup_cost: float = param(250000.0, AMOUNT)
    spend_plan: dict[str, float] = param(
        {"facebook": 7600, "instagram": 7300, "tiktok": 6100, "youtube": 5800},
        expected="a monthly spend from 0 to 1e12 per channel (currency per month)",
        ge=0,
        le=MAX_AMOUNT,
    )
    margin_rate: float = param(0.4, MARGIN_RATE)
    # 200,000 paths of 120 months are 0.2 GB per array, several of which are alive at once
    n_sims: int = param(10000, expected="100 to 200,000 simulations", ge=100, le=200_000)
    seed: int = param(0, SEED)
    n_bootstrap: int = param(100, expected="20 to 5,000 replicates", ge=20, le=5000)
    currency: str = "EUR"
    forecast_method: str = param(
        "ets", expected="one of " + ", ".join(forecast.METHODS), choices=forecast.METHODS
    )

    def check(self) -> None:
        """The plan names a channel and spends nothing negative; the data folder exists."""
        check_rules(self, [("spend_plan", bool(self.spend_plan) and min(self.spend_plan.values()) >= 0,
                            "at least one channel, each with a monthly spend of 0 or more (currency per month)")])  # fmt: skip
        check_data_dir(self.data_dir)

    @property
    def cost_of_capital_monthly(self) -> float:
        """The cost of capital per month, compounding to the annual rate."""
        return finance.annual_to_periodic(self.cost_of_capital_annual, 12)


def _per_day(fit: roi.IncrementalFit) -> float:
    """Periods of the fit per day (1 for daily data, 1/7 for weekly)."""
    return 1.0 if fit.freq == "D" else 1.0 / 7.0


def _plan_spend(fit: roi.IncrementalFit, spend_plan: dict[str, float]) -> np.ndarray:
    unknown = [c for c in spend_plan if c not in fit.channels]
    if unknown:
        raise InputError(
            f"names channel '{unknown[0]}', which the ROI model has no response curve for",
            key="spend_plan",
            expected="channels among " + ", ".join(fit.channels),
        )
    return np.array([float(spend_plan.get(c, 0.0)) for c in fit.channels])


def plan_revenue(
    fit: roi.IncrementalFit, spend_plan: dict[str, float], *, roas_scale: float = 1.0
) -> pd.DataFrame:
    """Expected incremental revenue per month of a steady monthly spend plan, per channel.

    Parameters
    ----------
    fit
        The ROI module's fitted response curves.
    spend_plan
        Channel → spend per month (currency per month); channels left out spend nothing.
    roas_scale
        Multiplies the revenue (for sensitivity analysis); 1 is the fitted curve.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``spend`` (currency per month), ``revenue`` (expected incremental revenue,
        currency per month at last year's demand), ``roas``.
    """
    monthly = _plan_spend(fit, spend_plan)
    periods = DAYS_PER_MONTH * _per_day(fit)
    per_period = roi.steady_revenue(monthly / periods, fit.decay, fit.half_saturation,
                                    fit.hill_shape, fit.coef)  # fmt: skip
    revenue = per_period * periods * roas_scale
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(monthly > 0, revenue / monthly, np.nan)
    return pd.DataFrame({"channel": fit.channels, "spend": monthly, "revenue": revenue,
                         "roas": ratio})  # fmt: skip


def baseline_revenue(fit: roi.IncrementalFit) -> pd.Series:
    """Monthly revenue without the fitted paid-social contributions (business as usual):
    actual revenue minus the fitted incremental revenue, per calendar month (currency)."""
    daily = fit.revenue - fit.contributions().sum(axis=1)
    frame = pd.DataFrame({"date": daily.index, "revenue": daily.to_numpy()})
    return forecast.monthly(frame, time="date", value="revenue").rename("baseline")


def demand_index(outlook: pd.DataFrame) -> pd.DataFrame:
    """The forecast's monthly shape around its first year's level, and its uncertainty.

    Returns ``month``, ``index`` (each month's mean forecast over the mean of the first twelve
    forecast months, so the first year averages 1) and ``sd`` (the forecast's standard
    deviation, from its interval, on the same scale).

    Notes
    -----
    The response curves were estimated at the demand of the data; the index lets a plan earn
    more in a strong month and less in a weak one without assuming that paid social grows
    with every other revenue source, and turns forecast uncertainty into monthly noise.
    """
    ref = outlook["mean"].iloc[:12].mean()
    alpha = outlook.attrs.get("alpha", ALPHA)
    sd = (outlook["ci_upper"] - outlook["ci_lower"]) / (2 * norm_ppf(1 - alpha / 2))
    return pd.DataFrame({"month": outlook["month"], "index": outlook["mean"] / ref,
                         "sd": sd / ref})  # fmt: skip


def cash_flows(
    *,
    setup_cost: float,
    monthly_spend: float,
    monthly_revenue: np.ndarray,
    margin_rate: float,
    cost_of_capital_monthly: float,
) -> pd.DataFrame:
    """The programme's monthly cash flows, month 0 the setup.

    Returns
    -------
    pandas.DataFrame
        ``month`` (0 to horizon), ``spend``, ``incremental_revenue``, ``incremental_margin``,
        ``net_cash_flow`` (margin - spend; - setup cost at month 0), ``discounted`` (at the
        monthly cost of capital), ``cumulative`` and ``cumulative_discounted`` (currency).
    """
    revenue = np.r_[0.0, np.asarray(monthly_revenue, dtype=float)]
    spend = np.r_[0.0, np.full(revenue.size - 1, monthly_spend)]
    margin = revenue * margin_rate
    net = margin - spend
    net[0] -= setup_cost
    month = np.arange(revenue.size)
    discounted = net / (1 + cost_of_capital_monthly) ** month
    return pd.DataFrame({
        "month": month, "spend": spend, "incremental_revenue": revenue,
        "incremental_margin": margin, "net_cash_flow": net, "discounted": discounted,
        "cumulative": np.cumsum(net), "cumulative_discounted": np.cumsum(discounted),
    })  # fmt: skip


@dataclass(frozen=True)
class Returns:
    """The investment figures of one set of cash flows."""

    npv: float  # currency, at the cost of capital
    irr_annual: float  # fraction per year (monthly IRR compounded)
    mirr_annual: float  # fraction per year, financing and reinvesting at the cost of capital
    payback_months: float
    discounted_payback_months: float

    def to_frame(self) -> pd.DataFrame:
        """The figures as one row."""
        return pd.DataFrame([self.__dict__])


def evaluate(flows: pd.DataFrame, *, cost_of_capital_monthly: float) -> Returns:
    """NPV, IRR, MIRR and payback of the ``net_cash_flow`` column of `cash_flows`."""
    v = flows["net_cash_flow"].to_numpy()
    irr_m = finance.irr(v)
    mirr_m = finance.mirr(v, cost_of_capital_monthly, cost_of_capital_monthly)
    return Returns(
        npv=float(finance.npv(cost_of_capital_monthly, v)),
        irr_annual=float(finance.periodic_to_annual(irr_m, 12)) if np.isfinite(irr_m) else np.nan,
        mirr_annual=float(finance.periodic_to_annual(mirr_m, 12)) if np.isfinite(mirr_m) else np.nan,
        payback_months=float(finance.payback_period(v)),
        discounted_payback_months=float(finance.discounted_payback_period(cost_of_capital_monthly, v)),
    )


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo of the programme; see `simulate`."""

    paths: pd.DataFrame  # one row per simulation: npv, irr_annual, payback_months
    prob_irr_above_hurdle: float
    prob_npv_positive: float

    def percentiles(self, q: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
        """Percentiles of NPV, annual IRR and payback months: one row per quantile."""
        return self.paths.quantile(list(q)).rename_axis("quantile").reset_index()


def simulate(
    fit: roi.IncrementalFit,
    spend_plan: dict[str, float],
    demand: pd.DataFrame,
    *,
    setup_cost: float,
    margin_rate: float,
    cost_of_capital_monthly: float,
    hurdle_rate_annual: float,
    n_sims: int = 10_000,
    seed: int = 0,
) -> Simulation:
    """Monte Carlo over response-curve and demand uncertainty.

    Each simulation draws one bootstrap replicate of the response curves (their joint
    uncertainty, from `roi.fit_incremental`) and a demand path (each month's index drawn from
    its forecast distribution), builds the cash flows and evaluates them; all IRRs are solved
    together by the batch `finance.irr`.

    Parameters
    ----------
    demand
        From `demand_index`: ``index`` and ``sd`` per forecast month (the horizon).
    """
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
    revenue = per_period[:, None] * periods * np.maximum(index, 0.0)
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


def tornado(
    fit: roi.IncrementalFit,
    spend_plan: dict[str, float],
    demand: pd.DataFrame,
    *,
    setup_cost: float,
    margin_rate: float,
    cost_of_capital_annual: float,
    swing: float = 0.2,
) -> pd.DataFrame:
    """NPV when each driver moves down and up by ``swing`` (a fraction), the others held.

    Returns ``driver``, ``low`` (NPV at -swing), ``high`` (NPV at +swing), ``base``, ``range``
    (``|high - low|``), sorted by range, largest first. Drivers: cost of capital, margin rate,
    spend (the whole plan, through the curves), ROAS (the curves' revenue) and horizon.
    """

    h = len(demand)

    def npv(coc=cost_of_capital_annual, margin=margin_rate, spend=1.0, roas=1.0,
            horizon=h) -> float:  # fmt: skip
        plan = {c: v * spend for c, v in spend_plan.items()}
        per_month = plan_revenue(fit, plan, roas_scale=roas)["revenue"].sum()
        idx = demand["index"].to_numpy()
        idx = np.resize(idx, horizon)  # a longer horizon repeats the forecast year
        flows = cash_flows(setup_cost=setup_cost, monthly_spend=sum(plan.values()),
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
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["driver", "low", "high"])
    out["base"] = base
    out["range"] = (out["high"] - out["low"]).abs()
    return out.sort_values("range", ascending=False, ignore_index=True)


def conclusions(
    returns: Returns,
    sim: Simulation,
    *,
    cost_of_capital_annual: float,
    hurdle_rate_annual: float,
    currency: str,
) -> str:
    """Markdown conclusions of the IRR report; every number comes from the arguments."""
    p = sim.percentiles((0.05, 0.95)).set_index("quantile")
    verdict = "clears" if returns.irr_annual > hurdle_rate_annual else "does not clear"
    lines = [
        f"- At a {cost_of_capital_annual:.0%} cost of capital the plan's NPV is "
        f"**{returns.npv:,.0f} {md(currency)}**, its IRR **{returns.irr_annual:.1%} a year**, with a "
        f"**{sim.prob_irr_above_hurdle:.0%} chance of beating the {hurdle_rate_annual:.0%} "
        f"hurdle** (the expected plan {verdict} it).",
        f"- NPV ranges from {p.loc[0.05, 'npv']:,.0f} to {p.loc[0.95, 'npv']:,.0f} {md(currency)} "
        f"(5th to 95th percentile); the chance of a positive NPV is {sim.prob_npv_positive:.0%}.",
        (
            f"- Payback after {returns.payback_months:.1f} months "
            f"({returns.discounted_payback_months:.1f} months discounted)"
            if np.isfinite(returns.payback_months)
            else "- The plan does not pay back its set-up cost within the horizon"
        )
        + f"; MIRR {returns.mirr_annual:.1%} a year, reinvesting at the cost of capital.",
    ]
    return "\n".join(lines)


def history_vs_plan(
    fit: roi.IncrementalFit,
    plan: pd.DataFrame,
    flows: pd.DataFrame,
    returns: Returns,
    *,
    margin_rate: float,
    history_days: int = 365,
) -> pd.DataFrame:
    """Last year's return on paid social (history) beside the plan's (future), one row each.

    Returns
    -------
    pandas.DataFrame
        ``view`` (``history: last 12 months`` / ``plan: next N months``), ``spend``,
        ``incremental_revenue`` (currency), ``roas``, ``roi`` (incremental margin less spend,
        over spend; the plan's includes its set-up cost), ``npv`` and ``irr_annual`` (the
        plan's only).
    """
    end = fit.dates.max()
    recent = fit.dates > end - pd.Timedelta(days=history_days)
    spend = float(fit.spend[recent].to_numpy().sum())
    revenue = float(fit.contributions()[recent].to_numpy().sum())
    setup = -float(flows["net_cash_flow"].iloc[0])
    plan_spend = float(flows["spend"].sum())
    plan_revenue_total = float(flows["incremental_revenue"].sum())
    months = len(flows) - 1
    rows = [
        {"view": "history: last 12 months", "spend": spend, "incremental_revenue": revenue,
         "roas": revenue / spend, "roi": (revenue * margin_rate - spend) / spend,
         "npv": np.nan, "irr_annual": np.nan},
        {"view": f"plan: next {months} months", "spend": plan_spend + setup,
         "incremental_revenue": plan_revenue_total, "roas": plan_revenue_total / plan_spend,
         "roi": (plan_revenue_total * margin_rate - plan_spend - setup) / (plan_spend + setup),
         "npv": returns.npv, "irr_annual": returns.irr_annual},
    ]  # fmt: skip
    return pd.DataFrame(rows)
