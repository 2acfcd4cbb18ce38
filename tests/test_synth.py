"""The sample data: reproducible from its seed, scalable, and true to its truth.json."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import synth


@pytest.fixture(scope="module")
def sample() -> synth.Sample:
    return synth.generate(synth.DEFAULT_SEED)


@pytest.mark.slow
def test_committed_sample_is_reproduced_by_its_seed(sample, tmp_path):
    paths = synth.write(sample, tmp_path)
    for name, fmt in synth.FORMATS.items():
        committed = SAMPLE / f"{name}.{fmt}"
        if fmt == "csv":
            assert paths[name].read_bytes() == committed.read_bytes(), name
        else:
            pd.testing.assert_frame_equal(pd.read_parquet(paths[name]), pd.read_parquet(committed))
    assert paths["labels"].read_bytes() == (SAMPLE / "labels.csv").read_bytes()
    assert json.loads(paths["truth"].read_text()) == json.loads((SAMPLE / "truth.json").read_text())


def test_sample_is_small_enough_to_commit():
    total = sum(p.stat().st_size for p in SAMPLE.iterdir())
    assert total < 10e6


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (synth.generate(s, scale=0.05) for s in (1, 1, 2))
    pd.testing.assert_frame_equal(a.orders, b.orders)
    pd.testing.assert_frame_equal(a.mentions, b.mentions)
    assert not a.orders["revenue"].equals(c.orders["revenue"])


@pytest.mark.slow
def test_scale_grows_every_table_proportionally(sample):
    small, large = sample, synth.generate(3, scale=3.0)
    for name in ("mentions", "touchpoints", "orders", "customers", "spend"):
        ratio = len(getattr(large, name)) / len(getattr(small, name))
        assert 2.4 < ratio < 3.6, (name, ratio)


def test_roas_truth_is_consistent(sample):
    for channel, t in sample.truth.channels.items():
        assert t["incremental_revenue"] == pytest.approx(t["roas"] * t["spend"], rel=1e-6)
        spent = sample.spend.loc[sample.spend["channel"] == channel, "spend"].sum()
        assert spent == pytest.approx(t["spend"], abs=0.01)
        # Diminishing returns: the next unit of spend earns less than the average one.
        assert 0 < t["marginal_roas"] < t["roas"]
    shares = {c: t["spend_share"] for c, t in sample.truth.channels.items()}
    assert shares == pytest.approx({c: s["spend_share"] for c, s in synth.CHANNELS.items()},
                                   abs=0.002)  # fmt: skip


def test_paid_customers_follow_the_response_curves(sample):
    """Customers acquired per channel = true incremental revenue / mean first-order value."""
    mean_value = sample.truth.acquisition["mean_first_order_value"]
    counts = sample.customers["acquisition_channel"].value_counts()
    for channel, t in sample.truth.channels.items():
        expected = t["incremental_revenue"] / mean_value
        assert abs(counts[channel] - expected) < 4 * np.sqrt(expected), channel


def test_first_orders_have_gamma_gamma_mean_value(sample):
    first = sample.orders.drop_duplicates("customer_id")
    mean_value = sample.truth.acquisition["mean_first_order_value"]
    se = first["revenue"].std() / np.sqrt(len(first))
    assert abs(first["revenue"].mean() - mean_value) < 4 * se


def test_every_customer_orders_first_on_acquisition_day(sample):
    first = sample.orders.drop_duplicates("customer_id").set_index("customer_id")["timestamp"]
    acquired = sample.customers.set_index("customer_id")["acquisition_date"]
    assert (first.dt.date.reindex(acquired.index) == acquired).all()


def test_referrers_precede_the_customers_they_referred(sample):
    c = sample.customers.set_index("customer_id")
    referred = c[c["referred_by"] != ""]
    assert len(referred) == sample.truth.referral["n_referred_customers"]
    assert (c.loc[referred["referred_by"], "acquisition_date"].to_numpy()
            <= referred["acquisition_date"].to_numpy()).all()  # fmt: skip


def test_response_rates_and_times_match_the_truth(sample):
    m = sample.mentions
    asked = m[m["is_question"] & (m["brand"] == synth.BRAND)]
    for platform, t in sample.truth.response.items():
        q = asked[asked["platform"] == platform]
        rate = q["answered_at"].notna().mean()
        se = np.sqrt(t["answer_rate"] * (1 - t["answer_rate"]) / len(q))
        assert abs(rate - t["answer_rate"]) < 4 * se, platform
        hours = (q["answered_at"] - q["timestamp"]).dt.total_seconds().dropna() / 3600
        # The sample median of a log-normal: log scale, standard error 1.2533 sigma / sqrt(n).
        se_log = 1.2533 * synth.RESPONSE_SIGMA / np.sqrt(len(hours))
        assert abs(np.log(hours.median() / t["median_response_hours"])) < 4 * se_log, platform
    assert m.loc[m["brand"] != synth.BRAND, "answered_at"].isna().all()


def test_crisis_makes_negative_brand_mentions_spike(sample):
    labels = sample.truth.sentiment_labels()
    m = sample.mentions.assign(label=labels.reindex(sample.mentions["post_id"]).to_numpy())
    neg = m[(m["brand"] == synth.BRAND) & (m["label"] == "negative")]
    per_day = neg.groupby(neg["timestamp"].dt.date).size()
    start = pd.Timestamp(sample.truth.crisis["start"]).date()
    end = pd.Timestamp(sample.truth.crisis["end"]).date()
    inside = per_day[(per_day.index >= start) & (per_day.index <= end)]
    outside = per_day[(per_day.index < start) | (per_day.index > end)]
    assert inside.mean() > 2.5 * outside.mean()
    assert inside.index.min() == start


def test_sentiment_labels_cover_every_mention(sample):
    labels = sample.truth.sentiment_labels()
    # one label per mention; the posts with known routes come after the others' ids, in time order
    assert sorted(labels.index) == sorted(sample.mentions["post_id"]) and labels.index.is_unique
    shares = labels.value_counts(normalize=True)
    assert set(shares.index) == {"positive", "neutral", "negative"} and shares.min() > 0.15
    assert set(sample.truth.non_english_post_ids) <= set(sample.mentions["post_id"])
    assert len(sample.truth.non_english_post_ids) > 100


def test_mentions_carry_the_messiness_of_real_posts(sample):
    text = sample.mentions["text"]
    for pattern in (r"@\w+", r"#\w+", r"https?://\S+\?", r"[\w.]+@example\.\w+", r"\+\d{1,2} \d",
                    "RT @", r"\bnot\b", "😡|😍|🔥"):  # fmt: skip
        assert text.str.contains(pattern, regex=True).mean() > 0.005, pattern
    assert 0.05 < text.duplicated().mean() < 0.3  # retweets, not a handful of templates


def test_truth_round_trips_through_json(sample, tmp_path):
    synth.write(sample, tmp_path)
    assert asdict(synth.load_truth(tmp_path)) == json.loads(json.dumps(asdict(sample.truth)))


def test_data_readme_states_the_sample_sizes():
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    for name, fmt in synth.FORMATS.items():
        path = SAMPLE / f"{name}.{fmt}"
        rows = len(pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path))
        assert f"| {name} | {rows:,} |" in readme, name
