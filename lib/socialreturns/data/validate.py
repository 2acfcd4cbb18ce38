"""Validating parsed tables: the pandera schema, rules within a table, rules across tables.

Each failure raises `InputError` naming the file, the column, the first offending rows (CSV line
numbers, the header being line 1) and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from socialreturns.inputs import MAX_SHOWN, InputError

from .read import _line
from .schema import _EXPECTED, SCHEMAS, _schema


def _validate(frame: pd.DataFrame, name: str, path: Path) -> pd.DataFrame:
    try:
        return _schema(name).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = str(first["column"])
        same = cases[(cases["column"] == first["column"]) & (cases["check"] == first["check"])]
        check = str(first["check"])
        index = [int(i) for i in same["index"].dropna()]
        if check == "not_nullable":
            problem, expected = "empty cells", "a value in every row"
        elif "unique" in check:
            problem, expected = "duplicate values", f"each {column} to appear once"
        elif "not negative" in check or "greater_than_or_equal" in check:
            problem, expected = "negative values", "values of 0 or more"
        else:
            problem, expected = f"failed the check {check}", _EXPECTED[SCHEMAS[name][column].kind]
        raise InputError(
            f"{len(same)} row(s) with {problem}",
            file=path,
            column=column,
            rows=_line(path, index),
            values=list(same["failure_case"].head(MAX_SHOWN)),
            expected=expected,
        ) from None


def _raise_if(
    mask: pd.Series, frame: pd.DataFrame, path: Path, column: str, problem: str, expected: str
) -> None:
    """Raise `InputError` naming the rows of ``frame`` where ``mask`` holds, if any."""
    if mask.any():
        index = list(frame.index[mask.to_numpy()])
        raise InputError(
            problem,
            file=path,
            column=column,
            rows=_line(path, index),
            values=list(frame.loc[mask, column].astype(str).head(MAX_SHOWN)),
            expected=expected,
        )


def _check_rules(frame: pd.DataFrame, name: str, path: Path) -> None:
    """Rules within one table that a column schema cannot say."""
    if name == "orders":
        _raise_if(
            (frame["gross_margin"] > frame["revenue"] + 0.005).fillna(False),
            frame,
            path,
            "gross_margin",
            "gross margin larger than the order's revenue",
            "gross_margin at most revenue (both in the data's currency)",
        )
    if name == "mentions":
        _raise_if(
            (frame["answered_at"] < frame["timestamp"]).fillna(False),
            frame,
            path,
            "answered_at",
            "answer before the mention was posted",
            "answered_at empty or not earlier than timestamp",
        )
    if name == "spend":
        _raise_if(
            frame.duplicated(["date", "channel", "campaign"], keep="first"),
            frame,
            path,
            "campaign",
            "the same date, channel and campaign appear more than once",
            "one row per date, channel and campaign",
        )


def _check_across(frames: dict[str, pd.DataFrame], sources: dict[str, Path], tables: Sequence[str]) -> None:
    """The cross-table rules of `load_tables`, each checked when the tables it needs were loaded."""
    if "customers" in tables:
        customers, path = frames["customers"], sources["customers"]
        ref = customers["referred_by"]
        _raise_if(
            ref.notna() & ~ref.isin(customers["customer_id"]),
            customers,
            path,
            "referred_by",
            "referrer not among the customers",
            "empty, or a customer_id of the same table",
        )
    if "customers" in tables and "orders" in tables:
        orders, path = frames["orders"], sources["orders"]
        _raise_if(
            ~orders["customer_id"].isin(customers["customer_id"]),
            orders,
            path,
            "customer_id",
            f"orders of customers not in {sources['customers'].name}",
            f"every customer_id to be listed in {sources['customers']}",
        )
        acquired = orders["customer_id"].map(customers.set_index("customer_id")["acquisition_date"])
        _raise_if(
            orders["timestamp"].dt.normalize() < acquired,
            orders,
            path,
            "timestamp",
            "orders dated before their customer's acquisition_date",
            f"no order before the acquisition_date in {sources['customers']}",
        )
