"""Spend exports of ad tools to our ``spend`` table: one `SpendLayout` per tool, one reader.

A layout says which header names a tool uses (in each language it exports), where the currency
is (a column, or inside the spend column's name as in ``Amount spent (EUR)``), which column
breaks rows down by platform, and how its dates are written. `read_spend` turns one export into
rows of ``date, channel, campaign, spend, currency``: total and summary rows are dropped (and
logged), a report that covers a date range per row is refused (it cannot be split into days),
ids a spreadsheet turned into floats are refused, and rows of one day, channel and campaign
(an age or placement breakdown) are summed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from socialreturns.data import MAX_ABS_NUMBER
from socialreturns.data.text import clean_names
from socialreturns.inputs import MAX_SHOWN, InputError

from .log import EXAMPLES, ImportLog
from .read import (
    Export,
    column_for,
    columns_for,
    normalise_header,
    parse_dates,
    parse_numbers,
    refuse_float_ids,
)

_CURRENCY_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\((?P<currency>[a-z]{3})\)$")
# "Total: Campaigns", "Total" alone; not a campaign called "Total Recall"
_TOTAL = re.compile(r"^(?:total|totals|gesamt|summe|totale|resultados totales)(?:\s*:.*)?$", re.IGNORECASE)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class SpendLayout:
    """How one tool writes a spend report.

    Column names are listed in every language the tool exports; they are compared after
    `read.normalise_header` (case and spacing do not matter). ``spend`` names may carry a
    currency suffix, ``Amount spent (EUR)``.
    """

    source: str
    title: str
    header: str  # the header expected, as `socialreturns import --list` shows it
    campaign: tuple[str, ...]
    spend: tuple[str, ...]
    date: tuple[str, ...]
    end: tuple[str, ...] = ()  # a column with each row's last day (a range per row is refused)
    currency: tuple[str, ...] = ()
    breakdown: tuple[str, ...] = ()  # columns whose value names the channel, first found wins
    channel_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    channel_prefix: str = ""  # unknown breakdown values become prefix + value
    default_channel: str | None = None
    ids: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    by_day: str = "export the report by day"  # how to, in the tool's words
    #: a preamble line naming the report's time breakdown (group 1), which must be ``daily``
    granularity: str | None = None

    def spend_column(self, names: list[str]) -> tuple[int, str | None] | None:
        """The position of the spend column among normalised ``names`` and the currency in its
        name (upper case), or None."""
        wanted = {normalise_header(n) for n in self.spend}
        for i, name in enumerate(names):
            if name in wanted:
                return i, None
            m = _CURRENCY_SUFFIX.match(name)
            if m and m["name"] in wanted:
                return i, m["currency"].upper()
        return None

    def is_header(self, names: list[str]) -> bool:
        """Does a line with these normalised cells look like this tool's header?"""
        campaign = {normalise_header(n) for n in self.campaign}
        return self.spend_column(names) is not None and any(n in campaign for n in names)


def read_spend(
    export: Export, layout: SpendLayout, log: ImportLog, *, channel: str | None = None,
    currency: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One export's spend rows: ``date`` (UTC day), ``channel``, ``campaign``, ``spend`` (the
    currency's units that day) and ``currency`` (ISO code), one row per date, channel and
    campaign.

    Parameters
    ----------
    export
        From `read.read_export` with ``layout.is_header``.
    layout
        The tool's layout.
    log
        Receives dropped rows, unused columns and notes.
    channel
        Our channel for every row (``--channel``); else the breakdown column's value, else the
        layout's default.
    currency
        The currency when the export names none; must agree with it when it does.

    Raises
    ------
    InputError
        A report without a daily breakdown, float ids, unreadable numbers or dates, a second
        currency, or no channel.
    """
    frame = export.frame
    _refuse_granularity(export, layout)
    cols = _columns(export, layout)
    used = {c for role, c in cols.items() if c and role != "spend_currency_code"}
    log.columns_unused[str(export.path)] = [c for c in frame.columns if c not in used]
    keep = _drop_summaries(export, cols["campaign"], log)
    if not keep.any():
        raise InputError("has a header but no spend rows", file=export.path,
                         expected=f"rows under the header on line {export.header_line}")  # fmt: skip
    export = Export(export.path, export.sha256, export.encoding, export.delimiter, export.header_line,
                    export.preamble, frame[keep])  # fmt: skip
    refuse_float_ids(export, columns_for(export, layout.ids))
    day = parse_dates(export, cols["date"], layout.date_formats)
    if day.isna().any():
        index = day.index[day.isna().to_numpy()]
        raise InputError(f"{len(index)} row(s) without a day", file=export.path, column=cols["date"],
                         rows=export.lines(index), expected=f"the day of every row: {layout.by_day}")  # fmt: skip
    if cols["end"]:
        _refuse_ranges(export, layout, day, parse_dates(export, cols["end"], layout.date_formats), cols)
    spend = parse_numbers(export, cols["spend"])
    _refuse_amounts(export, cols["spend"], spend)
    missing = spend.isna()
    log.drop("no spend value (empty or ' --')", export.lines(spend.index[missing]),
             list(export.frame.loc[missing, cols["campaign"]].head(EXAMPLES)))  # fmt: skip
    rows = pd.DataFrame({"date": day, "campaign": export.frame[cols["campaign"]],
                         "spend": spend})[~missing]  # fmt: skip
    if rows.empty:
        return rows.assign(channel=pd.Series(dtype="string"), currency=pd.Series(dtype="string"))
    rows["currency"] = _currency(export, layout, cols, currency)[~missing]
    rows["channel"] = _channel(export, layout, cols, channel, log)[~missing]
    rows["campaign"] = clean_names(rows["campaign"], column=cols["campaign"], path=export.path)
    return _summed(rows, log, export)


def _columns(export: Export, layout: SpendLayout) -> dict[str, str | None]:
    """The export's column for each role; a missing day column is the by-day refusal."""
    names = [normalise_header(c) for c in export.frame.columns]
    found = layout.spend_column(names)
    assert found is not None  # the header test found it
    cols: dict[str, str | None] = {
        "spend": str(export.frame.columns[found[0]]),
        "campaign": column_for(export, layout.campaign),
        "date": column_for(export, layout.date),
        "end": column_for(export, layout.end) if layout.end else None,
        "currency": column_for(export, layout.currency) if layout.currency else None,
        "breakdown": next((c for c in (column_for(export, [b]) for b in layout.breakdown) if c), None),
    }
    if cols["date"] is None:
        raise InputError(f"is {layout.title} without a day column ({' or '.join(layout.date[:2])}): it "
                         "covers a date range in one row per campaign, which cannot be split into days",
                         file=export.path, column=layout.date[0],
                         expected=f"one row per day and campaign: {layout.by_day}")  # fmt: skip
    cols["spend_currency_code"] = found[1]  # not a column: the currency in the spend column's name
    return cols


def _refuse_amounts(export: Export, column: str, spend: pd.Series) -> None:
    """Spend is 0 or more and at most `data.MAX_ABS_NUMBER` (our table's rule, checked here so that
    the folder is never written with a row it would refuse)."""
    bad = (spend < 0) | (spend.abs() > MAX_ABS_NUMBER)
    if bad.any():
        index = spend.index[bad.to_numpy()]
        raise InputError(f"{int(bad.sum())} value(s) negative or larger than {MAX_ABS_NUMBER:.0e}", file=export.path,
                         column=column, rows=export.lines(index), values=list(export.frame.loc[index[:MAX_SHOWN], column]),
                         expected="amounts spent of 0 or more in the report's currency",
                         hint="A refund or credit is not spend: leave it out of the export")  # fmt: skip


def _refuse_granularity(export: Export, layout: SpendLayout) -> None:
    """A preamble saying the report is not daily (``Time Granularity: All``) is the by-day refusal."""
    if layout.granularity is None:
        return
    for number, line in enumerate(export.preamble, start=1):
        m = re.search(layout.granularity, line, re.IGNORECASE)
        if m and m[1].strip().casefold() != "daily":
            raise InputError(f"is {layout.title} with the time breakdown {m[1].strip()!r} (line {number}): "
                             "its rows cover a date range, which cannot be split into days",
                             file=export.path, rows=[f"line {number}"],
                             expected=f"a daily report: {layout.by_day}")  # fmt: skip


def _is_total(cells: pd.Series) -> pd.Series:
    """Cells such as ``Total: Campaigns``: the exact pattern only where a cheap prefix test hits."""
    maybe = cells.str.lower().str.startswith(("total", "gesamt", "summe", "resultados")).fillna(False)
    out = pd.Series(False, index=cells.index)
    if maybe.any():
        out[maybe] = cells[maybe].map(lambda cell: _TOTAL.fullmatch(cell) is not None).astype(bool)
    return out


def _drop_summaries(export: Export, campaign: str, log: ImportLog) -> pd.Series:
    """Rows to keep: not a total row (``Total: Account``), not without a campaign name."""
    frame = export.frame
    first = frame.iloc[:, 0]
    total = _is_total(first) | _is_total(frame[campaign])
    log.drop("a total or summary row", export.lines(frame.index[total]), list(first[total]))
    empty = ~total & frame[campaign].isin(("", "--", "-"))
    log.drop("no campaign name (a summary row)", export.lines(frame.index[empty]), list(first[empty]))
    return ~(total | empty)


def _refuse_ranges(export: Export, layout: SpendLayout, start: pd.Series, end: pd.Series,
                   cols: Mapping[str, str | None]) -> None:  # fmt: skip
    ranged = (end != start) & end.notna()
    if ranged.any():
        index = start.index[ranged.to_numpy()]
        spans = [f"{s:%Y-%m-%d} to {e:%Y-%m-%d}" for s, e in zip(start[ranged][:MAX_SHOWN],
                                                                 end[ranged][:MAX_SHOWN], strict=True)]  # fmt: skip
        raise InputError(f"is {layout.title} whose rows each cover a date range ({cols['date']} to "
                         f"{cols['end']}), not one day: it cannot be split into days", file=export.path,
                         column=str(cols["end"]), rows=export.lines(index), values=spans,
                         expected=f"{cols['date']} equal to {cols['end']} on every row: {layout.by_day}")  # fmt: skip


def _currency(export: Export, layout: SpendLayout, cols: Mapping[str, str | None],
              given: str | None) -> pd.Series:  # fmt: skip
    """Each row's currency code; one per file, agreeing with ``given`` when both are known."""
    index = export.frame.index
    named: set[str] = set()
    values = pd.Series(pd.NA, index=index, dtype="string")
    if cols["currency"]:
        values = export.frame[cols["currency"]].str.upper().replace("", pd.NA).astype("string")
        bad = values.notna() & ~values.str.fullmatch(_CURRENCY_CODE).fillna(False)
        if bad.any():
            raise InputError("holds values that are not ISO currency codes", file=export.path,
                             column=cols["currency"], rows=export.lines(index[bad.to_numpy()]),
                             values=list(values[bad].head(MAX_SHOWN)), expected="codes such as EUR or USD")  # fmt: skip
        named |= set(values.dropna().unique())
    if cols["spend_currency_code"]:
        named.add(str(cols["spend_currency_code"]))
    if given:
        named.add(given.upper())
    if len(named) > 1:
        raise InputError(f"has spend in more than one currency ({', '.join(sorted(named))})",
                         file=export.path, column=cols["currency"] or cols["spend"],
                         expected="one currency per data folder (FX tables are not supported yet)",
                         hint="Export each currency's accounts to their own data folder"
                         + (", or drop --currency" if given else ""))  # fmt: skip
    if not named:
        raise InputError(f"does not say its currency (no {' or '.join(layout.currency) or 'currency'} "
                         "column)", file=export.path, column=cols["spend"],
                         expected="the currency named in the file or given with --currency",
                         hint="Pass it, e.g. --currency EUR")  # fmt: skip
    return pd.Series(named.pop(), index=index, dtype="string")


def _channel(export: Export, layout: SpendLayout, cols: Mapping[str, str | None],
             given: str | None, log: ImportLog) -> pd.Series:  # fmt: skip
    """Each row's channel: ``given``, else the breakdown column mapped, else the default."""
    index = export.frame.index
    if given:
        if cols["breakdown"]:
            log.notes.append(f"{export.path}: --channel {given} used for every row; the "
                             f"'{cols['breakdown']}' breakdown was not used")  # fmt: skip
        return pd.Series(given, index=index, dtype="string")
    if cols["breakdown"]:
        raw = export.frame[cols["breakdown"]]
        codes, values = pd.factorize(raw)  # a few platforms over many rows: map each once
        channels = _channels_of(
            pd.Series(values, dtype="string"), layout, log, f"{export.path}: {cols['breakdown']}"
        )
        missing = (codes < 0) | channels.isna().to_numpy()[codes]
        if missing.any():
            raise InputError("has rows without a value", file=export.path, column=cols["breakdown"],
                             rows=export.lines(index[missing]), expected="the platform of every row",
                             hint="Or pass --channel")  # fmt: skip
        return pd.Series(channels.to_numpy()[codes], index=index, dtype="string")
    if layout.default_channel:
        return pd.Series(layout.default_channel, index=index, dtype="string")
    raise InputError(f"does not say which channel its spend is on (no {layout.breakdown[0]} breakdown column)",
                     file=export.path, expected="a platform breakdown in the export, or --channel",
                     hint="Pass our channel name, e.g. --channel facebook, or export with the "
                     f"{layout.breakdown[0]} breakdown")  # fmt: skip


def _channels_of(values: pd.Series, layout: SpendLayout, log: ImportLog, where: str) -> pd.Series:
    """Our channel for each distinct breakdown value (missing for an empty one); logged when the
    name changes. A placement names its platform somewhere ("Facebook Feed", "Stories Instagram");
    a value naming none becomes ``channel_prefix`` + the value."""
    key = values.map(normalise_header).astype("string")
    words = "|".join(re.escape(k) for k in sorted(layout.channel_map, key=len, reverse=True))
    named = key.str.extract(rf"\b({words})\b", expand=False) if words else key.where(False)
    mapped = key.map(layout.channel_map).fillna(named.map(layout.channel_map)).astype("string")
    empty = key.isin(("", "--")) | key.isna()
    unknown = mapped.isna() & ~empty
    mapped[unknown] = layout.channel_prefix + key[unknown].str.replace(
        r"[^0-9a-z]+", "_", regex=True
    ).str.strip("_")
    for value, channel in sorted(zip(values[~empty], mapped[~empty], strict=True)):
        if normalise_header(value) != channel:
            log.notes.append(f"{where} '{value}' -> channel '{channel}'")
    return mapped.mask(empty)


def _summed(rows: pd.DataFrame, log: ImportLog, export: Export) -> pd.DataFrame:
    """One row per date, channel and campaign: rows of a breakdown (age, placement) summed."""
    keys = ["date", "channel", "campaign"]
    summed = rows.groupby(keys, sort=True, observed=True, dropna=False).agg(
        spend=("spend", "sum"), currency=("currency", "first")
    )
    if len(summed) < len(rows):
        log.combine(
            "summed with another row of the same date, channel and campaign (a breakdown)",
            len(rows) - len(summed),
        )
        log.notes.append(f"{export.path}: {len(rows)} rows summed into {len(summed)} (one per date, "
                         "channel and campaign)")  # fmt: skip
    return summed.reset_index()[["date", "channel", "campaign", "spend", "currency"]]
