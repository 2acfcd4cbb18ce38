"""People's sentiment labels of mentions (``labels.csv``, optional): `load_labels`.

The file is what ``socialreturns label-sample`` writes once someone has filled its ``label``
column in a spreadsheet: ``post_id`` and ``label``, any other columns (platform, brand, text)
ignored. Rows left unlabelled are skipped, so a half-labelled sample can be used as it grows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from socialreturns.inputs import InputError, resolve

from .checks import require_columns

#: The classes a person may give, in the order the reports show them.
LABELS = ("positive", "neutral", "negative")
#: Characters a spreadsheet reads as the start of a formula; `label-sample` prefixes such cells
#: with an apostrophe, which is removed again here.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _lines(mask: pd.Series) -> list[int]:
    """The spreadsheet's row numbers of the rows in ``mask`` (the header is row 1)."""
    return [int(i) + 2 for i in mask[mask].index]


def load_labels(source: str | Path, *, mentions: pd.DataFrame | None = None) -> pd.Series | None:
    """Read and check ``labels.csv``: people's class of some mentions.

    Parameters
    ----------
    source
        The file, or a data folder that may hold ``labels.csv``. Relative paths are relative to
        the repository root.
    mentions
        The mentions table: when given, every labelled ``post_id`` must be one of its posts.

    Returns
    -------
    pandas.Series or None
        The label (``positive``, ``neutral`` or ``negative``) of each labelled mention, indexed by
        ``post_id`` in the file's order; labels are read regardless of case and surrounding
        spaces, and rows with an empty label are left out. None when ``source`` is a folder
        without the file.

    Raises
    ------
    InputError
        A missing ``post_id`` or ``label`` column, an unknown label, a post labelled twice, a
        post that is not in ``mentions``, or no labelled row at all; the message names the file,
        the column and the first rows (as numbered in a spreadsheet).
    """
    path = resolve(source)
    if path.is_dir():
        path = path / "labels.csv"
        if not path.is_file():
            return None
    if not path.is_file():
        raise InputError("does not exist", file=path, expected="a labels.csv file of post_id and label")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(f"cannot be read as CSV ({error})", file=path,
                         expected="a UTF-8 CSV file with a header row: post_id,label") from None  # fmt: skip
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    require_columns(frame, ("post_id", "label"), str(path))
    post_id = frame["post_id"].str.strip()
    quoted = post_id.str.startswith("'") & post_id.str[1:2].isin(FORMULA_START)
    post_id = post_id.mask(quoted, post_id.str[1:])
    label = frame["label"].str.strip().str.lower()
    filled = label != ""
    bad = filled & ~label.isin(LABELS)
    if bad.any():
        raise InputError("has labels other than positive, neutral and negative", file=path,
                         rows=_lines(bad), values=frame["label"][bad].tolist(),
                         column="label", expected="positive, neutral or negative (or empty: not labelled)")  # fmt: skip
    blank = filled & (post_id == "")
    if blank.any():
        raise InputError("has labelled rows without a post_id", file=path, column="post_id", rows=_lines(blank),
                         expected="the post_id of a mention")  # fmt: skip
    twice = filled & post_id.where(filled).duplicated(keep=False) & post_id.ne("")
    if twice.any():
        raise InputError("labels a post more than once", file=path, column="post_id", rows=_lines(twice),
                         values=post_id[twice].tolist(), expected="each post labelled once")  # fmt: skip
    if not filled.any():
        raise InputError("has no labelled row", file=path, column="label",
                         expected="positive, neutral or negative in the label column of some rows")  # fmt: skip
    if mentions is not None:
        require_columns(mentions, ("post_id",), "mentions")
        # an Index lookup, not Series.isin: pandas' string isin makes one pyarrow scalar per
        # known post (half a second for 50,000 mentions)
        known = pd.Index(mentions["post_id"].astype(str).to_numpy(dtype=object)).unique()
        unknown = filled & (known.get_indexer(post_id.to_numpy(dtype=object)) < 0)
        if unknown.any():
            raise InputError("labels posts that are not among the mentions", file=path, column="post_id",
                             rows=_lines(unknown), values=post_id[unknown].tolist(),
                             expected="post_ids of the mentions table (labels from this data's sample)")  # fmt: skip
    return pd.Series(label[filled].to_numpy(), index=pd.Index(post_id[filled].to_numpy(), name="post_id"),
                     name="label")  # fmt: skip
