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
* **domain overrides**: words or phrases mapped to valences by the caller (a product named
  "Killer" is not negative) replace the lexicon's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns.data import InputError

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
def stopwords(language: str = "en") -> frozenset[str]:
    """The stop-word list shipped with the package for ``language`` (one of `LANGUAGES`)."""
    if language not in LANGUAGES:
        raise InputError(f"is {language!r}", key="language", expected="one of " + ", ".join(LANGUAGES))
    text = (resources.files("socialreturns") / "lexicons" / f"stopwords_{language}.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def read_overrides(path: str | Path) -> dict[str, float]:
    """Read a lexicon overrides file: a YAML mapping of word or phrase to valence (-4 to 4)."""
    from socialreturns.data import read_yaml_mapping

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
    def build(cls, overrides: Mapping[str, float] | None = None) -> _Scorer:
        base, emojis = _vader_files()
        lexicon = dict(base)
        phrases = []
        for word, value in (overrides or {}).items():
            # VADER's idiom rules only adjust a lexicon word, so a phrase override ("game
            # changer") becomes one token ("game_changer") with its own valence instead.
            lexicon[word.replace(" ", "_")] = value
            if " " in word:
                phrases.append(r"\s+".join(re.escape(w) for w in word.split()))
        pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE) if phrases else None
        # a space before each description, as upstream does, gives the same words after split()
        table = {ord(ch): " " + text for ch, text in emojis.items()}
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
    args: tuple[list[str], dict[str, float], int],
) -> list[tuple[float, float, float, float, str]]:
    texts, overrides, long_text_chars = args
    scorer = _Scorer.build(overrides)
    return [_score_text(scorer, t, long_text_chars) for t in texts]


def score(
    texts: Sequence[str] | pd.Series,
    *,
    overrides: Mapping[str, float] | None = None,
    n_jobs: int = 1,
    long_text_chars: int = 1000,
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
    codes, unique = pd.factorize(series, sort=False)
    unique_texts = [str(t) for t in unique]
    chunk = max(1, min(5000, math.ceil(len(unique_texts) / max(n_jobs * 4, 1))))
    chunks = [
        (unique_texts[i : i + chunk], overrides, long_text_chars) for i in range(0, len(unique_texts), chunk)
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


def share_of_voice(mentions: pd.DataFrame, scores: pd.DataFrame, *, freq: str = "M") -> pd.DataFrame:
    """Mentions, reach-weighted share of voice and net sentiment per brand and period.

    Parameters
    ----------
    mentions
        With ``timestamp``, ``brand`` and ``reach``.
    scores
        `score`'s result for the same rows (same index); non-English rows are left out of the
        net sentiment but counted in the volume.
    freq
        ``"W"`` (weeks starting Monday) or ``"M"`` (calendar months).

    Returns
    -------
    One row per period and brand: ``period`` (start date), ``brand``, ``mentions``, ``reach``,
    ``share_of_voice`` (the brand's share of the period's mentions), ``reach_share_of_voice``
    (share of reach), ``net_sentiment`` (positive minus negative share of the scored mentions)
    and ``rank`` (1 = most reach).
    """
    if freq not in ("W", "M"):
        raise InputError(f"is {freq!r}", key="freq", expected="'W' (weeks) or 'M' (months)")
    missing = [c for c in ("timestamp", "brand", "reach") if c not in mentions.columns]
    if missing:
        raise InputError(f"mentions has no column '{missing[0]}'", column=missing[0],
                         expected="columns timestamp, brand and reach")  # fmt: skip
    stamps = pd.to_datetime(mentions["timestamp"], utc=True).dt.tz_localize(None)
    english = scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    lab = scores["label"].reindex(mentions.index)
    frame = pd.DataFrame({
        "period": stamps.dt.to_period(freq).dt.start_time,
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
    return out.drop(columns=["scored", "positive", "negative"])


def response_gap(
    mentions: pd.DataFrame, *, brand: str, sla_hours: float = 24.0, freq: str = "M"
) -> pd.DataFrame:
    """How often and how fast the brand answers its customers' questions, per platform and period.

    Returns
    -------
    One row per ``platform`` and ``period`` (start date) with ``questions``, ``answered``,
    ``answered_share``, ``median_response_hours``, ``p90_response_hours`` (of answered
    questions) and ``within_sla_share`` (answered within ``sla_hours``, of all questions).
    """
    if sla_hours <= 0:
        raise InputError(f"is {sla_hours!r}", key="sla_hours", expected="a positive number of hours")
    missing = [
        c for c in ("timestamp", "brand", "platform", "is_question", "answered_at") if c not in mentions
    ]
    if missing:
        raise InputError(f"mentions has no column '{missing[0]}'", column=missing[0],
                         expected="columns timestamp, brand, platform, is_question and answered_at")  # fmt: skip
    questions = mentions[(mentions["brand"] == brand) & mentions["is_question"].astype(bool)]
    asked = pd.to_datetime(questions["timestamp"], utc=True)
    hours = (pd.to_datetime(questions["answered_at"], utc=True) - asked).dt.total_seconds() / 3600
    frame = pd.DataFrame({
        "platform": questions["platform"].astype(str),
        "period": asked.dt.tz_localize(None).dt.to_period(freq).dt.start_time,
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
