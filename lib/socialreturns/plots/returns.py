"""Charts of returns: ROAS forest, response curves, fit and holdout checks, the IRR fan chart, distributions and tornado, the purchase holdout."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from socialreturns.intervals import ALPHA
from socialreturns.plots.charts import histogram
from socialreturns.plots.theme import PALETTE, thousands


def forest(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    lower: str,
    upper: str,
    reference: pd.Series | None = None,
    reference_label: str = "",
    break_even: float | None = None,
    break_even_label: str = "",
    title: str = "",
    xlabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Point estimates with interval bars, one row per ``label``; optional reference markers
    (e.g. last-touch ROAS) indexed by label, a line at 1 (revenue equals spend for a ratio)
    and, when given, a labelled line at ``break_even`` (the ROAS at which spend pays back,
    ``1 / margin``; see `socialreturns.roi.break_even_roas`)."""
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
    ax.axvline(1.0, color="grey", lw=1, ls="--", label="revenue = spend (1)")
    if break_even is not None:
        ax.axvline(break_even, color="black", lw=1.5, ls="-",
                   label=break_even_label or f"break-even ({break_even:.2f})")  # fmt: skip
    ax.set_yticks(y, data[label])
    ax.set(title=title, xlabel=xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def response_curves(
    curves: pd.DataFrame,
    *,
    currency: str,
    period: str = "day",
    col_wrap: int = 3,
    margin_rate: float | None = None,
) -> plt.Figure:
    """One panel per channel (in the order of ``curves``, ``col_wrap`` per row): expected
    incremental revenue against steady spend, with the interval band and the current spend
    marked; with ``margin_rate``, the break-even line revenue = spend / margin_rate (above it the
    spend pays back at that gross margin). Returns the figure."""
    # plain subplots laid out as seaborn's FacetGrid(col_wrap=3, height=2.8, aspect=1.3) did: the
    # grid's legend placement drew the whole figure twice more before its PNG, for six panels
    channels = list(dict.fromkeys(curves["channel"]))
    rows = max(-(-len(channels) // col_wrap), 1)
    fig, axes = plt.subplots(rows, col_wrap, figsize=(col_wrap * 2.8 * 1.3, rows * 2.8), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= len(channels):
            ax.remove()
            continue
        _response_panel(ax, curves[curves["channel"] == channels[i]], margin_rate)
        ax.set_title(str(channels[i]))
        if i + col_wrap >= len(channels):  # no panel below: the spend axis is labelled here
            ax.set_xlabel(f"spend ({currency} per {period})")
        if i % col_wrap == 0:
            ax.set_ylabel(f"revenue ({currency} per {period})")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout()
    fig.subplots_adjust(bottom=0.18)
    return fig


def _response_panel(ax: Axes, data: pd.DataFrame, margin_rate: float | None) -> None:
    line = data[~data["current"]]
    ax.fill_between(line["spend"], line["ci_lower"], line["ci_upper"], alpha=0.25, label="interval")
    ax.plot(line["spend"], line["revenue"], label="expected revenue")
    now = data[data["current"]]
    ax.scatter(now["spend"], now["revenue"], color="black", zorder=3, s=20, label="today's spend")
    if margin_rate is not None:
        # The line would dwarf the curves: keep the curves' scale and let it leave the panel.
        top = 1.1 * float(data["ci_upper"].max()) or 1.0
        ax.plot(line["spend"], line["spend"] / margin_rate, color="black", lw=1, ls="--",
                label=f"break-even at {margin_rate:.0%} margin (revenue = spend / {margin_rate:g})")  # fmt: skip
        ax.set_ylim(0, top)


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
    actual: pd.Series | None = None,
    plan_revenue: pd.Series | None = None,
    currency: str,
    ax: Axes | None = None,
) -> Axes:
    """Monthly revenue: the actual revenue (optional), the model's baseline (revenue without the
    fitted paid-social contribution), its forecast with the interval, and (optionally) the
    forecast plus a plan's incremental revenue."""
    if ax is None:
        _, ax = plt.subplots()
    if actual is not None:
        ax.plot(actual.index, actual.to_numpy(), color="black", lw=1.2, label="actual revenue (orders)")
    ax.plot(history.index, history.to_numpy(), label="model baseline: revenue without paid social")
    months = pd.to_datetime(outlook["month"])
    level = 1 - outlook.attrs.get("alpha", ALPHA)
    ax.plot(months, outlook["mean"], ls="--", label="baseline forecast")
    ax.fill_between(
        months, outlook["ci_lower"], outlook["ci_upper"], alpha=0.2, label=f"{level:.0%} interval"
    )
    if plan_revenue is not None:
        ax.plot(months, outlook["mean"].to_numpy() + np.asarray(plan_revenue), lw=2,
                label="baseline forecast + plan")  # fmt: skip
    ax.set(
        title="Monthly revenue: actual, baseline, forecast and plan", ylabel=f"revenue ({currency} per month)"
    )
    ax.legend(loc="upper left")
    return thousands(ax)


def distributions(paths: pd.DataFrame, *, hurdle_rate_annual: float, currency: str) -> plt.Figure:
    """Histograms of simulated NPV (break-even marked) and annual IRR (hurdle marked). The IRR
    panel shows its 1st to 99th percentile: a few paths compound to thousands of percent a year,
    which would squeeze every other bar and the hurdle into one column."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    histogram(paths["npv"], ax=left)
    left.axvline(0, color="black", lw=1)
    left.set(title="Simulated NPV", xlabel=f"NPV ({currency})")
    left.xaxis.set_major_locator(MaxNLocator(5))  # wide amounts: few enough ticks not to run together
    thousands(left, axis="x")
    irr = paths["irr_annual"].replace([np.inf, -np.inf], np.nan).dropna()
    low, high = irr.quantile([0.01, 0.99]) if len(irr) else (0.0, 0.0)
    histogram(irr[irr.between(low, high)], ax=right)
    right.axvline(hurdle_rate_annual, color="black", lw=1, label="hurdle")
    right.set(title="Simulated IRR (1st to 99th percentile)", xlabel="IRR (per year)")
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
