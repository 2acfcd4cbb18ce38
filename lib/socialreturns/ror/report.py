"""The ROR notebook's parameters, its record contract, the glossary that defines each figure once,
and its closing paragraph."""

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

from .lifetime_value import ActiveShare, Holdout


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
    cohort_age_months: int = param(12, expected="1 to 60 months", ge=1, le=60)
    negative_post_weight: float = param(
        0.0, expected="a fraction from 0 (excluded) to 1 (counted)", ge=0, le=1
    )
    brand_aliases: dict[str, list[str]] = param({}, expected="brand names mapped to lists of aliases "
                                                "(other handles, spellings)")  # fmt: skip
    lexicon_overrides: str = ""
    alpha: float = param(0.05, ALPHA)
    currency: str = "EUR"

    def check(self) -> None:
        """The holdout ends after the calibration; the data folder exists."""
        cal = check_iso_date("calibration_end", self.calibration_end)
        end = check_iso_date("holdout_end", self.holdout_end)
        check_rules(self, [("holdout_end", cal is not None and end is not None and end > cal,
                            f"an ISO date after calibration_end ({self.calibration_end})")])  # fmt: skip
        check_data_dir(self.data_dir)

    def overrides(self) -> dict[str, float]:
        """The lexicon overrides file's word valences, read as the sentiment report reads them."""
        from socialreturns import sentiment

        return sentiment.load_overrides(self.lexicon_overrides)


#: The figures the ROR notebook records (its record contract; `socialreturns.summary` reads them).
#: Each total's meaning is its definition in the report's glossary (`glossary`), so the index and
#: the executive summary, which show these records, use the words the report defines.
FIGURES = Figures(
    "ror",
    Figure("purchase_model", "the model of repeat purchases used: BG/NBD or MBG/NBD, whichever forecast the "
           "holdout better", "text"),
    Figure(
        "holdout_error_share", "(predicted - actual) / actual repeat purchases in the holdout", "fraction"
    ),
    Figure("holdout_totals", "actual and predicted holdout purchases and their error", "table"),
    Figure("model_comparison", "BG/NBD and MBG/NBD on the same holdout", "table"),
    Figure("bgnbd_params", "BG/NBD estimates (r, alpha in weeks, a, b)", "number", per="parameter"),
    Figure("bgnbd_conf_int", "BG/NBD confidence intervals (ci_lower, ci_upper)", "table"),
    Figure(
        "gamma_gamma_params", "Gamma-Gamma estimates (p, q, gamma in currency)", "number", per="parameter"
    ),
    Figure("gamma_gamma_conf_int", "Gamma-Gamma confidence intervals (ci_lower, ci_upper)", "table"),
    Figure("share_active", "share active: of the customers with a repeat purchase, the share with P(alive) of 50% or more "
           "(one-time buyers are not counted: the model cannot tell whether they are active)", "fraction"),
    Figure("total_clv", "customer lifetime value (CLV): the margin of the customers' own expected purchases "
           "over the horizon, discounted at the cost of capital", "currency"),
    Figure("mean_clv", "CLV per customer", "currency"),
    Figure("total_loyalty_value", "loyalty value: CLV less the share of referred customers' CLV credited to "
           "whoever referred them", "currency"),
    Figure(
        "total_referral_value",
        "referral value: the CLV of the customers referred, net of those who would have come anyway, less "
        "the rewards paid",
        "currency",
    ),
    Figure("referrers", "customers who referred at least one customer", "count"),
    Figure("earned_media_value", "earned media value: what the reach of the posts about the brand would cost "
           "as ads (negative posts excluded by default)", "currency"),
    Figure("negative_posts", "negative posts: the brand's posts classed negative (in English) as the sentiment "
           "report classes them, left out of earned media value unless negative_post_weight counts them",
           "count"),
    Figure("total_sharing_value", "sharing value: the customers' earned media value per purchase, times their "
           "discounted expected purchases", "currency"),
    Figure("total_relationship_value", "relationship value: loyalty + referral + sharing value, each euro "
           "counted once (CLV less the referral rewards, plus sharing)", "currency"),
    Figure("ror_by_segment", "Return on Relationship (ROR): relationship value per unit of acquisition spend",
           "ratio", per="segment"),
    Figure("relationship_value_by_segment", "relationship value per segment", "currency", per="segment"),
    Figure("cohort_ror_at_age", "margin of a cohort's first N months (cohort_age_months) per unit of its "
           "quarter's spend; empty for cohorts not yet N months old", "ratio", per="cohort"),
)  # fmt: skip

#: The totals `relationship_totals` computes and `glossary` defines, in reading order.
TOTALS = ("total_clv", "total_loyalty_value", "total_referral_value", "total_sharing_value",
          "total_relationship_value", "earned_media_value")  # fmt: skip


def relationship_totals(values: pd.DataFrame, sharing: pd.DataFrame) -> pd.Series:
    """The report's totals, one per concept (currency), indexed by their record names (`TOTALS`).

    ``values`` from `relationship_values`, ``sharing`` from `sharing_by_platform`. The identity
    ``total_relationship_value = total_loyalty_value + total_referral_value + total_sharing_value``
    holds exactly.
    """
    total = values[["clv", "loyalty_value", "referral_value", "sharing_value", "relationship_value"]].sum()
    return pd.Series({
        "total_clv": total["clv"], "total_loyalty_value": total["loyalty_value"],
        "total_referral_value": total["referral_value"], "total_sharing_value": total["sharing_value"],
        "total_relationship_value": total["relationship_value"],
        "earned_media_value": float(sharing["earned_media_value"].sum()),
    }, name="total")  # fmt: skip


def glossary(totals: pd.Series, active: ActiveShare, *, horizon_months: int, discount_rate_annual: float,
             currency: str) -> pd.DataFrame:  # fmt: skip
    """The report's glossary: each figure defined once (its record contract's meaning) with its value.

    Returns
    -------
    DataFrame with ``term``, ``definition`` and ``value`` (text, formatted with the currency), in
    reading order: the totals of `relationship_totals`, then ROR and the share active.
    """
    terms = {"total_clv": "CLV", "total_loyalty_value": "loyalty value", "total_referral_value": "referral value",
             "total_sharing_value": "sharing value", "total_relationship_value": "relationship value",
             "earned_media_value": "earned media value"}  # fmt: skip
    # each meaning reads "<term>: <definition>", so the index shows the term with its figure
    rows = [{"term": terms[name], "definition": getattr(FIGURES, name).meaning.partition(": ")[2],
             "value": f"{totals[name]:,.0f} {currency}"} for name in TOTALS]  # fmt: skip
    rows[0]["definition"] += f" ({horizon_months} months, {discount_rate_annual:.1%} a year)"
    rows.append({"term": "ROR", "definition": FIGURES.ror_by_segment.meaning.partition(": ")[2],
                 "value": "per segment"})  # fmt: skip
    rows.append(
        {
            "term": "share active",
            "definition": FIGURES.share_active.meaning.partition(": ")[2],
            "value": f"{active.share:.0%}",
        }
    )
    return pd.DataFrame(rows)


def conclusions(
    holdout: Holdout,
    totals: pd.Series,
    segments: pd.DataFrame,
    *,
    active: ActiveShare,
    horizon_months: int,
    discount_rate_annual: float,
    currency: str,
) -> str:
    """The notebook's closing paragraph, its figures computed here so that they stay true.

    ``totals`` from `relationship_totals`, ``active`` from `share_active`; the totals named are
    the glossary's.
    """
    err = holdout.totals["error_share"]
    trust = "close enough to plan with" if abs(err) <= 0.1 else "too far off to plan with without care"
    ranked = segments.dropna(subset=["ror"]).sort_values("ror", ascending=False)
    cur = md(currency)
    lines = [
        f"- **Trust.** On the holdout period the {holdout.fit.model} model predicted "
        f"{holdout.totals['predicted']:,.0f} repeat purchases against {holdout.totals['actual']:,.0f} actual "
        f"({err:+.1%}): {trust}.",
        f"- **Relationship value** over the next {horizon_months} months, discounted at "
        f"{discount_rate_annual:.1%} a year: {totals['total_relationship_value']:,.0f} {cur}, of which loyalty value "
        f"{totals['total_loyalty_value']:,.0f} {cur}, referral value {totals['total_referral_value']:,.0f} {cur} "
        f"and sharing value {totals['total_sharing_value']:,.0f} {cur}. The customers' own CLV is "
        f"{totals['total_clv']:,.0f} {cur} (the glossary at the end defines each).",
        f"- **Still active.** {active.sentence()}",
    ]
    if len(ranked):
        best, worst = ranked.index[0], ranked.index[-1]
        lines.append(
            f"- **Return on Relationship.** {md(best)} customers return {ranked['ror'].iloc[0]:.2f} {cur} of "
            f"relationship value per {cur} of acquisition spend; {md(worst)} customers "
            f"{ranked['ror'].iloc[-1]:.2f}."
        )
    return "\n".join(lines)


def summary_note(records: dict, currency: str = "") -> str:
    """The executive summary's sentence on relationships, from the ROR run's records (the same
    figures and definitions as the report's glossary), amounts in ``currency``; "" when they are
    missing. Relationship value can be below CLV (the referral rewards are paid out of it), so
    the sentence gives both and never calls CLV a part of it."""
    value, clv = records.get("total_relationship_value"), records.get("total_clv")
    if value is None or clv is None:
        return ""
    cur = f" {currency}" if currency else ""
    definition = FIGURES.total_relationship_value.meaning.partition(": ")[2]
    text = (f"Relationship value: {value:,.0f}{cur}, that is {definition}; the customers' own CLV is "
            f"{clv:,.0f}{cur}.")  # fmt: skip
    share = records.get("share_active")
    if share is not None:
        text += f" Share active: {share:.0%} ({FIGURES.share_active.meaning.partition(': ')[2]})."
    return text
