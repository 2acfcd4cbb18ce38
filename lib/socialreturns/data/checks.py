"""Checks that analyses run on the frames they are passed (which may not come from `load_table`).

One brand-not-found and one missing-column message for every analysis, so that a misspelled
parameter reads the same whichever report it stops.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError

_BRANDS_SHOWN = 12  # brands quoted in a brand-not-found message


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Check that a frame passed to an analysis has ``columns`` (``what`` names it: "mentions").

    Raises
    ------
    InputError
        Naming the first missing column and every column expected.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} has no column '{missing[0]}'", column=missing[0],
                         expected=f"columns {', '.join(columns)} (load it with socialreturns.data)")  # fmt: skip


def require_brand(mentions: pd.DataFrame, brand: str, *, key: str = "brand") -> None:
    """Check that ``mentions`` holds at least one mention of ``brand``.

    The one brand-not-found check of the analyses, so that a misspelled brand parameter reads
    the same whichever report it stops.

    Parameters
    ----------
    mentions
        The mentions table (from `load_mentions`), with a ``brand`` column.
    brand
        The brand as spelled in the ``brand`` column (case matters).
    key
        The parameter that named the brand, quoted in the message (``brand``, ``competitors``).

    Raises
    ------
    InputError
        When no mention is of ``brand`` (or ``mentions`` has no ``brand`` column), naming ``key``,
        the brand given and the brands found, with the closest brand found as a hint.

    Examples
    --------
    >>> mentions = pd.DataFrame({"brand": ["Lumora", "Brightwell", "Lumora"]})
    >>> require_brand(mentions, "Lumora")
    >>> require_brand(mentions, "Lumoraa")
    Traceback (most recent call last):
    ...
    socialreturns.inputs.InputError: key 'brand': no mentions of the brand 'Lumoraa'. Expected one of Brightwell, Lumora. Did you mean 'Lumora'?
    """
    if "brand" not in mentions.columns:
        raise InputError(
            "mentions has no column 'brand'", column="brand", expected="the mentions table (load_mentions)"
        )
    found = sorted(mentions["brand"].dropna().astype(str).unique())
    if brand in found:
        return
    shown = ", ".join(found[:_BRANDS_SHOWN]) + (
        f" and {len(found) - _BRANDS_SHOWN} more" if len(found) > _BRANDS_SHOWN else ""
    )
    close = difflib.get_close_matches(str(brand), found, n=1)
    raise InputError(
        f"no mentions of the brand {brand!r}",
        key=key,
        expected=f"one of {shown}" if found else "mentions of at least one brand",
        hint=f"Did you mean '{close[0]}'?" if close else None,
    )


def is_member(values: pd.Series | pd.Index, of: pd.Series | pd.Index | Sequence) -> pd.Series | np.ndarray:
    """``values.isin(of)`` in linear time, for identifiers (customer ids) by the hundred thousand.

    pandas 3.1's ``isin`` on Arrow-backed strings builds its value set in a Python loop over
    ``of`` (about a second per 100,000 customers); as objects the values are hashed in C.
    Returns a boolean Series on ``values``' index for a Series, a boolean array for an Index.
    """
    found = pd.Series(np.asarray(values, dtype=object), dtype=object).isin(np.asarray(of, dtype=object))
    if isinstance(values, pd.Series):
        return pd.Series(found.to_numpy(), index=values.index, name=values.name)
    return found.to_numpy()
