"""The shared look: one seaborn theme, one colour per channel, platform and brand, axis formatters.

A channel, platform or brand has one colour in every chart of every report: the sample's names
have fixed colours (`FIXED_COLORS`, from seaborn's colour-blind palette), and any other name gets
a colour chosen from its name's hash (`colors`), so it too keeps its colour from chart to chart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from socialreturns.notebook import one_draw_per_figure  # the kernel calls it too, before any theme

PALETTE = "colorblind"

#: seaborn's colour-blind palette, by name (the fixed colours below are taken from it).
_CB = dict(zip(("blue", "orange", "green", "vermilion", "purple", "brown", "pink", "grey", "yellow", "sky"),
               sns.color_palette(PALETTE, 10).as_hex(), strict=True))  # fmt: skip

#: The sample's channels and platforms (one name, one colour: facebook the channel and facebook
#: the platform alike) and its brands (our brand first, in blue). Names are lower-cased to look up.
FIXED_COLORS: dict[str, str] = {
    "facebook": _CB["blue"], "instagram": _CB["purple"], "tiktok": _CB["grey"], "youtube": _CB["vermilion"],
    "linkedin": _CB["sky"], "pinterest": _CB["pink"], "organic": _CB["green"], "referral": _CB["brown"],
    "reddit": _CB["orange"], "twitter": _CB["yellow"],
    "lumora": _CB["blue"], "brightwell": _CB["orange"], "kestrel": _CB["green"], "bliss": _CB["vermilion"],
    # The parts of relationship value (ROR's glossary) are not channels: colours from Paul Tol's
    # palette that no channel, platform or brand above uses, so no part reads as a channel.
    "loyalty value": "#332288", "referral value": "#44aa99", "sharing value": "#999933",
}  # fmt: skip

#: Colours for other names: 20 distinct hues, picked by the name's hash.
_OTHER = sns.color_palette("tab20", 20).as_hex()


def colors(names: Iterable[object]) -> dict[str, str]:
    """One colour (hex) per name: the fixed colour of a known channel, platform or brand, else a
    colour picked by the name's SHA-256 (the same name gets the same colour in every chart).
    Within one call no two names share a colour while distinct ones are left: a hashed name whose
    colour is taken moves to the next free one.

    >>> colors(["facebook", "Lumora"])
    {'facebook': '#0173b2', 'Lumora': '#0173b2'}
    >>> colors(["snapchat"])["snapchat"] == colors(["facebook", "snapchat"])["snapchat"]
    True
    """
    out: dict[str, str] = {}
    unknown = []
    for name in dict.fromkeys(str(n) for n in names):
        fixed = FIXED_COLORS.get(name.lower())
        if fixed is not None:
            out[name] = fixed
        else:
            unknown.append(name)
    for name in unknown:
        start = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") % len(_OTHER)
        taken = set(out.values())
        pick = next((_OTHER[(start + k) % len(_OTHER)] for k in range(len(_OTHER))
                     if _OTHER[(start + k) % len(_OTHER)] not in taken), _OTHER[start])  # fmt: skip
        out[name] = pick
    return out


def set_theme() -> None:
    """Apply the project's seaborn theme (white grid, colour-blind palette, readable sizes); in a
    Jupyter kernel with the inline backend, each figure is then drawn once per cell, for its PNG
    (`one_draw_per_figure`)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    one_draw_per_figure()
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
