"""The import round trip on realistic volume: a generated dataset written out as the tools
export it (`synth.exports`), imported with ``socialreturns import``, validated, and compared
with the original tables; the slow test then runs the notebooks on the imported folder.

What the export formats lose, and so what is compared within a tolerance or not at all:

* revenue of partly refunded orders (3% of them): Shopify's ``Refunded Amount`` is one amount in
  cents, and the import takes it as the same share of the subtotal as of the total, so an
  order's revenue comes back within half a cent per unit of its total (0.01 asserted);
* gross margin: a shop export has no costs; the product-cost table gives them per SKU, which
  cannot express each order's own margin (the export's line items are the products whose costs
  come closest), so the total margin is compared within 0.5% (0.12% at seed 7);
* ``customers.acquisition_channel``: a shop export does not say which channel brought a customer
  (``unknown``), except referrals (its referral codes), which come back exactly;
* the competitors' mentions (Meltwater): times to the minute, no likes, shares or comments,
  ``is_question`` detected from the text; the brand's inbox keeps all of it, but in local time
  without offset: a post in the hour repeated when the clocks go back comes back an hour early
  (one post at seed 7, not a question);
* ``mentions.customer_id``: no export matches authors to customers (empty after the import).
"""

from __future__ import annotations

import json
import re
import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from socialreturns import cli, data, roi, ror, sentiment, synth
from socialreturns.notebook import read_records
from socialreturns.synth.exports import archive_exports, write_exports

SEED, SCALE, SALT = 7, 0.1, "round-trip-salt"
TABLES = ("spend", "orders", "customers", "touchpoints", "mentions")
AS_OF = "2026-11-30"
UTC_NS = "datetime64[ns, UTC]"


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """The sample at scale 0.1 written as exports and imported into one folder with the CLI."""
    sample = synth.generate(SEED, scale=SCALE)
    original = {name: getattr(sample, name) for name in TABLES}
    # an advertiser spending ten times the sample's: days over 1,000, so the exports' thousands
    # separators ("1,234.56", "€1,234.56", "1 234,56") are read too
    original["spend"] = original["spend"].assign(spend=(original["spend"]["spend"] * 10).round(2))
    root = tmp_path_factory.mktemp("roundtrip")
    folder = root / "data"
    exports = write_exports(original, root / "exports", folder, salt=SALT)
    for command in exports.commands:
        assert cli.main(["import", *command, "--out", str(folder)]) == 0, command
    return SimpleNamespace(
        original=original, exports=exports, folder=folder, imported=data.load_tables(folder)
    )


def _log(trip) -> list[dict]:
    return json.loads((trip.folder / "import_log.json").read_text())["imports"]


def test_the_imported_folder_validates(trip, capsys):
    capsys.readouterr()
    assert cli.main(["validate", str(trip.folder), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "all tables valid" in out
    for table in TABLES:
        assert re.search(rf"^{table}\s+{len(trip.original[table]):,} rows", out, re.MULTILINE), (table, out)


def test_every_source_of_the_walkthrough_was_imported(trip):
    sources = [entry["source"] for entry in _log(trip)]
    assert sources == ["meta-ads", "google-ads", "linkedin-ads", "tiktok-ads", "shopify-orders", "shopify-orders", "ga4",
                       "utm-clicks", "reply-threads", "meltwater"]  # fmt: skip
    encodings = {f["path"].rsplit("/", 1)[-1]: (f.get("encoding"), f.get("delimiter"), f.get("header_line"))
                 for entry in _log(trip) for f in entry["files"]}  # fmt: skip
    assert encodings["meta_ads_first_en.xlsx"] == ("xlsx", "commas", 1)
    assert encodings["meta_ads_second_fr.csv"] == ("utf-8-sig", "semicolons", 1)
    assert encodings["google_ads_youtube_day.csv"] == ("utf-8", "commas", 3)
    assert encodings["linkedin_first.csv"] == ("utf-8", "commas", 7)
    assert encodings["linkedin_second.tsv"] == ("utf-16", "tabs", 7)
    assert encodings["meltwater_mentions.tsv"] == ("utf-16", "tabs", 1)
    ga4 = next(e for e in _log(trip) if e["source"] == "ga4")
    assert [(f["format"], f["rows_read"] > 1000) for f in ga4["files"]] == [
        ("parquet", True),
        ("ndjson", True),
    ]


def test_the_log_accounts_for_every_row_read(trip):
    """rows read = rows written + rows dropped (with reasons) + rows combined into another row."""
    counts = trip.exports.counts
    shop: dict[str, int] = {}
    for entry in _log(trip):
        dropped = {d["reason"]: d["count"] for d in entry["rows_dropped"]}
        combined = sum(entry["rows_combined"].values())
        primary = entry["tables"][0]
        assert entry["rows_read"] == entry["written"][primary] + sum(dropped.values()) + combined, entry
        assert all(d["examples"] for d in entry["rows_dropped"])
        if entry["source"] == "google-ads":
            assert dropped == {
                "a total or summary row": 2,
                "no spend value (empty or ' --')": counts["google-ads removed campaign days"],
            }
        if entry["source"] == "shopify-orders":  # two imports, the earlier and the later orders
            for reason, count in [*dropped.items(), ("rows read", entry["rows_read"])]:
                shop[reason] = shop.get(reason, 0) + count
        if entry["source"] == "ga4":
            assert (
                sum(v for k, v in dropped.items() if k.startswith("session of GA4"))
                == counts["ga4 noise sessions"]
            )
            assert (
                dropped["event without a user_pseudo_id, ga_session_id or event_timestamp"]
                == counts["ga4 events without a session"]
            )
        if entry["source"] == "reply-threads":
            assert dropped == {"the brands' own posts (kept out of mentions; their replies give answered_at)":
                               counts["inbox brand replies"]}  # fmt: skip
    assert shop == {"cancelled or voided order": counts["shopify cancelled orders"] + counts["shopify voided orders"],
                    "no e-mail (orders.customer_id may not be empty)": counts["shopify pos orders"],
                    "rows read": counts["shopify line item rows"]}  # fmt: skip


def test_spend_comes_back_per_day_channel_and_campaign(trip):
    key = ["date", "channel", "campaign"]
    original = trip.original["spend"].assign(date=lambda f: pd.to_datetime(f["date"], utc=True))
    imported = trip.imported.spend
    both = original.merge(
        imported[[*key, "spend"]], on=key, how="outer", suffixes=("", "_imported"), indicator=True
    )
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"].head()
    np.testing.assert_allclose(both["spend_imported"], both["spend"], rtol=0, atol=1e-9)
    per_channel_day = imported.groupby(["channel", "date"])["spend"].sum()
    np.testing.assert_allclose(
        per_channel_day, original.groupby(["channel", "date"])["spend"].sum(), atol=1e-9
    )
    assert set(imported["source"]) == {
        "meta-ads",
        "google-ads",
        "linkedin-ads",
        "tiktok-ads",
        "",
    }  # "" by hand


def test_orders_revenue_excludes_tax_and_shipping(trip):
    expected = trip.exports.tables["orders"].set_index("order_id")
    imported = trip.imported.orders.set_index("order_id").loc[expected.index]
    original = trip.original["orders"].set_index("order_id").loc[expected["sample_order_id"]]
    assert len(trip.imported.orders) == len(trip.original["orders"])
    assert (imported["customer_id"] == expected["customer_id"]).all()
    assert (imported["timestamp"].to_numpy() == original["timestamp"].to_numpy()).all()
    np.testing.assert_allclose(imported["revenue"], expected["revenue"], atol=1e-6)
    np.testing.assert_allclose(imported["gross_margin"], expected["gross_margin"], atol=1e-6)
    gap = imported["revenue"].to_numpy() - original["revenue"].to_numpy()
    refunded = np.abs(gap) > 1e-9
    assert 0.02 < refunded.mean() < 0.04  # the partly refunded orders, and only they
    assert np.abs(gap).max() <= 0.01
    day = original["timestamp"].dt.floor("D").to_numpy()
    per_day = pd.Series(gap, index=day).groupby(level=0).sum().abs()
    assert (per_day <= 0.01 * pd.Series(refunded, index=day).groupby(level=0).sum() + 1e-9).all()
    margin = imported["gross_margin"].sum() / original["gross_margin"].sum() - 1
    assert abs(margin) < 0.005, margin  # 0.12% at seed 7


def test_customers_keyed_by_the_salted_e_mail_hash(trip):
    original = trip.original["customers"]
    imported = trip.imported.customers.set_index("customer_id")
    ids = trip.exports.ids
    assert imported.index.str.fullmatch(r"C[0-9a-f]{16}").all()
    assert set(imported.index) == set(ids[original["customer_id"]])
    mine = imported.loc[ids[original["customer_id"]].to_numpy()]
    assert (
        mine["acquisition_date"].dt.date.astype(str).to_numpy()
        == original["acquisition_date"].astype(str).to_numpy()
    ).all()
    referred = original["referred_by"] != ""
    assert (
        mine["referred_by"].fillna("").to_numpy()
        == np.where(referred, ids.reindex(original["referred_by"]).fillna(""), "")
    ).all()
    assert (mine["acquisition_channel"].to_numpy() == np.where(referred, "referral", "unknown")).all()
    shop_emails = re.compile(r"c\d{7}@example\.com", re.IGNORECASE)  # the export's customers' addresses
    for path in trip.folder.iterdir():
        assert not shop_emails.search(path.read_text(encoding="utf-8")), path


def test_touchpoints_come_back_from_ga4_and_the_click_log(trip):
    key = ["customer_id", "timestamp", "channel", "campaign"]
    expected = trip.exports.tables["touchpoints"][key].sort_values(key, ignore_index=True)
    imported = trip.imported.touchpoints[key].sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(imported.astype(str), expected.astype(str))
    by_source = trip.imported.touchpoints["source"].value_counts()
    assert (
        by_source["utm-clicks"] == trip.original["touchpoints"]["channel"].isin(["tiktok", "pinterest"]).sum()
    )


@pytest.mark.slow
def test_importing_every_export_again_changes_no_table(trip, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(trip.folder, folder)
    for command in trip.exports.commands:
        assert cli.main(["import", *command, "--out", str(folder)]) == 0, command
    for table in TABLES:
        assert (folder / f"{table}.csv").read_bytes() == (trip.folder / f"{table}.csv").read_bytes(), table
    again = json.loads((folder / "import_log.json").read_text())["imports"][len(trip.exports.commands) :]
    assert [e["source"] for e in again] == [c[0] for c in trip.exports.commands]
    for entry in again:  # every row of the second round replaced its twin, whichever source wrote it
        assert entry["rows_replaced"] == sum(entry["written"].values()) > 0, entry


def test_the_brands_archive_answers_its_tweets_found_by_a_listening_tool(trip, tmp_path):
    """The other way to answered_at: the brand's tweets from Meltwater (tweet ids, times to the
    minute), then the brand's X archive, whose replies set answered_at to the second."""
    (meltwater, tweets), answered = archive_exports(trip.original["mentions"], tmp_path)
    folder = tmp_path / "data"
    brands = [a for b in trip.exports.brands for a in ("--brand", b)]
    for source, path in (("meltwater", meltwater), ("twitter-archive", tweets)):
        assert cli.main(["import", source, str(path), "--out", str(folder), "--salt", SALT, *brands]) == 0
    mentions = data.load_table("mentions", folder / "mentions.csv").set_index("post_id")
    assert len(mentions) == len(answered)  # the archive's own tweets are not mentions
    got = mentions["answered_at"].reindex(answered.index).astype(UTC_NS)
    pd.testing.assert_series_equal(got, answered.astype(UTC_NS), check_names=False, check_index_type=False)
    assert answered.notna().sum() > 20 and set(mentions.loc[answered.dropna().index, "source"]) == {
        "twitter-archive"
    }


def _response(mentions: pd.DataFrame) -> pd.DataFrame:
    return sentiment.response_gap(mentions, brand=synth.BRAND, freq=None).set_index("platform")


def test_mentions_share_of_voice_and_response_per_brand(trip):
    original, imported = trip.original["mentions"], trip.imported.mentions
    for column in ("brand", "platform"):  # mention share of voice
        assert imported[column].value_counts().to_dict() == original[column].value_counts().to_dict()
    reach = imported.groupby("brand")["reach"].sum().to_dict()  # reach share of voice
    assert reach == original.groupby("brand")["reach"].sum().to_dict()
    response = _response(imported)
    pd.testing.assert_frame_equal(response, _response(original), check_dtype=False)
    assert response.loc["twitter", "questions"] > 0 and (response["answered"] > 0).all()
    own = imported[imported["brand"] == synth.BRAND].set_index("post_id").sort_index()
    truth = original[original["brand"] == synth.BRAND].set_index("post_id").sort_index()
    expected = trip.exports.tables["mentions"].set_index("post_id").loc[truth.index]
    for column in ("timestamp", "text", "is_question", "answered_at", "likes", "shares", "comments", "reach"):
        mine, true = own[column], expected[column]
        if column in ("timestamp", "answered_at"):
            mine, true = mine.astype(UTC_NS), true.astype(UTC_NS)
        pd.testing.assert_series_equal(
            mine, true, check_dtype=False, check_index_type=False, check_names=False
        )
    # the inbox writes local time without offset: a post in the hour repeated when the clocks go
    # back comes back an hour early (read as summer time); every other time exactly
    early = own["timestamp"].astype(UTC_NS) - truth["timestamp"].astype(UTC_NS)
    assert (
        set(early[early != pd.Timedelta(0)]) <= {pd.Timedelta(hours=-1)}
        and (early != pd.Timedelta(0)).sum() <= 2
    )
    assert own["answered_at"].notna().sum() == truth["answered_at"].notna().sum()
    assert (own["question_flag"] == "export").all()


def test_competitors_mentions_from_meltwater(trip):
    expected = trip.exports.tables["mentions"]
    expected = expected[expected["brand"] != synth.BRAND].set_index("post_id").sort_index()
    imported = trip.imported.mentions.set_index("post_id").loc[expected.index]
    assert (imported["timestamp"] == expected["timestamp"]).all()  # to the minute
    assert (imported["text"] == expected["text"]).all() and (imported["reach"] == expected["reach"]).all()
    assert imported["answered_at"].isna().all() and (imported["likes"] == 0).all()
    truth = (
        trip.original["mentions"]
        .set_index("post_id")
        .loc[expected["sample_post_id"], "is_question"]
        .to_numpy()
    )
    found = imported["is_question"].to_numpy()
    precision, recall = (found & truth).sum() / found.sum(), (found & truth).sum() / truth.sum()
    assert precision >= 0.85 and recall >= 0.80, (precision, recall)  # 0.93 and 0.84 at seed 7


# --------------------------------------------------------------------------- the notebooks

NOTEBOOKS = ("data_overview", "roi", "sentiment", "ror", "organisation")


def _sentiment_figures(mentions: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """What the sentiment notebook computes (the same calls, defaults, no labels.csv)."""
    params = sentiment.Parameters()
    selected = sentiment.select(mentions, brands=params.brands(mentions), start="", end="")
    masked = sentiment.mask(selected["text"], params.aliases(mentions))
    lexicon = sentiment.score(masked, overrides=params.overrides(), max_text_chars=params.max_text_chars)
    classified = sentiment.classify(selected, masked, lexicon, None)
    overall = sentiment.share_of_voice(selected, classified.scores, freq=None, confusion=classified.confusion)
    pooled = sentiment.response_gap(selected, brand=params.brand, sla_hours=params.sla_hours, freq=None,
                                    by_platform=False)  # fmt: skip
    return overall.set_index("brand"), pooled.iloc[0]


@pytest.mark.slow
def test_the_notebooks_run_on_the_imported_folder_and_agree(trip, tmp_path, capsys):
    spec = tmp_path / "roundtrip.yaml"
    spec.write_text(yaml.safe_dump({"title": "round trip", "runs": [{"notebook": n} for n in NOTEBOOKS]}))
    out = tmp_path / "reports"
    capsys.readouterr()
    status = cli.main(["run", str(spec), "-p", "data_dir", str(trip.folder), "--out", str(out), "--as-of", AS_OF,
                       "--workers", "2"])  # fmt: skip
    assert status == 0, capsys.readouterr()
    records = {n: read_records(next(out.rglob(f"{n}.ipynb"))) for n in NOTEBOOKS}
    original = trip.original

    overview = records["data_overview"]
    assert overview["rows"] == {t: len(original[t]) for t in TABLES}
    assert overview["spend_total"] == pytest.approx(original["spend"]["spend"].sum(), rel=1e-12)
    assert overview["revenue_total"] == pytest.approx(
        trip.exports.tables["orders"]["revenue"].sum(), abs=1e-6
    )
    assert abs(overview["revenue_total"] - original["orders"]["revenue"].sum()) <= 0.01 * 0.04 * len(
        original["orders"]
    )
    referred = int((original["customers"]["referred_by"] != "").sum())
    assert overview["customers_by_acquisition_channel"] == {"unknown": len(original["customers"]) - referred,
                                                            "referral": referred}  # fmt: skip
    assert (overview["first_date"], overview["last_date"]) == (str(original["mentions"]["timestamp"].min().date()),
                                                              str(original["mentions"]["timestamp"].max().date()))  # fmt: skip

    voice, pooled = _sentiment_figures(original["mentions"])
    figures = records["sentiment"]
    for figure, column in (("mention_share_of_voice", "mention_share_of_voice"),
                           ("share_of_voice", "reach_share_of_voice"), ("net_sentiment", "net_sentiment")):  # fmt: skip
        assert figures[figure] == pytest.approx(voice[column].to_dict(), abs=1e-12), figure
    for figure in ("answered_share", "median_response_hours", "within_sla_share"):
        assert figures[figure] == pytest.approx(float(pooled[figure]), abs=1e-12), figure

    orders = original["orders"]
    choice = ror.choose_purchase_model(orders, calibration_end="2026-04-30", holdout_end="2026-10-31")
    summary = ror.rfm_summary(orders, observation_end="2026-10-31")
    figures = records["ror"]
    assert figures["purchase_model"] == choice.model
    assert figures["bgnbd_params"] == pytest.approx(
        ror.fit_purchases(summary, model=choice.model).params.to_dict(), rel=1e-5
    )
    # order values differ by under a cent on the partly refunded orders: Gamma-Gamma within 1e-3
    assert figures["gamma_gamma_params"] == pytest.approx(
        ror.fit_gamma_gamma(summary).params.to_dict(), rel=1e-3
    )
    assert figures["referrers"] == original["customers"]["referred_by"].replace("", np.nan).nunique()
    assert records["organisation"]["routed"]
    _roi_agrees(records["roi"], original)


def _roi_agrees(figures: dict, original: dict[str, pd.DataFrame]) -> None:
    """The ROI notebook on the imported folder gives the attribution and the incremental returns
    the original tables give (the notebook's own calls and defaults). Touchpoints and spend come
    back exactly, so attribution is exact; revenue differs by under a cent on partly refunded
    orders, so the fit's returns agree to 1e-3 and it leaves out the same channels (blank in both)."""
    params = roi.Parameters()
    attribution = roi.compare_models(original["touchpoints"], original["orders"],
                                     lookback_days=params.lookback_days, half_life_days=params.half_life_days)  # fmt: skip
    shares = attribution.pivot(index="channel", columns="model", values="share")
    recorded = pd.DataFrame(figures["attribution_shares"]).set_index("channel")[shares.columns]
    pd.testing.assert_frame_equal(recorded.sort_index(), shares.sort_index(), check_names=False, atol=1e-12)
    fit = roi.fit_incremental(original["spend"], roi.daily_revenue(original["orders"]), alpha=params.alpha,
                              margin_rate=params.margin_rate, n_bootstrap=params.n_bootstrap, seed=params.seed)  # fmt: skip
    # A tenth of the sample identifies no channel: the same verdict on the same channels. Which reason
    # fires first may differ: where the likelihood is flat, a sub-cent change of revenue moves where
    # the search stops.
    assert set(figures["not_identified"]) == set(roi.not_identified(fit.summary()).index)
    returns = roi.reported_returns(fit.summary()).set_index("channel")
    for figure in ("roas", "roi"):
        recorded = pd.Series(figures[figure], dtype=float).sort_index()  # blank (None) where not identified
        pd.testing.assert_series_equal(recorded, returns[figure].sort_index(), check_names=False, rtol=1e-3)
