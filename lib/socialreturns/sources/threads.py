"""Posts and their replies to ``mentions``: the brand each post addresses, when the brand answered.

Exports of conversations (a customer-support reply-thread CSV, the X archive's ``tweets.js``, a
listening export with reply ids) hold the brands' own posts beside their customers'. The
brands' accounts are parameters (``--brand Lumora=@lumora,12345``: the brand's name, then its
handles and account ids). From them `resolve` derives, per post:

* **the brand's own posts**, by author, which are kept out of ``mentions`` (logged);
* **the brand it addresses**: the brand whose post or account it replies to, else the brand the
  export names (a listening tool's query), else the first brand handle it @-mentions, else the
  brand its parent post addresses (a customer's follow-up in a thread). Posts that address no
  brand are dropped and logged;
* **answered_at**: the time of the addressed brand's first reply to the post, or to a later
  follow-up of the same author in the same thread (the customer added details and the brand
  answered those); empty when the brand never replied.

`to_mentions` then writes our columns: ``author_id`` a salted hash of the author (the handle is
not written), ``is_question`` from the export's flag or `questions.detect_questions` (the
``question_flag`` column says which: ``export`` or ``detected``), counts the export lacks as 0.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from socialreturns.data.times import TIMESTAMP_DTYPE, out_of_range, range_error
from socialreturns.inputs import MAX_SHOWN, InputError

from . import questions
from .listening import COUNTS, PROFILES, profile_for, read_posts, twitter_times
from .log import ImportLog
from .read import decode
from .shop import salt_of

if TYPE_CHECKING:
    from .catalog import Convert, ImportOptions

MAX_THREAD_DEPTH = 200  # replies followed up a thread (a longer chain is cut there)
OWN_POSTS = "the brands' own posts (kept out of mentions; their replies give answered_at)"
UNADDRESSED = "addresses none of the brands (not a reply to them, no @-mention, no brand named by the export)"


@dataclass(frozen=True)
class Brand:
    """A brand and its accounts: handles and ids, lower case, without ``@``."""

    name: str
    accounts: frozenset[str]

    @property
    def handles(self) -> list[str]:
        """The handles (``@name``) a post may @-mention; numeric account ids are not handles."""
        return sorted("@" + a for a in self.accounts if not a.isdigit())


def parse_brands(specs: Sequence[str]) -> tuple[Brand, ...]:
    """Brands from ``--brand`` values: ``Lumora=@lumora,12345`` (name, then handles and ids).

    >>> parse_brands(["Lumora=@Lumora,12345"])[0].accounts == frozenset({"lumora", "12345"})
    True

    Raises
    ------
    InputError
        A value without ``=`` or accounts, or a brand given twice.
    """
    brands: dict[str, Brand] = {}
    for spec in specs:
        name, _, accounts = str(spec).partition("=")
        names = frozenset(a.strip().lstrip("@").lower() for a in accounts.split(",") if a.strip().lstrip("@"))
        if not name.strip() or not names:
            raise InputError(f"'{spec}' does not name a brand and its accounts", key="brand",
                             expected="NAME=@handle[,account id...], e.g. --brand Lumora=@lumora,12345")  # fmt: skip
        if name.strip() in brands:
            raise InputError(f"gives the brand '{name.strip()}' twice", key="brand",
                             expected="one --brand per brand, all its accounts after '=' separated by commas")  # fmt: skip
        brands[name.strip()] = Brand(name.strip(), names)
    return tuple(brands.values())


def _brands_from_outbound(posts: pd.DataFrame) -> tuple[Brand, ...]:
    """Without ``--brand``: each author of an outbound post (``inbound`` false) is a brand."""
    if not posts["inbound"].notna().any():
        return ()
    outbound = posts.loc[posts["inbound"].eq(False), "author"].str.lower().unique()
    return tuple(Brand(str(a), frozenset({str(a).lstrip("@")})) for a in sorted(outbound))


def _first_handle(texts: pd.Series, handles: Mapping[str, str]) -> pd.Series:
    """The brand of the first brand handle each text @-mentions (NaN where none)."""
    if not handles:
        return pd.Series(np.nan, index=texts.index, dtype=object)
    alternation = "|".join(re.escape(h) for h in sorted(handles, key=len, reverse=True))
    codes, uniques = pd.factorize(texts.fillna("").str.lower())
    found = pd.Series(uniques, dtype=object).str.extract(f"(?<![\\w@])({alternation})(?!\\w)", expand=False)
    return pd.Series(found.map(handles).to_numpy()[codes], index=texts.index, dtype=object)


def _follow(values: np.ndarray, parent: np.ndarray, take: np.ndarray) -> np.ndarray:
    """``values`` filled from the parent's value, one level up the thread per pass, where ``take``."""
    values = values.copy()
    for _ in range(MAX_THREAD_DEPTH):
        todo = np.flatnonzero(pd.isna(values) & (parent >= 0) & take)
        filled = values[parent[todo]]
        if not pd.notna(filled).any():
            break
        values[todo] = filled
    return values


def _answered(posts: pd.DataFrame, own: np.ndarray, addressed: np.ndarray, parent: np.ndarray) -> pd.Series:
    """The addressed brand's first reply to each post or to its author's later follow-ups."""
    n = len(posts)
    authors = posts["author"].str.lower().to_numpy()
    same_author = (parent >= 0) & pd.isna(own) & (authors == authors[np.maximum(parent, 0)])
    same_author &= pd.isna(own[np.maximum(parent, 0)])
    root = np.arange(n)
    for _ in range(MAX_THREAD_DEPTH):  # a run of one author's posts shares its first post as root
        moved = same_author & (root != root[np.maximum(parent, 0)])
        if not moved.any():
            break
        root[moved] = root[parent[moved]]
    times = posts["timestamp"].dt.tz_convert(None).to_numpy()  # naive UTC: fast comparisons
    reply = pd.notna(own) & (parent >= 0)
    target = parent[reply]
    replies = pd.DataFrame({"root": root[target], "brand": own[reply], "asked": times[target],
                            "answered": times[reply]})  # fmt: skip
    replies = replies[replies["brand"].to_numpy() == addressed[target]]
    asks = pd.DataFrame({"post": np.arange(n), "root": root, "brand": addressed, "at": times})
    pairs = asks[pd.notna(addressed) & pd.isna(own)].merge(replies, on=["root", "brand"])
    pairs = pairs[(pairs["asked"] >= pairs["at"]) & (pairs["answered"] >= pairs["at"])]
    first = pairs.groupby("post")["answered"].min().reindex(np.arange(n))
    return pd.Series(first.to_numpy(), index=posts.index).dt.tz_localize("UTC").astype(TIMESTAMP_DTYPE)


def resolve(posts: pd.DataFrame, brands: Sequence[Brand], log: ImportLog) -> pd.DataFrame:
    """The posts that address a brand, with ``brand``, ``answered_at`` and ``replies_to_brand``;
    the brands' own posts and posts addressing no brand dropped (and logged).

    Parameters
    ----------
    posts
        `listening.read_posts` rows (or `read_tweets_js`): ``post_id``, ``timestamp``, ``text``,
        ``author``, ``author_handle``, ``brand_named``, ``in_reply_to``, ``in_reply_to_account``,
        ``answered_at``, ``line``.
    brands
        The brands and their accounts (`parse_brands`).
    """
    twice = posts["post_id"].duplicated()
    log.drop(
        "post id given twice (the first kept)",
        list(posts.loc[twice, "line"]),
        list(posts.loc[twice, "post_id"]),
    )
    posts = posts[~twice.to_numpy()].reset_index(drop=True)
    account = {a: b.name for b in brands for a in b.accounts}
    named_brand = {b.name.lower(): b.name for b in brands} | account
    own = posts["author"].str.lower().str.lstrip("@").map(account)
    own = own.fillna(posts["author_handle"].str.lower().map(account)).to_numpy(dtype=object)
    index = pd.Series(np.arange(len(posts)), index=posts["post_id"].to_numpy())
    parent = posts["in_reply_to"].map(index).fillna(-1).astype(int).to_numpy()
    replied = pd.Series(own[np.maximum(parent, 0)]).where(parent >= 0)
    replied = replied.fillna(posts["in_reply_to_account"].str.lower().map(account)).to_numpy(dtype=object)
    named = posts["brand_named"].str.strip()
    named = (named.str.lower().map(named_brand) if brands else named.replace("", np.nan)).to_numpy(
        dtype=object
    )
    mentioned = _first_handle(posts["text"], {h: b.name for b in brands for h in b.handles}).to_numpy(
        dtype=object
    )
    addressed = (
        pd.Series(replied).fillna(pd.Series(named)).fillna(pd.Series(mentioned)).to_numpy(dtype=object)
    )
    addressed = _follow(addressed, parent, pd.isna(own))
    answered = _answered(posts, own, addressed, parent)
    out = posts.assign(brand=addressed, replies_to_brand=pd.notna(replied),
                       answered_at=pd.to_datetime(posts["answered_at"], utc=True).astype(TIMESTAMP_DTYPE).fillna(answered))  # fmt: skip
    is_own, unaddressed = pd.notna(own), pd.isna(addressed) & pd.isna(own)
    log.drop(OWN_POSTS, list(out.loc[is_own, "line"]))
    log.drop(
        UNADDRESSED, list(out.loc[unaddressed, "line"]), list(out.loc[unaddressed, "text"].str.slice(0, 60))
    )
    kept = out[~(is_own | unaddressed)].reset_index(drop=True)
    if (parent >= 0).any() or posts["in_reply_to"].ne("").any():
        log.notes.append(f"answered_at from the brands' replies in the threads: {int(kept['answered_at'].notna().sum())} "
                         f"of {len(kept)} mention(s) answered")  # fmt: skip
    return kept


def author_ids(authors: pd.Series, salt: str) -> pd.Series:
    """``A`` + the first 16 hex digits of SHA-256(salt, NUL, lower-cased author id or handle)."""
    prefix = salt.encode("utf-8") + b"\x00"
    codes, uniques = pd.factorize(authors.astype(str).str.strip().str.lower().str.lstrip("@"))
    hashed = np.array(["A" + hashlib.sha256(prefix + str(u).encode("utf-8")).hexdigest()[:16] for u in uniques],
                      dtype=object)  # fmt: skip
    return pd.Series(hashed[codes] if len(codes) else [], index=authors.index, dtype=object)


def _counts(posts: pd.DataFrame, log: ImportLog) -> dict[str, np.ndarray]:
    out = {}
    for role in COUNTS:
        values = pd.to_numeric(posts[role], errors="coerce")
        if values.isna().all() and len(values):
            log.notes.append(f"{role}: not in the export, written as 0")
        negative = values < 0
        if negative.any():
            raise InputError(f"{int(negative.sum())} negative {role} count(s)", column=role,
                             rows=list(posts.loc[negative, "line"].head(50)), values=list(values[negative].head(MAX_SHOWN)),
                             expected="counts of 0 or more")  # fmt: skip
        out[role] = values.fillna(0).round().astype("int64").to_numpy()
    return out


def to_mentions(
    posts: pd.DataFrame, brands: Sequence[Brand], options: ImportOptions, log: ImportLog
) -> pd.DataFrame:
    """Resolved posts (`resolve`) as rows of our ``mentions`` table, plus ``question_flag``.

    Raises
    ------
    InputError
        No salt for the author hash (`shop.salt_of`), posts without a platform and no
        ``--platform``, negative counts.
    """
    salt = salt_of(options.salt)
    platform = posts["platform"].replace("", np.nan)
    if options.platform:
        platform = platform.fillna(options.platform.lower())
    if platform.isna().any():
        rows = posts.loc[platform.isna(), "line"]
        raise InputError(f"{len(rows)} post(s) without a platform", rows=list(rows.head(50)), key="platform",
                         expected="a platform column in the export, or --platform (twitter, instagram, ...)")  # fmt: skip
    early = (posts["answered_at"] < posts["timestamp"]).fillna(False)
    if early.any():
        raise InputError(f"{int(early.sum())} post(s) answered before they were posted", key="answered_at",
                         rows=list(posts.loc[early, "line"].head(50)),
                         values=list(posts.loc[early, "answered_at"].astype(str).head(MAX_SHOWN)),
                         expected="answer times at or after the post's time (both in UTC; check the profile's "
                         "timezone)")  # fmt: skip
    flagged = posts["is_question"].notna().to_numpy()
    handles = [h for b in brands for h in b.handles] or [
        "@" + b.lower() for b in posts["brand"].dropna().unique()
    ]
    detected = questions.detect_questions(posts["text"], handles=handles,
                                          replies_to_brand=posts["replies_to_brand"].to_numpy())  # fmt: skip
    exported = posts["is_question"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    is_question = np.where(flagged, exported, detected["is_question"].to_numpy(dtype=bool))
    flag = np.where(flagged, questions.FLAGGED_BY_EXPORT, questions.DETECTED)
    log.notes.append(f"is_question: {int(flagged.sum())} flagged by the export, {int((~flagged).sum())} detected from "
                     f"the text (socialreturns.sources.questions), {int(is_question.sum())} question(s) in all; "
                     "the question_flag column says which")  # fmt: skip
    author = posts["author"].where(posts["author"] != "", posts["author_handle"])
    return pd.DataFrame({
        "post_id": posts["post_id"].astype(str).to_numpy(), "timestamp": posts["timestamp"].astype(TIMESTAMP_DTYPE),
        "platform": platform.astype(str).to_numpy(), "brand": posts["brand"].astype(str).to_numpy(),
        "author_id": author_ids(author, salt).to_numpy(), "customer_id": pd.NA, "text": posts["text"].to_numpy(),
        **_counts(posts, log), "is_question": is_question.astype(bool),
        "answered_at": posts["answered_at"].astype(TIMESTAMP_DTYPE), "currency": pd.NA, "question_flag": flag,
    })  # fmt: skip


# --------------------------------------------------------------------------- tweets.js

_YTD = re.compile(r"^\s*window\.YTD\.(\w+)\.part\d+\s*=\s*")
ARCHIVE_TITLE = "an X (Twitter) archive tweets.js"
ARCHIVE_HEADER = 'window.YTD.tweets.part0 = [{"tweet": {id_str, created_at, full_text, favorite_count, ...}}]'


def _ytd(path: Path, what: str) -> list[dict]:
    if not path.is_file():
        raise InputError("no such file", file=path, expected=what)
    text, _ = decode(path.read_bytes(), path)
    found = _YTD.match(text)
    if not found:
        raise InputError(f"is not {what}: it does not start with 'window.YTD.<name>.part0 = '", file=path,
                         expected=ARCHIVE_HEADER, hint="Take data/tweets.js from the unzipped archive")  # fmt: skip
    try:
        items = json.loads(text[found.end() :].strip().rstrip(";"))
    except json.JSONDecodeError as exc:
        line = text[: found.end()].count("\n") + exc.lineno
        raise InputError(f"holds broken JSON on line {line} ({exc.msg})", file=path, rows=[f"line {line}"],
                         expected="the archive's file as downloaded, not edited") from None  # fmt: skip
    if not isinstance(items, list):
        raise InputError("does not hold a list of entries", file=path, expected=ARCHIVE_HEADER)
    return items


def _owner(path: Path) -> tuple[str, str]:
    """The archive owner's account id and username from ``account.js`` beside ``tweets.js``."""
    account = path.with_name("account.js")
    if not account.is_file():
        return "", ""
    entry = (_ytd(account, "an X archive account.js") or [{}])[0].get("account", {})
    return str(entry.get("accountId", "")), str(entry.get("username", ""))


def _tweet_id(value: object, path: Path, field: str, number: int) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) or not re.fullmatch(r"\d+", str(value)):
        raise InputError(f"tweet {number} has the {field} {value!r}, not a whole id", file=path, column=field,
                         rows=[f"tweet {number}"], values=[value],
                         expected="ids as digit strings such as \"1583189237023961088\" (a float has lost its last digits)")  # fmt: skip
    return str(value)


def read_tweets_js(path: Path, log: ImportLog) -> pd.DataFrame:
    """The tweets of an X archive's ``tweets.js`` as `listening.read_posts` rows.

    Each entry is ``{"tweet": {...}}`` with ``id_str``, ``created_at`` (``Wed Oct 19 20:07:25
    +0000 2022``), ``full_text``, counts as strings (``favorite_count``, ``retweet_count``),
    ``in_reply_to_status_id_str``, ``in_reply_to_user_id_str``, ``in_reply_to_screen_name``; the
    author is the tweet's ``user`` when given, else the archive's owner (``account.js`` beside
    it).

    Raises
    ------
    InputError
        A file that is not such a file, an id that is not a digit string, a count that is not a
        whole number, an unreadable time.
    """
    items = _ytd(path, ARCHIVE_TITLE)
    owner_id, owner_name = _owner(path)
    rows = []
    for number, item in enumerate(items, start=1):
        tweet = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tweet, dict) or "created_at" not in tweet:
            raise InputError(f"entry {number} is not a tweet", file=path, rows=[f"tweet {number}"],
                             expected=ARCHIVE_HEADER)  # fmt: skip
        user = tweet.get("user") or {}
        counts = {}
        for role, field_ in (
            ("likes", "favorite_count"),
            ("shares", "retweet_count"),
            ("comments", "reply_count"),
        ):
            value = str(tweet.get(field_, "")).strip()
            if value and not value.isdigit():
                raise InputError(f"tweet {number} has the {field_} {value!r}", file=path, column=field_,
                                 rows=[f"tweet {number}"], values=[value], expected="a whole number (as a string)")  # fmt: skip
            counts[role] = int(value) if value else np.nan
        rows.append({
            "post_id": _tweet_id(tweet.get("id_str", tweet.get("id")), path, "id_str", number),
            "created_at": str(tweet["created_at"]), "text": str(tweet.get("full_text", tweet.get("text", ""))),
            "author": str(user.get("id_str") or owner_id or user.get("screen_name") or owner_name),
            "author_handle": str(user.get("screen_name") or owner_name), "brand_named": "", "platform": "twitter",
            **counts, "reach": np.nan, "is_question": np.nan, "answered_at": pd.NaT,
            "in_reply_to": _tweet_id(tweet.get("in_reply_to_status_id_str"), path, "in_reply_to_status_id_str", number),
            "in_reply_to_account": str(tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_screen_name") or ""),
            "inbound": np.nan, "line": f"{path.name} tweet {number}",
        })  # fmt: skip
    unknown = [r["line"] for r in rows if not r["author"]]
    if unknown:
        raise InputError(f"does not say whose {len(unknown)} tweet(s) these are", file=path, rows=unknown[:50],
                         expected="account.js of the same archive beside tweets.js (or a user object per tweet)",
                         hint="Copy data/account.js from the unzipped archive into the same folder")  # fmt: skip
    data = path.read_bytes()
    log.files.append({"path": str(path), "sha256": hashlib.sha256(data).hexdigest(), "rows_read": len(rows)})
    log.rows_read += len(rows)
    frame = pd.DataFrame(rows, columns=["post_id", "created_at", "text", "author", "author_handle", "brand_named",
                                        "platform", "likes", "shares", "comments", "reach", "is_question",
                                        "answered_at", "in_reply_to", "in_reply_to_account", "inbound", "line"])  # fmt: skip
    times = twitter_times(frame.pop("created_at"))
    bad = times.isna()
    if bad.any():
        raise InputError(f"{int(bad.sum())} created_at value(s) cannot be read as times", file=path, column="created_at",
                         rows=list(frame.loc[bad, "line"].head(50)), expected="times such as Wed Oct 19 20:07:25 +0000 2022")  # fmt: skip
    out = out_of_range(times)
    if out.any():
        raise range_error(times, out, column="created_at", rows=list(frame.loc[out, "line"]), file=path)
    frame.insert(1, "timestamp", times.astype(TIMESTAMP_DTYPE))
    return frame


# --------------------------------------------------------------------------- sources

REPLY_TITLE = PROFILES["customer-support"].title
REPLY_HEADER = PROFILES["customer-support"].header_line() + " (or any layout through --profile FILE.yaml)"


def _posts(paths: Sequence[Path], options: ImportOptions, log: ImportLog, archive: bool,
           default_profile: str | None) -> pd.DataFrame:  # fmt: skip
    if archive:
        return pd.concat([read_tweets_js(p, log) for p in paths], ignore_index=True)
    if options.profile is None and default_profile is None:
        raise InputError("needs a profile saying which column holds what", key="profile",
                         expected="--profile FILE.yaml (data/IMPORT.md shows the keys) or a built-in profile: "
                         + ", ".join(PROFILES))  # fmt: skip
    profile = profile_for(options.profile, default_profile or "")
    return pd.concat([read_posts(p, profile, log) for p in paths], ignore_index=True)


def _earlier_answered(posts: pd.DataFrame, brands: Sequence[Brand], options: ImportOptions,
                     log: ImportLog) -> pd.DataFrame | None:  # fmt: skip
    """Mentions already in the folder that the brands' posts here reply to, with ``answered_at``
    set to the first such reply: a brand's own archive holds its answers, not the questions."""
    path = options.folder / "mentions.csv" if options.folder else None
    account = {a: b.name for b in brands for a in b.accounts}
    own = posts["author"].str.lower().map(account).fillna(posts["author_handle"].str.lower().map(account))
    reply = own.notna() & posts["in_reply_to"].ne("") & ~posts["in_reply_to"].isin(posts["post_id"])
    if path is None or not path.is_file() or not reply.any():
        return None
    from socialreturns.data import load_table

    answers = pd.DataFrame({"post_id": posts.loc[reply, "in_reply_to"], "brand": own[reply],
                            "at": posts.loc[reply, "timestamp"]}).groupby(["post_id", "brand"])["at"].min()  # fmt: skip
    existing = load_table("mentions", path)
    keys = pd.MultiIndex.from_arrays([existing["post_id"].astype(str), existing["brand"].astype(str)])
    found = pd.Series(answers.reindex(keys).to_numpy(), index=existing.index).astype(TIMESTAMP_DTYPE)
    found = found.where(found >= existing["timestamp"])
    earlier = existing["answered_at"].astype(TIMESTAMP_DTYPE)
    changed = found.notna() & (earlier.isna() | (found < earlier))
    log.notes.append(f"answered_at of {int(changed.sum())} mention(s) already in the folder set from the brands' "
                     f"replies in this export ({int(reply.sum())} repl(ies) to posts not in it)")  # fmt: skip
    rows = existing[changed].assign(answered_at=found[changed])
    return rows.drop(columns=[c for c in ("source",) if c in rows.columns])


def converter(*, archive: bool = False, profile: str | None = None) -> Convert:
    """The ``convert`` of a mentions source: the X archive, or exports read through ``profile``
    (a `listening.PROFILES` name; None: the user's ``--profile`` is required)."""

    def convert(paths: Sequence[Path], options: ImportOptions, log: ImportLog) -> dict[str, pd.DataFrame]:
        posts = _posts(paths, options, log, archive, profile)
        brands = parse_brands(options.brands) or _brands_from_outbound(posts)
        if not brands and posts["brand_named"].eq("").all():
            raise InputError("needs the brands' accounts to tell their posts and mentions apart", key="brand",
                             expected="--brand NAME=@handle[,account id...] for each brand, e.g. "
                             "--brand Lumora=@lumora,12345")  # fmt: skip
        if brands:
            log.notes.append(
                "brands: " + "; ".join(f"{b.name} = {', '.join(sorted(b.accounts))}" for b in brands)
            )
        if not posts["in_reply_to"].ne("").any():
            log.notes.append(
                "answered_at: the export has no reply threads, so it is empty unless the export gives it"
            )
        mentions = to_mentions(resolve(posts, brands, log), brands, options, log)
        earlier = _earlier_answered(posts, brands, options, log)
        if earlier is not None and len(earlier):
            mentions = pd.concat([mentions, earlier[earlier.columns.intersection(mentions.columns)]],
                                 ignore_index=True)  # fmt: skip
        return {"mentions": mentions}

    return convert
