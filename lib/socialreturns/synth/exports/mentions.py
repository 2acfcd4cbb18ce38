"""Mentions as the brand's inbox (a reply-thread CSV with a profile) and a Meltwater export.

The brand's mentions are its inbox: each post with the network, the author's id and handle,
a ``Needs Reply`` flag, the counts, its local time without offset, and the brand's own replies as posts that name the post
they answer (at the mention's ``answered_at``), so an import derives ``answered_at`` from the
thread. Its profile (``inbox_profile.yaml``) is what a user writes for such an export. The
competitors' mentions come from a listening tool, Meltwater: UTF-16 with tabs, times to the
minute, tweets by their numeric id and other posts by their URL, reach but no likes, shares or
comments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from socialreturns.sources.listening import local_to_utc

from ..truth import BRAND
from .layout import write

BRAND_ACCOUNT = "1001"  # the brand's numeric account id, beside its handle
NETWORKS = {"twitter": "Twitter", "instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok",
            "reddit": "Reddit", "youtube": "YouTube"}  # fmt: skip
INBOX_TIME = "%d/%m/%Y %H:%M:%S"  # local time, Europe/Berlin, without its offset
PROFILE = {
    "name": "inbox", "title": f"the {BRAND} inbox export",
    "columns": {"post_id": "Message ID", "timestamp": "Sent", "text": "Message", "author": "From ID",
                "author_handle": "From", "brand": "Profile", "platform": "Network", "in_reply_to": "Reply To ID",
                "is_question": "Needs Reply", "likes": "Likes", "shares": "Shares", "comments": "Comments",
                "reach": "Reach"},
    "required": ["post_id", "timestamp", "text", "author", "in_reply_to"],
    "time_formats": [INBOX_TIME],
    "timezone": "Europe/Berlin",
}  # fmt: skip


@dataclass(frozen=True)
class MentionExport:
    """The files per source, the import commands, the ``mentions`` a correct import gives
    (``is_question`` NA where the import detects it; the inbox's posts in the hour repeated when
    the clocks go back an hour early, as its local times cannot tell) and the extra rows by kind."""

    files: dict[str, tuple[Path, ...]]
    commands: list[tuple[str, ...]]
    mentions: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)


def _author(ids: pd.Series) -> pd.Series:
    """A numeric account id per pseudonymous author (``U001168`` -> ``9001168``)."""
    return "9" + ids.str.replace(r"\D", "", regex=True)


def _inbox(own: pd.DataFrame, out: Path) -> tuple[Path, Path, int]:
    local = own["timestamp"].dt.tz_convert("Europe/Berlin").dt.strftime(INBOX_TIME)
    posts = pd.DataFrame({
        "Message ID": own["post_id"], "Sent": local, "Network": own["platform"].map(NETWORKS), "Profile": BRAND,
        "From ID": _author(own["author_id"]), "From": "@" + own["author_id"].str.lower(), "Message": own["text"],
        "Reply To ID": "", "Needs Reply": np.where(own["is_question"], "yes", "no"), "Likes": own["likes"],
        "Shares": own["shares"], "Comments": own["comments"], "Reach": own["reach"],
    })  # fmt: skip
    answered = own[own["answered_at"].notna()]
    replies = pd.DataFrame({
        "Message ID": "R" + answered["post_id"], "Sent": answered["answered_at"].dt.tz_convert("Europe/Berlin")
        .dt.strftime(INBOX_TIME), "Network": answered["platform"].map(NETWORKS), "Profile": BRAND,
        "From ID": BRAND_ACCOUNT, "From": "@" + BRAND.lower(),
        "Message": "@" + answered["author_id"].str.lower() + " Sorry about that! We have sent you a DM.",
        "Reply To ID": answered["post_id"], "Needs Reply": "no", "Likes": 0, "Shares": 0, "Comments": 0, "Reach": 0,
    })  # fmt: skip
    frame = pd.concat([posts.assign(_t=own["timestamp"]), replies.assign(_t=answered["answered_at"])])
    path = write(out / "inbox_threads.csv", frame.sort_values("_t", kind="stable").drop(columns="_t"))
    profile = out / "inbox_profile.yaml"
    profile.write_text(yaml.safe_dump(PROFILE, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, profile, len(replies)


def _meltwater(
    other: pd.DataFrame, out: Path, name: str = "meltwater_mentions.tsv"
) -> tuple[Path, pd.Series]:
    tweet = other["platform"] == "twitter"
    handle = other["author_id"].str.lower()
    tweet_id = ("15" + other["post_id"].str.replace(r"\D", "", regex=True).str.zfill(14)).where(tweet, "")
    url = np.where(tweet, "https://twitter.com/" + handle + "/status/" + tweet_id,
                   "https://www." + other["platform"] + ".com/" + handle + "/posts/" + other["post_id"])  # fmt: skip
    frame = pd.DataFrame({
        "Date": other["timestamp"].dt.strftime("%d-%b-%Y %I:%M%p"), "Headline": "", "URL": url, "Opening Text": "",
        "Hit Sentence": other["text"], "Source": other["platform"].map(NETWORKS), "Influencer": "@" + handle,
        "Country": "Germany", "Language": "English", "Reach": other["reach"],
        "Engagement": other["likes"] + other["shares"] + other["comments"], "AVE": (other["reach"] * 0.01).round(2),
        "Sentiment": "Not Rated", "Key Phrases": "", "Input Name": other["brand"], "Keywords": other["brand"].str.lower(),
        "Tweet Id": tweet_id, "Twitter Id": _author(other["author_id"]).where(tweet, ""),
        "Twitter Screen Name": handle.where(tweet, ""),
    })  # fmt: skip
    path = write(out / name, frame, sep="\t", encoding="utf-16")
    return path, pd.Series(np.where(tweet, tweet_id, url), index=other.index)


def mention_exports(mentions: pd.DataFrame, out: Path) -> MentionExport:
    """Write ``inbox_threads.csv`` (+ its profile) and ``meltwater_mentions.tsv``."""
    mentions = mentions.sort_values("timestamp", kind="stable")
    own = mentions[mentions["brand"] == BRAND]
    other = mentions[mentions["brand"] != BRAND]
    inbox, profile, replies = _inbox(own, out)
    meltwater, post_ids = _meltwater(other, out)
    # read back as the import reads local times: the hour repeated when the clocks go back as summer time
    times = {c: local_to_utc(own[c].dt.tz_convert("Europe/Berlin").dt.tz_localize(None), "Europe/Berlin")
             for c in ("timestamp", "answered_at")}  # fmt: skip
    times["answered_at"] = times["answered_at"].where(times["answered_at"] >= times["timestamp"])
    expected = pd.concat([
        own.assign(sample_post_id=own["post_id"], **times),
        other.assign(sample_post_id=other["post_id"], post_id=post_ids, timestamp=other["timestamp"].dt.floor("min"),
                     likes=0, shares=0, comments=0, is_question=pd.NA),
    ]).assign(customer_id=pd.NA).reset_index(drop=True)  # fmt: skip
    return MentionExport({"reply-threads": (inbox,), "meltwater": (meltwater,)},
                         [("reply-threads", str(inbox), "--profile", str(profile)), ("meltwater", str(meltwater))],
                         expected, {"inbox brand replies": replies})  # fmt: skip


def _tweet(post_id: str, at: pd.Timestamp, text: str, reply_to: str = "", user: str = "") -> dict:
    return {"tweet": {"id_str": post_id, "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"), "full_text": text,
                      "favorite_count": "0", "retweet_count": "0", "in_reply_to_status_id_str": reply_to or None,
                      "in_reply_to_user_id_str": user or None, "lang": "en"}}  # fmt: skip


def archive_exports(mentions: pd.DataFrame, out: Path) -> tuple[tuple[Path, Path], pd.Series]:
    """The brand's tweets as a listening tool found them (Meltwater, with their tweet ids) and the
    brand's own X archive (``archive/data/tweets.js`` and ``account.js``), whose replies answer them.

    Returns
    -------
    The two files and each tweet's ``answered_at`` (UTC, to the second) by its tweet id.
    """
    tweets = mentions[(mentions["brand"] == BRAND) & (mentions["platform"] == "twitter")]
    meltwater, ids = _meltwater(tweets, out, "meltwater_brand_tweets.tsv")
    answered = tweets[tweets["answered_at"].notna()]
    items = [_tweet(f"16{i:016d}", at, "@" + author.lower() + " Thanks, we are on it. Please check your DMs.",
                    ids[index], _author(pd.Series([author])).iloc[0])
             for i, (index, at, author) in enumerate(zip(answered.index, answered["answered_at"], answered["author_id"],
                                                         strict=True))]  # fmt: skip
    items.append(
        _tweet("1700000000000000001", tweets["timestamp"].max(), "New colours of the Glow are out today!")
    )
    folder = out / "archive" / "data"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(
        [{"account": {"accountId": BRAND_ACCOUNT, "username": BRAND.lower()}}]), encoding="utf-8")  # fmt: skip
    (folder / "tweets.js").write_text(
        "window.YTD.tweets.part0 = " + json.dumps(items, indent=2), encoding="utf-8"
    )
    return (meltwater, folder / "tweets.js"), pd.Series(
        tweets["answered_at"].to_numpy(), index=ids.to_numpy()
    )
