"""Charts of what customers say: share of voice over time, crisis spikes, the response gap by platform and period."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from socialreturns.plots.theme import PALETTE, _percent, colors, thousands


def voice_over_time(share: pd.DataFrame, *, brand: str) -> plt.Figure:
    """Three panels from `sentiment.share_of_voice`: mentions per brand, reach share of voice
    stacked to 100% (mention share where the data have no reach figures), and net sentiment per
    brand (``brand`` drawn thicker). Periods the data cover only in part are left out, their low
    counts would read as a fall, unless every period is partial (an export of a few days)."""
    whole = share[~share["partial"]]
    partial = whole.empty
    share = share if partial else whole
    measure = (
        "reach_share_of_voice" if share["reach_share_of_voice"].notna().any() else "mention_share_of_voice"
    )
    wide = share.pivot_table(index="period", columns="brand", values=measure, fill_value=0.0, dropna=False)
    order = [brand, *sorted(b for b in share["brand"].unique() if b != brand)]
    wide = wide.reindex(columns=order, fill_value=0.0).fillna(0.0)
    palette = colors(order)  # a brand has one colour in every report
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(11, 10), sharex=True)
    for b in order:
        part = share[share["brand"] == b]
        width = 2.6 if b == brand else 1.2
        top.plot(
            part["period"],
            part["mentions"],
            color=palette[b],
            lw=width,
            label=b,
            marker="o" if len(part) < 3 else None,
        )
        bottom.plot(part["period"], part["net_sentiment"], color=palette[b], lw=width, label=b,
                    marker="o" if len(part) < 3 else None)  # fmt: skip
    if len(wide) > 1:
        middle.stackplot(
            wide.index, *[wide[b] for b in order], colors=[palette[b] for b in order], labels=order
        )
    else:  # one period: a stacked bar
        bottom_edge = 0.0
        for b in order:
            middle.bar(wide.index, wide[b], bottom=bottom_edge, color=palette[b], width=20, label=b)
            bottom_edge += wide[b].to_numpy()
    note = " (periods only partly covered by the data)" if partial else ""
    label = "share of reach" if measure == "reach_share_of_voice" else "share of mentions (no reach figures)"
    top.set(title="Mentions" + note, ylabel="mentions")
    middle.set(title=f"Share of voice ({label})", ylabel=label.split(" (")[0], ylim=(0, 1))
    bottom.set(title="Net sentiment (positive minus negative share)", ylabel="net sentiment")
    bottom.axhline(0, color="black", lw=0.8)
    top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    thousands(top)
    _percent(middle)
    _percent(bottom)
    fig.tight_layout()
    return fig


def spikes(volume: pd.DataFrame, episodes: pd.DataFrame, *, brand: str, sensitivity: float) -> plt.Figure:
    """Negative mentions per period against their expected level (`sentiment.negative_volume`),
    with the robust score below and each episode shaded."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True, height_ratios=(2, 1))
    top.plot(volume["period"], volume["negative_mentions"], lw=0.8, label="negative mentions")
    top.plot(volume["period"], volume["expected"], lw=2, label="expected (trend + season)")
    bottom.plot(volume["period"], volume["score"], lw=0.8, color="grey")
    bottom.axhline(sensitivity, color="crimson", ls="--", lw=1, label=f"alarm at {sensitivity:g}")
    for k, e in enumerate(episodes.itertuples()):
        for ax in (top, bottom):
            ax.axvspan(e.start, e.end + pd.Timedelta(days=1), color="crimson", alpha=0.15,
                       label="episode" if k == 0 and ax is top else None)  # fmt: skip
    top.set(title=f"Negative mentions of {brand}", ylabel="mentions")
    bottom.set(title="Robust score (residual over its median absolute deviation)", ylabel="score")
    top.legend(loc="upper left")
    bottom.legend(loc="upper left")
    thousands(top)
    fig.tight_layout()
    return fig


def response_by_platform(gap: pd.DataFrame, *, sla_hours: float) -> plt.Figure:
    """From `sentiment.response_gap` with one period: answered and within-SLA shares per
    platform, and the median and 90th-percentile response hours."""
    data = gap.sort_values("answered_share", ascending=False)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.5 * len(data) + 2))
    rows = np.arange(len(data))
    left.barh(rows, data["answered_share"], label="answered", color=sns.color_palette(PALETTE)[0])
    left.barh(rows, data["within_sla_share"], label=f"within {sla_hours:g} h",
              color=sns.color_palette(PALETTE)[2])  # fmt: skip
    left.set_yticks(rows, data["platform"])
    left.set(title="Customer questions answered", xlim=(0, 1))
    _percent(left, axis="x")
    left.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=2)
    right.barh(rows - 0.2, data["median_response_hours"], height=0.4, label="median")
    right.barh(rows + 0.2, data["p90_response_hours"], height=0.4, label="90th percentile")
    right.axvline(sla_hours, color="crimson", ls="--", lw=1, label=f"SLA {sla_hours:g} h")
    right.set_yticks(rows, data["platform"])
    right.set(title="Response time of answered questions", xlabel="hours")
    right.legend(loc="upper left", bbox_to_anchor=(0.0, -0.2), ncols=3)
    for ax in (left, right):
        ax.invert_yaxis()
    fig.tight_layout()
    return fig


def platform_months(gap: pd.DataFrame, *, value: str = "answered_share", title: str = "") -> Axes:
    """A heatmap of one `sentiment.response_gap` column, platforms (rows) by period (columns);
    shares shown as percentages, periods with no questions blank."""
    if gap.empty:  # no question in the data
        _, ax = plt.subplots(figsize=(8, 1.6))
        ax.text(0.5, 0.5, "No customer questions in the data", ha="center", va="center")
        ax.set(title=title or value.replace("_", " "), xticks=[], yticks=[])
        return ax
    wide = gap.pivot_table(index="platform", columns="period", values=value)
    wide.columns = [f"{c:%Y-%m}" for c in wide.columns]
    _, ax = plt.subplots(figsize=(max(8, 0.42 * wide.shape[1] + 2), 0.5 * len(wide) + 1.6))
    sns.heatmap(wide, cmap="RdYlGn", vmin=0, vmax=1, annot=wide.map(lambda v: f"{v:.0%}" if v == v else ""),
                fmt="", annot_kws={"fontsize": 7}, cbar=False, ax=ax)  # fmt: skip
    ax.set(title=title or value.replace("_", " "), xlabel="", ylabel="")
    return ax
