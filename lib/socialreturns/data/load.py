"""Loading the tables: one table (`load_table` and a `load_<table>` for each), or all five
checked against each other (`load_tables`); the optional lift tests (`load_experiments`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from socialreturns.inputs import InputError, resolve

from .cache import cached_table
from .read import _parse, _read_raw, _rename, find_table
from .schema import FORMATS, OPTIONAL_TABLES, SCHEMAS, TABLES, Tables
from .validate import _check_rules, _raise_if, _validate, validate_tables


def load_table(name: str, source: str | Path, *, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Load and validate one table (once per file content: `data.cache`).

    Parameters
    ----------
    name
        One of ``mentions``, ``spend``, ``touchpoints``, ``orders``, ``customers``, or the
        optional ``experiments``.
    source
        The file, or a folder holding ``<name>.csv`` / ``<name>.parquet``. Relative paths are
        relative to the repository root.
    column_map
        Our column name → the column's name in your export, for this table.

    Returns
    -------
    pandas.DataFrame
        The documented columns parsed to their types (timestamps and dates as UTC
        ``datetime64``, text as ``string``, counts as ``Int64``), then any extra columns as read.

    Raises
    ------
    InputError
        Missing file, missing column, unparsable value, empty cell, negative amount, duplicate
        id or an empty table; the message names the file, column and first offending rows.
    """
    if name not in SCHEMAS:
        close = difflib.get_close_matches(name, TABLES, n=1)
        raise InputError(
            f"unknown table '{name}'",
            key=name,
            expected="one of " + ", ".join(TABLES + OPTIONAL_TABLES),
            hint=f"Did you mean '{close[0]}'?" if close else None,
        )
    path = find_table(name, source)
    return cached_table(name, path, column_map, lambda: _load_file(name, path, column_map))


def _load_file(name: str, path: Path, column_map: Mapping[str, str] | None) -> pd.DataFrame:
    """`load_table` of the file ``path``, without the cache."""
    frame = _read_raw(path)
    frame = _rename(frame, name, path, column_map)
    if frame.empty:
        raise InputError("has a header but no rows", file=path, expected="at least one row")
    frame = frame.reset_index(drop=True)
    frame = _parse(frame, name, path)
    frame = _validate(frame, name, path)
    _check_rules(frame, name, path)
    ordered = list(SCHEMAS[name]) + [c for c in frame.columns if c not in SCHEMAS[name]]
    return frame[ordered]


def load_mentions(source: str | Path, **kwargs: Mapping[str, str]) -> pd.DataFrame:
    """Mentions of the brand and its competitors; see `load_table`."""
    return load_table("mentions", source, **kwargs)


def load_spend(source: str | Path, **kwargs: Mapping[str, str]) -> pd.DataFrame:
    """Daily paid spend per channel and campaign (currency per day); see `load_table`."""
    return load_table("spend", source, **kwargs)


def load_touchpoints(source: str | Path, **kwargs: Mapping[str, str]) -> pd.DataFrame:
    """Tracked journey touchpoints; see `load_table`."""
    return load_table("touchpoints", source, **kwargs)


def load_orders(source: str | Path, **kwargs: Mapping[str, str]) -> pd.DataFrame:
    """Orders with revenue and gross margin (currency); see `load_table`."""
    return load_table("orders", source, **kwargs)


def load_customers(source: str | Path, **kwargs: Mapping[str, str]) -> pd.DataFrame:
    """Customers with acquisition date, channel and referrer; see `load_table`."""
    return load_table("customers", source, **kwargs)


def load_experiments(
    source: str | Path,
    *,
    spend: pd.DataFrame | None = None,
    column_map: Mapping[str, str] | None = None,
) -> pd.DataFrame | None:
    """Lift tests (``experiments``), the optional table that calibrates the ROI model.

    Parameters
    ----------
    source
        The file, or a folder that may hold ``experiments.csv`` / ``.parquet``.
    spend
        The spend table: when given, every test's channel must appear in it.
    column_map
        Our column name → the column's name in your export.

    Returns
    -------
    pandas.DataFrame or None
        ``channel``, ``start_date``, ``end_date`` (UTC days, inclusive), ``incremental_revenue``
        (the measured lift over the window, currency) and ``standard_error`` (currency); None
        when ``source`` is a folder without the table.

    Raises
    ------
    InputError
        As `load_table`; a test ending before it starts, a standard error that is not positive,
        or a channel the spend table does not have (naming the file, column and rows).
    """
    folder = resolve(source)
    if folder.is_dir() and not any((folder / f"experiments{ext}").is_file() for ext in FORMATS):
        return None
    frame = load_table("experiments", source, column_map=column_map)
    if spend is not None:
        path = find_table("experiments", source)
        known = set(spend["channel"].astype(str))
        _raise_if(~frame["channel"].astype(str).isin(known), frame, path, "channel",
                  "a lift test on a channel with no spend",
                  "a channel of the spend table: " + ", ".join(sorted(known)))  # fmt: skip
    return frame


def load_tables(
    source: str | Path,
    *,
    column_map: Mapping[str, Mapping[str, str]] | None = None,
    tables: Sequence[str] = TABLES,
) -> Tables:
    """Load and validate the tables in the folder ``source`` and check them against each other.

    The cross-table rules are those of `validate_tables` (customers and their orders, referrers,
    acquisition dates, spend within the orders' days). Tables not in ``tables`` come back empty.

    Raises
    ------
    InputError
        As `load_table`, or when a cross-table rule fails (naming both files).
    """
    column_map = column_map or {}
    frames = {
        name: load_table(name, source, column_map=column_map.get(name)) if name in tables else
        pd.DataFrame(columns=list(SCHEMAS[name]))
        for name in TABLES
    }  # fmt: skip
    sources = {name: find_table(name, source) for name in tables}
    loaded = Tables(**frames, sources=sources)
    validate_tables(loaded)
    return loaded
