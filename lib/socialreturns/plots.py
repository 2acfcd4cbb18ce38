"""The shared look of every report: one seaborn theme and a few plot functions.

Plot functions take a tidy DataFrame and ``ax=`` (a new figure when omitted) and return the axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

PALETTE = "colorblind"


def set_theme() -> None:
    """Apply the project's seaborn theme (white grid, colour-blind palette, readable sizes)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    plt.rcParams.update({
        "figure.figsize": (10, 4.5),
        "figure.dpi": 100,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
    })  # fmt: skip


def thousands(ax: Axes, axis: str = "y") -> Axes:
    """Format an axis with thousands separators."""
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    return ax


def lines_over_time(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    title: str = "",
    ylabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """One line per ``hue`` group of ``y`` against the time column ``x``."""
    if ax is None:
        _, ax = plt.subplots()
    data = frame.assign(**{x: pd.to_datetime(frame[x]).dt.tz_localize(None)})
    sns.lineplot(data=data, x=x, y=y, hue=hue, marker="o", markersize=3, ax=ax)
    ax.set(title=title, xlabel="", ylabel=ylabel or y)
    if hue is not None:
        ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return thousands(ax)


def bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str = "",
    xlabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of ``x`` per category ``y``, largest first."""
    if ax is None:
        _, ax = plt.subplots()
    data = frame.sort_values(x, ascending=False)
    sns.barplot(data=data, x=x, y=y, ax=ax, color=sns.color_palette(PALETTE)[0])
    ax.set(title=title, xlabel=xlabel or x, ylabel="")
    return thousands(ax, axis="x")


def forest(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    lower: str,
    upper: str,
    reference: pd.Series | None = None,
    reference_label: str = "",
    title: str = "",
    xlabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Point estimates with interval bars, one row per ``label``; optional reference markers
    (e.g. last-touch ROAS) indexed by label, and a line at 1 (break-even for a ratio)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.55 * len(frame) + 1.5))
    data = frame.sort_values(estimate).reset_index(drop=True)
    y = np.arange(len(data))
    ax.errorbar(
        data[estimate], y,
        xerr=[data[estimate] - data[lower], data[upper] - data[estimate]],
        fmt="o", color=sns.color_palette(PALETTE)[0], capsize=4, label="incremental (interval)",
    )  # fmt: skip
    if reference is not None:
        ref = reference.reindex(data[label]).to_numpy()
        ax.scatter(ref, y, marker="D", color=sns.color_palette(PALETTE)[3], zorder=3,
                   label=reference_label)  # fmt: skip
    ax.axvline(1.0, color="grey", lw=1, ls="--")
    ax.set_yticks(y, data[label])
    ax.set(title=title, xlabel=xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def response_curves(
    curves: pd.DataFrame, *, currency: str, period: str = "day", col_wrap: int = 3
) -> sns.FacetGrid:
    """One panel per channel: expected incremental revenue against steady spend, with the
    interval band and the current spend marked."""
    grid = sns.FacetGrid(curves, col="channel", col_wrap=col_wrap, sharex=False, sharey=False,
                         height=2.8, aspect=1.3)  # fmt: skip

    def panel(data: pd.DataFrame, **_: object) -> None:
        ax = plt.gca()
        line = data[~data["current"]]
        ax.fill_between(line["spend"], line["ci_lower"], line["ci_upper"], alpha=0.25)
        ax.plot(line["spend"], line["revenue"])
        now = data[data["current"]]
        ax.scatter(now["spend"], now["revenue"], color="black", zorder=3, s=20)

    grid.map_dataframe(panel)
    grid.set_axis_labels(f"spend ({currency} per {period})", f"revenue ({currency} per {period})")
    grid.set_titles("{col_name}")
    return grid


def grouped_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str,
    title: str = "",
    xlabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of ``x`` per category ``y``, one bar per ``hue`` group side by side."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.5 * frame[y].nunique() * 1.6 + 1.5))
    order = frame.groupby(y)[x].mean().sort_values(ascending=False).index
    sns.barplot(data=frame, x=x, y=y, hue=hue, order=order, ax=ax)
    ax.set(title=title, xlabel=xlabel or x, ylabel="")
    ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def fit_diagnostics(actual: pd.Series, fitted: pd.Series, *, currency: str) -> plt.Figure:
    """Actual against fitted over time, and residuals against fitted values."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [2, 1]})
    dates = actual.index.tz_localize(None) if actual.index.tz is not None else actual.index
    left.plot(dates, actual.to_numpy(), lw=0.8, label="actual")
    left.plot(dates, fitted.to_numpy(), lw=1.2, label="fitted")
    left.set(title="Revenue: actual and fitted", ylabel=f"revenue ({currency})")
    left.legend()
    thousands(left)
    resid = actual.to_numpy() - fitted.to_numpy()
    right.scatter(fitted.to_numpy(), resid, s=6, alpha=0.5)
    right.axhline(0, color="grey", lw=1)
    right.set(title="Residuals", xlabel=f"fitted ({currency})", ylabel=f"actual - fitted ({currency})")
    fig.tight_layout()
    return fig


def holdout(frame: pd.DataFrame, *, currency: str, mape: float, ax: Axes | None = None) -> Axes:
    """Actual and predicted revenue, the held-out periods shaded, the holdout error in the title."""
    if ax is None:
        _, ax = plt.subplots()
    dates = pd.to_datetime(frame["date"]).dt.tz_localize(None)
    ax.plot(dates, frame["actual"], lw=0.8, label="actual")
    ax.plot(dates, frame["predicted"], lw=1.2, label="predicted")
    held = dates[frame["holdout"].to_numpy()]
    ax.axvspan(held.min(), held.max(), color="grey", alpha=0.15, label="held out")
    ax.set(title=f"Out-of-sample check: error on the held-out weeks {mape:.1%} (MAPE)",
           ylabel=f"revenue ({currency})")  # fmt: skip
    ax.legend(loc="upper left")
    return thousands(ax)


def fan_chart(
    history: pd.Series,
    outlook: pd.DataFrame,
    *,
    plan_revenue: pd.Series | None = None,
    currency: str,
    ax: Axes | None = None,
) -> Axes:
    """History, the forecast with its interval, and (optionally) forecast plus a plan's
    incremental revenue, per month."""
    if ax is None:
        _, ax = plt.subplots()
    ax.plot(history.index, history.to_numpy(), label="business as usual (history)")
    months = pd.to_datetime(outlook["month"])
    ax.plot(months, outlook["mean"], ls="--", label="forecast")
    ax.fill_between(months, outlook["ci_lower"], outlook["ci_upper"], alpha=0.2, label="interval")
    if plan_revenue is not None:
        ax.plot(months, outlook["mean"].to_numpy() + np.asarray(plan_revenue), lw=2,
                label="forecast + plan")  # fmt: skip
    ax.set(title="Monthly revenue: forecast and plan", ylabel=f"revenue ({currency} per month)")
    ax.legend(loc="upper left")
    return thousands(ax)


def distributions(paths: pd.DataFrame, *, hurdle_rate_annual: float, currency: str) -> plt.Figure:
    """Histograms of simulated NPV (break-even marked) and annual IRR (hurdle marked)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    sns.histplot(paths["npv"], ax=left, bins=60)
    left.axvline(0, color="black", lw=1)
    left.set(title="Simulated NPV", xlabel=f"NPV ({currency})")
    thousands(left, axis="x")
    irr = paths["irr_annual"].replace([np.inf, -np.inf], np.nan).dropna()
    sns.histplot(irr, ax=right, bins=60)
    right.axvline(hurdle_rate_annual, color="black", lw=1, label="hurdle")
    right.set(title="Simulated IRR", xlabel="IRR (per year)")
    right.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    right.legend()
    fig.tight_layout()
    return fig


def tornado(swings: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars from the base NPV to the NPV at each driver's low and high value."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(swings) + 1.5))
    data = swings.iloc[::-1].reset_index(drop=True)
    base = float(data["base"].iloc[0])
    y = np.arange(len(data))
    colors = sns.color_palette(PALETTE)
    ax.barh(y, data["low"] - base, left=base, color=colors[3], label="driver -20%")
    ax.barh(y, data["high"] - base, left=base, color=colors[0], label="driver +20%")
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y, data["driver"])
    ax.set(title="NPV sensitivity", xlabel=f"NPV ({currency})")
    ax.legend(loc="lower right")
    return thousands(ax, axis="x")


def stacked_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str,
    title: str = "",
    xlabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of ``x`` per category ``y``, the ``hue`` parts stacked (negatives to the
    left of zero), categories in the order they first appear."""
    order = list(dict.fromkeys(frame[y]))
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.45 * len(order) + 1.8))
    wide = frame.pivot_table(index=y, columns=hue, values=x, aggfunc="sum", sort=False).reindex(order)
    colors = sns.color_palette(PALETTE)
    pos = np.zeros(len(order))
    neg = np.zeros(len(order))
    rows = np.arange(len(order))
    for i, part in enumerate(wide.columns):
        values = wide[part].fillna(0.0).to_numpy()
        left = np.where(values >= 0, pos, neg)
        ax.barh(rows, values, left=left, color=colors[i % len(colors)], label=str(part))
        pos += np.clip(values, 0, None)
        neg += np.clip(values, None, 0)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(rows, order)
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel or x, ylabel="")
    ax.legend(title=None, loc="lower right")
    return thousands(ax, axis="x")


def purchase_holdout(
    by_frequency: pd.DataFrame, cumulative: pd.DataFrame, *, error_share: float
) -> plt.Figure:
    """The BG/NBD holdout check: mean holdout purchases per calibration frequency (actual
    against predicted) and the cumulative repeat purchases week by week."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    long = by_frequency.reset_index().melt(
        id_vars=by_frequency.index.name, value_vars=["actual", "predicted"], var_name="", value_name="mean"
    )
    sns.barplot(data=long, x=by_frequency.index.name, y="mean", hue="", ax=left)
    left.set(title="Holdout purchases by calibration purchases",
             xlabel="repeat purchases in the calibration period", ylabel="mean purchases in the holdout")  # fmt: skip
    left.legend(title=None)
    right.plot(cumulative["week"], cumulative["actual"], label="actual")
    right.plot(cumulative["week"], cumulative["predicted"], ls="--", label="predicted")
    right.set(title=f"Cumulative repeat purchases (total error {error_share:+.1%})",
              xlabel="weeks after the calibration end", ylabel="repeat purchases")  # fmt: skip
    right.legend()
    thousands(right)
    fig.tight_layout()
    return fig


def histograms(frame: pd.DataFrame, columns: dict[str, str], *, log_x: tuple[str, ...] = ()) -> plt.Figure:
    """One histogram per column, side by side; ``columns`` maps a column to its axis label and
    columns in ``log_x`` get a logarithmic axis."""
    fig, axes = plt.subplots(1, len(columns), figsize=(4.2 * len(columns), 3.6), squeeze=False)
    for ax, (column, label) in zip(axes[0], columns.items(), strict=True):
        values = frame[column].astype(float)
        if column in log_x:
            values = values[values >= values.quantile(0.005)].clip(lower=1e-9)
        sns.histplot(values, ax=ax, bins=40, log_scale=column in log_x)
        ax.set(title=label, xlabel=label, ylabel="customers")
        if column in log_x:  # plain tick labels: matplotlib's 10^x labels need fonts we do not ship
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        thousands(ax)
    fig.tight_layout()
    return fig


def _percent(ax: Axes, axis: str = "y") -> Axes:
    fmt = FuncFormatter(lambda v, _: f"{v:.0%}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    return ax


def voice_over_time(share: pd.DataFrame, *, brand: str) -> plt.Figure:
    """Three panels from `sentiment.share_of_voice`: mentions per brand, reach share of voice
    stacked to 100%, and net sentiment per brand (``brand`` drawn thicker). Periods the data
    cover only in part are left out: their low counts would read as a fall."""
    share = share[~share["partial"]]
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(11, 10), sharex=True)
    wide = share.pivot_table(index="period", columns="brand", values="reach_share_of_voice", fill_value=0.0)
    order = [brand, *[b for b in wide.columns if b != brand]]
    colors = dict(zip(order, sns.color_palette(PALETTE), strict=False))
    for b in order:
        part = share[share["brand"] == b]
        width = 2.6 if b == brand else 1.2
        top.plot(part["period"], part["mentions"], color=colors[b], lw=width, label=b)
        bottom.plot(part["period"], part["net_sentiment"], color=colors[b], lw=width, label=b)
    middle.stackplot(wide.index, *[wide[b] for b in order], colors=[colors[b] for b in order], labels=order)
    top.set(title="Mentions", ylabel="mentions")
    middle.set(title="Share of voice (share of reach)", ylabel="share of reach", ylim=(0, 1))
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


def confusion(matrix: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """A confusion matrix as a heatmap of row shares (each true class sums to 100%), counts
    annotated."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5))
    if matrix.empty:
        ax.text(0.5, 0.5, "no labelled mentions", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    shares = matrix.div(matrix.sum(axis=1), axis=0)
    labels = matrix.map(lambda v: f"{v:,}") + "\n" + shares.map(lambda v: f"{v:.0%}")
    sns.heatmap(shares, annot=labels, fmt="", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax)
    ax.set(title="True class (rows) against predicted", xlabel="predicted", ylabel="true")
    return ax


def platform_months(gap: pd.DataFrame, *, value: str = "answered_share", title: str = "") -> Axes:
    """A heatmap of one `sentiment.response_gap` column, platforms (rows) by period (columns);
    shares shown as percentages, periods with no questions blank."""
    wide = gap.pivot_table(index="platform", columns="period", values=value)
    wide.columns = [f"{c:%Y-%m}" for c in wide.columns]
    _, ax = plt.subplots(figsize=(max(8, 0.42 * wide.shape[1] + 2), 0.5 * len(wide) + 1.6))
    sns.heatmap(wide, cmap="RdYlGn", vmin=0, vmax=1, annot=wide.map(lambda v: f"{v:.0%}" if v == v else ""),
                fmt="", annot_kws={"fontsize": 7}, cbar=False, ax=ax)  # fmt: skip
    ax.set(title=title or value.replace("_", " "), xlabel="", ylabel="")
    return ax
