"""Why the plan's ROAS differs from history's: one step at a time, each a number a finance reader
can check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialreturns import roi
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.irr_forecast.plan import _per_day, _plan_spend


def _steady_roas(fit: roi.IncrementalFit, per_period: np.ndarray) -> float:
    """ROAS of a steady spend per period and channel on the fitted curves."""
    revenue = roi.steady_revenue(per_period, fit.decay, fit.half_saturation, fit.hill_shape, fit.coef)
    return float(revenue.sum() / per_period.sum())


def _shares(channels: list[str], spend: np.ndarray) -> str:
    share = spend / spend.sum()
    return ", ".join(f"{c} {s:.0%}" for c, s in zip(channels, share, strict=True) if s > 0)


def _level_words(plan_total: float, history_total: float) -> str:
    """Why the plan's total moves ROAS, in the direction it moves: saturating curves earn more per
    unit lower down.

    >>> _level_words(90.0, 100.0)
    "(less than history's: lower spend sits higher on saturating curves)"
    >>> _level_words(100.0, 100.0)
    "(history's total)"
    """
    if np.isclose(plan_total, history_total, rtol=1e-3):
        return "(history's total)"
    if plan_total < history_total:
        return "(less than history's: lower spend sits higher on saturating curves)"
    return (
        "(more than history's: more spend sits further along saturating curves, where each unit earns less)"
    )


def reconcile(
    fit: roi.IncrementalFit,
    spend_plan: dict[str, float],
    demand: pd.DataFrame,
    *,
    roas_scale: float = 1.0,
    demand_scaling: bool = True,
    demand_scale: float = 1.0,
    currency: str = "",
    history_days: int = 365,
) -> pd.DataFrame:
    """Decompose the plan's ROAS against history's in steps, each changing one thing.

    Parameters
    ----------
    fit
        The ROI fit whose curves the plan is read off.
    spend_plan
        Channel → spend per month (currency per month).
    demand
        `demand_index` over the plan's horizon (already scaled and shaped as the plan is).
    roas_scale, demand_scaling, demand_scale
        The scenario's assumptions, as passed to `plan_revenue` and `demand_index`; they only
        word the explanations (the numbers come from ``demand`` and ``roas_scale``).
    currency
        Named in the explanations (plain text: show the frame with `plots.table`, which escapes it).
    history_days
        The history window (365: the last 12 months).

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step``, ``roas`` (incremental revenue per unit of spend after the
        step), ``change`` (relative to the step before, fraction), ``explanation``. The steps:
        history as flighted (`roi.recent_roas`), the same spend per channel held steady, the
        plan's channel mix at history's total, the plan's total, the scenario's ROAS scale, and
        demand; the last ``roas`` is the plan's (`plan_roas` of its cash flows).

    Notes
    -----
    Steady spend reads the curves at their steady state (`roi.steady_revenue`); on saturating
    curves spreading a budget evenly earns more than spending it in bursts, and a smaller budget
    sits higher on the curves. The demand step multiplies by the mean of the demand index over
    the horizon, because the plan's revenue is its steady monthly revenue times each month's index.
    """
    periods_per_month = DAYS_PER_MONTH * _per_day(fit)
    history = roi.recent_roas(fit, days=history_days)
    steady = roi.current_spend(fit, recent_days=history_days).to_numpy()  # the window's mean spend
    plan = _plan_spend(fit, spend_plan) / periods_per_month
    mix = plan / plan.sum() * steady.sum()
    level = _steady_roas(fit, plan)
    factor = float(np.mean(demand["index"]))
    months = len(demand)
    unit = f" {currency}" if currency else ""
    demand_text = (
        f"plan scaled by forecast demand: each month earns in proportion to the business-as-usual forecast, "
        f"whose index averages {factor / demand_scale:.2f} over the {months} months (1 = the forecast's first year)"
        if demand_scaling
        else "plan not scaled by forecast demand: every month at the demand of the data (index 1)"
    ) + (f", times the scenario's demand scale {demand_scale:g}" if demand_scale != 1 else "")
    rows = [
        ("history as flighted", history,
         f"fitted incremental revenue over spend in the last {history_days} days of the data, spent as it "
         f"was (in bursts), every modelled channel ({_shares(fit.channels, steady)})"),
        ("the same spend held steady", _steady_roas(fit, steady),
         "each channel's spend of those days spread evenly, read off its response curve at steady state"),
        ("the plan's mix", _steady_roas(fit, mix),
         f"the plan's channel shares ({_shares(fit.channels, plan)}) at history's total of "
         f"{steady.sum() * periods_per_month:,.0f}{unit} a month"),
        ("the plan's level", level,
         f"the plan's total of {plan.sum() * periods_per_month:,.0f}{unit} a month "
         + _level_words(plan.sum(), steady.sum())),
        ("the scenario's ROAS scale", level * roas_scale,
         f"the scenario multiplies the curves' revenue by {roas_scale:g}" if roas_scale != 1
         else "ROAS scale 1: the fitted curves as they are"),
        ("demand: the plan", level * roas_scale * factor, demand_text),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["step", "roas", "explanation"])
    out.insert(2, "change", out["roas"] / out["roas"].shift() - 1)
    return out
