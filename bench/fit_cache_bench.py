"""A finance scenario rerun and `make report`, against a reference measured in the same run.

Issue 14, point 7. Targets: a scenario rerun with unchanged data in at most 3 s wall on 2 cores;
`make report`'s batch in at most 40 s. The machine may be shared, so every figure is printed
beside a reference measured in this run, and the commands alternate with their reference.

- rerun: `socialreturns run irr_forecast --params params/irr_forecast/downside.yaml --force`
  (``--params``), the whole command (process start, upfront validation, worker, kernel, cells,
  HTML), the fit cache warm; best of ``--repeats``. Its phases are read from the executed
  notebook (papermill's times): kernel ready (start to the first cell), cells, and the rest (CLI,
  worker, HTML).
- changed: the same rerun with one parameter changed on the command line (``--changed``, by
  default ``-p margin_rate 0.35``), as finance reruns a scenario with its own figures: every
  cache of the data stays valid, the scenario's own computations run again.
- floor: the same notebook's cells run again in a kernel that already ran them once (every import
  done, every cache warm), plus the HTML export in a warm process. No per-run process could beat
  that: it is the notebook's own compute and its page.
- report: `socialreturns run report --force`, with a cold cache and with a warm one (every cache:
  the fit, the parsed tables, the backtests and outlook), and each run's seconds from the warm
  batch's manifest, slowest first: which notebooks dominate.
- the slowest cells of the rerun (papermill's per-cell durations), for this code and the baseline.
- the load averages, at the start and after each part: the targets are for 2 idle cores.
- without the cache: the same commands with ``SOCIALRETURNS_CACHE=off`` (every notebook fits its
  own model, as before the shared fit).

With ``--baseline REV`` the same commands also run on the code of git revision REV (a temporary
worktree, its library first on PYTHONPATH, kernels included), e.g. the commit before this work,
and the ratios are printed against it.

    .venv/bin/python bench/fit_cache_bench.py [--baseline 0eaa287] [--repeats 3] [--no-report]
        [--params params/irr_forecast/downside.yaml] [--changed margin_rate=0.35]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).parent / "socialreturns")]
#: The scenario rerun: ``--params`` sets its file (`scenario`).
PARAMS = "params/irr_forecast/downside.yaml"


def scenario(params: str, changed: str = "") -> list[str]:
    """The rerun's command line: the notebook with the parameter file ``params``, and with
    ``changed`` (``KEY=VALUE``) one parameter changed on the command line."""
    extra = ["-p", *changed.split("=", 1)] if changed else []
    return ["run", "irr_forecast", "--params", params, *extra, "--force", "--as-of", "2026-12-01"]


REPORT = ["run", "report", "--force", "--as-of", "2026-12-01"]


def wall(args: list[str], cache: str, root: Path, out: Path) -> float:
    """Seconds of one ``socialreturns`` command in ``root`` (its library first on the path) with
    ``SOCIALRETURNS_CACHE=cache``, writing under ``out``."""
    env = {**os.environ, "SOCIALRETURNS_CACHE": cache, "PYTHONPATH": str(root / "lib")}
    start = time.perf_counter()
    subprocess.run([*CLI, *args, "--out", str(out)], cwd=root, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def executed(out: Path, params: str) -> Path:
    """The executed notebook of the rerun with ``params`` under ``out``."""
    return out / "irr_forecast" / "2026-12-01" / f"irr_forecast-{Path(params).stem}.ipynb"


def phases(path: Path, seconds: float) -> str:
    """Where a scenario rerun's ``seconds`` went, from the executed notebook papermill wrote."""
    nb = json.loads(path.read_text())
    times = [c["metadata"]["papermill"] for c in nb["cells"] if c["cell_type"] == "code"]
    start = dt.datetime.fromisoformat(nb["metadata"]["papermill"]["start_time"])
    first, last = (
        dt.datetime.fromisoformat(times[0]["start_time"]),
        dt.datetime.fromisoformat(times[-1]["end_time"]),
    )
    kernel, cells = (first - start).total_seconds(), (last - first).total_seconds()
    return f"kernel ready {kernel:.1f} s, cells {cells:.1f} s, rest (CLI, worker, HTML) {seconds - kernel - cells:.1f} s"


def slowest_cells(executed: Path, n: int = 5) -> str:
    """The ``n`` slowest code cells of an executed notebook (papermill's durations), each with
    its first line: where a rerun's compute goes."""
    nb = json.loads(executed.read_text())
    cells = [(c["metadata"]["papermill"].get("duration") or 0.0, "".join(c["source"]).strip().splitlines()[0][:48])
             for c in nb["cells"] if c["cell_type"] == "code"]  # fmt: skip
    total = sum(d for d, _ in cells)
    top = ", ".join(f"{d:.2f} s `{line}`" for d, line in sorted(cells, reverse=True)[:n])
    return f"cells {total:.1f} s in all; slowest: {top}"


def run_seconds(out: Path) -> dict[str, float]:
    """Each run's seconds in a report batch's manifest (the worker's time: kernel, cells, HTML)."""
    manifest = json.loads((out / "report" / "2026-12-01" / "manifest.json").read_text())
    return {name: float(entry.get("seconds") or 0.0) for name, entry in manifest["runs"].items()}


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes) and its cores, for the record."""
    return f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores"


def kernel_starts(out: Path) -> tuple[float, float]:
    """Summed over a report batch's runs: seconds from papermill's start to the first cell (the
    kernel's start and imports: what kernels kept warm across runs could save at best), and
    seconds of the cells."""
    kernel = cells = 0.0
    for path in (out / "report" / "2026-12-01").glob("*.ipynb"):
        nb = json.loads(path.read_text())
        times = [c["metadata"]["papermill"] for c in nb["cells"] if c["cell_type"] == "code"]
        start = dt.datetime.fromisoformat(nb["metadata"]["papermill"]["start_time"])
        first = dt.datetime.fromisoformat(times[0]["start_time"])
        kernel += (first - start).total_seconds()
        cells += (dt.datetime.fromisoformat(times[-1]["end_time"]) - first).total_seconds()
    return kernel, cells


def floor(cache: str, executed: Path, params: str) -> tuple[float, float]:
    """Seconds of the scenario notebook's cells in a warm kernel (the best of rounds 2 and 3) and
    of its HTML export in a warm process: what a rerun costs with nothing left to start."""
    import yaml
    from jupyter_client.manager import start_new_kernel

    from socialreturns import notebook

    source = json.loads((ROOT / "notebooks" / "irr_forecast.ipynb").read_text())
    codes = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
    values = yaml.safe_load((ROOT / params).read_text()) or {}
    codes.insert(1, "\n".join(f"{k} = {v!r}" for k, v in values.items()))  # as papermill injects them
    env = {**os.environ, "SOCIALRETURNS_CACHE": cache, "PYTHONPATH": str(ROOT / "lib")}
    km, kc = start_new_kernel(kernel_name=notebook.KERNEL_NAME, cwd=str(ROOT), env=env)
    try:
        rounds = []
        for _ in range(3):
            start = time.perf_counter()
            for code in codes:
                reply = kc.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
                assert reply["content"]["status"] == "ok", reply["content"]
            rounds.append(time.perf_counter() - start)
        cells = min(rounds[1:])  # the first round imports and warms the caches
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return cells, html_seconds(executed)


def html_seconds(executed: Path) -> float:
    """The HTML export of an executed notebook in a warm process (the second of two)."""
    import nbformat

    from socialreturns import notebook

    nb = nbformat.read(str(executed), as_version=4)
    for _ in range(2):
        start = time.perf_counter()
        notebook._html(nb, hide_code=False, name=executed.stem)
        seconds = time.perf_counter() - start
    return seconds


#: What differs between two runs of the same notebook whatever the code: times, dates, the
#: random ids of pandas' styled tables and of papermill's injected cell, the run's seconds.
_VOLATILE = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[\d.:+]*"), "TIME"),
    (re.compile(r"T_[0-9a-f]{5}"), "T_id"),
    (re.compile(r"cell-id=[0-9a-f-]{8,}"), "cell-id"),
    (re.compile(r"commit [0-9a-f]{7,40}"), "commit"),  # the summary names the code's commit
)


def _normalised(page: str) -> str:
    for pattern, replacement in _VOLATILE:
        page = pattern.sub(replacement, page)
    return page


def same_pages(this: Path, base: Path, *, outs: tuple[Path, Path] | None = None) -> str:
    """How many of the HTML pages (business and code views; not the index, which shows times
    and the commit) in folder ``this`` equal those in ``base``, volatile parts aside; ``outs``,
    the two reports folders, are named alike (the manifest's path is a parameter of the runs that
    read it, shown in the code view and the summary)."""

    def page(folder: Path, name: str) -> str:
        text = (folder / name).read_text()
        for out in sorted(
            outs or (), key=lambda p: -len(str(p))
        ):  # the longer first: one may start the other
            text = text.replace(str(out), "OUT")
        return _normalised(text)

    names = sorted(p.name for p in this.glob("*.html") if p.name != "index.html")
    differ = [n for n in names if not (base / n).is_file() or page(this, n) != page(base, n)]
    listed = f" (differ: {', '.join(differ)})" if differ else ""
    return f"{len(names) - len(differ)} of {len(names)} pages the same as the baseline's{listed}"


def ratio(new: float, old: float) -> str:
    return f"{old:.1f} s -> {new:.1f} s ({new / old:.2f}x)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="git revision to time the same commands on")
    parser.add_argument("--repeats", type=int, default=3, help="scenario reruns per code (best is shown)")
    parser.add_argument("--no-report", action="store_true", help="time the scenario rerun only")
    parser.add_argument("--params", default=PARAMS, help=f"the scenario's parameter file (default {PARAMS})")
    parser.add_argument("--changed", default="margin_rate=0.35",
                        help="KEY=VALUE: also time the rerun with this parameter changed ('' for none)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trees = {"this": ROOT}
        if args.baseline:
            trees["base"] = tmp / "baseline"
            subprocess.run(["git", "worktree", "add", "--detach", str(trees["base"]), args.baseline], cwd=ROOT,
                           check=True, capture_output=True)  # fmt: skip
        try:
            run(args, trees, tmp)
        finally:
            if "base" in trees:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(trees["base"])], cwd=ROOT, check=True
                )


def run(args: argparse.Namespace, trees: dict[str, Path], tmp: Path) -> None:
    caches = {name: str(tmp / f"fits-{name}") for name in trees}
    outs = {name: tmp / f"reports-{name}" for name in trees}
    rerun = scenario(args.params)
    for name, root in trees.items():
        wall(rerun, caches[name], root, outs[name])  # fills the fit cache, first touches
    print(f"({load()})")
    reruns: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.repeats):  # alternating, so both see the same load
        for name, root in trees.items():
            reruns[name].append(wall(rerun, caches[name], root, outs[name]))
    best = {name: min(times) for name, times in reruns.items()}
    page = tmp / "executed.ipynb"
    page.write_bytes(executed(outs["this"], args.params).read_bytes())
    where = {name: phases(executed(outs[name], args.params), reruns[name][-1]) for name in trees}
    scenario_pages = {name: tmp / f"pages-{name}" for name in trees}  # before the runs below replace them
    for name in trees:
        folder = outs[name] / "irr_forecast" / "2026-12-01"
        scenario_pages[name].mkdir()
        for html in folder.glob(f"irr_forecast-{Path(args.params).stem}*.html"):
            (scenario_pages[name] / html.name).write_bytes(html.read_bytes())
    changed: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.repeats if args.changed else 0):
        for name, root in trees.items():
            changed[name].append(wall(scenario(args.params, args.changed), caches[name], root, outs[name]))
    uncached = wall(rerun, "off", ROOT, outs["this"])
    print(f"scenario rerun {args.params} (CLI, fit cache warm): {best['this']:.1f} s, best of {args.repeats} "
          f"({', '.join(f'{t:.1f}' for t in reruns['this'])}); {where['this']}")  # fmt: skip
    print(f"  without the fit cache: {ratio(best['this'], uncached)}")
    if "base" in trees:
        print(
            f"  against {args.baseline}: {ratio(best['this'], best['base'])}; {args.baseline}'s {where['base']}"
        )
        print(f"  {same_pages(scenario_pages['this'], scenario_pages['base'])}")
    if args.changed:
        print(f"  with {args.changed} (-p): {min(changed['this']):.1f} s, best of {args.repeats} "
              f"({', '.join(f'{t:.1f}' for t in changed['this'])})"
              + (f"; against {args.baseline}: {ratio(min(changed['this']), min(changed['base']))}"
                 if "base" in trees else ""))  # fmt: skip
    print(f"  this code's {slowest_cells(page)}")
    if "base" in trees:
        print(f"  {args.baseline}'s {slowest_cells(executed(outs['base'], args.params))}")
    cells, html = floor(caches["this"], page, args.params)
    print(f"  floor: the cells in a warm kernel {cells:.1f} s + the HTML in a warm process {html:.1f} s = "
          f"{cells + html:.1f} s (target <= 3 s)")  # fmt: skip
    print(f"  ({load()})")
    if args.no_report:
        return
    reports: dict[str, list[float]] = {name: [] for name in trees}
    for _ in ("cold", "warm"):  # alternating; the second run of each finds its fits cached
        for name, root in trees.items():
            reports[name].append(wall(REPORT, str(tmp / f"fits-report-{name}"), root, outs[name]))
    kernel, cells = kernel_starts(outs["this"])
    runs = {name: run_seconds(outs[name]) for name in trees}  # the warm batches' runs
    uncached = wall(REPORT, "off", ROOT, outs["this"])
    cold, warm = reports["this"]
    print(f"make report batch: {cold:.1f} s with a cold fit cache, {warm:.1f} s warm (target <= 40 s)")
    print(f"  its runs (warm): kernels ready after {kernel:.1f} s in all, cells {cells:.1f} s in all")
    print(f"  without the fit cache: cold {ratio(cold, uncached)}, warm {ratio(warm, uncached)}")
    if "base" in trees:
        old_cold, old_warm = reports["base"]
        print(f"  against {args.baseline}: cold {ratio(cold, old_cold)}, warm {ratio(warm, old_warm)}")
        folder = Path("report") / "2026-12-01"
        print(
            f"  {same_pages(outs['this'] / folder, outs['base'] / folder, outs=(outs['this'], outs['base']))}"
        )
    print("  each run of the warm batch (worker seconds), slowest first:")
    for name, seconds in sorted(runs["this"].items(), key=lambda item: -item[1]):
        old = runs.get("base", {}).get(name)
        print(f"    {name:26s} {ratio(seconds, old) if old else f'{seconds:.1f} s'}")
    print(f"  ({load()})")


if __name__ == "__main__":
    main()
