"""Speed of `socialreturns import` on large generated exports: a Google Ads day report, a
Shopify orders export (line items) and a GA4 BigQuery events export (Parquet).

Issue #16 point 9 sets the target: 1,000,000 line items or 5,000,000 GA4 events in under 2
minutes on 2 cores with peak memory under 4 GB. Each part prints rows per second and the peak
memory of the process that imported (each import runs in a child process of its own, and the
file is written by another, so neither the generator's memory nor another part's is counted).

    .venv/bin/python bench/import_bench.py --rows 1000000                  # google-ads
    .venv/bin/python bench/import_bench.py --part shopify --rows 1000000   # line items
    .venv/bin/python bench/import_bench.py --part ga4 --rows 5000000       # events
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PARTS = ("google-ads", "shopify", "ga4")


def write_report(path: Path, rows: int, seed: int = 16) -> None:
    """A Google Ads campaign report by day in its real layout: title, date range, header,
    quoted thousands, `` --`` cells, percentages, total lines; one row per day and campaign."""
    rng = np.random.default_rng(seed)
    days = 730
    campaigns = -(-rows // days)
    day = pd.date_range("2024-11-01", periods=days, freq="D").strftime("%Y-%m-%d").to_numpy()
    i = np.arange(rows)
    impressions = rng.integers(0, 2_000_000, rows)
    cost = rng.gamma(2.0, 400.0, rows).round(2)
    frame = pd.DataFrame({
        "Campaign status": np.where(i % 7 == 0, "Paused", "Enabled"),
        "Campaign": pd.Series(i // days).map("Campaign {:05d}".format),
        "Campaign type": np.where((i // days) % 3 == 0, "Video", "Search"),
        "Day": day[i % days],
        "Currency code": "EUR",
        "Impr.": [f"{v:,}" for v in impressions],
        "CTR": [f"{v:.2%}" for v in rng.uniform(0, 0.05, rows)],
        "Cost": [f"{v:,.2f}" if k % 50 else " --" for k, v in enumerate(cost)],
    })  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write('Campaign report\n"November 1, 2024 - October 31, 2026"\n')
        frame.to_csv(fh, index=False, lineterminator="\r\n")
        fh.write('Total: Campaigns, --, --, --,EUR, --, --," --"\r\n')
    print(f"wrote {rows:,} rows ({campaigns:,} campaigns x {days} days), {path.stat().st_size / 1e6:.0f} MB")


def write_threads(path: Path, rows: int, seed: int = 16) -> None:
    """A customer-support reply-thread export (``tweet_id, author_id, inbound, created_at, text,
    response_tweet_id, in_response_to_tweet_id``): threads of a customer post, the brand's reply
    (three in four) and the customer's follow-up, over four brands."""
    rng = np.random.default_rng(seed)
    threads = -(-rows // 3)
    brands = np.array(["lumora", "brightwell", "kestrel_audio", "bliss"])
    brand = brands[rng.integers(0, 4, threads)]
    start = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 700 * 86400, threads), unit="s"
    )
    customer = rng.integers(100_000, 900_000, threads).astype(str)
    texts = np.array(["how do I reset my lamp?", "my order never arrived, can you check?", "love it, thanks",
                      "the app won't pair with my buds", "is it dimmable?"])  # fmt: skip
    first = np.arange(threads) * 3 + 1
    answered = rng.random(threads) < 0.75
    frame = pd.DataFrame({
        "tweet_id": np.concatenate([first, first + 1, first + 2]),
        "author_id": np.concatenate([customer, brand, customer]),
        "inbound": np.repeat(["True", "False", "True"], threads),
        "created_at": pd.Index(np.concatenate([start, start + pd.to_timedelta(rng.gamma(2, 3, threads), unit="h"),
                                               start + pd.Timedelta(days=2)])).strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "text": np.concatenate(["@" + brand + " " + texts[rng.integers(0, 5, threads)],
                                "@" + customer + " sorry about that, please DM us", "@" + brand + " any news?"]),
        "response_tweet_id": "",
        "in_response_to_tweet_id": np.concatenate([np.full(threads, ""), first.astype(str), (first + 1).astype(str)]),
    })  # fmt: skip
    frame = frame[np.concatenate([np.ones(threads, bool), answered, np.ones(threads, bool)])].head(rows)
    frame.to_csv(path, index=False)


def bench_threads(rows: int) -> None:
    """Rows per second of ``socialreturns import reply-threads``: read, resolve the threads
    (brands, answered_at), detect the questions and write, one child process writing the file."""
    from socialreturns.sources import ImportLog, catalog, listening, threads, write

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "twcs.csv"
        subprocess.run([sys.executable, __file__, "--threads", str(rows), "--write", str(path)], check=True)
        log = ImportLog(source="reply-threads", tables=["mentions"])
        options = catalog.ImportOptions(salt="bench")
        start = time.perf_counter()
        posts = listening.read_posts(path, listening.PROFILES["customer-support"], log)
        read = time.perf_counter()
        brands = threads._brands_from_outbound(posts)
        resolved = threads.resolve(posts, brands, log)
        mentions = threads.to_mentions(resolved, brands, options, log)
        converted = time.perf_counter()
        write.write_tables(Path(tmp) / "data", {"mentions": mentions}, log)
        written = time.perf_counter()
    n = log.rows_read
    print(f"reply-threads: rows read {n:,}, mentions written {log.rows_written:,}, dropped {log.dropped:,} "
          f"(the brands' own posts)")  # fmt: skip
    for label, seconds in (("read", read - start), ("resolve", converted - read), ("write", written - converted),
                           ("total", written - start)):  # fmt: skip
        print(f"{label:8s} {seconds:7.2f} s   {n / seconds:12,.0f} rows/s")


def write_shopify(path: Path, line_items: int, seed: int = 16) -> None:
    """A Shopify orders export in its real layout: one row per line item, the order's totals on
    its first row, times with their UTC offset; about 2.5 line items per order, a few
    cancelled and refunded orders."""
    rng = np.random.default_rng(seed)
    per_order = rng.integers(1, 5, line_items)  # draws, cut to the rows asked for
    order = np.repeat(np.arange(line_items), per_order)[:line_items]
    first = np.r_[True, order[1:] != order[:-1]]
    orders = int(order[-1]) + 1
    customer = rng.integers(0, max(1, orders // 3), orders)
    start = pd.Timestamp("2024-11-01 00:00:00")
    when = (start + pd.to_timedelta(np.sort(rng.integers(0, 730 * 86400, orders)), unit="s")).strftime(
        "%Y-%m-%d %H:%M:%S -0800"
    )
    subtotal = rng.gamma(2.0, 40.0, orders).round(2)
    status = np.where(rng.random(orders) < 0.02, "refunded", "paid")
    cancelled = np.where(rng.random(orders) < 0.01, "2025-01-01 00:00:00 -0800", "")

    def on_first(values: np.ndarray) -> np.ndarray:
        return np.where(first, values[order].astype(str), "")

    frame = pd.DataFrame({
        "Name": pd.Series(order + 1001).map("#{}".format).to_numpy(),
        "Email": pd.Series(customer[order]).map("customer{}@example.com".format).to_numpy(),
        "Financial Status": on_first(status), "Paid at": on_first(np.asarray(when)), "Currency": on_first(np.full(orders, "EUR")),
        "Subtotal": on_first(subtotal), "Shipping": on_first(np.full(orders, "4.90")),
        "Taxes": on_first((subtotal * 0.19).round(2)), "Total": on_first((subtotal * 1.19 + 4.9).round(2)),
        "Discount Code": "", "Created at": np.asarray(when)[order], "Lineitem quantity": rng.integers(1, 3, line_items),
        "Lineitem name": "Glow Lamp", "Lineitem price": "39.00", "Lineitem sku": pd.Series(rng.integers(0, 50, line_items)).map("SKU-{:02d}".format).to_numpy(),
        "Cancelled at": on_first(cancelled), "Refunded Amount": on_first(np.where(status == "refunded", subtotal, 0.0)),
        "Id": on_first(np.arange(orders) + 5703065354385),
    })  # fmt: skip
    frame.to_csv(path, index=False)
    print(f"wrote {line_items:,} line items ({orders:,} orders), {path.stat().st_size / 1e6:.0f} MB")


def write_ga4(path: Path, events: int, seed: int = 16) -> None:
    """A GA4 BigQuery events export as Parquet: ten events per session, two sessions per user,
    three event parameters per event, the session's last-click source on every event, and
    one purchase per 100 events."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from socialreturns.sources.ga4 import _schema

    rng = np.random.default_rng(seed)
    schema = _schema(pa.int64())
    sources = pa.array(["facebook", "instagram", "google", "tiktok", "(direct)", "youtube"])
    mediums = pa.array(["paid_social", "social", "cpc", "cpc", "(none)", "cpc"])
    campaigns = pa.array([f"campaign_{i:03d}" for i in range(60)])
    with pq.ParquetWriter(path, schema) as writer:
        for lo in range(0, events, 1_000_000):
            n = min(1_000_000, events - lo)
            i = np.arange(lo, lo + n)
            session, user = i // 10, i // 20
            micros = 1_730_419_200_000_000 + session * 3_000_000_000 + (i % 10) * 15_000_000
            keys = pa.array(["ga_session_id", "page_location", "engagement_time_msec"]).take(
                np.tile([0, 1, 2], n)
            )
            ints = np.empty(3 * n, dtype=object)
            ints[0::3], ints[1::3], ints[2::3] = session, None, rng.integers(0, 60_000, n)
            strings = np.full(3 * n, None, dtype=object)
            strings[1::3] = "https://shop.example.com/lamps"
            value = pa.StructArray.from_arrays(
                [pa.array(strings, pa.string()), pa.array(ints, pa.int64()), pa.nulls(3 * n, pa.float64()),
                 pa.nulls(3 * n, pa.float64())], fields=list(schema.field("event_params").type.value_type.field("value").type))  # fmt: skip
            params = pa.ListArray.from_arrays(pa.array(np.arange(0, 3 * n + 1, 3), pa.int32()),
                                              pa.StructArray.from_arrays([keys, value], names=["key", "value"]))  # fmt: skip
            kind = (session * 7919) % 6
            manual = pa.StructArray.from_arrays(
                [pa.nulls(n, pa.string()), campaigns.take(pa.array(session % 60)), sources.take(pa.array(kind)),
                 mediums.take(pa.array(kind))], names=["campaign_id", "campaign_name", "source", "medium"])  # fmt: skip
            purchase = (i % 100) == 99
            names = np.where(purchase, "purchase", np.where(i % 10 == 0, "session_start", "page_view"))
            ecommerce = pa.StructArray.from_arrays(
                [pa.array(np.where(purchase, i.astype(str), None), pa.string()),
                 pa.array(np.where(purchase, rng.gamma(2.0, 40.0, n).round(2), np.nan), pa.float64(), from_pandas=True),
                 pa.nulls(n, pa.float64())], names=["transaction_id", "purchase_revenue", "refund_value"],
                mask=pa.array(~purchase))  # fmt: skip
            columns = {
                "event_date": pa.array(pd.to_datetime(micros, unit="us").strftime("%Y%m%d")),
                "event_timestamp": pa.array(micros), "event_name": pa.array(names), "event_params": params,
                "user_pseudo_id": pa.array(pd.Series(user).map("{}.1730419200".format)),
                "user_id": pa.nulls(n, pa.string()),
                "collected_traffic_source": pa.nulls(n, schema.field("collected_traffic_source").type),
                "session_traffic_source_last_click": pa.StructArray.from_arrays([manual], names=["manual_campaign"]),
                "ecommerce": ecommerce,
            }  # fmt: skip
            writer.write_table(pa.table(columns, schema=schema))
    print(f"wrote {events:,} GA4 events, {path.stat().st_size / 1e6:.0f} MB")


def _timed_import(source: str, path: Path, out: Path, **kwargs: object) -> None:
    """Import in this process and print the rate and peak memory (run in a child per part)."""
    from socialreturns.sources import import_files

    start = time.perf_counter()
    result = import_files(source, [path], out, **kwargs)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_gb, cpu = usage.ru_maxrss / 1e6, usage.ru_utime + usage.ru_stime
    log = result.log
    print(f"{source}: rows read {log.rows_read:,}, written {log.written}, dropped {log.dropped:,}")
    print(f"{source}: {seconds:7.2f} s   {log.rows_read / seconds:12,.0f} rows/s   peak memory {peak_gb:.2f} GB "
          "(target: under 120 s and 4 GB)")  # fmt: skip
    # on a shared machine the wall time includes waiting for a core; the CPU time does not
    print(
        f"{source}: CPU time of this process {cpu:.1f} s (imports included), load average {os.getloadavg()[0]:.1f}"
    )


def _part(part: str, rows: int) -> None:
    """Write the part's export in one child process, import it in another."""
    with tempfile.TemporaryDirectory() as tmp:
        suffix = {"shopify": "csv", "ga4": "parquet"}[part]
        path = Path(tmp) / f"{part}.{suffix}"
        subprocess.run(
            [sys.executable, __file__, "--part", part, "--rows", str(rows), "--write", str(path)], check=True
        )
        subprocess.run([sys.executable, __file__, "--part", part, "--rows", str(rows), "--import", str(path),
                        "--out", str(Path(tmp) / "data")], check=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--part", choices=PARTS, default="google-ads", help="which export (default google-ads)"
    )
    parser.add_argument("--write", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=300_000, help="reply-thread rows (0: skip)")
    parser.add_argument("--import", dest="imported", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write and args.threads and "twcs" in args.write:
        write_threads(Path(args.write), args.threads)
        return
    if args.threads and not args.write and not args.imported and args.part == "google-ads":
        bench_threads(args.threads)  # beside the default part's spend rate
    if args.write:
        writer = {"google-ads": write_report, "shopify": write_shopify, "ga4": write_ga4}[args.part]
        writer(Path(args.write), args.rows)
        return
    if args.imported:
        source = {"shopify": "shopify-orders", "ga4": "ga4"}[args.part]
        _timed_import(
            source, Path(args.imported), Path(args.out), salt="bench", margin_rate=0.5, currency="EUR"
        )
        return
    if args.part != "google-ads":
        _part(args.part, args.rows)
        return

    from socialreturns.sources import ImportLog, catalog, read_export, write
    from socialreturns.sources.ads import GOOGLE
    from socialreturns.sources.spend import read_spend

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "google_ads_day.csv"
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--write", str(path)], check=True)
        start = time.perf_counter()
        export = read_export(path, GOOGLE.is_header, what=GOOGLE.title, expected=GOOGLE.header)
        read = time.perf_counter()
        log = ImportLog(source="google-ads", tables=["spend"])
        rows = read_spend(export, GOOGLE, log)
        log.currency = "EUR"
        converted = time.perf_counter()
        write.write_tables(Path(tmp) / "data", {"spend": rows}, log)
        written = time.perf_counter()
        again = catalog.import_files("google-ads", [path], Path(tmp) / "data")  # merge into itself
        merged = time.perf_counter()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    n = len(export.frame)
    print(f"rows read {n:,}, written {log.rows_written:,}, dropped {log.dropped:,}")
    for label, seconds in (("read", read - start), ("convert", converted - read), ("write", written - converted),
                           ("total", written - start)):  # fmt: skip
        print(f"{label:8s} {seconds:7.2f} s   {n / seconds:12,.0f} rows/s")
    print(f"re-import of the same file into the folder (replaces {again.log.rows_replaced:,} rows): "
          f"{merged - written:.2f} s")  # fmt: skip
    print(f"peak memory {peak_gb:.2f} GB (the issue's target for line items/GA4: 1M rows < 120 s, < 4 GB)")


if __name__ == "__main__":
    main()
