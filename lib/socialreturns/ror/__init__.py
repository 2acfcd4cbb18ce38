"""Return on Relationship: the value that accrues through loyalty, recommendations and sharing.

ROI counts this quarter's money; ROR counts what a customer relationship is worth from here on,
discounted at finance's cost of capital, in three parts:

* **loyalty**: customer lifetime value (CLV) from repeat purchases. Purchase counts follow the
  BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing
  Science 24(2)); order values follow the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and
  CLV: using iso-value curves", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of
  monetary value").
* **recommendations**: customer referral value (Kumar, Petersen & Leone 2007, "How valuable is
  word of mouth?", HBR 85(10)): the value of the customers a customer brought in, net of those who
  would have joined anyway, minus what the referral cost.
* **sharing**: the earned media value of the reach that customers' posts about the brand create.

Both models are written here on scipy (maximum likelihood in log space with analytic gradients)
instead of using ``lifetimes`` (archived, pins old pandas/autograd) or ``pymc-marketing`` (a
PyMC install for two closed-form likelihoods). Times are in ``time_unit`` units (weeks by
default: days / 7, not calendar weeks); money is in the data's currency.

Submodules:

* `rfm`: the customer summary (frequency, recency, T, monetary value) from the orders.
* `fit`: `ModelFit` and the maximum-likelihood optimiser both models share.
* `bgnbd`: the BG/NBD likelihood and fit, P(alive) and expected purchases.
* `gamma_gamma`: the Gamma-Gamma likelihood and fit, and expected order value.
* `lifetime_value`: `clv` from the two fits, and the calibration/holdout check.
* `relationships`: referral and sharing value, relationship values, ROR per segment, at-risk.
* `report`: the notebook's `Parameters` and `conclusions`.
"""

from .bgnbd import (
    BGNBD_PARAMS,
    bgnbd_log_likelihood,
    expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    p_alive,
)
from .fit import ModelFit
from .gamma_gamma import GAMMA_GAMMA_PARAMS, expected_order_value, fit_gamma_gamma, gamma_gamma_log_likelihood
from .lifetime_value import Holdout, calibration_holdout, clv
from .relationships import (
    QUADRANTS,
    at_risk,
    check_customers,
    referral_value,
    relationship_values,
    ror_by_segment,
    segment_chart_frame,
    sharing_by_customer,
    sharing_by_platform,
    value_quadrants,
)
from .report import FIGURES, Parameters, conclusions
from .rfm import DAYS_PER_UNIT, TimeUnit, rfm_summary

__all__ = [
    "BGNBD_PARAMS",
    "DAYS_PER_UNIT",
    "GAMMA_GAMMA_PARAMS",
    "QUADRANTS",
    "Holdout",
    "ModelFit",
    "FIGURES",
    "Parameters",
    "TimeUnit",
    "at_risk",
    "bgnbd_log_likelihood",
    "calibration_holdout",
    "check_customers",
    "clv",
    "conclusions",
    "expected_order_value",
    "expected_purchases",
    "expected_purchases_new_customer",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "p_alive",
    "referral_value",
    "relationship_values",
    "rfm_summary",
    "ror_by_segment",
    "segment_chart_frame",
    "sharing_by_customer",
    "sharing_by_platform",
    "value_quadrants",
]
