"""Mention exports read through named profiles: Meltwater, Brandwatch, Sprout Social, reply threads.

A `Profile` says which of an export's columns hold each of our roles (the post id, the time,
the text, the author, the brand searched for, the platform, the counts, and for reply threads
the post a post replies to), in which time format, and how its platform names map to ours. The
built-in profiles (`PROFILES`) were written from published headers:

* ``meltwater``: the Explore export (``Date, Headline, URL, Opening Text, Hit Sentence, Source,
  Influencer, Country, Subregion, Language, Reach, Desktop Reach, Mobile Reach, ..., Engagement,
  AVE, Sentiment, Key Phrases, Input Name, Keywords, Twitter Authority, Tweet Id, Twitter Id,
  Twitter Client, Twitter Screen Name, User Profile Url, ...``), often UTF-16 with tabs;
  ``Date`` as ``18-Mar-2022 11:59PM``.
* ``brandwatch``: the Consumer Research mentions export (a few report lines, then ``Query Id,
  Query Name, Date, Title, Url, Domain, Sentiment, Page Type, Language, ..., Author, Full Text,
  ..., Impressions, Reach (new), ..., Twitter Author ID, Thread Id, ...``; ``Date`` as
  ``2024-03-01 14:05:09.0``). The column names follow Brandwatch's mention field definitions
  (developers.brandwatch.com); the counts' names are to be confirmed on a real export.
* ``sprout-social``: a Sprout-style listening or inbox message export (``Date, Network, Message
  Type, Profile, From, Message, Link, Message ID, Sentiment, Potential Impressions, Likes,
  Comments, Shares``). Sprout documents the fields, not a CSV header, so this layout is a
  reconstruction to be confirmed on a real export.
* ``customer-support``: the reply-thread layout of the public "Customer Support on Twitter"
  dataset (``tweet_id, author_id, inbound, created_at, text, response_tweet_id,
  in_response_to_tweet_id``; ``created_at`` as ``Tue Oct 31 22:10:47 +0000 2017``; companies'
  ``author_id`` is their screen name, customers' a number).

A user adds a profile as a YAML file (``socialreturns import listening FILE --profile my.yaml``;
``data/IMPORT.md`` shows the keys): ``columns`` maps each role to the export's column name (or
a list of names, the first present taken; for ``text`` the first non-empty cell).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from socialreturns.data.times import TIMESTAMP_DTYPE, out_of_range, range_error
from socialreturns.inputs import MAX_SHOWN, InputError, read_yaml_mapping

from .log import ImportLog
from .read import MISSING, Export, normalise_header, parse_numbers, read_export, refuse_float_ids

#: Our roles: what a profile's ``columns`` may name.
ROLES = ("post_id", "timestamp", "text", "author", "author_handle", "brand", "platform", "url", "likes",
         "shares", "comments", "reach", "is_question", "answered_at", "in_reply_to", "in_reply_to_account",
         "inbound")  # fmt: skip
COUNTS = ("likes", "shares", "comments", "reach")
#: Platform names in exports (normalised) to ours; others are kept lower-cased.
PLATFORMS = MappingProxyType({
    "twitter": "twitter", "x": "twitter", "x (twitter)": "twitter", "twitter/x": "twitter", "tweet": "twitter",
    "instagram": "instagram", "facebook": "facebook", "tiktok": "tiktok", "reddit": "reddit",
    "youtube": "youtube", "linkedin": "linkedin", "threads": "threads", "bluesky": "bluesky",
})  # fmt: skip
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"  # Wed Oct 19 20:07:25 +0000 2022
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                                "Oct", "Nov", "Dec"), start=1)}  # fmt: skip
_TRUE = frozenset({"true", "yes", "y", "1", "question", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f", ""})


@dataclass(frozen=True)
class Profile:
    """Where an export keeps each role, and how to read it.

    ``columns``: role -> the export's column names (first present taken); ``required``: the
    roles that must be found (their columns identify the export); ``time_formats``: ``strptime``
    codes tried in order (ISO 8601 always tried last); ``timezone``: of times without an offset;
    ``platform``: our platform when the export has no platform column; ``ids``: the roles
    holding ids, refused when a spreadsheet turned them into floats.
    """

    name: str
    title: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...] = ("post_id", "timestamp", "text", "author")
    time_formats: tuple[str, ...] = ()
    timezone: str = "UTC"
    platform: str | None = None
    ids: tuple[str, ...] = ("post_id", "in_reply_to")
    header: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def header_line(self) -> str:
        """The header expected, for ``--list`` and messages."""
        return self.header or ", ".join(self.columns[r][0] for r in self.required)

    def is_header(self, names: list[str]) -> bool:
        """Does a line with these normalised cells hold every required role?"""
        return all(any(normalise_header(c) in names for c in self.columns[r]) for r in self.required)


def _profile(name: str, title: str, header: str, **kwargs: object) -> Profile:
    columns = {role: (names,) if isinstance(names, str) else tuple(names)
               for role, names in dict(kwargs.pop("columns")).items()}  # type: ignore[call-overload]  # fmt: skip
    return Profile(name, title, MappingProxyType(columns), header=header, **kwargs)  # type: ignore[arg-type]


MELTWATER = _profile(
    "meltwater", "a Meltwater mentions export",
    "Date, Headline, URL, Opening Text, Hit Sentence, Source, Influencer, ..., Reach, ..., Engagement, AVE, "
    "Sentiment, ..., Input Name, ..., Tweet Id, Twitter Id, ..., Twitter Screen Name, ...",
    columns={"post_id": ("Tweet Id", "URL"), "timestamp": "Date", "text": ("Hit Sentence", "Opening Text", "Headline"),
             "author": ("Twitter Id", "Twitter Screen Name", "Influencer"), "author_handle": ("Twitter Screen Name",
             "Influencer"), "brand": "Input Name", "platform": "Source", "url": "URL", "reach": "Reach",
             "likes": ("Likes", "Twitter Likes"), "shares": ("Shares", "Retweets", "Twitter Retweets"),
             "comments": ("Comments", "Replies", "Twitter Replies")},
    required=("timestamp", "text", "author", "url"),
    time_formats=("%d-%b-%Y %I:%M%p", "%d-%b-%Y %I:%M %p", "%d-%b-%Y %H:%M", "%b %d, %Y %I:%M %p", "%m/%d/%Y %H:%M"),
    ids=("post_id",),
)  # fmt: skip

BRANDWATCH = _profile(
    "brandwatch", "a Brandwatch Consumer Research mentions export",
    "(report lines) Query Id, Query Name, Date, Title, Url, Domain, Sentiment, Page Type, ..., Author, "
    "Full Text, ..., Reach (new), ..., Thread Id, ...",
    columns={"post_id": ("Resource Id", "Mention Id", "Url"), "timestamp": "Date", "text": ("Full Text", "Snippet",
             "Title"), "author": ("Twitter Author ID", "Author"), "author_handle": "Author", "brand": "Query Name",
             "platform": ("Page Type", "Content Source Name", "Domain"), "url": "Url",
             "reach": ("Reach (new)", "Reach", "Impressions"), "likes": ("Likes", "Twitter Likes", "Facebook Likes"),
             "shares": ("Shares", "Twitter Retweets", "Facebook Shares"),
             "comments": ("Comments", "Twitter Replies", "Facebook Comments"),
             "in_reply_to": ("Twitter Reply to", "Reply To"), "is_question": ("Is Question",)},
    required=("timestamp", "text", "author", "url", "brand"),
    time_formats=("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"),
    ids=("post_id",),
)  # fmt: skip

SPROUT = _profile(
    "sprout-social", "a Sprout Social message export",
    "Date, Network, Message Type, Profile, From, Message, Link, Message ID, ..., Potential Impressions, Likes, "
    "Comments, Shares",
    columns={"post_id": ("Message ID", "Link"), "timestamp": ("Date", "Timestamp (UTC)"), "text": "Message",
             "author": ("From", "Author"), "author_handle": ("From", "Author"), "brand": ("Profile", "Topic"),
             "platform": "Network", "url": "Link", "reach": ("Potential Impressions", "Impressions", "Reach"),
             "likes": ("Likes", "Reactions"), "shares": ("Shares", "Retweets"), "comments": ("Comments", "Replies")},
    required=("timestamp", "text", "author", "platform", "url"),
    time_formats=("%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"),
    ids=("post_id",),
)  # fmt: skip

CUSTOMER_SUPPORT = _profile(
    "customer-support", "a customer-support reply-thread export",
    "tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id",
    columns={"post_id": "tweet_id", "author": "author_id", "author_handle": "author_id", "inbound": "inbound",
             "timestamp": "created_at", "text": "text", "in_reply_to": "in_response_to_tweet_id"},
    required=("post_id", "author", "timestamp", "text", "in_reply_to"),
    time_formats=(TWITTER_TIME,), platform="twitter",
)  # fmt: skip

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {p.name: p for p in (MELTWATER, BRANDWATCH, SPROUT, CUSTOMER_SUPPORT)}
)


def read_profile(path: str | Path) -> Profile:
    """A user's profile from YAML: ``name``, ``title``, ``columns`` (role: column name or list),
    optional ``required`` (roles), ``time_formats``, ``timezone``, ``platform``, ``ids``.

    Raises
    ------
    InputError
        A file that is not such a mapping: an unknown role, a required role without a column.
    """
    raw = read_yaml_mapping(path, what="mentions profile")
    columns = raw.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise InputError("has no 'columns' mapping", file=path, key="columns",
                         expected="columns: {post_id: ..., timestamp: ..., text: ..., author: ...}")  # fmt: skip
    unknown = sorted(set(map(str, columns)) - set(ROLES))
    if unknown:
        raise InputError(f"names unknown roles: {', '.join(unknown)}", file=path, key=f"columns.{unknown[0]}",
                         expected="roles among " + ", ".join(ROLES))  # fmt: skip
    bad = [r for r, v in columns.items() if not (isinstance(v, str) or (isinstance(v, list) and v and
           all(isinstance(x, str) for x in v)))]  # fmt: skip
    if bad:
        raise InputError("maps a role to something other than column names", file=path, key=f"columns.{bad[0]}",
                         values=[columns[bad[0]]], expected="a column name or a list of column names")  # fmt: skip
    required = tuple(
        raw.get("required") or [r for r in ("post_id", "timestamp", "text", "author") if r in columns]
    )
    missing = [r for r in ("timestamp", "text", "author") if r not in columns] + [
        r for r in required if r not in columns
    ]
    if missing:
        raise InputError(f"gives no column for {', '.join(dict.fromkeys(missing))}", file=path,
                         key=f"columns.{missing[0]}", expected="a column for timestamp, text and author at least")  # fmt: skip
    extra = {k: tuple(raw[k]) for k in ("time_formats", "ids") if raw.get(k)}
    for key in ("timezone", "platform"):
        if raw.get(key):
            extra[key] = str(raw[key])  # type: ignore[assignment]
    return _profile(str(raw.get("name") or Path(path).stem), str(raw.get("title") or f"the {Path(path).stem} export"),
                    "", columns=columns, required=required, **extra)  # fmt: skip


def profile_for(name_or_path: str | Path | None, default: str) -> Profile:
    """A built-in profile by name, or a YAML profile by path (``default`` when None)."""
    if name_or_path is None:
        return PROFILES[default]
    if str(name_or_path) in PROFILES:
        return PROFILES[str(name_or_path)]
    if Path(name_or_path).suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"unknown profile '{name_or_path}'", key="profile",
                         expected="one of " + ", ".join(PROFILES) + ", or a YAML profile file")  # fmt: skip
    return read_profile(name_or_path)


# --------------------------------------------------------------------------- reading


def _column(export: Export, names: Sequence[str]) -> str | None:
    wanted = [normalise_header(n) for n in names]
    have = {normalise_header(c): str(c) for c in export.frame.columns}
    return next((have[w] for w in wanted if w in have), None)


def _times(export: Export, column: str, profile: Profile) -> pd.Series:
    """The column's times in UTC: the profile's formats in turn, then ISO 8601."""
    raw = export.frame[column]
    present = ~raw.isin(MISSING)
    codes, uniques = pd.factorize(raw.where(present))
    values = pd.Series(uniques, dtype=object)
    parsed = pd.Series(pd.NaT, index=values.index, dtype=TIMESTAMP_DTYPE)
    for fmt in (*profile.time_formats, "ISO8601"):
        todo = parsed.isna()
        if not todo.any():
            break
        if fmt == TWITTER_TIME:
            got = twitter_times(values[todo])
        elif fmt == "ISO8601":
            got = _iso_times(values[todo], profile.timezone)
        elif "%z" in fmt:
            got = pd.to_datetime(values[todo], format=fmt, errors="coerce", utc=True)
        else:
            got = local_to_utc(pd.to_datetime(values[todo], format=fmt, errors="coerce"), profile.timezone)
        parsed[todo] = got.astype(TIMESTAMP_DTYPE)
    times = pd.Series(parsed.to_numpy()[np.maximum(codes, 0)], index=raw.index).where(codes >= 0)
    times = times.astype(TIMESTAMP_DTYPE)
    bad = times.isna() & present
    if bad.any():
        shown = ", ".join(profile.time_formats[:2]) or "ISO 8601"
        raise InputError(f"{int(bad.sum())} value(s) cannot be read as times", file=export.path, column=column,
                         rows=export.lines(raw.index[bad.to_numpy()][:50]), values=list(raw[bad].head(MAX_SHOWN)),
                         expected=f"times as {profile.title} writes them ({shown}, or ISO 8601)")  # fmt: skip
    out = out_of_range(times)
    if out.any():
        raise range_error(
            times, out, column=column, rows=export.lines(raw.index[out.to_numpy()]), file=export.path
        )
    return times


_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"


def local_to_utc(naive: pd.Series, timezone: str) -> pd.Series:
    """Clock times of ``timezone`` (naive timestamps) in UTC.

    A time in the hour that happens twice when the clocks go back is read as its first
    occurrence (summer time), one in the hour skipped when they go forward as the moment after
    the gap: an export without offsets cannot tell, and refusing it would stop the import of
    every year of posts.
    """
    if timezone == "UTC":
        return naive.dt.tz_localize("UTC")
    first = np.ones(len(naive), dtype=bool)
    return naive.dt.tz_localize(timezone, ambiguous=first, nonexistent="shift_forward").dt.tz_convert("UTC")


def _iso_times(values: pd.Series, timezone: str) -> pd.Series:
    """ISO 8601 times in UTC: with an offset as written, without one in ``timezone``."""
    text = values.astype(str).str.strip()
    got = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    naive = ~text.str.contains(_OFFSET, regex=True)
    if timezone != "UTC" and naive.any():
        got[naive] = local_to_utc(pd.to_datetime(text[naive], format="ISO8601", errors="coerce"), timezone)
    return got


def twitter_times(values: pd.Series) -> pd.Series:
    """Times as X writes them (`TWITTER_TIME`), in UTC; NaT where a value has another shape.
    Rewritten to ISO 8601 first: pandas reads ISO in C, ``strptime`` codes several times slower."""
    text = values.astype(str).str.strip()
    shaped = text.str.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}")
    iso = (text.str.slice(-4) + "-" + text.str.slice(4, 7).map(_MONTHS) + "-" + text.str.slice(8, 10) + "T"
           + text.str.slice(11, 19) + text.str.slice(20, 25))  # fmt: skip
    return pd.to_datetime(iso.where(shaped.fillna(False)), format="ISO8601", errors="coerce", utc=True)


def _flags(export: Export, column: str) -> pd.Series:
    raw = export.frame[column].str.strip().str.lower()
    bad = ~raw.isin(_TRUE | _FALSE)
    if bad.any():
        raise InputError(f"{int(bad.sum())} value(s) are not yes/no", file=export.path, column=column,
                         rows=export.lines(raw.index[bad.to_numpy()][:50]), values=list(raw[bad].head(MAX_SHOWN)),
                         expected="true/false, yes/no or 1/0")  # fmt: skip
    return raw.isin(_TRUE)


def _ids(export: Export, column: str) -> pd.Series:
    """An id column as text; ``1234.0`` (a float column written back by pandas) loses its ``.0``."""
    raw = export.frame[column]
    return raw.str.replace(r"^(\d{1,15})\.0$", r"\1", regex=True).where(~raw.isin(MISSING), "")


def read_posts(path: Path, profile: Profile, log: ImportLog) -> pd.DataFrame:
    """One export's posts in our roles (not yet mentions: brands and threads are resolved by
    `threads.resolve`).

    Returns
    -------
    pandas.DataFrame
        ``post_id``, ``timestamp`` (UTC), ``text``, ``author``, ``author_handle``, ``brand_named``
        (the export's brand or search name, "" if none), ``platform``, the counts (NaN where
        the export has none), ``is_question`` (NaN where no flag), ``answered_at``,
        ``in_reply_to``, ``in_reply_to_account``, ``inbound`` (NaN where unknown), ``line``.

    Raises
    ------
    InputError
        A file that is not the profile's export, ids turned into floats, unreadable times or
        numbers.
    """
    export = read_export(
        path, profile.is_header, what=profile.title, expected=f"the header {profile.header_line()}"
    )
    log.files.append(export.describe())
    log.rows_read += len(export.frame)
    frame = export.frame
    cols = {role: _column(export, names) for role, names in profile.columns.items()}
    refuse_float_ids(export, [c for r, c in cols.items() if c and r in (*profile.ids, "author")])
    used = {c for names in profile.columns.values() for c in (_column(export, [n]) for n in names) if c}
    log.columns_unused[str(path)] = [str(c) for c in frame.columns if c not in used]
    n = len(frame)

    def text(role: str) -> pd.Series:
        """The role's first non-empty cell over its columns present (ids without a float's ``.0``)."""
        out = pd.Series("", index=frame.index, dtype=object)
        for name in profile.columns.get(role, ()):
            column = _column(export, [name])
            if column:
                cells = _ids(export, column) if role in profile.ids else frame[column].fillna("")
                out = out.where(out != "", cells.astype(object))
        return out

    body, post_id = text("text"), text("post_id")
    codes, names = pd.factorize(text("platform").str.lower())
    platform = pd.Series([PLATFORMS.get(normalise_header(v), v) for v in names], dtype=object)
    platform = pd.Series(platform.to_numpy()[codes] if len(codes) else [], index=frame.index, dtype=object)
    if profile.platform:
        platform = platform.where(platform != "", profile.platform)
    posts = pd.DataFrame({
        "post_id": post_id.astype(object), "timestamp": _times(export, str(cols["timestamp"]), profile),
        "text": body.astype(object), "author": text("author").astype(object),
        "author_handle": text("author_handle").str.lstrip("@").astype(object),
        "brand_named": text("brand").astype(object), "platform": platform.astype(object),
    })  # fmt: skip
    for role in COUNTS:
        posts[role] = parse_numbers(export, cols[role]) if cols.get(role) else np.nan
    posts["is_question"] = _flags(export, cols["is_question"]) if cols.get("is_question") else np.nan
    posts["answered_at"] = _times(export, cols["answered_at"], profile) if cols.get("answered_at") else pd.NaT
    posts["in_reply_to"] = _ids(export, cols["in_reply_to"]).astype(object) if cols.get("in_reply_to") else ""
    posts["in_reply_to_account"] = text("in_reply_to_account").str.lstrip("@").astype(object)
    posts["inbound"] = _flags(export, cols["inbound"]) if cols.get("inbound") else np.nan
    posts["line"] = [f"{path.name} line {i}" for i in frame.index] if n else []
    no_id = posts["post_id"] == ""
    log.drop("no post id", list(posts.loc[no_id, "line"]))
    return posts[~no_id.to_numpy()].reset_index(drop=True)
