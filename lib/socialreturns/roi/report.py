"""The ROI notebook's parameters and its conclusions, rendered from the library's results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from socialreturns.data import Tables
from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures, utc_day
from socialreturns.parameters import (
    ALPHA,
    MARGIN_RATE,
    MAX_AMOUNT,
    SEED,
    NotebookParameters,
    check_data_dir,
    param,
)
from socialreturns.roi.attribution import HALF_LIFE_DAYS, LOOKBACK_DAYS
from socialreturns.roi.budget import MAX_CHANGE, Reallocation

#: The figures the ROI notebook records (its record contract; `socialreturns.summary` reads them).
FIGURES = Figures(
    "roi",
    Figure(
        "attribution_shares", "share of attributed conversions per channel, one column per model", "table"
    ),
    Figure("roas", "incremental revenue per unit of spend (regression)", "ratio", per="channel"),
    Figure("roi", "incremental gross margin less spend, per unit of spend", "fraction", per="channel"),
    Figure("r_squared", "in-sample R² of the daily revenue regression", "fraction"),
    Figure("holdout_mape", "mean absolute percentage error on the held-out weeks", "fraction"),
    Figure(
        "reallocation_gain_per_day",
        "expected extra revenue of the reallocation, with its interval (gain, gain_lower, gain_upper)",
        "currency per day",
    ),
)


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
        f"- **{md(best['channel'])}** returned the most: {best['roas']:.2f} {md(currency)} of "
        f"incremental revenue per {md(currency)} spent ({level} interval {best['ci_lower']:.2f} to "
        f"{best['ci_upper']:.2f}); **{md(worst['channel'])}** the least, {worst['roas']:.2f} "
        f"({worst['ci_lower']:.2f} to {worst['ci_upper']:.2f}).",
    ]
    losing = ok[ok["roi"] < 0]
    if len(losing):
        lines.append(
            "- At the given margin, spend did not pay back on: "
            + ", ".join(f"{md(r.channel)} (ROI {r.roi:+.0%})" for r in losing.itertuples())
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
            f"- Last-touch attribution gives {md(over)} {lt[over]:.0%} of the credit; the incremental "
            f"model gives it {inc_share[over]:.0%} of the incremental revenue."
        )
    moved = plan.table.sort_values("change")
    lines.append(
        f"- Moving budget from {md(moved.iloc[0]['channel'])} to {md(moved.iloc[-1]['channel'])} (within "
        f"the change limit, same total) is expected to add {plan.gain:,.0f} {md(currency)} of revenue "
        f"per {period} ({level} interval {plan.gain_lower:,.0f} to {plan.gain_upper:,.0f})."
    )
    for channel, note in summary.loc[~summary["identifiable"], ["channel", "note"]].itertuples(index=False):
        # Its estimate stays in the tables, but a channel the data do not identify gets no finding.
        why = str(note).removeprefix("not identified: ")
        lines.append(
            f"- **{md(channel)}** is not identified, so this report makes no ROI finding for it: {md(why)}."
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the ROI notebook: the same names, types and defaults as its parameters cell,
    which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "roi"

    data_dir: str = "data/sample"
    start_date: str = ""
    end_date: str = ""
    lookback_days: float = param(30.0, LOOKBACK_DAYS)
    half_life_days: float = param(7.0, HALF_LIFE_DAYS)
    margin_rate: float = param(0.4, MARGIN_RATE)
    alpha: float = param(0.1, ALPHA)
    channels: list[str] = param([], expected="channel names")
    currency: str = "EUR"
    budget_per_day: float = param(0.0, expected="0 (keep the total) or an amount up to 1e12 (currency per day)",
                                  ge=0, le=MAX_AMOUNT)  # fmt: skip
    max_change: float = param(0.3, MAX_CHANGE)
    holdout_weeks: int = param(8, expected="1 to 52 weeks", ge=1, le=52)
    n_bootstrap: int = param(200, expected="20 to 5,000 replicates", ge=20, le=5000)
    seed: int = param(0, SEED)

    def check(self) -> None:
        """The period runs forwards; the data folder exists."""
        start = utc_day("start_date", self.start_date)
        end = utc_day("end_date", self.end_date)
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
        start = utc_day("start_date", self.start_date)
        end = utc_day("end_date", self.end_date)

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
