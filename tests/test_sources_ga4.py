"""GA4 BigQuery export and UTM click log importers: the fixtures' exact touchpoints and orders
(worked out by hand from the files), the default channel grouping, the damaged variants."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from socialreturns import cli, data, sources
from socialreturns.inputs import InputError
from socialreturns.sources.channels import ChannelMap, load_channel_map

EXPORTS = ROOT / "tests" / "fixtures" / "exports"
EVENTS = EXPORTS / "ga4_events.ndjson"
CLICKS = EXPORTS / "utm_clicks.csv"

# The fixture by hand. Pseudo id 1111 (user_id u-100 on its later events): session 1 at 10:00:00
# last-click facebook / paid_social / spring_sale; session 2 at 09:00:00 (its first event, though
# written after a later one) collected instagram / social. 2222: an organic-search session
# (event parameters, dropped), a session with a gclid alone (google / cpc, no campaign), and the
# session of its refund event (no source: Direct, dropped). 3333: a direct session (dropped), an
# event without ga_session_id (dropped), a tiktok / cpc / tt_launch session. 4444: youtube / cpc
# (Paid Video) and l.facebook.com / referral (Organic Social).
TOUCHPOINTS = [
    ("2222222222.1740916800", "2025-03-02T18:30:00Z", "google_search", "", "", "ga4"),
    ("3333333333.1741075200", "2025-03-05T20:15:00Z", "tiktok", "tt_launch", "", "ga4"),
    ("4444444444.1741248000", "2025-03-06T07:45:30Z", "youtube", "yt_q1", "", "ga4"),
    ("4444444444.1741248000", "2025-03-06T21:00:00Z", "facebook", "(organic)", "", "ga4"),
    ("u-100", "2025-03-01T10:00:00Z", "facebook", "spring_sale", "", "ga4"),
    ("u-100", "2025-03-03T09:00:00Z", "instagram", "(organic)", "", "ga4"),
]
# T1001: ecommerce.purchase_revenue 80 (not the value parameter's 84.90); T1002: value 50, sent
# twice (second dropped), refund event of 20 -> 30; the (not set) purchase is dropped. Margin 0.5.
ORDERS = [
    ("T1001", "u-100", "2025-03-03T09:12:30Z", 80.0, 40.0, "EUR", "ga4"),
    ("T1002", "2222222222.1740916800", "2025-03-02T18:41:07Z", 30.0, 15.0, "EUR", "ga4"),
]
# u-100's first order came in its organic instagram session: unknown; 2222's in the paid search one.
CUSTOMERS = [
    ("2222222222.1740916800", "2025-03-02", "google_search", "", "EUR", "ga4"),
    ("u-100", "2025-03-03", "unknown", "", "EUR", "ga4"),
]


def _read(folder, table):
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    for column in ("revenue", "gross_margin"):
        if column in frame:
            frame[column] = frame[column].astype(float)
    return [tuple(r) for r in frame.itertuples(index=False)]


@pytest.mark.parametrize("path", [EVENTS, EXPORTS / "ga4_events.parquet"], ids=["ndjson", "parquet"])
def test_ga4_sessions_and_purchases_by_hand(tmp_path, path):
    result = sources.import_files("ga4", [path], tmp_path, margin_rate=0.5)
    assert _read(tmp_path, "touchpoints") == TOUCHPOINTS
    assert _read(tmp_path, "orders") == ORDERS
    assert _read(tmp_path, "customers") == CUSTOMERS
    log = result.log
    assert (log.rows_read, log.written, log.currency) == (
        16,
        {"touchpoints": 6, "orders": 2, "customers": 2},
        "EUR",
    )
    reasons = {d.reason: (d.count, d.examples) for d in log.rows_dropped}
    assert reasons["event without a user_pseudo_id, ga_session_id or event_timestamp"] == (
        1,
        [f"{path.name} event 11"],
    )
    assert reasons["purchase without a transaction_id"] == (1, [f"{path.name} event 13"])
    assert reasons["purchase event repeated for one transaction_id (GA4 sends some twice)"][0] == 1
    assert reasons["session of GA4's 'Direct' group, which has no channel (see --channel-map)"][0] == 2
    assert reasons["session of GA4's 'Organic Search' group, which has no channel (see --channel-map)"] == (
        1, ["session 2222222222.1740916800/1740916800"])  # fmt: skip
    assert log.files[0]["format"] == path.suffix.lstrip(".") and len(str(log.files[0]["sha256"])) == 64
    for table in ("touchpoints", "orders", "customers"):  # each passes its schema as loaded
        assert len(data.load_table(table, tmp_path / f"{table}.csv")) == len(
            log.written and _read(tmp_path, table)
        )


def test_ga4_json_with_numbers_for_int64_reads_the_same(tmp_path):
    # BigQuery writes INT64 as text; a file rewritten by another tool may hold plain numbers
    rows = [json.loads(line) for line in EVENTS.read_text().splitlines()]
    for row in rows:
        row["event_timestamp"] = int(row["event_timestamp"])
        for param in row["event_params"]:
            if param["value"]["int_value"] is not None:
                param["value"]["int_value"] = int(param["value"]["int_value"])
    path = tmp_path / "numbers.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    sources.import_files("ga4", [path], tmp_path / "data", margin_rate=0.5)
    assert _read(tmp_path / "data", "touchpoints") == TOUCHPOINTS


def test_ga4_purchases_are_not_orders_beside_a_shop_export(sample_copy):
    (sample_copy / "touchpoints.parquet").unlink()  # an import merges into CSV only
    result = sources.import_files("ga4", [EVENTS], sample_copy)  # no margin rate needed: no orders
    assert result.log.tables == ["touchpoints"]
    assert any("orders come from rows written by hand" in n for n in result.log.notes)
    assert cli.main(["validate", str(sample_copy), "--as-of", "2026-11-30"]) == 0
    assert len(data.load_table("touchpoints", sample_copy)) == len(TOUCHPOINTS)


def test_ga4_channel_map_overrides_groups_and_platforms(tmp_path):
    mapping = tmp_path / "channels.yaml"
    mapping.write_text(
        "platforms:\n  tiktok: tiktok_ads\ngroups:\n  Organic Search: seo\n  Paid Search: null\n"
    )
    sources.import_files("ga4", [EVENTS], tmp_path / "data", margin_rate=0.5, channel_map=mapping)
    channels = [r[2] for r in _read(tmp_path / "data", "touchpoints")]
    assert channels == ["seo", "tiktok_ads", "youtube", "facebook", "facebook", "instagram"]


@pytest.mark.parametrize(
    ("text", "key"),
    [("groups:\n  Social: facebook\n", "groups.Social"), ("channels: {}\n", "channels"),
     ("groups:\n  Email: 3\n", "groups.Email")],
)  # fmt: skip
def test_a_bad_channel_map_names_the_key(tmp_path, text, key):
    path = tmp_path / "map.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_channel_map(path)
    assert err.value.key == key


def test_default_channel_grouping_follows_ga4():
    source = pd.Series(["facebook", "l.instagram.com", "google", "(direct)", "youtube", "bing", "newsletter",
                        "google", "pinterest", "partner.example", "lnkd.in", "ads.example"])  # fmt: skip
    medium = pd.Series(["paid_social", "referral", "cpc", "(none)", "cpc", "ppc", "email", "organic", "social",
                        "referral", "cpm", "banner"])  # fmt: skip
    campaign = pd.Series(["spring", "x", "brand", "", "yt", "b", "n", "(not set)", "pins", "p", "li", "d"])
    out = ChannelMap().classify(source, medium, campaign)
    # GA4's paid medium is ^(.*cp.*|ppc|retargeting|paid.*)$: "cpm" on a social site is Paid Social
    assert list(out["group"]) == ["Paid Social", "Organic Social", "Paid Search", "Direct", "Paid Video", "Paid Search",
                                  "Email", "Organic Search", "Organic Social", "Referral", "Paid Social", "Display"]  # fmt: skip
    assert list(out["channel"].fillna("-")) == ["facebook", "instagram", "google_search", "-", "youtube", "bing_search",
                                                "-", "-", "pinterest", "-", "linkedin", "-"]  # fmt: skip
    assert list(out["campaign"].fillna("-")) == ["spring", "(organic)", "brand", "(organic)", "yt", "b",
                                                 "(organic)", "(organic)", "(organic)", "(organic)", "li", "d"]  # fmt: skip


def test_ga4_event_times_in_milliseconds_stop(tmp_path):
    with pytest.raises(InputError, match=r"2 event time\(s\) before 1990.*1970-01-.*milliseconds") as err:
        sources.import_files("ga4", [EXPORTS / "ga4_events_milliseconds.ndjson"], tmp_path, margin_rate=0.5)
    assert err.value.column == "event_timestamp"
    assert not any(tmp_path.iterdir())  # nothing written


def test_ga4_damaged_files_stop_with_one_clear_message(tmp_path):
    truncated = tmp_path / "truncated.ndjson"
    lines = EVENTS.read_text().splitlines()
    truncated.write_text("\n".join([*lines[:3], lines[3][:200], *lines[4:]]) + "\n")
    with pytest.raises(InputError, match="cannot be read as newline-delimited JSON"):
        sources.import_files("ga4", [truncated], tmp_path / "a", margin_rate=0.5)
    notjson = tmp_path / "export.ndjson"
    notjson.write_text("{event_name: purchase}\n")
    with pytest.raises(InputError, match=r"line 1 is not a JSON object"):
        sources.import_files("ga4", [notjson], tmp_path / "e", margin_rate=0.5)
    with pytest.raises(InputError, match="is neither Parquet nor newline-delimited JSON"):
        sources.import_files("ga4", [EXPORTS / "shopify_orders.csv"], tmp_path / "b", margin_rate=0.5)
    without = tmp_path / "no_pseudo.parquet"
    pq.write_table(pq.read_table(EXPORTS / "ga4_events.parquet").drop_columns(["user_pseudo_id"]), without)
    with pytest.raises(InputError, match="is not a GA4 BigQuery events export.*no user_pseudo_id") as err:
        sources.import_files("ga4", [without], tmp_path / "c", margin_rate=0.5)
    assert err.value.column == "user_pseudo_id"
    with pytest.raises(InputError, match="needs the gross margin rate") as err:
        sources.import_files("ga4", [EVENTS], tmp_path / "d")
    assert err.value.key == "margin_rate"


def test_utm_clicks_by_hand(tmp_path):
    result = sources.import_files("utm-clicks", [CLICKS], tmp_path)
    # 11:30 +01:00 is 10:30 UTC; ig / social is organic instagram; %20 and + decode to spaces; the
    # checkout click has no UTM values (Direct), the newsletter is Email, one click has no user
    assert _read(tmp_path, "touchpoints") == [
        ("u-100", "2025-03-01T10:00:00Z", "facebook", "spring_sale", "", "utm-clicks"),
        ("u-100", "2025-03-04T08:00:00Z", "youtube", "Q1 Brand", "", "utm-clicks"),
        ("u-200", "2025-03-01T10:30:00Z", "instagram", "(organic)", "", "utm-clicks"),
        ("u-300", "2025-03-02T09:15:00Z", "tiktok", "tt launch", "", "utm-clicks"),
    ]
    reasons = {d.reason: (d.count, d.examples) for d in result.log.rows_dropped}
    assert reasons == {
        "click without a user id": (1, ["utm_clicks.csv line 6"]),
        "click of GA4's 'Direct' group, which has no channel (see --channel-map)": (
            1,
            ["utm_clicks.csv line 5"],
        ),
        "click of GA4's 'Email' group, which has no channel (see --channel-map)": (
            1,
            ["utm_clicks.csv line 7"],
        ),
    }
    assert result.log.columns_unused[str(CLICKS)] == ["referrer"]


def test_utm_clicks_damaged_variants_stop(tmp_path):
    with pytest.raises(
        InputError, match=r"spreadsheet turned into floating-point.*line 2 \('5.70306E\+17'\)"
    ) as err:
        sources.import_files("utm-clicks", [EXPORTS / "utm_clicks_float_ids.csv"], tmp_path)
    assert err.value.column == "user_id"
    bad = tmp_path / "bad_time.csv"
    bad.write_text(CLICKS.read_text().replace("2025-03-02T09:15:00Z", "02/03/2025 9:15"))
    with pytest.raises(InputError, match=r"1 value\(s\) cannot be read as times.*line 4") as err:
        sources.import_files("utm-clicks", [bad], tmp_path / "x")
    assert err.value.column == "timestamp"
    with pytest.raises(InputError, match="is not a UTM-tagged click log"):
        sources.import_files("utm-clicks", [EXPORTS / "meta_ads_en.csv"], tmp_path / "y")


def test_cli_imports_clicks_into_the_sample_and_it_validates(sample_copy, capsys):
    (sample_copy / "touchpoints.parquet").unlink()
    assert cli.main(["import", "utm-clicks", str(CLICKS), "--out", str(sample_copy)]) == 0
    assert "utm-clicks: 7 rows read from 1 file(s), 4 written" in capsys.readouterr().out
    assert cli.main(["validate", str(sample_copy), "--as-of", "2026-11-30"]) == 0
    assert cli.main(["import", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "ga4" in listing and "utm-clicks" in listing and "event_params" in listing


def test_a_shop_import_after_ga4_purchases_stops(tmp_path):
    sources.import_files("ga4", [EVENTS], tmp_path, margin_rate=0.5)
    with pytest.raises(InputError, match="holds orders from GA4's purchase events") as err:
        sources.import_files(
            "shopify-orders", [EXPORTS / "shopify_orders.csv"], tmp_path, salt="s", margin_rate=0.5
        )
    assert err.value.column == "source"
