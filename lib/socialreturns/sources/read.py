"""Reading an export as its tool wrote it: encoding, delimiter, preamble, header, cells.

Real exports are not our tables: Excel saves UTF-16 with tabs or CP1252, a European spreadsheet
separates with ``;`` and writes decimal commas, ad tools put a title and a date range above the
header, print ``" --"`` for nothing and ``"795,836"`` for thousands, and a spreadsheet turns a
long id into ``5.70306E+17``. `read_export` finds the header by the column names a source
expects (so the lines above it are skipped whatever they say), and `parse_numbers`,
`parse_dates` and `refuse_float_ids` turn its text cells into values or stop with an
`InputError` naming the file, column and lines.

An Excel workbook (XLSX, as Meta Ads Manager exports it) is read with openpyxl: its first sheet
becomes the same text cells a CSV export gives (numbers as written without float noise, dates as
ISO days), so every source reads it alike.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pacsv

from socialreturns.data.times import TIMESTAMP_DTYPE, out_of_range, range_error
from socialreturns.inputs import MAX_SHOWN, InputError

#: Lines searched for the header (titles, date ranges and account names come first).
HEADER_SEARCH_LINES = 60
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}

#: A test of a line's normalised header cells: is this the header a source expects?
HeaderTest = Callable[[list[str]], bool]

#: Cells that mean "no value": empty, Google Ads' " --", a lone dash.
MISSING = frozenset({"", "--", "-", "\u2014", "n/a", "N/A", "null", "NULL"})


def normalise_header(name: str) -> str:
    """A header cell as compared with a source's expected names: NFKC, invisible characters
    dropped, spaces collapsed, case folded.

    >>> normalise_header("\\ufeffAmount  Spent (EUR) ")
    'amount spent (eur)'
    """
    name = unicodedata.normalize("NFKC", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cc"))
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Export:
    """One export file as read: its text cells under its own header.

    ``frame`` holds every cell as text (stripped), columns as written in the header (stripped
    of spaces and invisible characters); its index is each row's line number in the file (the
    header's line plus one for the first row; a cell with a line break inside counts as one
    line). ``preamble`` holds the lines above the header.
    """

    path: Path
    sha256: str
    encoding: str
    delimiter: str
    header_line: int
    preamble: tuple[str, ...]
    frame: pd.DataFrame

    def lines(self, index: Sequence[int] | pd.Index) -> list[str]:
        """Row labels for messages: ``line N``."""
        return [f"line {int(i)}" for i in index]

    def describe(self) -> dict[str, object]:
        """What the import log says of the file."""
        return {"path": str(self.path), "sha256": self.sha256, "encoding": self.encoding,
                "delimiter": _DELIMITER_NAMES[self.delimiter], "header_line": self.header_line,
                "rows_read": len(self.frame)}  # fmt: skip


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    A byte-order mark decides (UTF-8, UTF-16 LE/BE); without one, UTF-16 is recognised by its
    NUL bytes, then UTF-8 is tried and CP1252 (Excel's "CSV" on Western Windows) is the fallback.

    Raises
    ------
    InputError
        For a binary file (a zip that is not a workbook), or bytes that are neither UTF-8 nor
        CP1252.
    """
    if data.startswith(b"PK\x03\x04"):
        return xlsx_text(data, path), "xlsx"
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] != 0:
        encoding = "utf-16-le"
    elif len(data) >= 4 and data[0:4:2] == b"\x00\x00" and data[1] != 0:
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"cannot be read as {encoding} text (byte {data[exc.start:exc.start + 1]!r} on "
                         f"line {line})", file=path, rows=[f"line {line}"],
                         expected="text in UTF-8, UTF-16 or Windows-1252",
                         hint="Re-export the file as CSV UTF-8") from None  # fmt: skip
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(f"holds a NUL byte on line {line}", file=path, rows=[f"line {line}"],
                         expected="a text export", hint="The file is damaged or binary; export it again")  # fmt: skip
    return text, encoding


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def xlsx_text(data: bytes, path: Path) -> str:
    """The first sheet of an XLSX workbook as CSV text (see `_cell_text`).

    A long id that Excel stored as a number (``5.70306E+17``) comes out as ``5.70306e+17``, so
    `refuse_float_ids` stops on it as on a CSV export.

    Raises
    ------
    InputError
        For a zip file that is not a workbook, or a workbook without a sheet.
    """
    import openpyxl  # only for workbooks: it takes a fifth of a second to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError or its own errors on a bad file
        raise InputError(f"is a zip file but not an Excel workbook ({type(exc).__name__})", file=path,
                         expected="a CSV, tab-separated or XLSX export",
                         hint="Export the report again as CSV or XLSX") from None  # fmt: skip
    try:
        if not book.worksheets:
            raise InputError(
                "is a workbook without a sheet", file=path, expected="the report on its first sheet"
            )
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells = [_cell_text(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
    finally:
        book.close()
    # a table's rows as wide as its widest (a row ending in empty cells keeps them); title lines
    # of one cell stay one cell
    width = max((len(r) for r in rows), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells in rows:
        writer.writerow(cells + [""] * (width - len(cells)) if len(cells) > 1 else cells)
    return out.getvalue()


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def find_header(
    lines: Sequence[str], matches: HeaderTest, *, path: Path, what: str, expected: str
) -> tuple[int, str, list[str]]:
    """The first of ``lines`` that ``matches`` (a predicate on the normalised cells) accepts as
    the header, with any delimiter of `DELIMITERS`: its index, the delimiter and the cells.

    Raises
    ------
    InputError
        When no line of the first `HEADER_SEARCH_LINES` is such a header: the file is not what
        the source expects (naming what its first line holds).
    """
    for number, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            cells = _cells(line, delimiter)
            if len(cells) > 1 and matches([normalise_header(c) for c in cells]):
                return number, delimiter, cells
    first = next((ln for ln in lines if ln.strip()), "")
    shown = first if len(first) <= 120 else first[:117] + "..."
    raise InputError(f"is not {what}: none of its first {HEADER_SEARCH_LINES} lines is a header with "
                     f"the columns it needs (line 1 reads {shown!r})", file=path, expected=expected,
                     hint="Check that the file was exported from that tool, or choose the "
                     "source that wrote it (socialreturns import --list)")  # fmt: skip


def read_export(path: str | Path, matches: HeaderTest, *, what: str, expected: str) -> Export:
    """Read one export: decode it, find its header line by ``matches`` (see `find_header`),
    and read the rows under it as text cells.

    Parameters
    ----------
    path
        The file.
    matches
        Predicate on a line's normalised header cells (`normalise_header`): is this the header?
    what, expected
        For messages: what the file should be ("a Google Ads report") and the header expected.

    Raises
    ------
    InputError
        A missing, empty, binary or undecodable file; no header; a column named twice; a row with
        another number of cells than the header.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=path, expected=f"{what} (a CSV file)")
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    text, encoding = decode(data, path)
    if not text.strip():
        raise InputError("is empty", file=path, expected=f"{what} with a header line and rows")
    lines = text.splitlines(keepends=True)
    index, delimiter, header = find_header([ln.rstrip("\r\n") for ln in lines[:HEADER_SEARCH_LINES]],
                                           matches, path=path, what=what, expected=expected)  # fmt: skip
    body = "".join(lines[index + 1 :])
    names = [" ".join(unicodedata.normalize("NFKC", c).replace("\ufeff", "").split()) for c in header]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"names the column '{twice[0]}' twice in its header (line {index + 1})", file=path,
                         column=twice[0], expected="each column name once in the header")  # fmt: skip
    frame = _cells_of(body, names, delimiter, path=path, header_line=index + 1)
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    # blank lines are skipped by the reader; count them back so that line numbers stay true
    frame.index = _line_numbers(body, index + 2, len(frame))
    return Export(path, sha256, encoding, delimiter, index + 1,
                  tuple(ln.rstrip("\r\n") for ln in lines[:index]), frame)  # fmt: skip


def _cells_of(body: str, names: list[str], delimiter: str, *, path: Path, header_line: int) -> pd.DataFrame:
    """The rows under the header as text cells (pandas' ``str``), read by pyarrow's CSV reader:
    several times faster than pandas' on a million rows, and strict about the cell count."""
    if not body.strip():
        return pd.DataFrame({n: pd.Series(dtype="str") for n in names})
    try:
        table = pacsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )  # fmt: skip
    except pa.ArrowInvalid as exc:
        found = re.search(r"Expected (\d+) columns, got (\d+): (.*)", str(exc), re.DOTALL)
        if found is None:
            raise InputError(f"cannot be read as CSV ({exc})", file=path, expected="a CSV export") from None
        row = found[3].strip()
        offset = body.find(row[:200])
        line = header_line + 1 + body.count("\n", 0, offset) if offset >= 0 else None
        raise InputError(f"is not well-formed: {'line ' + str(line) if line else 'a line'} has {found[2]} cells "
                         f"where the header has {found[1]}", file=path, rows=[f"line {line}"] if line else [],
                         values=[row[:80]] if line else [],
                         expected=f"as many {_DELIMITER_NAMES[delimiter]}-separated cells on each line as in "
                         f"the header on line {header_line} (a cell holding the delimiter must be quoted)") from None  # fmt: skip
    text = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' own ``str``
    return table.to_pandas(types_mapper={pa.string(): text}.get)


def _line_numbers(body: str, first: int, rows: int) -> pd.Index:
    """Line numbers of the ``rows`` non-blank lines of ``body``, the first being line ``first``.
    A cell spanning lines makes later numbers early by its extra lines (a hint, not exact)."""
    if "\n\n" not in body and "\n\r\n" not in body:
        return pd.RangeIndex(first, first + rows)
    numbers = [first + i for i, ln in enumerate(body.splitlines()) if ln.strip()]
    return pd.Index(numbers[:rows]) if len(numbers) >= rows else pd.RangeIndex(first, first + rows)


# --------------------------------------------------------------------------- cells


def _refuse(export: Export, column: str, bad: pd.Series, values: pd.Series, problem: str,
            expected: str, hint: str | None = None) -> None:  # fmt: skip
    if bad.any():
        index = values.index[bad.to_numpy()]
        raise InputError(f"{int(bad.sum())} value(s) {problem}", file=export.path, column=column,
                         rows=export.lines(index[:50]), values=list(values[bad].head(MAX_SHOWN)),
                         expected=expected, hint=hint)  # fmt: skip


_THOUSANDS_COMMA = r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_THOUSANDS_DOT = r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$"
_SYMBOLS = r"(?:US|CA|AU|NZ|HK|C|A|R)?\$|[\s\u00a0\u202f'’€£¥]|\b[A-Z]{3}\b"


def _decimal_of(cleaned: pd.Series, hint: str) -> str:
    """The decimal separator of a column of number text: ``"."`` or ``","``.

    A value with both separators settles it (the last one is the decimal); a comma-only value
    that is not a thousands grouping (``12,5``) means a decimal comma, a dot-only one that is not
    (``12.5``) a decimal point; a column where every value reads both ways (``795,836``) takes
    the file's ``hint`` (a decimal comma in a ``;``-separated file, else a point).
    """
    uniques = pd.Series(cleaned.dropna().unique(), dtype=pd.StringDtype("pyarrow"))
    comma, dot = uniques.str.contains(",", regex=False), uniques.str.contains(".", regex=False)
    both = uniques[comma & dot]
    if len(both):
        last_comma = both.str.contains(r",[^.]*$", regex=True)  # no dot after the last comma
        return "," if bool(last_comma.all()) else "." if not bool(last_comma.any()) else "mixed"
    comma_decimal = bool((~uniques[comma & ~dot].str.fullmatch(_THOUSANDS_COMMA)).any())
    dot_decimal = bool((~uniques[dot & ~comma].str.fullmatch(_THOUSANDS_DOT)).any())
    if comma_decimal and dot_decimal:
        return "mixed"
    if comma_decimal:
        return ","
    if dot_decimal:
        return "."
    return hint


def parse_numbers(export: Export, column: str, *, decimal_hint: str | None = None) -> pd.Series:
    """The numbers of a text column: thousands separators, decimal commas, currency symbols and
    codes, percent signs (``1.16%`` is 0.0116) and `MISSING` cells (NaN) understood.

    Parameters
    ----------
    export
        The file read by `read_export`.
    column
        A column of ``export.frame``.
    decimal_hint
        The decimal separator when every value reads both ways (``"795,836"``); by default a
        comma in a ``;``-separated file, else a dot.

    Returns
    -------
    pandas.Series
        float64, NaN where the cell was missing; percentages as fractions.

    Raises
    ------
    InputError
        Cells that are not numbers, or a column mixing decimal commas and decimal points.
    """
    raw = export.frame[column]
    missing = raw.isin(MISSING)
    percent = raw.str.endswith("%")
    cleaned = raw.mask(missing)
    decorated = cleaned.str.contains(r"[^0-9.,\-]", regex=True).fillna(False)  # signs, spaces, codes
    if decorated.any():  # the slow regex only where needed: most cells are plain digits
        cleaned = cleaned.astype(object)
        cleaned[decorated] = cleaned[decorated].str.replace(_SYMBOLS, "", regex=True).str.rstrip("%")
    hint = decimal_hint or ("," if export.delimiter == ";" else ".")
    decimal = _decimal_of(cleaned, hint)
    if decimal == "mixed":
        both = cleaned.str.contains(",", regex=False) & cleaned.str.contains(".", regex=False)
        _refuse(export, column, both.fillna(False), raw,
                "mix decimal commas and decimal points", "one decimal separator in a column")  # fmt: skip
    if decimal == ",":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    _refuse(export, column, numbers.isna() & ~missing, raw, "cannot be read as numbers",
            "numbers such as 1234.56, 1,234.56 or 1.234,56 (a currency sign and ' --' for empty allowed)")  # fmt: skip
    return numbers.where(~percent, numbers / 100.0)


def parse_dates(export: Export, column: str, formats: Sequence[str]) -> pd.Series:
    """The calendar days of a text column, as UTC midnights (``datetime64[ns, UTC]``).

    The first of ``formats`` (``strptime`` codes) that reads every non-missing cell is used, so
    a column is read one way throughout (``03/04/2025`` is never March in one row and April in
    the next). A time after the date (``2025-03-01 00:00:00``) is ignored.

    Raises
    ------
    InputError
        Cells no format reads, naming the formats tried.
    """
    raw = export.frame[column]
    present = ~raw.isin(MISSING)
    codes, uniques = pd.factorize(raw.where(present))  # a few hundred days over many rows
    if not len(uniques):
        return pd.Series(pd.NaT, index=raw.index, dtype=TIMESTAMP_DTYPE)
    uniques = pd.Series(uniques, dtype="string").str.split(" ").str[0]
    best: pd.Series | None = None
    for fmt in formats:
        parsed = pd.to_datetime(uniques, format=fmt, errors="coerce")
        if best is None or parsed.notna().sum() > best.notna().sum():
            best = parsed
        if parsed.notna().all():
            break
    assert best is not None
    # at the resolution parsed (a year 2305 does not fit nanoseconds), checked, then ns
    days = pd.Series(best.to_numpy()[np.maximum(codes, 0)], index=raw.index).where(codes >= 0)
    shown = " or ".join(_FORMAT_NAMES.get(f, f) for f in formats)
    _refuse(export, column, days.isna() & present, raw, "cannot be read as dates", f"dates such as {shown}")
    days = days.dt.tz_localize("UTC")
    bad = out_of_range(days)
    if bad.any():  # the range every table keeps (data/README.md): a year 2300 is a typing error
        raise range_error(
            days, bad, column=column, rows=export.lines(days.index[bad.to_numpy()]), file=export.path
        )
    return days.astype(TIMESTAMP_DTYPE)


_FORMAT_NAMES = {"%Y-%m-%d": "2025-03-01", "%m/%d/%Y": "3/1/2025 (month first)",
                 "%d/%m/%Y": "01/03/2025 (day first)", "%d.%m.%Y": "01.03.2025", "%Y/%m/%d": "2025/03/01",
                 "%Y%m%d": "20250301", "%b %d, %Y": "Mar 1, 2025"}  # fmt: skip

_FLOAT_ID = r"^-?\d+(?:[.,]\d+)?[eE][+-]?\d+$"


def refuse_float_ids(export: Export, columns: Sequence[str]) -> None:
    """Stop when an id column holds ids a spreadsheet turned into floats (``5.70306E+17``):
    their last digits are lost, so they no longer join to anything.

    Raises
    ------
    InputError
        Naming the column and the first such cells.
    """
    for column in columns:
        raw = export.frame[column]
        bad = raw.str.fullmatch(_FLOAT_ID).fillna(False)
        _refuse(export, column, bad, raw, "are ids a spreadsheet turned into floating-point numbers "
                "(their last digits are lost, so they can no longer be joined)",
                "whole ids as the tool wrote them, such as 23851234567890123",
                hint="Export the file again from the tool and do not open and save it in Excel "
                "(or import the column as text)")  # fmt: skip


def columns_for(export: Export, names: Sequence[str]) -> list[str]:
    """The columns of ``export`` whose normalised names are among ``names`` (normalised)."""
    wanted = {normalise_header(n) for n in names}
    return [str(c) for c in export.frame.columns if normalise_header(c) in wanted]


def column_for(export: Export, names: Sequence[str]) -> str | None:
    """The first column of ``export`` whose normalised name is one of ``names``, if any."""
    found = columns_for(export, names)
    return found[0] if found else None
