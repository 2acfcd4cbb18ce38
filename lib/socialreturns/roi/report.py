"""The ROI notebook's parameters and its conclusions, rendered from the library's results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from socialreturns.data import Tables
from socialreturns.inputs import InputError
from socialreturns.notebook import check_data_dir, check_iso_date, check_rules, check_types
from socialreturns.roi.budget import Reallocation


def conclusions(
    summary: pd.DataFrame,
    attribution: pd.DataFrame,
    plan: Reallocation,
    *,
    currency: str,
    alpha: float,
    period: str = "day",
) -> str:
    """Markdown conclusions of the ROI report; every number comes from the arguments."""
    ok = summary[summary["identifiable"]].sort_values("roas", ascending=False)
    best, worst = ok.iloc[0], ok.iloc[-1]
    level = f"{1 - alpha:.0%}"
    lines = [
        f"- **{best['channel']}** returned the most: {best['roas']:.2f} {currency} of "
        f"incremental revenue per {currency} spent ({level} interval {best['ci_lower']:.2f} to "
        f"{best['ci_upper']:.2f}); **{worst['channel']}** the least, {worst['roas']:.2f} "
        f"({worst['ci_lower']:.2f} to {worst['ci_upper']:.2f}).",
    ]
    losing = ok[ok["roi"] < 0]
    if len(losing):
        lines.append(
            "- At the given margin, spend did not pay back on: "
            + ", ".join(f"{r.channel} (ROI {r.roi:+.0%})" for r in losing.itertuples())
            + "."
        )
    else:
        lines.append("- At the given margin every identifiable channel paid back its spend.")
    lt = attribution.set_index("channel")["share"]
    inc = ok.set_index("channel")["incremental_revenue"]
    inc_share = inc / inc.sum()
    diff = (lt.reindex(inc_share.index) - inc_share).dropna()
    if len(diff):
        over = diff.idxmax()
        lines.append(
            f"- Last-touch attribution gives {over} {lt[over]:.0%} of the credit; the incremental "
            f"model gives it {inc_share[over]:.0%} of the incremental revenue."
        )
    moved = plan.table.sort_values("change")
    lines.append(
        f"- Moving budget from {moved.iloc[0]['channel']} to {moved.iloc[-1]['channel']} (within "
        f"the change limit, same total) is expected to add {plan.gain:,.0f} {currency} of revenue "
        f"per {period} ({level} interval {plan.gain_lower:,.0f} to {plan.gain_upper:,.0f})."
    )
    for channel, note in summary.loc[~summary["identifiable"], ["channel", "note"]].itertuples(index=False):
        lines.append(f"- {channel}: {note}.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Parameters:
    """Parameters of the ROI notebook (mirrors its ``parameters`` cell)."""

    data_dir: str
    start_date: str
    end_date: str
    lookback_days: float
    half_life_days: float
    margin_rate: float
    alpha: float
    channels: list[str]
    currency: str
    budget_per_day: float
    max_change: float
    holdout_weeks: int
    n_bootstrap: int
    seed: int

    def __post_init__(self) -> None:
        check_types(self)
        rules = [
            ("lookback_days", self.lookback_days > 0, "a positive number of days"),
            ("half_life_days", self.half_life_days > 0, "a positive number of days"),
            ("margin_rate", 0 < self.margin_rate <= 1, "a fraction in (0, 1], e.g. 0.4"),
            ("alpha", 0 < self.alpha < 1, "a fraction in (0, 1), e.g. 0.1 for 90% intervals"),
            ("budget_per_day", self.budget_per_day >= 0, "0 (keep the total) or a positive amount"),
            ("max_change", 0 <= self.max_change < 1, "a fraction in [0, 1)"),
            ("holdout_weeks", self.holdout_weeks >= 1, "at least 1 week"),
            ("n_bootstrap", self.n_bootstrap >= 20, "at least 20 replicates"),
        ]
        check_rules(self, rules)
        start = check_iso_date("start_date", self.start_date)
        end = check_iso_date("end_date", self.end_date)
        if start is not None and end is not None and start >= end:
            raise InputError(f"{self.start_date} is not before end_date {self.end_date}",
                             key="start_date", expected="start_date before end_date")  # fmt: skip
        check_data_dir(self.data_dir)

    @property
    def total_budget(self) -> float | None:
        """The budget to reallocate (currency per day), None for today's total."""
        return self.budget_per_day if self.budget_per_day > 0 else None

    def select(self, tables: Tables) -> Tables:
        """The tables restricted to the analysis period (UTC days, inclusive) and channels."""
        start = check_iso_date("start_date", self.start_date)
        end = check_iso_date("end_date", self.end_date)

        def window(frame: pd.DataFrame, column: str) -> pd.DataFrame:
            keep = pd.Series(True, index=frame.index)
            if start is not None:
                keep &= frame[column] >= start
            if end is not None:
                keep &= frame[column] < end + pd.Timedelta(days=1)
            return frame[keep]

        spend, touch = window(tables.spend, "date"), window(tables.touchpoints, "timestamp")
        if self.channels:
            known = set(tables.spend["channel"])
            unknown = [c for c in self.channels if c not in known]
            if unknown:
                raise InputError(f"channel '{unknown[0]}' never appears in the spend table",
                                 key="channels", expected="some of " + ", ".join(sorted(known)))  # fmt: skip
            spend = spend[spend["channel"].isin(self.channels)]
            touch = touch[touch["channel"].isin(self.channels)]
        return Tables(
            mentions=tables.mentions,
            spend=spend,
            touchpoints=touch,
            orders=window(tables.orders, "timestamp"),
            customers=tables.customers,
            sources=tables.sources,
        )
