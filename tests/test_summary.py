"""The executive summary's sections and opening, from a hand-made manifest (no batch run; the
real batch's page is checked in tests/test_notebooks.py)."""

import re

import pandas as pd

from socialreturns import summary

IRR = "notebooks/irr_forecast.ipynb"


def _irr(scenario: str, npv: float, payback: float | None, **changes: object) -> dict:
    records = {"npv": npv, "irr": 0.4 if npv > 0 else -0.3, "mirr": 0.2, "payback_months": payback,
               "prob_irr_above_hurdle": 0.8, "prob_npv_positive": 0.9}  # fmt: skip
    return {"notebook": IRR, "status": "ok", "html": f"irr_forecast-{scenario}.html", "records": records,
            "parameters": {"scenario": scenario, "currency": "EUR", "horizon_months": 24, **changes}}  # fmt: skip


def _manifest() -> dict:
    ror = {"ror_by_segment": {"tiktok": 1.2, "organic": None, "linkedin": 0.2, "referral": None},
           "relationship_value_by_segment": {"tiktok": 1500.0, "organic": 700.0, "linkedin": 90.0,
                                             "referral": 20.0}}  # fmt: skip
    episodes = [{"start": "2025-09-16T00:00:00", "end": "2025-09-27", "peak": "2025-09-21",
                 "excess_negative_mentions": 172.0}] * 2  # fmt: skip
    return {"batch": "report", "as_of": "2026-12-01", "runs": {
        # in the order they finished; no batch file to order them by: the manifest's order stays
        "irr_forecast-downside": _irr("downside", -320.0, None, cost_of_capital_annual=0.12, setup_cost=400000.0),
        "irr_forecast-base": _irr("base", 300.0, 12.0),
        "roi": {"notebook": "notebooks/roi.ipynb", "status": "ok", "html": "roi.html", "parameters": {"currency": "EUR"},
                "records": {"roas": {"tiktok": 3.5, "linkedin": None}, "roi": {"tiktok": 0.4, "linkedin": None},
                            "not_identified": {"linkedin": "its curve is set by the prior"}}},
        "ror": {"notebook": "notebooks/ror.ipynb", "status": "ok", "html": "ror.html", "parameters": {"currency": "EUR"},
                "records": ror},
        "sentiment": {"notebook": "notebooks/sentiment.ipynb", "status": "ok", "html": "sentiment.html",
                      "records": {"crisis_episodes": episodes}},
    }}  # fmt: skip


def test_scenarios_are_named_by_their_page_title_with_what_they_change_from_base():
    plan = summary.summarise(_manifest())["plan"]
    assert plan.table.index.tolist() == [
        "downside",
        "base",
    ]  # the runs' names never show: "irr_forecast-base"
    against = plan.table["assumptions against base"]
    assert against["base"] == "base's assumptions"
    assert against["downside"] == "cost of capital 12.0%; set-up cost 400,000 EUR"
    assert "[downside](irr_forecast-downside.html), [base](irr_forecast-base.html)" in plan.heading
    # the blank payback is explained, and amounts carry their currency
    assert "A payback shown as - lies beyond the 24-month horizon." in plan.note
    html = plan.styled().to_html()
    assert "Amounts in EUR." in html and ">-320<" not in html and ">-320.00<" in html
    assert re.findall(r"<td[^>]*>(-|12\.0)</td>", html) == ["-", "12.0"]


def test_the_opening_gives_each_scenario_its_own_line_with_its_assumptions():
    text = summary.verdicts(_manifest())
    fund = text.split("**Fund the programme?**", 1)[1].split("\n- ", 1)[0]
    lines = [line.strip() for line in fund.strip().splitlines()]
    assert lines[0].startswith("- *downside* (cost of capital 12\\.0%; set\\-up cost 400,000 EUR): Not worth")
    assert lines[1].startswith("- *base* (base's assumptions): Worth funding")


def test_a_channel_without_a_return_says_so_in_words():
    roi = summary.summarise(_manifest())["roi"]
    assert roi.table.loc["linkedin", "finding"] == "not identified: no ROI finding"
    assert pd.isna(roi.table.loc["linkedin", "ROI"]) and roi.table.loc["tiktok", "finding"] == ""
    assert "**linkedin**: its curve is set by the prior" in roi.note


def test_relationships_sorted_by_ror_with_currency_and_segments_without_spend_named():
    ror = summary.summarise(_manifest())["ror"]
    assert ror.table.index.tolist() == [
        "tiktok",
        "linkedin",
        "organic",
        "referral",
    ]  # largest first, none last
    assert "The organic and referral segments have no acquisition spend, so no ROR." in ror.note
    html = ror.styled().to_html()
    assert "Amounts in EUR." in html and ">1,500<" in html


def test_crisis_episodes_counted_in_words():
    crises = summary.summarise(_manifest())["crises"]
    assert crises.note == "2 episodes of unusually many negative mentions."
    one = _manifest()
    one["runs"]["sentiment"]["records"]["crisis_episodes"] = one["runs"]["sentiment"]["records"][
        "crisis_episodes"
    ][:1]
    assert summary.summarise(one)["crises"].note == "1 episode of unusually many negative mentions."


def test_a_rerun_batch_does_not_count_its_last_summary_among_the_reports(tmp_path):
    """A batch rerun finds the previous executive summary in its manifest: the summary counts the
    reports it summarises, not itself (it read "10 of 10" beside 9 reports)."""
    runs = {"roi": {"notebook": "notebooks/roi.ipynb", "status": "ok"},
            "ror": {"notebook": "notebooks/ror.ipynb", "status": "failed"},
            "executive_summary": {"notebook": "notebooks/executive_summary.ipynb", "status": "ok"}}  # fmt: skip
    manifest = {"batch": "report", "as_of": "2026-12-01", "runs": runs}
    assert list(summary.summarised_runs(manifest)) == ["roi", "ror"]
    assert "1 of 2 reports succeeded" in summary.overview(manifest, tmp_path / "manifest.json")


def test_the_index_reads_payback_verdicts_in_the_roi_reports_words():
    from socialreturns import roi
    from socialreturns.batch import verdicts

    assert verdicts.PAYBACK_VERDICTS == roi.PAYBACK_VERDICTS
