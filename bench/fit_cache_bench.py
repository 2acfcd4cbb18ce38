"""The shared ROI fit: a finance scenario rerun and `make report` with and without the fit cache.

Issue 14, point 7. Today's figures (the reference) are the same commands with the cache turned
off (``SOCIALRETURNS_CACHE=off``: every notebook fits its own model, as before the cache),
measured in this run. Targets: a scenario rerun with unchanged data in at most 3 s wall on 2
cores; `make report`'s batch in at most 40 s.

- rerun: `socialreturns run irr_forecast --params params/irr_forecast/base.yaml --force`, whole
  command (process start, upfront validation, kernel, notebook, HTML), the cache warm.
- rerun compute: the scenario's library calls in one warm process (what an analyst rerunning
  cells in JupyterLab waits for), cache warm.
- report: `socialreturns run report --force` with a cold cache (the batch fits once and shares it)
  and with a warm one (data unchanged since the last batch).

With ``--baseline REV`` the same two commands also run on the code of git revision REV (a
temporary worktree, its library first on PYTHONPATH, kernels included), e.g. the commit before
the issue's work, and the ratios are printed against it too.

    .venv/bin/python bench/fit_cache_bench.py [--baseline 55b7ad1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).parent / "socialreturns")]


def wall(command: list[str], cache: str, root: Path = ROOT) -> float:
    """Seconds of one run of ``command`` in ``root`` with ``SOCIALRETURNS_CACHE=cache`` (and the
    library of ``root`` first on the path)."""
    env = {**os.environ, "SOCIALRETURNS_CACHE": cache, "PYTHONPATH": str(root / "lib")}
    start = time.perf_counter()
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def baseline(revision: str, scenario: list[str], report: list[str], tmp: Path) -> tuple[float, float]:
    """Seconds of the scenario rerun and of the report batch on the code of ``revision``."""
    tree = tmp / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    try:
        return wall(scenario, "off", tree), wall(report, "off", tree)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True)


def rerun_compute(cache: str) -> float:
    """Seconds of the base scenario's library calls in this (warm) process."""
    os.environ["SOCIALRETURNS_CACHE"] = cache
    from socialreturns import data, forecast, irr_forecast, roi

    params = irr_forecast.Parameters()
    start = time.perf_counter()
    tables = data.load_tables(params.data_dir, tables=("spend", "orders"))
    fit = roi.shared_fit(tables.spend, roi.daily_revenue(tables.orders), margin_rate=params.margin_rate,
                         seed=params.seed, n_bootstrap=params.n_bootstrap)  # fmt: skip
    baseline = irr_forecast.baseline_revenue(fit)
    forecast.compare_backtests(baseline, horizon_months=3, folds=4)
    outlook = forecast.forecast(forecast.fit_forecast(baseline, method=params.forecast_method),
                                params.horizon_months)  # fmt: skip
    demand = irr_forecast.demand_index(outlook)
    irr_forecast.simulate(fit, params.spend_plan, demand, setup_cost=params.setup_cost,
                          margin_rate=params.margin_rate, cost_of_capital_monthly=params.cost_of_capital_monthly,
                          hurdle_rate_annual=params.hurdle_rate_annual, n_sims=params.n_sims, seed=params.seed)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="git revision to time the same commands on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "reports", str(Path(tmp) / "fits")
        scenario = [*CLI, "run", "irr_forecast", "--params", "params/irr_forecast/base.yaml", "--force",
                    "--out", str(out)]  # fmt: skip
        report = [*CLI, "run", "report", "--force", "--out", str(out)]
        today_rerun = wall(scenario, "off")
        wall(scenario, cache)  # fills the cache
        cached_rerun = min(wall(scenario, cache) for _ in range(2))
        rerun_compute(cache)  # imports, first touches
        compute = min(rerun_compute(cache) for _ in range(3))
        print(f"scenario rerun (CLI): {today_rerun:.1f} s without the cache, {cached_rerun:.1f} s with it "
              f"({cached_rerun / today_rerun:.2f}x; target <= 3 s)")  # fmt: skip
        print(f"scenario rerun (library calls in a warm process): {compute:.2f} s (target <= 3 s)")
        today_report = wall(report, "off")
        cache = str(Path(tmp) / "fits-cold")
        cold_report = wall(report, cache)
        warm_report = wall(report, cache)
        print(f"make report batch: {today_report:.1f} s without the cache, {cold_report:.1f} s with a cold "
              f"cache ({cold_report / today_report:.2f}x), {warm_report:.1f} s warm "
              f"({warm_report / today_report:.2f}x); target <= 40 s")  # fmt: skip
        if args.baseline:
            old_rerun, old_report = baseline(args.baseline, scenario, report, Path(tmp))
            print(f"against {args.baseline}: scenario rerun {old_rerun:.1f} s -> {cached_rerun:.1f} s "
                  f"({cached_rerun / old_rerun:.2f}x); make report batch {old_report:.1f} s -> {cold_report:.1f} s "
                  f"cold ({cold_report / old_report:.2f}x), {warm_report:.1f} s warm "
                  f"({warm_report / old_report:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
