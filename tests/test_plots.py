"""One palette and one table format across reports: a channel or brand has one colour in every
chart, tables format amounts, counts and shares the same way and have one header row."""

from __future__ import annotations

import re

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from socialreturns import plots
from socialreturns.plots import theme


def test_known_names_have_fixed_colours_and_others_keep_theirs():
    # the same colour for a channel whichever chart, order or company it appears in
    assert plots.colors(["tiktok", "facebook"]) == {"tiktok": theme.FIXED_COLORS["tiktok"],
                                                    "facebook": theme.FIXED_COLORS["facebook"]}  # fmt: skip
    assert plots.colors(["Facebook"])["Facebook"] == theme.FIXED_COLORS["facebook"]  # case does not matter
    channels = ["facebook", "instagram", "tiktok", "youtube", "linkedin", "pinterest", "organic", "referral"]
    assert len(set(plots.colors(channels + ["reddit", "twitter"]).values())) == 10  # all distinct
    assert len(set(plots.colors(["Lumora", "Brightwell", "Kestrel", "Bliss"]).values())) == 4
    unknown = plots.colors(["snapchat"])["snapchat"]
    assert unknown == plots.colors(["facebook", "snapchat", "tiktok"])["snapchat"]  # deterministic
    many = [f"channel {i}" for i in range(15)]
    assert len(set(plots.colors(many).values())) == 15  # distinct within a chart while colours remain


def test_the_parts_of_relationship_value_share_no_channel_or_brand_colour():
    parts = plots.colors(["loyalty value", "referral value", "sharing value"])
    named = {v for k, v in theme.FIXED_COLORS.items() if not k.endswith(" value")}
    assert len(set(parts.values())) == 3 and not set(parts.values()) & named


def test_grouped_bars_read_shares_in_percent():
    frame = pd.DataFrame(
        {"channel": ["a", "a", "b", "b"], "model": ["m", "n", "m", "n"], "share": [0.25, 0.5, 0.75, 0.5]}
    )
    ax = plots.grouped_bars(frame, x="share", y="channel", hue="model", percent=True)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "20%" in labels and all(t.endswith("%") for t in labels)
    plain = plots.grouped_bars(frame, x="share", y="channel", hue="model")
    plain.figure.canvas.draw()
    assert not any(t.get_text().endswith("%") for t in plain.get_xticklabels())
    plt.close("all")


def test_a_channel_is_drawn_in_its_colour():
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-02-01"] * 2),
                          "channel": ["youtube", "youtube", "facebook", "facebook"], "spend": [1.0, 2, 3, 4]})  # fmt: skip
    ax = plots.lines_over_time(frame, x="period", y="spend", hue="channel")
    drawn = {line.get_label(): mcolors.to_hex(line.get_color()) for line in ax.get_lines()}
    assert (
        drawn["youtube"] == theme.FIXED_COLORS["youtube"]
        and drawn["facebook"] == theme.FIXED_COLORS["facebook"]
    )
    ax = plots.bars(frame.groupby("channel", as_index=False)["spend"].sum(), x="spend", y="channel")
    bars = sorted((p.get_width(), mcolors.to_hex(p.get_facecolor())) for p in ax.patches)
    assert bars == [(3.0, theme.FIXED_COLORS["youtube"]), (7.0, theme.FIXED_COLORS["facebook"])]
    plt.close("all")


def _header_rows(html: str) -> int:
    return len(re.findall(r"<tr>", re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)))


def test_tables_have_one_header_row_and_one_format():
    frame = pd.DataFrame({"clv": [717173.29, 12.923], "customers": [55495, 3], "repeat_share": [0.3041, 0.5]},
                         index=pd.Index(["<b>all</b>", "tiktok"], name="segment"))  # fmt: skip
    frame.columns.name = "measure"
    html = plots.table(frame, index=True, currency="EUR").to_html()
    assert _header_rows(html) == 1  # no row of pandas' index and column-axis names
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert ">segment<" in header and ">measure<" not in header
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    # money without cents in a column with amounts above 1,000; the same style down the column
    assert cells == ["&lt;b&gt;all&lt;/b&gt;", "717,173", "55,495", "30.4%", "tiktok", "13", "3", "50.0%"]
    assert ">repeat share<" in header  # headers read as words
    hostile = plots.table(pd.DataFrame({"<i>a_b</i>": [1.0]})).to_html()
    assert "&lt;i&gt;a b&lt;/i&gt;" in hostile and "<i>" not in hostile  # spaced, still escaped
    small = plots.table(pd.DataFrame({"clv": [12.923, 424.95], "identifiable": [True, False]})).to_html()
    assert re.findall(r"<td[^>]*>(.*?)</td>", small) == ["12.92", "yes", "424.95", "no"]
    assert "Amounts in EUR." in html
    # a pivot: its columns' axis name is not a header row either
    pivot = pd.DataFrame({"channel": ["a", "b"], "model": ["x", "x"], "share": [0.25, 0.75]}).pivot(
        index="channel", columns="model", values="share")  # fmt: skip
    html = plots.table(pivot, index=True, all_as="percent").to_html()
    assert _header_rows(html) == 1 and re.findall(r"<td[^>]*>(.*?)</td>", html) == [
        "a",
        "25.0%",
        "b",
        "75.0%",
    ]


def test_headers_read_as_words_with_abbreviations_and_units():
    frame = pd.DataFrame({"channel": ["a"], "roas": [2.5], "ci_lower": [2.0], "ci_upper": [3.0],
                          "marginal_roas": [1.1], "roi": [0.2], "identifiable": [True], "payback_months": [12.0],
                          "irr_annual": [0.3], "mape": [0.06]})  # fmt: skip
    header = re.search(r"<thead>(.*?)</thead>", plots.table(frame).to_html(), re.S).group(1)
    shown = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>.*?</th>", header, re.S)]
    assert shown == ["channel", "ROAS", "interval low", "interval high", "marginal ROAS, as spent", "ROI", "identified",
                     "payback (months)", "IRR (annual)", "MAPE"]  # fmt: skip


def test_statistics_and_abbreviations_read_as_words_in_headers():
    frame = pd.DataFrame(
        {"estimate": [1.0], "ci_lower": [0.5], "p_alive": [0.3], "clv": [5.0], "spend_rate": [0.1]}
    )
    header = re.search(r"<thead>(.*?)</thead>", plots.table(frame).to_html(), re.S).group(1)
    assert ">interval low<" in header and ">P(alive)<" in header and ">CLV<" in header
    assert ">spend rate<" in header and "ci lower" not in header  # others: the name, spaced


def test_a_signed_figure_rounded_to_zero_reads_plus_zero_never_minus_zero():
    frame = pd.DataFrame(
        {"channel": ["a", "b", "c"], "roi": [-0.0004, -0.012, 0.3], "score": [-0.001, -0.05, 0.0]}
    )
    html = plots.table(frame, kinds={"score": "score"}).to_html()
    assert "-0.0%" not in html and "+0.0%" in html and "-1.2%" in html and "+30.0%" in html
    assert "-0.00<" not in html and "+0.00<" in html and "-0.05<" in html


def test_monthly_periods_read_as_months_and_weekly_ones_as_dates():
    months = pd.DataFrame(
        {"period": pd.date_range("2024-11-01", periods=3, freq="MS", tz="UTC"), "mentions": [1, 2, 3]}
    )
    html = plots.table(months).to_html()
    assert "Nov 2024" in html and "Jan 2025" in html and "2024-11-01" not in html
    weeks = pd.DataFrame({"period": pd.date_range("2024-11-04", periods=3, freq="7D"), "mentions": [1, 2, 3]})
    assert "2024-11-04" in plots.table(weeks).to_html()
    # a date column that is not a period keeps its day, even on the first of a month
    starts = months.rename(columns={"period": "start"})
    assert "2024-11-01" in plots.table(starts).to_html()
    # a quarterly table (attrs["freq"] "Q", as organisation.employer_brand gives) reads as quarters
    quarters = pd.DataFrame(
        {"period": pd.date_range("2024-10-01", periods=3, freq="QS"), "mentions": [1, 2, 3]}
    )
    quarters.attrs["freq"] = "Q"
    html = plots.table(quarters).to_html()
    assert "Q4 2024" in html and "Q2 2025" in html and "Oct 2024" not in html and "2024-10-01" not in html


_INLINE_SHELL = """
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.enable_gui = lambda gui=None: None  # a terminal shell has no GUI loop to start
import matplotlib.pyplot as plt
from socialreturns import plots
plots.set_theme()
draws = []
plt.subplots()[0].canvas.mpl_connect("draw_event", lambda event: draws.append(1))
shell.run_cell("import matplotlib.pyplot as plt; plt.gca().plot([1, 2, 3]);")
hooks = ",".join(sorted(f.__name__ for f in shell.events.callbacks["post_execute"]))
print(hooks, len(draws), len(plt.get_fignums()))
"""


def test_under_the_inline_backend_a_figure_is_drawn_once_per_cell():
    # pyplot's redraw after each cell is dropped, the inline backend's PNG export is kept: the
    # figure is drawn by its export only (a layout pass for the tight bounding box, then the
    # pixels), then closed; before, pyplot rendered it once more first, unseen (3 draws)
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _INLINE_SHELL], capture_output=True, text=True, check=True)
    hooks, draws, left = out.stdout.splitlines()[-1].split(" ")
    assert "flush_figures" in hooks and "_draw_all_if_interactive" not in hooks
    assert (int(draws), int(left)) == (2, 0)


def test_other_backends_keep_pyplot_redrawing_after_each_command():
    assert plt.get_backend().lower() == "agg" and theme.one_draw_per_figure() is False


def test_response_curves_one_panel_per_channel_in_their_order_labelled_at_the_edges():
    # four channels, three per row: two rows, the two empty places removed; spend labelled where
    # no panel lies below (b and c in the first row, d in the second), revenue in the first column
    spend = [0.0, 50.0, 100.0, 40.0]
    curves = pd.DataFrame([{"channel": c, "spend": s, "revenue": 2 * s, "ci_lower": s, "ci_upper": 3 * s,
                            "current": i == 3} for c in ("d", "a", "c", "b") for i, s in enumerate(spend)])  # fmt: skip
    fig = plots.response_curves(curves, currency="EUR", margin_rate=0.5)
    assert [ax.get_title() for ax in fig.axes] == ["d", "a", "c", "b"]
    assert [bool(ax.get_xlabel()) for ax in fig.axes] == [False, True, True, True]
    assert [bool(ax.get_ylabel()) for ax in fig.axes] == [True, False, False, True]
    assert fig.axes[0].get_ylim() == (0.0, pytest.approx(1.1 * 300.0))
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "interval", "expected revenue", "today's spend", "break-even at 50% margin (revenue = spend / 0.5)"]  # fmt: skip
    plt.close(fig)


def test_the_irr_panel_shows_its_central_98_percent_and_the_hurdle():
    irr = np.r_[np.linspace(-0.5, 2.0, 990), np.full(10, 40.0)]  # ten paths compound to 4,000% a year
    paths = pd.DataFrame({"npv": np.linspace(-1e6, 2e6, 1000), "irr_annual": irr})
    fig = plots.distributions(paths, hurdle_rate_annual=0.15, currency="EUR")
    npv_ax, irr_ax = fig.axes[:2]
    assert irr_ax.get_xlim()[1] < 5 and irr_ax.get_xlim()[0] <= 0.15 <= irr_ax.get_xlim()[1]
    assert "1st to 99th percentile" in irr_ax.get_title()
    assert len(npv_ax.get_xticks()) <= 7
    plt.close(fig)
