"""Crisis episodes: `negative_volume` against its expected level, `detect_spikes` (runs of
unusually many negative mentions), and what an episode is about (`distinctive_words`,
`episode_words`, `episode_examples`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from socialreturns.data import require_brand, require_columns
from socialreturns.inputs import InputError

from .brands import aliases, mask
from .language import stopwords
from .privacy import redact
from .scorer import MAX_TEXT_CHARS, _as_series, score

_PERIODS = {"D": 7, "h": 24}  # the seasonal period of each counting frequency
#: Seasons (weeks of days, days of hours) the negative volume must span to be scored.
MIN_SEASONS = 4
#: Longest run without white space handed to the tokenizer; longer runs are cut to this length
#: (no word is that long). NLTK's URL pattern tries up to 127 labels from every letter of a run
#: like "a.a.a…", so only bounded runs keep tokenising linear in the text.
MAX_TOKEN_CHARS = 100
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_TOKEN_CHARS + 1},}}")


def negative_mentions(mentions: pd.DataFrame, scores: pd.DataFrame, *, brand: str) -> pd.Series:
    """Whether each of ``brand``'s mentions is negative: classed ``negative`` in ``scores`` (the
    report's classes, `classify_mentions`) and in English (another language's class means little,
    the lexicon being English). Indexed like ``brand``'s rows of ``mentions``, named ``negative``:
    what the crisis episodes count and what ROR's earned media value leaves out.

    >>> m = pd.DataFrame({"brand": ["Us", "Us", "Them"]})
    >>> s = pd.DataFrame({"label": ["negative", "negative", "negative"], "english": [True, False, True]})
    >>> negative_mentions(m, s, brand="Us").tolist()
    [True, False]
    """
    require_columns(mentions, ("brand",), "mentions")
    require_brand(mentions, brand)
    own = mentions.index[mentions["brand"].astype(str) == brand]
    english = scores["english"].reindex(own).fillna(False).astype(bool)
    return (english & scores["label"].reindex(own).eq("negative")).rename("negative")


def negative_volume(
    mentions: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    brand: str,
    freq: str = "D",
    seasonal: int = 15,
    trend: int = 121,
) -> pd.DataFrame:
    """Negative mentions of ``brand`` per day (or hour), their expected level and a robust score.

    The counts are put on a variance-stabilised scale (Anscombe: 2·sqrt(count + 3/8), about
    unit variance for Poisson counts) and decomposed with statsmodels' robust STL (Cleveland et
    al. 1990) into trend, weekly (or daily) season and residual; the robust fit keeps a spike
    from pulling the trend up. The ``score`` is the residual over its median absolute deviation
    (scaled by 1.4826 to match a standard deviation), so ordinary days score within ±3.

    Parameters
    ----------
    freq
        ``"D"`` (days, weekly season) or ``"h"`` (hours, daily season), in UTC.
    seasonal, trend
        STL's season and trend smoother lengths, in periods (odd numbers; the trend window
        should be well longer than any crisis, so that a crisis stands out from it).

    Returns
    -------
    One row per period: ``period`` (start), ``negative_mentions``, ``expected`` (trend plus
    season, back on the count scale), ``excess`` (observed minus expected) and ``score``. When
    the mentions span fewer than `MIN_SEASONS` seasons (28 days, or 4 days by the hour), there is
    no telling a spike from the season: ``expected``, ``excess`` and ``score`` are missing, and
    `detect_spikes` finds no episode.
    """
    from statsmodels.tsa.seasonal import STL

    require_columns(mentions, ("timestamp", "brand"), "mentions")
    if freq not in _PERIODS:
        raise InputError(f"is {freq!r}", key="freq", expected="'D' (days) or 'h' (hours)")
    own = mentions["brand"].astype(str) == brand
    negative = negative_mentions(mentions, scores, brand=brand).reindex(mentions.index, fill_value=False)
    stamps = pd.to_datetime(mentions["timestamp"], utc=True).dt.tz_localize(None).dt.floor(freq)
    index = pd.date_range(stamps[own].min(), stamps[own].max(), freq=freq)
    period = _PERIODS[freq]
    counts = negative.groupby(stamps).sum().reindex(index, fill_value=0).astype(float)
    if len(index) < MIN_SEASONS * period:  # too short to tell a spike from the season: no score
        nan = np.full(len(index), np.nan)
        return pd.DataFrame({"period": index, "negative_mentions": counts.to_numpy().astype(int),
                             "expected": nan, "excess": nan, "score": nan})  # fmt: skip
    stable = 2.0 * np.sqrt(counts + 3.0 / 8.0)
    fit = STL(stable, period=period, seasonal=seasonal, trend=trend, robust=True).fit()
    resid = fit.resid - np.median(fit.resid)
    mad = 1.4826 * np.median(np.abs(resid))
    scale = mad if mad > 0 else (resid.std() or 1.0)
    expected = np.maximum((np.asarray(fit.trend + fit.seasonal) / 2.0) ** 2 - 3.0 / 8.0, 0.0)
    return pd.DataFrame({
        "period": index, "negative_mentions": counts.to_numpy().astype(int), "expected": expected,
        "excess": counts.to_numpy() - expected, "score": np.asarray(resid) / scale,
    })  # fmt: skip


def detect_spikes(
    mentions: pd.DataFrame,
    *,
    brand: str,
    scores: pd.DataFrame | None = None,
    freq: str = "D",
    sensitivity: float = 3.5,
    extend_at: float = 1.0,
    min_periods: int = 2,
    max_gap: int = 1,
) -> pd.DataFrame:
    """Crisis episodes: runs of unusually many negative mentions of ``brand``.

    An episode starts from a period whose `negative_volume` score reaches ``sensitivity``
    (robust standard deviations above the expected level) and extends both ways while the
    score stays above ``extend_at`` (hysteresis, so an episode's start is the first raised
    period, not the first alarming one). Runs separated by at most ``max_gap`` quiet periods are
    joined, and episodes shorter than ``min_periods`` are dropped as blips.

    Parameters
    ----------
    mentions
        With ``timestamp``, ``brand`` and ``text`` (scored here unless ``scores`` is given).
    scores
        `score`'s result for the same rows; None scores the texts with every brand of ``mentions``
        masked (`brands.mask`).
    sensitivity
        The alarm threshold; lower finds more (and more false) episodes. At 3.5, a series of
        independent normal scores raises a false alarm about once in 4,000 periods.

    Returns
    -------
    One row per episode: ``start``, ``end`` (last period, inclusive), ``periods``, ``peak``
    (the period with the highest score), ``score`` (that score), ``negative_mentions`` and
    ``excess_negative_mentions`` (above the expected level, summed over the episode).
    """
    if scores is None:
        require_columns(mentions, ("text",), "mentions")
        scores = score(mask(mentions["text"], aliases(mentions["brand"].astype(str).unique())))
    for key, value in (("sensitivity", sensitivity), ("extend_at", extend_at)):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InputError(f"is {value!r}", key=key, expected="a number of robust standard deviations")
    if extend_at > sensitivity:
        raise InputError(f"extend_at {extend_at} is above sensitivity {sensitivity}", key="extend_at",
                         expected="a number at most sensitivity")  # fmt: skip
    volume = negative_volume(mentions, scores, brand=brand, freq=freq)
    raised = (volume["score"] > extend_at).to_numpy()
    runs: list[list[int]] = []  # [first, last] index of each raised run, gaps up to max_gap joined
    for i in np.flatnonzero(raised):
        if runs and i - runs[-1][1] - 1 <= max_gap:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    rows = []
    for first, last in runs:
        part = volume.iloc[first : last + 1]
        if part["score"].max() < sensitivity or len(part) < min_periods:
            continue
        peak = part["score"].idxmax()
        rows.append({
            "start": part["period"].iloc[0], "end": part["period"].iloc[-1], "periods": len(part),
            "peak": volume.at[peak, "period"], "score": float(volume.at[peak, "score"]),
            "negative_mentions": int(part["negative_mentions"].sum()),
            "excess_negative_mentions": float(part["excess"].sum()),
        })  # fmt: skip
    columns = ["start", "end", "periods", "peak", "score", "negative_mentions", "excess_negative_mentions"]
    return pd.DataFrame(rows, columns=columns)


def _bounded_runs(text: str) -> str:
    return _LONG_RUN.sub(lambda m: m.group(0)[:MAX_TOKEN_CHARS], text)


def _tokenizer() -> object:
    from nltk.tokenize import TweetTokenizer

    # Phone numbers are redacted before tokenising, and NLTK's phone pattern is quadratic in a run
    # of digits (it raises TimeoutError on a 40 kB one), so it is switched off.
    return TweetTokenizer(preserve_case=False, reduce_len=True, match_phone_numbers=False)


def _words(text: str, tokenizer: object, stop: frozenset[str], max_text_chars: int) -> list[str]:
    return [
        t for t in tokenizer.tokenize(_bounded_runs(redact(text[:max_text_chars], handles=True)))  # type: ignore[attr-defined]
        if t not in stop and not t.startswith(("http", "@", "[")) and any(c.isalpha() for c in t) and len(t) > 1
    ]  # fmt: skip


def distinctive_words(
    texts: Sequence[str] | pd.Series,
    baseline: Sequence[str] | pd.Series,
    *,
    top: int = 10,
    language: str = "en",
    max_text_chars: int = 20_000,
) -> pd.DataFrame:
    """The words that set ``texts`` apart from ``baseline``: weighted log-odds with an
    informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words", eq. 22).

    Texts are redacted, split with NLTK's tweet tokenizer (hashtags and emoji kept, handles and
    URLs dropped), lower-cased, and stop words of ``language`` removed. The prior is the pooled
    word counts of both groups, as in the tidylo package: common words need much more evidence
    than rare ones. A word's ``z`` is its log-odds ratio over its standard error; ``z`` above
    1.96 is unusual at about the 5% level. Only the first ``max_text_chars`` characters of a text
    are read (what a report shows of it), and runs of more than `MAX_TOKEN_CHARS` characters
    without white space are cut to that length, so that the time taken is linear in the texts'
    length and one huge post does not outweigh the others.

    Returns
    -------
    The ``top`` words by ``z``: ``word``, ``count`` (in texts), ``baseline_count``,
    ``log_odds`` (texts against baseline) and ``z``.
    """
    MAX_TEXT_CHARS.check("max_text_chars", max_text_chars)
    tokenizer, stop = _tokenizer(), stopwords(language)
    return _fightin_words(_all_words(texts, tokenizer, stop, max_text_chars),
                          _all_words(baseline, tokenizer, stop, max_text_chars), top=top)  # fmt: skip


def _all_words(
    texts: Sequence[str] | pd.Series, tokenizer: object, stop: frozenset[str], max_text_chars: int
) -> pd.Series:
    """Every word of ``texts`` in order (`_words` of each), as `distinctive_words` counts them;
    a text repeated (reposts, templates) is tokenised once."""
    seen: dict[str, list[str]] = {}
    words = []
    for t in _as_series(texts):
        if t not in seen:
            seen[t] = _words(t, tokenizer, stop, max_text_chars)
        words.extend(seen[t])
    return pd.Series(words, dtype=object)


def _fightin_words(a: pd.Series, b: pd.Series, *, top: int) -> pd.DataFrame:
    """`distinctive_words` of the words ``a`` (in texts) against ``b`` (in the baseline)."""
    counts = pd.DataFrame({"count": a.value_counts(), "baseline_count": b.value_counts()}).fillna(0.0)
    if counts.empty or a.empty or b.empty:
        return pd.DataFrame(columns=["word", "count", "baseline_count", "log_odds", "z"])
    prior = counts["count"] + counts["baseline_count"]
    n_a, n_b, n_prior = counts["count"].sum(), counts["baseline_count"].sum(), prior.sum()
    ya, yb = counts["count"] + prior, counts["baseline_count"] + prior
    log_odds = np.log(ya / (n_a + n_prior - ya)) - np.log(yb / (n_b + n_prior - yb))
    z = log_odds / np.sqrt(1.0 / ya + 1.0 / yb)
    out = counts.assign(log_odds=log_odds, z=z).sort_values("z", ascending=False).head(top)
    out[["count", "baseline_count"]] = out[["count", "baseline_count"]].astype(int)
    return out.rename_axis("word").reset_index()


def _in_episode(stamps: pd.Series, start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.Series:
    naive = pd.to_datetime(stamps, utc=True).dt.tz_localize(None)
    return (naive >= start) & (naive < end + pd.Timedelta(1, unit=freq))


def episode_words(
    mentions: pd.DataFrame,
    scores: pd.DataFrame,
    episodes: pd.DataFrame,
    *,
    brand: str,
    freq: str = "D",
    top: int = 10,
    max_text_chars: int = 20_000,
) -> pd.DataFrame:
    """The words of each episode's negative mentions of ``brand`` against those outside every
    episode (`distinctive_words`): what this crisis is about, beyond the usual complaints.

    Returns
    -------
    `distinctive_words`' columns with ``episode`` (its row in ``episodes``) and ``start`` first.
    """
    require_columns(mentions, ("timestamp", "brand", "text"), "mentions")
    require_brand(mentions, brand)
    negative = (mentions["brand"] == brand) & scores["label"].reindex(mentions.index).eq("negative")
    negative &= scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    inside = [_in_episode(mentions["timestamp"], e.start, e.end, freq) for e in episodes.itertuples()]
    outside = negative & ~np.logical_or.reduce(inside) if inside else negative
    MAX_TEXT_CHARS.check("max_text_chars", max_text_chars)
    tokenizer, stop = _tokenizer(), stopwords("en")
    # `distinctive_words` of each episode against the same baseline: its words are read once
    baseline = _all_words(mentions.loc[outside, "text"], tokenizer, stop, max_text_chars) if inside else None
    parts = [
        _fightin_words(_all_words(mentions.loc[negative & sel, "text"], tokenizer, stop, max_text_chars),
                       baseline, top=top)
        .assign(episode=k, start=episodes["start"].iloc[k])
        for k, sel in enumerate(inside)
    ]  # fmt: skip
    columns = ["episode", "start", "word", "count", "baseline_count", "log_odds", "z"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def episode_examples(
    mentions: pd.DataFrame,
    scores: pd.DataFrame,
    episodes: pd.DataFrame,
    *,
    brand: str,
    words: pd.DataFrame | None = None,
    n: int = 5,
    freq: str = "D",
    handles: bool = True,
    keep_handles: Collection[str] = (),
    max_text_chars: int = 20_000,
) -> pd.DataFrame:
    """Examples of what each episode is about: ``n`` distinct negative mentions of ``brand`` in the
    episode, those holding most of its distinctive words first (one per set of words held before
    any repeat), then the most-seen (by reach).

    Parameters
    ----------
    words
        `episode_words` for the same episodes: a mention's ``terms`` are the episode's distinctive
        words it holds (same tokenizer), and it ranks by the sum of their ``z``, so that the
        examples are about the episode rather than its loudest ordinary complaints. None ranks by
        reach alone.
    handles, keep_handles
        `redact`'s: @handles are shown as ``@[user]`` unless ``handles`` is False, except the
        brands' own (``keep_handles``, `brands.brand_handles`).

    Returns
    -------
    ``episode``, ``timestamp``, ``platform``, ``reach``, ``compound``, ``terms`` (the distinctive
    words it holds, comma-separated), ``text`` (redacted) and ``truncated``: True where the text had
    more than ``max_text_chars`` characters and shows only its first ``max_text_chars`` and "…"
    (the part `score` scores).
    """
    MAX_TEXT_CHARS.check("max_text_chars", max_text_chars)
    require_columns(mentions, ("timestamp", "brand", "platform", "reach", "text"), "mentions")
    require_brand(mentions, brand)
    negative = (mentions["brand"] == brand) & scores["label"].reindex(mentions.index).eq("negative")
    tokenizer, stop = _tokenizer(), stopwords("en")
    parts = []
    for k, e in enumerate(episodes.itertuples()):
        sel = negative & _in_episode(mentions["timestamp"], e.start, e.end, freq)
        rows = mentions.loc[sel, ["timestamp", "platform", "reach", "text"]].drop_duplicates("text")
        z = (
            {}
            if words is None
            else dict(words.loc[words["episode"] == k, ["word", "z"]].itertuples(index=False))
        )
        held = [[w for w in dict.fromkeys(_words(str(t), tokenizer, stop, max_text_chars)) if w in z]
                for t in rows["text"]]  # fmt: skip
        rows = rows.assign(
            episode=k, compound=scores["compound"].reindex(mentions.index)[rows.index],
            terms=[", ".join(h) for h in held], _weight=[sum(max(z[w], 0.0) for w in h) for h in held],
        )  # fmt: skip
        rows = rows.sort_values(["_weight", "reach"], ascending=False, kind="stable")
        # one example per set of terms first, so that the examples show the episode's sides
        rows = rows.assign(_first=~rows["terms"].duplicated() & (rows["_weight"] > 0))
        parts.append(rows.sort_values("_first", ascending=False, kind="stable").head(n))
    columns = ["episode", "timestamp", "platform", "reach", "compound", "terms", "text"]
    out = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    # redacted before it is cut, so that a cut never leaves half an e-mail address or number
    shown = [redact(str(t), handles=handles, keep=keep_handles) for t in out["text"]]
    out["truncated"] = pd.Series([len(t) > max_text_chars for t in shown], index=out.index, dtype=bool)
    out["text"] = [t[:max_text_chars] + "…" if len(t) > max_text_chars else t for t in shown]
    return out
