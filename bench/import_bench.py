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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--write", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
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
