"""Care and PR now: the open care queue, answering this period against the last, the crisis status.

Every expected value is worked out by hand from the few rows written here (the comments show the
arithmetic), so a change of definition shows as a failure, not as a new number.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from socialreturns import organisation
from socialreturns.inputs import InputError

T = "2025-01-0{}T{}:00:00Z"
COLUMNS = ["post_id", "timestamp", "platform", "brand", "customer_id", "text", "is_question", "answered_at"]


def _mentions(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("timestamp", "answered_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@pytest.fixture
def inbox() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seven mentions and a hand-made routing: the queue as of 2025-01-02 00:00 is A7, A2, A3."""
    mentions = _mentions([
        ("A1", T.format(1, "00"), "twitter", "Lumora", None, "@lumora is the glow dimmable?", True, T.format(1, 10)),
        ("A2", T.format(1, "06"), "reddit", "Lumora", None, "@lumora when do you ship?", True, T.format(3, "00")),
        ("A3", T.format(1, 20), "tiktok", "Lumora", None,
         "@lumora my lamp won't pair, can you help? mail jo@example.com cc @sam_r", False, None),
        ("A4", T.format(1, "03"), "twitter", "Kestrel", None, "@kestrel where is my order?", True, None),
        ("A5", T.format(3, "00"), "twitter", "Lumora", None, "@lumora any news?", True, None),
        ("A6", T.format(1, "01"), "instagram", "Lumora", None, "love it", False, None),
        ("A7", "2024-12-31T00:00:00Z", "facebook", "Lumora", "C1", "@lumora refund please", True, None),
    ])  # fmt: skip
    routed = pd.DataFrame({
        "post_id": mentions["post_id"],
        "care": [False, True, True, True, True, False, False],
        "care_reason": ["", "care/question: 'when do'", "care/question: 'can you'", "care/question: 'where is'",
                        "care/question: 'any news'", "", ""],
    })  # fmt: skip
    return mentions, routed


def test_care_queue_is_the_open_posts_oldest_first(inbox):
    mentions, routed = inbox
    queue = organisation.care_queue(
        mentions, routed, brand="Lumora", as_of="2025-01-02T00:00:00Z", sla_hours=12
    )
    # A1 answered at 10:00 on the 1st (before as_of): closed; A2 answered on the 3rd (after): open;
    # A4 is Kestrel's; A5 is posted after as_of; A6 is not care; A7 is flagged is_question only.
    assert queue["post_id"].tolist() == ["A7", "A2", "A3"]
    assert queue["age_hours"].tolist() == pytest.approx([48.0, 18.0, 4.0])  # 2024-12-31, 01-01 06:00, 20:00
    # above 12 hours; A3 is routed by its words with no answer record: its SLA state is unknown
    assert queue["sla_breached"].isna().tolist() == [False, False, True]
    assert queue["sla_breached"].iloc[:2].tolist() == [True, True]
    assert queue["customer_id"].tolist() == ["C1", "", ""]
    assert queue["platform"].tolist() == ["facebook", "reddit", "tiktok"]
    assert queue.at[2, "text"] == "@lumora my lamp won't pair, can you help? mail [email] cc @[user]"
    assert queue["reason"].tolist() == [organisation.teams.IS_QUESTION_REASON, "care/question: 'when do'",
                                        "care/question: 'can you'"]  # fmt: skip
    assert queue.at[0, "posted"] == pd.Timestamp("2024-12-31", tz="UTC")
    assert list(queue.columns) == organisation.teams.QUEUE_COLUMNS


def test_care_queue_moves_with_as_of(inbox):
    mentions, routed = inbox
    # As of the 1st at 08:00: A1 is still unanswered (answered at 10:00), A3 not yet posted.
    early = organisation.care_queue(mentions, routed, brand="Lumora", as_of="2025-01-01T08:00:00")
    assert early["post_id"].tolist() == ["A7", "A1", "A2"]
    assert early["age_hours"].tolist() == pytest.approx([32.0, 8.0, 2.0])
    assert early["sla_breached"].tolist() == [
        True,
        False,
        False,
    ]  # the default 24 hours (A1, A2 answered later)
    # By default as of the data's last timestamp (the 3rd at 00:00): A2 was answered then, A5 posted.
    last = organisation.care_queue(mentions, routed, brand="Lumora")
    assert last["post_id"].tolist() == ["A7", "A3", "A5"]
    assert last["age_hours"].tolist() == pytest.approx([72.0, 28.0, 0.0])


def test_care_queue_on_route_keeps_the_brands_handles(inbox):
    mentions, _ = inbox
    routed = organisation.route(mentions, brands=["Lumora", "Kestrel"])
    queue = organisation.care_queue(mentions, routed, brand="Lumora", as_of="2025-01-02T00:00:00Z")
    assert {"A2", "A3", "A7"} <= set(queue["post_id"]) and not {"A1", "A4", "A5"} & set(queue["post_id"])
    assert all(r.startswith("care/") for r in queue["reason"])
    assert "@lumora" in queue.set_index("post_id").at["A3", "text"]
    assert "@sam_r" not in " ".join(queue["text"]) and "jo@example.com" not in " ".join(queue["text"])


def test_care_queue_refuses_bad_input(inbox):
    mentions, routed = inbox
    with pytest.raises(InputError, match="routed"):
        organisation.care_queue(mentions, routed.iloc[::-1], brand="Lumora")
    with pytest.raises(InputError, match="as_of"):
        organisation.care_queue(mentions, routed, brand="Lumora", as_of="last tuesday")
    with pytest.raises(InputError, match="sla_hours"):
        organisation.care_queue(mentions, routed, brand="Lumora", sla_hours=0)
    with pytest.raises(InputError, match="care_reason"):
        organisation.care_queue(mentions, routed.drop(columns="care_reason"), brand="Lumora")


def _questions(rows: list[tuple[str, str, str | None]], brand: str = "Lumora") -> list[tuple]:
    return [(f"{brand[0]}{k}", asked, "twitter", brand, None, "?", True, answered)
            for k, (asked, answered) in enumerate(rows)]  # fmt: skip


def test_care_summary_this_period_against_the_previous():
    mentions = _mentions([
        # this period, (2025-02-19, 2025-03-01]: answered in 2 h and 30 h, one answered after as_of, one never
        *_questions([("2025-02-20T00:00Z", "2025-02-20T02:00Z"), ("2025-02-25T00:00Z", "2025-02-26T06:00Z"),
                     ("2025-02-28T00:00Z", "2025-03-02T00:00Z"), ("2025-02-28T12:00Z", None),
                     # previous, (2025-02-09, 2025-02-19]: 4 h, 8 h, 72 h (asked on the boundary: previous)
                     ("2025-02-10T00:00Z", "2025-02-10T04:00Z"), ("2025-02-15T00:00Z", "2025-02-15T08:00Z"),
                     ("2025-02-19T00:00Z", "2025-02-22T00:00Z"),
                     ("2025-02-09T00:00Z", None)]),  # on the previous period's open start: in neither
        *_questions([("2025-02-20T00:00Z", None)], brand="Kestrel"),
        ("X1", "2025-02-21T00:00Z", "twitter", "Lumora", None, "nice", False, None),
    ])  # fmt: skip
    summary = organisation.care_summary(mentions, brand="Lumora", as_of="2025-03-01T00:00:00Z", sla_hours=24,
                                        period_days=10).set_index("period")  # fmt: skip
    this, previous = summary.loc["this"], summary.loc["previous"]
    assert (this["questions"], this["answered"]) == (4, 2)
    assert this["answered_share"] == pytest.approx(0.5)
    assert this["median_response_hours"] == pytest.approx(16.0)  # (2 + 30) / 2
    assert this["within_sla_share"] == pytest.approx(0.25)  # only the 2-hour answer, of 4
    assert (previous["questions"], previous["answered"]) == (3, 3)
    assert previous["answered_share"] == pytest.approx(1.0)
    assert previous["median_response_hours"] == pytest.approx(8.0)
    assert previous["within_sla_share"] == pytest.approx(2 / 3)
    assert this["start"] == pd.Timestamp("2025-02-19", tz="UTC") == previous["end"]
    assert list(summary.index) == ["this", "previous"]


def test_care_summary_without_questions_in_the_previous_period():
    mentions = _mentions(_questions([("2025-02-20T00:00Z", "2025-02-20T05:00Z")]))
    summary = organisation.care_summary(mentions, brand="Lumora", period_days=7).set_index("period")
    # as of the data's last timestamp, the question's own: asked at as_of, answered after it
    assert summary.at["this", "questions"] == 1 and summary.at["this", "answered"] == 0
    assert summary.at["previous", "questions"] == 0 and math.isnan(summary.at["previous", "answered_share"])
    with pytest.raises(InputError, match="period_days"):
        organisation.care_summary(mentions, brand="Lumora", period_days=-1)
    with pytest.raises(InputError, match="Bliss"):
        organisation.care_summary(mentions, brand="Bliss")


EPISODES = pd.DataFrame({
    "start": pd.to_datetime(["2025-03-02", "2025-09-16"]), "end": pd.to_datetime(["2025-03-05", "2025-09-27"]),
    "periods": [4, 12], "peak": pd.to_datetime(["2025-03-03", "2025-09-20"]), "score": [5.0, 9.0],
    "negative_mentions": [90, 271], "excess_negative_mentions": [40.2, 176.4],
})  # fmt: skip
WORDS = pd.DataFrame({"episode": [1, 1, 0], "start": pd.to_datetime(["2025-09-16", "2025-09-16", "2025-03-02"]),
                      "word": ["recall", "battery_fire", "strike"]})  # fmt: skip


def test_crisis_status_live():
    status = organisation.crisis_status(EPISODES, as_of="2025-09-27T12:00:00Z", words=WORDS)
    assert status.live and status.episode["negative_mentions"] == 271
    assert status.sentence == (
        r"Live since 2025-09-16: 271 negative mentions, 176 above the expected level; words: recall, battery\_fire."
    )
    assert status.to_frame().at[0, "start"] == pd.Timestamp("2025-09-16")


def test_crisis_status_recent_and_quiet():
    recent = organisation.crisis_status(EPISODES, as_of="2025-10-01T00:00:00Z")
    # the last period, 2025-09-27, ended at 2025-09-28 00:00: 3 days before
    assert not recent.live and recent.episode["start"] == pd.Timestamp("2025-09-16")
    assert recent.sentence == ("No live crisis episode; the last ended 2025-09-27, 3 days ago: 271 negative "
                               "mentions, 176 above the expected level.")  # fmt: skip
    quiet = organisation.crisis_status(EPISODES, as_of="2025-10-20T00:00:00Z", quiet_days=14)
    assert (
        not quiet.live
        and quiet.sentence == "No crisis episode in the last 14 days (the last ended 2025-09-27)."
    )
    # as of June, the September episode has not started: the March one is the last
    june = organisation.crisis_status(EPISODES, as_of="2025-06-01", words=WORDS)
    assert june.sentence == "No crisis episode in the last 14 days (the last ended 2025-03-05)."


def test_crisis_status_none_ever():
    for episodes, as_of in ((EPISODES.iloc[:0], "2025-10-01"), (EPISODES, "2025-01-01")):
        status = organisation.crisis_status(episodes, as_of=as_of, quiet_days=7)
        assert (status.live, status.episode) == (False, None)
        assert status.sentence == "No crisis episode in the last 7 days (none in the data)."
    with pytest.raises(InputError, match="excess_negative_mentions"):
        organisation.crisis_status(EPISODES.drop(columns="excess_negative_mentions"), as_of="2025-10-01")
    with pytest.raises(InputError, match="quiet_days"):
        organisation.crisis_status(EPISODES, as_of="2025-10-01", quiet_days=0)
