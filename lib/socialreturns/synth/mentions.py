"""The mentions table: who posts what about which brand, when, where, and with what reach.

Ordinary posts about the brand and its competitors follow a season and a slow trend, each brand
with its own mix of moods; a product crisis adds negative posts about the brand in a known
window. Some posts are traps for a lexicon scorer (`TRAPS`): complaints without a sentiment
word, sarcasm, mixed languages, and a competitor named after a word of the lexicon. Questions to the brand are
answered at a known rate and speed per platform, and half of the askers post again, more
likely positive when they were answered. Some posts are retweets of earlier ones, some are not
in English, and the human labels disagree with the writer's intent now and then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .commerce import _season
from .templates import _MOODS, _compose
from .truth import (
    BRAND,
    COMPETITORS,
    CRISIS,
    LEXICON_WORD_COMPETITOR,
    MOODS_BY_BRAND,
    MOODS_DEFAULT,
    N_DAYS,
    PLATFORMS,
    RESPONSE,
    RESPONSE_SIGMA,
    START,
    TRAPS,
    _post_id,
)


def _mentions(
    rng: np.random.Generator,
    customers: pd.DataFrame,
    scale: float,
    routed_rng: np.random.Generator | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Draw the mentions table and its truth (true labels, ids of the non-English posts).

    Each step draws from ``rng`` in turn, so the order of the steps is part of the sample. With
    ``routed_rng``, posts with known routes (`routes.sample_posts`) are drawn from it and added
    after the others' ids, so every other post keeps its id, text and label.
    """
    n = int(round(50_000 * scale))
    posts = _append(_ordinary_posts(rng, n), _crisis_posts(rng, n))
    day = posts.pop("day")
    posts["t"] = day + rng.random(day.size)
    n_authors = int(round(18_000 * scale))
    posts["author"], author_customer = _authors(rng, day.size, n_authors, customers)
    posts["platform"] = rng.choice(PLATFORMS, size=day.size, p=[0.28, 0.22, 0.18, 0.14, 0.10, 0.08])
    # The brand's inbox knows only the questions addressed to it.
    to_brand = posts["question"] & (posts["brand"] == BRAND)
    posts["answered_at"] = _answers(rng, posts, to_brand)
    posts = _append(posts, _followups(rng, posts, to_brand))

    texts, label, non_english, trap = _texts(rng, posts)
    _retweet(rng, posts, texts, label, non_english, trap)
    # Human labels disagree with the writer's intent now and then.
    flip = rng.random(label.size) < 0.03
    label[flip] = rng.choice(list(_MOODS), size=int(flip.sum()))
    engagement = _engagement(rng, posts["kind"])

    frame = pd.DataFrame({
        "timestamp": START + pd.to_timedelta(np.round(posts["t"] * 86400), unit="s"),
        "platform": posts["platform"],
        "brand": posts["brand"],
        "author_id": np.array([f"U{a + 1:06d}" for a in range(n_authors)], dtype=object)[posts["author"]],
        "customer_id": author_customer[posts["author"]],
        "text": texts,
        **engagement,
        "is_question": posts["question"],
        "answered_at": START + pd.to_timedelta(np.round(posts["answered_at"] * 86400), unit="s"),
        "_label": label,
        "_non_english": non_english,
        "_trap": trap,
    })  # fmt: skip
    frame = frame.sort_values("timestamp", kind="stable", ignore_index=True)
    frame.insert(0, "post_id", [_post_id(i + 1) for i in range(len(frame))])
    routed = _routed_posts(routed_rng, customers, scale, first=len(frame) + 1) if routed_rng else None
    if routed is not None:
        frame = pd.concat([frame, routed.drop(columns="_routes")], ignore_index=True)
    truth = _truth(frame)  # in post_id order
    truth["routes"] = {} if routed is None else {
        route: routed.loc[routed["_routes"].str.split(",").map(lambda r, x=route: x in r), "post_id"].tolist()
        for route in ("care", "complaint", "purchase_intent", "disclosure_missing", "regulated_claim",
                      "product_feedback", "employer")
    }  # fmt: skip
    if routed is not None:  # the posts with known routes that go to no team (hard negatives and the like)
        truth["routes"]["unrouted"] = routed.loc[routed["_routes"] == "", "post_id"].tolist()
    frame = frame.sort_values(["timestamp", "post_id"], kind="stable", ignore_index=True)
    return frame.drop(columns=["_label", "_non_english", "_trap"]), truth


def _routed_posts(
    rng: np.random.Generator, customers: pd.DataFrame, scale: float, *, first: int
) -> pd.DataFrame:
    """Posts with known routes (`routes.sample_posts`), with their answers, engagement and post ids
    from ``first`` on; an answer due after the data's end is not given yet."""
    from .routes import sample_posts

    n = int(round(1_500 * scale))
    posts = sample_posts(rng, n, customer_ids=customers["customer_id"].to_numpy(), n_days=N_DAYS, start=START)
    t = posts.pop("day").to_numpy()
    answered = _answers(
        rng, {"t": t, "platform": posts["platform"].to_numpy()}, posts["is_question"].to_numpy()
    )
    answered[answered >= N_DAYS] = np.nan
    kind = np.where(posts["_label"] == "negative", "negative", "neutral")
    posts = posts.assign(
        timestamp=START + pd.to_timedelta(np.round(t * 86400), unit="s"),
        answered_at=START + pd.to_timedelta(np.round(answered * 86400), unit="s"),
        _trap="",
        **_engagement(rng, kind),
    )
    posts.insert(0, "post_id", [_post_id(first + i) for i in range(n)])
    return posts


def _append(posts: dict[str, np.ndarray], more: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The posts' columns with the rows of ``more`` (the same columns) after them."""
    return {name: np.concatenate([column, more[name]]) for name, column in posts.items()}


def _ordinary_posts(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` ordinary posts: day, brand, kind (mood) and whether it is a question."""
    days = np.arange(N_DAYS)
    brands = np.array([BRAND, *COMPETITORS], dtype=object)
    # Volume with a season and a slow trend.
    rate = _season(days) * (0.85 + 0.3 * days / N_DAYS)
    day = rng.choice(days, size=n, p=rate / rate.sum())
    which = rng.choice(brands.size, size=n, p=[0.40, 0.25, 0.20, 0.15])
    # each brand's own mix of moods (`MOODS_BY_BRAND`): the mood is the first cumulative share above a draw
    cumulative = np.array([np.cumsum(MOODS_BY_BRAND.get(b, MOODS_DEFAULT))[:2] for b in brands])
    kind = np.array(_MOODS, dtype=object)[(rng.random(n)[:, None] >= cumulative[which]).sum(axis=1)]
    brand = brands[which]
    question = (rng.random(n) < 0.25) & (kind == "neutral")
    return {"day": day, "brand": brand, "kind": kind, "question": question}


def _crisis_posts(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Extra negative posts about the brand, rising then fading over the crisis window.

    ``n`` is the number of ordinary posts; at the peak the brand's negative posts are
    ``CRISIS["peak_multiplier"]`` times their ordinary level.
    """
    crisis_start = (pd.Timestamp(CRISIS["start"], tz="UTC") - START).days
    crisis_end = (pd.Timestamp(CRISIS["end"], tz="UTC") - START).days
    length = crisis_end - crisis_start + 1
    shape = np.sin(np.pi * (np.arange(length) + 0.5) / length)
    base_neg = n * 0.40 * 0.25 / N_DAYS
    extra = rng.poisson(base_neg * (CRISIS["peak_multiplier"] - 1) * shape)
    day = np.repeat(np.arange(crisis_start, crisis_end + 1), extra)
    m = day.size
    return {
        "day": day,
        "brand": np.full(m, BRAND, dtype=object),
        "kind": np.full(m, "crisis", dtype=object),
        "question": np.zeros(m, dtype=bool),
    }


def _authors(
    rng: np.random.Generator, n_posts: int, n_authors: int, customers: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Each post's author (an index, a few authors post a lot) and each author's customer id.

    About a third of authors are known customers of the brand (matched by the CRM); the others
    have an empty customer id.
    """
    author_weights = 1.0 / np.arange(1, n_authors + 1) ** 0.6
    author = rng.choice(n_authors, size=n_posts, p=author_weights / author_weights.sum())
    cust_ids = customers["customer_id"].to_numpy()
    author_customer = np.where(
        rng.random(n_authors) < 0.33, cust_ids[rng.integers(0, cust_ids.size, n_authors)], ""
    )
    return author, author_customer


def _answers(rng: np.random.Generator, posts: dict[str, np.ndarray], to_brand: np.ndarray) -> np.ndarray:
    """When the brand answered each question addressed to it (days since START; NaN if never)."""
    t, platform = posts["t"], posts["platform"]
    answered_at = np.full(t.size, np.nan)
    for plat, (rate_answered, median_h) in RESPONSE.items():
        sel = np.flatnonzero(to_brand & (platform == plat))
        ok = sel[rng.random(sel.size) < rate_answered]
        answered_at[ok] = t[ok] + rng.lognormal(np.log(median_h), RESPONSE_SIGMA, ok.size) / 24.0
    return answered_at


def _followups(
    rng: np.random.Generator, posts: dict[str, np.ndarray], to_brand: np.ndarray
) -> dict[str, np.ndarray]:
    """Follow-up posts: half of the askers post again 1-10 days later; mood depends on being answered.

    Returns the follow-ups' columns; their kind is ``fpositive``, ``fneutral`` or ``fnegative``.
    """
    asked = np.flatnonzero(to_brand)
    follows = asked[rng.random(asked.size) < 0.5]
    f_answered = ~np.isnan(posts["answered_at"][follows])
    p_pos = np.where(f_answered, 0.60, 0.15)
    p_neg = np.where(f_answered, 0.10, 0.60)
    u = rng.random(follows.size)
    f_kind = np.where(u < p_pos, "fpositive", np.where(u < p_pos + p_neg, "fnegative", "fneutral"))
    f_t = posts["t"][follows] + rng.uniform(1.0, 10.0, follows.size)
    keep = f_t < N_DAYS
    follows, f_kind, f_t = follows[keep], f_kind[keep], f_t[keep]
    return {
        "t": f_t,
        "brand": posts["brand"][follows],
        "kind": f_kind.astype(object),
        "question": np.zeros(follows.size, dtype=bool),
        "author": posts["author"][follows],
        "platform": posts["platform"][follows],
        "answered_at": np.full(follows.size, np.nan),
    }


def _texts(
    rng: np.random.Generator, posts: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each post's text, its true label, whether it is not in English, and its trap ("" for none)."""
    kind, question, brand = posts["kind"], posts["question"], posts["brand"]
    total = kind.size
    non_english = (rng.random(total) < 0.03) & ~question & np.isin(kind, list(_MOODS))
    label = np.empty(total, dtype=object)
    texts = np.empty(total, dtype=object)
    trap = np.empty(total, dtype=object)
    draws = rng.random((total, 15))
    for i in range(total):
        texts[i], label[i], trap[i] = _compose(kind[i], question[i], non_english[i], draws[i], brand[i])
    return texts, label, non_english, trap


def _retweet(
    rng: np.random.Generator,
    posts: dict[str, np.ndarray],
    texts: np.ndarray,
    label: np.ndarray,
    non_english: np.ndarray,
    trap: np.ndarray,
) -> None:
    """Turn about 6% of ordinary posts into retweets of an earlier post, in place.

    A retweet repeats its source verbatim behind ``RT @author:`` and takes its label, brand,
    language and trap.
    """
    kind, author, t, brand = posts["kind"], posts["author"], posts["t"], posts["brand"]
    ordinary = np.flatnonzero(~posts["question"] & ~np.char.startswith(kind.astype(str), "f"))
    retweets = ordinary[rng.random(ordinary.size) < 0.06]
    sources = ordinary[rng.integers(0, ordinary.size, retweets.size)]
    for i, j in zip(retweets, sources, strict=True):
        if t[j] < t[i]:
            texts[i] = f"RT @U{author[j] + 1:06d}: {texts[j]}"
            label[i], brand[i], non_english[i], trap[i] = label[j], brand[j], non_english[j], trap[j]


def _engagement(rng: np.random.Generator, kind: np.ndarray) -> dict[str, np.ndarray]:
    """Each post's likes, shares, comments and reach; negative and crisis posts travel further."""
    reach = np.round(rng.lognormal(6.0, 1.4, kind.size)).astype(np.int64) + 1
    virality = np.where(np.isin(kind, ["crisis", "negative"]), 1.6, 1.0)
    likes = rng.poisson(reach * 0.03 * virality)
    shares = rng.negative_binomial(1.0, 1.0 / (1.0 + reach * 0.004 * virality))
    comments = rng.poisson(reach * 0.006 * virality)
    return {"likes": likes, "shares": shares, "comments": comments, "reach": reach}


def _truth(frame: pd.DataFrame) -> dict[str, object]:
    """The mentions' part of the truth, from the sorted frame with its ``_label`` and ``_non_english``."""
    labels = "".join({"positive": "p", "neutral": "u", "negative": "n"}[x] for x in frame["_label"])
    return {
        "mention_sentiment": {
            "post_ids": {"first": 1, "step": 1},
            "encoding": "one character per mention in post_id order: p=positive, u=neutral, "
            "n=negative; use Truth.sentiment_labels()",
            "labels": labels,
        },
        "non_english_post_ids": frame.loc[frame["_non_english"], "post_id"].tolist(),
        "traps": {
            "lexicon_word_competitor": LEXICON_WORD_COMPETITOR,
            "moods": {b: list(MOODS_BY_BRAND.get(b, MOODS_DEFAULT)) for b in (BRAND, *COMPETITORS)},
            **{name: frame.loc[frame["_trap"] == name, "post_id"].tolist() for name in TRAPS},
        },
    }
