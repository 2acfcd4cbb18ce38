"""The domain classifier's speed against the lexicon scorer, measured in the same run.

Targets (issue 15, point 8): training on 2,000 labels under 10 s; scoring with the classifier
(lexicon scores, which are its features, plus the model) at least 5,000 texts/s per process;
with ``--million``, a million mentions (`synth --scale 20`) scored end to end (lexicon with 2
processes, then the model) in under 3 minutes with peak memory under 4 GB.

Brand names are masked as the notebooks mask them (`sentiment.mask`).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns import sentiment, synth

ROOT = Path(__file__).resolve().parents[1]


def _mask(texts: pd.Series, brands: pd.Series) -> pd.Series:
    """The notebooks' brand masking (`sentiment.mask`): every brand's name, @handle and #hashtag."""
    return sentiment.mask(texts.fillna(""), sentiment.aliases(brands.dropna().unique()))


def _write_million(folder: str) -> None:
    synth.generate(scale=20).mentions.to_parquet(Path(folder) / "mentions.parquet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--million", action="store_true", help="also score synth --scale 20 end to end")
    parser.add_argument("--labels", type=int, default=2000, help="labelled mentions to train on")
    args = parser.parse_args()

    mentions = pd.read_parquet(ROOT / "data" / "sample" / "mentions.parquet").dropna(subset=["text"])
    truth = synth.load_truth(ROOT / "data" / "sample").sentiment_labels()
    texts = _mask(mentions["text"], mentions["brand"]).reset_index(drop=True)
    y = truth.reindex(mentions["post_id"]).to_numpy()
    rng = np.random.default_rng(0)
    picked = rng.choice(len(texts), size=args.labels, replace=False)
    scores = sentiment.score(texts.iloc[picked])
    start, cpu = time.perf_counter(), time.process_time()
    model = sentiment.train(texts.iloc[picked], y[picked], scores)
    t_train, c_train = time.perf_counter() - start, time.process_time() - cpu
    print(f"training on {args.labels:,} labels (5-fold cross-validation and the final fit): {t_train:.1f} s "
          f"(target < 10 s); {c_train:.1f} s of CPU")  # fmt: skip
    print(model.comparison().round(3).to_string())

    rest = np.setdiff1d(np.arange(len(texts)), picked)  # the mentions not trained on, each text once
    held_out = pd.DataFrame({"text": texts.iloc[rest].to_numpy(), "truth": y[rest]}).drop_duplicates("text")
    unique = held_out["text"].reset_index(drop=True)
    sentiment.score(unique.iloc[:100])  # warm-up: lexicon loading is not per text
    start, cpu = time.perf_counter(), time.process_time()
    lexicon = sentiment.score(unique, progress=False)
    t_lexicon, c_lexicon = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    classes = model.predict(unique, lexicon)
    t_model, c_model = time.perf_counter() - start, time.process_time() - cpu
    n = len(unique)
    print(f"{n:,} unique sample texts, 1 process:")
    print(f"  lexicon scorer:              {t_lexicon:6.2f} s ({n / t_lexicon:8,.0f} texts/s)")
    print(f"  model on the lexicon scores: {t_model:6.2f} s ({n / t_model:8,.0f} texts/s)")
    both = t_lexicon + t_model
    print(f"  lexicon + model (scoring with the classifier): {n / both:,.0f} texts/s (target >= 5,000); "
          f"{both / t_lexicon:.2f}x the lexicon's time")  # fmt: skip
    # CPU time: what a process gets on an idle core, when other work shares the machine
    print(f"  per CPU-second: lexicon {n / c_lexicon:,.0f}, model {n / c_model:,.0f}, "
          f"lexicon + model {n / (c_lexicon + c_model):,.0f} texts")  # fmt: skip
    held = held_out["truth"].to_numpy()
    print(f"  held-out accuracy on them: model {(classes.to_numpy() == held).mean():.1%}, "
          f"lexicon {(lexicon['label'].to_numpy() == held).mean():.1%}")  # fmt: skip

    if args.million:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder, ProcessPoolExecutor(max_workers=1) as pool:
            # generated in a child process, so this process's peak memory is the scoring's alone
            # (the generator's is synth_bench's to measure)
            pool.submit(_write_million, folder).result()
            big = pd.read_parquet(Path(folder) / "mentions.parquet", columns=["brand", "text"])
        t_gen = time.perf_counter() - start
        start = time.perf_counter()
        masked = _mask(big["text"], big["brand"])
        scored = sentiment.score(masked, n_jobs=2)
        t_lex = time.perf_counter() - start
        chosen = sentiment.choose(model, masked, scored, n_jobs=2)
        t_all = time.perf_counter() - start
        shares = sentiment.corrected_shares(pd.DataFrame({"brand": big["brand"], "label": chosen.labels}),
                                            chosen.validation.matrix, n_bootstrap=500)  # fmt: skip
        t_end = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{len(big):,} mentions ({masked.nunique():,} unique texts) generated and read in {t_gen:.0f} s; "
              f"masked and lexicon-scored with 2 processes in {t_lex:.0f} s, then classed by the model (2 processes): "
              f"{t_all:.0f} s, corrected shares per brand with 500 bootstrap replicates: {t_end:.0f} s "
              f"end to end (target < 180 s); peak memory of the scoring process {peak:,.0f} MB (target 4,096 MB)")  # fmt: skip
        print(
            shares[["brand", "mentions", "net", "net_lower", "net_upper", "observed_net"]]
            .round(3)
            .to_string()
        )


if __name__ == "__main__":
    main()
