"""A UTM-tagged click log (``utm-clicks``): one row per click, to ``touchpoints``.

Link shorteners, ad servers and a shop's own landing-page log write a row per click with its
time, the visitor and the landing URL; the URL's ``utm_source``, ``utm_medium`` and
``utm_campaign`` say where the click came from. Each click becomes a touchpoint: ``customer_id``
the user id, ``timestamp`` the click's time in UTC (an offset is converted; none is taken as
UTC), channel and campaign from the UTM values by `channels.ChannelMap` (the same grouping as
GA4 sessions; ``--channel-map`` overrides it). Clicks of groups without a channel (no UTM
values, e-mail, search) are dropped and logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

import pandas as pd

from socialreturns.data.times import TIMESTAMP_DTYPE, out_of_range, range_error
from socialreturns.inputs import MAX_SHOWN, InputError

from .channels import load_channel_map
from .ga4 import drop_many
from .log import ImportLog
from .read import Export, column_for, normalise_header, read_export, refuse_float_ids

if TYPE_CHECKING:
    from .catalog import ImportOptions

TITLE = "a UTM-tagged click log"
HEADER = "timestamp (or time, clicked_at), user_id (or customer_id, visitor_id), landing_url (or url, landing_page)"
TIME = ("timestamp", "time", "clicked_at", "click_time", "event_time", "date")
USER = ("user_id", "user id", "customer_id", "visitor_id", "client_id", "user")
URL = ("landing_url", "landing url", "url", "landing_page", "landing page", "page_url", "page")


def is_header(names: list[str]) -> bool:
    """A header with a time, a user and a URL column."""
    return all(any(normalise_header(n) in names for n in group) for group in (TIME, USER, URL))


def utm(urls: pd.Series, name: str) -> pd.Series:
    """The URL-decoded value of the query parameter ``name`` of each URL (NA if absent)."""
    raw = urls.str.extract(rf"[?&#]{name}=([^&#]*)", expand=False)
    codes, uniques = pd.factorize(raw)
    decoded = pd.array([unquote_plus(u).strip() or pd.NA for u in uniques], dtype="string")
    return pd.Series(decoded.take(codes, allow_fill=True), index=urls.index, dtype="string")


def _times(export: Export, column: str) -> pd.Series:
    raw = export.frame[column]
    parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=True)
    bad = parsed.isna()
    if bad.any():
        raise InputError(f"{int(bad.sum())} value(s) cannot be read as times", file=export.path, column=column,
                         rows=export.lines(raw.index[bad.to_numpy()][:50]), values=list(raw[bad].head(MAX_SHOWN)),
                         expected="ISO 8601 times such as 2025-03-01T14:05:00Z or 2025-03-01 15:05:00+01:00")  # fmt: skip
    out = out_of_range(parsed)
    if out.any():
        raise range_error(
            parsed, out, column=column, rows=export.lines(raw.index[out.to_numpy()]), file=export.path
        )
    return parsed.astype(TIMESTAMP_DTYPE).dt.floor("s")


def convert(paths: Sequence[Path], options: ImportOptions, log: ImportLog) -> Mapping[str, pd.DataFrame]:
    """The ``touchpoints`` of click logs (`catalog.Convert`).

    Raises
    ------
    InputError
        A file without a time, user or URL column, unreadable times, ids a spreadsheet turned
        into floats, an empty user id.
    """
    channel_map = load_channel_map(options.channel_map)
    frames = []
    for path in paths:
        export = read_export(path, is_header, what=TITLE, expected=f"the header {HEADER}")
        log.files.append(export.describe())
        log.rows_read += len(export.frame)
        time, user, url = (str(column_for(export, names)) for names in (TIME, USER, URL))
        log.columns_unused[str(path)] = [c for c in export.frame.columns if c not in (time, user, url)]
        refuse_float_ids(export, [user])
        frame = export.frame
        empty = frame[user] == ""
        drop_many(
            log, "click without a user id", pd.Series([f"{path.name} line {i}" for i in frame.index[empty]])
        )
        frame = frame[~empty]
        urls = frame[url]
        classified = channel_map.classify(utm(urls, "utm_source"), utm(urls, "utm_medium"),
                                          utm(urls, "utm_campaign"))  # fmt: skip
        labels = pd.Series([f"{path.name} line {i}" for i in frame.index], index=frame.index)
        for group in sorted(set(classified.loc[classified["channel"].isna(), "group"])):
            drop_many(log, f"click of GA4's '{group}' group, which has no channel (see --channel-map)",
                      labels[(classified["group"] == group) & classified["channel"].isna()])  # fmt: skip
        rows = pd.DataFrame({"customer_id": frame[user].astype("string"),
                             "timestamp": _times(export, time).loc[frame.index],
                             "channel": classified["channel"], "campaign": classified["campaign"]})  # fmt: skip
        frames.append(rows[rows["channel"].notna()].assign(_label=labels))
    rows = pd.concat(frames, ignore_index=True)
    twice = rows.duplicated(["customer_id", "timestamp", "channel"])
    drop_many(log, "second click of a user on one channel in the same second", rows.loc[twice, "_label"])
    log.notes.append(
        "channels from utm_source and utm_medium by GA4's default channel grouping (sources/channels.py)"
    )
    return {"touchpoints": rows[~twice].drop(columns="_label").reset_index(drop=True).assign(currency=pd.NA)}
