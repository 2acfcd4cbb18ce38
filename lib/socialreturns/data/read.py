"""Reading one table: finding its file, reading it raw, renaming its columns, parsing them.

A CSV file is read as text (UTF-8, cells unparsed), a Parquet file with its own types; the
columns are then renamed through the optional column mapping (`read_column_map` reads one from
YAML) and each documented column is parsed to its kind: timestamps and dates to UTC, numbers,
booleans. A cell that cannot be parsed raises `InputError` naming its line.
"""

from __future__ import annotations

import csv
import difflib
import io
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from socialreturns.inputs import MAX_SHOWN, InputError, read_yaml_mapping, resolve

from .schema import _EXPECTED, FORMATS, MAX_ABS_NUMBER, SCHEMAS, TABLES, Col
from .text import FREE_TEXT, clean_names
from .times import TIMESTAMP_DTYPE, _to_utc, out_of_range, range_error

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
    _check_delimiter(text, path)
    try:
        with warnings.catch_warnings():
            # pandas only warns when the first row has extra fields; treat it as the error it is.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise InputError(
            f"is not a well-formed CSV file ({exc})",
            file=path,
            expected="the same number of comma-separated fields on every line",
        ) from None
    # pandas renames a second 'revenue' to 'revenue.1'; put the header back as written so that
    # `_rename` refuses the duplicate instead of the analyses reading the wrong column.
    header = next(csv.reader(io.StringIO(text)), [])
    if len(header) == len(frame.columns):
        frame.columns = header
    return frame


def _check_delimiter(text: str, path: Path) -> None:
    """Refuse a CSV separated by something other than commas, naming the separator found.

    Every table has four or more columns, so a comma-separated header has a comma; a header
    without one is sniffed (`csv.Sniffer`) on its first lines for the separator actually used.
    """
    lines = text.splitlines()[:20]
    if "," in lines[0]:
        return
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=";\t|:").delimiter
    except csv.Error:
        return  # one column and no other separator: the missing-column check explains it
    name = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)", ":": "colons (:)"}[found]
    raise InputError(
        f"is separated by {name}, not by commas",
        file=path,
        expected="a comma-separated file (a dot as decimal separator)",
        hint=f"Export it again as 'CSV (comma delimited)', or convert it in Python with "
        f"pandas.read_csv(path, sep={found!r}, dtype=str).to_csv(path, index=False)",
    )


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
    twice = frame.columns[frame.columns.duplicated()]
    if len(twice):
        column = str(twice[0])
        places = [str(i + 1) for i, c in enumerate(frame.columns) if c == column]
        raise InputError(
            f"the column '{column}' appears {len(places)} times (columns {', '.join(places)})",
            file=path,
            column=column,
            expected="each column name once in the header",
            hint="Delete or rename the extra column (a column mapping must not map onto a column "
            "the file already has)",
        )
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


def _stripped(raw: pd.Series) -> pd.Series:
    """Text cells without surrounding spaces, empty ones missing; other columns as they are."""
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        return raw.where(raw.isna(), raw.astype(str).str.strip()).replace("", None)
    return raw


def _parse_column(raw: pd.Series, col: Col) -> pd.Series:
    """Parse one column to its kind; unparsable cells become missing (checked by the caller)."""
    raw = _stripped(raw)
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
    # timestamp and date: UTC at the resolution read; `_parse` checks the range, then sets ns
    parsed = _to_utc(raw)
    return parsed.dt.normalize() if col.kind == "date" else parsed


def _refuse(
    bad: pd.Series,
    raw: pd.Series,
    path: Path,
    column: str,
    problem: str,
    expected: str,
    *,
    hint: str | None = None,
    shown: pd.Series | None = None,
) -> None:
    """Raise `InputError` naming the rows of ``raw`` where ``bad`` holds, if any (``shown``: the
    values to quote, ``raw``'s by default)."""
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} value(s) {problem}",
            file=path,
            column=column,
            rows=_line(path, list(raw.index[bad.to_numpy()])),
            values=list((raw if shown is None else shown)[bad].head(MAX_SHOWN)),
            expected=expected,
            hint=hint,
        )


def _refuse_nul(raw: pd.Series, column: str, path: Path) -> None:
    """Refuse NUL bytes in a text column (see `socialreturns.data.text`)."""
    nul = raw.notna() & raw.astype(str).str.contains("\x00", regex=False)
    _refuse(nul, raw, path, column, "hold a NUL byte", "text without NUL bytes",
            hint="A NUL byte usually means a UTF-16 or damaged export; re-export the file as UTF-8",
            shown=raw.astype(str).str.replace("\x00", "\\0", regex=False).str[:40])  # fmt: skip


def _refuse_out_of_range(raw: pd.Series, parsed: pd.Series, col: Col, column: str, path: Path) -> None:
    """Refuse non-finite or absurd numbers and timestamps outside the accepted range."""
    if col.kind in ("timestamp", "date"):
        bad = out_of_range(parsed)
        if bad.any():
            rows = _line(path, list(raw.index[bad.to_numpy()]))
            raise range_error(parsed, bad, column=column, rows=rows, file=path)
    elif col.kind in ("int", "float"):
        numbers = pd.to_numeric(parsed, errors="coerce").astype("float64")
        bad = numbers.notna() & ~(numbers.abs() <= MAX_ABS_NUMBER)
        _refuse(bad, raw, path, column, f"are infinite or larger than {MAX_ABS_NUMBER:.0e} in magnitude",
                f"finite numbers of at most {MAX_ABS_NUMBER:.0e} in magnitude (data/README.md)",
                hint="Check the unit (cents read as units?) and that the export did not overflow")  # fmt: skip


def _parse(frame: pd.DataFrame, name: str, path: Path) -> pd.DataFrame:
    out = frame.copy()
    for column, col in SCHEMAS[name].items():
        raw = frame[column]
        if col.kind == "str":
            _refuse_nul(raw, column, path)
        if col.kind in ("int", "float"):
            # bounds first: an infinite or 1e300 count cannot even be cast to Int64
            _refuse_out_of_range(raw, pd.to_numeric(_stripped(raw), errors="coerce"), col, column, path)
        parsed = _parse_column(raw, col)
        if col.kind in ("timestamp", "date"):
            _refuse_out_of_range(raw, parsed, col, column, path)
            parsed = parsed.astype(TIMESTAMP_DTYPE)
        if col.kind == "str" and column not in FREE_TEXT:
            parsed = clean_names(parsed, column=column, path=path)
        was_given = raw.notna()
        if not (pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_datetime64_any_dtype(raw)):
            # text only: formatting a Parquet file's native timestamps as text takes seconds
            was_given &= raw.astype(str).str.strip() != ""
        _refuse(
            was_given & parsed.isna(), raw, path, column, f"cannot be read as {col.kind}", _EXPECTED[col.kind]
        )
        out[column] = parsed
    return out


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
