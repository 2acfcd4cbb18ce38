"""One verdict per report for the index and the executive summary: a sentence from the run's
records and parameters (``verdict_irr_forecast`` and so on); `verdict` picks the one for a
notebook, and `funding` is the one fund-or-not rule every page says.

Plain Python over the manifest's values, like `socialreturns.batch.headlines`, whose formatting
it uses: no pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from socialreturns.batch.headlines import Figure, blank_reason, budget_move, format_value, gain


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
