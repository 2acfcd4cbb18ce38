"""The GA4 BigQuery export (``ga4``): sessions to ``touchpoints``, purchases to ``orders``.

GA4 exports one row per event to BigQuery (``events_YYYYMMDD`` tables, "[GA4] BigQuery Export
schema"); a table exported from BigQuery as Parquet or newline-delimited JSON is what this
reads. The columns taken: ``event_timestamp`` (microseconds since the epoch, UTC; INT64, which
BigQuery's JSON export writes as a string), ``event_name``, ``event_params`` (repeated
``key`` / ``value.{string_value, int_value, float_value, double_value}``), ``user_pseudo_id``,
``user_id``, ``session_traffic_source_last_click.manual_campaign.{source, medium,
campaign_name}``, ``collected_traffic_source.{manual_source, manual_medium,
manual_campaign_name, gclid}`` and ``ecommerce.{transaction_id, purchase_revenue,
refund_value}``.

What is taken (``data/IMPORT.md``):

* a session is a ``user_pseudo_id`` and the ``ga_session_id`` event parameter; its touchpoint is
  timed at its first event (to the second, as the table is written) and attributed by the first
  of its events that names a source: the session's last-click source (newer exports), else the
  event's collected UTM values (a ``gclid`` alone means ``google / cpc``), else the ``source``,
  ``medium`` and ``campaign`` event parameters; none means ``(direct) / (none)``;
* source and medium give GA4's default channel group and our channel (`channels`, overridable
  with ``--channel-map``); sessions of groups without a channel (Direct, Organic Search, Email,
  ...) are dropped and logged by group;
* ``customer_id`` is the ``user_id`` seen on any of the pseudo id's events, else the
  ``user_pseudo_id`` (a prospect until it buys);
* ``purchase`` events become orders when the folder has no orders from a shop export:
  ``order_id`` is ``ecommerce.transaction_id``, ``revenue`` ``ecommerce.purchase_revenue`` (GA4
  asks for ``value`` without tax and shipping) less the ``refund`` events' ``refund_value``,
  ``gross_margin`` by ``--margin-rate``; the ``currency`` parameter gives the currency.

Files are read in record batches with pyarrow (Parquet row groups, JSON blocks) and reduced to
sessions batch by batch, so millions of events fit in a few hundred megabytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
import pyarrow.parquet as pq

from socialreturns.data.times import TIMESTAMP_DTYPE, out_of_range
from socialreturns.inputs import InputError

from .channels import PAID_GROUPS, load_channel_map
from .log import EXAMPLES, ImportLog

if TYPE_CHECKING:
    from .catalog import ImportOptions

TITLE = "a GA4 BigQuery events export (Parquet or newline-delimited JSON)"
HEADER = ("event_date, event_timestamp (µs, UTC), event_name, event_params [key, value], user_pseudo_id, "
          "user_id, session_traffic_source_last_click, collected_traffic_source, ecommerce, ...")  # fmt: skip
REQUIRED = ("event_timestamp", "event_name", "event_params", "user_pseudo_id")
BATCH_ROWS = 1_000_000
NO_SESSION = "event without a user_pseudo_id, ga_session_id or event_timestamp"
SESSION_KEY = ("user_pseudo_id", "session")


def _schema(integer: pa.DataType) -> pa.Schema:
    """The columns read from JSON, INT64 fields as ``integer`` (BigQuery writes them as text)."""
    text = pa.string()
    value = pa.struct([("string_value", text), ("int_value", integer), ("float_value", pa.float64()),
                       ("double_value", pa.float64())])  # fmt: skip
    return pa.schema([
        ("event_date", text), ("event_timestamp", integer), ("event_name", text),
        ("event_params", pa.list_(pa.struct([("key", text), ("value", value)]))),
        ("user_pseudo_id", text), ("user_id", text),
        ("collected_traffic_source", pa.struct([(n, text) for n in (
            "manual_campaign_id", "manual_campaign_name", "manual_source", "manual_medium", "gclid")])),
        ("session_traffic_source_last_click", pa.struct([("manual_campaign", pa.struct(
            [(n, text) for n in ("campaign_id", "campaign_name", "source", "medium")]))])),
        ("ecommerce", pa.struct([("transaction_id", text), ("purchase_revenue", pa.float64()),
                                 ("refund_value", pa.float64())])),
    ])  # fmt: skip


def _json_integer(path: Path) -> pa.DataType:
    """How the file writes INT64: as text (BigQuery's JSON export) or as numbers, by its first
    event's ``event_timestamp`` (a file is read one way throughout)."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    first = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"line {number} is not a JSON object ({exc.msg})", file=path,
                                     rows=[f"line {number}"], expected=f"{TITLE}: one JSON object per line",
                                     hint="Export the events table from BigQuery as JSON (newline delimited) "
                                     "or Parquet") from None  # fmt: skip
                stamp = first.get("event_timestamp") if isinstance(first, dict) else None
                return pa.string() if isinstance(stamp, str) else pa.int64()
    return pa.int64()


def _json_batches(path: Path) -> Iterator[pa.RecordBatch]:
    integer = _json_integer(path)
    options = pajson.ReadOptions(block_size=64 << 20)
    parse = pajson.ParseOptions(explicit_schema=_schema(integer), unexpected_field_behavior="ignore")
    try:
        # open_json streams blocks (pyarrow 18 on); read_json, before it, holds the whole file
        reader = (pajson.open_json(path, read_options=options, parse_options=parse) if hasattr(pajson, "open_json")
                  else pajson.read_json(path, read_options=options, parse_options=parse).to_batches(BATCH_ROWS))  # fmt: skip
        for batch in reader:
            yield batch.cast(_schema(pa.int64())) if integer == pa.string() else batch
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(f"cannot be read as newline-delimited JSON ({str(exc).splitlines()[0]})", file=path,
                      expected=f"{TITLE}: one JSON object per line",
                      hint="Export the events table from BigQuery as JSON (newline delimited) or Parquet")  # fmt: skip


def event_batches(path: Path) -> Iterator[pa.RecordBatch]:
    """The events of one export file in record batches (Parquet, else newline-delimited JSON).

    Raises
    ------
    InputError
        A missing file, one that is neither format, or an export without a required column.
    """
    if not path.is_file():
        raise InputError("no such file", file=path, expected=TITLE)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1":
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        _require(path, names)
        wanted = [n for n in _schema(pa.int64()).names if n in names]
        # row group by row group: several times faster than iter_batches on nested columns
        for group in range(parquet.metadata.num_row_groups):
            yield from parquet.read_row_group(group, columns=wanted).to_batches(max_chunksize=BATCH_ROWS)
        return
    if head[:1] not in (b"{", b"\n", b" ", b"\xef"):
        raise InputError("is neither Parquet nor newline-delimited JSON", file=path, expected=TITLE,
                         hint="Export the events table from BigQuery as Parquet or JSON (newline delimited)")  # fmt: skip
    first = True
    for batch in _json_batches(path):
        if first:
            present = [n for n in REQUIRED if pc.any(pc.is_valid(batch.column(n))).as_py()]
            _require(path, present + [n for n in batch.schema.names if n not in REQUIRED])
            first = False
        yield batch


def _require(path: Path, names: Sequence[str]) -> None:
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InputError(f"is not {TITLE}: it has no {', '.join(missing)}", file=path, column=missing[0],
                         expected=f"the columns {HEADER}",
                         hint="Export the events_* table itself (SELECT *), not a query's summary")  # fmt: skip


def _field(array: pa.Array, *path: str) -> pa.Array | None:
    """A nested field of a struct column, or None when the export has no such field."""
    kind = array.type
    for name in path:
        if not pa.types.is_struct(kind) or kind.get_field_index(name) < 0:
            return None
        kind = kind.field(name).type
    return pc.struct_field(array, list(path))


#: The event parameters read (others are ignored).
PARAMS = ("ga_session_id", "source", "medium", "campaign", "transaction_id", "value", "currency")


class _Params:
    """The event parameters of one batch, flattened once: `get` finds each key's values by an
    integer code, not a string comparison over every parameter."""

    def __init__(self, params: pa.Array, n: int) -> None:
        flat = pc.list_flatten(params)
        self.n = n
        self.parent = pc.list_parent_indices(params).to_numpy()
        self.code = pc.fill_null(
            pc.index_in(pc.struct_field(flat, "key"), value_set=pa.array(PARAMS)), -1
        ).to_numpy()
        self.values = pc.struct_field(flat, "value")

    def get(self, key: str) -> pd.DataFrame:
        """The first ``key`` parameter of each event: its string, int and double value (NA if none)."""
        hit = self.code == PARAMS.index(key)
        index = pd.Index(self.parent[hit])
        values = self.values.filter(pa.array(hit))
        double = pc.coalesce(pc.struct_field(values, "double_value"), pc.struct_field(values, "float_value"))
        frame = pd.DataFrame({
            "string": pd.Series(pc.struct_field(values, "string_value").to_pandas(), dtype="string").set_axis(index),
            "int": pd.Series(pc.struct_field(values, "int_value").to_pandas(), dtype="Int64").set_axis(index),
            "double": pd.Series(double.to_numpy(zero_copy_only=False), dtype="float64").set_axis(index),
        })  # fmt: skip
        if frame.index.has_duplicates:
            frame = frame[~frame.index.duplicated()]
        return frame.reindex(pd.RangeIndex(self.n))


def _text(array: pa.Array | None, n: int) -> pd.Series:
    if array is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    return pd.Series(array.to_pandas(), dtype="string").replace("", pd.NA)


def _sources(batch: pa.RecordBatch, params: _Params, n: int) -> pd.DataFrame:
    """Each event's source, medium and campaign, by the first level that names a source."""
    levels = []
    last = (
        batch.column("session_traffic_source_last_click")
        if "session_traffic_source_last_click" in batch.schema.names
        else None
    )
    if last is not None:
        levels.append(
            [_text(_field(last, "manual_campaign", f), n) for f in ("source", "medium", "campaign_name")]
        )
    collected = (
        batch.column("collected_traffic_source") if "collected_traffic_source" in batch.schema.names else None
    )
    if collected is not None:
        level = [
            _text(_field(collected, f), n) for f in ("manual_source", "manual_medium", "manual_campaign_name")
        ]
        gclid = _text(_field(collected, "gclid"), n).notna() & level[0].isna()
        level[0], level[1] = level[0].mask(gclid, "google"), level[1].mask(gclid, "cpc")
        levels.append(level)
    levels.append([params.get(k)["string"].astype("string") for k in ("source", "medium", "campaign")])
    source, medium, campaign = levels[0]
    for lower_source, lower_medium, lower_campaign in levels[1:]:
        take = (source.isna() & lower_source.notna()).to_numpy()
        if take.any():
            source = source.mask(take, lower_source)
            medium, campaign = medium.mask(take, lower_medium), campaign.mask(take, lower_campaign)
    return pd.DataFrame({"source": source, "medium": medium, "campaign": campaign})


def _format(path: Path) -> str:
    with open(path, "rb") as fh:
        return "parquet" if fh.read(4) == b"PAR1" else "ndjson"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


def drop_many(log: ImportLog, reason: str, labels: pd.Series) -> None:
    """`ImportLog.drop` for many rows: only the first examples are formatted."""
    if len(labels):
        log.drop(reason, [str(v) for v in labels.head(EXAMPLES)])
        next(d for d in log.rows_dropped if d.reason == reason).count += len(labels) - min(
            len(labels), EXAMPLES
        )


def _reduce(batch: pa.RecordBatch, offset: int, log: ImportLog, path: Path) -> dict[str, pd.DataFrame]:
    """One batch of events (the first being event ``offset + 1`` of the file) as sessions (first
    time), attributions (first event naming a source), user ids and purchase and refund events."""
    n = batch.num_rows
    names = set(batch.schema.names)
    params = _Params(batch.column("event_params"), n)
    session = params.get("ga_session_id")
    sid = session["int"].astype("string").fillna(session["string"])
    micros = pd.Series(batch.column("event_timestamp").to_numpy(zero_copy_only=False)).astype("Int64")
    pseudo = _text(batch.column("user_pseudo_id"), n)
    keep = (sid.notna() & pseudo.notna() & micros.notna()).to_numpy()
    lost = pd.Series(np.flatnonzero(~keep) + offset + 1).map(f"{path.name} event {{}}".format)
    drop_many(log, NO_SESSION, lost)
    events = pd.DataFrame({"user_pseudo_id": pseudo, "session": sid, "micros": micros})[keep]
    key = list(SESSION_KEY)
    sessions = events.groupby(key, sort=False)["micros"].min().reset_index()
    named = pd.concat([events, _sources(batch, params, n)[keep]], axis=1)
    named = named[named["source"].notna()].sort_values("micros", kind="stable").drop_duplicates(key)
    users = _text(batch.column("user_id") if "user_id" in names else None, n)
    ids = pd.DataFrame({"user_pseudo_id": pseudo, "user_id": users})[users.notna().to_numpy()]
    event = _text(batch.column("event_name"), n)
    shopping = event.isin(["purchase", "refund"]).to_numpy() & keep
    out = {"sessions": sessions, "named": named, "users": ids.drop_duplicates("user_pseudo_id")}
    if shopping.any():
        ecommerce = batch.column("ecommerce") if "ecommerce" in names else None
        transaction = _text(_field(ecommerce, "transaction_id") if ecommerce is not None else None, n)
        transaction = transaction.fillna(params.get("transaction_id")["string"].astype("string"))
        value = params.get("value")
        amount = value["double"].astype("float64").fillna(value["int"].astype("float64"))
        for field in ("purchase_revenue", "refund_value"):
            got = _field(ecommerce, field) if ecommerce is not None else None
            if got is not None:
                ecom = pd.Series(got.to_numpy(zero_copy_only=False), dtype="float64")
                amount = ecom.where(event.eq(field.split("_")[0]).to_numpy(), np.nan).fillna(amount)
        out["shopping"] = pd.DataFrame({
            "event": event, "transaction_id": transaction, "amount": amount,
            "currency": params.get("currency")["string"].astype("string").str.upper(),
            "user_pseudo_id": pseudo, "session": sid, "micros": micros,
        })[shopping].reset_index(drop=True)  # fmt: skip
        out["shopping"]["label"] = [f"{path.name} event {offset + i + 1}" for i in np.flatnonzero(shopping)]
    return out


def _read(paths: Sequence[Path], log: ImportLog) -> dict[str, pd.DataFrame]:
    """Every file's events, reduced batch by batch and then across batches and files."""
    parts: dict[str, list[pd.DataFrame]] = {"sessions": [], "named": [], "users": [], "shopping": []}
    for path in paths:
        rows = 0
        for batch in event_batches(path):
            for name, frame in _reduce(batch, rows, log, path).items():
                parts[name].append(frame)
            rows += batch.num_rows
        log.files.append(
            {"path": str(path), "sha256": _sha256(path), "format": _format(path), "rows_read": rows}
        )
        log.rows_read += rows
    key = list(SESSION_KEY)
    sessions = pd.concat(parts["sessions"], ignore_index=True).groupby(key, sort=False)["micros"].min()
    named = (
        pd.concat(parts["named"], ignore_index=True).sort_values("micros", kind="stable").drop_duplicates(key)
    )
    users = pd.concat(parts["users"], ignore_index=True).drop_duplicates("user_pseudo_id")
    shopping = [f for f in parts["shopping"] if len(f)]
    return {"sessions": sessions.reset_index(), "named": named.drop(columns="micros"), "users": users,
            "shopping": pd.concat(shopping, ignore_index=True) if shopping else pd.DataFrame()}  # fmt: skip


def _times(micros: pd.Series, paths: Sequence[Path]) -> pd.Series:
    """Microseconds since the epoch as UTC timestamps to the second, checked for their range."""
    stamps = pd.to_datetime(micros.astype("int64"), unit="us", utc=True)
    bad = out_of_range(stamps)
    if bad.any():
        first = stamps[bad].iloc[0]
        raise InputError(f"{int(bad.sum())} event time(s) before 1990 or from 2100 on (e.g. {first:%Y-%m-%d %H:%M:%S} UTC)", column="event_timestamp",
                         file=", ".join(str(p) for p in paths) or None,
                         values=[str(v) for v in stamps[bad].head(EXAMPLES)],
                         expected="microseconds since 1970-01-01 UTC within 1990-2099",
                         hint="A value in milliseconds or seconds lands in 1970: export the column as BigQuery "
                         "wrote it")  # fmt: skip
    return stamps.dt.floor("s").astype(TIMESTAMP_DTYPE)


def _shop_orders(folder: Path | None) -> str | None:
    """The source of orders already in the folder that a GA4 import must not mix with, if any."""
    path = Path(folder) / "orders.csv" if folder else None
    if path is None or not path.is_file():
        return None
    frame = pd.read_csv(path, dtype="str", usecols=lambda c: c == "source", keep_default_na=False)
    if "source" not in frame.columns:
        return "rows written by hand" if len(frame) or path.stat().st_size > 0 else None
    others = sorted(set(frame["source"]) - {"ga4"})
    return ", ".join(o or "rows written by hand" for o in others) or None


def convert(paths: Sequence[Path], options: ImportOptions, log: ImportLog) -> Mapping[str, pd.DataFrame]:
    """The ``touchpoints`` (and, without a shop export, ``orders`` and ``customers``) of GA4
    BigQuery event exports (`catalog.Convert`).

    ``options`` gives ``channel_map`` (a YAML file over `channels.DEFAULT_GROUPS`),
    ``margin_rate`` (needed when purchases become orders) and ``currency``.

    Raises
    ------
    InputError
        A file that is not a GA4 export (naming the missing column), unreadable JSON, event times
        outside 1990-2099 (milliseconds for microseconds), no margin rate for purchases, a second
        currency.
    """
    channel_map = load_channel_map(options.channel_map)
    data = _read(paths, log)
    key = list(SESSION_KEY)
    sessions = data["sessions"].merge(data["named"], on=key, how="left")
    lost = sum(d.count for d in log.rows_dropped if d.reason == NO_SESSION)
    log.combine(
        "a further event of a session (one touchpoint per session)", log.rows_read - lost - len(sessions)
    )
    classified = channel_map.classify(sessions["source"], sessions["medium"], sessions["campaign"])
    user_of = data["users"].set_index("user_pseudo_id")["user_id"]
    customer = sessions["user_pseudo_id"].map(user_of).astype("string").fillna(sessions["user_pseudo_id"])
    touch = pd.DataFrame({"customer_id": customer, "timestamp": _times(sessions["micros"], paths),
                          "channel": classified["channel"], "campaign": classified["campaign"]})  # fmt: skip
    label = "session " + sessions["user_pseudo_id"] + "/" + sessions["session"]
    for group in sorted(set(classified.loc[touch["channel"].isna(), "group"])):
        drop_many(log, f"session of GA4's '{group}' group, which has no channel (see --channel-map)",
                  label[(classified["group"] == group) & touch["channel"].isna()])  # fmt: skip
    kept = touch[touch["channel"].notna()]
    twice = kept.duplicated(["customer_id", "timestamp", "channel"])
    drop_many(log, "second session of a customer on one channel in the same second", label[kept.index[twice]])
    kept = kept[~twice.to_numpy()]
    groups = classified.loc[kept.index, "group"].value_counts()
    log.notes.append(
        "sessions by GA4 group written as touchpoints: " + ", ".join(f"{g} {c:,}" for g, c in groups.items())
    )
    tables: dict[str, pd.DataFrame] = {"touchpoints": kept.reset_index(drop=True).assign(currency=pd.NA)}
    shopping = data["shopping"]
    if len(shopping) and (shop := _shop_orders(options.folder)):
        log.notes.append(f"purchase events not written as orders: the folder's orders come from {shop}")
    elif len(shopping):
        sessions_channel = pd.concat([sessions[key], classified], axis=1)
        tables |= _orders(shopping, sessions_channel, user_of, options, log)
    log.tables = list(tables)
    return tables


def _orders(shopping: pd.DataFrame, sessions: pd.DataFrame, user_of: pd.Series, options: ImportOptions,
            log: ImportLog) -> dict[str, pd.DataFrame]:  # fmt: skip
    """``orders`` and ``customers`` of the purchase events, less their refund events."""
    rate = options.margin_rate
    if rate is None or not 0.0 <= float(rate) <= 1.0:
        raise InputError("needs the gross margin rate to write the purchases as orders" if rate is None
                         else f"has a margin rate of {rate}", key="margin_rate",
                         expected="--margin-rate between 0 and 1 (gross margin as a share of revenue)",
                         hint="Or import the shop's orders export first: GA4 purchases are then not used")  # fmt: skip
    purchases = shopping[shopping["event"] == "purchase"]
    unnamed = purchases["transaction_id"].isna() | purchases["transaction_id"].isin(["(not set)", ""])
    drop_many(log, "purchase without a transaction_id", purchases.loc[unnamed, "label"])
    purchases = purchases[~unnamed]
    again = purchases.duplicated("transaction_id")
    drop_many(
        log,
        "purchase event repeated for one transaction_id (GA4 sends some twice)",
        purchases.loc[again, "label"],
    )
    purchases = purchases[~again].copy()
    novalue = purchases["amount"].isna()
    drop_many(log, "purchase without a value", purchases.loc[novalue, "label"])
    purchases = purchases[~novalue]
    currencies = sorted(
        set(purchases["currency"].dropna()) | ({options.currency} if options.currency else set())
    )
    if len(currencies) > 1:
        raise InputError(f"has purchases in more than one currency ({', '.join(currencies)})", column="currency",
                         file=", ".join(sorted({str(f['path']) for f in log.files})),
                         expected="one currency per data folder", hint="Import each currency's property into its own data folder")  # fmt: skip
    if not currencies:
        raise InputError("does not say the purchases' currency (no currency event parameter)", key="currency",
                         expected="--currency EUR (the property's currency)")  # fmt: skip
    log.currency = currencies[0]
    refunds = shopping[shopping["event"] == "refund"].groupby("transaction_id")["amount"].sum()
    unknown = refunds.index.difference(purchases["transaction_id"])
    if len(unknown):
        log.notes.append(f"{len(unknown)} refund(s) of transactions not among the purchases ignored "
                         f"(e.g. {', '.join(map(str, unknown[:EXAMPLES]))})")  # fmt: skip
    refunded = purchases["transaction_id"].map(refunds).fillna(0.0).clip(lower=0.0)
    if (refunded > 0).any():
        log.notes.append(f"{int((refunded > 0).sum())} order(s) reduced by their refund events' refund_value")
    customer = purchases["user_pseudo_id"].map(user_of).astype("string").fillna(purchases["user_pseudo_id"])
    revenue = (purchases["amount"] - refunded).clip(lower=0.0).round(6)
    orders = pd.DataFrame({"order_id": purchases["transaction_id"].to_numpy(), "customer_id": customer.to_numpy(),
                           "timestamp": _times(purchases["micros"], []).to_numpy(), "revenue": revenue.to_numpy(),
                           "gross_margin": (revenue * float(rate)).round(6).to_numpy(), "currency": log.currency})  # fmt: skip
    log.notes.append(f"purchase events written as orders: revenue = purchase_revenue (value) less refunds, "
                     f"gross_margin = revenue x {float(rate)} (--margin-rate)")  # fmt: skip
    # the acquisition channel: the paid channel of the first order's session, else unknown
    first = pd.concat([orders, purchases[list(SESSION_KEY)].reset_index(drop=True)], axis=1)
    first = first.sort_values("timestamp", kind="stable").drop_duplicates("customer_id")
    first = first.merge(sessions, on=list(SESSION_KEY), how="left")
    paid = first["group"].isin(PAID_GROUPS) & first["channel"].notna()
    customers = pd.DataFrame({"customer_id": first["customer_id"], "acquisition_date": first["timestamp"].dt.normalize(),
                              "acquisition_channel": first["channel"].where(paid, "unknown"),
                              "referred_by": pd.NA, "currency": log.currency}).sort_values("customer_id")  # fmt: skip
    return {
        "orders": orders.sort_values(["timestamp", "order_id"], kind="stable").reset_index(drop=True),
        "customers": customers.reset_index(drop=True),
    }
