"""The lexicon against the domain model on real, human-labelled tweets to competing brands.

Reads the public Twitter US Airline Sentiment corpus (14,640 tweets to six airlines, February
2015, each labelled positive, neutral or negative by people; the ``Tweets.csv`` of its public
copies, columns ``airline_sentiment``, ``airline`` and ``text``). It is real personal data: keep it
outside the repository and pass its path.

Masks the airlines' handles, names and hashtags, trains the domain model on ``--train`` labelled
tweets drawn at random, and prints, on the other tweets: the accuracy of the lexicon and the
model; per airline, net sentiment (share positive − share negative) as people labelled it, as the
lexicon reads it, as the model reads it raw and corrected for its cross-validated confusion
(`sentiment.corrected_shares`, with the 90% interval); and the mean absolute error of each
against people's. Issue 15's reference: 76% accuracy and per-brand net within 0.10 on average.

    .venv/bin/python bench/sentiment_real_bench.py --corpus /path/to/Tweets.csv
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
import pandas as pd

from socialreturns import sentiment

# the airlines' names as written in the corpus's tweets, besides their @handles
NAMES = ("virgin america", "virginamerica", "united", "southwest", "southwestair", "delta", "jetblue",
         "us airways", "usairways", "american airlines", "americanair", "american")  # fmt: skip
MASK = re.compile(r"(?<![\w@])[@#]\w+|\b(?:" + "|".join(n.replace(" ", r"\s+") for n in NAMES) + r")\b", re.I)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", required=True, help="path of Tweets.csv")
    parser.add_argument("--train", type=int, default=500, help="labelled tweets to train on (default 500)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    corpus = pd.read_csv(args.corpus, usecols=["airline_sentiment", "airline", "text"], dtype=str)
    corpus = corpus.dropna().reset_index(drop=True)
    texts = corpus["text"].str.replace(MASK, "BRAND", regex=True)
    start = time.perf_counter()
    scores = sentiment.score(texts, n_jobs=2)
    t_score = time.perf_counter() - start
    rng = np.random.default_rng(args.seed)
    train = np.zeros(len(corpus), dtype=bool)
    train[rng.choice(len(corpus), size=args.train, replace=False)] = True
    people = corpus["airline_sentiment"].to_numpy()
    start = time.perf_counter()
    model = sentiment.train(texts[train], people[train], scores[train], seed=args.seed)
    t_train = time.perf_counter() - start
    rest = ~train
    chosen = sentiment.choose(model, texts[rest], scores[rest])
    predicted = model.predict(texts[rest], scores[rest]).to_numpy()
    print(f"{len(corpus):,} tweets, {corpus['airline'].nunique()} airlines; lexicon-scored in {t_score:.1f} s; "
          f"model trained on {args.train} in {t_train:.1f} s, measured on the other {rest.sum():,}")  # fmt: skip
    print(model.comparison().round(3).to_string())
    print(f"accuracy on the {rest.sum():,} held-out tweets: lexicon {(scores['label'][rest] == people[rest]).mean():.1%}, "
          f"model {(predicted == people[rest]).mean():.1%} (reference 76%); the report would use the {chosen.scorer}")  # fmt: skip

    airline = corpus.loc[rest, "airline"].to_numpy()
    frames = {
        "people": people[rest],
        "lexicon": scores.loc[rest, "label"].to_numpy(),
        "model_raw": predicted,
    }
    table = pd.DataFrame({name: _net(airline, labels) for name, labels in frames.items()})
    corrected = sentiment.corrected_shares(pd.DataFrame({"brand": airline, "label": predicted}),
                                           model.validation.matrix, n_bootstrap=1000, seed=args.seed)  # fmt: skip
    corrected = corrected.set_index("brand")
    table["model_corrected"] = corrected["net"]
    table["corrected_lower"], table["corrected_upper"] = corrected["net_lower"], corrected["net_upper"]
    table["covered"] = (table["corrected_lower"] <= table["people"]) & (
        table["people"] <= table["corrected_upper"]
    )
    print("\nnet sentiment per airline (share positive - share negative) on the held-out tweets:")
    print(table.round(3).to_string())
    errors = {c: (table[c] - table["people"]).abs() for c in ("lexicon", "model_raw", "model_corrected")}
    print("mean absolute error against people's net: " + ", ".join(f"{c} {e.mean():.3f}" for c, e in errors.items())
          + " (reference: within 0.10)")  # fmt: skip
    wrong_sign = (np.sign(table["lexicon"]) != np.sign(table["people"])).sum()
    print(f"airlines whose net the lexicon gives the wrong sign: {wrong_sign} of {len(table)}; "
          f"90% intervals covering people's net: {int(table['covered'].sum())} of {len(table)}")  # fmt: skip


def _net(groups: np.ndarray, labels: np.ndarray) -> pd.Series:
    frame = pd.DataFrame({"g": groups, "pos": labels == "positive", "neg": labels == "negative"})
    means = frame.groupby("g")[["pos", "neg"]].mean()
    return means["pos"] - means["neg"]


if __name__ == "__main__":
    main()
