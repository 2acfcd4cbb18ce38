"""Touchpoints as a GA4 BigQuery events export (Parquet and JSON) and a UTM-tagged click log.

Each touchpoint is a GA4 session: a ``session_start`` and a ``page_view`` (and for some a
``scroll``) of the person's ``user_pseudo_id``, its source and medium written on one of the
three levels GA4 uses (the session's last click, the first event's collected UTM values, or
``source`` / ``medium`` / ``campaign`` event parameters), so that GA4's default channel grouping
gives back the touchpoint's channel: a paid medium with the campaign, an organic one without.
A customer's ``user_id`` (the id the shop import gives them) is on the events of their last
session only. Direct, organic-search and e-mail sessions stand beside them (an import drops
them), and a few events lack their session id. The click log holds the tiktok and pinterest
touchpoints again, as a link shortener saw them (times with the shop's offset), plus clicks
without UTM values or without a user.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .layout import write

#: Per channel: (source, medium) of a paid visit and of an organic one.
VISITS = {
    "facebook": (("facebook", "paid_social"), ("l.facebook.com", "referral")),
    "instagram": (("ig", "cpc"), ("instagram.com", "referral")),
    "tiktok": (("tiktok", "paid_social"), ("tiktok", "social")),
    "youtube": (("youtube", "cpv"), ("youtube.com", "referral")),
    "pinterest": (("pinterest", "paid"), ("pinterest", "social")),
    "linkedin": (("linkedin", "cpc"), ("lnkd.in", "referral")),
}
NOISE = (("", ""), ("google", "organic"), ("newsletter", "email"))  # Direct, Organic Search, Email
CLICK_CHANNELS = ("tiktok", "pinterest")
ORGANIC = "(organic)"


@dataclass(frozen=True)
class TrackingExport:
    """The files per source, the import commands, the ``touchpoints`` a correct import gives and
    the extra rows by kind."""

    files: dict[str, tuple[Path, ...]]
    commands: list[tuple[str, ...]]
    touchpoints: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)


def _people(touch: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Each touchpoint's pseudo id and user id, and the customer id an import gives it."""
    codes, people = pd.factorize(touch["customer_id"])
    pseudo = pd.Series([f"{1000000000 + i}.{1730000000 + i}" for i in range(len(people))]).to_numpy()[codes]
    user = touch["customer_id"].map(ids)
    return pd.DataFrame({"pseudo": pseudo, "user": user, "customer": user.fillna(pd.Series(pseudo, index=touch.index))},
                        index=touch.index)  # fmt: skip


def _sessions(touch: pd.DataFrame, people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per session: pseudo id, session id, start (µs), source, medium, campaign, level."""
    paid = touch["campaign"] != ORGANIC
    visit = [VISITS[c][0 if p else 1] for c, p in zip(touch["channel"], paid, strict=True)]
    start = touch["timestamp"].dt.as_unit("us").astype("int64") + rng.integers(
        0, 1_000_000, len(touch)
    )  # µs within the second
    sessions = pd.DataFrame({"pseudo": people["pseudo"], "start": start, "source": [v[0] for v in visit],
                             "medium": [v[1] for v in visit], "campaign": touch["campaign"].where(paid, ""),
                             "user": people["user"], "level": rng.integers(0, 3, len(touch))})  # fmt: skip
    last = ~sessions.iloc[::-1]["pseudo"].duplicated().iloc[::-1]  # touch is in time order
    sessions["user"] = sessions["user"].where(last.to_numpy())
    return sessions


def _noise(n: int, start: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    kind = rng.integers(0, len(NOISE), n)
    return pd.DataFrame({"pseudo": [f"{2000000000 + i}.{1740000000 + i}" for i in range(n)],
                         "start": rng.choice(start.to_numpy(), n) + 7_000_000, "source": [NOISE[k][0] for k in kind],
                         "medium": [NOISE[k][1] for k in kind], "campaign": "", "user": None, "level": 2})  # fmt: skip


def _param(key: str, value: object) -> dict:
    cell = {"string_value": None, "int_value": None, "float_value": None, "double_value": None}
    cell["int_value" if isinstance(value, int) else "string_value"] = value
    return {"key": key, "value": cell}


def _events(sessions: pd.DataFrame, rng: np.random.Generator) -> list[dict]:
    """The events of the sessions, as the export's rows."""
    events = []
    sid = (sessions["start"] // 1_000_000).astype(int)
    sid = sid + sessions.groupby(["pseudo", sid]).cumcount()  # two sessions of one second stay two
    gaps = rng.integers(1_000_000, 90_000_000, size=(len(sessions), 3)).cumsum(axis=1)  # µs after the start
    for k, (s, session_id) in enumerate(zip(sessions.itertuples(index=False), sid, strict=True)):
        named = bool(s.source)
        last_click = {"manual_campaign": {"campaign_id": None, "campaign_name": s.campaign or None,
                                          "source": s.source, "medium": s.medium}} if named and s.level == 0 else None  # fmt: skip
        names = ["session_start", "page_view"] + (["scroll"] if session_id % 3 == 0 else [])
        for j, name in enumerate(names):
            params = [
                _param("ga_session_id", int(session_id)),
                _param("page_location", "https://shop.example.com/"),
            ]
            if named and s.level == 2 and j == 0:
                params += [_param("source", s.source), _param("medium", s.medium)]
                params += [_param("campaign", s.campaign)] if s.campaign else []
            collected = ({"manual_campaign_id": None, "manual_campaign_name": s.campaign or None, "manual_source": s.source,
                          "manual_medium": s.medium, "gclid": None} if named and s.level == 1 and j == 0 else None)  # fmt: skip
            micros = int(s.start) + (int(gaps[k, j - 1]) if j else 0)
            events.append({"event_date": time.strftime("%Y%m%d", time.gmtime(micros // 1_000_000)), "event_timestamp": micros,
                           "event_name": name, "event_params": params, "user_pseudo_id": s.pseudo,
                           "user_id": s.user if isinstance(s.user, str) else None,
                           "collected_traffic_source": collected, "session_traffic_source_last_click": last_click,
                           "ecommerce": None})  # fmt: skip
    return events


def _ga4(sessions: pd.DataFrame, out: Path, rng: np.random.Generator) -> tuple[tuple[Path, Path], int]:
    events = _events(sessions, rng)
    later = np.flatnonzero([e["event_name"] != "session_start" for e in events])  # the source stays
    broken = rng.choice(later, size=max(1, len(events) // 500), replace=False)
    for i in broken:  # a measurement-protocol hit without its session
        events[i] = {**events[i], "event_name": "user_engagement",
                     "event_params": [p for p in events[i]["event_params"] if p["key"] != "ga_session_id"]}  # fmt: skip
    # the daily tables of the first half exported as Parquet, the rest as BigQuery's JSON (INT64
    # as text): a session over midnight on the day between them is in both files
    split = sorted(e["event_date"] for e in events)[len(events) // 2]
    parquet, ndjson = out / "ga4_events_first.parquet", out / "ga4_events_second.json"
    pq.write_table(
        pa.Table.from_pylist([e for e in events if e["event_date"] < split]), parquet, row_group_size=20_000
    )
    with open(ndjson, "w", encoding="utf-8") as fh:
        for event in (e for e in events if e["event_date"] >= split):
            fh.write(json.dumps(_bigquery_json(event), separators=(",", ":")) + "\n")
    return (parquet, ndjson), len(broken)


def _bigquery_json(event: dict) -> dict:
    """An event as BigQuery's JSON export writes it: INT64 values as strings, nulls left out."""
    params = [{"key": p["key"], "value": {k: str(v) if k == "int_value" else v for k, v in p["value"].items()
                                          if v is not None}} for p in event["event_params"]]  # fmt: skip
    out = {k: v for k, v in event.items() if v is not None and k != "event_params"}
    return out | {"event_timestamp": str(event["event_timestamp"]), "event_params": params}


def _clicks(
    touch: pd.DataFrame, people: pd.DataFrame, out: Path, rng: np.random.Generator
) -> tuple[Path, int]:
    rows = touch[touch["channel"].isin(CLICK_CHANNELS)]
    paid = rows["campaign"] != ORGANIC
    query = ["utm_source=" + c + "&utm_medium=" + ("paid_social&utm_campaign=" + quote_plus(k) if p else "social")
             for c, k, p in zip(rows["channel"], rows["campaign"], paid, strict=True)]  # fmt: skip
    local = rows["timestamp"].dt.tz_convert("Europe/Berlin").map(lambda t: t.isoformat())
    log = pd.DataFrame({"clicked_at": local, "visitor_id": people.loc[rows.index, "customer"],
                        "landing_url": ["https://shop.example.com/lamps?" + q for q in query], "referrer": ""})  # fmt: skip
    n = max(2, len(rows) // 50)
    noise = pd.DataFrame({"clicked_at": rng.choice(local.to_numpy(), n), "visitor_id": [f"v{i}" if i % 2 else ""
                          for i in range(n)], "landing_url": "https://shop.example.com/", "referrer": ""})  # fmt: skip
    frame = pd.concat([log, noise]).sort_values("clicked_at", kind="stable")
    return write(out / "utm_clicks.csv", frame), n


def tracking_exports(
    touch: pd.DataFrame, ids: pd.Series, out: Path, *, rng: np.random.Generator
) -> TrackingExport:
    """Write ``ga4_events.parquet`` and ``utm_clicks.csv`` for the ``touch`` table."""
    touch = touch.sort_values("timestamp", kind="stable")
    people = _people(touch, ids)
    sessions = _sessions(touch, people, rng)
    noise = _noise(max(3, len(touch) // 5), sessions["start"], rng)
    ga4, broken = _ga4(
        pd.concat([sessions, noise], ignore_index=True).sort_values("start", kind="stable"), out, rng
    )
    clicks, junk = _clicks(touch, people, out, rng)
    expected = touch.assign(customer_id=people["customer"].to_numpy()).reset_index(drop=True)
    return TrackingExport({"ga4": ga4, "utm-clicks": (clicks,)}, [("ga4", *map(str, ga4)), ("utm-clicks", str(clicks))],
                          expected, {"ga4 noise sessions": len(noise), "ga4 events without a session": int(broken),
                                     "utm clicks without UTM values": junk})  # fmt: skip
