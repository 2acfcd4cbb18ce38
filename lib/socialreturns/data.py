"""Load and validate the five input tables; the one input-error type.

Every table is read from CSV (UTF-8) or Parquet, renamed through an optional column mapping,
parsed (timestamps to UTC, numbers, booleans) and validated with a pandera schema. Anything
wrong raises `InputError`, whose message is one paragraph naming the file, the column and the
first offending rows, and saying what was expected. ``data/README.md`` documents the tables.
"""

from __future__ import annotations

import difflib
import io
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

# re-exported: the error type and path helpers live in the light `inputs` module, so that the
# command line can check parameters without importing pandas
from socialreturns.inputs import MAX_SHOWN, InputError, project_root, read_yaml_mapping, resolve

__all__ = ["InputError", "project_root", "read_yaml_mapping", "resolve"]

TABLES = ("mentions", "spend", "touchpoints", "orders", "customers")
FORMATS = (".csv", ".parquet", ".csv.gz")

Kind = Literal["str", "int", "float", "bool", "timestamp", "date"]


@dataclass(frozen=True)
class Col:
    """One documented column: its kind, whether it may be empty, and its value rules."""

    kind: Kind
    nullable: bool = False
    nonnegative: bool = False
    unique: bool = False


SCHEMAS: dict[str, dict[str, Col]] = {
    "mentions": {
        "post_id": Col("str", unique=True),
        "timestamp": Col("timestamp"),
        "platform": Col("str"),
        "brand": Col("str"),
        "author_id": Col("str"),
        "customer_id": Col("str", nullable=True),
        "text": Col("str", nullable=True),
        "likes": Col("int", nonnegative=True),
        "shares": Col("int", nonnegative=True),
        "comments": Col("int", nonnegative=True),
        "reach": Col("int", nonnegative=True),
        "is_question": Col("bool"),
        "answered_at": Col("timestamp", nullable=True),
    },
    "spend": {
        "date": Col("date"),
        "channel": Col("str"),
        "campaign": Col("str"),
        "spend": Col("float", nonnegative=True),
    },
    "touchpoints": {
        "customer_id": Col("str"),
        "timestamp": Col("timestamp"),
        "channel": Col("str"),
        "campaign": Col("str", nullable=True),
    },
    "orders": {
        "order_id": Col("str", unique=True),
        "customer_id": Col("str"),
        "timestamp": Col("timestamp"),
        "revenue": Col("float", nonnegative=True),
        "gross_margin": Col("float"),
    },
    "customers": {
        "customer_id": Col("str", unique=True),
        "acquisition_date": Col("date"),
        "acquisition_channel": Col("str"),
        "referred_by": Col("str", nullable=True),
    },
}

_EXPECTED = {
    "str": "text",
    "int": "whole numbers",
    "float": "numbers (a dot as decimal separator, no currency sign)",
    "bool": "true/false (also 1/0, yes/no)",
    "timestamp": "ISO 8601 timestamps such as 2025-03-01T14:05:00Z (no offset means UTC)",
    "date": "ISO 8601 dates such as 2025-03-01",
}


@dataclass(frozen=True)
class Tables:
    """The five validated tables and the files they came from."""

    mentions: pd.DataFrame
    spend: pd.DataFrame
    touchpoints: pd.DataFrame
    orders: pd.DataFrame
    customers: pd.DataFrame
    sources: dict[str, Path] = field(default_factory=dict)


# --------------------------------------------------------------------------- paths


def find_table(name: str, source: str | Path) -> Path:
    """The file holding table ``name``: ``source`` itself if it is a file, else
    ``source/<name>.csv``, ``.parquet`` or ``.csv.gz``.

    Raises
    ------
    InputError
        When no such file exists.
    """
    source = resolve(source)
    if source.is_file():
        return source
    candidates = [source / f"{name}{ext}" for ext in FORMATS]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if not source.exists():
        raise InputError(
            "no such file or folder",
            file=source,
            expected=f"a folder holding {name}.csv or {name}.parquet, or the file itself",
        )
    raise InputError(
        f"table '{name}' not found",
        file=source,
        expected=" or ".join(c.name for c in candidates) + " in that folder",
    )


# --------------------------------------------------------------------------- reading


def _read_raw(path: Path) -> pd.DataFrame:
    """Read a file as it is: CSV cells as text, Parquet with its own types."""
    if path.suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise InputError(
                f"cannot be read as Parquet ({exc})", file=path, expected="a Parquet file"
            ) from None
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        import gzip

        data = gzip.decompress(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"is not valid UTF-8 text (byte {data[exc.start : exc.start + 1]!r} on line {line})",
            file=path,
            rows=[line],
            expected="a CSV file saved as UTF-8",
            hint="Re-export the file as UTF-8 (in Excel: 'CSV UTF-8')",
        ) from None
    if not text.strip():
        raise InputError("is empty", file=path, expected="a header line and at least one row")
    try:
        with warnings.catch_warnings():
            # pandas only warns when the first row has extra fields; treat it as the error it is.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise InputError(
            f"is not a well-formed CSV file ({exc})",
            file=path,
            expected="the same number of comma-separated fields on every line",
        ) from None


def _line(path: Path, index: Sequence[int]) -> list[str]:
    """Human row labels: line numbers for CSV (the header is line 1), row numbers otherwise."""
    if path.suffix == ".parquet":
        return [f"row {i}" for i in index]
    return [f"line {i + 2}" for i in index]


def _rename(frame: pd.DataFrame, name: str, path: Path, column_map: Mapping[str, str] | None) -> pd.DataFrame:
    spec = SCHEMAS[name]
    column_map = dict(column_map or {})
    for ours in column_map:
        if ours not in spec:
            close = difflib.get_close_matches(ours, list(spec), n=1)
            raise InputError(
                f"the column mapping names '{ours}', which table '{name}' does not have",
                key=f"column_map.{name}.{ours}",
                expected="one of " + ", ".join(spec),
                hint=f"Did you mean '{close[0]}'?" if close else None,
            )
    frame = frame.rename(columns={theirs: ours for ours, theirs in column_map.items()})
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in spec:
        if column not in frame.columns:
            theirs = column_map.get(column, column)
            close = difflib.get_close_matches(theirs, [str(c) for c in frame.columns], n=1)
            hint = (
                f"Did you mean '{close[0]}'? If your export names it differently, map it in "
                f"the column_map parameter ({name}: {{{column}: {close[0]}}})"
                if close
                else "If your export names it differently, map it in the column_map parameter"
            )
            raise InputError(
                f"missing column '{theirs}'",
                file=path,
                column=theirs,
                expected=f"the columns {', '.join(spec)}",
                hint=hint,
            )
    return frame


def _parse_column(raw: pd.Series, col: Col) -> pd.Series:
    """Parse one column to its kind; unparsable cells become missing (checked by the caller)."""
    text_like = raw.dtype == object or pd.api.types.is_string_dtype(raw)
    if text_like:
        raw = raw.where(raw.isna(), raw.astype(str).str.strip()).replace("", None)
    if col.kind == "str":
        return raw.astype("string")
    if col.kind in ("int", "float"):
        numbers = pd.to_numeric(raw, errors="coerce")
        if col.kind == "int":
            whole = numbers.isna() | (numbers == numbers.round())
            numbers = numbers.where(whole)
            return numbers.astype("Int64")
        return numbers.astype("float64")
    if col.kind == "bool":
        if pd.api.types.is_bool_dtype(raw):
            return raw.astype("boolean")
        words = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
        return raw.astype("string").str.lower().map(words).astype("boolean")
    # timestamp and date
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        parsed = raw.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw.dt.tz_localize("UTC")
    else:
        parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    parsed = parsed.astype("datetime64[ns, UTC]")
    return parsed.dt.normalize() if col.kind == "date" else parsed


def _parse(frame: pd.DataFrame, name: str, path: Path) -> pd.DataFrame:
    out = frame.copy()
    for column, col in SCHEMAS[name].items():
        raw = frame[column]
        parsed = _parse_column(raw, col)
        was_given = raw.notna() & (raw.astype(str).str.strip() != "")
        bad = was_given & parsed.isna()
        if bad.any():
            index = list(frame.index[bad.to_numpy()])
            raise InputError(
                f"{int(bad.sum())} value(s) cannot be read as {col.kind}",
                file=path,
                column=column,
                rows=_line(path, index),
                values=list(raw[bad].head(MAX_SHOWN)),
                expected=_EXPECTED[col.kind],
            )
        out[column] = parsed
    return out


def _schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema of a parsed table (types, empties, signs, uniqueness)."""
    dtypes = {
        "str": "string",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
        "timestamp": pd.DatetimeTZDtype(tz="UTC"),
        "date": pd.DatetimeTZDtype(tz="UTC"),
    }
    columns = {
        column: pa.Column(
            dtypes[col.kind],
            checks=[pa.Check.ge(0, error="not negative")] if col.nonnegative else [],
            nullable=col.nullable,
            unique=col.unique,
            coerce=False,
        )
        for column, col in SCHEMAS[name].items()
    }
    return pa.DataFrameSchema(columns, name=name, strict=False)


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


def read_column_map(path: str | Path | None) -> dict[str, dict[str, str]]:
    """Read a column-mapping YAML file: ``{table: {our_column: your_column}}``.

    An empty path means no mapping. Raises `InputError` for a missing file, malformed YAML,
    an unknown table or a non-text column name.
    """
    if not path:
        return {}
    path = resolve(path)
    mapping = read_yaml_mapping(path, what="column-mapping file")
    for table, columns in mapping.items():
        if table not in SCHEMAS:
            close = difflib.get_close_matches(str(table), TABLES, n=1)
            raise InputError(
                f"unknown table '{table}'",
                file=path,
                key=str(table),
                expected="one of " + ", ".join(TABLES),
                hint=f"Did you mean '{close[0]}'?" if close else None,
            )
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise InputError(
                "must map our column names to your column names",
                file=path,
                key=str(table),
                expected="text values, e.g. order_id: OrderNumber",
            )
    return mapping


def load_tables(
    source: str | Path,
    *,
    column_map: Mapping[str, Mapping[str, str]] | None = None,
    tables: Sequence[str] = TABLES,
) -> Tables:
    """Load and validate the tables in the folder ``source`` and check them against each other.

    Cross-table rules: every order's customer is in ``customers`` (when both are loaded), every
    ``referred_by`` is a known customer, and no order precedes its customer's acquisition date.
    Tables not in ``tables`` come back empty.

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
    return Tables(**frames, sources=sources)


# --------------------------------------------------------------------------- checks across analyses

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
