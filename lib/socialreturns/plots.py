"""The shared look of every report: one seaborn theme and a few plot functions.

Plot functions take a tidy DataFrame and ``ax=`` (a new figure when omitted) and return the axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
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
