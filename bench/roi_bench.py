"""ROI timings: the incremental fit with intervals, and Markov attribution at scale.

Targets (ROI issue): the full incremental fit with intervals under 30 s on the sample on two
cores; Markov attribution on a million touchpoints under 10 s. The Markov reference is a naive
Python loop over paths that counts transitions in dictionaries, run on the same journeys.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np
import pandas as pd

from socialreturns import data, roi, synth
from socialreturns.data import project_root


def _daily_revenue(orders: pd.DataFrame) -> pd.DataFrame:
    return (
        orders.assign(date=orders["timestamp"].dt.normalize())
        .groupby("date", as_index=False)["revenue"]
        .sum()
    )


def naive_markov(journeys: pd.DataFrame) -> pd.Series:
    """Removal effects by a Python loop over paths (the reference; same maths)."""
    counts: Counter = Counter()
    for _, path in journeys.groupby("journey_id", sort=False):
        states = ["(start)", *path["channel"].tolist()]
        states.append("(conversion)" if path["converted"].iloc[0] else "(null)")
        counts.update(zip(states[:-1], states[1:], strict=True))
    channels = sorted({s for pair in counts for s in pair} - {"(start)", "(conversion)", "(null)"})
    index = {s: i for i, s in enumerate([*channels, "(start)", "(conversion)", "(null)"])}
    m = np.zeros((len(index), len(index)))
    for (a, b), n in counts.items():
        m[index[a], index[b]] = n
    k = len(channels)
    transient = list(range(k + 1))
    probs = m[transient] / m[transient].sum(axis=1, keepdims=True)

    def p_conv(removed: int | None) -> float:
        q, r = probs[:, transient].copy(), probs[:, k + 1].copy()
        if removed is not None:
            q[:, removed] = 0.0
            q[removed, :] = 0.0
            r[removed] = 0.0
        return float(np.linalg.solve(np.eye(k + 1) - q, r)[-1])

    base = p_conv(None)
    return pd.Series([1 - p_conv(i) / base for i in range(k)], index=channels)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--touchpoints", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--skip-scale", action="store_true", help="skip the scale-20 fit")
    args = parser.parse_args()

    sample = project_root() / "data" / "sample"
    spend, orders = data.load_spend(sample), data.load_orders(sample)
    _, seconds = timed(roi.fit_incremental, spend, _daily_revenue(orders), n_bootstrap=args.bootstrap)
    print(f"incremental fit, sample, {args.bootstrap} bootstrap replicates: {seconds:6.1f} s"
          f"   (target 30 s: {seconds / 30:.2f} of target)")  # fmt: skip

    big = synth.generate(synth.DEFAULT_SEED, scale=20)
    if not args.skip_scale:
        _, seconds = timed(
            roi.fit_incremental, big.spend, _daily_revenue(big.orders), n_bootstrap=args.bootstrap
        )
        print(f"incremental fit, scale 20, {args.bootstrap} replicates:       {seconds:6.1f} s")

    touch = big.touchpoints.iloc[: args.touchpoints]
    journeys, t_journeys = timed(roi.build_journeys, touch, big.orders)
    fast, t_fast = timed(roi.markov_removal_effects, journeys)
    _, t_attr = timed(roi.attribute, touch, big.orders, model="markov")
    slow, t_slow = timed(naive_markov, journeys)
    diff = float((fast - slow.reindex(fast.index)).abs().max())
    print(f"markov on {len(touch):,} touchpoints ({journeys['journey_id'].nunique():,} paths):")
    print(f"  journeys {t_journeys:.2f} s, removal effects {t_fast:.2f} s, "
          f"attribute() end to end {t_attr:.2f} s (target 10 s)")  # fmt: skip
    print(f"  naive Python loop over paths {t_slow:.2f} s; ratio {t_slow / t_fast:.0f}x "
          f"faster; max abs difference in removal effects {diff:.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
