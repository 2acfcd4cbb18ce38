"""Data overview functions on hand-made three-row cases."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import data_overview, sentiment, synth
from socialreturns.data import Tables, load_tables
from socialreturns.inputs import InputError


def _ts(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True))


@pytest.fixture
def tiny() -> Tables:
    mentions = pd.DataFrame({
        "post_id": ["a", "b", "c"],
        "timestamp": _ts("2025-01-05", "2025-01-06", "2025-03-01"),
        "platform": ["x", "x", "y"],
        "brand": ["Us", "Us", "Them"],
        "author_id": ["u1", "u2", "u3"],
        "customer_id": ["c1", None, None],
        "text": ["mail me at a.b@example.com", "same", "same"],
        "likes": [1, 2, 3], "shares": [0, 0, 0], "comments": [0, 0, 0], "reach": [9, 9, 9],
        "is_question": [True, True, True],
        "answered_at": _ts("2025-01-05T02:00", "NaT", "NaT"),
    })  # fmt: skip
    spend = pd.DataFrame({
        "date": _ts("2025-01-01", "2025-01-03", "2025-01-03"),
        "channel": ["fb", "fb", "tt"], "campaign": ["k1", "k1", "k2"], "spend": [10.0, 5.0, 2.5],
    })  # fmt: skip
    touchpoints = pd.DataFrame({
        "customer_id": ["c1", "p9", "p9"], "timestamp": _ts("2025-01-01", "2025-01-02", "2025-01-03"),
        "channel": ["fb", "fb", "tt"], "campaign": ["k1", "(organic)", "k2"],
    })  # fmt: skip
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3"], "customer_id": ["c1", "c1", "c2"],
        "timestamp": _ts("2025-01-02", "2025-02-02", "2025-01-04"),
        "revenue": [10.0, 0.0, 200.0], "gross_margin": [4.0, 0.0, 80.0],
    })  # fmt: skip
    customers = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3"], "acquisition_date": _ts("2025-01-02", "2025-01-04", "2025-01-04"),
        "acquisition_channel": ["fb", "organic", "referral"], "referred_by": [None, None, "c1"],
    })  # fmt: skip
    return Tables(mentions, spend, touchpoints, orders, customers)


def test_table_summary(tiny):
    summary = data_overview.table_summary(tiny).set_index("table")
    assert summary.loc["mentions", "rows"] == 3
    assert str(summary.loc["mentions", "first"]) == "2025-01-05"
    assert summary.loc["mentions", "days"] == 56
    assert summary.loc["spend", "days"] == 3


def test_volume_fills_empty_periods_with_zero(tiny):
    monthly = data_overview.volume_over_time(tiny.mentions, time="timestamp", by="platform")
    counts = monthly.set_index(["period", "platform"])["count"]
    assert counts.to_dict() == {
        (pd.Timestamp("2025-01-01"), "x"): 2, (pd.Timestamp("2025-01-01"), "y"): 0,
        (pd.Timestamp("2025-02-01"), "x"): 0, (pd.Timestamp("2025-02-01"), "y"): 0,
        (pd.Timestamp("2025-03-01"), "x"): 0, (pd.Timestamp("2025-03-01"), "y"): 1,
    }  # fmt: skip
    spend = data_overview.volume_over_time(tiny.spend, time="date", by="channel", value="spend")
    assert spend.set_index("channel")["spend"].to_dict() == {"fb": 15.0, "tt": 2.5}


def test_quality_findings(tiny):
    f = data_overview.quality_findings(tiny).set_index("finding")
    assert f.loc["texts with an e-mail address (redact before showing)", "rows"] == 1
    assert f.loc["texts repeated verbatim (reposts, templates)", "rows"] == 1
    # Only 'Us' has answers, so only its unanswered question counts (not Them's).
    assert f.loc["customer questions to the brand never answered", "rows"] == 1
    assert f.loc["touchpoints of prospects not in customers (never converted)", "rows"] == 2
    assert f.loc["orders with zero revenue", "share"] == pytest.approx(1 / 3)
    assert f.loc["orders above 10x the median revenue", "rows"] == 1
    assert f.loc["customers without any order", "rows"] == 1
    # fb spent on 2 days, tt on 1
    pauses = f.loc["channel-days without spend (pauses)"]
    # the data's period is 2025-01-01 to 2025-03-01 (mentions): 60 days x 2 channels, 117 of them pauses
    assert pauses["rows"] == 120 - 3 and pauses["share"] == pytest.approx(117 / 120)
    assert pauses["of"] == "120 channel-days (60 days × 2 channels)"
    # Us has 2 questions (answers exist only for Us), 1 unanswered: half of them, not a third of the mentions
    unanswered = f.loc["customer questions to the brand never answered"]
    assert unanswered["share"] == pytest.approx(1 / 2) and unanswered["of"].startswith("2 customer questions")
    assert f.loc["customers without any order", "of"] == "3 customers"
    # a check that finds something keeps its severity; one that finds nothing says so
    assert f.loc["orders with zero revenue", "severity"] == "warning"
    assert f.loc["texts with a phone number (redact before showing)", "severity"] == "none found"
    assert (f.loc[f["rows"] == 0, "severity"] == "none found").all()
    assert (f.loc[f["rows"] > 0, "severity"] != "none found").all()


def test_the_pauses_share_is_of_every_channel_day_of_the_sample():
    f = data_overview.quality_findings(load_tables(SAMPLE)).set_index("finding")
    pauses = f.loc["channel-days without spend (pauses)"]
    spend = pd.read_csv(SAMPLE / "spend.csv", parse_dates=["date"])
    truth = synth.load_truth(SAMPLE)  # the data's period: its first to last day, 730 days
    days = (pd.Timestamp(truth.end_date) - pd.Timestamp(truth.start_date)).days + 1
    channel_days = days * spend["channel"].nunique()
    assert channel_days == 4380  # 730 days x 6 channels, not the spend table's 2,997 rows
    assert pauses["rows"] == channel_days - spend.groupby("channel")["date"].nunique().sum()
    assert pauses["share"] == pytest.approx(pauses["rows"] / 4380)
    assert pauses["of"] == "4,380 channel-days (730 days × 6 channels)"


def test_dates_are_not_counted_as_phone_numbers(tiny):
    texts = ["call +44 20 7946 0958", "order 2025-03-01 12:30", "2025-03-01"]
    tables = dataclasses.replace(tiny, mentions=tiny.mentions.assign(text=texts))
    f = data_overview.quality_findings(tables).set_index("finding")
    assert f.loc["texts with a phone number (redact before showing)", "rows"] == 1


def test_personal_data_findings_count_what_redaction_removes():
    tables = load_tables(SAMPLE)
    rows = data_overview.quality_findings(tables).set_index("finding")["rows"]
    redacted = tables.mentions["text"].fillna("").map(sentiment.redact)
    phones = redacted.str.contains("[phone]", regex=False).sum()
    emails = redacted.str.contains("[email]", regex=False).sum()
    assert phones > 0 and emails > 0
    assert rows["texts with a phone number (redact before showing)"] == phones
    assert rows["texts with an e-mail address (redact before showing)"] == emails


def test_conclusions_state_the_numbers(tiny):
    text = data_overview.conclusions(tiny, currency="EUR")
    assert "**18 EUR**" in text  # 10 + 5 + 2.5 spend, rounded
    assert "**210 EUR**" in text and "largest channel: fb" in text
    assert "50% of the 2 customers with an order ordered again (more than one order)" in text
    assert "Us 67%, Them 33%" in text
    # the notebook passes the findings it shows: the same text as computing them here
    findings = data_overview.quality_findings(tiny)
    assert data_overview.conclusions(tiny, currency="EUR", findings=findings) == text
    flagged = pd.DataFrame({"finding": ["texts with a phone number"], "rows": [3], "severity": ["warning"]})
    assert "- To act on: 3 texts with a phone number." in data_overview.conclusions(
        tiny, currency="EUR", findings=flagged
    )


def test_parameters_are_checked():
    with pytest.raises(InputError) as info:
        data_overview.Parameters(data_dir="data/sample", column_map_file="", currency="EUR",
                                 freq="D")  # fmt: skip
    assert info.value.key == "freq"
    with pytest.raises(InputError) as info:
        data_overview.Parameters(data_dir="data/nowhere", column_map_file="", currency="EUR",
                                 freq="MS")  # fmt: skip
    assert info.value.key == "data_dir"
    with pytest.raises(InputError) as info:
        data_overview.Parameters(data_dir="data/sample", column_map_file="", currency=978,
                                 freq="MS")  # fmt: skip
    assert info.value.key == "currency" and "str" in str(info.value)
