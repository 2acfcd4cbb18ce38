"""What is in the data: row counts, date ranges, volumes over time and data-quality findings.

The functions behind ``notebooks/data_overview.ipynb``; they take the validated `Tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from socialreturns.data import TABLES, Tables, is_member, read_column_map
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures
from socialreturns.parameters import NotebookParameters, check_data_dir, param
from socialreturns.sentiment import brand_shares, contains_personal_data


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the data-overview notebook: the same names, types and defaults as its
    parameters cell, which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "data_overview"

    data_dir: str = "data/sample"
    column_map_file: str = ""
    currency: str = "EUR"
    freq: str = param("MS", expected="'W' (weekly) or 'MS' (monthly)", choices=("W", "MS"))

    def check(self) -> None:
        """The data folder exists; the column map, if any, is valid."""
        check_data_dir(self.data_dir)
        read_column_map(self.column_map_file)

    def column_map(self) -> dict[str, dict[str, str]]:
        """The column map (``{table: {our_column: your_column}}``; empty without a file)."""
        return read_column_map(self.column_map_file)


#: The figures the data-overview notebook records (its record contract).
FIGURES = Figures(
    "data_overview",
    Figure("rows", "rows that passed validation", "count", per="table"),
    Figure("first_date", "first day in any table (UTC)", "date"),
    Figure("last_date", "last day in any table (UTC)", "date"),
    Figure("spend_total", "paid social spend over the whole period", "currency"),
    Figure("customers_by_acquisition_channel", "customers per acquisition channel", "count", per="channel"),
    Figure("revenue_total", "order revenue over the whole period", "currency"),
    Figure("quality_findings", "findings that need care (finding, rows, share, severity)", "table"),
)


def _time_column(name: str) -> str:
    return {"spend": "date", "customers": "acquisition_date"}.get(name, "timestamp")


def table_summary(tables: Tables) -> pd.DataFrame:
    """One row per table: ``table``, ``rows``, ``columns``, ``first`` and ``last`` (UTC dates),
    ``days`` covered and the ``file`` it came from."""
    rows = []
    for name in TABLES:
        frame = getattr(tables, name)
        when = frame[_time_column(name)]
        rows.append({
            "table": name,
            "rows": len(frame),
            "columns": frame.shape[1],
            "first": when.min().date() if len(frame) else None,
            "last": when.max().date() if len(frame) else None,
            "days": (when.max() - when.min()).days + 1 if len(frame) else 0,
            "file": tables.sources[name].name if name in tables.sources else "",
        })  # fmt: skip
    return pd.DataFrame(rows)


def volume_over_time(
    frame: pd.DataFrame,
    *,
    time: str,
    by: str,
    value: str | None = None,
    freq: str = "MS",
) -> pd.DataFrame:
    """Tidy volume per period and group: ``period``, ``by``, ``value``.

    Counts rows when ``value`` is None, else sums ``value`` (e.g. spend in currency).
    ``freq`` is a pandas period start alias: ``"MS"`` monthly, ``"W"`` weekly.
    """
    stamp = frame[time].dt.tz_convert("UTC").dt.tz_localize(None)
    period = stamp.dt.to_period("M" if freq == "MS" else "W").dt.start_time
    grouped = frame.assign(period=period).groupby(["period", by], observed=True)
    out = grouped.size() if value is None else grouped[value].sum()
    # A period without rows is a zero (a paused channel), not a gap to draw a line across.
    periods = pd.period_range(period.min(), period.max(), freq="M" if freq == "MS" else "W")
    full = pd.MultiIndex.from_product(
        [periods.start_time, sorted(frame[by].dropna().unique())], names=["period", by]
    )
    out = out.reindex(full, fill_value=0).rename(value or "count").reset_index()
    return out.astype({by: str})


def _denominators(tables: Tables) -> dict[str, tuple[int, str]]:
    """What each finding's share is of: ``{key: (count, words)}``."""
    m, s = tables.mentions, tables.spend
    stamps = [getattr(tables, n)[_time_column(n)] for n in TABLES if len(getattr(tables, n))]
    first, last = min(t.min() for t in stamps), max(t.max() for t in stamps)
    days = (last.normalize() - first.normalize()).days + 1 if stamps else 0
    channels = s["channel"].nunique()
    own = m["brand"].isin(m.loc[m["answered_at"].notna(), "brand"].unique())
    questions = int((m["is_question"].fillna(False).astype(bool) & own).sum())
    sizes = {name: len(getattr(tables, name)) for name in TABLES}
    out = {name: (n, f"{n:,} {name}") for name, n in sizes.items()}
    out["questions"] = (questions, f"{questions:,} customer questions to the brands that answer")
    out["channel_days"] = (
        days * channels,
        f"{days * channels:,} channel-days ({days:,} days × {channels} channels)",
    )
    return out


def quality_findings(tables: Tables) -> pd.DataFrame:
    """Things that are valid input but worth knowing before analysis.

    Returns one row per check: ``table``, ``finding``, ``rows`` affected, ``share`` (a fraction
    of ``of``), ``of`` (what the share is of, in words with its count: "4,380 channel-days (730
    days × 6 channels)"), ``severity`` (``warning`` or ``info``; ``none found`` for a check that
    found nothing).

    Notes
    -----
    Pauses are the channel-days without spend, of every channel-day of the data's period (its
    first to its last day in any table, times the channels in the spend table); unanswered questions are of the questions to the brands whose inbox the data
    holds (the brands with answers); every other finding is of its table's rows.
    """
    m, o, c, t, s = (
        tables.mentions,
        tables.orders,
        tables.customers,
        tables.touchpoints,
        tables.spend,
    )
    text = m["text"].fillna("")
    # the patterns redaction uses, so the counts are what the reports will redact
    personal = contains_personal_data(m["text"])
    # Answers are known only for the brand whose inbox exported them: the brands with answers.
    own = m["brand"].isin(m.loc[m["answered_at"].notna(), "brand"].unique())
    questions = m["is_question"].fillna(False).astype(bool) & own
    known = c["customer_id"]
    spend_days = s.groupby("channel")["date"].nunique()
    of = _denominators(tables)
    checks = [
        ("mentions", "texts with an e-mail address (redact before showing)",
         personal["email"].sum(), "warning", "mentions"),
        ("mentions", "texts with a phone number (redact before showing)",
         personal["phone"].sum(), "warning", "mentions"),
        ("mentions", "texts repeated verbatim (reposts, templates)", text.duplicated().sum(),
         "info", "mentions"),
        ("mentions", "mentions by authors matched to a customer", m["customer_id"].notna().sum(),
         "info", "mentions"),
        ("mentions", "customer questions to the brand never answered",
         (questions & m["answered_at"].isna()).sum(), "warning", "questions"),
        ("touchpoints", "touchpoints of prospects not in customers (never converted)",
         (~is_member(t["customer_id"], known)).sum(), "info", "touchpoints"),
        ("touchpoints", "touchpoints with no paid campaign", (t["campaign"] == "(organic)").sum(),
         "info", "touchpoints"),
        ("orders", "orders with zero revenue", (o["revenue"] == 0).sum(), "warning", "orders"),
        ("orders", "orders above 10x the median revenue",
         (o["revenue"] > 10 * o["revenue"].median()).sum(), "info", "orders"),
        ("customers", "customers without any order", (~is_member(known, o["customer_id"])).sum(),
         "warning", "customers"),
        ("customers", "customers referred by another customer", c["referred_by"].notna().sum(),
         "info", "customers"),
        ("spend", "channel-days without spend (pauses)",
         of["channel_days"][0] - spend_days.sum(), "info", "channel_days"),
    ]  # fmt: skip
    frame = pd.DataFrame(checks, columns=["table", "finding", "rows", "severity", "base"])
    frame["rows"] = frame["rows"].astype(int)
    sizes = frame["base"].map(lambda k: of[k][0])
    frame.insert(3, "share", (frame["rows"] / sizes.where(sizes > 0)).fillna(0.0))
    frame.insert(4, "of", frame["base"].map(lambda k: of[k][1]))
    frame["severity"] = frame["severity"].where(frame["rows"] > 0, "none found")
    return frame.drop(columns="base")


def conclusions(tables: Tables, *, currency: str, findings: pd.DataFrame | None = None) -> str:
    """Markdown conclusions of the overview, with every number computed from ``tables``;
    ``findings`` is `quality_findings` of ``tables`` when the caller has it already (it reads
    every mention's text), else it is computed here."""
    summary = table_summary(tables).set_index("table")
    spend_total = tables.spend["spend"].sum()
    revenue_total = tables.orders["revenue"].sum()
    top_channel = tables.spend.groupby("channel")["spend"].sum().idxmax()
    voice = brand_shares(tables.mentions).sort_values(
        "mention_share_of_voice", ascending=False, kind="stable"
    )
    per_customer = tables.orders["customer_id"].value_counts()
    repeaters = per_customer.gt(1).mean()
    findings = quality_findings(tables) if findings is None else findings
    warnings = findings[(findings["severity"] == "warning") & (findings["rows"] > 0)]
    lines = [
        f"- The data covers **{summary.loc['orders', 'first']} to {summary.loc['orders', 'last']}**"
        f" with {summary.loc['orders', 'rows']:,} orders from "
        f"{summary.loc['customers', 'rows']:,} customers, and "
        f"{summary.loc['mentions', 'rows']:,} social mentions.",
        f"- Paid social spend totals **{spend_total:,.0f} {md(currency)}** "
        f"(largest channel: {md(top_channel)}); order revenue totals "
        f"**{revenue_total:,.0f} {md(currency)}**.",
        f"- {repeaters:.0%} of the {len(per_customer):,} customers with an order ordered again "
        "(more than one order).",
        "- Mention share of voice (each brand's share of the mentions, as in the sentiment report): "
        + ", ".join(f"{md(r.brand)} {r.mention_share_of_voice:.0%}" for r in voice.itertuples())
        + ".",
    ]
    if len(warnings):
        lines.append(
            "- To act on: " + "; ".join(f"{r.rows:,} {r.finding}" for r in warnings.itertuples()) + "."
        )
    return "\n".join(lines)
