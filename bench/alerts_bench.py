"""The hourly alerts batch on the sample: is it cheap enough to run every hour?

In one run: the whole command (`socialreturns run alerts`, a fresh process: Python, imports,
validation, the alerts, the manifest), best of 3; then, in this process and warm, `run_alerts`
on the sample (best of 3) beside the two costs it avoids by reading windows only: routing every
sample mention (`organisation.route`) and scoring every sample text (`sentiment.score`). Target:
the command well under a minute (it runs hourly), the alerts a fraction of a full routing.

    .venv/bin/python bench/alerts_bench.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best(f, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from socialreturns import batch, data, organisation, sentiment
    from socialreturns.organisation.alerts import run_alerts

    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "socialreturns.cli", "run", "alerts", "--out", tmp]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
        cli = best(lambda: subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True))
        config = batch.load_batch(ROOT / "params" / "batches" / "alerts.yaml").alerts
        warm = best(lambda: run_alerts(config, Path(tmp)))
    mentions = data.load_mentions(ROOT / "data" / "sample")
    brands = ["Lumora", *sorted(set(mentions["brand"]) - {"Lumora"})]
    routing = best(
        lambda: organisation.route(mentions, brands=brands, creators=organisation.read_creators()), 1
    )
    scoring = best(lambda: sentiment.score(mentions["text"]), 1)
    print(f"sample: {len(mentions):,} mentions")
    print(f"socialreturns run alerts (whole command, best of 3): {cli:6.2f} s")
    print(f"run_alerts, warm (best of 3):                       {warm:6.2f} s")
    print(
        f"route every sample mention:                          {routing:6.2f} s  ({warm / routing:.2f}x of it)"
    )
    print(
        f"score every sample text:                             {scoring:6.2f} s  ({warm / scoring:.2f}x of it)"
    )


if __name__ == "__main__":
    main()
