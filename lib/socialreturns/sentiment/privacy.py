"""Personal data in mention texts: the one home of the e-mail, phone, URL-query and @handle
patterns, `redact` to remove them before a text reaches a report, and `contains_personal_data`
to count them (the data overview's findings read it, so its counts are what `redact` removes)."""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np
import pandas as pd

# Each pattern is applied so that it runs in time linear in the text's length (a 1 MB post takes
# well under a second): Python's backtracking engine would retry ``[\w.+-]+@`` from every
# character of a long word and ``https?://[^\s?#]+\?`` from every "http" of a long token, which
# is quadratic. `_emails` and `_url_queries` find the same matches (leftmost, non-overlapping)
# from the anchors instead: each "@", and each run up to the next white space, "?" or "#".
_EMAIL_LOCAL = re.compile(r"[\w.+-]*")  # matched backwards, on the reversed text
_EMAIL_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_URL_START = re.compile(r"\b(?:https?://|www\.)", re.IGNORECASE)
_URL_STOP = re.compile(r"[\s?#]")
_NON_SPACE = re.compile(r"\S*")
# International (+44 20 7946 0958, +1-202-555-0143, 0049 30 123456) and national numbers with
# at least 7 digits in groups; years are left alone by requiring a leading + / 00 / ( or 8+
# digits in total (`_is_phone`). ISO dates and times (2025-03-01, 2025-03-01 12:30, 12:30:45)
# are matched first, as the named group, and kept: their digits would otherwise read as a number.
# The leading lookahead only lets the engine skip quickly past characters no alternative starts with.
_DATE, _TIME = r"\d{4}-\d{2}-\d{2}", r"\d{1,2}:\d{2}(?::\d{2})?"
_DATE_TIME = rf"(?<!\d)\(?(?:{_DATE}(?:[T ]{_TIME})?|{_TIME})(?!\d)"
_PHONE = re.compile(
    rf"(?=[\d+(])(?:(?P<date_time>{_DATE_TIME})"
    r"|(?<![\w/])(?:\+|00)\d[\d\s().-]{6,}\d(?!\w)|(?<![\w/+-])\(?\d[\d\s().-]{6,}\d(?![\w/]))"
)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
#: What an e-mail address (its "@") or a phone number (a digit, as ``\d`` reads it) cannot do without.
_MAYBE_PERSONAL = re.compile(r"[\d@]")


def _is_phone(number: str) -> bool:
    digits = sum(ch.isdigit() for ch in number)
    international = number.lstrip("(").startswith(("+", "00"))
    return digits >= 8 or (international and digits >= 7)


def _emails(text: str) -> list[tuple[int, int]]:
    """The spans ``[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+`` matches, found from each "@" in linear time."""
    spans: list[tuple[int, int]] = []
    reverse = text[::-1]
    n, done = len(text), 0  # done: the end of the last match, where the next may start
    at = text.find("@")
    while at != -1:
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if domain is not None:
            # the local part is the run of [\w.+-] before the "@", back to the last match at most
            start = n - _EMAIL_LOCAL.match(reverse, n - at, n - done).end()
            if start < at:
                spans.append((start, domain.end()))
                done = domain.end()
        at = text.find("@", max(at + 1, done))
    return spans


def _url_queries(text: str) -> list[tuple[int, int, int]]:
    """(start, "?", end) of each URL with a query (``\\b(?:https?://|www\\.)[^\\s?#]+\\?\\S*``),
    in linear time: every URL start before the same stop character shares its fate."""
    spans: list[tuple[int, int, int]] = []
    found = _URL_START.search(text)
    while found is not None:
        stop = _URL_STOP.search(text, found.end())
        if stop is None:
            break
        if text[stop.start()] == "?" and stop.start() > found.end():
            end = _NON_SPACE.match(text, stop.start()).end()
            spans.append((found.start(), stop.start(), end))
            found = _URL_START.search(text, end)
        else:
            found = _URL_START.search(text, stop.start() + 1)
    return spans


def _replace(text: str, spans: list[tuple[int, int]], replacements: list[str]) -> str:
    if not spans:
        return text
    parts, last = [], 0
    for (start, end), new in zip(spans, replacements, strict=True):
        parts += [text[last:start], new]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _redacted(text: str) -> tuple[str, bool, bool]:
    """``text`` without e-mail addresses, URL queries and phone numbers, and whether it had an
    e-mail address and a phone number: the one pass both `redact` and `contains_personal_data` use."""
    emails = _emails(text) if "@" in text else []
    text = _replace(text, emails, ["[email]"] * len(emails))
    queries = _url_queries(text)
    text = _replace(text, [(s, e) for s, _, e in queries], [text[s:q] + "?[redacted]" for s, q, _ in queries])
    phones = 0

    def phone(match: re.Match[str]) -> str:
        nonlocal phones
        if match.group("date_time") is not None or not _is_phone(match.group(0)):
            return match.group(0)
        phones += 1
        return "[phone]"

    return _PHONE.sub(phone, text), len(emails) > 0, phones > 0


def redact(text: str, *, handles: bool = False, keep: Collection[str] = ()) -> str:
    """Remove personal data from a text before it is shown in a report.

    E-mail addresses become ``[email]``, phone numbers ``[phone]``, URLs that carry a query
    string (tracking ids, tokens) keep their address and lose the query (``…?[redacted]``), and,
    with ``handles=True``, @handles become ``@[user]``, except those in ``keep`` (lower-case, with
    the "@": the brands' own accounts, `brands.brand_handles`). ISO dates and times are not phone
    numbers.

    >>> redact("Mail jo.doe@example.com or call +44 20 7946 0958, see https://x.io/a?id=7")
    'Mail [email] or call [phone], see https://x.io/a?[redacted]'
    >>> redact("order 2025-03-01 12:30")
    'order 2025-03-01 12:30'
    >>> redact("@sam_r asked @Lumora again", handles=True, keep={"@lumora"})
    '@[user] asked @Lumora again'
    """
    if not isinstance(text, str):
        return text
    text = _redacted(text)[0]
    if handles:
        kept = {k.lower() for k in keep}
        text = _HANDLE.sub(lambda m: m.group(0) if m.group(0).lower() in kept else "@[user]", text)
    return text


def contains_personal_data(texts: pd.Series) -> pd.DataFrame:
    """Which texts hold an e-mail address or a phone number, as `redact` finds them.

    Parameters
    ----------
    texts
        Texts (e.g. the ``text`` column of the mentions); missing values hold none.

    Returns
    -------
    DataFrame with the index of ``texts`` and two boolean columns: ``email`` and ``phone``, True
    where `redact` replaces at least one e-mail address (``[email]``) or phone number
    (``[phone]``) in the text. Each distinct text is examined once.

    Examples
    --------
    >>> contains_personal_data(pd.Series(["order 2025-03-01 12:30", "call +44 20 7946 0958", None]))
       email  phone
    0  False  False
    1  False   True
    2  False  False
    """
    codes, unique = pd.factorize(texts.astype("string").fillna(""), sort=False)
    # an e-mail address needs an "@" and a phone number a digit: most texts have neither, and
    # the full pass (`_redacted`) is only run on those that may
    found = np.array([_redacted(text)[1:] if _MAYBE_PERSONAL.search(text) else (False, False)
                      for text in map(str, unique)], dtype=bool).reshape(-1, 2)  # fmt: skip
    return pd.DataFrame(found[codes], index=texts.index, columns=["email", "phone"])
