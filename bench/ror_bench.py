"""BG/NBD + Gamma-Gamma fit time on the sample, on 10,000 customers and on about a million; and
the ROR notebook's steps on the sample (`--steps`): MBG/NBD against BG/NBD, the holdout choice
against one holdout, CLV computed once per distinct history against once per customer, and the
lexicon classes of the brand's posts (what issue 19's honest figures add to the run).

Target (ROR issue): under 0.2 s for 10,000 customers, under 10 s for 1,000,000, peak memory
under 2 GB. Where lifetimes is available the same summaries are fitted with its BetaGeoFitter and
GammaGammaFitter and the ratio is printed. lifetimes is archived and pins old pandas, so it is
not a project dependency; install it into a scratch venv and pass that interpreter:

    python3 -m venv /tmp/ltvenv && /tmp/ltvenv/bin/pip install lifetimes
    .venv/bin/python bench/ror_bench.py --lifetimes-python /tmp/ltvenv/bin/python

The large case is generated with `synth.generate(scale=...)` (what `socialreturns synth
--scale` writes) and fitted in a child process whose peak resident memory is reported.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns import data, ror, synth

ROOT = Path(__file__).resolve().parents[1]

LIFETIMES = """
import json, sys, time
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
s = pd.read_parquet(sys.argv[1])
f, r, T, m = (s[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value"))
start = time.perf_counter()
bg = BetaGeoFitter().fit(f, r, T)
k = f > 0
gg = GammaGammaFitter().fit(f[k], m[k])
print(json.dumps({"seconds": time.perf_counter() - start, "r": bg.params_["r"], "p": gg.params_["p"]}))
"""

CHILD = """
import json, sys, time
import pandas as pd
from socialreturns import ror

def peak_mb():
    # VmHWM belongs to this process image; ru_maxrss would include the parent's peak (fork)
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    return int(line.split()[1]) / 1024

orders = pd.read_parquet(sys.argv[1])
start = time.perf_counter()
summary = ror.rfm_summary(orders)
t_summary = time.perf_counter() - start
start = time.perf_counter()
bg = ror.fit_bgnbd(summary)
gg = ror.fit_gamma_gamma(summary)
t_fit = time.perf_counter() - start
summary[["frequency", "recency", "T", "monetary_value"]].to_parquet(sys.argv[2])
print(json.dumps({"customers": len(summary), "summary_seconds": t_summary, "fit_seconds": t_fit,
                  "peak_mb": peak_mb(),
                  "r": bg.params["r"], "p": gg.params["p"]}))
"""


def fit_time(summary: pd.DataFrame, repeats: int = 5) -> float:
    """Best of ``repeats`` wall times of fitting both models."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        ror.fit_bgnbd(summary)
        ror.fit_gamma_gamma(summary)
        best = min(best, time.perf_counter() - start)
    return best


def lifetimes_time(python: str | None, summary: pd.DataFrame, workdir: Path) -> float | None:
    """lifetimes' fit time on the same summary, in its own interpreter; None if unavailable."""
    if python is None:
        try:
            import lifetimes  # noqa: F401
        except ImportError:
            return None
        python = sys.executable
    path = workdir / f"summary-{len(summary)}.parquet"
    summary[["frequency", "recency", "T", "monetary_value"]].to_parquet(path)
    out = subprocess.run([python, "-c", LIFETIMES, str(path)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(f"  lifetimes failed: {out.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def best_of(fn, repeats: int = 3) -> float:
    """Best of ``repeats`` wall times of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def steps(orders: pd.DataFrame, summary: pd.DataFrame) -> None:
    """The notebook's ROR steps on the sample, each with its ratio to what it replaces or adds to."""
    from socialreturns.ror.bgnbd import _conditional_expected
    from socialreturns.ror.lifetime_value import _expected_at

    bg = best_of(lambda: ror.fit_bgnbd(summary))
    mbg = best_of(lambda: ror.fit_mbgnbd(summary))
    print(f"fit on the sample: BG/NBD {bg:.2f} s, MBG/NBD {mbg:.2f} s ({mbg / bg:.1f}x)")
    cut = dict(calibration_end="2026-04-30", holdout_end="2026-10-31")
    one = best_of(lambda: ror.calibration_holdout(orders, **cut), repeats=2)
    both = best_of(lambda: ror.choose_purchase_model(orders, **cut), repeats=2)
    print(f"holdout: one model {one:.2f} s, both and the choice {both:.2f} s ({both / one:.2f}x)")
    fit = ror.fit_bgnbd(summary)
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    months = [m * 365.25 / 12 / 7 for m in range(1, 25)]
    unique = best_of(lambda: _expected_at(fit, x, t_x, T, months))
    naive = best_of(lambda: [_conditional_expected(fit, x, t_x, T, np.full_like(x, h)) for h in months])
    print(f"24 months of expected purchases: per distinct history {unique:.2f} s, per customer {naive:.2f} s "
          f"({naive / unique:.1f}x faster)")  # fmt: skip
    mentions = data.load_mentions(ROOT / "data" / "sample")
    tone = best_of(lambda: ror.negative_posts(mentions, brand="Lumora"), repeats=2)
    print(f"lexicon classes of the brand's posts: {tone:.2f} s")


def report(label: str, ours: float, theirs: float | None, target: float) -> None:
    ratio = (
        f", lifetimes {theirs:.3f} s: {theirs / ours:.1f}x faster" if theirs else ", lifetimes not available"
    )
    print(f"{label}: ours {ours:.3f} s (target {target:g} s){ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=18.0, help="synth scale of the large case (18 ~ 1M)")
    parser.add_argument("--lifetimes-python", help="an interpreter with lifetimes installed")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument(
        "--steps", action="store_true", help="time the notebook's ROR steps on the sample only"
    )
    args = parser.parse_args()

    orders = data.load_orders(ROOT / "data" / "sample")
    summary = ror.rfm_summary(orders)
    if args.steps:
        steps(orders, summary)
        return
    small = summary.iloc[:10_000]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report(
            f"{len(small):,} customers",
            fit_time(small),
            lifetimes_time(args.lifetimes_python, small, work),
            0.2,
        )
        report(f"sample, {len(summary):,} customers", fit_time(summary),
               lifetimes_time(args.lifetimes_python, summary, work), 1.0)  # fmt: skip
        if args.skip_large:
            return
        start = time.perf_counter()
        big = synth.generate(scale=args.scale).orders
        print(f"generated {len(big):,} orders at scale {args.scale:g} in {time.perf_counter() - start:.0f} s")
        big.to_parquet(work / "orders.parquet")
        del big
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(work / "orders.parquet"), str(work / "big.parquet")],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        child = json.loads(out.stdout.strip().splitlines()[-1])
        theirs = lifetimes_time(args.lifetimes_python, pd.read_parquet(work / "big.parquet"), work)
        report(f"{child['customers']:,} customers", child["fit_seconds"], theirs, 10.0)
        print(f"  summary of the orders {child['summary_seconds']:.1f} s; peak memory of the child "
              f"(orders, summary, fits) {child['peak_mb']:,.0f} MB (target 2,048 MB)")  # fmt: skip
    print(f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
