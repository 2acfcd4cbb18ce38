"""Mentions for people to label: `label_sample` draws them, `write_label_sample` writes the CSV
that ``socialreturns label-sample`` hands to the analyst (and `data.load_labels` reads back).

The sample is stratified by brand × platform × the lexicon's class, allocated in proportion to
each stratum's mentions (largest remainders). Proportional, not equal, allocation on purpose:
the shares are corrected with the confusion rates measured on these labels
(`prevalence.corrected_shares`), which holds only if, within each true class, the labelled
mentions are like the rest; over-sampling a rare lexicon class would skew them. Stratifying
still spreads the labels over every brand and platform, so none goes unmeasured by chance.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns.data import require_columns
from socialreturns.data.labels import FORMULA_START
from socialreturns.inputs import InputError
from socialreturns.parameters import Range

from .privacy import redact

#: Mentions in a sample to label (``socialreturns label-sample --size``).
SAMPLE_SIZE = Range("20 to 10,000 mentions", ge=20, le=10_000)
#: The columns of the file, in order.
COLUMNS = ("post_id", "platform", "brand", "text", "label")


def _allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Largest-remainder allocation of ``n`` over strata in proportion to ``sizes``, never more
    than a stratum holds."""
    quota = sizes / sizes.sum() * n
    take = np.floor(quota).astype(int)
    order = (quota - take).sort_values(ascending=False, kind="stable").index
    for stratum in order[: n - int(take.sum())]:
        take[stratum] += 1
    return np.minimum(take, sizes)


def label_sample(
    mentions: pd.DataFrame, lexicon_labels: pd.Series, *, size: int = 300, seed: int = 0
) -> pd.DataFrame:
    """A stratified random sample of mentions to label.

    Parameters
    ----------
    mentions
        The mentions table (``post_id``, ``platform``, ``brand``, ``text``); mentions without
        text are not drawn.
    lexicon_labels
        The lexicon's class of each mention (`score`'s ``label``), on the mentions' index.
    size
        Mentions to draw (all of them when there are fewer).
    seed
        Seed of the draw: the same data and seed give the same sample.

    Returns
    -------
    DataFrame of `COLUMNS`: ``text`` has e-mail addresses, phone numbers, URL queries and
    @handles redacted (`redact`), ``label`` is empty for the labeller to fill in. The lexicon's
    class is not shown, so it cannot sway the labeller. Sorted by brand, platform and post_id.
    """
    require_columns(mentions, ("post_id", "platform", "brand", "text"), "mentions")
    if not isinstance(size, int) or isinstance(size, bool):
        raise InputError(f"is {size!r}", key="size", expected=SAMPLE_SIZE.expected)
    SAMPLE_SIZE.check("size", size)
    frame = mentions[["post_id", "platform", "brand", "text"]].assign(
        lexicon=lexicon_labels.reindex(mentions.index).to_numpy()
    )
    frame = frame[frame["text"].notna() & frame["text"].astype(str).str.strip().ne("")]
    strata = ["brand", "platform", "lexicon"]
    sizes = frame.groupby(strata, dropna=False).size()
    take = _allocate(sizes, min(size, len(frame)))
    rng = np.random.default_rng(seed)
    chosen = []
    for key, rows in frame.groupby(strata, dropna=False).indices.items():
        k = int(take.get(key, 0))
        if k:
            chosen.append(rng.choice(rows, size=k, replace=False))
    picked = frame.iloc[np.sort(np.concatenate(chosen))] if chosen else frame.iloc[:0]
    out = picked.assign(text=picked["text"].astype(str).map(lambda t: redact(t, handles=True)), label="")
    return out[list(COLUMNS)].sort_values(["brand", "platform", "post_id"]).reset_index(drop=True)


def neutralise_formula(value: object) -> str:
    """A cell a spreadsheet shows as text: values starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return get a leading apostrophe, so ``=HYPERLINK(...)`` in a tweet is not run
    (OWASP, "CSV Injection"). `data.load_labels` removes it from post ids again.

    >>> neutralise_formula("=1+1"), neutralise_formula("great lamp")
    ("'=1+1", 'great lamp')
    """
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_label_sample(sample: pd.DataFrame, path: str | Path) -> Path:
    """Write `label_sample`'s table as CSV that opens cleanly in a spreadsheet: UTF-8 with a
    byte-order mark (Excel otherwise reads it as the local code page and garbles emoji), every
    cell quoted, formula-like cells neutralised (`neutralise_formula`). Returns the path."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise InputError("is not a .csv file", file=path, expected="a path ending in .csv")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            for row in sample[list(COLUMNS)].itertuples(index=False):
                writer.writerow([neutralise_formula(v) for v in row])
    except OSError as error:
        raise InputError(
            f"cannot be written ({error.strerror})", file=path, expected="a writable path"
        ) from None
    return path
