"""The shared look of every report: one seaborn theme, formatted tables and the plot functions.

Plot functions take a tidy DataFrame and ``ax=`` (a new figure when omitted) and return the axes
(or the figure, for multi-panel charts).

Submodules: `theme` (the seaborn theme, one colour per channel and brand, axis formatters), `tables` (every table formatted by what
its columns hold), `charts` (general charts), `returns` (ROI, IRR and ROR charts), `voice`
(sentiment and listening charts).
"""

from socialreturns.plots.charts import (
    bars,
    confusion,
    grouped_bars,
    histograms,
    lines_over_time,
    stacked_bars,
)
from socialreturns.plots.returns import (
    distributions,
    fan_chart,
    fit_diagnostics,
    forest,
    holdout,
    purchase_holdout,
    response_curves,
    tornado,
)
from socialreturns.plots.tables import COLUMN_KINDS, FORMATS, Kind, column_kinds, table
from socialreturns.plots.theme import FIXED_COLORS, PALETTE, colors, set_theme, thousands
from socialreturns.plots.voice import platform_months, response_by_platform, spikes, voice_over_time

__all__ = [
    "COLUMN_KINDS", "FIXED_COLORS", "FORMATS", "PALETTE", "Kind", "bars", "colors", "column_kinds", "confusion", "distributions",
    "fan_chart", "fit_diagnostics", "forest", "grouped_bars", "histograms", "holdout", "lines_over_time",
    "platform_months", "purchase_holdout", "response_by_platform", "response_curves", "set_theme", "spikes",
    "stacked_bars", "table", "thousands", "tornado", "voice_over_time",
]  # fmt: skip
