"""Question detection: precision and recall on the sample's truth and on a hand-labelled set of
real-shaped posts (tests/fixtures/questions/labelled_posts.csv, written for this test: care
questions, help requests and problem reports to three invented brands, and posts that only
mention them), and small cases by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE
from socialreturns.inputs import InputError
from socialreturns.sources.questions import detect_questions

LABELLED = ROOT / "tests" / "fixtures" / "questions" / "labelled_posts.csv"
SAMPLE_HANDLES = ["@lumora", "@brightwell", "@kestrel_audio", "@bliss"]  # synth.templates' handles


def _precision_recall(found: pd.Series, truth: pd.Series) -> tuple[float, float]:
    hits = int((found & truth).sum())
    return hits / int(found.sum()), hits / int(truth.sum())


def test_precision_and_recall_on_the_sample_truth():
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet", columns=["text", "is_question"])
    found = detect_questions(mentions["text"], handles=SAMPLE_HANDLES)["is_question"]
    precision, recall = _precision_recall(found, mentions["is_question"].astype(bool))
    # measured: 0.957 and 0.843 (the generator's "when does the firmware update come out?" is an
    # impersonal question the detector leaves out)
    assert precision >= 0.85 and recall >= 0.80


def test_precision_and_recall_on_the_hand_labelled_posts():
    posts = pd.read_csv(LABELLED)
    assert len(posts) >= 140 and posts["is_question"].isin([0, 1]).all()
    found = detect_questions(posts["text"], handles=["@acmehome", "@zephyr_air", "@brewly"])["is_question"]
    precision, recall = _precision_recall(found, posts["is_question"].astype(bool))
    assert precision >= 0.85 and recall >= 0.80  # measured: 0.958 and 0.908


@pytest.mark.parametrize(("text", "reply", "expected"), [
    ("@lumora how do I reset my Glow?", False, "question"),
    ("@LUMORA where's my order", False, "question"),  # no question mark: the phrase asks
    ("Hey @lumora, my lamp won't turn on", False, "problem_reported"),  # to the brand, first person
    ("Worst service ever, @lumora still hasn't fixed my lamp", False, ""),  # vented, mid-sentence
    ("@lumora please help", False, "help_request"),
    ("thanks @lumora, no help needed, all sorted", False, ""),  # guards
    ("my lamp https://x.example/p?id=3 @lumora love it", False, ""),  # a URL's "?" asks nothing
    ("what is the warranty on the Lumora Glow?", False, ""),  # not addressed
    ("is my warranty still valid?", True, "question"),  # a reply to the brand in its thread
    ("@brightwell how do I pair my buds?", False, ""),  # another brand's handle than those given
    (None, False, ""),
])  # fmt: skip
def test_cases_by_hand(text, reply, expected):
    got = detect_questions([text], handles=["lumora"], replies_to_brand=[reply]).iloc[0]
    assert (got["is_question"], got["question_reason"]) == (expected != "", expected)


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match="is not a list of handles") as err:
        detect_questions(["hi"], handles="@lumora")
    assert err.value.key == "handles"
    with pytest.raises(InputError, match="has 2 values for 1 texts"):
        detect_questions(["hi"], handles=["@lumora"], replies_to_brand=[True, False])


def test_describe_flags_counts_each_kind():
    from socialreturns.sources.questions import describe_flags

    frame = pd.DataFrame({"question_flag": ["export", "detected", "detected", None]})
    assert describe_flags(frame) == (
        "Questions: flagged by the export for 1 mention(s), detected from the text for 2 (socialreturns."
        "sources.questions; data/IMPORT.md gives its precision and recall), as given in the mentions table for 1."
    )
    assert describe_flags(frame.iloc[1:3]) == (
        "Questions: detected from the text for 2 mention(s) (socialreturns.sources.questions; data/IMPORT.md "
        "gives its precision and recall)."
    )
    assert describe_flags(frame.drop(columns="question_flag")) == "Questions: as given in the mentions table."
