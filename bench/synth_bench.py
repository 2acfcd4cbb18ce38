"""Time to generate and write the sample at scale 20 (about a million mentions).

Target (foundation issue): under a minute on 2 cores. Prints the time per stage, the rows per
table, peak memory and the ratio against the 60 s target.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

from socialreturns import synth

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    args = parser.parse_args()

    start = time.perf_counter()
    sample = synth.generate(args.seed, scale=args.scale)
    generated = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        synth.write(sample, out)
    total = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6

    for name in synth.FORMATS:
        print(f"{name:12s} {len(getattr(sample, name)):>12,} rows")
    print(f"generate     {generated:8.1f} s")
    print(f"generate+write {total:6.1f} s   target {TARGET_SECONDS:.0f} s   "
          f"ratio {total / TARGET_SECONDS:.2f} of target")  # fmt: skip
    print(f"peak memory  {peak_gb:8.2f} GB")


if __name__ == "__main__":
    main()
