"""The shared look: one seaborn theme and axis formatters."""

from __future__ import annotations

import matplotlib.pyplot as plt
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


def _percent(ax: Axes, axis: str = "y") -> Axes:
    fmt = FuncFormatter(lambda v, _: f"{v:.0%}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    return ax
