"""General charts over tidy frames: lines over time, bars, grouped and stacked bars, histograms, a confusion matrix."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.ticker import FuncFormatter, PercentFormatter

from socialreturns.plots.theme import colors, thousands


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
    """One line per ``hue`` group of ``y`` against the time column ``x``, each group in its own
    colour (`socialreturns.plots.theme.colors`: a channel has one colour in every report)."""
    if ax is None:
        _, ax = plt.subplots()
    data = frame.assign(**{x: pd.to_datetime(frame[x]).dt.tz_localize(None)})
    order = sorted(data[hue].astype(str).unique()) if hue is not None else None
    if hue is not None:
        data = data.assign(**{hue: data[hue].astype(str)})
    sns.lineplot(data=data, x=x, y=y, hue=hue, hue_order=order, palette=colors(order) if order else None,
                 marker="o", markersize=3, ax=ax)  # fmt: skip
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
    """Horizontal bars of ``x`` per category ``y``, largest first, each category in its colour
    (`socialreturns.plots.theme.colors`)."""
    if ax is None:
        _, ax = plt.subplots()
    data = frame.sort_values(x, ascending=False).astype({y: str})
    sns.barplot(data=data, x=x, y=y, hue=y, palette=colors(data[y]), legend=False,
                saturation=1, ax=ax)  # fmt: skip
    ax.set(title=title, xlabel=xlabel or x, ylabel="")
    return thousands(ax, axis="x")


def grouped_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str,
    title: str = "",
    xlabel: str = "",
    percent: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of ``x`` per category ``y``, one bar per ``hue`` group side by side;
    ``percent`` reads ``x`` as a fraction and labels its axis in percent (0.25 as 25%)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.5 * frame[y].nunique() * 1.6 + 1.5))
    order = frame.groupby(y)[x].mean().sort_values(ascending=False).index
    palette = colors(sorted(frame[hue].astype(str).unique()))
    sns.barplot(data=frame.astype({hue: str}), x=x, y=y, hue=hue, order=order, palette=palette,
                saturation=1, ax=ax)  # fmt: skip
    ax.set(title=title, xlabel=xlabel or x, ylabel="")
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


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
    palette = colors(str(c) for c in wide.columns)
    pos = np.zeros(len(order))
    neg = np.zeros(len(order))
    rows = np.arange(len(order))
    for part in wide.columns:
        values = wide[part].fillna(0.0).to_numpy()
        left = np.where(values >= 0, pos, neg)
        ax.barh(rows, values, left=left, color=palette[str(part)], label=str(part))
        pos += np.clip(values, 0, None)
        neg += np.clip(values, None, 0)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(rows, order)
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel or x, ylabel="")
    ax.legend(title=None, loc="lower right")
    return thousands(ax, axis="x")


def histogram(values: pd.Series | np.ndarray, *, bins: int = 60, log_x: bool = False, ax: Axes) -> Axes:
    """Counts of ``values`` (missing ones left out) in ``bins`` equal bins over their range (equal
    in log10 with ``log_x``, on a logarithmic axis), drawn as seaborn's ``histplot`` draws them
    (palette's first colour at 0.75 alpha, thin white edges, y from 0, "Count"), but as one
    collection instead of one rectangle per bin: histplot's machinery and its 40 to 60 artists
    cost more than the rest of the figure."""
    finite = np.asarray(values, dtype=float)
    finite = finite[~np.isnan(finite)]
    if log_x:
        ax.set_xscale("log")
        edges = 10 ** np.histogram_bin_edges(np.log10(finite), bins=bins)
    else:
        edges = np.histogram_bin_edges(finite, bins=bins)
    counts, edges = np.histogram(finite, bins=edges)
    verts = np.stack([np.column_stack([edges[:-1], np.zeros_like(edges[:-1])]),
                      np.column_stack([edges[:-1], counts]), np.column_stack([edges[1:], counts]),
                      np.column_stack([edges[1:], np.zeros_like(edges[1:])])], axis=1)  # fmt: skip
    bars = PolyCollection(verts, facecolors=sns.color_palette()[0], alpha=0.75, edgecolors="white",
                          linewidths=0.85)  # fmt: skip
    ax.add_collection(bars, autolim=True)
    ax.autoscale_view()
    ax.set_ylim(bottom=0)
    ax.set_ylabel("Count")
    return ax


def histograms(frame: pd.DataFrame, columns: dict[str, str], *, log_x: tuple[str, ...] = ()) -> plt.Figure:
    """One histogram per column, side by side; ``columns`` maps a column to its axis label and
    columns in ``log_x`` get a logarithmic axis."""
    fig, axes = plt.subplots(1, len(columns), figsize=(4.2 * len(columns), 3.6), squeeze=False)
    for ax, (column, label) in zip(axes[0], columns.items(), strict=True):
        values = frame[column].astype(float)
        if column in log_x:
            values = values[values >= values.quantile(0.005)].clip(lower=1e-9)
        histogram(values, ax=ax, bins=40, log_x=column in log_x)
        ax.set(title=label, xlabel=label, ylabel="customers")
        if column in log_x:  # plain tick labels: matplotlib's 10^x labels need fonts we do not ship
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        thousands(ax)
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
