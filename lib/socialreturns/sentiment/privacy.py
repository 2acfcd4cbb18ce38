"""Personal data in mention texts: the one home of the e-mail, phone, URL-query and @handle
patterns, `redact` to remove them before a text reaches a report, and `contains_personal_data`
to count them (the data overview's findings read it, so its counts are what `redact` removes)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_QUERY = re.compile(r"\b(?:https?://|www\.)[^\s?#]+\?[^\s]*", re.IGNORECASE)
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


def _is_phone(number: str) -> bool:
    digits = sum(ch.isdigit() for ch in number)
    international = number.lstrip("(").startswith(("+", "00"))
    return digits >= 8 or (international and digits >= 7)


def _redacted(text: str) -> tuple[str, bool, bool]:
    """``text`` without e-mail addresses, URL queries and phone numbers, and whether it had an
    e-mail address and a phone number: the one pass both `redact` and `contains_personal_data` use."""
    emails = 0
    if "@" in text:  # most texts have none, and the pattern is slow to fail on long words
        text, emails = _EMAIL.subn("[email]", text)
    text = _URL_QUERY.sub(lambda m: m.group(0).split("?", 1)[0] + "?[redacted]", text)
    phones = 0

    def phone(match: re.Match[str]) -> str:
        nonlocal phones
        if match.group("date_time") is not None or not _is_phone(match.group(0)):
            return match.group(0)
        phones += 1
        return "[phone]"

    return _PHONE.sub(phone, text), emails > 0, phones > 0


def redact(text: str, *, handles: bool = False) -> str:
    """Remove personal data from a text before it is shown in a report.

    E-mail addresses become ``[email]``, phone numbers ``[phone]``, URLs that carry a query
    string (tracking ids, tokens) keep their address and lose the query (``…?[redacted]``), and,
    with ``handles=True``, @handles become ``@[user]``. ISO dates and times are not phone numbers.

    >>> redact("Mail jo.doe@example.com or call +44 20 7946 0958, see https://x.io/a?id=7")
    'Mail [email] or call [phone], see https://x.io/a?[redacted]'
    >>> redact("order 2025-03-01 12:30")
    'order 2025-03-01 12:30'
    """
    if not isinstance(text, str):
        return text
    text = _redacted(text)[0]
    if handles:
        text = _HANDLE.sub("@[user]", text)
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
    found = np.array([_redacted(str(text))[1:] for text in unique], dtype=bool).reshape(-1, 2)
    return pd.DataFrame(found[codes], index=texts.index, columns=["email", "phone"])
