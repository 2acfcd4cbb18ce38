"""The sources we import and `import_files`, the one call behind ``socialreturns import``.

A `Source` names a tool's export, the tables it writes, the header it expects (for
``socialreturns import --list``) and the function that turns its files into our rows. Sources
of other tables (orders and customers from one shop export, touchpoints, mentions) add a
`Source` whose ``convert`` returns those tables; `write.KEYS` already names each table's row key;
reading (`read`), logging (`log`) and merging and writing (`write`) are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from socialreturns.inputs import InputError

from . import shop, threads
from .ads import LAYOUTS
from .listening import PROFILES as LISTENING
from .log import ImportLog
from .read import read_export
from .spend import SpendLayout, read_spend
from .write import write_tables


@dataclass(frozen=True)
class ImportOptions:
    """Choices a user gives on the command line.

    ``channel``: our channel for every row (``--channel``); ``currency``: the ISO currency of an
    export that does not name it (``--currency``); ``salt``: the secret of the customer hash of
    shop exports (``--salt``, else ``$SOCIALRETURNS_SALT``); ``margin_rate``: gross margin as a
    share of revenue (``--margin-rate``); ``folder``: the data folder written into (so that a
    customer already there keeps the earlier acquisition date).
    """

    channel: str | None = None
    currency: str | None = None
    salt: str | None = None
    margin_rate: float | None = None
    folder: Path | None = None
    # mentions sources: the brands' accounts (``--brand NAME=@handle,id``), a profile (a built-in
    # name or a YAML file, ``--profile``) and the platform of exports without one (``--platform``)
    brands: tuple[str, ...] = ()
    profile: str | None = None
    platform: str | None = None


#: Turns a source's files into our tables' rows (table name -> rows), filling the log (files,
#: drops, notes, currency).
Convert = Callable[[Sequence[Path], ImportOptions, ImportLog], Mapping[str, pd.DataFrame]]


@dataclass(frozen=True)
class Source:
    """One tool's export: its name on the command line, the tables it writes, what it expects."""

    name: str
    tables: tuple[str, ...]
    title: str
    header: str
    convert: Convert


@dataclass(frozen=True)
class ImportResult:
    """What `import_files` did: the table files written and the log entry appended."""

    paths: Mapping[str, Path]
    log: ImportLog

    def summary(self) -> str:
        """Lines for the command line: rows read, written, replaced, dropped (with reasons)."""
        log = self.log
        written = ", ".join(f"{log.written[t]:,} written to {p}" for t, p in self.paths.items())
        lines = [f"{log.source}: {log.rows_read:,} rows read from {len(log.files)} file(s), {written}"
                 + (f" ({log.currency})" if log.currency else "")]  # fmt: skip
        if log.rows_replaced:
            lines.append(f"  {log.rows_replaced:,} earlier row(s) replaced")
        lines += [f"  dropped {d.count:,}: {d.reason} (e.g. {d.examples[0]})" for d in log.rows_dropped]
        lines += [f"  note: {n}" for n in log.notes]
        lines.append(f"  log: {next(iter(self.paths.values())).parent / 'import_log.json'}")
        return "\n".join(lines)


def _spend_convert(layout: SpendLayout) -> Convert:
    def convert(paths: Sequence[Path], options: ImportOptions, log: ImportLog) -> pd.DataFrame:
        frames = []
        for path in paths:
            export = read_export(
                path, layout.is_header, what=layout.title, expected=f"the header {layout.header}"
            )
            log.files.append(export.describe())
            log.rows_read += len(export.frame)
            rows = read_spend(export, layout, log, channel=options.channel, currency=options.currency)
            frames.append(rows.assign(_file=str(path)))
        rows = pd.concat(frames, ignore_index=True)
        _refuse_overlap(rows)
        currencies = sorted(set(rows["currency"].dropna()))
        if len(currencies) > 1:
            raise InputError(f"the files are in more than one currency ({', '.join(currencies)})",
                             file=", ".join(str(p) for p in paths),
                             expected="one currency per data folder (FX tables are not supported yet)")  # fmt: skip
        log.currency = currencies[0] if currencies else options.currency
        return {"spend": rows.drop(columns="_file")}

    return convert


def _refuse_overlap(rows: pd.DataFrame) -> None:
    """Two files with the same day, channel and campaign would count its spend twice."""
    twice = rows.duplicated(["date", "channel", "campaign"], keep=False)
    if twice.any():
        first = rows[twice].iloc[0]
        files = sorted(set(rows.loc[twice, "_file"]))
        raise InputError(f"the files overlap: {int(twice.sum())} rows share a date, channel and campaign "
                         f"(e.g. {first['date']:%Y-%m-%d}, {first['channel']}, {first['campaign']!r})",
                         file=", ".join(files), expected="files covering different days or campaigns",
                         hint="Import one export per period; importing a newer export of the same "
                         "period again replaces the earlier rows")  # fmt: skip


SOURCES: Mapping[str, Source] = {
    layout.source: Source(layout.source, ("spend",), layout.title, layout.header, _spend_convert(layout))
    for layout in LAYOUTS
} | {
    "shopify-orders": Source("shopify-orders", ("orders", "customers"), shop.TITLE, shop.HEADER, shop.convert)
}
#: Mentions: the X archive, reply threads (customer-support layout or a --profile), listening tools.
SOURCES = dict(SOURCES) | {
    "twitter-archive": Source("twitter-archive", ("mentions",), threads.ARCHIVE_TITLE, threads.ARCHIVE_HEADER,
                              threads.converter(archive=True)),
    "reply-threads": Source("reply-threads", ("mentions",), threads.REPLY_TITLE, threads.REPLY_HEADER,
                            threads.converter(profile="customer-support")),
    **{name: Source(name, ("mentions",), LISTENING[name].title, LISTENING[name].header_line(),
                    threads.converter(profile=name)) for name in ("meltwater", "brandwatch", "sprout-social")},
    "listening": Source("listening", ("mentions",), "any mentions export, through --profile FILE.yaml",
                        "the columns your profile names (data/IMPORT.md)", threads.converter()),
}  # fmt: skip


def listing() -> str:
    """What ``socialreturns import --list`` prints: each source, its table and the header it expects."""
    lines = ["sources (socialreturns import SOURCE FILE... --out DIR):"]
    for source in SOURCES.values():
        lines += [
            f"  {source.name:14s} -> {', '.join(source.tables):8s} {source.title}",
            f"  {'':18s}header: {source.header}",
        ]
    return "\n".join(lines)


def import_files(
    source: str, files: Sequence[str | Path], out: str | Path, *, channel: str | None = None,
    currency: str | None = None, salt: str | None = None, margin_rate: float | None = None,
    brands: Sequence[str] = (), profile: str | None = None, platform: str | None = None,
) -> ImportResult:  # fmt: skip
    """Import exports of one ``source`` into the data folder ``out``.

    Parameters
    ----------
    source
        A name of `SOURCES` (``meta-ads``, ``google-ads``, ``linkedin-ads``, ``tiktok-ads``,
        ``shopify-orders``).
    files
        The export files (CSV or tab-separated text, any of UTF-8, UTF-16, CP1252).
    out
        The data folder: the source's tables are merged with the rows (see `write`), other
        tables are not touched, and ``import_log.json`` gets one more entry.
    channel
        Our channel name for every row, for exports without a platform breakdown.
    currency
        ISO code for exports that do not name their currency (checked against those that do).
    salt
        ``shopify-orders``: the secret salt of the customer hash (else ``$SOCIALRETURNS_SALT``).
    margin_rate
        ``shopify-orders``: gross margin as a share of revenue, 0 to 1.
    brands
        Mentions sources: each brand and its accounts, ``NAME=@handle[,account id...]``
        (`threads.parse_brands`); the salt (``salt``) keys the authors' pseudonymous ids.
    profile
        Mentions sources: a built-in profile name (`listening.PROFILES`) or a YAML profile file.
    platform
        Mentions sources: our platform for exports that do not name one (``twitter``...).

    Returns
    -------
    ImportResult
        The files written (per table) and the log entry.

    Raises
    ------
    InputError
        An unknown source, a file that is not what the source expects (naming the file, line or
        column and what was expected), a report not by day, a second currency.
    """
    if source not in SOURCES:
        raise InputError(f"unknown source '{source}'", key="source", expected="one of " + ", ".join(SOURCES),
                         hint="socialreturns import --list shows each source's header")  # fmt: skip
    if not files:
        raise InputError("no files given", key="files", expected="one or more export files")
    spec = SOURCES[source]
    log = ImportLog(
        source=source, tables=list(spec.tables), imported_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    options = ImportOptions(channel=channel, currency=currency.upper() if currency else None, salt=salt,
                            margin_rate=margin_rate, folder=Path(out), brands=tuple(brands), profile=profile,
                            platform=platform)  # fmt: skip
    tables = spec.convert([Path(f) for f in files], options, log)
    return ImportResult(write_tables(out, tables, log), log)
