"""Speed of `socialreturns import google-ads` on a large generated day report.

Issue #16 point 9 sets its target (1,000,000 rows in under 2 minutes, peak memory under 4 GB)
for line items and GA4 events, which later importers read; for spend this prints the figures:
rows per second through reading (decode, header, CSV), converting (numbers, dates, channels,
checks) and writing (merge, CSV, log), and this process's peak memory. The report is written
by a child process, so its memory is not counted.

    .venv/bin/python bench/import_bench.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--write", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=300_000, help="reply-thread rows (0: skip)")
    args = parser.parse_args()
    if args.write and args.threads and "twcs" in args.write:
        write_threads(Path(args.write), args.threads)
        return
    if args.threads and not args.write:
        bench_threads(args.threads)
    if args.write:
        write_report(Path(args.write), args.rows)
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
