"""What the index says about each report: its headline figures in words and units, and one verdict.

Figures are formatted by the unit their notebook's record contract declares (`socialreturns.notebook.Figures`):
a fraction as a percent, an amount with thousands separators and the run's currency, months and
hours with their unit, a count with separators. A missing figure says why ("no payback within 24
months", "not identified"). Each report's one-sentence verdict is in `socialreturns.batch.verdicts`.

Plain Python over the manifest's values: no pandas. The contracts are read from their cache,
imported from their modules only when the library changed (`contract`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from socialreturns.notebook import Figure, Figures

#: Short labels for readers, by record name; a figure not named here reads as its contract's meaning.
LABELS: dict[str, str] = {
    "npv": "NPV at the cost of capital", "irr": "IRR (annual)", "mirr": "MIRR (annual)",
    "payback_months": "Payback", "prob_irr_above_hurdle": "Chance the IRR beats the hurdle",
    "prob_npv_positive": "Chance of a positive NPV", "roas": "ROAS per channel, whole data (incremental revenue per unit spent)",
    "roi": "ROI per channel, whole data (margin less spend, per unit spent)", "holdout_mape": "Model error on held-out weeks",
    "r_squared": "Model fit (R²)", "reallocation_gain_per_day": "Extra profit from moving budget",
    "total_clv": "Customer lifetime value, all customers", "mean_clv": "Customer lifetime value per customer",
    "total_referral_value": "Referral value", "total_sharing_value": "Sharing value (customers' own posts)",
    "earned_media_value": "Earned media value", "referrers": "Customers who referred someone",
    "ror_by_segment": "Return on relationship per segment (future value per unit of acquisition spend)", "share_of_voice": "Share of voice (reach)",
    "mention_share_of_voice": "Share of voice (mentions)", "net_sentiment": "Net sentiment",
    "answered_share": "Questions answered", "median_response_hours": "Median time to answer",
    "within_sla_share": "Questions answered within the SLA", "f1_weighted": "Sentiment accuracy (weighted F1)",
    "validation": "How sentiment was validated", "first_date": "Data from", "last_date": "Data to",
    "spend_total": "Paid social spend", "revenue_total": "Order revenue", "reports_summarised": "Reports summarised",
    "holdout_error_share": "Error on the holdout's repeat purchases",
    "total_relationship_value": "Relationship value (loyalty + referral + sharing)",
    "total_loyalty_value": "Loyalty value", "share_active": "Repeat customers likely still active",
    "as_of": "Lists taken at", "care_open_questions": "Open questions in the care queue",
    "care_open_breached": "Of those, past the SLA", "care_open_routed": "Other open posts asking for help",
    "crisis_status": "Crisis now", "sales_leads": "Sales leads (purchase-intent posts)",
    "legal_review": "Posts for legal review", "employer_net_sentiment": "Net sentiment of employer posts",
    "advocates": "Advocates listed (the positive posts with the widest reach, up to the list's length)",
}  # fmt: skip

#: The figures the index shows per notebook, in this order; a notebook not named shows every
#: figure it recorded but tables.
HEADLINES: dict[str, tuple[str, ...]] = {
    "data_overview": ("first_date", "last_date", "spend_total", "revenue_total"),
    "roi": ("roas", "roi", "reallocation_gain_per_day", "holdout_mape"),
    "irr_forecast": ("npv", "irr", "mirr", "payback_months", "prob_irr_above_hurdle", "prob_npv_positive"),
    "ror": ("total_relationship_value", "total_clv", "mean_clv", "total_loyalty_value", "total_referral_value",
            "total_sharing_value", "share_active", "ror_by_segment"),
    "sentiment": ("share_of_voice", "net_sentiment", "answered_share", "within_sla_share", "median_response_hours"),
    "organisation": ("as_of", "care_open_questions", "care_open_breached", "care_open_routed", "crisis_status",
                     "sales_leads", "legal_review", "employer_net_sentiment", "advocates"),
    "executive_summary": (),  # its verdict says what it covers; it has no figure of its own
}  # fmt: skip

#: Fractions read with their sign (+4.1%): differences and returns over a cost.
SIGNED = frozenset(
    {
        "roi",
        "net_sentiment",
        "holdout_error_share",
        "followup_net_sentiment",
        "change",
        "employer_net_sentiment",
    }
)

#: A moment recorded as ISO 8601 text ("2026-10-31T23:20:48+00:00"), shown as "2026-10-31 23:20 UTC".
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(\+00:00|Z)$")


def contract(stem: str) -> Figures | None:
    """The record contract of the notebook ``stem`` (``socialreturns.<stem>.FIGURES``), None
    for a notebook without one; read from its cache (`socialreturns.batch.contracts`)."""
    from socialreturns.batch.contracts import cached_contract

    return cached_contract(stem)


def label(name: str, figure: Figure | None = None) -> str:
    """A figure's label for readers: `LABELS`, else its contract's meaning, else its name in words."""
    if name in LABELS:
        return LABELS[name]
    text = figure.meaning if figure is not None else name.replace("_", " ")
    return text[:1].upper() + text[1:]


def _number(value: float, unit: str, *, currency: str = "", signed: bool = False) -> str:
    if unit == "fraction":
        return f"{value:+.1%}" if signed else f"{value:.1%}"
    if unit in ("currency", "currency per day"):
        amount = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
        per = " a day" if unit == "currency per day" else ""
        return f"{amount} {currency}{per}".replace("  ", " ").strip()
    if unit == "months":
        return f"{value:.1f} months"
    if unit == "hours":
        return f"{value:.1f} hours"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def format_value(
    value: Any, figure: Figure | None, *, currency: str = "", blank: str = "not available"
) -> str:
    """A recorded figure as text, by its contract's unit (``figure``; None: by its type).

    A per-entity figure (``{channel: value}``) lists its entities, largest first, each blank
    one as ``blank``.

    >>> format_value(1.3855, Figure("irr", "", "fraction")), format_value(308829.8, Figure("npv", "", "currency"), currency="EUR")
    ('138.5%', '308,830 EUR')
    >>> format_value({"a": 0.2, "b": None, "c": 0.5}, Figure("roi", "", "fraction", per="channel"), blank="not identified")
    'c +50.0%; a +20.0%; b not identified'
    >>> format_value(55495, Figure("rows", "", "count")), format_value(None, None, blank="no payback")
    ('55,495', 'no payback')
    >>> format_value("2026-10-31T23:20:48+00:00", None), format_value({"regulated_claim": 61}, Figure("r", "", "count", per="route"))
    ('2026-10-31 23:20 UTC', 'regulated claim 61')
    """
    unit = figure.unit if figure is not None else ""
    signed = figure is not None and figure.name in SIGNED
    if value is None:
        return blank
    if isinstance(value, Mapping):
        if (
            figure is not None
            and figure.per
            and all(isinstance(v, int | float | None) for v in value.values())
        ):
            ranked = sorted(value.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0)))
            return "; ".join(f"{_key(k)} {blank if v is None else _number(v, unit, currency=currency, signed=signed)}"
                             for k, v in ranked)  # fmt: skip
        return "; ".join(f"{_key(k)} {format_value(v, None)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return blank if value != value else _number(value, unit, currency=currency, signed=signed)
    moment = _MOMENT.match(str(value))
    return f"{moment.group(1)} {moment.group(2)} UTC" if moment else str(value)


def _key(key: object) -> str:
    """An entity's name as a reader reads it: a route's key "regulated_claim" as "regulated claim"."""
    return str(key).replace("_", " ")


def blank_reason(name: str, parameters: Mapping[str, Any]) -> str:
    """Why a figure has no value, in words ("no payback within 24 months").

    >>> blank_reason("payback_months", {"horizon_months": 24}), blank_reason("roas", {})
    ('no payback within 24 months', 'not identified')
    """
    if name in ("payback_months", "discounted_payback_months"):
        horizon = parameters.get("horizon_months")
        return f"no payback within {horizon} months" if horizon else "no payback within the horizon"
    if name in ("roas", "roi"):
        return "not identified"
    if name == "ror_by_segment":
        return "no acquisition spend"
    return "not available"


def gain(value: Mapping[str, Any], currency: str) -> str:
    """The reallocation's extra profit per day with its interval.

    >>> gain({"gain": 97.75, "gain_lower": 75.3, "gain_upper": 110.7}, "EUR")
    '98 EUR a day (75 to 111)'
    """
    return (f"{value['gain']:,.0f} {currency} a day ({value['gain_lower']:,.0f} to "
            f"{value['gain_upper']:,.0f})").replace("  ", " ")  # fmt: skip


def budget_move(moves: Sequence[Mapping[str, Any]], currency: str) -> str:
    """Where the next euro should go, from the ROI report's ``reallocation`` record: the verdict
    and each channel that moves by at least 1%, today's spend to the recommended (per day).

    >>> budget_move([{"channel": "facebook", "current_spend": 67.2, "recommended_spend": 87.4, "change": 0.3,
    ...     "held": "", "verdict": "shift"}, {"channel": "youtube", "current_spend": 120.0,
    ...     "recommended_spend": 84.0, "change": -0.3, "held": "", "verdict": "shift"},
    ...     {"channel": "pinterest", "current_spend": 0.0, "recommended_spend": 0.0, "change": 0.0,
    ...     "held": "not identified", "verdict": "shift"}], "EUR")
    'Shift budget and cut spend (total 187 to 171 EUR a day): grow facebook 67 to 87 EUR a day (+30%); cut youtube 120 to 84 EUR a day (-30%).'
    >>> budget_move([{"channel": "tiktok", "current_spend": 50.0, "recommended_spend": 50.0, "change": 0.0,
    ...     "held": "fixed", "verdict": "hold"}], "EUR")
    'Hold spend: no channel may move.'
    """
    if not moves:
        return ""
    verdict = str(moves[0].get("verdict", "shift"))
    if verdict == "hold":
        return "Hold spend: no channel may move."
    moving = [m for m in moves if abs(m.get("change") or 0.0) >= 0.01]
    if not moving:
        return "Keep today's spend: no channel gains from a move."
    parts = [f"{'grow' if m['change'] > 0 else 'cut'} {m['channel']} {m['current_spend']:,.0f} to "
             f"{m['recommended_spend']:,.0f} {currency} a day ({m['change']:+.0%})".replace("  ", " ")
             for m in sorted(moving, key=lambda m: -m["change"])]  # fmt: skip
    lead = {"cut": "Cut spend", "grow": "Grow spend"}.get(verdict, "Shift budget")
    now = sum(m.get("current_spend") or 0.0 for m in moves)
    then = sum(m.get("recommended_spend") or 0.0 for m in moves)
    if verdict == "shift" and abs(then - now) > 0.005 * now:  # the ROI page's "Move budget and cut spend"
        lead += f" and {'cut' if then < now else 'grow'} spend"
    total = (
        f" (total {now:,.0f} to {then:,.0f} {currency} a day)".replace("  ", " ")
        if abs(then - now) > 0.005 * now
        else ""
    )
    return f"{lead}{total}: " + "; ".join(parts) + "."


def headline(
    stem: str, records: Mapping[str, Any], parameters: Mapping[str, Any], figures: Figures | None
) -> list[tuple[str, str]]:
    """A run's headline figures: ``(label, text)`` pairs in `HEADLINES` order (every non-table
    figure recorded when the notebook is not listed there)."""
    currency = str(parameters.get("currency", ""))
    known = {f.name: f for f in figures} if figures is not None else {}
    names = (
        HEADLINES[stem]
        if stem in HEADLINES
        else tuple(n for n in records if not isinstance(records[n], list))
    )
    rows = []
    for name in names:
        if name not in records:
            continue
        value, figure = records[name], known.get(name)
        if name == "reallocation_gain_per_day" and isinstance(value, Mapping):
            text = gain(value, currency)
        else:
            text = format_value(value, figure, currency=currency, blank=blank_reason(name, parameters))
        rows.append((label(name, figure), text))
    return rows
