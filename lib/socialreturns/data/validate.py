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

from .checks import is_member
from .read import _line
from .schema import _EXPECTED, SCHEMAS, TABLES, Tables, _schema


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
    if name == "experiments":
        _raise_if(frame["end_date"] < frame["start_date"], frame, path, "end_date",
                  "a lift test that ends before it starts", "end_date on or after start_date")  # fmt: skip
        _raise_if(~(frame["standard_error"] > 0), frame, path, "standard_error",
                  "a standard error of 0 or less",
                  "a positive standard error of the measured lift (currency)")  # fmt: skip
    if name == "spend":
        _raise_if(
            frame.duplicated(["date", "channel", "campaign"], keep="first"),
            frame,
            path,
            "campaign",
            "the same date, channel and campaign appear more than once",
            "one row per date, channel and campaign",
        )


def validate_tables(tables: Tables) -> None:
    """Check loaded tables against each other: the rules every notebook relies on.

    Each rule runs when the tables it needs are loaded (named in ``tables.sources``):

    * every ``customers.referred_by`` is a ``customer_id`` of the same table;
    * every order's customer is in ``customers``, and every customer has an order (the
      relationship models start at the first purchase);
    * no order is dated before its customer's ``acquisition_date``;
    * spend lies within the days that have orders (the ROI model needs revenue for every day
      that has spend).

    `load_tables` runs it, and so does ``socialreturns validate``, so a folder that validates
    is one the notebooks accept.

    Raises
    ------
    InputError
        Naming the file, column and first offending rows of the rule that fails.
    """
    frames = {name: getattr(tables, name) for name in TABLES}
    _check_across(frames, tables.sources, tuple(tables.sources))


def _check_across(frames: dict[str, pd.DataFrame], sources: dict[str, Path], tables: Sequence[str]) -> None:
    """The cross-table rules of `validate_tables`."""
    if "customers" in tables:
        customers, path = frames["customers"], sources["customers"]
        ref = customers["referred_by"]
        _raise_if(
            ref.notna() & ~is_member(ref, customers["customer_id"]),
            customers,
            path,
            "referred_by",
            "referrer not among the customers",
            "empty, or a customer_id of the same table",
        )
    if "customers" in tables and "orders" in tables:
        orders, path = frames["orders"], sources["orders"]
        _raise_if(
            ~is_member(orders["customer_id"], customers["customer_id"]),
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
        _raise_if(
            ~is_member(customers["customer_id"], orders["customer_id"]),
            customers,
            sources["customers"],
            "customer_id",
            f"customers without any order in {sources['orders'].name}",
            "every customer to have at least one order (the relationship models start at the first "
            "purchase); drop customers who never bought, or add their orders",
        )
    if "spend" in tables and "orders" in tables:
        spend, path = frames["spend"], sources["spend"]
        first, last = frames["orders"]["timestamp"].min().normalize(), frames["orders"]["timestamp"].max()
        _raise_if(
            (spend["date"] < first) | (spend["date"] > last.normalize()),
            spend,
            path,
            "date",
            f"spend on days outside the orders, which run from {first.date()} to {last.date()}",
            f"spend only on days from the first to the last order in {sources['orders'].name} "
            "(the ROI model needs revenue for every day that has spend)",
        )


#: The column that dates each table's rows, for `describe_tables`.
DATED_BY = {
    "mentions": "timestamp",
    "spend": "date",
    "touchpoints": "timestamp",
    "orders": "timestamp",
    "customers": "acquisition_date",
}


def describe_tables(tables: Tables, *, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """What ``socialreturns validate`` prints: per loaded table its rows, date range and warnings.

    Parameters
    ----------
    tables
        From `load_tables`.
    as_of
        The report date (UTC day); rows dated after it are warned about. Default today (UTC).

    Returns
    -------
    pandas.DataFrame
        One row per loaded table: ``table``, ``rows``, ``first`` and ``last`` (the dating
        column's range, UTC), ``warnings`` (a tuple of sentences, empty when none), ``file``.
    """
    day = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now(tz="UTC")).normalize()
    day = day.tz_localize("UTC") if day.tz is None else day.tz_convert("UTC")
    rows = []
    for name, path in tables.sources.items():
        frame = getattr(tables, name)
        dated = frame[DATED_BY[name]]
        warnings = []
        for column, col in SCHEMAS[name].items():
            if col.kind not in ("timestamp", "date"):
                continue
            future = (frame[column] >= day + pd.Timedelta(days=1)).fillna(False)
            if future.any():
                lines = ", ".join(_line(path, list(frame.index[future.to_numpy()][:MAX_SHOWN])))
                warnings.append(
                    f"{int(future.sum())} row(s) with {column} after the as-of date {day.date()} "
                    f"(the latest {frame[column].max()}; first on {lines})"
                )
        rows.append({"table": name, "rows": len(frame), "first": dated.min(), "last": dated.max(),
                     "warnings": tuple(warnings), "file": path})  # fmt: skip
    return pd.DataFrame(rows, columns=["table", "rows", "first", "last", "warnings", "file"])
