"""Share of voice and listening: `select` the mentions to analyse, each brand's share of voice
(`brand_shares` over all mentions, `share_of_voice` per period with net sentiment; mention share
and reach share, each named so), the brand's `response_gap` to its customers' questions, and how
askers feel before and after (`followup_sentiment`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from socialreturns.data import require_brand, require_columns
from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md


def select(
    mentions: pd.DataFrame, *, brands: Sequence[str], start: str | None = None, end: str | None = None
) -> pd.DataFrame:
    """The mentions of ``brands`` from ``start`` to ``end`` (ISO dates, inclusive, UTC; empty or
    None for no bound)."""
    require_columns(mentions, ("timestamp", "brand"), "mentions")
    for brand in brands:
        require_brand(mentions, brand)
    stamps = pd.to_datetime(mentions["timestamp"], utc=True)
    keep = mentions["brand"].isin(list(brands))
    if start:
        keep &= stamps >= pd.Timestamp(start, tz="UTC")
    if end:
        keep &= stamps < pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)
    return mentions[keep]


def _periods(stamps: pd.Series, freq: str | None) -> pd.Series:
    """Period start of each (UTC) timestamp; ``freq`` None puts all in one period."""
    naive = pd.to_datetime(stamps, utc=True).dt.tz_localize(None)
    if freq is None:
        first = naive.min()
        return pd.Series(first.normalize() if pd.notna(first) else pd.NaT, index=stamps.index)
    if freq not in ("W", "M", "Y"):
        raise InputError(f"is {freq!r}", key="freq", expected="'W' (weeks), 'M' (months), 'Y' or None")
    return naive.dt.to_period(freq).dt.start_time


def describe_selection(mentions: pd.DataFrame, brands: Sequence[str]) -> str:
    """One Markdown line: how many mentions of which brands, from which day to which (UTC)."""
    names = ", ".join(md(b) for b in brands)
    return (f"{len(mentions):,} mentions of {names} from {mentions['timestamp'].min():%Y-%m-%d} "
            f"to {mentions['timestamp'].max():%Y-%m-%d}.")  # fmt: skip


def _add_shares(out: pd.DataFrame) -> pd.DataFrame:
    """Each brand's mention and reach share of voice within its period, and its rank (1 = most
    reach; by mentions where the period has no reach figures), in place."""
    per_period = out.groupby("period")
    out["mention_share_of_voice"] = out["mentions"] / per_period["mentions"].transform("sum")
    total_reach = per_period["reach"].transform("sum")
    out["reach_share_of_voice"] = out["reach"] / total_reach.where(total_reach > 0)
    rank_by = out["reach_share_of_voice"].fillna(out["mention_share_of_voice"])
    out["rank"] = rank_by.groupby(out["period"]).rank(ascending=False, method="min").astype(int)
    return out


def brand_shares(mentions: pd.DataFrame) -> pd.DataFrame:
    """Share of voice over the whole of ``mentions``, the one definition every report uses.

    Returns
    -------
    One row per brand, most reach first: ``brand``, ``mentions``, ``reach``,
    ``mention_share_of_voice`` (the brand's share of the mentions), ``reach_share_of_voice``
    (its share of the people the mentions reached; missing when no mention has a reach figure)
    and ``rank`` (1 = most reach, or most mentions without reach figures).

    >>> m = pd.DataFrame({"brand": ["Us", "Us", "Them"], "reach": [10, 30, 60]})
    >>> brand_shares(m)[["brand", "mention_share_of_voice", "reach_share_of_voice"]]
      brand  mention_share_of_voice  reach_share_of_voice
    0  Them                0.333333                   0.6
    1    Us                0.666667                   0.4
    """
    require_columns(mentions, ("brand", "reach"), "mentions")
    frame = pd.DataFrame({"period": 0, "brand": mentions["brand"].astype(str),
                          "reach": mentions["reach"].astype(float)})  # fmt: skip
    out = frame.groupby(["period", "brand"], as_index=False).agg(
        mentions=("reach", "size"), reach=("reach", "sum")
    )
    out = _add_shares(out).drop(columns="period")
    return out.sort_values(["rank", "brand"], ignore_index=True)


def share_of_voice(mentions: pd.DataFrame, scores: pd.DataFrame, *, freq: str | None = "M") -> pd.DataFrame:
    """Mentions, share of voice (of mentions and of reach) and net sentiment per brand and period.

    Parameters
    ----------
    mentions
        With ``timestamp``, ``brand`` and ``reach``.
    scores
        `score`'s result for the same rows (same index); non-English rows are left out of the
        net sentiment but counted in the volume.
    freq
        ``"W"`` (weeks starting Monday), ``"M"`` (calendar months), ``"Y"`` or None (one period).

    Returns
    -------
    One row per period and brand: ``period`` (start date), ``brand``, ``mentions``, ``reach``,
    ``mention_share_of_voice`` (the brand's share of the period's mentions),
    ``reach_share_of_voice`` (share of reach; missing in a period without reach figures), ``rank``
    (1 = most reach, or most mentions without reach figures), ``net_sentiment`` (positive minus
    negative share of the scored mentions; missing without any) and ``partial`` (the data cover
    only part of the period). Over one period the shares are `brand_shares`'.
    """
    require_columns(mentions, ("timestamp", "brand", "reach"), "mentions")
    english = scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    lab = scores["label"].reindex(mentions.index)
    frame = pd.DataFrame({
        "period": _periods(mentions["timestamp"], freq),
        "brand": mentions["brand"].astype(str),
        "reach": mentions["reach"].astype(float),
        "scored": english.astype(int),
        "positive": (english & (lab == "positive")).astype(int),
        "negative": (english & (lab == "negative")).astype(int),
    })  # fmt: skip
    out = frame.groupby(["period", "brand"], as_index=False).agg(
        mentions=("reach", "size"), reach=("reach", "sum"), scored=("scored", "sum"),
        positive=("positive", "sum"), negative=("negative", "sum"),
    )  # fmt: skip
    out = _add_shares(out)
    out["net_sentiment"] = (out["positive"] - out["negative"]) / out["scored"].where(out["scored"] > 0)
    stamps = pd.to_datetime(mentions["timestamp"], utc=True).dt.tz_localize(None)
    first, last = stamps.min().normalize(), stamps.max().normalize() + pd.Timedelta(days=1)
    if freq is None:
        out["partial"] = False
    else:
        out["partial"] = (out["period"] < first) | (out["period"].dt.to_period(freq).dt.end_time >= last)
    return out.drop(columns=["scored", "positive", "negative"])


def response_gap(
    mentions: pd.DataFrame,
    *,
    brand: str,
    sla_hours: float = 24.0,
    freq: str | None = "M",
    by_platform: bool = True,
) -> pd.DataFrame:
    """How often and how fast the brand answers its customers' questions, per platform and period.

    Parameters
    ----------
    freq
        ``"W"``, ``"M"``, ``"Y"`` or None (the whole span in one period).
    by_platform
        False pools the platforms (``platform`` is then ``"all"``).

    Returns
    -------
    One row per ``platform`` and ``period`` (start date) with ``questions``, ``answered``,
    ``answered_share``, ``median_response_hours``, ``p90_response_hours`` (of answered
    questions) and ``within_sla_share`` (answered within ``sla_hours``, of all questions). No
    rows without questions, except pooled over one period (``freq=None, by_platform=False``):
    then one row with 0 questions and missing shares.
    """
    if not isinstance(sla_hours, int | float) or sla_hours <= 0:
        raise InputError(f"is {sla_hours!r}", key="sla_hours", expected="a positive number of hours")
    require_columns(mentions, ("timestamp", "brand", "platform", "is_question", "answered_at"), "mentions")
    require_brand(mentions, brand)
    questions = mentions[(mentions["brand"] == brand) & mentions["is_question"].astype(bool)]
    asked = pd.to_datetime(questions["timestamp"], utc=True)
    hours = (pd.to_datetime(questions["answered_at"], utc=True) - asked).dt.total_seconds() / 3600
    frame = pd.DataFrame({
        "platform": questions["platform"].astype(str) if by_platform else "all",
        "period": _periods(questions["timestamp"], freq),
        "hours": hours,
        "within": (hours <= sla_hours).astype(int),
    })  # fmt: skip
    out = frame.groupby(["platform", "period"], as_index=False).agg(
        questions=("within", "size"), answered=("hours", "count"),
        median_response_hours=("hours", "median"), p90_response_hours=("hours", lambda h: h.quantile(0.9)),
        within_sla=("within", "sum"),
    )  # fmt: skip
    if out.empty and freq is None and not by_platform:  # no question at all: one row saying so
        out = pd.DataFrame({"platform": ["all"], "period": [pd.NaT], "questions": [0], "answered": [0],
                            "median_response_hours": [float("nan")], "p90_response_hours": [float("nan")],
                            "within_sla": [0]})  # fmt: skip
    asked = out["questions"].where(out["questions"] > 0)
    out.insert(4, "answered_share", out["answered"] / asked)
    out["within_sla_share"] = out.pop("within_sla") / asked
    return out


def followup_sentiment(
    mentions: pd.DataFrame, scores: pd.DataFrame, *, brand: str, within_days: float = 14.0
) -> pd.DataFrame:
    """How askers feel after their question, and how they felt before it.

    For every question to ``brand``, the same author's next mention of the brand within
    ``within_days`` after the question (on any platform) is its follow-up, and the author's
    previous mention of the brand within ``within_days`` before it its precursor; non-English
    mentions are left out of both. Comparing answered and unanswered askers before their question
    shows whether they differed already: the follow-ups' difference is an association, not the
    effect of answering (the brand may answer the easier questions, or the calmer askers).

    Returns
    -------
    Two rows, ``answered`` True and False: ``questions``, ``followed_up`` (questions with a
    follow-up), ``positive_share``, ``negative_share`` (of the follow-ups), ``net_sentiment``
    (positive minus negative share of the follow-ups), ``preceded`` (questions with a precursor)
    and ``net_sentiment_before`` (of the precursors).
    """
    require_columns(mentions, ("timestamp", "brand", "author_id", "is_question", "answered_at"), "mentions")
    require_brand(mentions, brand)
    if within_days <= 0:
        raise InputError(f"is {within_days!r}", key="within_days", expected="a positive number of days")
    own = mentions[mentions["brand"] == brand]
    frame = pd.DataFrame({
        "author": own["author_id"].astype(str),
        "time": pd.to_datetime(own["timestamp"], utc=True),
        "question": own["is_question"].astype(bool),
        "answered": own["answered_at"].notna(),
        "label": scores["label"].reindex(own.index),
        "english": scores["english"].reindex(own.index).fillna(False).astype(bool),
    }).sort_values(["author", "time"], kind="stable")  # fmt: skip
    window = pd.Timedelta(days=within_days)
    columns = {}
    for side, step in (("after", -1), ("before", 1)):  # the next mention, then the previous one
        near = frame["author"].eq(frame["author"].shift(step)) & (
            (frame["time"] - frame["time"].shift(step)).abs() <= window
        )
        near &= frame["english"].shift(step, fill_value=False)
        columns[f"{side}"] = near
        columns[f"{side}_positive"] = near & frame["label"].shift(step).eq("positive")
        columns[f"{side}_negative"] = near & frame["label"].shift(step).eq("negative")
    questions = frame.assign(**columns)[frame["question"]]
    out = questions.groupby("answered").agg(
        questions=("after", "size"), followed_up=("after", "sum"), positive=("after_positive", "sum"),
        negative=("after_negative", "sum"), preceded=("before", "sum"),
        positive_before=("before_positive", "sum"), negative_before=("before_negative", "sum"),
    ).reindex([True, False], fill_value=0)  # fmt: skip
    n = out["followed_up"].where(out["followed_up"] > 0)
    out["positive_share"] = out.pop("positive") / n
    out["negative_share"] = out.pop("negative") / n
    out["net_sentiment"] = out["positive_share"] - out["negative_share"]
    before = out["preceded"].where(out["preceded"] > 0)
    out["net_sentiment_before"] = (out.pop("positive_before") - out.pop("negative_before")) / before
    out = out[["questions", "followed_up", "positive_share", "negative_share", "net_sentiment", "preceded",
               "net_sentiment_before"]]  # fmt: skip
    return out.rename_axis("answered").reset_index()
