"""IRR forecasting: a social programme's future cash flows, their NPV, IRR, payback and risk.

The programme spends a setup cost at month 0 and a monthly plan per channel. What it earns is
the incremental gross margin of that spend, read off the ROI module's fitted response curves
(`socialreturns.roi`) and shaped month by month by the business-as-usual demand forecast
(`socialreturns.forecast`, see `demand_index`). Monthly cash flow = incremental revenue x
margin rate - spend. Rates are annual fractions in parameters and converted by compounding.

Submodules:

- `plan`: plan revenue, baseline, demand index, cash flows, `evaluate`, history beside the plan.
- `reconcile`: the plan's ROAS against history's, step by step.
- `risk`: the model's holdout error, the Monte Carlo and what it includes, the tornado.
- `report`: the notebook's `Parameters`, `FIGURES`, the scenario's title and assumptions, conclusions.
"""

from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.irr_forecast.plan import (
    Returns,
    baseline_revenue,
    cash_flows,
    demand_index,
    evaluate,
    history_vs_plan,
    plan_revenue,
    plan_roas,
)
from socialreturns.irr_forecast.reconcile import reconcile
from socialreturns.irr_forecast.report import (
    ASSUMPTION_LABELS,
    FIGURES,
    METHOD_LABELS,
    Parameters,
    against_base,
    assumptions,
    conclusions,
    main_driver,
    shown_assumption,
    title,
)
from socialreturns.irr_forecast.risk import (
    ModelError,
    Simulation,
    model_error,
    simulate,
    simulation_scope,
    tornado,
)

__all__ = [
    "DAYS_PER_MONTH",
    "ASSUMPTION_LABELS",
    "FIGURES",
    "METHOD_LABELS",
    "ModelError",
    "Parameters",
    "Returns",
    "against_base",
    "main_driver",
    "shown_assumption",
    "Simulation",
    "assumptions",
    "baseline_revenue",
    "cash_flows",
    "conclusions",
    "demand_index",
    "evaluate",
    "history_vs_plan",
    "model_error",
    "plan_revenue",
    "plan_roas",
    "reconcile",
    "simulate",
    "simulation_scope",
    "title",
    "tornado",
]
