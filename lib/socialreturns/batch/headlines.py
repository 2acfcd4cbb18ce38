"""What the index says about each report: its headline figures in words and units, and one verdict.

Figures are formatted by the unit their notebook's record contract declares (`socialreturns.notebook.Figures`):
a fraction as a percent, an amount with thousands separators and the run's currency, months and
hours with their unit, a count with separators. A missing figure says why ("no payback within 24
months", "not identified"). Each domain has a verdict function reading its run's records and
parameters (``verdict_irr_forecast`` and so on); `verdict` picks the one for a notebook.

Plain Python over the manifest's values: no pandas. The contracts are read from their cache,
imported from their modules only when the library changed (`contract`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
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


# --------------------------------------------------------------------------- verdicts


def _pct(value: float, *, signed: bool = False) -> str:
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def funding(npv: float, irr_annual: float | None, hurdle_rate_annual: float) -> str:
    """Fund or not, the one rule the index, the summary and the IRR report say: "Worth funding"
    (a positive NPV and an IRR above the hurdle), "Pays its cost of capital but misses the
    hurdle" (a positive NPV only), else "Not worth funding as planned". An IRR that does not
    exist (None or NaN) does not beat the hurdle.

    >>> funding(1.0, 0.2, 0.15), funding(1.0, float("nan"), 0.15), funding(-1.0, 0.2, 0.15)
    ('Worth funding', 'Pays its cost of capital but misses the hurdle', 'Not worth funding as planned')
    """
    beats = irr_annual is not None and irr_annual == irr_annual and irr_annual > hurdle_rate_annual
    if npv > 0 and beats:
        return "Worth funding"
    return "Pays its cost of capital but misses the hurdle" if npv > 0 else "Not worth funding as planned"


def verdict_irr_forecast(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """Fund or not: NPV at the cost of capital, IRR against the hurdle, the chance of clearing it,
    the payback (or none within the horizon).

    >>> verdict_irr_forecast({"npv": 308829.8, "irr": 1.3855, "prob_irr_above_hurdle": 0.8278, "payback_months": 12.0},
    ...     {"cost_of_capital_annual": 0.09, "hurdle_rate_annual": 0.15, "currency": "EUR", "horizon_months": 24})
    'Worth funding: NPV 308,830 EUR at a 9.0% cost of capital, IRR 138.5% against a 15.0% hurdle (cleared in 83% of simulations), payback in 12.0 months.'
    >>> verdict_irr_forecast({"npv": -5e4, "irr": None, "payback_months": None,
    ...     "main_driver": {"driver": "ROAS", "npv_low": -2e5, "npv_high": 1e5}}, {"horizon_months": 24, "currency": "EUR"})
    'Not worth funding as planned: NPV -50,000 EUR at a 0.0% cost of capital, no IRR (the cash flows never turn) against a 0.0% hurdle, no payback within 24 months; it turns most on ROAS (20% either way: NPV -200,000 EUR to 100,000 EUR).'
    """
    npv, irr, chance = records.get("npv"), records.get("irr"), records.get("prob_irr_above_hurdle")
    if npv is None:
        return "No NPV was computed: see the report."
    cost, hurdle = parameters.get("cost_of_capital_annual", 0.0), parameters.get("hurdle_rate_annual", 0.0)
    currency = parameters.get("currency", "")
    head = funding(npv, irr, hurdle)
    irr_text = "no IRR (the cash flows never turn)" if irr is None else f"IRR {_pct(irr)}"
    payback = records.get("payback_months")
    pays = (f"payback in {payback:.1f} months" if payback is not None
            else blank_reason("payback_months", parameters))  # fmt: skip
    odds = f" (cleared in {chance:.0%} of simulations)" if chance is not None else ""
    money = Figure("npv", "", "currency")
    text = (f"{head}: NPV {format_value(npv, money, currency=currency)} at a "
            f"{_pct(cost)} cost of capital, {irr_text} against a {_pct(hurdle)} hurdle{odds}, {pays}")  # fmt: skip
    driver = records.get("main_driver")
    if isinstance(driver, Mapping) and {"driver", "npv_low", "npv_high"} <= set(driver):
        low, high = (format_value(driver[k], money, currency=currency) for k in ("npv_low", "npv_high"))
        text += f"; it turns most on {driver['driver']} (20% either way: NPV {low} to {high})"
    return text + "."


#: `socialreturns.roi.PAYBACK_VERDICTS` (not imported: the index must not load the ROI model's
#: libraries); `tests/test_summary.py` checks they agree.
PAYBACK_VERDICTS = ("paid back", "did not pay back", "too close to call")


def verdict_roi(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """Which channels pay back their spend at the margin, which do not, what moving budget adds.

    >>> verdict_roi({"roi": {"tiktok": 0.41, "facebook": 0.005, "youtube": -0.24, "linkedin": None},
    ...              "paid_back": {"tiktok": "paid back", "facebook": "too close to call",
    ...                            "youtube": "did not pay back"},
    ...              "reallocation_gain_per_day": {"gain": 97.8, "gain_lower": 75.3, "gain_upper": 110.7}},
    ...             {"currency": "EUR"})
    'Best return over the whole data: tiktok (ROI +41.0%); paid back: tiktok (ROI +41.0%); did not pay back: youtube (ROI -24.0%); too close to call: facebook (ROI +0.5%); moving budget as recommended adds 98 EUR a day (75 to 111). Not identified: linkedin.'
    """
    roi = {k: v for k, v in (records.get("roi") or {}).items() if v is not None}
    unknown = [k for k, v in (records.get("roi") or {}).items() if v is None]
    if not roi:
        return "No channel's return could be identified from the data."
    ranked = sorted(roi.items(), key=lambda kv: -kv[1])
    best, losing = ranked[0], [(k, v) for k, v in ranked if v < 0]
    text = f"Best return over the whole data: {best[0]} (ROI {_pct(best[1], signed=True)}); "
    verdicts = records.get("paid_back")
    if isinstance(verdicts, Mapping) and verdicts:  # read with the intervals (`roi.paid_back`)
        groups = [(v, [k for k, _ in ranked if verdicts.get(k) == v]) for v in PAYBACK_VERDICTS]
        text += "; ".join(f"{v}: " + ", ".join(f"{k} (ROI {_pct(roi[k], signed=True)})" for k in names)
                          for v, names in groups if names)  # fmt: skip
    else:  # a ROI report recorded before `paid_back` existed: the estimates' signs
        text += f"{len(roi) - len(losing)} of {len(roi)} channels pay back their spend"
        if losing:
            text += (
                ", " + ", ".join(k for k, _ in losing) + (" does" if len(losing) == 1 else " do") + " not ("
            )
            text += ", ".join(f"ROI {_pct(v, signed=True)}" for _, v in losing) + ")"
    if isinstance(gained := records.get("reallocation_gain_per_day"), Mapping) and "gain" in gained:
        text += f"; moving budget as recommended adds {gain(gained, str(parameters.get('currency', '')))}"
    text += "."
    if isinstance(moves := records.get("reallocation"), list) and moves:
        text += " " + budget_move(moves, str(parameters.get("currency", "")))
    return text + (f" Not identified: {', '.join(unknown)}." if unknown else "")


def verdict_ror(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """The segments whose relationships return most and least per unit of acquisition spend.

    >>> verdict_ror({"ror_by_segment": {"tiktok": 1.22, "linkedin": 0.24, "organic": None}, "total_clv": 717173.3},
    ...             {"currency": "EUR", "horizon_months": 24, "segment_column": "acquisition_channel"})
    'Customers from tiktok return the most future relationship value per unit of acquisition spend (ROR 1.22), linkedin the least (0.24; future value only: what customers already bought is not counted, so below 1 is no loss); customer lifetime value over 24 months: 717,173 EUR.'
    """
    ror = {k: v for k, v in (records.get("ror_by_segment") or {}).items() if v is not None}
    currency = str(parameters.get("currency", ""))
    clv = records.get("total_clv")
    tail = ""
    if clv is not None:
        months = parameters.get("horizon_months")
        over = f" over {months} months" if months else ""
        tail = f"customer lifetime value{over}: {format_value(clv, Figure('total_clv', '', 'currency'), currency=currency)}"
    if not ror:
        return (
            (tail[:1].upper() + tail[1:] + ".")
            if tail
            else "No segment has acquisition spend to compare with."
        )
    ranked = sorted(ror.items(), key=lambda kv: -kv[1])
    (top, high), (low_name, low) = ranked[0], ranked[-1]
    who = (
        "Customers from"
        if parameters.get("segment_column", "acquisition_channel") == "acquisition_channel"
        else "The cohort"
    )
    text = f"{who} {top} return the most future relationship value per unit of acquisition spend (ROR {high:.2f})"
    if len(ranked) > 1:
        text += f", {low_name} the least ({low:.2f}"
        text += ("; future value only: what customers already bought is not counted, so below 1 is no loss)"
                 if low < 1 else ")")  # fmt: skip
    return text + (f"; {tail}." if tail else ".")


def verdict_sentiment(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """The brand's share of voice and net sentiment against competitors, crises, the listening gap.

    >>> verdict_sentiment({"share_of_voice": {"Lumora": 0.4165, "Kestrel": 0.19}, "net_sentiment": {"Lumora": 0.159,
    ...     "Kestrel": 0.187}, "crisis_episodes": [{"start": "2025-09-16T00:00:00", "end": "2025-09-27T00:00:00"}],
    ...     "answered_share": 0.59, "within_sla_share": 0.52}, {"brand": "Lumora", "sla_hours": 24.0})
    'Lumora leads share of voice at 41.6% (next: Kestrel 19.0%); net sentiment +15.9%, behind Kestrel (+18.7%); 1 crisis episode (2025-09-16 to 2025-09-27); 59.0% of questions answered, 52.0% within 24 hours.'
    """
    brand = str(parameters.get("brand", ""))
    voice, net = records.get("share_of_voice") or {}, records.get("net_sentiment") or {}
    parts = []
    if brand in voice:
        others = sorted(
            ((k, v) for k, v in voice.items() if k != brand and v is not None), key=lambda kv: -kv[1]
        )
        leads = not others or voice[brand] >= others[0][1]
        part = f"{brand} {'leads' if leads else 'trails'} share of voice at {_pct(voice[brand])}"
        if others:
            part += f" ({'next' if leads else 'leader'}: {others[0][0]} {_pct(others[0][1])})"
        parts.append(part)
    if net.get(brand) is not None:
        rivals = sorted(
            ((k, v) for k, v in net.items() if k != brand and v is not None), key=lambda kv: -kv[1]
        )
        part = f"net sentiment {_pct(net[brand], signed=True)}"
        if rivals and rivals[0][1] > net[brand]:
            part += f", behind {rivals[0][0]} ({_pct(rivals[0][1], signed=True)})"
        elif rivals:
            part += ", the best of the brands compared"
        parts.append(part)
    episodes = records.get("crisis_episodes")
    if isinstance(episodes, list):
        if episodes:
            spans = ", ".join(f"{str(e.get('start'))[:10]} to {str(e.get('end'))[:10]}" for e in episodes)
            parts.append(f"{len(episodes)} crisis episode{'s' if len(episodes) != 1 else ''} ({spans})")
        else:
            parts.append("no crisis episode")
    if records.get("answered_share") is not None:
        part = f"{_pct(records['answered_share'])} of questions answered"
        if records.get("within_sla_share") is not None:
            part += f", {_pct(records['within_sla_share'])} within {parameters.get('sla_hours', 24):g} hours"
        parts.append(part)
    if not parts:
        return "No sentiment figure was recorded."
    text = "; ".join(parts) + "."
    return text[:1].upper() + text[1:]


def _finding(finding: Mapping[str, Any]) -> str:
    """A data-quality finding in a verdict: its rows and words; "redact before showing" says that the
    reports do (`socialreturns.privacy` redacts every text shown)."""
    words = str(finding.get("finding") or "rows").replace(
        " (redact before showing)", " (every report redacts them)"
    )
    return f"{int(finding.get('rows') or 0):,} {words}"


def verdict_data_overview(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """The period, the money in it, and how many data-quality findings need action.

    >>> verdict_data_overview({"first_date": "2024-11-01", "last_date": "2026-10-31", "spend_total": 729999.8,
    ...     "revenue_total": 3588871.4, "quality_findings": [{"rows": 891, "severity": "warning"},
    ...     {"rows": 0, "severity": "warning"}, {"rows": 5, "severity": "info"}]}, {"currency": "EUR"})
    'Data from 2024-11-01 to 2026-10-31: 730,000 EUR of paid social spend, 3,588,871 EUR of order revenue; to act on: 891 rows.'
    >>> verdict_data_overview({"quality_findings": [
    ...     {"rows": 891, "severity": "warning", "finding": "texts with an e-mail address (redact before showing)"},
    ...     {"rows": 746, "severity": "warning", "finding": "customer questions to the brand never answered"}]}, {})
    'Data from ? to ?; to act on: 891 texts with an e-mail address (every report redacts them), 746 customer questions to the brand never answered.'
    """
    currency = str(parameters.get("currency", ""))
    money = Figure("spend_total", "", "currency")
    text = f"Data from {records.get('first_date', '?')} to {records.get('last_date', '?')}"
    amounts = [f"{format_value(records[k], money, currency=currency)} of {what}"
               for k, what in (("spend_total", "paid social spend"), ("revenue_total", "order revenue"))
               if records.get(k) is not None]  # fmt: skip
    if amounts:
        text += ": " + ", ".join(amounts)
    findings = records.get("quality_findings")
    if isinstance(findings, list):
        act = [f for f in findings if f.get("severity") == "warning" and (f.get("rows") or 0) > 0]
        text += ("; to act on: " + ", ".join(_finding(f) for f in act) if act
                 else "; no data-quality finding to act on")  # fmt: skip
    return text + "."


def verdict_executive_summary(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """What the summary covers.

    >>> verdict_executive_summary({"reports_summarised": 8}, {})
    'One page over the 8 reports of this batch: read it first.'
    """
    n = records.get("reports_summarised")
    return (
        f"One page over the {n} reports of this batch: read it first." if n else "One page over this batch."
    )


def verdict_organisation(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """What the teams have to act on: the care queue, the crisis status, the sales leads and the
    posts for legal review.

    >>> verdict_organisation({"care_open_questions": 47, "care_open_breached": 41, "care_open_routed": 100,
    ...     "crisis_status": "No crisis episode in the last 14 days (the last ended 2025-09-27).",
    ...     "sales_leads": 100, "legal_review": {"disclosure_missing": 73, "regulated_claim": 61}}, {})
    'Care: 47 open questions (41 past the SLA) and 100 more posts asking for help; no crisis episode in the last 14 days (the last ended 2025-09-27); 100 sales leads; 134 posts for legal review.'
    >>> verdict_organisation({"as_of": "2026-10-31T23:20:48+00:00", "sales_leads": 3}, {"as_of": "2026-12-02"})
    'As of 2026-10-31 23:20 UTC (the newest mention, 32 days before the report date 2026-12-02): 3 sales leads.'
    """
    parts = []
    if records.get("care_open_questions") is not None:
        care = f"Care: {records['care_open_questions']:,} open questions"
        if records.get("care_open_breached") is not None:
            care += f" ({records['care_open_breached']:,} past the SLA)"
        if records.get("care_open_routed"):
            care += f" and {records['care_open_routed']:,} more posts asking for help"
        parts.append(care)
    status = str(records.get("crisis_status") or "").rstrip(".")
    if status:
        parts.append(status[0].lower() + status[1:] if parts else status)
    if records.get("sales_leads") is not None:
        parts.append(f"{records['sales_leads']:,} sales leads")
    legal = records.get("legal_review")
    if isinstance(legal, Mapping):
        parts.append(f"{sum(int(v or 0) for v in legal.values()):,} posts for legal review")
    return _lists_as_of(records, parameters) + "; ".join(parts) + "." if parts else ""


def _lists_as_of(records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """ "As of <when the lists were taken>: ", saying how old that is when it is more than two
    days before the report date (the newest mention of a stale export)."""
    taken = records.get("as_of")
    if not taken:
        return ""
    try:
        when = datetime.fromisoformat(str(taken))
    except ValueError:
        return ""
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    head = f"As of {when:%Y-%m-%d %H:%M} UTC"
    report = parameters.get("as_of")
    if report:
        gap = (date.fromisoformat(str(report)[:10]) - when.date()).days
        if gap > 2:
            head += f" (the newest mention, {gap} days before the report date {report})"
    return head + ": "


#: The verdict of each notebook's report, by notebook stem.
VERDICTS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], str]] = {
    "data_overview": verdict_data_overview, "roi": verdict_roi, "irr_forecast": verdict_irr_forecast,
    "ror": verdict_ror, "sentiment": verdict_sentiment, "organisation": verdict_organisation,
    "executive_summary": verdict_executive_summary,
}  # fmt: skip


def verdict(stem: str, records: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """One sentence on what the run of notebook ``stem`` found; empty for a notebook without a
    verdict function, or a run that recorded nothing."""
    if not records or stem not in VERDICTS:
        return ""
    try:
        return VERDICTS[stem](records, parameters)
    except (KeyError, TypeError, ValueError, AttributeError):  # a record of another shape: the report says
        return "See the report."
