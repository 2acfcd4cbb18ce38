"""Routing throughput and the complaint route on a public corpus, in one run.

Targets (issue #17): `organisation.route` on a million mentions under 60 s on 2 cores, printed
beside `sentiment.score` on the same texts measured in the same run; the complaint route's F1 on
the labelled complaint corpus of Preotiuc-Pietro, Gaman & Aletras (2019, ACL, "Automatically
Identifying Complaints in Social Media"; published models reach F1 about 0.79 with in-domain
training, the aim here is 0.75 without it).

    .venv/bin/python bench/organisation_bench.py                      # speed: a million mentions
    .venv/bin/python bench/organisation_bench.py --complaints PATH    # also the public corpus

``PATH`` is the corpus's ``complaints-data.csv`` (tweet id, text, label with 1 = complaint,
domain; no header), from github.com/danielpreotiuc/complaints-social-media. Keep it outside the
repository: it holds real people's tweets. The routing rules were not tuned on it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns import organisation, sentiment, synth
from socialreturns.synth import routes as synth_routes

BRANDS = ["Lumora", "Brightwell", "Kestrel", "Novalux"]


def _time(label: str, call, *args, **kwargs):
    start = time.perf_counter()
    out = call(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.1f} s")
    return out, seconds


def speed(n: int) -> None:
    creators, claims = organisation.read_creators(), organisation.read_claims()
    print(f"sample mentions at scale {n / 50_000:.0f} (synth.generate):")
    start = time.perf_counter()
    mentions = synth.generate(scale=n / 50_000).mentions
    print(f"  {len(mentions):,} mentions, {mentions['text'].nunique():,} distinct texts, "
          f"generated in {time.perf_counter() - start:.0f} s")  # fmt: skip
    scores, t_score = _time("sentiment.score (1 process)", sentiment.score, mentions["text"], progress=False)
    episodes = sentiment.detect_spikes(mentions, brand="Lumora", scores=scores)
    kwargs = {"brands": BRANDS, "creators": creators, "claims": claims, "episodes": episodes}
    routed, t_route = _time("organisation.route", organisation.route, mentions, **kwargs)
    _, t_both = _time("organisation.route with scores", organisation.route, mentions, scores=scores, **kwargs)
    print(f"  routing is {t_score / t_route:.1f}x faster than scoring; "
          f"{routed['routes'].ne('').mean():.1%} of mentions go to at least one team")  # fmt: skip

    print(f"{n:,} labelled posts, every text distinct (the worst case: nothing repeats):")
    base = synth_routes.labelled_mentions(7, 100_000)
    tiled = pd.concat([base] * (n // len(base)), ignore_index=True)
    tiled["post_id"] = [f"d{i:07d}" for i in range(len(tiled))]
    tiled["text"] = tiled["text"] + " " + pd.Series(np.arange(len(tiled)).astype(str))
    _, t_distinct = _time("organisation.route", organisation.route, tiled, **kwargs)
    texts = tiled["text"].head(100_000)
    _, t_s = _time("sentiment.score on the first 100,000 of them", sentiment.score, texts, progress=False)
    print(f"  scoring all {len(tiled):,} would take about {t_s * len(tiled) / len(texts):.0f} s")


def complaints(path: Path) -> None:
    data = pd.read_csv(
        path, header=None, names=["tweet_id", "text", "label", "domain"], dtype={"tweet_id": str}
    )
    mentions = pd.DataFrame({"post_id": data["tweet_id"], "brand": "brand", "text": data["text"]})
    truth = data["label"].to_numpy() == 1
    print(f"complaint corpus {path.name}: {len(data):,} tweets, {truth.sum():,} complaints")
    # The corpus adds random tweets (domains random_tweet, random_reply) as negatives; a brand's
    # mentions are posts about the brand, so the brand-directed part is the routing's own genre.
    directed = ~data["domain"].str.startswith("random").to_numpy()
    scores = sentiment.score(mentions["text"], progress=False)
    for label, kwargs in (("rules", {}), ("rules + negative score", {"scores": scores})):
        predicted = organisation.route(mentions, brands=["brand"], **kwargs)["complaint"].to_numpy()
        for part, sel in (("all tweets", slice(None)), (f"brand-directed ({directed.sum():,})", directed)):
            print(f"  {label}, {part}: " + _figures(truth[sel], predicted[sel]))
        if not kwargs:
            for domain, rows in data.groupby("domain").indices.items():
                print(f"    {domain:<14} n={len(rows):4d}  " + _figures(truth[rows], predicted[rows]))


def _figures(truth: np.ndarray, predicted: np.ndarray) -> str:
    hits = (truth & predicted).sum()
    precision, recall = hits / max(predicted.sum(), 1), hits / max(truth.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=Path, help="the corpus's complaints-data.csv")
    parser.add_argument(
        "--mentions", type=int, default=1_000_000, help="mentions to route (default a million)"
    )
    parser.add_argument("--no-speed", action="store_true", help="only the complaint corpus")
    args = parser.parse_args()
    if args.complaints:
        complaints(args.complaints)
    if not args.no_speed:
        speed(args.mentions)


if __name__ == "__main__":
    main()
