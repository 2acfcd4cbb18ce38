"""The teams' lists of the organisation report, on hand-made rows whose answers are worked out in
the comments, and the routes on the sample's posts with known routes (truth.json ``routes``)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import organisation, plots, synth
from socialreturns.inputs import InputError

AS_OF = pd.Timestamp("2025-03-31T12:00:00Z")
COLUMNS = ["post_id", "timestamp", "platform", "brand", "author_id", "customer_id", "text", "reach",
           "is_question", "answered_at"]  # fmt: skip


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("timestamp", "answered_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@pytest.fixture
def mentions() -> pd.DataFrame:
    return _frame([
        ("P1", "2025-03-30T12:00Z", "twitter", "Lumora", "u1", None, "where can I buy the Glow in Leeds? mail me a@b.io", 10, False, None),
        ("P2", "2025-03-29T12:00Z", "twitter", "Lumora", "u2", "C7", "Glow vs Kestrel One, which one should I get", 20, False, None),
        ("P3", "2025-02-01T12:00Z", "twitter", "Lumora", "u3", "C8", "how much is the Glow in the US", 30, False, None),
        ("P4", "2025-03-30T12:00Z", "tiktok", "Kestrel", "u4", None, "done with Kestrel, switching to Lumora", 40, False, None),
        ("P5", "2025-03-30T13:00Z", "tiktok", "Lumora", "cr_mia", None, "Obsessed with my Glow from @lumora @sam_r", 50, False, None),
        ("P6", "2025-03-31T00:00Z", "reddit", "Lumora", "u6", None, "the Glow is clinically proven to cure my insomnia", 60, False, None),
        ("P7", "2025-03-31T13:00Z", "reddit", "Lumora", "u7", None, "the Glow is clinically proven, after as_of", 70, False, None),
        ("P8", "2025-03-30T00:00Z", "twitter", "Lumora", "u8", None, "@lumora my order never arrived, help", 80, True, None),
        ("P9", "2025-03-01T00:00Z", "twitter", "Lumora", "u9", None, "@lumora is the Glow dimmable?", 90, True, None),
        ("P10", "2025-03-31T06:00Z", "twitter", "Lumora", "u10", None, "@lumora my Glow broke, call +44 20 7946 0958", 5, False, None),
    ])  # fmt: skip


@pytest.fixture
def routed(mentions) -> pd.DataFrame:
    creators = (organisation.Creator("Mia", "Lumora", ("@miasunlight",), ("cr_mia",)),)
    return organisation.route(mentions, brands=["Lumora", "Kestrel"], creators=creators)


def test_care_lists_split_export_questions_from_worded_care_in_the_window(mentions, routed):
    queue = organisation.care_queue(mentions, routed, brand="Lumora", as_of=AS_OF, sla_hours=24)
    care = organisation.care_lists(queue, mentions, as_of=AS_OF, window_days=7)
    # P8 (flagged, 36 h old) is in the window; P9 (flagged, 30 days old) is older than 7 days
    assert care.questions["post_id"].tolist() == ["P8"] and care.older == 1
    assert care.questions["age_hours"].tolist() == pytest.approx([36.0])
    # P10 is a problem addressed to the brand in words, not flagged: the second list, phone redacted
    assert "P10" in care.routed["post_id"].tolist() and "P8" not in care.routed["post_id"].tolist()
    assert "[phone]" in care.routed.set_index("post_id").at["P10", "text"]
    assert care.sentence(sla_hours=24).startswith("**1 questions**")
    assert care.routed.set_index("post_id")["sla_breached"].isna()["P10"]  # no answer record: not known
    unknown = int(care.routed["sla_breached"].isna().sum())
    assert f"the export records no answer to {unknown:,} of them" in care.sentence(sla_hours=24)
    with pytest.raises(InputError, match="window_days"):
        organisation.care_lists(queue, mentions, as_of=AS_OF, window_days=0)


def test_sales_leads_are_the_periods_purchase_intent_matched_customers_first(mentions, routed):
    leads = organisation.sales_leads(mentions, routed, brand="Lumora", as_of=AS_OF, period_days=30)
    # P3 is 58 days old: out of the period. P2 (matched customer) first, then P4 and P1 by time
    # (P4, a Kestrel post switching to Lumora, and P1 both on 03-30 12:00; post_id breaks the tie).
    assert leads["post_id"].tolist() == ["P2", "P1", "P4"]
    assert leads.set_index("post_id").at["P2", "competitor"] == "Kestrel"
    assert leads.set_index("post_id").at["P4", "competitor"] == "Lumora"
    assert "[email]" in leads.set_index("post_id").at["P1", "text"]
    answers = organisation.lists_sentence(
        leads, leads.iloc[0:0].assign(route=[]), brand="Lumora", period_days=30
    )
    assert answers["sales"] == ("**3 purchase-intent posts** in the last 30 days, 1 from matched customers; 1 about a "
                                "competitor name Lumora as the one to switch to or compare with; our posts compare "
                                "with or leave for Kestrel (1).")  # fmt: skip


def test_legal_review_names_the_post_and_the_rule_and_keeps_creators_handles(mentions, routed):
    review = organisation.legal_review(
        mentions, routed, brand="Lumora", as_of=AS_OF, keep_handles={"@lumora"}
    )
    # P5: Mia is paid by Lumora and discloses nothing; P6 claims health; P7 is after as_of
    assert review[["post_id", "route"]].values.tolist() == [["P6", "regulated_claim"],
                                                            ["P5", "disclosure_missing"]]  # fmt: skip
    rule = review.set_index("post_id")["rule"]
    assert rule["P5"].startswith("disclosure_missing/creator: Mia (Lumora)")
    assert rule["P6"].startswith("regulated_claim/health")
    assert review.set_index("post_id").at["P5", "text"] == "Obsessed with my Glow from @lumora @[user]"


def test_voice_of_customer_ranks_referrers_then_reach():
    mentions = _frame([
        ("A", "2025-03-30T00:00Z", "x", "Lumora", "u1", "C1", "love it", 10, False, None),
        ("B", "2025-03-30T00:00Z", "x", "Lumora", "u2", None, "love it too", 500, False, None),
        ("C", "2025-03-30T00:00Z", "x", "Lumora", "u3", None, "hate it", 900, False, None),
        ("D", "2024-01-01T00:00Z", "x", "Lumora", "u4", None, "love it", 9000, False, None),
    ])  # fmt: skip
    scores = pd.DataFrame({"label": ["positive", "positive", "negative", "positive"],
                           "compound": [0.6, 0.6, -0.6, 0.6]}, index=mentions.index)  # fmt: skip
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "referred_by": [None, "C1", "C1"]})
    advocates, detractors = organisation.voice_of_customer(
        mentions, scores, brand="Lumora", as_of=AS_OF, period_days=90, customers=customers
    )
    # C1 referred two customers: first despite the smaller reach; D is outside the 90 days
    assert advocates["post_id"].tolist() == ["A", "B"] and advocates["referred"].tolist() == [2, 0]
    assert detractors["post_id"].tolist() == ["C"]


def test_employer_brand_counts_and_nets_per_quarter():
    mentions = _frame([
        ("E1", "2025-01-10T00:00Z", "x", "Lumora", "u", None, "Got a job offer from Lumora", 1, False, None),
        ("E2", "2025-02-10T00:00Z", "x", "Lumora", "u", None, "Lumora is hiring in Leeds", 1, False, None),
        ("E3", "2025-03-10T00:00Z", "x", "Lumora", "u", None, "first day at Lumora", 1, False, None),
        ("E4", "2025-03-10T00:00Z", "x", "Kestrel", "u", None, "Kestrel is hiring", 1, False, None),
    ])  # fmt: skip
    routed = pd.DataFrame({"post_id": mentions["post_id"], "employer": [True, True, True, True]})
    scores = pd.DataFrame({"label": ["positive", "neutral", "negative", "positive"], "english": True},
                          index=mentions.index)  # fmt: skip
    by_period, overall = organisation.employer_brand(mentions, routed, scores, brand="Lumora", as_of=AS_OF)
    # three Lumora posts in Q1 2025: one positive, one negative: net 0
    assert by_period["mentions"].tolist() == [3] and overall["mentions"].iloc[0] == 3
    assert overall["net_sentiment"].iloc[0] == pytest.approx(0.0)
    # the page's table labels the period as the quarter it is, not as its first day or month
    assert by_period.attrs["freq"] == "Q" and "Q1 2025" in plots.table(by_period).to_html()


def test_product_themes_separate_two_kinds_of_feedback():
    texts = ["please add a sleep timer to the Glow", "a sleep timer for the Glow please",
             "wish the Glow had a sleep timer at night", "sleep timer when? the Glow needs one",
             "add a sleep timer and a sunrise mode", "need a sleep timer on my Glow lamp",
             "the Glow app crashes on the pairing screen", "app crashes every time I pair the Glow",
             "pairing screen crashes again", "crashes on pairing since the update"]  # fmt: skip
    mentions = pd.DataFrame({"post_id": [f"T{i}" for i in range(10)],
                             "timestamp": pd.to_datetime(["2025-03-30"] * 7 + ["2024-12-01"] * 3, utc=True),
                             "brand": ["Lumora"] * 5 + ["Kestrel"] * 5, "text": texts})  # fmt: skip
    routed = pd.DataFrame({"post_id": mentions["post_id"], "product_feedback": True})
    themes = organisation.product_themes(
        mentions, routed, aliases={"Lumora": ["lumora", "glow"]}, as_of=AS_OF, n_themes=2, trend_days=90
    )
    assert themes.themes["posts"].tolist() == [6, 4]
    assert "sleep" in themes.themes["top_terms"].iloc[0] and "crashes" in themes.themes["top_terms"].iloc[1]
    # theme 2 (crashes): T6 in the last 90 days, T7-T9 in the 90 before
    assert themes.themes[["recent", "previous"]].iloc[1].tolist() == [1, 3]
    assert themes.by_brand.loc[1].to_dict() == {"Kestrel": 1, "Lumora": 5}
    assert themes.examples.groupby("theme").size().tolist() == [2, 2]
    with pytest.raises(InputError, match="n_themes"):
        organisation.product_themes(mentions, routed, aliases={}, as_of=AS_OF, n_themes=1)


def test_as_of_is_the_days_end_but_never_after_the_data():
    mentions = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01T10:00Z", "2025-03-01T10:00Z"])})
    at = organisation.Parameters(as_of="2025-01-31").as_of_time(mentions)
    assert at == pd.Timestamp("2025-02-01T00:00Z") - pd.Timedelta(microseconds=1)
    assert organisation.Parameters(as_of="2026-01-31").as_of_time(mentions) == pd.Timestamp(
        "2025-03-01T10:00Z"
    )
    assert organisation.Parameters().as_of_time(mentions) == pd.Timestamp("2025-03-01T10:00Z")


def test_finance_says_not_in_this_batch_without_one():
    finance = organisation.finance_headlines("")
    assert finance["plan"].note == "No `irr_forecast` run in this batch."
    assert finance["roi"].note == "No `roi` run in this batch."


#: Measured on the sample's 1,500 posts with known routes (both template sets, so partly the set the
#: rules were tuned on; tests/test_organisation.py measures on the held-out set alone), as (recall,
#: precision): care 0.85, 0.87; complaint 0.99, 0.81; purchase intent 0.83, 0.92; disclosure 1, 1;
#: claims 0.99, 1; product 0.93, 0.90; employer 1, 1. Each floor sits a few points below.
FLOORS = {"care": (0.8, 0.83), "complaint": (0.95, 0.77), "purchase_intent": (0.78, 0.88),
          "disclosure_missing": (0.95, 0.95), "regulated_claim": (0.95, 0.95), "product_feedback": (0.88, 0.85),
          "employer": (0.95, 0.95)}  # fmt: skip


def test_every_route_has_examples_in_the_sample_and_finds_them():
    truth = synth.load_truth(SAMPLE)
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet")
    known = sorted({i for ids in truth.routes.values() for i in ids} | set())
    labelled = mentions[mentions["post_id"].isin(truth.sentiment_labels().index[-1500:])]
    assert len(labelled) == 1500 and set(known) <= set(labelled["post_id"])
    routed = organisation.route(
        labelled.drop(columns="is_question"), brands=[truth.brand, *truth.competitors],
        creators=organisation.read_creators(),
    )  # fmt: skip
    for name, (recall_floor, precision_floor) in FLOORS.items():
        true = labelled["post_id"].isin(truth.routes[name]).to_numpy()
        fired = routed[name].to_numpy()
        assert true.sum() >= 50, name  # every route has examples
        recall, precision = (fired & true).sum() / true.sum(), (fired & true).sum() / fired.sum()
        assert recall >= recall_floor and precision >= precision_floor, (name, recall, precision)


def test_the_report_needs_the_mentions_only(tmp_path):
    (tmp_path / "mentions.parquet").write_bytes((SAMPLE / "mentions.parquet").read_bytes())
    mentions, customers = organisation.Parameters(data_dir=str(tmp_path)).tables()
    assert customers is None and len(mentions) > 50_000
    _, with_customers = organisation.Parameters().tables()
    assert with_customers is not None and "referred_by" in with_customers


def test_the_executive_summary_shows_the_care_queue_and_the_crisis_now():
    from socialreturns import summary

    records = {"as_of": "2026-10-31T23:20:48+00:00", "care_open_questions": 47, "care_open_breached": 41,
               "care_open_routed": 100, "crisis_live": False,
               "crisis_status": "No crisis episode in the last 14 days (the last ended 2025-09-27)."}  # fmt: skip
    run = {"notebook": "notebooks/organisation.ipynb", "status": "ok", "html": "organisation.html",
           "records": records}  # fmt: skip
    section = summary.summarise({"runs": {"organisation": run}})["organisation"]
    assert "[The organisation](organisation.html)" in section.heading  # the link reads as the page title
    assert section.table.loc["2026-10-31 23:20"].tolist() == [47, 41, 100, "no"]
    assert "**47 open questions** (41 past the SLA)" in section.note and "ended 2025-09-27" in section.note
    assert summary.summarise({"runs": {}})["organisation"].note == "No `organisation` run in this batch."


def test_pr_counts_the_crisis_the_sentiment_report_counts():
    """One number per concept: on the sample with its labels, the organisation classes our brand's
    mentions as the sentiment report does (the domain model), so both find the same crisis episodes
    with the same negative mentions."""
    from socialreturns import data, sentiment

    mentions = data.load_tables(SAMPLE, tables=("mentions",)).mentions
    labels = data.load_labels(SAMPLE, mentions=mentions)
    names = sentiment.aliases(organisation.Parameters(data_dir=str(SAMPLE)).brands(mentions))
    as_of = mentions["timestamp"].max()
    scores = organisation.score_brand(mentions, brand="Lumora", aliases=names, as_of=as_of, labels=labels)
    report = sentiment.Parameters(data_dir=str(SAMPLE))
    selected = sentiment.select(mentions, brands=report.brands(mentions))
    classified = sentiment.classify_mentions(selected, labels, names=report.aliases(mentions))
    assert classified.choice.scorer == "model"
    assert scores["label"].equals(classified.scores["label"].loc[scores.index])
    assert (scores["label"] != scores["lexicon_label"]).any()  # not the lexicon's classes
    ours = organisation.crisis_now(mentions, scores, brand="Lumora", as_of=as_of).episodes
    theirs = sentiment.detect_spikes(selected, brand="Lumora", scores=classified.scores)
    columns = ["start", "end", "negative_mentions", "excess_negative_mentions"]
    assert len(ours) >= 1
    pd.testing.assert_frame_equal(
        ours[columns].reset_index(drop=True), theirs[columns].reset_index(drop=True)
    )
