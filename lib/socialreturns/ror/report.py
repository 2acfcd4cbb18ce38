"""The ROR notebook's parameters and its closing paragraph."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from socialreturns.notebook import check_data_dir, check_iso_date, check_rules, check_types

from .lifetime_value import Holdout


@dataclass(frozen=True)
class Parameters:
    """Parameters of the ROR notebook (mirrors its ``parameters`` cell)."""

    data_dir: str
    brand: str
    calibration_end: str
    holdout_end: str
    horizon_months: int
    discount_rate_annual: float
    margin_rate: float
    cpm: float
    referral_cost: float
    share_would_join_anyway: float
    segment_column: str
    currency: str

    def __post_init__(self) -> None:
        check_types(self)
        cal = check_iso_date("calibration_end", self.calibration_end)
        end = check_iso_date("holdout_end", self.holdout_end)
        rules = [
            ("holdout_end", cal is not None and end is not None and end > cal,
             f"an ISO date after calibration_end ({self.calibration_end})"),
            ("horizon_months", 1 <= self.horizon_months <= 240, "1 to 240 months"),
            ("discount_rate_annual", -1 < self.discount_rate_annual < 1,
             "an annual rate as a fraction, e.g. 0.09"),
            ("margin_rate", 0 < self.margin_rate <= 1, "a fraction in (0, 1], e.g. 0.4"),
            ("cpm", self.cpm >= 0, "0 or more (currency per 1,000 impressions)"),
            ("referral_cost", self.referral_cost >= 0, "0 or more (currency per referral)"),
            ("share_would_join_anyway", 0 <= self.share_would_join_anyway <= 1, "a fraction from 0 to 1"),
            ("segment_column", self.segment_column in ("acquisition_channel", "cohort"),
             "'acquisition_channel' or 'cohort'"),
        ]  # fmt: skip
        check_rules(self, rules)
        check_data_dir(self.data_dir)


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
        f"{discount_rate_annual:.1%} a year: {total['relationship_value']:,.0f} {currency}, of which loyalty "
        f"{total['loyalty_value']:,.0f}, recommendations {total['referral_value']:,.0f} and sharing "
        f"{total['sharing_value']:,.0f} {currency} ({len(values):,} customers, "
        f"{(values['p_alive'] >= 0.5).mean():.0%} of them likely still active).",
    ]
    if len(ranked):
        best, worst = ranked.index[0], ranked.index[-1]
        lines.append(
            f"- **Return on Relationship.** {best} customers return {ranked['ror'].iloc[0]:.2f} {currency} of "
            f"relationship value per {currency} of acquisition spend; {worst} customers "
            f"{ranked['ror'].iloc[-1]:.2f}."
        )
    return "\n".join(lines)
