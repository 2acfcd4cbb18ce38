"""Sentiment scoring throughput against vaderSentiment's own polarity_scores loop, in one run.

Targets (sentiment issue): per process at least as fast as vaderSentiment on the same unique
texts, at least 1.8x with 2 processes, the same compound scores where the rules are upstream's
(the largest difference is printed with emoji scored as upstream does, and with the default
Emoji Sentiment Ranking, a deliberate difference); a 100,000-character text well under a second; a million mentions (`synth --scale 20`)
scored end to end with peak memory under 4 GB (`--million`).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from socialreturns import sentiment, synth

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--million", action="store_true", help="also score synth --scale 20 end to end")
    args = parser.parse_args()

    texts = pd.read_parquet(ROOT / "data" / "sample" / "mentions.parquet")["text"].dropna().drop_duplicates()
    texts = texts.tolist()
    upstream = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    theirs = np.array([upstream.polarity_scores(t)["compound"] for t in texts])
    t_theirs = time.perf_counter() - start
    sentiment.score(texts[:100])  # warm-up: lexicon loading is not per text
    start = time.perf_counter()
    ours = sentiment.score(texts, progress=False)
    t_one = time.perf_counter() - start
    start = time.perf_counter()
    sentiment.score(texts, n_jobs=2, progress=False)
    t_two = time.perf_counter() - start
    as_upstream = sentiment.score(texts, emoji="descriptions", progress=False)
    diff = np.max(np.abs(as_upstream["compound"].to_numpy() - theirs))
    changed = np.abs(ours["compound"].to_numpy() - theirs) > 1e-12
    n = len(texts)
    print(f"{n:,} unique sample texts (language flags included in ours)")
    print(f"  vaderSentiment loop: {t_theirs:.2f} s ({n / t_theirs:,.0f} texts/s)")
    print(
        f"  ours, 1 process:     {t_one:.2f} s ({n / t_one:,.0f} texts/s): {t_theirs / t_one:.2f}x (target >= 1)"
    )
    print(
        f"  ours, 2 processes:   {t_two:.2f} s ({n / t_two:,.0f} texts/s): {t_theirs / t_two:.2f}x (target >= 1.8)"
    )
    print(f"  largest |compound difference| against vaderSentiment, emoji as upstream: {diff:.2g}")
    print(f"  texts whose compound differs with ranked emoji (the default): {changed.mean():.1%}")

    review = (
        "The lamp arrived quickly and looks great. Setup was confusing and support never answered! "
    ) * 1200
    review = review[:100_000]
    start = time.perf_counter()
    sentiment.score([review])
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    upstream.polarity_scores(review[:20_000])
    t_up = time.perf_counter() - start
    print(f"100,000-character text: ours {t_ours:.3f} s; vaderSentiment on the first 20,000 characters "
          f"{t_up:.2f} s (quadratic: about {t_up * 25:.0f} s for all of it)")  # fmt: skip

    if args.million:
        start = time.perf_counter()
        mentions = synth.generate(scale=20).mentions
        t_gen = time.perf_counter() - start
        start = time.perf_counter()
        scored = sentiment.score(mentions["text"], n_jobs=2)
        t_score = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{len(mentions):,} mentions ({mentions['text'].nunique():,} unique) generated in {t_gen:.0f} s, "
              f"scored with 2 processes in {t_score:.0f} s ({len(mentions) / t_score:,.0f} mentions/s); "
              f"peak memory {peak:,.0f} MB (target 4,096 MB); {(~scored['english']).mean():.1%} flagged non-English")  # fmt: skip


if __name__ == "__main__":
    main()
