"""Sentiment scoring: the same scores as vaderSentiment where we kept its rules, the deliberate
differences, language flags, accuracy against the sample's truth, and redaction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from conftest import SAMPLE
from socialreturns import sentiment, synth
from socialreturns.data import InputError

# The examples from vaderSentiment's README (Hutto & Gilbert), covering negation, boosters,
# capitals, punctuation, emoticons, emoji, slang and contrast.
VADER_EXAMPLES = [
    "VADER is smart, handsome, and funny.",
    "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "The book was good.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all",
    "Without a doubt, excellent idea.",
    "It was the shit, to die for, kind of great.",
    "no problem at all, I never so loved it",
    "",
]


@pytest.fixture(scope="module")
def upstream():
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def mentions() -> pd.DataFrame:
    return pd.read_parquet(SAMPLE / "mentions.parquet")


def test_scores_equal_vadersentiment_on_its_own_examples(upstream):
    ours = sentiment.score(VADER_EXAMPLES)
    for i, text in enumerate(VADER_EXAMPLES):
        expected = upstream.polarity_scores(text)
        got = ours.iloc[i][["neg", "neu", "pos", "compound"]].to_dict()
        assert got == pytest.approx(expected, abs=1e-12), text


def test_scores_equal_vadersentiment_on_the_sample(upstream, mentions):
    texts = mentions["text"].dropna().drop_duplicates().iloc[::7].tolist()  # every 7th unique text
    ours = sentiment.score(texts)
    theirs = np.array([upstream.polarity_scores(t)["compound"] for t in texts])
    np.testing.assert_array_equal(ours["compound"].to_numpy(), theirs)


def test_contrast_weights_every_word_by_its_side_of_but(upstream):
    # Upstream finds each score's position with list.index(value): when a word after "but" has
    # the value a word before it has after halving, upstream halves the earlier word twice and
    # leaves the later one unweighted. Here each word is weighted by its own position.
    lexicon = sentiment._vader_files()[0]
    by_value = {round(v, 3): w for w, v in sorted(lexicon.items()) if w.isalpha() and v > 0}
    v = next(v for v in sorted(by_value) if round(2 * v, 3) in by_value)
    before, after = by_value[round(2 * v, 3)], by_value[v]
    text = f"{before} but {after}"
    valences = sentiment._Scorer.build().valences(text.split())
    assert valences == pytest.approx([0.5 * 2 * v, 0.0, 1.5 * v])
    assert sentiment.score([text])["compound"].iloc[0] > upstream.polarity_scores(text)["compound"]


def test_long_texts_are_the_mean_of_their_sentences():
    sentences = ["The lamp is great!", "Delivery was slow and the box was damaged.", "Support fixed it fast."]
    long_text = " ".join(sentences * 200)
    whole = sentiment.score([long_text])
    parts = sentiment.score(sentences)
    for column in ("neg", "neu", "pos", "compound"):
        assert whole[column].iloc[0] == pytest.approx(parts[column].mean(), abs=1e-12)
    short = sentiment.score([" ".join(sentences)])  # under long_text_chars: scored whole, like VADER
    assert (
        short["compound"].iloc[0]
        == SentimentIntensityAnalyzer().polarity_scores(" ".join(sentences))["compound"]
    )


def test_overrides_take_effect_for_words_and_phrases():
    text = "Just got the Killer earbuds, they are great"
    plain = sentiment.score([text])["compound"].iloc[0]
    overridden = sentiment.score([text], overrides={"killer": 0.0})["compound"].iloc[0]
    assert overridden > plain
    phrase = sentiment.score(["the battery life is a game changer"], overrides={"game changer": 3.0})
    assert phrase["label"].iloc[0] == "positive"
    with pytest.raises(InputError, match="'killer'.*-4"):
        sentiment.score([text], overrides={"killer": 9})


def test_duplicates_score_once_and_processes_agree(mentions):
    texts = mentions["text"].iloc[:3000]
    one = sentiment.score(texts)
    two = sentiment.score(texts, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    assert one.index.equals(texts.index)
    dupes = texts[texts.duplicated(keep=False)]
    assert len(dupes) > 100  # retweets
    assert (one.loc[dupes.index].groupby(dupes)["compound"].nunique() == 1).all()


def test_missing_and_empty_texts_score_zero():
    out = sentiment.score(pd.Series(["", None, "great"], index=[10, 11, 12]))
    assert out.loc[[10, 11], "compound"].tolist() == [0.0, 0.0] and out.loc[12, "compound"] > 0
    assert sentiment.score([]).empty


def test_non_english_texts_are_flagged_not_scored_as_english(mentions):
    truth = synth.load_truth(SAMPLE)
    scored = sentiment.score(mentions.set_index("post_id")["text"])
    flagged = ~scored["english"]
    true_foreign = scored.index.isin(truth.non_english_post_ids)
    recall = (flagged & true_foreign).sum() / true_foreign.sum()
    precision = (flagged & true_foreign).sum() / flagged.sum()
    assert recall > 0.8 and precision > 0.95, (recall, precision)
    cases = {
        "Le service client est vraiment nul, je suis très déçu": "fr",
        "Das ist die beste Lampe, die ich je hatte": "de",
        "¿Alguien sabe si la garantía cubre la batería?": "es",
        "O produto chegou quebrado e ninguém responde": "pt",
        "The delivery was late but the product is fine": "en",
    }
    for text, language in cases.items():
        assert sentiment.detect_language(text) == language, text


def test_accuracy_against_the_sample_truth(mentions):
    truth = synth.load_truth(SAMPLE).sentiment_labels()
    scored = sentiment.score(mentions.set_index("post_id")["text"])
    english = scored["english"]
    predicted = scored.loc[english, "label"]
    actual = truth.reindex(predicted.index)
    accuracy = (predicted == actual).mean()
    assert accuracy > 0.7, accuracy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to anna.b+shop@mail.example.co.uk today", "write to [email] today"),
        ("call +44 20 7946 0958 now", "call [phone] now"),
        ("call +1-202-555-0143.", "call [phone]."),
        ("ring 0049 30 1234567 please", "ring [phone] please"),
        ("mobile (555) 123-4567", "mobile [phone]"),
        ("tel 06 12 34 56 78", "tel [phone]"),
        (
            "see https://shop.example.com/p?utm_source=x&id=5 ok",
            "see https://shop.example.com/p?[redacted] ok",
        ),
        ("see https://example.com/about", "see https://example.com/about"),
        ("ordered 2025-03-01, 3 items, 10/10 would buy", "ordered 2025-03-01, 3 items, 10/10 would buy"),
        ("order #12345 arrived in 2024", "order #12345 arrived in 2024"),
    ],
)
def test_redact(text, expected):
    assert sentiment.redact(text) == expected


def test_redact_handles_only_when_asked():
    assert sentiment.redact("thanks @LumoraCare!") == "thanks @LumoraCare!"
    assert sentiment.redact("thanks @LumoraCare!", handles=True) == "thanks @[user]!"
    assert sentiment.redact("mail me at jo@example.com", handles=True) == "mail me at [email]"


def test_share_of_voice_by_hand():
    mentions = pd.DataFrame({
        "timestamp": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-21", "2025-02-02"], utc=True),
        "brand": ["Us", "Us", "Them", "Them"], "reach": [100, 300, 600, 50],
    })  # fmt: skip
    scores = sentiment.score(["love it", "awful", "ok then", "Das ist nicht gut und sehr teuer"])
    out = sentiment.share_of_voice(mentions, scores).set_index(["period", "brand"])
    jan = pd.Timestamp("2025-01-01")
    assert out.loc[(jan, "Us"), "share_of_voice"] == pytest.approx(2 / 3)
    assert out.loc[(jan, "Us"), "reach_share_of_voice"] == pytest.approx(0.4)
    assert out.loc[(jan, "Us"), "net_sentiment"] == 0.0 and out.loc[(jan, "Them"), "rank"] == 1
    assert np.isnan(out.loc[(pd.Timestamp("2025-02-01"), "Them"), "net_sentiment"])  # only a German text


def test_response_gap_recovers_the_sample_truth(mentions):
    truth = synth.load_truth(SAMPLE)
    gap = sentiment.response_gap(mentions, brand=truth.brand, sla_hours=24, freq="Y")
    by_platform = gap.groupby("platform")[["questions", "answered"]].sum()
    for platform, t in truth.response.items():
        n, answered = by_platform.loc[platform]
        share = answered / n
        assert abs(share - t["answer_rate"]) < 4 * np.sqrt(t["answer_rate"] * (1 - t["answer_rate"]) / n), (
            platform
        )
    for row in gap.itertuples():
        t = truth.response[row.platform]
        # log-normal with sigma 1: the median's standard error is about 1.25 * median / sqrt(n)
        tolerance = 4 * 1.25 / np.sqrt(row.answered)
        assert row.median_response_hours == pytest.approx(t["median_response_hours"], rel=tolerance), row
        assert 0 <= row.within_sla_share <= row.answered_share <= 1
