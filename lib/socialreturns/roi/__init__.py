"""Return on investment (history): which channels and campaigns earned the revenue, what spend
returned incrementally, and how to split the budget.

Attribution credits orders along customer journeys (rule-based models and a Markov model);
every model conserves the total of the attributed orders. The incremental model regresses
revenue on carried-over, saturating spend per channel with trend and seasonality, with
intervals from draws of its posterior (or a bootstrap); its response curves drive the budget
reallocation.

Submodules:

- `attribution`: journeys, rule-based and Markov attribution, campaign returns, last-touch ROAS.
- `design`: the incremental model's inputs (daily revenue, spend per period, controls).
- `solver`: adstock, Hill saturation, the curves' priors and the penalised solver.
- `incremental`: `IncrementalFit` (with its identification checks) and `fit_incremental`.
- `calibration`: lift tests as pseudo-observations; `lift_tests`, `calibration_effect`.
- `bootstrap`: moving-block resamples and running the refits in processes.
- `budget`: response curves, steady-state revenue and its marginal ROAS, today's spend, break-even,
  the profit-maximising `reallocate`.
- `advice`: the reallocation in words (`reallocation_conclusions`).
- `holdout`: `holdout_check`, the model out of sample.
- `history`: ROAS and ROI over the last 12 months at the data's own margin (`recent_returns`).
- `cache`: `shared_fit`, one fit per data and fit parameters, reused by every notebook.
- `report`: the notebook's `Parameters` and its `conclusions`.
"""

from socialreturns.roi.advice import reallocation_conclusions
from socialreturns.roi.attribution import (
    MODELS,
    Model,
    attribute,
    build_journeys,
    campaign_returns,
    compare_models,
    last_touch_roas,
    markov_removal_effects,
)
from socialreturns.roi.budget import (
    Reallocation,
    break_even_roas,
    current_spend,
    curve_replicates,
    reallocate,
    response_curves,
    steady_marginal_roas,
    steady_revenue,
)
from socialreturns.roi.cache import shared_fit
from socialreturns.roi.calibration import EXPERIMENT_COLUMNS, calibration_effect, calibration_text, lift_tests
from socialreturns.roi.design import daily_revenue
from socialreturns.roi.history import ALL_CHANNELS, data_margin_rate, recent_returns, recent_roas
from socialreturns.roi.holdout import Holdout, holdout_check
from socialreturns.roi.identification import (
    BOUND_TOLERANCE,
    FINDING_TOLERANCE,
    MAX_ROAS_RELATIVE_SD,
    MIN_SPEND_VARIATION,
    PRIOR_SET_SD_RATIO,
    identification_rule,
    miss_probability,
)
from socialreturns.roi.incremental import (
    DECAY_BOUNDS,
    HALF_SAT_BOUNDS,
    SHAPE_BOUNDS,
    IncrementalFit,
    adstock,
    fit_incremental,
    hill,
    incremental_return,
)
from socialreturns.roi.report import (
    FIGURES,
    MODEL_LABELS,
    PAYBACK_VERDICTS,
    Parameters,
    attribution_table,
    calibration_tables,
    conclusions,
    mark_not_identified,
    not_identified,
    paid_back,
    readable_models,
    reported_returns,
    weekly_spend,
)
from socialreturns.roi.solver import PRIOR_DECAY, PRIOR_LOG_HALF_RATIO, PRIOR_LOG_SHAPE

__all__ = [
    "MODEL_LABELS",
    "attribution_table",
    "calibration_tables",
    "mark_not_identified",
    "readable_models",
    "weekly_spend",
    "not_identified",
    "paid_back",
    "PAYBACK_VERDICTS",
    "reported_returns",
    "BOUND_TOLERANCE",
    "ALL_CHANNELS",
    "data_margin_rate",
    "recent_returns",
    "recent_roas",
    "DECAY_BOUNDS",
    "EXPERIMENT_COLUMNS",
    "HALF_SAT_BOUNDS",
    "FINDING_TOLERANCE",
    "MAX_ROAS_RELATIVE_SD",
    "MIN_SPEND_VARIATION",
    "MODELS",
    "PRIOR_DECAY",
    "PRIOR_LOG_HALF_RATIO",
    "PRIOR_LOG_SHAPE",
    "PRIOR_SET_SD_RATIO",
    "SHAPE_BOUNDS",
    "Holdout",
    "IncrementalFit",
    "Model",
    "FIGURES",
    "Parameters",
    "Reallocation",
    "adstock",
    "attribute",
    "break_even_roas",
    "build_journeys",
    "calibration_effect",
    "calibration_text",
    "campaign_returns",
    "compare_models",
    "conclusions",
    "current_spend",
    "curve_replicates",
    "daily_revenue",
    "fit_incremental",
    "hill",
    "identification_rule",
    "miss_probability",
    "holdout_check",
    "incremental_return",
    "last_touch_roas",
    "lift_tests",
    "markov_removal_effects",
    "reallocate",
    "reallocation_conclusions",
    "response_curves",
    "shared_fit",
    "steady_marginal_roas",
    "steady_revenue",
]
