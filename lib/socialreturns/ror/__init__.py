"""Return on Relationship: the value that accrues through loyalty, recommendations and sharing.

ROI counts this quarter's money; ROR counts what a customer relationship is worth from here on,
discounted at finance's cost of capital, in three parts:

* **loyalty**: customer lifetime value (CLV) from repeat purchases. Purchase counts follow the
  BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing
  Science 24(2)) or MBG/NBD (Batislam, Denizel & Filiztekin 2007), whichever forecasts a
  time-ordered holdout better; order values follow the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and
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
* `bgnbd`: the BG/NBD likelihood and fit, P(alive) and expected purchases (either model's).
* `mbgnbd`: the MBG/NBD likelihood and fit, and its P(alive) and expectations.
* `gamma_gamma`: the Gamma-Gamma likelihood and fit, and expected order value.
* `lifetime_value`: `clv` from the two fits, the calibration/holdout check, the choice of model,
  and the share of customers still active where the model can tell.
* `relationships`: referral and sharing value, relationship values, ROR per segment, at-risk.
* `tone`: which of the brand's posts are negative (the sentiment report's classes, one cache).
* `cohorts`: cohorts compared at equal age (margin of their first N months).
* `report`: the notebook's `Parameters`, `FIGURES`, totals, glossary and `conclusions`.
"""

from .bgnbd import (
    BGNBD_PARAMS,
    bgnbd_log_likelihood,
    expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    p_alive,
)
from .cohorts import cohort_note, cohort_value_at_age
from .fit import PURCHASE_MODELS, ModelFit
from .gamma_gamma import GAMMA_GAMMA_PARAMS, expected_order_value, fit_gamma_gamma, gamma_gamma_log_likelihood
from .lifetime_value import (
    ActiveShare,
    Holdout,
    ModelChoice,
    PurchaseModel,
    calibration_holdout,
    choose_purchase_model,
    clv,
    fit_purchases,
    share_active,
)
from .mbgnbd import MBGNBD_PARAMS, fit_mbgnbd, mbgnbd_log_likelihood
from .relationships import (
    QUADRANTS,
    at_risk,
    check_customers,
    referral_note,
    referral_value,
    relationship_values,
    ror_by_segment,
    segment_chart_frame,
    sharing_by_customer,
    sharing_by_platform,
    sharing_note,
    value_quadrants,
)
from .report import FIGURES, TOTALS, Parameters, conclusions, glossary, relationship_totals, summary_note
from .rfm import DAYS_PER_UNIT, TimeUnit, customers_caption, describe_customers, rfm_summary
from .tone import negative_posts

__all__ = [
    "BGNBD_PARAMS",
    "DAYS_PER_UNIT",
    "GAMMA_GAMMA_PARAMS",
    "MBGNBD_PARAMS",
    "PURCHASE_MODELS",
    "QUADRANTS",
    "TOTALS",
    "ActiveShare",
    "Holdout",
    "ModelChoice",
    "ModelFit",
    "FIGURES",
    "Parameters",
    "PurchaseModel",
    "TimeUnit",
    "at_risk",
    "bgnbd_log_likelihood",
    "calibration_holdout",
    "check_customers",
    "choose_purchase_model",
    "clv",
    "cohort_note",
    "cohort_value_at_age",
    "conclusions",
    "customers_caption",
    "describe_customers",
    "expected_order_value",
    "expected_purchases",
    "expected_purchases_new_customer",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_purchases",
    "gamma_gamma_log_likelihood",
    "glossary",
    "mbgnbd_log_likelihood",
    "negative_posts",
    "p_alive",
    "referral_note",
    "referral_value",
    "relationship_totals",
    "relationship_values",
    "rfm_summary",
    "ror_by_segment",
    "segment_chart_frame",
    "share_active",
    "sharing_by_customer",
    "sharing_by_platform",
    "sharing_note",
    "summary_note",
    "value_quadrants",
]
