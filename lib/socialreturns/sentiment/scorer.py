"""Offline sentiment scores: the VADER rules port (`_Scorer`), `split_sentences`, `score`, `label`.

Scoring is VADER (Hutto & Gilbert 2014, "VADER: a parsimonious rule-based model for sentiment
analysis of social media text", ICWSM): a valence lexicon plus rules for negation, intensifiers,
capitals, punctuation and contrast ("but"). The lexicon and emoji descriptions are read from the
installed ``vaderSentiment`` package; nothing is downloaded.

The rules are re-implemented here rather than calling ``vaderSentiment``'s ``polarity_scores``
because that scorer is quadratic in the length of a text (it lower-cases the whole token list
for every word, and its contrast rule searches the list for every score), which makes a long
review take seconds. This port keeps its rules and constants and matches its compound score on
short texts, with these deliberate differences (each tested):

* **contrast**: upstream finds each score's position with ``list.index(value)``, so repeated
  values before and after "but" can be weighted at the wrong position; here every word before
  the first "but" is weighted 0.5 and every word after it 1.5, as the paper describes.
* **long texts** (over ``long_text_chars``) are split into sentences, each scored, and the
  scores averaged: VADER is a sentence-level model, and summing a long review's valences pushes
  the compound score to ±1 whatever the balance of opinion.
* **emoji** are scored by the Emoji Sentiment Ranking (Kralj Novak et al. 2015, human labels of
  1.6 million tweets) as one word each, so negation and contrast apply to them. Upstream scores
  the words of an emoji's name, which makes 👍 and 😡 neutral, 🔥 negative and 💔 positive.
  ``score(..., emoji="descriptions")`` keeps upstream's behaviour.
* **domain overrides**: words or phrases mapped to valences by the caller (a product named
  "Killer" is not negative) replace the lexicon's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from socialreturns import store
from socialreturns.inputs import InputError
from socialreturns.parameters import Range

from .language import _language_of, detect_language
from .lexicon import (
    _EMOJI_MODIFIERS,
    BOOSTERS,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    _emoji_token,
    _strip_punct,
    _vader_files,
    check_overrides,
    emoji_ranking,
)

#: Processes that may score texts (the sentiment notebook's ``n_jobs``).
N_JOBS = Range("1 to 64 processes", ge=1, le=64)
#: Characters of a text scored, shown in a report and read for its words; longer texts are truncated
#: (and flagged), never dropped: one spam post of a megabyte must neither fill the report nor
#: outweigh every other mention's words.
MAX_TEXT_CHARS = Range("1,000 to 1,000,000 characters", ge=1_000, le=1_000_000)

POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05  # the paper's thresholds on the compound score
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _normalize(score: float, alpha: float = 15.0) -> float:
    value = score / math.sqrt(score * score + alpha)
    return max(-1.0, min(1.0, value))


def _negated(word: str) -> bool:
    return word in NEGATE or "n't" in word


@dataclass
class _Scorer:
    """VADER's rules over one lexicon (with overrides); linear in the number of words."""

    lexicon: dict[str, float]
    emojis: dict[str, str]
    special: dict[str, float] = field(default_factory=dict)
    _emoji_table: dict[int, str] = field(default_factory=dict)

    phrases: re.Pattern[str] | None = None

    @classmethod
    def build(cls, overrides: Mapping[str, float] | None = None, *, emoji: bool = True) -> _Scorer:
        base, emojis = _vader_files()
        lexicon = dict(base)
        # a space before each description, as upstream does, gives the same words after split()
        table = {ord(ch): " " + text for ch, text in emojis.items()}
        if emoji:
            # presentation selectors, joiners and skin tones carry no sentiment, and left in
            # they would glue onto the emoji's word ("❤️" is U+2764 U+FE0F)
            table.update({ord(ch): " " for ch in _EMOJI_MODIFIERS})
            for ch, value in emoji_ranking().items():
                table[ord(ch)] = " " + _emoji_token(ch)
                lexicon[_emoji_token(ch)] = value
        phrases = []
        for word, value in (overrides or {}).items():
            if len(word) == 1 and not word.isalnum():  # an emoji or symbol
                table[ord(word)] = " " + _emoji_token(word)
                lexicon[_emoji_token(word)] = value
                continue
            # VADER's idiom rules only adjust a lexicon word, so a phrase override ("game
            # changer") becomes one token ("game_changer") with its own valence instead.
            lexicon[word.replace(" ", "_")] = value
            if " " in word:
                phrases.append(r"\s+".join(re.escape(w) for w in word.split()))
        pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE) if phrases else None
        return cls(lexicon=lexicon, emojis=emojis, special=dict(SPECIAL_CASES), _emoji_table=table,
                   phrases=pattern)  # fmt: skip

    def _expand(self, text: str) -> str:
        if self.phrases is not None:
            text = self.phrases.sub(lambda m: "_".join(m.group(0).split()), text)
        return text.translate(self._emoji_table).strip()

    def valences(self, words: list[str], lower: list[str] | None = None) -> list[float]:
        lower = [w.lower() for w in words] if lower is None else lower
        n = len(words)
        upper = [w.isupper() for w in words]
        n_upper = sum(upper)
        cap_diff = 0 < n - n_upper < n
        lex = self.lexicon
        out = []
        for i, low in enumerate(lower):
            if low in BOOSTERS or (low == "kind" and i < n - 1 and lower[i + 1] == "of"):
                out.append(0.0)
                continue
            valence = 0.0
            if low in lex:
                valence = lex[low]
                if low == "no" and i != n - 1 and lower[i + 1] in lex:
                    valence = 0.0
                if ((i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no")
                        or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))):  # fmt: skip
                    valence = lex[low] * N_SCALAR
                if upper[i] and cap_diff:
                    valence += C_INCR if valence > 0 else -C_INCR
                for start in range(3):
                    j = i - (start + 1)
                    if i > start and lower[j] not in lex:
                        s = self._booster(words[j], lower[j], valence, cap_diff)
                        if start == 1 and s != 0:
                            s *= 0.95
                        if start == 2 and s != 0:
                            s *= 0.9
                        valence = self._negation(valence + s, lower, start, i)
                        if start == 2:
                            valence = self._idioms(valence, lower, i)
                valence = self._least(valence, lower, i)
            out.append(valence)
        if "but" in lower:
            b = lower.index("but")
            out = [v * 0.5 if k < b else v * 1.5 if k > b else v for k, v in enumerate(out)]
        return out

    @staticmethod
    def _booster(word: str, low: str, valence: float, cap_diff: bool) -> float:
        if low not in BOOSTERS:
            return 0.0
        scalar = BOOSTERS[low]
        if valence < 0:
            scalar *= -1
        if word.isupper() and cap_diff:
            scalar += C_INCR if valence > 0 else -C_INCR
        return scalar

    @staticmethod
    def _negation(valence: float, lower: list[str], start: int, i: int) -> float:
        if start == 0:
            return valence * N_SCALAR if _negated(lower[i - 1]) else valence
        if start == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                return valence * 1.25
            if lower[i - 2] == "without" and lower[i - 1] == "doubt":
                return valence
            return valence * N_SCALAR if _negated(lower[i - 2]) else valence
        if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in ("so", "this"):
            return valence * 1.25
        if lower[i - 3] == "without" and "doubt" in (lower[i - 2], lower[i - 1]):
            return valence
        return valence * N_SCALAR if _negated(lower[i - 3]) else valence

    def _idioms(self, valence: float, lower: list[str], i: int) -> float:
        special = self.special
        for seq in (f"{lower[i - 1]} {lower[i]}", f"{lower[i - 2]} {lower[i - 1]} {lower[i]}",
                    f"{lower[i - 2]} {lower[i - 1]}", f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}",
                    f"{lower[i - 3]} {lower[i - 2]}"):  # fmt: skip
            if seq in special:
                valence = special[seq]
                break
        if len(lower) - 1 > i and f"{lower[i]} {lower[i + 1]}" in special:
            valence = special[f"{lower[i]} {lower[i + 1]}"]
        if len(lower) - 1 > i + 1 and f"{lower[i]} {lower[i + 1]} {lower[i + 2]}" in special:
            valence = special[f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"]
        for gram in (f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}", f"{lower[i - 3]} {lower[i - 2]}",
                     f"{lower[i - 2]} {lower[i - 1]}"):  # fmt: skip
            if gram in BOOSTERS:
                valence += BOOSTERS[gram]
        return valence

    def _least(self, valence: float, lower: list[str], i: int) -> float:
        if (i > 0 and lower[i - 1] == "least" and "least" not in self.lexicon
                and (i == 1 or lower[i - 2] not in ("at", "very"))):  # fmt: skip
            return valence * N_SCALAR
        return valence

    def scores(self, text: str) -> tuple[float, float, float, float]:
        """(neg, neu, pos, compound) of one sentence-sized text, as vaderSentiment rounds them."""
        expanded = self._expand(text)
        words = [_strip_punct(t) for t in expanded.split()]
        return self._scores(words, expanded)

    def scores_and_language(self, text: str) -> tuple[float, float, float, float, str]:
        """`scores` and `detect_language` from one pass over the words."""
        expanded = self._expand(text)
        words = [_strip_punct(t) for t in expanded.split()]
        lower = [w.lower() for w in words]
        return (*self._scores(words, expanded, lower), _language_of(lower, text))

    def _scores(self, words: list[str], expanded: str, lower: list[str] | None = None) -> tuple[float, ...]:
        sentiments = self.valences(words, lower)
        if not sentiments:
            return 0.0, 0.0, 0.0, 0.0
        total = float(sum(sentiments))
        ep = min(expanded.count("!"), 4) * 0.292
        qm = expanded.count("?")
        qm = 0.0 if qm <= 1 else qm * 0.18 if qm <= 3 else 0.96
        emphasis = ep + qm
        if total > 0:
            total += emphasis
        elif total < 0:
            total -= emphasis
        compound = _normalize(total)
        pos_sum = sum(s + 1 for s in sentiments if s > 0)
        neg_sum = sum(s - 1 for s in sentiments if s < 0)
        neu_count = sum(1 for s in sentiments if s == 0)
        if pos_sum > abs(neg_sum):
            pos_sum += emphasis
        elif pos_sum < abs(neg_sum):
            neg_sum -= emphasis
        denom = pos_sum + abs(neg_sum) + neu_count
        return (round(abs(neg_sum / denom), 3), round(abs(neu_count / denom), 3),
                round(abs(pos_sum / denom), 3), round(compound, 4))  # fmt: skip


def split_sentences(text: str) -> list[str]:
    """Split a text after ``.``, ``!`` or ``?`` followed by white space, and at line breaks."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


#: The cache's domain under `store.cache_root` for `score`'s results.
SCORES_DOMAIN = "scores"


def _score_text(scorer: _Scorer, text: str, long_text_chars: int) -> tuple[float, float, float, float, str]:
    if len(text) <= long_text_chars:
        return scorer.scores_and_language(text)
    parts = np.array([scorer.scores(s) for s in split_sentences(text)] or [(0.0, 0.0, 0.0, 0.0)])
    return (*(float(v) for v in parts.mean(axis=0)), detect_language(text))  # type: ignore[return-value]


def _as_series(texts: Sequence[str] | pd.Series) -> pd.Series:
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    return series.astype("string").fillna("")


def _score_chunk(
    args: tuple[list[str], dict[str, float], int, bool],
) -> list[tuple[float, float, float, float, str]]:
    texts, overrides, long_text_chars, ranked_emoji = args
    scorer = _Scorer.build(overrides, emoji=ranked_emoji)
    return [_score_text(scorer, t, long_text_chars) for t in texts]


def score(
    texts: Sequence[str] | pd.Series,
    *,
    overrides: Mapping[str, float] | None = None,
    n_jobs: int = 1,
    long_text_chars: int = 1000,
    max_text_chars: int = 20_000,
    emoji: str = "ranking",
    progress: bool | None = None,
) -> pd.DataFrame:
    """Score texts with VADER's rules: ``neg``, ``neu``, ``pos``, ``compound`` and ``language``.

    Parameters
    ----------
    texts
        A list or Series of strings; missing texts score 0.
    overrides
        Words or phrases mapped to valences (-4 to 4) that replace the lexicon's, e.g.
        ``{"killer": 0.0}`` for a product called Killer.
    n_jobs
        Worker processes (1 scores in this process). Identical texts (retweets) are scored once.
    long_text_chars
        Texts longer than this are scored sentence by sentence and averaged.
    max_text_chars
        Only a text's first ``max_text_chars`` characters are scored, the part the report shows
        and reads for words (`episode_examples`, `distinctive_words`); such texts are flagged in
        ``truncated``. This keeps a 1 MB post to a few milliseconds: VADER costs about 1 µs per
        character, and a post that long is a paste or spam whose tail says nothing the head
        does not.
    emoji
        ``"ranking"`` scores emoji by the Emoji Sentiment Ranking (`emoji_ranking`), each as one
        word; ``"descriptions"`` by the words of their names, as vaderSentiment does (which
        makes 👍 neutral, 🔥 negative and 💔 positive).
    progress
        Show a progress bar (tqdm); by default only for more than 50,000 unique texts.

    Returns
    -------
    DataFrame with the input's index: ``neg``, ``neu``, ``pos`` (shares of the text, summing to
    about 1), ``compound`` (in [-1, 1]; ≥ 0.05 positive, ≤ -0.05 negative), ``label``
    (``positive``, ``neutral``, ``negative``), ``language`` (`detect_language`) and ``english``
    (False for texts identified as another language: their scores mean little, the lexicon being
    English) and ``truncated`` (True where only the first ``max_text_chars`` were scored).

    Examples
    --------
    >>> score(["The support team was great!", "not good at all"])[["compound", "label"]]
       compound     label
    0    0.7959  positive
    1   -0.3412  negative
    """
    series = _as_series(texts)
    overrides = check_overrides(overrides or {})
    if not isinstance(n_jobs, int):
        raise InputError(f"is {n_jobs!r}", key="n_jobs", expected=N_JOBS.expected)
    N_JOBS.check("n_jobs", n_jobs)
    MAX_TEXT_CHARS.check("max_text_chars", max_text_chars)
    if emoji not in ("ranking", "descriptions"):
        raise InputError(f"is {emoji!r}", key="emoji", expected="'ranking' or 'descriptions'")
    # scored once per texts and settings (a rerun, and the organisation report, read the sentiment
    # report's scores): `store.cached_frames`, keyed by the texts with their index, the settings
    # and the library's source; an entry that does not check out is scored again
    key = store.frames_key("sentiment.score", series, list(series.index.names), overrides, long_text_chars,
                           max_text_chars, emoji)  # fmt: skip
    frames, _ = store.cached_frames(SCORES_DOMAIN, key, lambda: ({"scores": _score_series(
        series, overrides, n_jobs=n_jobs, long_text_chars=long_text_chars, max_text_chars=max_text_chars,
        emoji=emoji, progress=progress)}, {}))  # fmt: skip
    return frames["scores"]


def _score_series(
    series: pd.Series, overrides: Mapping[str, float], *, n_jobs: int, long_text_chars: int, max_text_chars: int,
    emoji: str, progress: bool | None,
) -> pd.DataFrame:  # fmt: skip
    """`score`'s work, on checked arguments."""
    codes, unique = pd.factorize(series, sort=False)
    unique_texts = [str(t)[:max_text_chars] for t in unique]
    chunk = max(1, min(5000, math.ceil(len(unique_texts) / max(n_jobs * 4, 1))))
    chunks = [
        (unique_texts[i : i + chunk], overrides, long_text_chars, emoji == "ranking")
        for i in range(0, len(unique_texts), chunk)
    ]
    show = len(unique_texts) > 50_000 if progress is None else progress
    results: list[tuple[float, float, float, float, str]] = []
    if n_jobs == 1 or len(chunks) == 1:
        iterator: Iterable = map(_score_chunk, chunks)
        results = [row for part in _progress(iterator, len(chunks), show) for row in part]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            results = [
                row for part in _progress(pool.map(_score_chunk, chunks), len(chunks), show) for row in part
            ]
    table = pd.DataFrame(results, columns=["neg", "neu", "pos", "compound", "language"])
    if table.empty:
        table = pd.DataFrame({c: pd.Series(dtype=float) for c in ("neg", "neu", "pos", "compound")})
        table["language"] = pd.Series(dtype=str)
    out = table.iloc[codes].reset_index(drop=True) if len(codes) else table.iloc[:0]
    out.index = series.index
    out.insert(4, "label", label(out["compound"]))
    out["english"] = out["language"].isin(["en", "und"])
    out["truncated"] = series.str.len().gt(max_text_chars).to_numpy(dtype=bool)
    return out


def _progress(iterator: Iterable, total: int, show: bool) -> Iterable:
    if not show:
        return iterator
    from tqdm.auto import tqdm

    return tqdm(iterator, total=total, desc="scoring", unit="chunk")


def label(compound: pd.Series) -> pd.Series:
    """``positive`` (compound ≥ 0.05), ``negative`` (≤ -0.05) or ``neutral``."""
    values = np.select(
        [compound >= POSITIVE_AT, compound <= NEGATIVE_AT], ["positive", "negative"], "neutral"
    )
    return pd.Series(values, index=compound.index, name="label")
