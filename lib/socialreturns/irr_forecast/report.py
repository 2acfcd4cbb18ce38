"""The IRR notebook's parameters, record contract and the words of its page: the scenario's title
and assumptions against base, and the conclusions, rendered from the library's results."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from socialreturns import finance, forecast
from socialreturns.inputs import resolve
from socialreturns.irr_forecast.plan import Returns
from socialreturns.irr_forecast.risk import Simulation
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
    Figure(
        "main_driver",
        "the assumption whose 20% swing down and up moves the NPV most: driver, npv_low and npv_high (currency)",
        "table",
    ),
)

SCALE = "a factor above 0 and at most 3 (1 leaves the forecast as it is)"


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the IRR forecasting notebook: the same names, types and defaults as its
    parameters cell, which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "irr_forecast"

    scenario: str = param("base", expected="a short name of letters, digits, spaces, '-' or '_'")
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
    roas_scale: float = param(
        1.0, expected="a factor above 0 and at most 3 (1 is the fitted curves)", gt=0, le=3
    )
    demand_scaling: bool = True
    demand_scale: float = param(1.0, expected=SCALE, gt=0, le=3)
    # 200,000 paths of 120 months are 0.2 GB per array, several of which are alive at once
    n_sims: int = param(10000, expected="100 to 200,000 simulations", ge=100, le=200_000)
    seed: int = param(0, SEED)
    n_bootstrap: int = param(200, expected="20 to 5,000 replicates", ge=20, le=5000)
    currency: str = "EUR"
    forecast_method: str = param(
        "ets", expected="one of " + ", ".join(forecast.METHODS), choices=forecast.METHODS
    )

    def check(self) -> None:
        """The plan names a channel and spends nothing negative; the scenario has a name; the data
        folder exists."""
        check_rules(self, [
            ("spend_plan", bool(self.spend_plan) and min(self.spend_plan.values()) >= 0,
             "at least one channel, each with a monthly spend of 0 or more (currency per month)"),
            ("scenario", bool(self.scenario.strip()) and len(self.scenario) <= 60,
             "a name of 1 to 60 characters, e.g. stress"),
        ])  # fmt: skip
        check_data_dir(self.data_dir)

    @property
    def cost_of_capital_monthly(self) -> float:
        """The cost of capital per month, compounding to the annual rate."""
        return finance.annual_to_periodic(self.cost_of_capital_annual, 12)


def title(params: Parameters) -> str:
    """Markdown: the page's scenario title and the command that reruns this scenario."""
    name = params.scenario.strip()
    file = f"params/irr_forecast/{name}.yaml"
    rerun = (f"`socialreturns run irr_forecast --params {file}`" if resolve(file).is_file()
             else "`socialreturns run irr_forecast` with this run's parameters")  # fmt: skip
    return (f"# Scenario: {md(name)}\n\nThe programme under the **{md(name)}** assumptions, compared with "
            f"base in the table below. Rerun this scenario: {rerun}.")  # fmt: skip


def shown_assumption(name: str, value: Any, currency: str) -> str:
    """A parameter's value as the assumptions table (and the index) reads it: rates as percents,
    amounts with separators and the currency, the spend plan with its monthly total.

    >>> shown_assumption("cost_of_capital_annual", 0.12, "EUR"), shown_assumption("setup_cost", 4e5, "EUR")
    ('12.0%', '400,000 EUR')
    """
    if name in ("cost_of_capital_annual", "hurdle_rate_annual", "margin_rate"):
        return f"{value:.1%}"
    if name == "setup_cost":
        return f"{value:,.0f} {currency}"
    if name == "spend_plan":
        parts = "; ".join(f"{c} {v:,.0f}" for c, v in value.items())
        return f"{parts} (total {sum(value.values()):,.0f} {currency} a month)"
    if name == "demand_scaling":
        return "on" if value else "off"
    if name == "forecast_method":
        return METHOD_LABELS.get(str(value), str(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


#: The assumptions table's label of each parameter (the index's too).
ASSUMPTION_LABELS = {
    "data_dir": "data folder", "cost_of_capital_annual": "cost of capital (annual)",
    "hurdle_rate_annual": "hurdle rate (annual)", "horizon_months": "horizon (months)",
    "setup_cost": "set-up cost at month 0", "spend_plan": "spend plan per month",
    "margin_rate": "gross margin on the plan's incremental revenue",
    "roas_scale": "ROAS scale on the fitted curves", "demand_scaling": "plan scaled by forecast demand",
    "demand_scale": "demand scale on the forecast", "n_sims": "simulations", "seed": "seed",
    "n_bootstrap": "replicates of the curves (posterior draws)", "currency": "currency",
    "forecast_method": "business-as-usual forecast",
}  # fmt: skip


#: The forecast methods as readers name them (`socialreturns.forecast.METHODS`).
METHOD_LABELS: dict[str, str] = {
    "ets": "ETS (exponential smoothing)", "sarimax": "SARIMAX", "seasonal_naive": "seasonal naive (a year earlier)",
}  # fmt: skip

#: Parameters of how the page is computed rather than of the case (the data folder, the simulation's
#: size and seed, the currency's code): the assumptions table leaves them out unless a scenario
#: changes one (the page's own "Assumptions" table and its code view list every parameter).
TECHNICAL = frozenset({"data_dir", "n_sims", "seed", "n_bootstrap", "currency"})


def assumptions(params: Parameters) -> pd.DataFrame:
    """This scenario's assumptions beside base's (the notebook's defaults, `params/irr_forecast/base.yaml`).

    Returns
    -------
    pandas.DataFrame
        One row per assumption of the case (every parameter but the scenario's name and the
        `TECHNICAL` ones this scenario leaves at base): ``assumption``, ``base``, ``this scenario``
        (both as text, with units), ``differs`` ("yes" where this scenario changes base).
    """
    base = Parameters()
    rows = []
    for f in dataclasses.fields(Parameters):
        if f.name == "scenario" or (f.name in TECHNICAL and getattr(params, f.name) == getattr(base, f.name)):
            continue
        mine, theirs = getattr(params, f.name), getattr(base, f.name)
        rows.append({"assumption": ASSUMPTION_LABELS.get(f.name, f.name), "base": shown_assumption(f.name, theirs, base.currency),
                     "this scenario": shown_assumption(f.name, mine, params.currency),
                     "differs": "yes" if mine != theirs else ""})  # fmt: skip
    return pd.DataFrame(rows)


#: Short names of the case's assumptions, for a sentence on what a scenario changes.
_SHORT = {
    "cost_of_capital_annual": "cost of capital", "hurdle_rate_annual": "hurdle", "horizon_months": "horizon",
    "setup_cost": "set-up cost", "spend_plan": "spend", "margin_rate": "margin", "roas_scale": "ROAS scale",
    "demand_scaling": "plan scaled by demand", "demand_scale": "demand scale", "forecast_method": "forecast",
}  # fmt: skip


def against_base(params: Parameters) -> str:
    """What this scenario changes from base, in words, in the parameters' order; "base's
    assumptions" when it changes nothing.

    >>> against_base(Parameters(scenario="stress", roas_scale=0.6, demand_scale=0.85))
    'ROAS scale 0.6; demand scale 0.85'
    >>> against_base(Parameters(cost_of_capital_annual=0.12, spend_plan={"facebook": 15000, "tiktok": 6100}))
    'cost of capital 12.0%; spend 21,100 EUR a month'
    >>> against_base(Parameters(scenario="mine"))
    "base's assumptions"
    """
    base, parts = Parameters(), []
    for f in dataclasses.fields(Parameters):
        mine = getattr(params, f.name)
        if f.name == "scenario" or mine == getattr(base, f.name):
            continue
        if f.name == "spend_plan":
            shown = f"{sum(mine.values()):,.0f} {params.currency} a month"
        elif f.name == "horizon_months":
            shown = f"{mine} months"
        else:
            shown = shown_assumption(f.name, mine, params.currency)
        parts.append(f"{_SHORT.get(f.name, ASSUMPTION_LABELS.get(f.name, f.name))} {shown}")
    return "; ".join(parts) or "base's assumptions"


def main_driver(swings: pd.DataFrame) -> dict[str, Any]:
    """The assumption that moves the NPV most (`tornado`'s first row): ``driver``, and the NPV
    with it 20% down and up, ``npv_low`` and ``npv_high`` (currency), the lower first.

    >>> main_driver(pd.DataFrame({"driver": ["ROAS", "spend"], "low": [50.0, 90.0], "high": [150.0, 80.0],
    ...                           "range": [100.0, 10.0]}))
    {'driver': 'ROAS', 'npv_low': 50.0, 'npv_high': 150.0}
    """
    top = swings.loc[swings["range"].idxmax()]
    low, high = sorted((float(top["low"]), float(top["high"])))
    return {"driver": str(top["driver"]), "npv_low": low, "npv_high": high}


def _a(share: float) -> str:
    """The article before a percentage as it is read aloud: "an 84%", "an 11%", "a 78%"."""
    n = round(share * 100)
    return "an" if n == 8 or 80 <= n <= 89 or n in (11, 18) else "a"


def _payback(months: float, horizon_months: int) -> str:
    return f"{months:.1f} months" if np.isfinite(months) else f"beyond the {horizon_months}-month horizon"


def _rate(value: float, what: str) -> str:
    return f"{value:.1%} a year" if np.isfinite(value) else f"none ({what})"


def conclusions(
    returns: Returns,
    sim: Simulation,
    *,
    cost_of_capital_annual: float,
    hurdle_rate_annual: float,
    currency: str,
    horizon_months: int,
    reconciliation: pd.DataFrame | None = None,
    swings: pd.DataFrame | None = None,
) -> str:
    """Markdown conclusions of the IRR report; every number comes from the arguments, and a
    figure that does not exist (payback beyond the horizon, no IRR) is said in words. With
    ``swings`` (`tornado`), the assumption that moves the NPV most."""
    from socialreturns.batch.verdicts import funding  # the one fund-or-not rule of every page

    p = sim.percentiles((0.05, 0.95)).set_index("quantile")
    clears = np.isfinite(returns.irr_annual) and returns.irr_annual > hurdle_rate_annual
    irr = _rate(returns.irr_annual, "the cash flows never turn positive")
    head = funding(returns.npv, returns.irr_annual, hurdle_rate_annual)
    lines = [
        f"- **{head}.** At a {cost_of_capital_annual:.0%} cost of capital the plan's NPV is "
        f"**{returns.npv:,.0f} {md(currency)}**, its IRR **{irr}**, with {_a(sim.prob_irr_above_hurdle)} "
        f"**{sim.prob_irr_above_hurdle:.0%} chance of beating the {hurdle_rate_annual:.0%} "
        f"hurdle** (the expected plan {'clears' if clears else 'does not clear'} it).",
        f"- NPV ranges from {p.loc[0.05, 'npv']:,.0f} to {p.loc[0.95, 'npv']:,.0f} {md(currency)} "
        f"(5th to 95th percentile); the chance of a positive NPV is {sim.prob_npv_positive:.0%}.",
        (
            f"- Payback after {_payback(returns.payback_months, horizon_months)} "
            f"({_payback(returns.discounted_payback_months, horizon_months)} discounted)"
            if np.isfinite(returns.payback_months)
            else f"- The plan does not pay back its set-up cost within the {horizon_months}-month horizon"
        )
        + f"; MIRR {_rate(returns.mirr_annual, 'no positive cash flow to reinvest')}, reinvesting at the "
        "cost of capital.",
    ]
    if swings is not None and len(swings):
        top = main_driver(swings)
        lines.append(
            f"- The assumption that matters most is **{md(top['driver'])}**: 20% lower or higher puts the NPV "
            f"between {top['npv_low']:,.0f} and {top['npv_high']:,.0f} {md(currency)} (see the sensitivity below)."
        )
    if reconciliation is not None and len(reconciliation) > 1:
        steps = reconciliation.iloc[1:]
        big = steps.loc[(steps["roas"] - reconciliation["roas"].shift().iloc[1:]).abs().idxmax()]
        lines.append(
            f"- The plan assumes a ROAS of {reconciliation['roas'].iloc[-1]:.2f} against "
            f"{reconciliation['roas'].iloc[0]:.2f} in history; the largest step is *{md(big['step'])}* "
            f"({big['change']:+.0%}), see the reconciliation."
            + (
                " That step holds only if the plan is spent evenly: spent in bursts as history was, it earns "
                "nearer history's ROAS, and the simulation below does not draw that risk."
                if big.name == reconciliation.index[1] and big["change"] > 0
                else ""
            )
        )  # the first step is history as flighted → the same spend held steady (`reconcile`)
    return "\n".join(lines)
