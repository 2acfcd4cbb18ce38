"""Brand masking (issue 15, point 1): no brand's own name moves its score; and on the sample, the
competitor named after a word of the lexicon (truth.json's ``traps``) reads with the right sign
only once its name is masked."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import sentiment, synth
from socialreturns.inputs import InputError

TEXTS = [
    "{b} delivered late again",
    "just got my order from {b}",
    "@{h} where is my parcel?",
    "#{h} new store opening",
    "{b} customer service, day 3 on hold",
    "I ordered from {b} and {b} sent the wrong size",
]


def _texts(name: str) -> pd.Series:
    handle = re.sub(r"\W", "", name).lower()
    return pd.Series([t.format(b=name, h=handle) for t in TEXTS])


@pytest.mark.parametrize("word", ["Thanks", "Love", "Smile", "Bliss"])
def test_a_brand_named_after_a_positive_word_scores_as_a_made_up_one(word):
    made_up = "Zorblat"
    assert sentiment.score(pd.Series([made_up]))["compound"].iloc[0] == 0.0  # not in the lexicon
    plain_pos, plain_made_up = sentiment.score(_texts(word)), sentiment.score(_texts(made_up))
    assert (plain_pos["compound"] > plain_made_up["compound"]).sum() >= 4  # unmasked, the name is praise
    masked_pos = sentiment.score(sentiment.mask(_texts(word), sentiment.aliases([word, "Other"])))
    masked_made_up = sentiment.score(sentiment.mask(_texts(made_up), sentiment.aliases([made_up])))
    pd.testing.assert_series_equal(masked_pos["compound"], masked_made_up["compound"])
    assert masked_pos["compound"].equals(plain_made_up["compound"])  # the token scores as an unknown word


@pytest.mark.parametrize(
    ("brand", "text", "expected"),
    [
        ("Bliss", "@bliss thanks!", "brandx thanks!"),
        ("Bliss", "#Bliss #BlissLove @bliss_help", "brandx #BlissLove @bliss_help"),
        ("Bliss", "so blissful, thanks Bliss.", "so blissful, thanks brandx."),
        ("Bliss", "BLISS is down", "BRANDX is down"),
        ("Bliss", "Bliss's app", "brandx's app"),
        ("Blue Sky", "Blue  Sky, bluesky, blue-sky, @blue_sky and #BlueSky", "brandx, brandx, brandx, brandx and brandx"),
        ("Blue Sky", "a blue sky today", "a brandx today"),
        ("Ben & Jerry's", "Ben & Jerry's or @benjerrys?", "brandx or brandx?"),
        ("A.B. Co", "bought at A.B. Co. yesterday, #ABCo", "bought at brandx. yesterday, brandx"),
        ("A.B. Co", "a b co-op", "a b co-op"),
        ("Lumora", "Lumoras and Lumora", "Lumoras and brandx"),
        ("Lumora", "mail me at x@lumora.com", "mail me at x@lumora.com"),
    ],
)  # fmt: skip
def test_mask_by_hand(brand, text, expected):
    assert sentiment.mask(pd.Series([text]), sentiment.aliases([brand])).iloc[0] == expected


def test_longest_alias_wins_and_extra_aliases_are_masked():
    names = sentiment.aliases(["Blue Sky"], {"Blue Sky": ["Blue Sky Labs", "@bsky_help"], "Sonos": []})
    assert set(names) == {"Blue Sky", "Sonos"} and "@sonos" in names["Sonos"]
    out = sentiment.mask(pd.Series(["Blue Sky Labs via @bsky_help, not Sonos", None]), names)
    assert out.iloc[0] == "brandx via brandx, not brandx" and pd.isna(out.iloc[1])
    assert sentiment.brand_handles(names) >= {"@bsky_help", "@bluesky", "@sonos"}


def test_missing_texts_and_no_brands_pass_through():
    texts = pd.Series(["a", None, "b"], index=[5, 6, 7])
    out = sentiment.mask(texts, sentiment.aliases([None, ""]))
    assert out.index.tolist() == [5, 6, 7] and out.iloc[0] == "a" and pd.isna(out.iloc[1])


@pytest.mark.parametrize(
    ("extra", "key"),
    [([("Lumora", "x")], "brand_aliases"), ({"Lumora": "@lumora_help"}, "brand_aliases.Lumora"),
     ({"Lumora": ["ok", "--"]}, "brand_aliases.Lumora"), ({"": ["x"]}, "brand_aliases")],
)  # fmt: skip
def test_bad_aliases_name_the_key(extra, key):
    with pytest.raises(InputError, match=re.escape(key)):
        sentiment.aliases(["Lumora"], extra)


def test_parameters_check_brand_aliases():
    with pytest.raises(InputError, match="brand_aliases"):
        sentiment.Parameters(brand_aliases={"Lumora": "@lumora_help"}).check()


def test_mask_is_linear_in_the_length_of_a_post():
    names = sentiment.aliases([f"Brand {k}" for k in range(50)])
    long = pd.Series(["brand brand 1x " * 20_000 + "Brand 7"])
    assert sentiment.mask(long, names).iloc[0].endswith("brandx")


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The sample's mentions, their scores as written and their scores with every brand masked."""
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet")
    masked = sentiment.mask(mentions["text"], sentiment.aliases(mentions["brand"].unique()))
    return mentions, sentiment.score(mentions["text"]), sentiment.score(masked)


def test_masking_alone_fixes_the_sign_of_the_lexicon_word_competitor(scored):
    truth = synth.load_truth(SAMPLE)
    mentions, raw, masked = scored
    trap = truth.traps["lexicon_word_competitor"]
    assert trap in truth.competitors and sentiment.score(pd.Series([trap]))["compound"].iloc[0] > 0.5
    true = mentions["post_id"].map(truth.sentiment_labels())
    own = (mentions["brand"] == trap) & raw["english"]

    def net(labels: pd.Series) -> float:
        return float((labels[own] == "positive").mean() - (labels[own] == "negative").mean())

    assert net(true) < -0.4  # the category's least happy brand
    assert net(raw["label"]) > 0.4  # read as loved, as in the issue (+0.59 against -0.56)
    assert net(masked["label"]) < 0  # masking alone gets the sign right
    assert abs(net(masked["label"]) - net(true)) < abs(net(raw["label"]) - net(true)) - 0.5
    # the other brands' names are not lexicon words: masking moves them little
    for brand in {truth.brand, *truth.competitors} - {trap}:
        other = (mentions["brand"] == brand) & raw["english"]
        moved = (masked["label"][other] != raw["label"][other]).mean()
        assert moved < 0.05, brand


def test_the_sample_holds_each_trap_with_its_label(scored):
    truth = synth.load_truth(SAMPLE)
    mentions, _, masked = scored
    labels = truth.sentiment_labels()
    scores = masked.set_index(mentions["post_id"])
    for name in ("plain_complaint", "sarcasm", "mixed_language"):
        ids = truth.traps[name]
        assert len(ids) > 500, name
    # the labels are what the writers meant (3% of labels are flipped, as for every post)
    assert (labels[truth.traps["plain_complaint"]] == "negative").mean() > 0.95
    assert (labels[truth.traps["sarcasm"]] == "negative").mean() > 0.95
    # and they trip the lexicon: complaints read neutral, sarcasm positive
    assert (scores.loc[truth.traps["plain_complaint"], "label"] == "negative").mean() < 0.5
    assert (scores.loc[truth.traps["sarcasm"], "label"] == "positive").mean() > 0.5
    mixed = scores.loc[truth.traps["mixed_language"]]
    assert (mixed["language"] != "en").mean() > 0.1 and set(mixed.index).isdisjoint(
        truth.non_english_post_ids
    )
