"""The ROR notebook's parameters and its closing paragraph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures
from socialreturns.parameters import (
    ALPHA,
    ANNUAL_RATE,
    MARGIN_RATE,
    MAX_AMOUNT,
    NotebookParameters,
    check_data_dir,
    check_iso_date,
    check_rules,
    param,
)

from .lifetime_value import Holdout


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the ROR notebook: the same names, types and defaults as its parameters cell,
    which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "ror"

    data_dir: str = "data/sample"
    brand: str = "Lumora"
    calibration_end: str = "2026-04-30"
    holdout_end: str = "2026-10-31"
    horizon_months: int = param(24, expected="1 to 240 months", ge=1, le=240)
    discount_rate_annual: float = param(0.09, ANNUAL_RATE)
    margin_rate: float = param(0.4, MARGIN_RATE)
    cpm: float = param(6.0, expected="0 to 1,000 (currency per 1,000 impressions)", ge=0, le=1_000)
    referral_cost: float = param(5.0, expected="0 to 1e12 (currency per referral)", ge=0, le=MAX_AMOUNT)
    share_would_join_anyway: float = param(0.3, expected="a fraction from 0 to 1", ge=0, le=1)
    segment_column: str = param("acquisition_channel", expected="'acquisition_channel' or 'cohort'",
                                choices=("acquisition_channel", "cohort"))  # fmt: skip
    alpha: float = param(0.05, ALPHA)
    currency: str = "EUR"

    def check(self) -> None:
        """The holdout ends after the calibration; the data folder exists."""
        cal = check_iso_date("calibration_end", self.calibration_end)
        end = check_iso_date("holdout_end", self.holdout_end)
        check_rules(self, [("holdout_end", cal is not None and end is not None and end > cal,
                            f"an ISO date after calibration_end ({self.calibration_end})")])  # fmt: skip
        check_data_dir(self.data_dir)


#: The figures the ROR notebook records (its record contract; `socialreturns.summary` reads them).
FIGURES = Figures(
    "ror",
    Figure(
        "holdout_error_share", "(predicted - actual) / actual repeat purchases in the holdout", "fraction"
    ),
    Figure("holdout_totals", "actual and predicted holdout purchases and their error", "table"),
    Figure("bgnbd_params", "BG/NBD estimates (r, alpha in weeks, a, b)", "number", per="parameter"),
    Figure("bgnbd_conf_int", "BG/NBD confidence intervals (ci_lower, ci_upper)", "table"),
    Figure(
        "gamma_gamma_params", "Gamma-Gamma estimates (p, q, gamma in currency)", "number", per="parameter"
    ),
    Figure("gamma_gamma_conf_int", "Gamma-Gamma confidence intervals (ci_lower, ci_upper)", "table"),
    Figure("total_clv", "customer lifetime value of the whole base over the horizon, discounted", "currency"),
    Figure("mean_clv", "customer lifetime value per customer, discounted", "currency"),
    Figure(
        "total_referral_value",
        "value of the customers referred, net of those who would have come",
        "currency",
    ),
    Figure("referrers", "customers who referred at least one customer", "count"),
    Figure("earned_media_value", "what the reach of posts about the brand would cost as ads", "currency"),
    Figure("total_sharing_value", "earned media value of the customers' own posts", "currency"),
    Figure("ror_by_segment", "relationship value per unit of acquisition spend", "ratio", per="segment"),
    Figure("relationship_value_by_segment", "loyalty + referral + sharing value", "currency", per="segment"),
)


def conclusions(
    holdout: Holdout,
    values: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    horizon_months: int,
    discount_rate_annual: float,
    currency: str,
) -> str:
    """The notebook's closing paragraph, its figures computed here so that they stay true."""
    err = holdout.totals["error_share"]
    trust = "close enough to plan with" if abs(err) <= 0.1 else "too far off to plan with without care"
    total = values[["loyalty_value", "referral_value", "sharing_value", "relationship_value"]].sum()
    ranked = segments.dropna(subset=["ror"]).sort_values("ror", ascending=False)
    lines = [
        f"- **Trust.** On the holdout period the model predicted {holdout.totals['predicted']:,.0f} repeat "
        f"purchases against {holdout.totals['actual']:,.0f} actual ({err:+.1%}): {trust}.",
        f"- **Relationship value** over the next {horizon_months} months, discounted at "
        f"{discount_rate_annual:.1%} a year: {total['relationship_value']:,.0f} {md(currency)}, of which loyalty "
        f"{total['loyalty_value']:,.0f}, recommendations {total['referral_value']:,.0f} and sharing "
        f"{total['sharing_value']:,.0f} {md(currency)} ({len(values):,} customers, "
        f"{(values['p_alive'] >= 0.5).mean():.0%} of them likely still active).",
    ]
    if len(ranked):
        best, worst = ranked.index[0], ranked.index[-1]
        lines.append(
            f"- **Return on Relationship.** {md(best)} customers return {ranked['ror'].iloc[0]:.2f} {md(currency)} of "
            f"relationship value per {md(currency)} of acquisition spend; {md(worst)} customers "
            f"{ranked['ror'].iloc[-1]:.2f}."
        )
    return "\n".join(lines)
