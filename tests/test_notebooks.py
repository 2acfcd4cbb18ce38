"""Every notebook runs top to bottom under papermill with its defaults on the sample data, and
the figures it records agree with the sample's truth."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from conftest import NOTEBOOKS, SAMPLE, external_references
from socialreturns import batch, irr_forecast, organisation, roi, ror, sentiment, summary, synth

#: A cell that draws a chart: a call of a plot function of `socialreturns.plots`.
PLOT_CALL = re.compile(r"plots\.(?!table\b|set_theme\b)\w+\(")


@pytest.fixture(scope="module")
def report_batch(tmp_path_factory) -> batch.BatchResult:
    """Every notebook with its defaults, and the IRR's downside scenario beside base (the index's
    scenarios side by side, a payback not reached), once per test session, as one real batch (two
    workers; the organisation report and the executive summary last, over this batch's manifest)."""
    out = tmp_path_factory.mktemp("reports")
    spec = out / "defaults.yaml"
    # the final runs (they read the manifest) run in this order: the summary reads the organisation's records
    runs = [{"notebook": p.stem} for p in sorted(NOTEBOOKS, key=lambda p: p.stem == "executive_summary")]
    runs.insert(1, {"notebook": "irr_forecast", "params": "params/irr_forecast/downside.yaml"})
    spec.write_text(
        yaml.safe_dump({"title": "Every notebook with its defaults", "runs": runs}), encoding="utf-8"
    )
    return batch.run_batch(batch.load_batch(spec), out=out, as_of="2026-01-31", workers=2, progress=False)


@pytest.fixture(scope="module")
def executed(report_batch):
    """Each notebook's run in the batch, keyed by notebook stem."""
    by_name = {o.name: o for o in report_batch.outcomes}

    def run(stem: str) -> batch.Outcome:
        return by_name[stem]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_with_defaults(executed, path):
    result = executed(path.stem)
    assert result.status == "ok", result.error
    assert result.html is not None
    page = Path(result.html).read_text(encoding="utf-8")
    assert "Traceback" not in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    first_heading = nbformat.read(str(path), as_version=4).cells[0].source.splitlines()[0]
    assert first_heading.startswith(f"# {html.unescape(title).split(': ')[0]}"), title  # the report's name
    assert "Notebook" not in title
    assert external_references(page) == [], "the page loads something from outside its folder"
    assert result.records, "the notebook recorded no figures"
    cells = nbformat.read(str(path), as_version=4).cells
    headings = [line.lstrip("# ").strip() for c in cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("#")]  # fmt: skip
    for heading in headings:  # every section made it to the page, in order
        assert html.escape(heading, quote=False) in page, heading
    plotting = sum(bool(PLOT_CALL.search(c.source)) for c in cells if c.cell_type == "code")
    assert page.count("<img") >= plotting, "a chart is missing from the page"
    tables = sum("plots.table(" in c.source for c in cells if c.cell_type == "code")
    assert page.count("<table") >= tables, "a table is missing from the page"


@pytest.mark.slow
def test_the_index_page_loads_nothing_from_the_network(report_batch):
    page = (report_batch.folder / "index.html").read_text(encoding="utf-8")
    assert "<a href=" in page and external_references(page) == []


@pytest.mark.slow
def test_data_overview_figures_match_the_truth(executed):
    records = executed("data_overview").records
    truth = synth.load_truth(SAMPLE)
    assert records["spend_total"] == pytest.approx(sum(c["spend"] for c in truth.channels.values()), rel=1e-9)
    assert records["first_date"] == truth.start_date and records["last_date"] == truth.end_date
    orders = pd.read_csv(SAMPLE / "orders.csv")
    assert records["rows"]["orders"] == len(orders)
    assert records["revenue_total"] == pytest.approx(orders["revenue"].sum(), rel=1e-12)
    assert records["rows"]["mentions"] == len(truth.sentiment_labels())
    by_channel = pd.read_csv(SAMPLE / "customers.csv")["acquisition_channel"].value_counts()
    assert records["customers_by_acquisition_channel"] == by_channel.to_dict()
    findings = pd.DataFrame(records["quality_findings"]).set_index("finding")
    referred = findings.loc["customers referred by another customer", "rows"]
    assert referred == truth.referral["n_referred_customers"]


@pytest.mark.slow
def test_roi_figures_match_the_truth(executed):
    records = executed("roi").records
    truth = synth.load_truth(SAMPLE)
    unidentified = records["not_identified"]
    for channel, t in truth.channels.items():
        if channel in unidentified:  # no finding: no ROAS or ROI recorded, and a reason in words
            assert records["roas"][channel] is None and records["roi"][channel] is None, channel
            assert len(unidentified[channel]) > 20, channel
            continue
        if t["spend_share"] >= 0.10:
            assert records["roas"][channel] == pytest.approx(t["roas"], rel=0.2), channel
        assert records["roi"][channel] == pytest.approx(records["roas"][channel] * 0.4 - 1)
    # the small channels (the issue: pinterest reported at ROAS 2.91 against a truth of 1.3) are
    # either not identified or within 20% of their truth
    for channel in ("pinterest", "linkedin"):
        true = truth.channels[channel]["roas"]
        assert channel in unidentified or records["roas"][channel] == pytest.approx(true, rel=0.2), channel
    shares = pd.DataFrame(records["attribution_shares"]).set_index("channel")
    assert set(shares.columns) == {"last_touch", "first_touch", "linear", "time_decay",
                                   "position_based", "markov"}  # fmt: skip
    assert shares.sum().to_numpy() == pytest.approx([1.0] * 6)
    gain = records["reallocation_gain_per_day"]
    assert gain["gain_lower"] <= gain["gain"] <= gain["gain_upper"] and gain["gain"] > 0
    assert records["holdout_mape"] < 0.2


@pytest.mark.slow
def test_irr_forecast_figures_are_consistent(executed):
    r = executed("irr_forecast").records
    # The simulation centres on the point estimate: a positive NPV is more likely than not when
    # the point NPV is positive; an IRR above the hurdle (0.15 > the cost of capital) implies NPV > 0.
    assert (r["prob_npv_positive"] > 0.5) == (r["npv"] > 0)
    assert r["prob_irr_above_hurdle"] <= r["prob_npv_positive"]
    assert (r["npv"] > 0) == (r["irr"] > 0.09)  # NPV at the cost of capital vs IRR
    # With an IRR above the reinvestment rate, the MIRR lies between the two.
    assert 0.09 < r["mirr"] < r["irr"]
    assert r["payback_months"] > 0
    assert r["backtest_mase"]["ets"] < min(1.0, r["backtest_mase"]["seasonal_naive"])


@pytest.mark.slow
def test_ror_figures_match_the_truth(executed):
    records = executed("ror").records
    truth = synth.load_truth(SAMPLE)
    for model, true in [("bgnbd", truth.bgnbd), ("gamma_gamma", truth.gamma_gamma)]:
        ci = records[f"{model}_conf_int"]
        for name, value in true.items():
            assert ci[name]["ci_lower"] <= value <= ci[name]["ci_upper"], (model, name)
            assert records[f"{model}_params"][name] == pytest.approx(value, rel=0.1)
    assert abs(records["holdout_error_share"]) < 0.05
    assert records["total_clv"] > 0 and records["total_sharing_value"] > 0
    ror_by_channel = {k: v for k, v in records["ror_by_segment"].items() if v is not None}
    assert set(ror_by_channel) == set(truth.channels)
    # channels that bring customers at a lower cost per customer earn a higher ROR in the sample
    assert ror_by_channel["tiktok"] > ror_by_channel["linkedin"]


@pytest.mark.slow
def test_sentiment_figures_match_the_truth(executed):
    records = executed("sentiment").records
    truth = synth.load_truth(SAMPLE)
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet")
    assert set(records["share_of_voice"]) == {truth.brand, *truth.competitors}
    assert sum(records["share_of_voice"].values()) == pytest.approx(1.0)
    assert sum(records["mention_share_of_voice"].values()) == pytest.approx(1.0)
    assert records["mention_share_of_voice"][truth.brand] == pytest.approx(0.40, abs=0.02)
    # the brand draws 40% of the generator's mentions (reach is independent of brand)
    assert records["share_of_voice"][truth.brand] == pytest.approx(0.40, abs=0.03)
    # the sample carries 500 labels: the domain model replaces the lexicon and says so
    assert records["validation"].startswith("Validated on 500 labelled mentions")
    starts = [pd.Timestamp(e["start"]) for e in records["crisis_episodes"]]
    assert min(abs(s - pd.Timestamp(truth.crisis["start"])) for s in starts) <= pd.Timedelta(days=1)
    assert len(starts) <= 2  # the crisis, and at most one false episode per year of data
    # answered share: the true per-platform rates weighted by the platforms' questions
    questions = mentions[(mentions["brand"] == truth.brand) & mentions["is_question"]]
    weights = questions["platform"].value_counts(normalize=True)
    expected = sum(weights[p] * truth.response[p]["answer_rate"] for p in weights.index)
    assert records["answered_share"] == pytest.approx(expected, abs=3 * (0.25 / len(questions)) ** 0.5)
    fastest = min(r["median_response_hours"] for r in truth.response.values())
    slowest = max(r["median_response_hours"] for r in truth.response.values())
    assert fastest < records["median_response_hours"] < slowest
    # cross-validated on the 500 labels (measured 0.95; the lexicon reaches 0.74 on the same labels)
    assert records["f1_weighted"] > 0.9
    assert records["followup_net_sentiment"]["True"] > records["followup_net_sentiment"]["False"] + 0.3
    # the sample's is_question is the export's own column (no importer flagged or detected it)
    assert "Questions: as given in the mentions table." in Path(executed("sentiment").html).read_text("utf-8")


@pytest.mark.slow
def test_ror_leaves_out_the_negative_posts_the_sentiment_report_counts(executed):
    """One number per concept: the brand's negative posts, as both reports recorded them."""
    negative_posts = executed("ror").records["negative_posts"]
    assert negative_posts == executed("sentiment").records["negative_mentions"] > 0


def test_every_figure_the_summary_reads_was_recorded(report_batch):
    manifest = json.loads(report_batch.manifest.read_text(encoding="utf-8"))
    records = {Path(r["notebook"]).stem: r["records"] for r in manifest["runs"].values()}
    assert summary.READS, "the summary reads no figure"
    for figure in summary.READS:
        assert figure.name in records[figure.notebook], f"{figure.notebook} did not record {figure.name}"
    # and each notebook recorded exactly its record contract
    for contract in (
        roi.FIGURES,
        irr_forecast.FIGURES,
        ror.FIGURES,
        sentiment.FIGURES,
        organisation.FIGURES,
        summary.FIGURES,
    ):
        assert sorted(records[contract.notebook]) == sorted(contract.names()), contract.notebook
    # the summary's sections carry the figures: none of them fell back to "not available"
    sections = summary.summarise(manifest)
    for name, section in sections.items():
        assert "Not available" not in section.note and "No `" not in section.note, name
        assert not section.table.empty or name == "crises", name
    # one number per concept: the same ROAS, and no ROAS where the ROI report makes no finding
    roas = sections["roi"].table["ROAS"]
    recorded = records["roi"]["roas"]
    assert set(roas.index) == set(recorded)
    for channel, value in recorded.items():
        if value is None:
            assert pd.isna(roas[channel]) and f"**{channel}**" in sections["roi"].note, channel
        else:
            assert roas[channel] == pytest.approx(value), channel


def _table_after(page: str, caption: str) -> str:
    """The body of the first HTML table whose caption contains ``caption``."""
    found = re.search(r"<caption>[^<]*" + re.escape(caption) + r".*?</caption>(.*?)</table>", page, re.S)
    assert found, caption
    return re.sub(r'\s(?:id|class)="[^"]*"', "", found.group(1))


@pytest.mark.slow
def test_history_reads_the_same_in_the_roi_report_and_the_irr_report(report_batch):
    """History (the last 12 months at the data's margin) is one table from one shared fit: cell for
    cell the same in roi.html and irr_forecast.html (tests/test_irr_scenarios.py checks that a
    scenario's margin does not change it)."""
    by_name = {o.name: o for o in report_batch.outcomes}
    roi_page = Path(by_name["roi"].html).read_text(encoding="utf-8")
    irr_page = Path(by_name["irr_forecast"].html).read_text(encoding="utf-8")
    history = _table_after(roi_page, "Last 12 months")
    assert "facebook" in history
    assert _table_after(irr_page, "Last 12 months") == history


def _english_labels(mentions: pd.DataFrame) -> pd.DataFrame:
    """Predicted (brand-masked, as the notebook scores) and true labels of the sample's English mentions."""
    scores = sentiment.score(sentiment.mask(mentions["text"], sentiment.aliases(mentions["brand"].unique())))
    truth = synth.load_truth(SAMPLE).sentiment_labels()
    out = pd.DataFrame({"predicted": scores["label"].to_numpy(), "true": mentions["post_id"].map(truth).to_numpy()},
                       index=mentions.index)  # fmt: skip
    return out[scores["english"].to_numpy()]


@pytest.mark.slow
def test_net_sentiment_matches_the_truth(executed):
    """Masked, classed by the domain model trained on the sample's 500 labels and corrected for its
    confusion, every brand's net sentiment is within 0.05 of the truth (measured: at most 0.039,
    Bliss, whose confusion differs from the pooled one; the lexicon alone reads Bliss +0.60 or,
    masked, -0.07 against -0.60)."""
    records = executed("sentiment").records
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet")
    english = _english_labels(mentions)
    for brand, net in records["net_sentiment"].items():
        true = english.loc[mentions.loc[english.index, "brand"] == brand, "true"]
        assert net == pytest.approx((true == "positive").mean() - (true == "negative").mean(), abs=0.05), (
            brand
        )


def _page(outcome: batch.Outcome) -> str:
    return Path(outcome.html).read_text(encoding="utf-8")


@pytest.mark.slow
def test_business_views_show_no_code_and_state_their_assumptions(report_batch):
    by_name = {o.name: o for o in report_batch.outcomes}
    for name, outcome in by_name.items():
        page = _page(outcome)
        code_cells = re.findall(r'class="jp-Cell jp-CodeCell([^"]*)"', page)
        assert code_cells and all("jp-mod-noInput" in c for c in code_cells), name  # outputs only, no input
        assert "hl-ipython3" not in page, name  # no highlighted code anywhere
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page, name  # no warnings
        own = name.startswith("irr_forecast")  # its own table against base stands in for the generic one
        assert ("This scenario's assumptions against base" in page) == own, name
        assert ("<caption>Assumptions</caption>" in page or "<b>Assumptions.</b>" in page) != own, name
        code = Path(outcome.html).with_name(f"{name}.code.html").read_text(encoding="utf-8")
        assert "hl-ipython3" in code and "(code)</title>" in code, name  # the code view beside it
    # titles name the report and its scenario
    titles = {
        n: html.unescape(re.search(r"<title>(.*?)</title>", _page(o)).group(1)) for n, o in by_name.items()
    }
    assert (
        titles["irr_forecast"] == "IRR forecast: base"
        and titles["irr_forecast-downside"] == "IRR forecast: downside"
    )
    assert titles["roi"] == "ROI" and titles["data_overview"] == "Data overview"
    # the downside's assumptions against base, once: what it changes is marked, and nothing else
    downside = _page(by_name["irr_forecast-downside"])
    table = re.search(r"assumptions against base\.?</caption>(.*?)</table>", downside, re.S).group(1)
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]
    assert ["cost of capital (annual)", "9.0%", "12.0%", "yes"] in rows
    assert ["set-up cost at month 0", "250,000 EUR", "400,000 EUR", "yes"] in rows
    changed = yaml.safe_load(Path("params/irr_forecast/downside.yaml").read_text(encoding="utf-8"))
    assert sum(r[-1] == "yes" for r in rows) == len(changed) - 1  # each value the file changes, but its name
    assert len(re.findall(r"assumptions against base\.?</caption>", downside)) == 1
    assert "uses the notebook's default parameters. The code view beside" in _page(by_name["roi"])


def _cell_texts(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]


@pytest.mark.slow
def test_the_index_gives_verdicts_and_formats_figures_by_unit(report_batch):
    manifest = json.loads(report_batch.manifest.read_text(encoding="utf-8"))
    page = html.unescape((report_batch.folder / "index.html").read_text(encoding="utf-8"))
    cells = _cell_texts(page)
    runs = manifest["runs"]
    base, down = runs["irr_forecast"]["records"], runs["irr_forecast-downside"]["records"]
    assert down["payback_months"] is None and down["npv"] < 0 < base["npv"]  # the sample's two cases
    verdicts = {c.split(":")[0]: c for c in cells if c.startswith(("Worth funding", "Not worth"))}
    assert verdicts["Worth funding"].startswith(f"Worth funding: NPV {base['npv']:,.0f} EUR at a 9.0% cost of capital, "
                                                f"IRR {base['irr']:.1%} against a 15.0% hurdle")  # fmt: skip
    assert verdicts["Not worth funding as planned"].startswith(f"Not worth funding as planned: NPV {down['npv']:,.0f} EUR "
                                                               "at a 12.0% cost of capital")  # fmt: skip
    assert "no payback within 24 months; it turns most on " in verdicts["Not worth funding as planned"]
    # the scenarios side by side: figures in their units, the blank explained, the assumptions that differ
    assert "IRR forecast: 2 scenarios side by side" in page
    assert f"{base['irr']:.1%}" in cells and f"{down['prob_irr_above_hurdle']:.1%}" in cells
    assert f"{base['payback_months']:.1f} months" in cells and "no payback within 24 months" in cells
    columns = re.findall(r"<th class='num'><a href='([^']+)'>", page.split("2 scenarios side by side")[1])[:2]
    cost = cells[cells.index("Cost of capital (annual)") + 1 :][:2]
    assert dict(zip(columns, cost, strict=True)) == {
        "irr_forecast.html": "9.0%",
        "irr_forecast-downside.html": "12.0%",
    }
    roi_records, ror_records = runs["roi"]["records"], runs["ror"]["records"]
    best = max((v, k) for k, v in roi_records["roi"].items() if v is not None)
    assert f"Best return over the whole data: {best[1]} (ROI {best[0]:+.1%})" in page
    verdicts = roi_records["paid_back"]  # read with the intervals: every identified channel, one verdict
    assert set(verdicts) == {k for k, v in roi_records["roi"].items() if v is not None}
    assert all(f"{v}: " in page for v in set(verdicts.values()))
    assert (
        f"{ror_records['total_clv']:,.0f} EUR" in page
        and f"{runs['roi']['records']['holdout_mape']:.1%}" in cells
    )
    assert "One page over the" in page and "Data from 2024-11-01 to 2026-10-31" in page
    org = runs["organisation"]["records"]
    # the ROI verdict says where the budget goes, channel by channel, from the recorded plan
    moves = {m["channel"]: m for m in roi_records["reallocation"]}
    assert {m["verdict"] for m in moves.values()} == {roi_records["reallocation"][0]["verdict"]}
    assert all(moves[c]["held"] == "not identified" for c in ("linkedin", "pinterest"))
    grown = max(moves.values(), key=lambda m: m["change"])
    assert (
        f"grow {grown['channel']} {grown['current_spend']:,.0f} to {grown['recommended_spend']:,.0f} EUR a day"
        in page
    )
    assert (
        f"Care: {org['care_open_questions']:,} open questions ({org['care_open_breached']:,} past the SLA)"
        in page
    )
    # no raw record key is shown to readers, nor a run's key: runs are named by their titles
    shown = re.sub(r"<[^>]+>", " ", page.split("manifest.json")[0])
    for key in {k for r in runs.values() for k in r["records"]} | set(runs):
        assert key not in shown or "_" not in key, key
    for route in org["legal_review"]:  # entities' keys read as words too
        assert route not in shown and f"{route.replace('_', ' ')} {org['legal_review'][route]}" in shown
    assert re.search(r"\d{2}T\d{2}:", shown) is None  # no ISO moment: "2026-10-31 23:20 UTC"
    assert "Reports summarised" not in page  # the summary's row says what it covers, no figure of its own
    # the reports in the batch file's order, the summary first (runs end in any order)
    listed = [r.name for r in batch.load_batch(manifest["source"]).runs]
    links = re.findall(r"<tr><td><a href='([^']+)\.html'>", page.split("<h2>")[1])
    assert links == ["executive_summary"] + [n for n in listed if n != "executive_summary"]
    # every report links its business view and its code view
    for name, run in runs.items():
        assert f"href='{run['html']}'" in page and f"href='{name}.code.html'" in page, name


@pytest.mark.slow
def test_data_overview_shares_state_their_denominators(executed):
    findings = pd.DataFrame(executed("data_overview").records["quality_findings"]).set_index("finding")
    pauses = findings.loc["channel-days without spend (pauses)"]
    assert pauses["of"] == "4,380 channel-days (730 days × 6 channels)"
    assert pauses["share"] == pytest.approx(pauses["rows"] / 4380) and 0.40 < pauses["share"] < 0.48
    assert (findings.loc[findings["rows"] == 0, "severity"] == "none found").all()
    assert "none found" in set(findings["severity"])  # the sample has zero-revenue-free orders
    page = _page(executed("data_overview"))
    assert "4,380 channel-days (730 days × 6 channels)" in page and "none found" in page


@pytest.mark.slow
def test_organisation_figures_match_the_sample(executed):
    """The care queue counted by hand from the sample as of the batch's date (2026-01-31, end of
    day), the crisis status against the truth's crisis, and the finance section read from the batch."""
    result = executed("organisation")
    records = result.records
    truth = synth.load_truth(SAMPLE)
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet")
    as_of = pd.Timestamp("2026-02-01", tz="UTC") - pd.Timedelta(microseconds=1)
    assert pd.Timestamp(records["as_of"]) == as_of
    posted, answered = mentions["timestamp"], mentions["answered_at"]
    open_ = (mentions["brand"] == truth.brand) & mentions["is_question"] & (posted <= as_of)
    open_ &= answered.isna() | (answered > as_of)
    window = open_ & (posted > as_of - pd.Timedelta(days=30))
    assert records["care_open_questions"] == int(window.sum()) > 0
    breached = window & (posted < as_of - pd.Timedelta(hours=24))
    assert records["care_open_breached"] == int(breached.sum())
    # the truth's crisis ended 2025-09-28, over 14 days before: not live, and the sentence names it
    assert records["crisis_live"] is False
    ended = re.search(r"the last ended (\d{4}-\d{2}-\d{2})", records["crisis_status"]).group(1)
    assert abs(pd.Timestamp(ended) - pd.Timestamp(truth.crisis["end"])) <= pd.Timedelta(days=2)
    assert records["routed"]["care"] > 0 and records["sales_leads"] > 0
    page = Path(result.html).read_text(encoding="utf-8")
    assert "run in this batch." not in page and "irr_forecast.html" in page  # the batch's IRR report


#: What no list may show: an e-mail address, a URL with its query string, a person's @handle.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
URL_QUERY = re.compile(r"https?://[^\s?<]+\?(?!\[redacted\])")
HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")


@pytest.mark.slow
def test_no_list_in_any_report_shows_personal_data(report_batch):
    """Every table cell of every page of the batch: no e-mail address, phone number, URL query or
    @handle other than the brands' and the paid creators' own (the sample's texts carry all four)."""
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet", columns=["brand", "text"])
    assert sentiment.contains_personal_data(mentions["text"]).any().all()
    assert mentions["text"].str.contains(URL_QUERY).any() and mentions["text"].str.contains(HANDLE).any()
    keep = sentiment.brand_handles(sentiment.aliases(mentions["brand"].unique()))
    keep |= {h for c in organisation.read_creators() for h in c.handles}
    cells = []
    for outcome in report_batch.outcomes:
        page = Path(outcome.html).read_text(encoding="utf-8")
        cells += [
            html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)
        ]
    assert len(cells) > 1000
    texts = pd.Series(cells)
    found = sentiment.contains_personal_data(texts)
    assert not found.any().any(), texts[found.any(axis=1)].head().tolist()
    assert not texts.str.contains(EMAIL).any(), texts[texts.str.contains(EMAIL)].head().tolist()
    assert not texts.str.contains(URL_QUERY).any(), texts[texts.str.contains(URL_QUERY)].head().tolist()
    private = [h for t in cells for h in HANDLE.findall(t) if h.lower() not in keep]
    assert private == [], private[:5]


@pytest.mark.slow
def test_the_executive_summary_opens_with_the_index_verdicts(report_batch):
    """The summary's first section is in sentences: the data period and as-of date, then the
    same verdict per question as the index's (one sentence per concept), every IRR scenario."""
    from socialreturns.batch import verdicts

    manifest = json.loads(report_batch.manifest.read_text(encoding="utf-8"))
    runs = manifest["runs"]
    page = html.unescape(
        (report_batch.folder / Path(runs["executive_summary"]["html"]).name).read_text("utf-8")
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    opening = text.split("In short", 1)[1]
    assert opening.lstrip(" ¶").startswith(
        f"Reports of data from 2024-11-01 to 2026-10-31, as of {manifest['as_of']}."
    )
    index = re.sub(
        r"\s+", " ", html.unescape((report_batch.folder / "index.html").read_text(encoding="utf-8"))
    )
    for name in ("irr_forecast", "irr_forecast-downside", "roi", "organisation", "sentiment", "ror"):
        run = runs[name]
        said = verdicts.verdict(Path(run["notebook"]).stem, run["records"], run.get("parameters") or {})
        assert said and said in opening and said in index, name
    # in page order: fund or not, then budget, the organisation now, voice, relationships
    marks = [opening.index(m) for m in ("Fund the programme?", "Where the budget should go:", "Now:",
                                        "What customers say:", "Relationships:")]  # fmt: skip
    assert marks == sorted(marks)


def _shown_text(page: str) -> str:
    """A page's text as a reader sees it (tags and styles left out, entities unescaped)."""
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _headers(page: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<th[^>]*>.*?</th>", page, re.S)
    ]


@pytest.mark.slow
def test_finance_pages_open_with_the_answer_and_read_in_words(report_batch):
    """roi, irr_forecast and the executive summary as a CFO reads them: the answer before the
    first section, headers in words (ROAS, not roas; "interval low", not "ci lower"), attribution
    models and forecast methods by name, no empty table, no "nan", scenarios by their names."""
    by_name = {o.name: o for o in report_batch.outcomes}
    pages = {n: Path(by_name[n].html).read_text(encoding="utf-8") for n in ("roi", "irr_forecast",
                                                                            "irr_forecast-downside")}  # fmt: skip
    for name, page in pages.items():
        text = _shown_text(page)
        first = "Spend and revenue over time" if name == "roi" else "History: what paid social returned"
        assert text.index("In short") < text.index(first), name
        headers = set(_headers(page))
        assert {"ROAS", "interval low", "interval high", "ROI", "identified"} <= headers, name
        assert not headers & {
            "roas",
            "ci lower",
            "ci upper",
            "roi",
            "npv",
            "irr annual",
            "mape",
            "identifiable",
        }, name
        assert not re.search(r"\bnan\b", text, re.I), name
        for key in ("last_touch", "first_touch", "time_decay", "position_based", "seasonal_naive", "roas_scale",
                    "demand_scaling off", "demand_scaling on"):  # fmt: skip
            assert key not in text, (name, key)
    roi_text = _shown_text(pages["roi"])
    assert "last touch" in _headers(pages["roi"]) and "Markov" in _headers(pages["roi"])
    # the sample's three lift tests (data/sample/experiments.csv): the paragraph and both tables
    # (without lift tests: no table, tests/test_roi_report.py)
    assert "3 lift tests calibrated the fit" in roi_text and "No lift tests" not in roi_text
    assert (
        "Lift tests against the model's implied lift" in roi_text
        and "ROAS before and after calibration" in roi_text
    )
    irr = _shown_text(pages["irr_forecast"])
    assert "ETS (exponential smoothing)" in irr and "seasonal naive (a year earlier)" in irr
    base = json.loads(report_batch.manifest.read_text(encoding="utf-8"))["runs"]["irr_forecast"]["records"]
    assert "Worth funding. At a 9% cost of capital" in irr and f"{base['npv']:,.0f} EUR" in irr
    assert "Not worth funding as planned. At a 12% cost of capital" in _shown_text(
        pages["irr_forecast-downside"]
    )


@pytest.mark.slow
def test_the_executive_summary_names_scenarios_and_currency(report_batch):
    manifest = json.loads(report_batch.manifest.read_text(encoding="utf-8"))
    page = (report_batch.folder / Path(manifest["runs"]["executive_summary"]["html"]).name).read_text("utf-8")
    text = _shown_text(page)
    assert "irr_forecast" not in text  # scenarios by their names, not the runs' keys
    table = html.unescape(page.split("Future: the programme")[1].split("</table>")[0])
    assert "base's assumptions" in table and "cost of capital 12.0%; set-up cost 400,000 EUR" in table
    assert "Amounts in EUR." in table  # the NPVs carry their currency
    ror = page.split("Relationships: return on relationship")[1].split("</table>")[0]
    assert "Amounts in EUR." in ror
    assert "episode(s)" not in text and not re.search(r"\bnan\b", text, re.I)
    # a channel the ROI model cannot identify says so in its row
    roi = manifest["runs"]["roi"]["records"]
    unknown = [c for c, v in roi["roi"].items() if v is None]
    assert unknown and text.count("not identified: no ROI finding") == len(unknown)
