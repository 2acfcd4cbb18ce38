"""Brand masking: the names, @handles, #hashtags and common spellings of every brand replaced by one
neutral token before a text is scored, so that no brand's own name moves its sentiment.

A brand named after a word of the lexicon ("Bliss", "Thanks", "Smile") otherwise scores every
mention of itself as praise: a tweet that is only "@bliss" reads +0.57. `aliases` lists the
spellings of each brand, `mask` replaces them in one pass of one compiled regular expression, and
`brand_handles` lists the brands' own @handles (kept in reports, where other handles are redacted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from socialreturns.inputs import InputError

#: What every brand mention becomes: not in VADER's lexicon or its emoji descriptions, one token for
#: a word tokenizer and for TF-IDF (letters only), and unlike any word a post would hold.
MASK_TOKEN = "brandx"

_WORDS = re.compile(r"[^\W_]+")  # runs of letters and digits: the words of a name
_SPACE = re.compile(r"\s+")


def _spellings(name: str) -> list[str]:
    """The default spellings of one brand name: as written, its words run together, joined by
    "-" or "_", and the @handle and #hashtag forms of the run-together and underscored names."""
    words = _WORDS.findall(name)
    if not words:
        return [name.strip()] if name.strip() else []
    compact, under = "".join(words), "_".join(words)
    forms = [_SPACE.sub(" ", name.strip()), compact, "-".join(words), under]
    forms += [f"{sign}{form}" for sign in "@#" for form in (compact, under)]
    return forms


def _check_extra(extra: object) -> Mapping[str, Sequence[str]]:
    key = "brand_aliases"
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise InputError(f"is {extra!r}", key=key, expected="a mapping of brand name to a list of aliases")
    for brand, names in extra.items():
        if not isinstance(brand, str) or not brand.strip():
            raise InputError(f"has the key {brand!r}", key=key, expected="brand names (non-empty text)")
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise InputError(f"maps {brand!r} to {names!r}", key=f"{key}.{brand}",
                             expected="a list of aliases, e.g. [\"@lumora_help\", \"Lumora Inc\"]")  # fmt: skip
        for name in names:
            if not isinstance(name, str) or not _WORDS.search(name):
                raise InputError(f"holds {name!r}", key=f"{key}.{brand}",
                                 expected="aliases with at least one letter or digit")  # fmt: skip
    return extra


def aliases(brands: Iterable[str], extra: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """Every spelling of each brand to mask, lower-cased, longest first.

    Parameters
    ----------
    brands
        Brand names as written in ``mentions.brand`` (ours and the competitors'; duplicates and
        missing values are ignored).
    extra
        More aliases per brand (the ``brand_aliases`` parameter): other handles, product lines,
        misspellings. A brand named here but not in ``brands`` is masked too (a brand the posts
        talk about without a row of its own).

    Returns
    -------
    Brand name to its aliases. By default a brand's aliases are its name as written (runs of white
    space as one space), its words (runs of letters and digits) run together, joined by "-" and by "_", and the
    @handle and #hashtag of the run-together and underscored forms: "Blue Sky" gives "blue sky",
    "bluesky", "blue-sky", "blue_sky", "@bluesky", "@blue_sky", "#bluesky" and "#blue_sky".

    Raises
    ------
    InputError
        Naming ``brand_aliases`` (and the brand) when ``extra`` is not a mapping of brand names to
        lists of aliases holding a letter or digit.

    >>> aliases(["Blue Sky"])["Blue Sky"]
    ['#blue_sky', '@blue_sky', '#bluesky', '@bluesky', 'blue sky', 'blue-sky', 'blue_sky', 'bluesky']
    """
    extra = _check_extra(extra)
    names = [b for b in dict.fromkeys(brands) if isinstance(b, str) and b.strip()]
    names += [b for b in extra if b not in names]
    out: dict[str, list[str]] = {}
    for brand in names:
        forms = _spellings(brand) + [a.strip() for a in extra.get(brand, ())]
        unique = dict.fromkeys(f.lower() for f in forms if f)
        out[brand] = sorted(unique, key=lambda a: (-len(a), a))
    return out


def pattern(aliases: Mapping[str, Sequence[str]]) -> re.Pattern[str] | None:
    """The one regular expression that finds every alias: an alternation, longest alias first (so
    "Blue Sky Labs" wins over "Blue Sky"), case-insensitive, white space inside a name matching any
    run of white space, and bounded so that a word merely containing a name ("blissful" for "Bliss",
    "#blisslove") is not a mention. None when there is no alias."""
    every = sorted({a.lower() for names in aliases.values() for a in names if a}, key=lambda a: (-len(a), a))
    if not every:
        return None
    body = "|".join(r"\s+".join(re.escape(part) for part in a.split()) for a in every)
    # Not preceded by a word character, @ or # (part of another word, handle or tag), nor
    # followed by a word character (a longer word). The leading lookahead lets the engine skip
    # quickly past characters no alias starts with.
    first = "".join(sorted({re.escape(c) for a in every for c in (a[0].lower(), a[0].upper())}))
    return re.compile(rf"(?=[{first}])(?<![\w@#])(?:{body})(?!\w)", re.IGNORECASE)


def mask(texts: pd.Series, aliases: Mapping[str, Sequence[str]], *, token: str = MASK_TOKEN) -> pd.Series:
    """``texts`` with every mention of any brand replaced by ``token`` (upper-cased where the
    mention was in capitals, so VADER's emphasis of capitalised words sees the same text).

    Parameters
    ----------
    texts
        Mention texts; missing values stay missing.
    aliases
        `aliases`' result (or any brand to spellings mapping).

    Returns
    -------
    The masked texts, same index. One pass of one compiled regular expression over each
    distinct text: time linear in the texts' total length for a given set of aliases.

    >>> mask(pd.Series(["@Bliss thanks!", "so blissful", "BLISS rocks"]), aliases(["Bliss"])).tolist()
    ['brandx thanks!', 'so blissful', 'BRANDX rocks']
    """
    found = pattern(aliases)
    if found is None:
        return texts.copy()
    upper = token.upper()

    def sub(match: re.Match[str]) -> str:
        return upper if match.group(0).isupper() else token

    codes, unique = pd.factorize(texts, sort=False)
    masked = pd.Series([found.sub(sub, t) if isinstance(t, str) else t for t in unique], dtype=object)
    out = pd.Series(masked.to_numpy()[codes], index=texts.index, dtype=object, name=texts.name)
    return out.where(codes >= 0, texts)


def brand_handles(aliases: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The brands' own @handles among ``aliases`` (lower-cased): brand accounts, not people, so
    reports keep them where they redact every other handle (`redact`'s ``keep``)."""
    return frozenset(a.lower() for names in aliases.values() for a in names if a.startswith("@"))
