"""The ROI notebook's parameters and its conclusions, rendered from the library's results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

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
    check_rules,
    param,
)
from socialreturns.plots.tables import table
from socialreturns.roi.advice import reallocation_conclusions
from socialreturns.roi.attribution import HALF_LIFE_DAYS, LOOKBACK_DAYS, MODELS
from socialreturns.roi.budget import MAX_CHANGE, RECENT_DAYS, RECENT_DAYS_DEFAULT, Reallocation
from socialreturns.roi.calibration import calibration_effect, lift_tests
from socialreturns.roi.incremental import IncrementalFit

#: The figures the ROI notebook records (its record contract; `socialreturns.summary` reads them).
FIGURES = Figures(
    "roi",
    Figure(
        "attribution_shares", "share of attributed conversions per channel, one column per model", "table"
    ),
    Figure("roas", "incremental revenue per unit of spend (regression)", "ratio", per="channel"),
    Figure("roi", "incremental gross margin less spend, per unit of spend", "fraction", per="channel"),
    Figure(
        "not_identified",
        "channels whose return the data cannot identify (no ROAS or ROI is reported for them), with the reason",
        "text",
        per="channel",
    ),
    Figure("r_squared", "in-sample R² of the daily revenue regression", "fraction"),
    Figure("holdout_mape", "mean absolute percentage error on the held-out weeks", "fraction"),
    Figure(
        "paid_back",
        "whether each identified channel's spend paid back at the margin over the whole period: "
        "'paid back' (its ROAS interval lies above break-even), 'did not pay back' (below) or 'too close "
        "to call' (the interval holds break-even)",
        "text",
        per="channel",
    ),
    Figure(
        "reallocation_gain_per_day",
        "expected extra profit (gross margin less spend) of the reallocation against today's spend, with its "
        "interval (gain, gain_lower, gain_upper)",
        "currency per day",
    ),
    Figure(
        "reallocation",
        "the recommended steady spend per channel: verdict (cut, grow, shift or hold), today's and the "
        "recommended spend (currency per day), the change (fraction) and why a channel is held",
        "table",
    ),
)


#: The columns of `IncrementalFit.summary` that state a return; blank for a channel not identified.
RETURN_COLUMNS = ("incremental_revenue", "roas", "ci_lower", "ci_upper", "marginal_roas", "roi")


#: The curve parameters of `IncrementalFit.summary`, left out of the reported table (the response
#: curves show them; ``fit.summary()`` keeps them for diagnosis).
CURVE_COLUMNS = ("adstock_decay", "half_saturation", "hill_shape")


def reported_returns(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-channel table as every report shows it: `IncrementalFit.summary` with the return
    columns (`RETURN_COLUMNS`) blank (NaN) for channels it marks not identified, whose ``note``
    says why; without the curve parameters (`CURVE_COLUMNS`)."""
    out = summary.drop(columns=[c for c in CURVE_COLUMNS if c in summary])
    out.loc[~out["identifiable"], [c for c in RETURN_COLUMNS if c in out]] = float("nan")
    return out


#: The attribution models as readers name them, in `socialreturns.roi.MODELS` order.
MODEL_LABELS: dict[str, str] = {
    "last_touch": "last touch", "first_touch": "first touch", "linear": "linear", "time_decay": "time decay",
    "position_based": "position based", "markov": "Markov",
}  # fmt: skip


def readable_models(attribution: pd.DataFrame) -> pd.DataFrame:
    """`compare_models`'s long table with each ``model`` named as readers name it ("last touch",
    "Markov"; `MODEL_LABELS`), for charts; the figures unchanged.

    >>> readable_models(pd.DataFrame({"model": ["last_touch", "markov"], "share": [0.5, 0.5]}))["model"].tolist()
    ['last touch', 'Markov']
    """
    return attribution.assign(
        model=attribution["model"].map(lambda m: MODEL_LABELS.get(m, str(m).replace("_", " ")))
    )


def attribution_table(attribution: pd.DataFrame, value: str = "revenue") -> pd.DataFrame:
    """``value`` per channel (rows) and model (columns, in `MODELS` order, named as readers name
    them), from `compare_models`'s long table; channels by the Markov model's value, largest first.

    >>> long = pd.DataFrame({"model": ["markov", "last_touch", "markov", "last_touch"], "channel": ["a", "a", "b", "b"],
    ...                      "revenue": [1.0, 2.0, 3.0, 4.0]})
    >>> attribution_table(long).reset_index().values.tolist()
    [['b', 4.0, 3.0], ['a', 2.0, 1.0]]
    >>> list(attribution_table(long).columns)
    ['last touch', 'Markov']
    """
    wide = attribution.pivot(index="channel", columns="model", values=value)
    order = [m for m in MODELS if m in wide.columns] + [m for m in wide.columns if m not in MODELS]
    wide = wide[order].sort_values(order[-1] if "markov" not in order else "markov", ascending=False)
    wide.columns = pd.Index([MODEL_LABELS.get(m, str(m).replace("_", " ")) for m in order])
    return wide


def calibration_tables(fit: IncrementalFit, *, currency: str) -> list[Styler]:
    """The lift tests' two tables (each channel's ROAS before and after calibration; each test
    against the model's implied lift), formatted; none when the fit has no lift tests (the
    paragraph of `calibration_text` says so), so a report shows no empty table."""
    if fit.experiments is None:
        return []
    money = {
        "measured": "money",
        "standard_error": "money",
        "lift_uncalibrated": "money",
        "lift_calibrated": "money",
    }
    summary = fit.summary()  # a channel still not identified says so beside its figures
    return [
        table(mark_not_identified(calibration_effect(fit), summary), kinds={"change": "signed_percent"},
              caption="ROAS before and after calibration"),
        table(mark_not_identified(lift_tests(fit), summary), kinds=money,
              caption="Lift tests against the model's implied lift", currency=currency),
    ]  # fmt: skip


def mark_not_identified(frame: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each channel the fit does not identify (``summary``'s ``identifiable``)
    renamed "linkedin (not identified)", so a chart's panel or label says so in words.

    >>> summary = pd.DataFrame({"channel": ["a", "b"], "identifiable": [True, False]})
    >>> mark_not_identified(pd.DataFrame({"channel": ["a", "b", "b"]}), summary)["channel"].tolist()
    ['a', 'b (not identified)', 'b (not identified)']
    """
    unknown = set(summary.loc[~summary["identifiable"].astype(bool), "channel"].astype(str))
    names = frame["channel"].astype(str)
    return frame.assign(channel=names.where(~names.isin(unknown), names + " (not identified)"))


def weekly_spend(spend: pd.DataFrame) -> pd.DataFrame:
    """Spend per channel and week (weeks starting Monday, UTC), a week without spend as 0, so a
    chart draws a pause as a pause rather than a line across it.

    Returns
    -------
    pandas.DataFrame
        ``week`` (its Monday), ``channel``, ``spend`` (currency per week), every channel in every
        week from the first week of data to the last.
    """
    days = pd.to_datetime(spend["date"])
    days = days.dt.tz_localize(None) if days.dt.tz is not None else days
    week = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.normalize()
    wide = spend.assign(week=week.to_numpy()).pivot_table(index="week", columns="channel", values="spend",
                                                          aggfunc="sum", fill_value=0.0)  # fmt: skip
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="7D"), fill_value=0.0)
    return wide.rename_axis(index="week", columns=None).reset_index().melt(id_vars="week", var_name="channel",
                                                                           value_name="spend")  # fmt: skip


def not_identified(summary: pd.DataFrame) -> pd.Series:
    """Channel → the reason it is not identified (from ``note``), for the channels that are not;
    an empty Series when every channel is identified."""
    rows = summary.loc[~summary["identifiable"]]
    return pd.Series(rows["note"].astype(str).str.removeprefix("not identified: ").to_numpy(),
                     index=rows["channel"].to_numpy(), name="reason", dtype=object)  # fmt: skip


#: `paid_back`'s verdicts, in the order a report names them.
PAYBACK_VERDICTS = ("paid back", "did not pay back", "too close to call")


def paid_back(summary: pd.DataFrame, *, break_even: float) -> pd.Series:
    """Channel → whether its spend paid back, for the identified channels of ``summary``
    (`IncrementalFit.summary`): "paid back" when its ROAS interval lies above ``break_even``
    (revenue per unit of spend, `break_even_roas`), "did not pay back" when below, "too close to
    call" when the interval holds it. ROI > 0 exactly when ROAS > break-even, so this is the ROI's
    sign read with its interval rather than from the estimate alone.

    >>> s = pd.DataFrame({"channel": ["a", "b", "c", "d"], "ci_lower": [2.6, 1.0, 2.0, 3.0],
    ...                   "ci_upper": [3.0, 2.0, 3.0, 4.0], "identifiable": [True, True, True, False]})
    >>> paid_back(s, break_even=2.5).to_dict()
    {'a': 'paid back', 'b': 'did not pay back', 'c': 'too close to call'}
    """
    ok = summary[summary["identifiable"]]
    words = np.where(ok["ci_lower"] > break_even, PAYBACK_VERDICTS[0],
                     np.where(ok["ci_upper"] < break_even, PAYBACK_VERDICTS[1], PAYBACK_VERDICTS[2]))  # fmt: skip
    return pd.Series(words, index=ok["channel"].to_numpy(), name="paid_back", dtype=object)


def _payback_line(ok: pd.DataFrame, plan: Reallocation, level: str) -> str:
    """The bullet on which identified channels paid back, read with their intervals."""
    verdicts = paid_back(ok, break_even=plan.break_even_roas)
    parts = []
    for verdict in PAYBACK_VERDICTS:
        rows = ok[ok["channel"].map(verdicts).to_numpy() == verdict]
        if rows.empty:
            continue
        names = ", ".join(f"{md(r.channel)} (ROI {r.roi:+.0%})" for r in rows.itertuples())
        parts.append({"paid back": f"paid back: {names}",
                      "did not pay back": f"did not pay back: {names}",
                      "too close to call": f"too close to call (the {level} interval holds break-even): "
                                           f"{names}"}[verdict])  # fmt: skip
    return (f"- At the {plan.margin_rate:.0%} margin (break-even ROAS {plan.break_even_roas:.2f}), over the "
            f"whole period, spend " + "; ".join(parts) + ".")  # fmt: skip


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
    lines = _ranking(ok, currency=currency, level=f"{1 - alpha:.0%}")
    if len(ok):
        lines.append(_payback_line(ok, plan, f"{1 - alpha:.0%}"))
    lt = attribution.set_index("channel")["share"]
    inc = ok.set_index("channel")["incremental_revenue"]
    inc_share = inc / inc.sum()
    diff = (lt.reindex(inc_share.index) - inc_share).dropna()
    if len(diff):
        over = diff.idxmax()
        lines.append(
            f"- Last-touch attribution gives {md(over)} {lt[over]:.0%} of the credit; the incremental "
            f"model gives it {inc_share[over]:.0%} of the incremental revenue."
            + _levels(inc, attribution, currency)
        )
    lines.extend(reallocation_conclusions(plan, currency=currency, alpha=alpha, period=period))
    for channel, note in summary.loc[~summary["identifiable"], ["channel", "note"]].itertuples(index=False):
        # Its estimate stays in the tables, but a channel the data do not identify gets no finding.
        why = str(note).removeprefix("not identified: ")
        lines.append(
            f"- **{md(channel)}** is not identified, so this report makes no ROI finding for it: {md(why)}."
        )
    return "\n".join(lines)


def _levels(inc: pd.Series, attribution: pd.DataFrame, currency: str) -> str:
    """Why the two views differ in level too: the regression's incremental revenue of the identified
    channels beside the revenue attribution credits them (orders with a tracked touchpoint only)."""
    if "revenue" not in attribution:
        return ""
    credited = float(attribution.set_index("channel")["revenue"].reindex(inc.index).fillna(0).sum())
    total = float(inc.sum())
    if credited <= 0 or abs(total / credited - 1) < 0.1:
        return ""
    side = ("more than attribution credits them: the regression also sees the revenue of exposure that left no "
            "tracked touchpoint" if total > credited else
            "less than attribution credits them: part of the tracked orders would have come without the ads")  # fmt: skip
    return (f" In level, too: the incremental model credits these channels with {total:,.0f} {md(currency)}, "
            f"{side} ({credited:,.0f} {md(currency)} of tracked orders).")  # fmt: skip


def _ranking(ok: pd.DataFrame, *, currency: str, level: str) -> list[str]:
    """The line naming the identified channels that returned most and least (one line; a single
    identified channel is named alone; none says so)."""
    if ok.empty:
        return ["- The data identify no channel's return, so this report makes no ROI finding."]
    best, worst = ok.iloc[0], ok.iloc[-1]
    lead = "is the only identified channel; it returned" if len(ok) == 1 else "returned the most:"
    first = (
        f"- **{md(best['channel'])}** {lead} {best['roas']:.2f} {md(currency)} of "
        f"incremental revenue per {md(currency)} spent ({level} interval {best['ci_lower']:.2f} to "
        f"{best['ci_upper']:.2f})"
    )
    if len(ok) == 1:
        return [first + "."]
    return [
        f"{first}; **{md(worst['channel'])}** the least, {worst['roas']:.2f} "
        f"({worst['ci_lower']:.2f} to {worst['ci_upper']:.2f})."
    ]


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
    budget: str = param("free", expected="'fixed' or 'free'", choices=("fixed", "free"))
    min_budget_per_day: float = param(0.0, expected="an amount from 0 to 1e12 (currency per day)", ge=0,
                                      le=MAX_AMOUNT)  # fmt: skip
    max_budget_per_day: float = param(0.0, expected="0 (no cap) or an amount up to 1e12 (currency per day)", ge=0,
                                      le=MAX_AMOUNT)  # fmt: skip
    fixed_channels: list[str] = param([], expected="channel names")
    recent_days: int = param(RECENT_DAYS_DEFAULT, RECENT_DAYS)
    holdout_weeks: int = param(8, expected="1 to 52 weeks", ge=1, le=52)
    n_bootstrap: int = param(200, expected="20 to 5,000 replicates", ge=20, le=5000)
    seed: int = param(0, SEED)

    def check(self) -> None:
        """The period runs forwards; the data folder exists; the budget's bounds fit its kind."""
        fixed, free = self.budget == "fixed", self.budget == "free"
        check_rules(self, [
            ("budget_per_day", fixed or self.budget_per_day == 0, "0 with budget 'free' (bound the total "
             "with min_budget_per_day and max_budget_per_day)"),
            ("min_budget_per_day", free or self.min_budget_per_day == 0, "0 with budget 'fixed'"),
            ("max_budget_per_day", free or self.max_budget_per_day == 0, "0 with budget 'fixed'"),
            ("min_budget_per_day", self.max_budget_per_day == 0 or self.min_budget_per_day <= self.max_budget_per_day,
             "at most max_budget_per_day"),
        ])  # fmt: skip
        start = utc_day("start_date", self.start_date)
        end = utc_day("end_date", self.end_date)
        if start is not None and end is not None and start >= end:
            raise InputError(f"{self.start_date} is not before end_date {self.end_date}",
                             key="start_date", expected="start_date before end_date")  # fmt: skip
        check_data_dir(self.data_dir)

    @property
    def total_budget(self) -> float | None:
        """The fixed budget to reallocate (currency per day), None for today's total or a free budget."""
        return self.budget_per_day if self.budget == "fixed" and self.budget_per_day > 0 else None

    @property
    def min_total(self) -> float | None:
        """The free budget's lowest total (currency per day); None for a fixed budget."""
        return self.min_budget_per_day if self.budget == "free" else None

    @property
    def max_total(self) -> float | None:
        """The free budget's highest total (currency per day); None for no cap or a fixed budget."""
        return self.max_budget_per_day if self.budget == "free" and self.max_budget_per_day > 0 else None

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
