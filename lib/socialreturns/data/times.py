"""Timestamps: the one resolution and range of every loaded or passed frame.

Every timestamp the library works with is ``datetime64[ns, UTC]``. pandas 3 reads ISO strings
at microsecond resolution and Parquet at whatever resolution was written, and merging two
frames on time (``merge_asof``) refuses keys of different resolutions, so frames are brought to
one resolution at the door: when loaded (`load_table`) and when passed to an analysis
(`as_utc`). Nanoseconds because they are pandas' default for ``Timestamp`` arithmetic and the
resolution the sample has always loaded at; their range (1677 to 2262) holds the accepted range
below with room to spare.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from socialreturns.inputs import MAX_SHOWN, InputError

#: The one timestamp type of loaded and passed frames.
TIMESTAMP_DTYPE = pd.DatetimeTZDtype(unit="ns", tz="UTC")
#: Accepted timestamps: on or after EARLIEST and before LATEST (UTC). Social media, ad spend and
#: web orders before 1990 or after 2100 are typing or export errors (a year 2300, a 1900 default).
EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
LATEST = pd.Timestamp("2100-01-01", tz="UTC")


def _to_utc(values: pd.Series) -> pd.Series:
    """Any datetime-like or ISO text series to UTC at its own resolution; unparsable → NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize("UTC")  # no zone means UTC (data/README.md)
    return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")


def out_of_range(stamps: pd.Series) -> pd.Series:
    """Boolean mask of the timestamps (UTC, any resolution) outside [EARLIEST, LATEST)."""
    return stamps.notna() & ((stamps < EARLIEST) | (stamps >= LATEST))


def range_error(
    stamps: pd.Series, bad: pd.Series, *, column: str, rows: Sequence[object], file: object = None
) -> InputError:
    """The error for timestamps outside the accepted range (``rows`` labels the bad ones)."""
    return InputError(
        f"{int(bad.sum())} timestamp(s) before {EARLIEST.year} or from {LATEST.year} on",
        file=file,
        column=column,
        rows=rows,
        values=[str(v) for v in stamps[bad].head(MAX_SHOWN)],
        expected=f"timestamps from {EARLIEST.date()} to before {LATEST.date()} (UTC)",
        hint="Check the year, and that the export did not put a placeholder date in empty cells",
    )


def as_utc(values: pd.Series, *, column: str | None = None) -> pd.Series:
    """``values`` as ``datetime64[ns, UTC]``, the one timestamp type of the library.

    Analyses call it on the timestamp columns of frames they are passed, which may come from
    anywhere (CSV through pandas 3 gives microseconds, Parquet what was written), before
    comparing or merging them on time.

    Parameters
    ----------
    values
        Timestamps of any resolution: time-zone aware (converted to UTC), naive (taken as UTC)
        or ISO 8601 text.
    column
        The column's name, quoted in an error.

    Returns
    -------
    pandas.Series
        The same index, dtype ``datetime64[ns, UTC]``; missing values stay ``NaT``.

    Raises
    ------
    InputError
        Text that is not an ISO timestamp, or a timestamp before 1990 or from 2100 on.

    Examples
    --------
    >>> us = pd.Series(pd.to_datetime(["2025-03-01T10:00:00+02:00"], utc=True)).astype("datetime64[us, UTC]")
    >>> as_utc(us).dtype
    datetime64[ns, UTC]
    >>> str(as_utc(pd.Series(["2025-03-01 10:00"]))[0])
    '2025-03-01 10:00:00+00:00'
    """
    column = column or str(values.name or "timestamp")
    parsed = _to_utc(values)
    unreadable = values.notna() & parsed.isna()
    if unreadable.any():
        raise InputError(
            f"{int(unreadable.sum())} value(s) cannot be read as timestamps",
            column=column,
            rows=list(values.index[unreadable.to_numpy()]),
            values=list(values[unreadable].head(MAX_SHOWN)),
            expected="timestamps, or ISO 8601 text such as 2025-03-01T14:05:00Z",
        )
    bad = out_of_range(parsed)
    if bad.any():
        raise range_error(parsed, bad, column=column, rows=list(values.index[bad.to_numpy()]))
    return parsed.astype(TIMESTAMP_DTYPE)
