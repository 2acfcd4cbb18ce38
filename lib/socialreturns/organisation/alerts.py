"""Alerts for scheduled runs: what care, PR and legal must hear about within the hour.

`compute_alerts` turns the latest mentions into alerts of three kinds, each with a stable ``id``
(the same event gives the same id in every run, so it is sent once and receivers can
deduplicate):

* ``crisis``: a crisis episode (`sentiment.detect_spikes`) live at the as-of moment or ended
  within the lookback; id from the brand and the episode's first day (an episode whose start
  moves as more data comes in keeps the id of the alert it overlaps);
* ``sla_breach``: a care question (`care_queue`) unanswered for longer than the SLA, whose
  breach fell within the lookback; id from the post;
* ``disclosure_missing``: a paid creator's post without an ad disclosure (`route`), posted
  within the lookback; id from the post.

`run_alerts` is what the batch runner calls for a batch file with an ``alerts:`` section
(`socialreturns.notify.read_config`): it loads the data, computes the alerts, writes
``alerts.json`` beside the manifest, and sends the new ones (`socialreturns.notify.deliver`).
Only the mentions of the last ``history_days`` are read into the crisis detection and only those
of the lookback window are routed, so an hourly run stays cheap.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from socialreturns import notify
from socialreturns.data import as_utc, require_brand, require_columns
from socialreturns.inputs import resolve, write_atomically
from socialreturns.sentiment import aliases, brand_handles, redact

from .lists import Creator, read_creators
from .routes import route
from .teams import _as_of, care_queue

ALERT_COLUMNS = ["id", "kind", "created", "brand", "post_id", "platform", "text", "reason"]
MAX_ALERT_TEXT_CHARS = 280  # an alert quotes a post's first 280 characters (redacted)


def alert_id(kind: str, brand: str, key: str) -> str:
    """A stable id: ``<kind>-`` and 16 hex digits of SHA-256 over kind, brand and key.

    >>> alert_id("sla_breach", "Lumora", "M1")
    'sla_breach-3141c1b1df709f6d'
    """
    return f"{kind}-{hashlib.sha256(f'{kind}|{brand}|{key}'.encode()).hexdigest()[:16]}"


def _short(text: object, keep: Collection[str]) -> str:
    text = redact(text, handles=True, keep=keep) if isinstance(text, str) else ""
    text = " ".join(text.split())
    return text if len(text) <= MAX_ALERT_TEXT_CHARS else text[: MAX_ALERT_TEXT_CHARS - 1] + "…"


def _crisis(mentions: pd.DataFrame, *, brand: str, as_of: pd.Timestamp, lookback: pd.Timedelta,
            known: Sequence[Mapping[str, Any]], keep: Collection[str]) -> list[dict[str, Any]]:  # fmt: skip
    from socialreturns.sentiment import detect_spikes, mask, score

    own = mentions[mentions["brand"] == brand]
    if own.empty:
        return []
    scores = score(mask(own["text"], aliases(mentions["brand"].astype(str).unique()))).set_axis(own.index)
    episodes = detect_spikes(own, brand=brand, scores=scores)
    naive = as_of.tz_convert("UTC").tz_localize(None)
    posted = as_utc(own["timestamp"], column="timestamp").dt.tz_localize(None)
    out = []
    for e in episodes.itertuples(index=False):
        start, end = pd.Timestamp(e.start), pd.Timestamp(e.end) + pd.Timedelta(days=1)  # end of its last day
        if start > naive or end < naive - lookback.to_pytimedelta():
            continue
        live = end > naive
        same = [k for k in known if k.get("brand") == brand and pd.Timestamp(k["start"]) < end
                and pd.Timestamp(k["end"]) > start]  # fmt: skip
        inside = (posted >= start) & (posted < end) & (scores["label"] == "negative")
        example = own[inside.to_numpy()]
        top = example.loc[example["reach"].idxmax()] if "reach" in example and len(example) else None
        when = f"live since {start:%Y-%m-%d}" if live else f"from {start:%Y-%m-%d} to {e.end:%Y-%m-%d}"
        text = (f"Crisis episode for {brand}, {when}: {int(e.negative_mentions):,} negative mentions, "
                f"{e.excess_negative_mentions:,.0f} above the expected level.")  # fmt: skip
        if top is not None:
            text += f" Most seen: {_short(top['text'], keep)}"
        out.append({
            "id": same[0]["id"] if same else alert_id("crisis", brand, f"{start:%Y-%m-%d}"), "kind": "crisis",
            "created": start.tz_localize("UTC"), "brand": brand,
            "post_id": None if top is None else str(top["post_id"]),
            "platform": None if top is None else str(top.get("platform", "")), "text": text,
            "reason": f"crisis/episode: {brand} {start:%Y-%m-%d} to {e.end:%Y-%m-%d}",
            "start": start.isoformat(), "end": end.isoformat(), "live": bool(live),
        })  # fmt: skip
    return out


def _sla(window: pd.DataFrame, routed: pd.DataFrame, *, brand: str, as_of: pd.Timestamp, sla_hours: float,
         lookback: pd.Timedelta, keep: Collection[str]) -> list[dict[str, Any]]:  # fmt: skip
    queue = care_queue(window, routed, brand=brand, as_of=as_of, sla_hours=sla_hours, keep_handles=keep)
    breached = queue["posted"] + pd.Timedelta(hours=sla_hours)
    queue = queue[
        queue["sla_breached"].fillna(False).to_numpy(dtype=bool) & (breached >= as_of - lookback).to_numpy()
    ]
    return [{"id": alert_id("sla_breach", brand, str(q.post_id)), "kind": "sla_breach",
             "created": q.posted + pd.Timedelta(hours=sla_hours), "brand": brand, "post_id": str(q.post_id),
             "platform": q.platform,
             "text": f"Unanswered for {q.age_hours:.0f} hours (SLA {sla_hours:g} hours) on {q.platform}: "
                     f"{_short(q.text, keep)}",
             "reason": q.reason} for q in queue.itertuples(index=False)]  # fmt: skip


def _disclosure(window: pd.DataFrame, routed: pd.DataFrame, *, since: pd.Timestamp,
                keep: Collection[str]) -> list[dict[str, Any]]:  # fmt: skip
    posted = as_utc(window["timestamp"], column="timestamp")
    rows = (routed["disclosure_missing"].to_numpy()) & (posted > since).to_numpy()
    out = []
    for (_, m), reason, when in zip(window[rows].iterrows(), routed.loc[rows, "disclosure_missing_reason"],
                                    posted[rows], strict=True):  # fmt: skip
        who = reason.split(": ", 1)[-1].split(", language")[0]
        out.append({"id": alert_id("disclosure_missing", str(m["brand"]), str(m["post_id"])),
                    "kind": "disclosure_missing", "created": when, "brand": str(m["brand"]),
                    "post_id": str(m["post_id"]), "platform": str(m.get("platform", "")),
                    "text": f"Paid creator {who} posted without an ad disclosure: {_short(m['text'], keep)}",
                    "reason": reason})  # fmt: skip
    return out


def compute_alerts(
    mentions: pd.DataFrame,
    *,
    brand: str,
    brands: Sequence[str] = (),
    creators: Sequence[Creator] = (),
    as_of: pd.Timestamp | str | None = None,
    sla_hours: float = 24.0,
    lookback_days: float = 3.0,
    kinds: Collection[str] = notify.KINDS,
    known: Sequence[Mapping[str, Any]] = (),
) -> pd.DataFrame:
    """The alerts standing at ``as_of``: crisis episodes, SLA breaches, undisclosed sponsored posts.

    Parameters
    ----------
    mentions
        The mentions table (``post_id``, ``timestamp``, ``platform``, ``brand``, ``text``;
        ``author_id`` for creators, ``is_question`` and ``answered_at`` for care, ``reach``).
        Mentions after ``as_of`` are ignored.
    brand
        The brand whose inbox and crises these are (creators are checked for every brand).
    brands
        Every brand as spelled in ``brand`` (default: those in the data), for the routing.
    creators
        Paid creators (`read_creators`); without them there is no ``disclosure_missing`` alert.
    as_of
        The moment (UTC timestamp or ISO text); default the data's last ``timestamp``.
    sla_hours
        The answer-time target (hours): a question unanswered for longer has breached it.
    lookback_days
        Only what happened in the last ``lookback_days`` days alerts (a breach, a post, an
        episode's end), so that a first run does not send the whole backlog.
    kinds
        The kinds to compute, of `notify.KINDS`.
    known
        Crisis alerts sent before (``id``, ``brand``, ``start``, ``end``): an episode that
        overlaps one keeps its id.

    Returns
    -------
    One row per alert, oldest ``created`` first: ``id`` (stable), ``kind``, ``created`` (UTC: the
    episode's start, the moment the SLA was breached, the post's time), ``brand``, ``post_id``
    (the post; for a crisis its most seen negative post), ``platform``, ``text`` (short,
    redacted: e-mail addresses, phone numbers, URL queries and private @handles; brands' and
    creators' handles stay) and ``reason`` (the rule that fired); crisis rows also ``start``,
    ``end`` (naive UTC) and ``live``.

    Raises
    ------
    InputError
        A missing column, an unknown brand, a bad ``as_of`` or ``sla_hours``.
    """
    require_columns(mentions, ("post_id", "timestamp", "platform", "brand", "text"), "mentions")
    require_brand(mentions, brand)
    as_of = _as_of(mentions, as_of)
    lookback = pd.Timedelta(days=lookback_days)
    posted = as_utc(mentions["timestamp"], column="timestamp")
    mentions = mentions[(posted <= as_of).to_numpy()]
    names = [brand, *[b for b in (brands or mentions["brand"].astype(str).unique()) if b != brand]]
    keep = brand_handles(aliases(names)) | {h for c in creators for h in c.handles}
    alerts: list[dict[str, Any]] = []
    if "crisis" in kinds:
        alerts += _crisis(mentions, brand=brand, as_of=as_of, lookback=lookback, known=known, keep=keep)
    since = as_of - lookback - pd.Timedelta(hours=sla_hours if "sla_breach" in kinds else 0)
    window = mentions[(as_utc(mentions["timestamp"], column="timestamp") > since).to_numpy()].reset_index(
        drop=True
    )
    if {"sla_breach", "disclosure_missing"} & set(kinds) and len(window):
        routed = route(window, brands=names, creators=creators if "disclosure_missing" in kinds else None)
        if "sla_breach" in kinds:
            alerts += _sla(window, routed, brand=brand, as_of=as_of, sla_hours=sla_hours, lookback=lookback,
                           keep=keep)  # fmt: skip
        if "disclosure_missing" in kinds:
            alerts += _disclosure(window, routed, since=as_of - lookback, keep=keep)
    out = pd.DataFrame(
        alerts, columns=[*ALERT_COLUMNS, *({"start", "end", "live"} & {k for a in alerts for k in a})]
    )
    out["created"] = as_utc(out["created"], column="created") if len(out) else out["created"]
    return out.sort_values(["created", "id"], kind="stable", ignore_index=True)


@dataclasses.dataclass(frozen=True)
class AlertsRun:
    """What one alerts run did: its file, how many alerts stood and how many were new, each
    channel's delivery (`notify.deliver`), and its wall time (seconds)."""

    path: Path
    state_path: Path
    as_of: str
    alerts: int
    new: int
    delivery: dict[str, Any]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path.name, "state": self.state_path.name, "as_of": self.as_of, "alerts": self.alerts,
                "new": self.new, "delivery": self.delivery, "seconds": round(self.seconds, 2)}  # fmt: skip


def _records(alerts: pd.DataFrame, first_seen: Mapping[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in alerts.to_dict("records"):
        clean = {k: (None if v is None or isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        clean = {k: v for k, v in clean.items() if k in ALERT_COLUMNS or v is not None}  # crisis-only keys
        clean["created"] = pd.Timestamp(clean["created"]).isoformat()
        clean["first_seen"] = first_seen.get(clean["id"])
        out.append(clean)
    return out


def _forget(state: notify.State, standing: set[str], before: pd.Timestamp, channels: Collection[str]) -> None:
    """Drop from ``state`` the alerts no longer standing, created before ``before`` (outside the
    lookback: they cannot come back) and sent on every channel; pending ones stay to be retried."""
    for i, a in list(state.alerts.items()):
        sent = all(a.get("channels", {}).get(c, {}).get("status") == "sent" for c in channels)
        if i not in standing and sent and pd.Timestamp(a["created"]) < before:
            del state.alerts[i]


def run_alerts(
    config: notify.AlertsConfig, folder: str | Path, *, batch: str = "alerts", **send: Any
) -> AlertsRun:
    """Compute the alerts on ``config.data_dir``, write ``alerts.json`` in ``folder`` (beside the
    batch's manifest), and send every channel the alerts it has not had (`notify.deliver`;
    ``send`` passes ``smtp`` and ``sleep`` on, for tests). A failed send never raises.

    Raises
    ------
    InputError
        Bad data (the mentions table, the creators file, the brand).
    """
    from socialreturns.data import load_mentions, read_column_map

    started = time.perf_counter()
    folder = Path(folder)
    column_map = read_column_map(config.column_map_file).get("mentions") if config.column_map_file else None
    mentions = load_mentions(resolve(config.data_dir), **({"column_map": column_map} if column_map else {}))
    creators = read_creators(config.creators_file) if config.creators_file else ()
    as_of = (
        pd.Timestamp.now("UTC")
        if config.as_of == "now"
        else _as_of(mentions, None if config.as_of == "latest" else config.as_of)
    )
    history = as_utc(mentions["timestamp"], column="timestamp") > as_of - pd.Timedelta(
        days=config.history_days
    )
    state = notify.State.load(folder)
    known = [a for a in state.alerts.values() if a.get("kind") == "crisis" and "start" in a]
    alerts = compute_alerts(mentions[history.to_numpy()].reset_index(drop=True), brand=config.brand,
                            brands=config.brands, creators=creators, as_of=as_of, sla_hours=config.sla_hours,
                            lookback_days=config.lookback_days, kinds=config.kinds, known=known)  # fmt: skip
    seen = {i: a.get("first_seen") for i, a in state.alerts.items()}
    stamp = notify._now()
    new = [i for i in alerts["id"] if i not in seen]
    records = _records(alerts, {**seen, **dict.fromkeys(new, stamp)})
    for r in records:
        state.alerts[r["id"]] = {**r, "channels": state.alerts.get(r["id"], {}).get("channels", {})}
    _forget(state, set(alerts["id"]), as_of - pd.Timedelta(days=config.lookback_days + 1), config.channels)
    state.save()
    path = folder / notify.ALERTS_FILE
    context = {"batch": batch, "brand": config.brand, "as_of": as_of.isoformat()}
    body = {**context, "generated": stamp, "counts": alerts["kind"].value_counts().to_dict(), "new": len(new),
            "alerts": [{**r, "new": r["id"] in new} for r in records]}  # fmt: skip
    write_atomically(path, json.dumps(body, indent=2, default=str, ensure_ascii=False))
    delivery = notify.deliver(config, state, context, **send)
    return AlertsRun(
        path, state.path, as_of.isoformat(), len(alerts), len(new), delivery, time.perf_counter() - started
    )
