"""Writing imported rows into a data folder: merged with what is there, atomically.

A table written by an import carries two extra columns beside the documented ones (extra
columns are kept and ignored by the analyses): ``source``, the importer that wrote the row
(empty for rows written by hand), and ``currency``. Merging follows two rules, so that
importing January and then February adds both and importing a corrected export again does not
count it twice:

* a row with the key of an imported row (``spend``: date, channel, campaign) is replaced,
  whichever source wrote it (the log counts them, and names the other sources replaced);
* every other row stays: two ad accounts of one tool, exported apart for the same days, add up.
  (Replacing a source's whole span instead would drop the first account's rows.)

Rows of other sources and channels stay; tables the import does not write are not touched. The
tables and ``import_log.json`` are replaced together (`inputs.write_together`: temporary files,
then renames), so a failed import leaves the folder as it was.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pacsv

from socialreturns.data import SCHEMAS, load_table
from socialreturns.inputs import InputError, write_together

from .log import LOG_NAME, ImportLog, appended, read_log

#: Per table: the columns that identify one row.
KEYS: Mapping[str, tuple[str, ...]] = {
    "spend": ("date", "channel", "campaign"),
    "orders": ("order_id",),
    "customers": ("customer_id",),
    "touchpoints": ("customer_id", "timestamp", "channel"),
    "mentions": ("post_id",),
}
EXTRA = ("currency", "source")


def _existing(out: Path, table: str) -> pd.DataFrame:
    """The folder's current table (validated), or an empty frame."""
    if (out / f"{table}.parquet").exists() or (out / f"{table}.csv.gz").exists():
        raise InputError(f"holds {table} as Parquet or gzip, which an import does not merge into",
                         file=out, expected=f"{table}.csv or no {table} table yet",
                         hint="Import into a new folder, or convert that table to CSV first")  # fmt: skip
    if not (out / f"{table}.csv").is_file():
        return pd.DataFrame(columns=[*SCHEMAS[table], *EXTRA])
    frame = load_table(table, out / f"{table}.csv")
    for column in EXTRA:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["source"] = frame["source"].fillna("")
    return frame


def _check_currency(out: Path, folder_log: Mapping[str, object], existing: pd.DataFrame,
                    log: ImportLog) -> None:  # fmt: skip
    """One currency per data folder: the log's, or the one the existing rows name."""
    known = {str(c) for c in existing["currency"].dropna().unique() if str(c)}
    if folder_log.get("currency"):
        known.add(str(folder_log["currency"]))
    if log.currency and known and known != {log.currency}:
        files = ", ".join(Path(str(f["path"])).name for f in log.files)
        raise InputError(f"holds data in {', '.join(sorted(known))}; this import ({files}) is in {log.currency}",
                         file=out, key="currency",
                         expected="one currency per data folder (tables to convert between currencies "
                         "are not supported yet)",
                         hint="Import this account into its own data folder, or export it in "
                         f"{', '.join(sorted(known))}")  # fmt: skip


def _merged(existing: pd.DataFrame, new: pd.DataFrame, table: str, log: ImportLog) -> pd.DataFrame:
    """Existing rows less those with the key of a new row, plus the new rows."""
    key = list(KEYS[table])
    replaced = pd.Series(False, index=existing.index)
    if len(existing) and len(new):
        replaced = pd.Series(pd.MultiIndex.from_frame(existing[key]).isin(pd.MultiIndex.from_frame(new[key])),
                             index=existing.index)  # fmt: skip
    log.rows_replaced += int(replaced.sum())
    others = existing.loc[replaced & (existing["source"] != log.source), "source"].value_counts()
    for other, count in others.items():
        log.notes.append(f"{count} row(s) of {other or 'rows written by hand'} replaced by this import's rows "
                         f"with the same {', '.join(key)}")  # fmt: skip
    kept = existing[~replaced.to_numpy()]
    frames = [f for f in (kept, new) if len(f)]
    merged = pd.concat(frames, ignore_index=True) if frames else new
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


def _csv(frame: pd.DataFrame, table: str) -> bytes:
    """The table as our CSV: ISO dates and UTC timestamps, amounts to 1e-6."""
    out = frame.copy()
    for column, col in SCHEMAS[table].items():
        if col.kind in ("date", "timestamp"):
            fmt = "%Y-%m-%d" if col.kind == "date" else "%Y-%m-%dT%H:%M:%SZ"
            codes, uniques = pd.factorize(out[column])  # format each distinct day once
            out[column] = pd.Series(uniques.strftime(fmt), dtype=object).reindex(codes).to_numpy()
        elif col.kind == "float":
            out[column] = out[column].astype("float64").round(6)
    columns = [
        *SCHEMAS[table],
        *EXTRA,
        *[c for c in out.columns if c not in SCHEMAS[table] and c not in EXTRA],
    ]
    # pyarrow's writer: ten times pandas' to_csv on a million rows. Its "needed" style quotes
    # every string, so cells are left bare unless one holds a comma, quote or line break.
    special = any(
        out[c].astype("str").str.contains(r'[,"\r\n]', regex=True).fillna(False).any()
        for c in columns
        if not pd.api.types.is_numeric_dtype(out[c])
    )
    buffer = io.BytesIO()
    buffer.write((",".join(columns) + "\n").encode())  # pyarrow quotes a header it writes
    pacsv.write_csv(pa.Table.from_pandas(out[columns], preserve_index=False), buffer,
                    write_options=pacsv.WriteOptions(include_header=False,
                                                     quoting_style="needed" if special else "none"))  # fmt: skip
    return buffer.getvalue()


def write_tables(out: str | Path, tables: Mapping[str, pd.DataFrame], log: ImportLog) -> dict[str, Path]:
    """Merge each table's rows (the documented columns and ``currency``) into ``out/<table>.csv``
    and append ``log`` to ``out/import_log.json``, all replaced together.

    Parameters
    ----------
    out
        The data folder (created if missing).
    tables
        Table name (a key of `KEYS`) to its parsed rows: dates as UTC ``datetime64``, amounts in
        the currency named in ``rows["currency"]`` and ``log.currency``.
    log
        This import's log entry; ``rows_written``, ``written`` (per table) and ``rows_replaced``
        are set here.

    Returns
    -------
    dict
        Table name to the file written.

    Raises
    ------
    InputError
        A second currency in the folder, a table kept as Parquet, an existing table that does
        not validate, or a file that cannot be written (`inputs.WriteError`).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder", file=out, expected="the data folder to write into")
    out.mkdir(parents=True, exist_ok=True)
    folder_log = read_log(out)
    files: dict[Path, str | bytes] = {}
    paths: dict[str, Path] = {}
    for table, rows in tables.items():
        existing = _existing(out, table)
        _check_currency(out, folder_log, existing, log)
        new = rows.assign(source=log.source)
        merged = _merged(existing, new, table, log)
        log.written[table] = len(new)
        paths[table] = out / f"{table}.csv"
        files[paths[table]] = _csv(merged, table)
    log.rows_written = sum(log.written.values())
    files[out / LOG_NAME] = appended(folder_log, log)
    write_together(files)
    return paths
