"""Text cells: names normalised so that one brand is one brand, NUL bytes refused.

A name (brand, platform, channel, campaign, an id) that differs from another only by a
zero-width space, a byte-order mark, a soft hyphen or a full-width letter would silently make a
second brand or channel. Names are therefore NFKC-normalised and stripped of invisible
(Unicode category Cf) and control (Cc) characters, and the validation log (logger
``socialreturns.data``) says how many values changed in which column. Free text (``text``) is
kept as written: its emoji joiners and line breaks carry meaning.

A NUL byte is refused in every text column rather than stripped: no export writes one on
purpose, and it usually means a UTF-16 file or a damaged one, which stripping would hide.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

import pandas as pd

log = logging.getLogger("socialreturns.data")

#: Text columns kept as written (free text, not names).
FREE_TEXT = frozenset({"text"})

# ASCII controls (tab, newline, DEL...): the only characters an ASCII name can need changing for.
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(value: str) -> str:
    """NFKC-normalise a name and drop invisible and control characters, then strip spaces.

    >>> clean_name("Lu\\u200bmora")
    'Lumora'
    >>> clean_name("\\ufeffＬｕｍｏｒａ ")
    'Lumora'
    """
    value = unicodedata.normalize("NFKC", value)
    return "".join(c for c in value if unicodedata.category(c) not in ("Cf", "Cc")).strip()


def clean_names(values: pd.Series, *, column: str, path: Path | str) -> pd.Series:
    """`clean_name` on every cell of a ``string`` series, logging how many cells changed.

    Only the cells that are not plain printable ASCII are touched, so the common case costs
    two vectorised scans.
    """
    present = values.notna()
    suspect = present & (
        ~values.str.isascii().fillna(True) | values.str.contains(_ASCII_CONTROL).fillna(False)
    )
    if not suspect.any():
        return values
    cleaned = values[suspect].map(clean_name)
    changed = cleaned != values[suspect]
    if not changed.any():
        return values
    out = values.copy()
    out[suspect] = cleaned
    log.warning(
        "%s, column '%s': %d value(s) changed by Unicode normalisation (NFKC) and removal of "
        "invisible or control characters, e.g. %r -> %r",
        path, column, int(changed.sum()), values[suspect][changed].iloc[0], cleaned[changed].iloc[0],
    )  # fmt: skip
    return out.replace("", pd.NA)
