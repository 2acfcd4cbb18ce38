"""Loading the tables: one table (`load_table` and a `load_<table>` for each), or all five
checked against each other (`load_tables`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from socialreturns.inputs import InputError

from .read import _parse, _read_raw, _rename, find_table
from .schema import SCHEMAS, TABLES, Tables
from .validate import _check_rules, _validate, validate_tables


def load_table(name: str, source: str | Path, *, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Load and validate one table.

    Parameters
    ----------
    name
        One of ``mentions``, ``spend``, ``touchpoints``, ``orders``, ``customers``.
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
            expected="one of " + ", ".join(TABLES),
            hint=f"Did you mean '{close[0]}'?" if close else None,
        )
    path = find_table(name, source)
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
