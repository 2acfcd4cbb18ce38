"""Tables formatted the same way in every report.

What a column holds (money, a percentage, a ratio, a count, hours...) is named once, here, by
the column names the library's results use (`COLUMN_KINDS`); `table` formats any result frame
by them, so ROAS reads "2.31", a share "41.2%" and an amount "717,173" (cents only in a column
whose amounts are all below 1,000) in every report; headers read as words ("net cash flow"), with
their abbreviations in capitals ("ROAS", "NPV") and units in brackets ("payback (months)"; `header`). Columns it does not know are formatted by their name (``*_share``, ``*_rate``:
percents) or their dtype (whole numbers with thousands separators, other numbers to two
decimals with separators, timestamps as dates). Every table has one header row: a shown index
becomes the first columns, headed by its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal

import pandas as pd
from pandas.io.formats.style import Styler

from socialreturns.markup import escape_html

Kind = Literal[
    "money", "count", "percent", "signed_percent", "ratio", "decimal", "number", "hours", "months", "score", "date",
    "datetime", "text",
]  # fmt: skip


def money(value: float) -> str:
    """An amount as tables show it: thousands separated, cents only below 1,000.

    >>> money(717173.29), money(12.923), money(-1500.5)
    ('717,173', '12.92', '-1,500')
    """
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _signed(spec: str) -> Callable[[float], str]:
    """A signed format that never shows minus zero: -0.0004 reads "+0.0%", not "-0.0%"."""

    def shown(value: float) -> str:
        text = format(value, spec)
        return "+" + text[1:] if text.startswith("-") and float(text[1:].rstrip("%")) == 0 else text

    return shown


#: How each kind of value reads (a format string, or a function).
FORMATS: dict[str, str | Callable[[float], str]] = {
    "money": money,
    "count": "{:,.0f}",
    "percent": "{:.1%}",
    "signed_percent": _signed("+.1%"),
    "ratio": "{:.2f}",
    "decimal": "{:.3f}",
    "number": "{:,.2f}",
    "hours": "{:.1f}",
    "months": "{:.1f}",
    "score": _signed("+.2f"),
    "date": "{:%Y-%m-%d}",
    "datetime": "{:%Y-%m-%d %H:%M}",
    "text": "{}",
}

#: What the library's result columns hold: the one place that says so.
COLUMN_KINDS: dict[str, Kind] = {
    # money (the data's currency)
    "spend": "money", "revenue": "money", "incremental_revenue": "money", "incremental_margin": "money",
    "current_spend": "money", "latest_spend": "money", "setup_cost": "money", "recommended_spend": "money", "current_revenue": "money",
    "expected_revenue": "money", "net_cash_flow": "money", "discounted": "money", "cumulative": "money",
    "cumulative_discounted": "money", "npv": "money", "mae": "money", "clv": "money", "total_value": "money",
    "value_if_retained": "money", "value_slipping": "money", "referral_value": "money",
    "clv_per_customer": "money", "loyalty_value": "money", "sharing_value": "money",
    "relationship_value": "money", "acquisition_spend": "money", "earned_media_value": "money",
    "customer_earned_media_value": "money", "monetary_value": "money",
    # the budget reallocation (socialreturns.roi.reallocate)
    "average_spend": "money", "current_profit": "money", "expected_profit": "money", "marginal_roas_current": "ratio",
    "marginal_roas_recommended": "ratio", "break_even_roas": "ratio",
    # counts
    "rows": "count", "columns": "count", "days": "count", "conversions": "count", "customers": "count",
    "mentions": "count", "reach": "count", "questions": "count", "posts": "count", "customer_posts": "count",
    "shares": "count", "likes": "count", "count": "count", "baseline_count": "count", "support": "count",
    "n_purchases": "count", "periods": "count", "negative_mentions": "count",
    "excess_negative_mentions": "count", "followed_up": "count", "rank": "count", "preceded": "count",
    # fractions shown as percentages
    "share": "percent", "change": "signed_percent", "roi": "signed_percent", "irr_annual": "percent",
    "mirr_annual": "percent", "mape": "percent", "quantile": "percent", "p_alive": "percent",
    "p_alive_change": "signed_percent", "net_sentiment": "signed_percent", "answered_share": "percent",
    "within_sla_share": "percent", "share_of_voice": "percent", "reach_share_of_voice": "percent",
    "mention_share_of_voice": "percent", "net_sentiment_before": "signed_percent",
    "positive_share": "percent", "negative_share": "percent", "share_of_customers": "percent",
    "amplification_rate": "ratio", "applause_rate": "ratio",
    # ratios and scores
    "roas": "ratio", "marginal_roas": "ratio", "ror": "ratio", "mase": "ratio", "hill_shape": "ratio",
    "half_saturation": "money", "adstock_decay": "ratio", "log_odds": "ratio", "z": "ratio", "score": "ratio",
    "compound": "score", "precision": "decimal", "recall": "decimal", "f1": "decimal", "estimate": "decimal",
    "std_error": "decimal", "expected_purchases": "decimal", "actual": "decimal", "predicted": "decimal",
    # durations
    "payback_months": "months", "discounted_payback_months": "months", "median_response_hours": "hours",
    "p90_response_hours": "hours",
    # times
    "timestamp": "datetime",
}  # fmt: skip

#: Kinds of the ROR, sentiment and organisation columns (look19b; additive, beside `COLUMN_KINDS`).
COLUMN_KINDS |= {
    "accuracy": "percent", "age_hours": "hours", "mse": "decimal", "log_likelihood": "number",
    "months_observed": "months", "margin_at_age": "money", "margin_per_customer": "money", "ror_at_age": "ratio",
    "error_share": "signed_percent", "net_sentiment_lower": "signed_percent",
    "net_sentiment_upper": "signed_percent",
}  # fmt: skip

#: Headers that read better than their column's name with the underscores spaced: abbreviations,
#: statistics' words and units (`header`).
HEADERS: dict[str, str] = {
    "ci_lower": "interval low", "ci_upper": "interval high", "std_error": "standard error",
    "net_sentiment_lower": "interval low", "net_sentiment_upper": "interval high",
    "p_alive": "P(alive)", "p_alive_change": "P(alive) change in a month", "clv": "CLV",
    "clv_per_customer": "CLV per customer", "ror": "ROR", "ror_at_age": "ROR at age", "n_purchases": "purchases",
    "within_sla_share": "within SLA", "median_response_hours": "median response (hours)",
    "p90_response_hours": "90th percentile response (hours)", "mse": "mean squared error",
    "log_likelihood": "log-likelihood", "log_odds": "log-odds", "f1_negative": "F1 negative",
    "f1_neutral": "F1 neutral", "f1_positive": "F1 positive", "weighted_f1": "weighted F1",
    "compound": "lexicon score (-1 to 1)", "T": "weeks since first purchase", "recency": "recency (weeks)",
    "frequency": "repeat purchases", "monetary_value": "mean repeat order", "age_hours": "waiting (hours)",
    "sla_breached": "past the SLA", "amplification_rate": "shares per post", "applause_rate": "likes per post",
    "customer_earned_media_value": "of which by customers", "error_share": "error", "post_id": "post",
    "customer_id": "customer", "author_id": "author", "followed_up": "with a next mention",
    "preceded": "with an earlier mention",
    # the finance pages (look19a)
    "identifiable": "identified", "quantile": "percentile", "irr_annual": "IRR (annual)",
    "mirr_annual": "MIRR (annual)", "marginal_roas_current": "marginal ROAS today", "marginal_roas": "marginal ROAS, as spent", "current_spend": "spend today", "setup_cost": "set-up cost", "latest_spend": "spend, last 4 weeks",
    "current_profit": "profit today", "current_revenue": "revenue today",
}  # fmt: skip

#: Abbreviations a header keeps in capitals: "roas" reads "ROAS".
ABBREVIATIONS = frozenset({"roas", "roi", "ror", "clv", "npv", "irr", "mirr", "mape", "mase", "mae", "sla", "f1",
                           "ga4", "utm", "id", "p90", "r2"})  # fmt: skip

#: Units a header names in brackets at its end: "payback_months" reads "payback (months)".
_UNITS = ("months", "days", "hours", "weeks")


def header(name: object) -> str:
    """A column's header: `HEADERS`' words, else the name's words with abbreviations in capitals
    (`ABBREVIATIONS`) and a unit at its end in brackets.

    >>> header("p_alive"), header("net_cash_flow"), header("roas_calibrated"), header("payback_months")
    ('P(alive)', 'net cash flow', 'ROAS calibrated', 'payback (months)')
    """
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    words = [w.upper() if w.lower() in ABBREVIATIONS else w for w in text.split("_") if w]
    if len(words) > 1 and words[-1] in _UNITS:
        words[-1] = f"({words[-1]})"
    return " ".join(words) if words else text


#: Columns that bound the interval of the column before them take that column's kind.
_BOUNDS = re.compile(r"^(ci_lower|ci_upper)$")
#: Columns the library does not name but whose names say they hold fractions: shares and rates.
_SHARES = re.compile(r"(^|_)(share|rate)(_|$)")


#: Columns that name a period of a chart or table (`table` shows monthly ones as months, and
#: quarterly ones as quarters when the frame's ``attrs["freq"]`` is ``"Q"``).
_PERIOD_COLUMNS = frozenset({"period", "month"})


def _quarter(stamp: pd.Timestamp) -> str:
    """A quarterly period's label from its first day: "Q4 2024"."""
    return f"Q{stamp.quarter} {stamp.year}"


def _month_starts(values: pd.Series) -> bool:
    """Every value is midnight on the first of a month (a monthly period's label)."""
    stamps = pd.DatetimeIndex(values.dropna())
    return len(stamps) > 0 and bool(((stamps.day == 1) & (stamps == stamps.normalize())).all())


def column_kinds(frame: pd.DataFrame, kinds: Mapping[str, Kind] | None = None) -> dict[str, Kind]:
    """The kind of every column of ``frame``: ``kinds`` first, then `COLUMN_KINDS`, then a name
    that says share or rate (a fraction: a percent), then the dtype. ``ci_lower``/``ci_upper``
    take the kind of the estimate they follow.

    >>> column_kinds(pd.DataFrame({"roas": [2.0], "ci_lower": [1.0], "n": [3], "repeat_share": [0.3]}))
    {'roas': 'ratio', 'ci_lower': 'ratio', 'n': 'count', 'repeat_share': 'percent'}
    """
    out: dict[str, Kind] = {}
    before: Kind = "number"
    for column in frame.columns:
        name = str(column)
        dtype = frame[column].dtype
        if kinds and name in kinds:
            kind = kinds[name]
        elif _BOUNDS.match(name):
            kind = before
        elif name in COLUMN_KINDS:
            kind = COLUMN_KINDS[name]
        elif _SHARES.search(name) and pd.api.types.is_float_dtype(dtype):
            kind = "percent"
        elif pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            kind = "date" if pd.api.types.is_datetime64_any_dtype(dtype) else "text"
        elif pd.api.types.is_integer_dtype(dtype):
            kind = "count"
        else:
            kind = "number"
        out[name] = kind
        if not _BOUNDS.match(name):
            before = kind
    return out


def table(
    frame: pd.DataFrame,
    *,
    currency: str = "",
    kinds: Mapping[str, Kind] | None = None,
    all_as: Kind | None = None,
    caption: str = "",
    index: bool = False,
) -> Styler:
    """``frame`` as a formatted table for a report.

    Parameters
    ----------
    frame
        A result frame of the library (its column names say what they hold).
    currency
        ISO code of the money columns; when given and the table has money, the caption says
        "Amounts in EUR".
    kinds
        Kinds for columns the library does not name (``{"NPV": "money"}``).
    all_as
        One kind for every column (a pivot of revenue by model, say).
    caption
        Shown above the table.
    index
        Show the index (a labelled index such as ``channel``) as the first columns, headed by
        its name in the one header row; hidden by default.

    Returns
    -------
    pandas.io.formats.style.Styler
        Missing values shown as "-"; one header row (pandas' row of index and column-axis names
        is never shown).
    """
    frame = frame.copy(deep=False)  # pandas renders the names of the index and columns unescaped
    labels: list[str] = []  # the index's columns, when shown as columns
    if index and any(n is not None for n in frame.index.names):  # its name heads its column
        labels = [str(n) for n in frame.index.names]
        frame = frame.reset_index()
        index = False
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(p) for p in c if str(p)) for c in frame.columns]
    frame.columns.names = [None]  # a pivot's column-axis name would be a second header row
    frame.index.names = [None if n is None else escape_html(n) for n in frame.index.names]
    found = column_kinds(frame, kinds)
    if all_as:
        found = {c: k if c in labels else all_as for c, k in found.items()}
    formats: dict[str, str | Callable[[float], str]] = {
        c: FORMATS[k] for c, k in found.items() if k != "text"
    }
    for c in frame.columns:  # a flag reads yes or no, not Python's True or False
        if pd.api.types.is_bool_dtype(frame[c].dtype):
            formats[str(c)] = _yes_no
    # periods read as months ("Nov 2024") or quarters ("Q4 2024"), not as their first day
    for c in frame.columns:
        if str(c) in _PERIOD_COLUMNS and found[str(c)] == "date" and _month_starts(frame[c]):
            formats[str(c)] = _quarter if frame.attrs.get("freq") == "Q" else "{:%b %Y}"
    for c in frame.columns:  # one style per money column: cents only where every amount is below 1,000
        if found[str(c)] == "money" and pd.api.types.is_numeric_dtype(frame[c].dtype):
            formats[str(c)] = "{:,.0f}" if (frame[c].abs() >= 1000).any() else "{:,.2f}"
    # Text cells, labels and headers are escaped (pandas' own HTML escaping): names come from data.
    styler = frame.style.format({c: formats.get(str(c)) for c in frame.columns}, na_rep="-", escape="html")
    # headers read as words: "net_cash_flow" shows as "net cash flow" (escaped first, then spaced)
    styler = styler.format_index(escape="html", axis=0).format_index(header, escape="html", axis=1)
    text = [c for c in frame.columns if found[str(c)] == "text"]
    if text:  # words read from the left, under a header on the left; numbers line up on the right
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
        styler = styler.set_table_styles({c: [{"selector": "th", "props": "text-align: left"}] for c in text},
                                         overwrite=False)  # fmt: skip
    if not index:
        styler = styler.hide(axis="index")
    notes = [caption.rstrip(".")] if caption else []
    if currency and "money" in found.values():
        notes.append(f"Amounts in {currency}")
    return styler.set_caption(escape_html(". ".join(notes) + ".")) if notes else styler
