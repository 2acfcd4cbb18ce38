"""The lists the other teams act on: the care queue split for care, sales leads, legal's review
list, the employer brand for HR, and the voice of the customer.

Each list is `route`'s result for the team's routes, as of a UTC timestamp, with every text
`sentiment.redact`ed (e-mail addresses, phone numbers, URL queries and the @handles of private
people; the brands' and the paid creators' own handles are kept), so a list can leave the
report without personal data in it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns.data import as_utc, require_brand, require_columns
from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.sentiment import net_sentiment, redact

from .teams import _check_hours

#: A leads' list: matched customers first, then the newest.
LEAD_COLUMNS = ["post_id", "posted", "platform", "brand", "customer_id", "competitor", "text", "reason"]
REVIEW_COLUMNS = ["post_id", "posted", "platform", "brand", "author_id", "route", "rule", "text"]
VOICE_COLUMNS = ["post_id", "posted", "platform", "author_id", "customer_id", "reach", "referred",
                 "compound", "text"]  # fmt: skip


def _aligned(mentions: pd.DataFrame, routed: pd.DataFrame) -> None:
    if (
        len(routed) != len(mentions)
        or (routed["post_id"].astype(str).to_numpy() != mentions["post_id"].astype(str).to_numpy()).any()
    ):
        raise InputError("routed does not hold the mentions' rows in order", key="routed",
                         expected="organisation.route(mentions, ...) for the same mentions")  # fmt: skip


def _texts(texts: pd.Series, keep: Collection[str]) -> list[str]:
    return [redact(t, handles=True, keep=keep) if isinstance(t, str) else "" for t in texts]


def _customer(rows: pd.DataFrame) -> np.ndarray:
    if "customer_id" not in rows:
        return np.full(len(rows), "", dtype=object)
    return rows["customer_id"].astype(object).where(rows["customer_id"].notna(), "").astype(str).to_numpy()


@dataclass(frozen=True)
class CareLists:
    """The open care queue as of a moment, windowed and split for the care team.

    Attributes
    ----------
    questions
        Open questions the export flagged (``is_question``) posted in the window, oldest first
        (`care_queue`'s columns): the ones the inbox can mark answered.
    routed
        Other open posts of the window routed to care by their words (help requests, problems
        addressed to the brand), oldest first: the export never marks them answered.
    older
        Open items (either kind) posted before the window: left out of both lists.
    window_days
        The window (days before the as-of moment).
    """

    questions: pd.DataFrame
    routed: pd.DataFrame
    older: int
    window_days: float

    def sentence(self, *, sla_hours: float) -> str:
        """The care team's answer in one Markdown sentence."""
        q, r = self.questions, self.routed
        oldest = f", the oldest waiting {q['age_hours'].max():,.0f} hours" if len(q) else ""
        return (f"**{len(q):,} questions** flagged by the export are open from the last {self.window_days:g} days "
                f"({int(q['sla_breached'].sum()):,} past the {sla_hours:g}-hour SLA{oldest}); {len(r):,} more posts "
                f"ask for help or raise a problem with the brand in words (the export records no answer to "
                f"{int(r['sla_breached'].isna().sum()):,} of them, so whether they were answered in time is not "
                f"known). {self.older:,} open items older than "
                f"{self.window_days:g} days are left out.")  # fmt: skip


def care_lists(queue: pd.DataFrame, mentions: pd.DataFrame, *, as_of: pd.Timestamp | str,
               window_days: float = 30) -> CareLists:  # fmt: skip
    """Split `care_queue`'s result into the export's open questions and the posts routed to care by
    their words, both within the last ``window_days`` days before ``as_of`` (UTC).

    Raises
    ------
    InputError
        A bad ``window_days`` or ``as_of``; ``queue`` without ``post_id`` and ``posted``.
    """
    require_columns(queue, ("post_id", "posted"), "queue (from organisation.care_queue)")
    _check_hours("window_days", window_days)
    from .teams import _as_of

    as_of = _as_of(mentions, as_of)
    flagged = set(mentions.loc[mentions["is_question"].fillna(False).astype(bool), "post_id"].astype(str)) if (
        "is_question" in mentions) else set()  # fmt: skip
    recent = (as_utc(queue["posted"], column="posted") > as_of - pd.Timedelta(days=window_days)).to_numpy()
    asked = queue["post_id"].astype(str).isin(flagged).to_numpy()
    return CareLists(queue[recent & asked].reset_index(drop=True), queue[recent & ~asked].reset_index(drop=True),
                     int((~recent).sum()), float(window_days))  # fmt: skip


def _window(mentions: pd.DataFrame, as_of: pd.Timestamp, days: float | None) -> np.ndarray:
    stamps = as_utc(mentions["timestamp"], column="timestamp")
    inside = stamps <= as_of
    if days is not None:
        inside &= stamps > as_of - pd.Timedelta(days=days)
    return inside.to_numpy()


def sales_leads(mentions: pd.DataFrame, routed: pd.DataFrame, *, brand: str, as_of: pd.Timestamp,
                period_days: float = 30, keep_handles: Collection[str] = ()) -> pd.DataFrame:  # fmt: skip
    """Purchase intent of the last ``period_days`` days up to ``as_of`` (UTC) for sales: posts of
    ``brand`` asking where to buy, the price, for a recommendation or comparing brands, and posts
    about other brands that name ``brand`` as the one they switch to or compare with.

    Returns
    -------
    One row per post (`LEAD_COLUMNS`): ``posted`` (UTC), ``customer_id`` ("" when not matched),
    ``competitor`` (the other brand a comparing or switching post names), the redacted ``text``
    and ``reason`` (the rule that fired); matched customers first, then the newest first.
    """
    require_columns(mentions, ("post_id", "timestamp", "platform", "brand", "text"), "mentions")
    require_columns(routed, ("post_id", "purchase_intent", "purchase_intent_reason", "competitor"), "routed")
    require_brand(mentions, brand)
    _aligned(mentions, routed)
    _check_hours("period_days", period_days)
    ours = (mentions["brand"] == brand).to_numpy() | (routed["competitor"] == brand).to_numpy()
    pick = routed["purchase_intent"].to_numpy() & ours & _window(mentions, as_of, period_days)
    rows, r = mentions[pick], routed[pick]
    out = pd.DataFrame({
        "post_id": rows["post_id"].to_numpy(), "posted": as_utc(rows["timestamp"], column="timestamp").to_numpy(),
        "platform": rows["platform"].astype(str).to_numpy(), "brand": rows["brand"].astype(str).to_numpy(),
        "customer_id": _customer(rows), "competitor": r["competitor"].to_numpy(),
        "text": _texts(rows["text"], keep_handles), "reason": r["purchase_intent_reason"].to_numpy(),
    })  # fmt: skip
    out["posted"] = as_utc(out["posted"], column="posted")
    order = np.lexsort((out["post_id"].to_numpy(), -out["posted"].astype("int64").to_numpy(),
                        out["customer_id"].eq("").to_numpy()))  # fmt: skip
    return out.iloc[order].reset_index(drop=True)[LEAD_COLUMNS]


def legal_review(mentions: pd.DataFrame, routed: pd.DataFrame, *, brand: str, as_of: pd.Timestamp,
                 keep_handles: Collection[str] = ()) -> pd.DataFrame:  # fmt: skip
    """Posts about ``brand`` up to ``as_of`` (UTC) legal should review: its paid creators' posts
    without an ad disclosure, and regulated (health or financial) claims about its products,
    newest first (claims about competitors' products are theirs to answer for).

    Returns
    -------
    One row per post and route (`REVIEW_COLUMNS`): ``post_id`` (the post to open), ``posted``
    (UTC), ``author_id`` ("" when the export has none), ``route`` (``disclosure_missing`` or
    ``regulated_claim``), ``rule`` (`route`'s reason: the rule and the words that fired) and the
    redacted ``text``.
    """
    require_columns(mentions, ("post_id", "timestamp", "platform", "brand", "text"), "mentions")
    require_brand(mentions, brand)
    _aligned(mentions, routed)
    inside = _window(mentions, as_of, None) & (mentions["brand"] == brand).to_numpy()
    parts = []
    for name in ("disclosure_missing", "regulated_claim"):
        require_columns(routed, (name, f"{name}_reason"), "routed")
        pick = routed[name].to_numpy() & inside
        rows = mentions[pick]
        parts.append(pd.DataFrame({
            "post_id": rows["post_id"].to_numpy(), "posted": as_utc(rows["timestamp"], column="timestamp").to_numpy(),
            "platform": rows["platform"].astype(str).to_numpy(), "brand": rows["brand"].astype(str).to_numpy(),
            "author_id": rows["author_id"].astype(str).to_numpy() if "author_id" in rows else "",
            "route": name, "rule": routed.loc[pick, f"{name}_reason"].to_numpy(),
            "text": _texts(rows["text"], keep_handles),
        }))  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out["posted"] = as_utc(out["posted"], column="posted")
    return out.sort_values(["posted", "post_id"], ascending=[False, True], ignore_index=True)[REVIEW_COLUMNS]


def employer_brand(mentions: pd.DataFrame, routed: pd.DataFrame, scores: pd.DataFrame, *, brand: str,
                   as_of: pd.Timestamp, freq: str = "Q") -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The employer brand for HR: ``brand``'s employer posts (working at, hiring, jobs, culture)
    up to ``as_of``, their volume and net sentiment per period and over the whole time.

    Parameters
    ----------
    scores
        `sentiment.score` of (at least) the brand's mentions, indexed like ``mentions``; net
        sentiment is `sentiment.net_sentiment` of them (English mentions only).
    freq
        ``"M"`` months or ``"Q"`` quarters.

    Returns
    -------
    ``(by_period, overall)``: by period ``period`` (its first day; the frame's ``attrs["freq"]``
    is ``freq``), ``mentions`` (all employer posts), ``scored`` (English, scored),
    ``net_sentiment`` (fraction, -1 to 1) with ``net_sentiment_lower`` and
    ``net_sentiment_upper`` (90%); overall one row of the same.
    """
    if freq not in ("M", "Q"):
        raise InputError(f"is {freq!r}", key="freq", expected="'M' (months) or 'Q' (quarters)")
    require_brand(mentions, brand)
    _aligned(mentions, routed)
    pick = (
        routed["employer"].to_numpy()
        & (mentions["brand"] == brand).to_numpy()
        & _window(mentions, as_of, None)
    )
    rows = mentions[pick]
    naive = as_utc(rows["timestamp"], column="timestamp").dt.tz_localize(None)
    rows = rows.assign(period=naive.dt.to_period(freq).dt.start_time, everyone="all")
    columns = ["mentions", "net_sentiment", "net_sentiment_lower", "net_sentiment_upper"]
    if rows.empty:
        none = pd.DataFrame({"mentions": [0], "scored": [0], **dict.fromkeys(columns[1:], [float("nan")])})
        return pd.DataFrame(columns=["period", "mentions", "scored", *columns[1:]]), none
    net = net_sentiment(rows, scores, by=("period",))[["period", *columns]].rename(
        columns={"mentions": "scored"}
    )
    volume = rows.groupby("period").size().rename("mentions").reset_index()
    by_period = volume.merge(net, on="period", how="left")
    overall = net_sentiment(rows, scores, by=("everyone",))[columns].rename(columns={"mentions": "scored"})
    overall.insert(0, "mentions", len(rows))
    by_period.attrs["freq"] = freq  # its table labels quarters as quarters (`plots.table`)
    return by_period, overall


def voice_of_customer(mentions: pd.DataFrame, scores: pd.DataFrame, *, brand: str, as_of: pd.Timestamp,
                      period_days: float = 90, n: int = 10, customers: pd.DataFrame | None = None,
                      keep_handles: Collection[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Advocates to invite and detractors to call back: ``brand``'s positive and negative
    mentions of the last ``period_days`` days up to ``as_of``, the widest reach first.

    Parameters
    ----------
    scores
        `sentiment.score` of the mentions (``compound``, ``label``), indexed like ``mentions``.
    customers
        The customers table (ROR data) when present: a matched author's ``referred`` counts the
        customers whose ``referred_by`` is theirs; advocates who refer come first.

    Returns
    -------
    ``(advocates, detractors)``, each at most ``n`` rows of `VOICE_COLUMNS`: ``reach`` (people),
    ``referred`` (customers referred; 0 without the table), ``compound`` (-1 to 1) and the
    redacted ``text``.
    """
    require_columns(mentions, ("post_id", "timestamp", "platform", "brand", "text", "reach"), "mentions")
    require_columns(scores, ("label", "compound"), "scores (from sentiment.score)")
    require_brand(mentions, brand)
    pick = (mentions["brand"] == brand).to_numpy() & _window(mentions, as_of, period_days)
    rows = mentions[pick]
    s = scores.reindex(rows.index)
    customer = pd.Series(_customer(rows), index=rows.index)
    referred = pd.Series(0, index=rows.index)
    if customers is not None and "referred_by" in customers:
        counts = customers["referred_by"].dropna().astype(str).value_counts()
        referred = customer.map(counts).fillna(0).astype(int)
    frame = pd.DataFrame({
        "post_id": rows["post_id"], "posted": as_utc(rows["timestamp"], column="timestamp"),
        "platform": rows["platform"].astype(str), "author_id": rows.get("author_id", pd.Series("", index=rows.index)),
        "customer_id": customer, "reach": rows["reach"].astype(int), "referred": referred,
        "compound": s["compound"], "label": s["label"], "text": rows["text"],
    })  # fmt: skip
    advocates = (
        frame[frame["label"] == "positive"].sort_values(["referred", "reach"], ascending=False).head(n)
    )
    detractors = (
        frame[frame["label"] == "negative"]
        .sort_values(["reach", "compound"], ascending=[False, True])
        .head(n)
    )
    return tuple(  # type: ignore[return-value]
        f.assign(text=_texts(f["text"], keep_handles))[VOICE_COLUMNS].reset_index(drop=True)
        for f in (advocates, detractors)
    )


def lists_sentence(
    leads: pd.DataFrame, review: pd.DataFrame, *, brand: str, period_days: float
) -> dict[str, str]:
    """One Markdown answer each for sales (``"sales"``) and legal (``"legal"``)."""
    matched = int((leads["customer_id"] != "").sum())
    toward = int((leads["competitor"] == brand).sum())
    switching = leads.loc[~leads["competitor"].isin(["", brand]), "competitor"].value_counts()
    named = ", ".join(f"{md(str(b))} ({c})" for b, c in switching.items())
    sales = (f"**{len(leads):,} purchase-intent posts** in the last {period_days:g} days, {matched:,} from matched "
             f"customers; {toward:,} about a competitor name {md(brand)} as the one to switch to or compare with"
             + (f"; our posts compare with or leave for {named}." if named else "."))  # fmt: skip
    undisclosed = int((review["route"] == "disclosure_missing").sum())
    claims = int((review["route"] == "regulated_claim").sum())
    legal = (f"**{undisclosed:,} paid creators' posts without an ad disclosure** and **{claims:,} posts making "
             f"a regulated claim** to review; each row names the post and the rule that fired.")  # fmt: skip
    return {"sales": sales, "legal": legal}


def route_counts(routed: pd.DataFrame, mentions: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """Mentions per route posted up to ``as_of`` (UTC): ``route``, ``mentions``, and ``of_brand``
    per brand as columns (counts), in the order of `rules.ROUTES`."""
    from .rules import ROUTES

    _aligned(mentions, routed)
    inside = _window(mentions, as_of, None)
    brands = mentions.loc[inside, "brand"].astype(str)
    rows = [{"route": r, "mentions": int(routed.loc[inside, r].sum()),
             **routed.loc[inside, r].groupby(brands.to_numpy()).sum().astype(int).to_dict()} for r in ROUTES]  # fmt: skip
    return pd.DataFrame(rows).fillna(0)
