"""The reallocation's conclusions as a report says them: break-even at the margin, what to cut
and grow and by how much, spend read at today's level, and the expected profit (`reallocate`'s
`Reallocation`, in words)."""

from __future__ import annotations

import pandas as pd

from socialreturns.markup import escape_markdown as md
from socialreturns.roi.budget import LATEST_DAYS, Reallocation


def _moves(rows: pd.DataFrame, currency: str, period: str) -> str:
    """The moves as text, the unit on the first only: youtube 357 → 250 EUR per day (-30%), then ...."""
    parts = []
    for i, r in enumerate(rows.itertuples()):
        unit = f" {md(currency)} per {period}" if i == 0 else ""
        parts.append(
            f"{md(r.channel)} {r.current_spend:,.0f} → {r.recommended_spend:,.0f}{unit} ({r.change:+.0%})"
        )
    return ", then ".join(parts)


def _marginals(rows: pd.DataFrame) -> str:
    """Each channel with its marginal ROAS at today's spend: facebook (4.60), instagram (4.17)."""
    return ", ".join(f"{md(r.channel)} ({r.marginal_roas_current:.2f})" for r in rows.itertuples())


def _read_at_today(moved: pd.DataFrame, cur: str, period: str) -> list[str]:
    """A bullet for channels moved against their average ROAS: grown from well below their
    average spend over the data, or cut from well above it."""
    low = moved[(moved["change"] > 0) & (moved["current_spend"] < 0.8 * moved["average_spend"])]
    high = moved[(moved["change"] < 0) & (moved["current_spend"] > 1.25 * moved["average_spend"])]
    parts = []
    for rows, side, earns in ((low, "lower", "more"), (high, "higher", "less")):
        if len(rows):
            pairs = ", ".join(f"{md(r.channel)} {r.current_spend:,.0f} against {r.average_spend:,.0f}"
                              for r in rows.itertuples())  # fmt: skip
            parts.append(
                f"{pairs} ({side} on the curve: the next {cur} earns {earns} than the average ROAS says)"
            )
    if not parts:
        return []
    return [f"- Marginal ROAS is read at today's spend, not the average over the data ({cur} per {period}, today "
            f"against the average): " + "; ".join(parts) + "."]  # fmt: skip


def _lately(free: pd.DataFrame, recent_days: int, cur: str, period: str) -> list[str]:
    """A bullet for channels whose last four weeks' spend differs from today's (the mean of the
    ``recent_days`` window) by more than half: a burst or a pause inside the window."""
    if recent_days <= LATEST_DAYS:
        return []
    off = free[(free["latest_spend"] - free["current_spend"]).abs() > 0.5 * free["current_spend"]]
    if off.empty:
        return []
    parts = [f"{md(r.channel)} {r.latest_spend:,.0f}" + (" (paused)" if r.latest_spend == 0 else "")
             for r in off.itertuples()]  # fmt: skip
    return [f"- Today's spend is the mean of the last {recent_days} days; in the last {LATEST_DAYS} days "
            f"{', '.join(parts)} {cur} per {period} instead. The recommended spend is a level to set, "
            "not a change to apply to this month's spend."]  # fmt: skip


def reallocation_conclusions(
    plan: Reallocation, *, currency: str, alpha: float, period: str = "day"
) -> list[str]:
    """The reallocation's conclusions as markdown bullets: break-even at the margin, what to cut
    and grow and by how much (money per ``period`` and %, the lowest marginal return cut first),
    the change in total spend and the expected profit with its interval, and the channels held.

    Every number comes from ``plan`` (see `socialreturns.roi.reallocate`).
    """
    t, cur, even = plan.table, md(currency), plan.break_even_roas
    free = t[(t["held"] == "") & (t["current_spend"] > 0)].sort_values("marginal_roas_current")
    below, above = free[free["marginal_roas_current"] < even], free[free["marginal_roas_current"] >= even]
    change = plan.recommended_total - plan.current_total
    shift = "**Move budget" + (" and cut spend.**" if change < -0.005 * plan.current_total else
                               " and grow spend.**" if change > 0.005 * plan.current_total else ".**")  # fmt: skip
    head = {"cut": "**Cut spend.**", "grow": "**Grow spend.**", "shift": shift,
            "hold": "**No change possible.**"}[plan.verdict]  # fmt: skip
    rule = (f"At a {plan.margin_rate:.0%} gross margin a channel pays back its next {cur} only if that {cur} "
            f"brings at least {even:.2f} {cur} of revenue (break-even ROAS = 1 / margin).")  # fmt: skip
    today = f"At today's spend (the mean of the last {plan.recent_days} days)"
    if plan.verdict == "cut":
        state = f"{today} no channel does: their marginal ROAS is " + _marginals(below.iloc[::-1]) + "."
    elif plan.verdict == "grow":
        state = f"{today} every channel does: " + _marginals(above.iloc[::-1]) + "."
    elif plan.verdict == "shift":
        state = (f"{today} {_marginals(above.iloc[::-1])} {'is' if len(above) == 1 else 'are'} above break-even "
                 f"at the margin; {_marginals(below)} {'is' if len(below) == 1 else 'are'} below.")  # fmt: skip
    else:
        state = "Every channel keeps its spend (fixed, not identified or not spending)."
    lines = [f"- {head} {rule} {state}"]
    moved = t[
        (t["recommended_spend"] - t["current_spend"]).abs() > 0.005 * t["current_spend"].clip(lower=1e-9)
    ]
    cuts = moved[moved["change"] < 0].sort_values("marginal_roas_current")
    grows = moved[moved["change"] > 0].sort_values("marginal_roas_current", ascending=False)
    if len(cuts):
        lines.append(f"- Cut first {_moves(cuts, currency, period)}.")
    if len(grows):
        lines.append(f"- Grow {_moves(grows, currency, period)}.")
    lines.extend(_read_at_today(moved, cur, period))
    lines.extend(_lately(t[t["held"] == ""], plan.recent_days, cur, period))
    total = (f"Total spend {plan.current_total:,.0f} → {plan.recommended_total:,.0f} {cur} per {period} "
             f"({change:+,.0f} {cur} per {period}, {change / plan.current_total:+.0%})"
             if abs(change) > 0.005 * plan.current_total else
             f"Total spend stays at {plan.current_total:,.0f} {cur} per {period}")  # fmt: skip
    lines.append(
        f"- {total}; expected profit (gross margin less spend) {plan.gain:+,.0f} {cur} per {period} "
        f"({1 - alpha:.0%} interval {plan.gain_lower:+,.0f} to {plan.gain_upper:+,.0f}) against today's split. "
        "Amounts assume a steady daily spend; bursts of the same budget earn less."
    )
    if plan.budget == "fixed" and plan.verdict == "cut":
        lines.append("- The budget is fixed (`budget` 'fixed'), so the plan keeps the total; with `budget` 'free' "
                     "it cuts the total.")  # fmt: skip
    limit = moved[(moved["change"].abs() >= plan.max_change - 1e-6)
                  & ((moved["change"] < 0) == (moved["marginal_roas_recommended"] < even))]  # fmt: skip
    if plan.budget == "free" and len(limit):
        lines.append(
            f"- The change limit (`max_change` {plan.max_change:.0%}) stops "
            + ", ".join(md(c) for c in limit["channel"])
            + f" short of break-even: at the recommended spend the marginal ROAS is still on the same side of "
            f"{even:.2f}, so moving further would add profit. Move in steps and measure again."
        )
    for r in t[t["held"] != ""].itertuples():
        lines.append(f"- {md(r.channel)} keeps its {r.current_spend:,.0f} {cur} per {period} ({md(r.held)}).")
    for r in t[(t["held"] == "") & (t["current_spend"] <= 0)].itertuples():
        lines.append(f"- {md(r.channel)} spent nothing in the last {plan.recent_days} days; the plan does not "
                     "restart it (the change limit is relative to today's spend).")  # fmt: skip
    return lines
