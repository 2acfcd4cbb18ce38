"""The plan: what a steady monthly spend earns on the fitted response curves, shaped by the
demand forecast, its cash flows and investment figures, and history beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns import finance, forecast, roi
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA, norm_ppf


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
        Multiplies the revenue (a scenario's or the tornado's assumption); 1 is the fitted curve.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``spend`` (currency per month), ``revenue`` (expected incremental revenue,
        currency per month at the demand of the data), ``roas``.
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
    """Monthly revenue without the fitted paid-social contributions (the model's business as
    usual): actual revenue minus the fitted incremental revenue, per calendar month (currency)."""
    daily = fit.revenue - fit.contributions().sum(axis=1)
    frame = pd.DataFrame({"date": daily.index, "revenue": daily.to_numpy()})
    return forecast.monthly(frame, time="date", value="revenue").rename("baseline")


def demand_index(
    outlook: pd.DataFrame, *, demand_scaling: bool = True, demand_scale: float = 1.0
) -> pd.DataFrame:
    """The forecast's monthly shape around its first year's level, and its uncertainty.

    Parameters
    ----------
    outlook
        From `socialreturns.forecast.forecast`: ``month``, ``mean``, ``ci_lower``, ``ci_upper``.
    demand_scaling
        Scale the plan month by month by the forecast (its season and growth); False holds every
        month at 1 (the demand of the data), keeping the forecast's uncertainty.
    demand_scale
        Multiplies the index (0.8: demand 20% below the forecast), a scenario's assumption.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``index`` (each month's mean forecast over the mean of the first twelve
        forecast months, so the first year averages 1, times ``demand_scale``) and ``sd`` (the
        forecast's standard deviation, from its interval, on the same scale).

    Notes
    -----
    The response curves were estimated at the demand of the data; the index lets a plan earn
    more in a strong month and less in a weak one without assuming that paid social grows
    with every other revenue source, and turns forecast uncertainty into monthly noise.
    """
    if not demand_scale > 0:
        raise InputError(f"is {demand_scale!r}", key="demand_scale", expected="a positive factor, e.g. 0.8")
    ref = outlook["mean"].iloc[:12].mean()
    alpha = outlook.attrs.get("alpha", ALPHA)
    sd = (outlook["ci_upper"] - outlook["ci_lower"]) / (2 * norm_ppf(1 - alpha / 2))
    index = outlook["mean"] / ref if demand_scaling else pd.Series(1.0, index=outlook.index)
    return pd.DataFrame({"month": outlook["month"], "index": index * demand_scale,
                         "sd": sd / ref * demand_scale})  # fmt: skip


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
    payback_months: float  # NaN: not within the horizon
    discounted_payback_months: float  # NaN: not within the horizon

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


def plan_roas(flows: pd.DataFrame) -> float:
    """The plan's ROAS over its horizon: incremental revenue over spend of `cash_flows` (the set-up
    cost left out)."""
    return float(flows["incremental_revenue"].sum() / flows["spend"].sum())


def history_vs_plan(recent: pd.DataFrame, flows: pd.DataFrame, returns: Returns) -> pd.DataFrame:
    """Last year's return on paid social (history) beside the plan's (future), one row each.

    Parameters
    ----------
    recent
        `socialreturns.roi.recent_returns` with its ``"all channels"`` row (history at the data's
        own margin, the same in every scenario).
    flows, returns
        The plan's `cash_flows` and their `evaluate`.

    Returns
    -------
    pandas.DataFrame
        ``view`` (``history: last 12 months`` / ``plan: next N months``), ``spend`` (media spend),
        ``setup_cost`` (the plan's only), ``incremental_revenue`` (currency), ``roas`` (revenue
        over media spend, as `plan_roas`), ``roi`` (incremental margin less spend and set-up cost,
        over both; at the data's margin for history, the scenario's for the plan), ``npv`` and
        ``irr_annual`` (the plan's only).
    """
    rows = recent[recent["channel"] == roi.ALL_CHANNELS]
    if len(rows) != 1:
        raise InputError("has no 'all channels' row", key="recent",
                         expected="roi.recent_returns(fit, margin_rate=..., total=True)")  # fmt: skip
    history = rows.iloc[0]
    setup = -float(flows["net_cash_flow"].iloc[0])
    spend = float(flows["spend"].sum())
    margin = float(flows["incremental_margin"].sum())
    rows = [
        {"view": "history: last 12 months", "spend": history["spend"], "setup_cost": np.nan,
         "incremental_revenue": history["incremental_revenue"], "roas": history["roas"], "roi": history["roi"],
         "npv": np.nan, "irr_annual": np.nan},
        {"view": f"plan: next {len(flows) - 1} months", "spend": spend, "setup_cost": setup,
         "incremental_revenue": float(flows["incremental_revenue"].sum()), "roas": plan_roas(flows),
         "roi": (margin - spend - setup) / (spend + setup), "npv": returns.npv, "irr_annual": returns.irr_annual},
    ]  # fmt: skip
    return pd.DataFrame(rows)
