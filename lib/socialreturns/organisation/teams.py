"""What care and PR act on now: the open care queue (`care_queue`), answering this period against
the last (`care_summary`) and the crisis status at the as-of date (`crisis_status`).

Every figure is "as of" a UTC timestamp: an answer given after it does not count yet, so a run on
an old as-of date shows the queue as it stood then. Answer rates and times are
`socialreturns.sentiment.response_gap`'s, so this report and the sentiment report agree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns.data import as_utc, require_brand, require_columns
from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.sentiment import aliases, brand_handles, redact, response_gap

IS_QUESTION_REASON = "care/is_question: flagged by the export"
QUEUE_COLUMNS = [
    "post_id",
    "platform",
    "posted",
    "age_hours",
    "sla_breached",
    "customer_id",
    "text",
    "reason",
]


def _as_of(mentions: pd.DataFrame, as_of: pd.Timestamp | str | None) -> pd.Timestamp:
    """``as_of`` as a UTC timestamp (naive taken as UTC); None is the data's last ``timestamp``."""
    if as_of is None:
        last = as_utc(mentions["timestamp"], column="timestamp").max()
        if pd.isna(last):
            raise InputError("mentions has no timestamp to take as the as-of date", column="timestamp",
                             expected="at least one mention, or an explicit as_of")  # fmt: skip
        return last
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError) as error:
        raise InputError(f"is {as_of!r}", key="as_of", values=[as_of],
                         expected="a UTC timestamp or ISO 8601 text, e.g. '2026-10-31T23:59:59Z'") from error  # fmt: skip
    if pd.isna(stamp):
        raise InputError("is missing", key="as_of", expected="a UTC timestamp or ISO 8601 text")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _check_hours(key: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InputError(f"is {value!r}", key=key, expected="a positive number")


def care_queue(
    mentions: pd.DataFrame,
    routed: pd.DataFrame,
    *,
    brand: str,
    as_of: pd.Timestamp | str | None = None,
    sla_hours: float = 24.0,
    keep_handles: Collection[str] | None = None,
) -> pd.DataFrame:
    """The brand's open care queue as of ``as_of``: what care should answer now, oldest first.

    A mention is open when it is of ``brand``, routed ``care`` (or flagged ``is_question`` by the
    export), posted at or before ``as_of``, and has no ``answered_at`` at or before ``as_of``
    (an answer given later leaves it open as of then).

    Parameters
    ----------
    mentions
        The mentions table (``post_id``, ``timestamp``, ``platform``, ``brand``, ``text``;
        ``customer_id``, ``is_question`` and ``answered_at`` when present).
    routed
        `route`'s result for the same rows (``post_id``, ``care``, ``care_reason``).
    brand
        The brand whose inbox this is, as spelled in ``brand``.
    as_of
        The moment the queue is taken (UTC timestamp or ISO text; naive is UTC). Default the
        data's last ``timestamp``.
    sla_hours
        The answer-time target (hours): an open post older than this has breached it.
    keep_handles
        @handles left unredacted (lower-case, with "@"); default every brand's own handles
        (`sentiment.brand_handles` of the mentions' brands).

    Returns
    -------
    One row per open mention, oldest first: ``post_id``, ``platform``, ``posted`` (UTC),
    ``age_hours`` (hours from ``posted`` to ``as_of``), ``sla_breached`` (``age_hours`` above
    ``sla_hours``, for a post the export tracks: flagged a question or answered at some time;
    missing for a post routed by its words without an answer record, whose answer the export would
    not show), ``customer_id`` ("" when the CRM did not match the author), ``text``
    (`sentiment.redact`ed: e-mail addresses, phone numbers, URL queries and private @handles)
    and ``reason`` (the care rule that fired, `route`'s ``care_reason``).

    Raises
    ------
    InputError
        A missing column, an unknown brand, ``routed`` not aligned with ``mentions``, a bad
        ``as_of`` or ``sla_hours``.
    """
    require_columns(mentions, ("post_id", "timestamp", "platform", "brand", "text"), "mentions")
    require_columns(routed, ("post_id", "care", "care_reason"), "routed (from organisation.route)")
    require_brand(mentions, brand)
    _check_hours("sla_hours", sla_hours)
    ids = mentions["post_id"].astype(str).to_numpy()
    if len(routed) != len(mentions) or (routed["post_id"].astype(str).to_numpy() != ids).any():
        raise InputError("routed does not hold the mentions' rows in order", key="routed",
                         expected="organisation.route(mentions, ...) for the same mentions")  # fmt: skip
    as_of = _as_of(mentions, as_of)
    posted = as_utc(mentions["timestamp"], column="timestamp")
    care = routed["care"].fillna(False).astype(bool).to_numpy()
    if "is_question" in mentions:
        care = care | mentions["is_question"].fillna(False).astype(bool).to_numpy()
    answered = (
        (as_utc(mentions["answered_at"], column="answered_at") <= as_of).to_numpy()
        if "answered_at" in mentions
        else False
    )
    open_ = (mentions["brand"] == brand).to_numpy() & care & (posted <= as_of).to_numpy() & ~answered
    rows = mentions[open_]
    keep = (
        brand_handles(aliases(mentions["brand"].astype(str).unique()))
        if keep_handles is None
        else keep_handles
    )
    reason = routed["care_reason"].to_numpy()[open_]
    stamps = as_utc(rows["timestamp"], column="timestamp")
    age = ((as_of - stamps).dt.total_seconds() / 3600).to_numpy()
    # The SLA state is known for a post the export tracks: flagged a question, or answered at some
    # time. A post routed by its words with no answer record may have been answered elsewhere.
    tracked = rows["answered_at"].notna().to_numpy() if "answered_at" in rows else np.zeros(len(rows), bool)
    if "is_question" in rows:
        tracked = tracked | rows["is_question"].fillna(False).astype(bool).to_numpy()
    breached = pd.array(age > sla_hours, dtype="boolean")
    breached[~tracked] = pd.NA
    customer = (
        rows["customer_id"].astype(object).where(rows["customer_id"].notna(), "")
        if "customer_id" in rows
        else ""
    )
    out = pd.DataFrame({
        "post_id": rows["post_id"].to_numpy(), "platform": rows["platform"].astype(str).to_numpy(),
        "posted": stamps.to_numpy(), "age_hours": age, "sla_breached": breached,
        "customer_id": pd.Series(customer, index=rows.index, dtype=object).astype(str).to_numpy(),
        "text": [redact(t, handles=True, keep=keep) if isinstance(t, str) else "" for t in rows["text"]],
        "reason": [r if isinstance(r, str) and r else IS_QUESTION_REASON for r in reason],
    })  # fmt: skip
    out["posted"] = as_utc(out["posted"], column="posted")
    return out.sort_values(["posted", "post_id"], kind="stable", ignore_index=True)[QUEUE_COLUMNS]


def care_summary(
    mentions: pd.DataFrame,
    *,
    brand: str,
    as_of: pd.Timestamp | str | None = None,
    sla_hours: float = 24.0,
    period_days: int = 30,
) -> pd.DataFrame:
    """How often and how fast the brand answered this period against the previous one.

    This period is the ``period_days`` days up to ``as_of`` (questions asked after ``as_of -
    period_days`` and at or before ``as_of``), the previous one the same length before it. Each
    is `sentiment.response_gap` (pooled over platforms, one period) of the questions asked in it,
    with answers given after ``as_of`` taken as not given yet; so a question asked just before
    ``as_of`` counts as unanswered, as it stands in the queue.

    Parameters
    ----------
    mentions
        With ``timestamp``, ``brand``, ``platform``, ``is_question`` and ``answered_at``.
    as_of
        UTC timestamp or ISO text; default the data's last ``timestamp``.
    sla_hours
        The answer-time target (hours).
    period_days
        Length of each period (days).

    Returns
    -------
    Two rows, ``period`` "this" then "previous": ``start`` (exclusive) and ``end`` (inclusive,
    UTC), then `response_gap`'s ``questions``, ``answered``, ``answered_share`` (fraction),
    ``median_response_hours`` (hours, of answered questions), ``p90_response_hours`` and
    ``within_sla_share`` (answered within ``sla_hours``, fraction of all questions). Shares are
    missing in a period without questions.

    Raises
    ------
    InputError
        A missing column, an unknown brand, a bad ``as_of``, ``sla_hours`` or ``period_days``.
    """
    require_columns(mentions, ("timestamp", "brand", "platform", "is_question", "answered_at"), "mentions")
    require_brand(mentions, brand)
    _check_hours("sla_hours", sla_hours)
    _check_hours("period_days", period_days)
    as_of = _as_of(mentions, as_of)
    stamps = as_utc(mentions["timestamp"], column="timestamp")
    answered = as_utc(mentions["answered_at"], column="answered_at")
    known = mentions.assign(answered_at=answered.where(answered <= as_of))
    question = mentions["is_question"].fillna(False).astype(bool)
    length = pd.Timedelta(days=period_days)
    rows = []
    for name, end in (("this", as_of), ("previous", as_of - length)):
        asked = question & (stamps > end - length) & (stamps <= end)
        gap = response_gap(known.assign(is_question=asked), brand=brand, sla_hours=sla_hours, freq=None,
                           by_platform=False)  # fmt: skip
        rows.append(gap.drop(columns=["platform", "period"]).iloc[0].to_dict() | {
            "period": name, "start": end - length, "end": end})  # fmt: skip
    out = pd.DataFrame(rows)
    first = ["period", "start", "end", "questions", "answered"]
    out = out[first + [c for c in out.columns if c not in first]]
    return out.astype({"questions": int, "answered": int})


@dataclass(frozen=True)
class CrisisStatus:
    """The crisis status at an as-of date.

    Attributes
    ----------
    live
        An episode is going on: the as-of date falls in its last period or before its end.
    sentence
        One Markdown sentence for PR (words escaped).
    episode
        The live episode's row of ``episodes``, else the last one that ended before the as-of
        date; None when there is none.
    """

    live: bool
    sentence: str
    episode: pd.Series | None

    def to_frame(self) -> pd.DataFrame:
        """One row: ``live``, ``sentence``, and the episode's columns (missing when none)."""
        episode = {} if self.episode is None else self.episode.to_dict()
        return pd.DataFrame([{"live": self.live, "sentence": self.sentence, **episode}])


def _size(e: pd.Series) -> str:
    return (f"{int(e['negative_mentions']):,} negative mentions, "
            f"{e['excess_negative_mentions']:,.0f} above the expected level")  # fmt: skip


def _words(words: pd.DataFrame | None, start: pd.Timestamp, n: int) -> str:
    if words is None or words.empty:
        return ""
    require_columns(words, ("start", "word"), "words (from sentiment.episode_words)")
    top = words.loc[pd.to_datetime(words["start"]) == start, "word"].head(n).tolist()
    return f"; words: {', '.join(md(str(w)) for w in top)}" if top else ""


def crisis_status(
    episodes: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str,
    quiet_days: float = 14,
    words: pd.DataFrame | None = None,
    n_words: int = 5,
    freq: str = "D",
) -> CrisisStatus:
    """Is there a crisis now? The live episode, or how long since the last one ended.

    Parameters
    ----------
    episodes
        `sentiment.detect_spikes` (``start``, ``end``: first and last period, naive UTC;
        ``negative_mentions``, ``excess_negative_mentions``), best detected on the data up to
        ``as_of`` so that a live episode's size is what was known then.
    as_of
        UTC timestamp or ISO text (naive is UTC). Episodes starting after it are ignored.
    quiet_days
        An episode that ended less than this many days before ``as_of`` is named as recent.
    words
        `sentiment.episode_words` for these episodes (matched on ``start``); its first
        ``n_words`` words per episode are quoted.
    freq
        The episodes' period (``"D"`` days or ``"h"`` hours): an episode ends when its last
        period does.

    Returns
    -------
    `CrisisStatus`: ``live``; ``sentence``, e.g. "Live since 2025-09-16: 271 negative mentions,
    176 above the expected level; words: ...", "No live crisis episode; the last ended
    2025-09-27, 3 days ago: ..." or "No crisis episode in the last 14 days (the last ended
    2025-09-27)."; ``episode``.

    Raises
    ------
    InputError
        A missing column, a bad ``as_of``, ``quiet_days`` or ``freq``.
    """
    require_columns(episodes, ("start", "end", "negative_mentions", "excess_negative_mentions"),
                    "episodes (from sentiment.detect_spikes)")  # fmt: skip
    _check_hours("quiet_days", quiet_days)
    if freq not in ("D", "h"):
        raise InputError(f"is {freq!r}", key="freq", expected="'D' (days) or 'h' (hours), as detect_spikes'")
    now = _as_of(pd.DataFrame({"timestamp": []}), as_of).tz_localize(None)
    start = pd.to_datetime(episodes["start"]).dt.tz_localize(None) if len(episodes) else episodes["start"]
    ends = pd.to_datetime(episodes["end"]).dt.tz_localize(None) + pd.Timedelta(1, unit=freq)
    known = episodes[(start <= now).to_numpy()] if len(episodes) else episodes
    quiet = f"No crisis episode in the last {quiet_days:g} days"
    if known.empty:
        return CrisisStatus(False, f"{quiet} (none in the data).", None)
    live = ends[known.index] > now
    if live.any():
        e = known.loc[live[live].index[-1]]
        first = pd.Timestamp(e["start"])
        return CrisisStatus(
            True, f"Live since {first:%Y-%m-%d}: {_size(e)}{_words(words, first, n_words)}.", e
        )
    last = ends[known.index].idxmax()
    e, ended = known.loc[last], pd.Timestamp(known.at[last, "end"])
    since = (now - ends[last]) / pd.Timedelta(days=1)
    if since < quiet_days:
        ago = f"{since:.0f} days ago" if since >= 1 else "less than a day ago"
        sentence = (f"No live crisis episode; the last ended {ended:%Y-%m-%d}, {ago}: {_size(e)}"
                    f"{_words(words, pd.Timestamp(e['start']), n_words)}.")  # fmt: skip
        return CrisisStatus(False, sentence, e)
    return CrisisStatus(False, f"{quiet} (the last ended {ended:%Y-%m-%d}).", e)
