"""Spend importers: each fixture's exact rows (computed by hand from the file), its damaged
variant's message, merging into a folder, the import log and the command line."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from conftest import ROOT
from socialreturns import cli, data, sources
from socialreturns.inputs import InputError
from socialreturns.sources import read

EXPORTS = ROOT / "tests" / "fixtures" / "exports"


def _rows(folder) -> list[tuple[str, str, str, float, str, str]]:
    frame = pd.read_csv(folder / "spend.csv", dtype=str, keep_default_na=False)
    return [(r.date, r.channel, r.campaign, float(r.spend), r.currency, r.source) for r in frame.itertuples()]


def _import(tmp_path, source, *names, **kwargs):
    out = tmp_path / "data"
    result = sources.import_files(source, [EXPORTS / n for n in names], out, **kwargs)
    data.load_table("spend", out)  # what `socialreturns validate` checks of the table
    return out, result


# ------------------------------------------------------------------- each source, by hand


def test_google_ads_day_report(tmp_path):
    out, result = _import(tmp_path, "google-ads", "google_ads_campaign_day.csv")
    # Video campaigns run on YouTube; search keeps its own channel. " --" cost: no row; totals dropped
    assert _rows(out) == [
        ("2025-01-01", "google_search", "Lumora Search", 20.16, "EUR", "google-ads"),
        ("2025-01-01", "youtube", "Lumora Brand Video", 1084.25, "EUR", "google-ads"),
        ("2025-01-02", "google_search", "Lumora Search", 0.0, "EUR", "google-ads"),
        ("2025-01-02", "youtube", "Lumora Brand Video", 1002.10, "EUR", "google-ads"),
    ]
    log = result.log
    assert (log.rows_read, log.rows_written, log.dropped) == (7, 4, 3)
    reasons = {d.reason: (d.count, d.examples[0]) for d in log.rows_dropped}
    assert reasons["a total or summary row"] == (2, "line 9: 'Total: Campaigns'")
    assert reasons["no spend value (empty or ' --')"] == (1, "line 8: 'Lumora Search'")
    assert log.columns_unused[str(EXPORTS / "google_ads_campaign_day.csv")] == [
        "Campaign status", "Budget", "Impr.", "Interactions", "Interaction rate", "Avg. cost", "Clicks", "CTR"]  # fmt: skip


def test_a_campaign_named_total_is_kept(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("Campaign report\nJan 1, 2025\nCampaign,Campaign type,Day,Currency code,Cost\n"
                    "Total Recall,Video,2025-01-01,EUR,5.00\nTotal: Account, --, --,EUR,5.00\n")  # fmt: skip
    result = sources.import_files("google-ads", [path], tmp_path / "data")
    assert _rows(tmp_path / "data") == [("2025-01-01", "youtube", "Total Recall", 5.0, "EUR", "google-ads")]
    assert result.log.rows_dropped[0].examples == ["line 5: 'Total: Account'"]


def test_a_campaign_with_a_comma_and_quotes_reads_back_intact(tmp_path):
    path = tmp_path / "tiktok.csv"
    path.write_text('Date,Campaign name,Currency,Cost\n2025-01-01,"Creators, ""EU""",EUR,5\n')
    sources.import_files("tiktok-ads", [path], tmp_path / "data")
    assert _rows(tmp_path / "data") == [("2025-01-01", "tiktok", 'Creators, "EU"', 5.0, "EUR", "tiktok-ads")]


@pytest.mark.parametrize(
    ("cost", "message"),
    [("-5.00", r"1 value\(s\) negative or larger than 1e\+12.*line 4 \('-5.00'\)"),
     ("5e13", r"1 value\(s\) negative or larger than 1e\+12")],
)  # fmt: skip
def test_negative_or_absurd_spend_is_refused(tmp_path, cost, message):
    path = tmp_path / "tiktok.csv"
    path.write_text(
        f"Date,Campaign name,Currency,Cost\n2025-01-01,A,EUR,1\n2025-01-02,A,EUR,2\n2025-01-03,A,EUR,{cost}\n"
    )
    with pytest.raises(InputError, match=message) as err:
        sources.import_files("tiktok-ads", [path], tmp_path / "data")
    assert err.value.column == "Cost"


@pytest.mark.parametrize(("day", "message"), [("2305-01-01", "outside"), (" --", "1 row.s. without a day")])
def test_a_day_outside_the_accepted_range_or_missing_is_refused(tmp_path, day, message):
    path = tmp_path / "tiktok.csv"
    path.write_text(f"Date,Campaign name,Currency,Cost\n{day},A,EUR,1\n")
    with pytest.raises(InputError, match=message) as err:
        sources.import_files("tiktok-ads", [path], tmp_path / "data")
    assert err.value.column == "Date" and err.value.rows == ["line 2"]


def test_meta_english_platform_breakdown(tmp_path):
    out, result = _import(tmp_path, "meta-ads", "meta_ads_en.csv")
    # facebook 12.34 + audience network 1.00 on the 1st; 10.00 + messenger 0.50 on the 2nd;
    # the 2nd's instagram row has no amount and is dropped
    assert _rows(out) == [
        ("2025-01-01", "facebook", "Winter Glow", 13.34, "EUR", "meta-ads"),
        ("2025-01-01", "instagram", "Winter Glow", 20.66, "EUR", "meta-ads"),
        ("2025-01-02", "facebook", "Winter Glow", 10.50, "EUR", "meta-ads"),
    ]
    assert result.log.dropped == 1 and result.log.currency == "EUR"
    assert any("audience_network' -> channel 'facebook'" in n for n in result.log.notes)


def test_meta_xlsx_reads_as_its_csv(tmp_path):
    # the same report saved as a workbook: dates as Excel dates, amounts as numbers (1.00 is 1)
    out, result = _import(tmp_path, "meta-ads", "meta_ads_en.xlsx")
    assert _rows(out) == [
        ("2025-01-01", "facebook", "Winter Glow", 13.34, "EUR", "meta-ads"),
        ("2025-01-01", "instagram", "Winter Glow", 20.66, "EUR", "meta-ads"),
        ("2025-01-02", "facebook", "Winter Glow", 10.50, "EUR", "meta-ads"),
    ]
    assert result.log.dropped == 1 and result.log.files[0]["encoding"] == "xlsx"


def test_meta_xlsx_with_ids_excel_stored_as_numbers_stops(tmp_path):
    with pytest.raises(
        InputError, match=r"6 value\(s\) are ids a spreadsheet turned into floating-point.*line 2"
    ) as err:
        _import(tmp_path, "meta-ads", "meta_ads_float_ids.xlsx")
    assert err.value.column == "Campaign ID"


def test_a_workbook_keeps_title_lines_and_trailing_empty_cells(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Campaign report"], ["Day", "Campaign", "Cost", "Note"], ["2025-01-01", "A", 5.5, None],
                ["2025-01-02", "B", 7, "x"]):  # fmt: skip
        sheet.append(row)
    path = tmp_path / "report.xlsx"
    book.save(path)
    text = read.xlsx_text(path.read_bytes(), path)
    assert text.splitlines() == [
        "Campaign report",
        "Day,Campaign,Cost,Note",
        "2025-01-01,A,5.5,",
        "2025-01-02,B,7,x",
    ]


def test_meta_french_semicolons_and_decimal_commas(tmp_path):
    out, result = _import(tmp_path, "meta-ads", "meta_ads_fr.csv")
    assert _rows(out) == [
        ("2025-01-03", "facebook", "Soldes d'hiver", 1234.56, "EUR", "meta-ads"),
        ("2025-01-03", "instagram", "Soldes d'hiver", 99.5, "EUR", "meta-ads"),
        ("2025-01-04", "instagram", "Soldes d'hiver", 0.25, "EUR", "meta-ads"),
    ]
    assert result.log.files[0]["encoding"] == "utf-8-sig" and result.log.files[0]["delimiter"] == "semicolons"


def test_meta_german_utf16_tabs_placements_summed(tmp_path):
    out, result = _import(tmp_path, "meta-ads", "meta_ads_de.txt")
    # Facebook Feed 10,10 + Marketplace 0,90; Instagram Stories 5,05 + Reels 4,95
    assert _rows(out) == [
        ("2025-01-05", "facebook", "Lumora Kopfhörer", 11.0, "EUR", "meta-ads"),
        ("2025-01-05", "instagram", "Lumora Kopfhörer", 10.0, "EUR", "meta-ads"),
    ]
    assert result.log.files[0]["encoding"] == "utf-16" and result.log.files[0]["delimiter"] == "tabs"
    assert any("4 rows summed into 2" in n for n in result.log.notes)


def test_meta_spanish_cp1252_needs_a_channel(tmp_path):
    with pytest.raises(InputError, match="does not say which channel .*no Platform breakdown.*--channel"):
        _import(tmp_path, "meta-ads", "meta_ads_es.csv")
    out, result = _import(tmp_path, "meta-ads", "meta_ads_es.csv", channel="instagram")
    assert _rows(out) == [
        ("2025-01-06", "instagram", "Campaña de Año Nuevo", 1005.75, "EUR", "meta-ads"),
        ("2025-01-07", "instagram", "Campaña de Año Nuevo", 894.25, "EUR", "meta-ads"),
    ]
    assert result.log.files[0]["encoding"] == "cp1252"


def test_linkedin_utf16_tabs_preamble_dollars(tmp_path):
    out, result = _import(tmp_path, "linkedin-ads", "linkedin_campaigns.tsv")
    assert _rows(out) == [
        ("2025-01-01", "linkedin", "Office Lighting", 174.03, "USD", "linkedin-ads"),
        ("2025-01-02", "linkedin", "Facility Managers", 0.0, "USD", "linkedin-ads"),
        ("2025-01-02", "linkedin", "Office Lighting", 1205.50, "USD", "linkedin-ads"),
    ]
    assert result.log.files[0]["header_line"] == 9 and result.log.files[0]["delimiter"] == "tabs"


def test_tiktok_api_and_ui_exports(tmp_path):
    out, _ = _import(tmp_path, "tiktok-ads", "tiktok_ads_api.csv")
    with pytest.raises(InputError, match="does not say its currency.*--currency EUR"):
        _import(tmp_path, "tiktok-ads", "tiktok_ads_ui.csv")
    out, _ = _import(tmp_path, "tiktok-ads", "tiktok_ads_ui.csv", currency="eur")
    assert _rows(out) == [
        ("2025-01-01", "tiktok", "Lumora Creators", 45.5, "EUR", "tiktok-ads"),
        ("2025-01-02", "tiktok", "Lumora Creators", 50.0, "EUR", "tiktok-ads"),
        ("2025-01-02", "tiktok", "Lumora Spark Ads", 12.25, "EUR", "tiktok-ads"),
        ("2025-01-03", "tiktok", "Lumora Creators", 61.4, "EUR", "tiktok-ads"),
        ("2025-01-04", "tiktok", "Lumora Creators", 58.6, "EUR", "tiktok-ads"),
    ]


# ------------------------------------------------------------------- damaged variants


@pytest.mark.parametrize(
    ("source", "name", "column", "message"),
    [
        ("google-ads", "shopify_orders.csv", None,
         r"shopify_orders.csv: is not a Google Ads campaign report: none of its first 60 lines is a header "
         r"with the columns it needs \(line 1 reads 'Name,Email,Financial Status,.*Expected the header "
         r"\(title line, date-range line\) Campaign status, Campaign"),
        ("google-ads", "google_ads_campaign_range.csv", "Day",
         r"without a day column \(Day or Date\).*cannot be split into days.*Segment > Time > Day"),
        ("google-ads", "google_ads_two_currencies.csv", "Currency code",
         r"has spend in more than one currency \(EUR, USD\).*one currency per data folder"),
        ("meta-ads", "meta_ads_monthly.csv", "Reporting ends",
         r"rows each cover a date range .*line 2 \('2025-01-01 to 2025-01-31'\).*By time > Day"),
        ("meta-ads", "meta_ads_float_ids.csv", "Campaign ID",
         r"2 value\(s\) are ids a spreadsheet turned into floating-point numbers.*line 2 \('1.2021E\+17'\)"),
        ("linkedin-ads", "linkedin_campaigns_float_ids.csv", "Campaign ID",
         r"column 'Campaign ID': 2 value\(s\) are ids a spreadsheet turned.*line 5 \('2.12346E\+08'\)"),
        ("linkedin-ads", "linkedin_campaigns_all.csv", None,
         r"with the time breakdown 'All' \(line 5\).*cannot be split into days.*'Daily'"),
        ("tiktok-ads", "meta_ads_en.csv", None, r"is not a TikTok Ads Manager report"),
    ],
)  # fmt: skip
def test_damaged_exports_stop_with_one_clear_message(tmp_path, source, name, column, message):
    with pytest.raises(InputError, match=message) as err:
        sources.import_files(source, [EXPORTS / name], tmp_path / "data")
    assert err.value.column == column
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_a_second_currency_in_the_folder_stops_and_changes_nothing(tmp_path):
    out, _ = _import(tmp_path, "google-ads", "google_ads_campaign_day.csv")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(InputError, match=r"holds data in EUR; this import \(tiktok_ads_usd.csv\) is in USD"):
        sources.import_files("tiktok-ads", [EXPORTS / "tiktok_ads_usd.csv"], out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_overlapping_files_of_one_import_are_refused(tmp_path):
    with pytest.raises(InputError, match="the files overlap: 8 rows share a date, channel and campaign"):
        sources.import_files("google-ads", [EXPORTS / "google_ads_campaign_day.csv"] * 2, tmp_path / "d")


# ------------------------------------------------------------------- merging and the log


def test_reimport_replaces_and_other_sources_and_tables_stay(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "orders.csv").write_text("order_id,customer_id,timestamp,revenue,gross_margin\n")
    sources.import_files("google-ads", [EXPORTS / "google_ads_campaign_day.csv"], out)
    sources.import_files("meta-ads", [EXPORTS / "meta_ads_en.csv"], out)
    once = _rows(out)
    again = sources.import_files("google-ads", [EXPORTS / "google_ads_campaign_day.csv"], out)
    assert _rows(out) == once and len(once) == 7  # 4 Google Ads rows, 3 Meta rows, no duplicates
    assert again.log.rows_replaced == 4
    assert (out / "orders.csv").read_text() == "order_id,customer_id,timestamp,revenue,gross_margin\n"
    log = json.loads((out / "import_log.json").read_text())
    assert log["currency"] == "EUR" and [e["source"] for e in log["imports"]] == [
        "google-ads",
        "meta-ads",
        "google-ads",
    ]
    entry = log["imports"][0]
    path = EXPORTS / "google_ads_campaign_day.csv"
    assert entry["files"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (entry["rows_read"], entry["rows_written"]) == (7, 4)
    assert entry["rows_dropped"][0] == {"reason": "a total or summary row", "count": 2,
                                        "examples": ["line 9: 'Total: Campaigns'", "line 10: 'Total: Account'"]}  # fmt: skip
    assert "CTR" in entry["columns_unused"][str(path)]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_rows_written_by_hand_with_the_same_key_are_replaced_and_logged(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "spend.csv").write_text("date,channel,campaign,spend\n2025-01-01,youtube,Lumora Brand Video,1\n"
                                   "2024-12-31,youtube,Lumora Brand Video,2\n")  # fmt: skip
    result = sources.import_files("google-ads", [EXPORTS / "google_ads_campaign_day.csv"], out)
    rows = _rows(out)
    assert rows[0] == ("2024-12-31", "youtube", "Lumora Brand Video", 2.0, "", "")
    assert ("2025-01-01", "youtube", "Lumora Brand Video", 1084.25, "EUR", "google-ads") in rows
    assert len(rows) == 5 and result.log.rows_replaced == 1
    assert "1 row(s) of rows written by hand replaced" in result.log.notes[-1]


# ------------------------------------------------------------------- the command line


def test_import_into_the_sample_validates(tmp_path, sample_copy, capsys):
    (sample_copy / "spend.csv").unlink()
    code = cli.main(
        ["import", "google-ads", str(EXPORTS / "google_ads_campaign_day.csv"), "--out", str(sample_copy)]
    )
    assert code == 0
    assert cli.main(["import", "meta-ads", str(EXPORTS / "meta_ads_de.txt"), "--out", str(sample_copy)]) == 0
    out = capsys.readouterr().out
    assert "google-ads: 7 rows read from 1 file(s), 4 written" in out and "dropped 2: a total" in out
    assert cli.main(["validate", str(sample_copy), "--as-of", "2026-11-30"]) == 0
    assert "all tables valid" in capsys.readouterr().out


def test_cli_wrong_tool_exits_2_with_one_paragraph(tmp_path, capsys):
    code = cli.main(
        ["import", "google-ads", str(EXPORTS / "shopify_orders.csv"), "--out", str(tmp_path / "d")]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"error: {EXPORTS / 'shopify_orders.csv'}: is not a Google Ads campaign report")


def test_cli_list_names_each_source_and_header(capsys):
    assert cli.main(["import", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("meta-ads", "google-ads", "linkedin-ads", "tiktok-ads"):
        assert name in out
    assert "Start Date (in UTC), Account Name, Campaign Group Name" in out
    assert cli.main(["import", "nope", "x.csv", "--out", "y"]) == 2
    assert "unknown source 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(("source", "files", "options"), [
    ("meta-ads", ["meta_ads_de.txt"], {}),
    ("google-ads", ["google_ads_campaign_day.csv"], {}),
    ("shopify-orders", ["shopify_orders.csv"], {"salt": "pepper", "margin_rate": 0.5}),
    ("ga4", ["ga4_events.parquet"], {"margin_rate": 0.5}),
    ("utm-clicks", ["utm_clicks.csv"], {}),
    ("reply-threads", ["customer_support_threads.csv"], {"salt": "pepper", "brands": ["Lumora=@lumora"]}),
])  # fmt: skip
def test_the_log_accounts_for_every_row_read(tmp_path, source, files, options):
    """rows read = written (the first table) + dropped + combined: summed placement rows, an
    order's further line items, a session's further events are counted, not only noted."""
    result = sources.import_files(source, [EXPORTS / f for f in files], tmp_path / "data", **options)
    log = result.log
    # GA4's purchases left out of the orders are events of their sessions too: counted apart
    dropped = sum(d.count for d in log.rows_dropped if not d.reason.startswith("purchase"))
    assert log.rows_read == log.written[log.tables[0]] + dropped + sum(log.rows_combined.values())
    assert log.rows_combined or source in ("google-ads", "utm-clicks", "reply-threads")
