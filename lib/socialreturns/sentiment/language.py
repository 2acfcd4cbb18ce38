"""Language flags: the stop-word lists shipped with the package and `detect_language`, which
guesses a short text's language from its function words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

import pandas as pd

from socialreturns.inputs import InputError

from .lexicon import _strip_punct

LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")
_WORD = re.compile(r"\S+")  # what str.split() yields, one at a time: no list of a long text's words


@cache
def stopwords(language: str = "en") -> frozenset[str]:
    """The stop-word list shipped with the package for ``language`` (one of `LANGUAGES`)."""
    if language not in LANGUAGES:
        raise InputError(f"is {language!r}", key="language", expected="one of " + ", ".join(LANGUAGES))
    text = (resources.files("socialreturns") / "lexicons" / f"stopwords_{language}.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@cache
def _function_words() -> dict[str, tuple[int, ...]]:
    """Each function word and the languages (indices into `LANGUAGES`) whose list has it."""
    index: dict[str, list[int]] = {}
    for k, lang in enumerate(LANGUAGES):
        for word in stopwords(lang):
            index.setdefault(word, []).append(k)
    return {word: tuple(langs) for word, langs in index.items()}


def _language_of(lower: Iterable[str], text: str, min_words: int = 2) -> str:
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
    return _language_of((_strip_punct(m.group(0)).lower() for m in _WORD.finditer(text)), text, min_words)


#: Each detected language's name, as a report shows it.
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
                  "it": "Italian", "nl": "Dutch", "und": "too short to tell (scored as English)"}  # fmt: skip


def languages_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Mentions per detected language (``score``'s ``language``), most first: ``language`` (its
    name, `LANGUAGE_NAMES`), ``mentions`` and ``share`` (of all the mentions scored, fraction).

    >>> languages_table(pd.DataFrame({"language": ["en", "und", "en", "de"]}))
                                    language  mentions  share
    0                                English         2   0.50
    1  too short to tell (scored as English)         1   0.25
    2                                 German         1   0.25
    """
    counts = scores["language"].value_counts(sort=True)
    return pd.DataFrame({"language": [LANGUAGE_NAMES.get(str(c), str(c)) for c in counts.index],
                         "mentions": counts.to_numpy(), "share": (counts / len(scores)).to_numpy()})  # fmt: skip
