"""Wall time of `make report`'s batch with 1 and 2 workers against the floor, in one run.

Floor (batch issue): the time to start a worker and kernel and run an empty notebook (HTML
included), times the number of runs, divided by the workers. The notebooks' own compute is each
run's time with 1 worker less that empty-run time. Target: the batch's wall time within 1.5x
of (floor + compute / workers).

Also: where each run's seconds went in the 2-worker batch (kernel ready, the cells, the rest:
worker, papermill, HTML; from the executed notebooks' papermill times), how long a wrong key in
a parameter file takes to stop the batch (target under 2 s), and the time to decide that an
unchanged batch has nothing to do.

    .venv/bin/python bench/batch_bench.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from socialreturns import batch

ROOT = Path(__file__).resolve().parents[1]


def empty_run_seconds(folder: Path, repeats: int = 3) -> float:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x: int = 1  # nothing")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("x")]
    nb.metadata["kernelspec"] = {
        "name": "socialreturns",
        "display_name": "socialreturns",
        "language": "python",
    }
    path = folder / "empty.ipynb"
    nbformat.write(nb, str(path))
    times = []
    for i in range(repeats):
        plan = batch.Batch("empty", "empty", (batch.make_run(path, name=f"empty{i}"),))
        result = batch.run_batch(plan, out=folder, as_of="2000-01-01", progress=False)
        assert result.ok, result.outcomes
        times.append(result.outcomes[0].seconds)
    return statistics.median(times)


def breakdown(folder: Path, seconds: dict[str, float]) -> list[str]:
    """Per run of a batch's output ``folder``: its seconds, split into kernel ready (papermill's
    start to the first cell: the kernel's start, or the wait for the batch's zygote), the cells,
    and the rest (worker, papermill, HTML); slowest first."""
    lines = []
    for name, total in sorted(seconds.items(), key=lambda kv: -kv[1]):
        nb = json.loads((folder / f"{name}.ipynb").read_text())
        times = [c["metadata"]["papermill"] for c in nb["cells"] if c["cell_type"] == "code"]
        start = dt.datetime.fromisoformat(nb["metadata"]["papermill"]["start_time"])
        first, last = (dt.datetime.fromisoformat(times[0]["start_time"]),
                       dt.datetime.fromisoformat(times[-1]["end_time"]))  # fmt: skip
        kernel, cells = (first - start).total_seconds(), (last - first).total_seconds()
        lines.append(f"    {name:24s} {total:6.1f} s: kernel ready {kernel:4.1f}, cells {cells:5.1f}, "
                     f"rest {total - kernel - cells:4.1f}")  # fmt: skip
    return lines


def main() -> None:
    report = batch.load_batch(ROOT / "params" / "batches" / "report.yaml")
    n = len(report.runs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        empty = empty_run_seconds(folder)
        walls, per_run = {}, {}
        for workers in (1, 2):
            start = time.perf_counter()
            result = batch.run_batch(report, out=folder / f"w{workers}", as_of="2000-01-01", workers=workers,
                                     force=True, progress=False)  # fmt: skip
            walls[workers] = time.perf_counter() - start
            assert result.ok, [(o.name, o.status, o.error) for o in result.outcomes]
            if workers == 1:
                per_run = {o.name: o.seconds for o in result.outcomes}
            else:
                where = breakdown(result.folder, {o.name: o.seconds for o in result.outcomes})
        start = time.perf_counter()
        again = batch.run_batch(report, out=folder / "w2", as_of="2000-01-01", workers=2, progress=False)
        t_skip = time.perf_counter() - start
        assert all(o.status == "skipped" for o in again.outcomes)

        bad = folder / "bad.yaml"
        bad.write_text("hurdle_rate: 0.2\n")
        plan = folder / "bad_batch.yaml"
        plan.write_text(f"runs:\n  - notebook: roi\n  - notebook: irr_forecast\n    params: {bad}\n")
        start = time.perf_counter()
        out = subprocess.run([str(Path(sys.executable).parent / "socialreturns"), "run", str(plan), "--out",
                              str(folder / "bad")], capture_output=True, text=True, cwd=ROOT)  # fmt: skip
        t_bad = time.perf_counter() - start
        assert out.returncode == 2, out.stderr

    compute = sum(max(t - empty, 0.0) for t in per_run.values())
    print(f"report batch: {n} runs; empty notebook run (worker + kernel + HTML): {empty:.1f} s")
    print("  own compute per run (1-worker time less the empty run):")
    for name, t in per_run.items():
        print(f"    {name:24s} {t:6.1f} s  ({max(t - empty, 0):5.1f} s compute)")
    for workers, wall in walls.items():
        floor = empty * n / workers
        ideal = floor + compute / workers
        print(f"  {workers} worker(s): wall {wall:6.1f} s; floor {floor:5.1f} s; floor + compute/{workers} "
              f"{ideal:6.1f} s; ratio {wall / ideal:.2f} (target <= 1.5)")  # fmt: skip
    print(f"  speed-up 1 -> 2 workers: {walls[1] / walls[2]:.2f}x")
    print("  where the 2-worker runs' seconds went:")
    print("\n".join(where))
    print(f"  (load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores)")
    print(f"  unchanged batch rerun (all skipped): {t_skip:.2f} s")
    print(f"  wrong key in a parameter file, `socialreturns run` to exit 2: {t_bad:.2f} s (target < 2 s)")
    print(f"    {out.stderr.strip()}")


if __name__ == "__main__":
    main()
