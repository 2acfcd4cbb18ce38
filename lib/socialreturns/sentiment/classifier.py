"""A domain sentiment classifier trained on the analyst's own labels: `train`, `DomainModel`,
`Validation` and `choose`, which scores with whichever of the model and the lexicon measured better.

The model is the field's standard baseline for short social texts: TF-IDF of word 1–2-grams and
of character 2–5-grams (which catch misspellings, elongations and hashtags), plus the lexicon's
VADER scores (``neg``, ``neu``, ``pos``, ``compound`` from `score`) as four extra features, into a
multinomial logistic regression (scikit-learn). It is cross-validated with stratified k-fold on
the same labels the lexicon is measured against, so the two accuracies compare like for like, and
the cross-validated confusion matrix is what `prevalence.corrected_shares` corrects the shares with.

Character n-grams are counted by hashing (Weinberger et al. 2009, "Feature hashing for large
scale multitask learning", ICML) in numpy over a whole batch of texts at once, rather than with
scikit-learn's ``analyzer="char"``, whose per-character Python loop scores about 6,500 texts/s
and would hold the whole scoring under the 5,000 texts/s the sentiment report needs. Only the
buckets seen in at least two training texts are kept, with their IDF, so a model is a few
arrays (`model_store` caches it as plain data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from socialreturns.inputs import InputError

from .accuracy import classification_report

#: The classes, in the order of every matrix here (rows: true class, columns: predicted).
CLASSES = ("negative", "neutral", "positive")
#: The lexicon's columns used as features, as `score` returns them.
LEXICON_COLUMNS = ("neg", "neu", "pos", "compound")
#: Fewest labels of each class: one per fold of the cross-validation.
MIN_PER_CLASS = 5
_HASH_BITS = 20
_WHITE = re.compile(r"\s+")
_CHUNK = 20_000  # texts hashed at once: ~40 MB of temporaries for tweets
_PREDICT_CHUNK = 20_000  # distinct texts per task when predicting in several processes


def char_ngram_counts(
    texts: Sequence[str], ngram_range: tuple[int, int] = (2, 5), *, buckets: np.ndarray | None = None
) -> sp.csr_matrix:
    """Counts of hashed character n-grams: one row per text, one column per bucket (``2**20``,
    or only the sorted ``buckets`` given, in their order).

    Texts are lower-cased, runs of white space become one space and each text is padded with a
    space at both ends, so "@Brand thanks" and "@brand  Thanks" count the same n-grams. An
    n-gram's bucket is a multiplicative hash of its code points; collisions are rare at a
    training vocabulary of tens of thousands of n-grams and harmless for a linear model.
    """
    low, high = ngram_range
    if buckets is None:
        lookup, width = None, 1 << _HASH_BITS
    else:
        # dropping the n-grams of no kept bucket before the matrix is built halves its cost
        lookup = np.full(1 << _HASH_BITS, -1, dtype=np.int64)
        lookup[buckets] = np.arange(len(buckets))
        width = len(buckets)
    parts = [_hashed_counts(texts[start : start + _CHUNK], low, high, lookup, width)
             for start in range(0, len(texts), _CHUNK)]  # fmt: skip
    if not parts:
        return sp.csr_matrix((0, width), dtype=np.float64)
    return sp.vstack(parts, format="csr")


def _hashed_counts(
    texts: Sequence[str], low: int, high: int, lookup: np.ndarray | None, width: int
) -> sp.csr_matrix:
    # NUL separates texts (the data layer refuses NUL in texts; any left are dropped first)
    joined = _WHITE.sub(" ", "\0".join(" " + t.replace("\0", "") + " " for t in texts).lower())
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    length = len(codes)
    breaks = np.append(np.flatnonzero(codes == 0), length).astype(np.int32)
    position = np.arange(length, dtype=np.int32)
    text = np.searchsorted(breaks, position)  # the text each character belongs to
    room = breaks[text] - position  # characters to the text's end
    doc = text.astype(np.int64) * width  # the text, as the offset of its (text, column) keys
    keys = []
    h = codes.copy()
    prime, golden = np.uint32(1_000_003), np.uint32(0x9E3779B9)
    shift = np.uint32(32 - _HASH_BITS)
    with np.errstate(over="ignore"):  # the hashes wrap around modulo 2**32 by design
        for n in range(2, high + 1):
            m = length - n + 1
            if m <= 0:
                break
            h = h[:m] * prime + codes[n - 1 : n - 1 + m]
            if n < low:
                continue
            valid = room[:m] >= n  # the window lies inside one text
            col = ((h[valid] * golden) >> shift).astype(np.int64)
            offset = doc[:m][valid]
            if lookup is not None:
                col = lookup[col]
                offset, col = offset[col >= 0], col[col >= 0]
            keys.append(offset + col)
    # one sort of (text, column) keys builds the canonical matrix: twice as fast as scipy's
    # coo-to-csr conversion followed by summing duplicates
    keys = np.sort(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else keys
    counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
    unique = keys[starts]
    indptr = np.searchsorted(unique // width, np.arange(len(texts) + 1))
    return sp.csr_matrix((counts, unique % width, indptr), shape=(len(texts), width))


class CharTfidf(BaseEstimator, TransformerMixin):
    """TF-IDF of hashed character n-grams (`char_ngram_counts`), as scikit-learn computes it
    with ``sublinear_tf=True`` and ``min_df``: ``(1 + log tf) * idf``, rows l2-normalised, with
    ``idf = ln((1 + n) / (1 + df)) + 1`` over the buckets seen in at least ``min_df`` texts."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit(self, texts: Sequence[str], y: object = None) -> CharTfidf:
        counts = char_ngram_counts(list(texts), self.ngram_range)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.buckets_ = np.flatnonzero(df >= self.min_df)
        self.idf_ = np.log((1 + counts.shape[0]) / (1 + df[self.buckets_])) + 1.0
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        matrix = char_ngram_counts(list(texts), self.ngram_range, buckets=self.buckets_)
        # in place on the data: (1 + log tf) * idf, then each row divided by its l2 norm
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf_[matrix.indices]
        filled = np.diff(matrix.indptr) > 0
        norms = np.zeros(matrix.shape[0])
        # reduceat sums from each row's start to the next's; an empty row's "sum" is discarded, and
        # the appended zero gives trailing empty rows a start inside the array
        squares = np.add.reduceat(np.append(matrix.data**2, 0.0), matrix.indptr[:-1])
        norms[filled] = np.sqrt(squares[filled])
        matrix.data /= np.repeat(np.where(filled, norms, 1.0), np.diff(matrix.indptr))
        return matrix


def word_vectorizer() -> TfidfVectorizer:
    """TF-IDF of word 1–2-grams (words of two or more letters, lower-cased), sublinear tf."""
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float64)


class Features(BaseEstimator, TransformerMixin):
    """The model's input: word TF-IDF, character TF-IDF and the lexicon scores side by side.

    Takes a DataFrame with ``text`` and the `LEXICON_COLUMNS`.
    """

    def __init__(self, lexicon_weight: float = 1.0) -> None:
        self.lexicon_weight = lexicon_weight

    def fit(self, frame: pd.DataFrame, y: object = None) -> Features:
        texts = frame["text"].tolist()
        self.words_ = word_vectorizer().fit(texts)
        self.chars_ = CharTfidf().fit(texts)
        return self

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        texts = frame["text"].tolist()
        lexicon = frame[list(LEXICON_COLUMNS)].to_numpy(dtype=float) * self.lexicon_weight
        return sp.hstack([self.words_.transform(texts), self.chars_.transform(texts),
                          sp.csr_matrix(lexicon)], format="csr")  # fmt: skip


def pipeline(seed: int = 0) -> Pipeline:
    """The unfitted model: `Features` into a multinomial logistic regression (C = 10)."""
    # C = 10 (weak regularisation) is the usual choice for l2-normalised TF-IDF of short texts;
    # on the sample and the airline corpus it beat C = 1 by 2 to 4 points of accuracy.
    return Pipeline([("features", Features()),
                     ("model", LogisticRegression(C=10.0, max_iter=2000, random_state=seed))])  # fmt: skip


@dataclass(frozen=True)
class Validation:
    """Predicted against human classes on a labelled set: the confusion ``matrix`` of counts
    (rows ``actual``, columns ``predicted``, both in `CLASSES` order)."""

    matrix: pd.DataFrame

    @classmethod
    def of(cls, actual: Sequence[str] | pd.Series, predicted: Sequence[str] | pd.Series) -> Validation:
        """The validation of ``predicted`` against ``actual`` (aligned by position)."""
        pairs = pd.DataFrame({"actual": np.asarray(actual), "predicted": np.asarray(predicted)})
        table = pd.crosstab(pairs["actual"], pairs["predicted"]).reindex(
            index=list(CLASSES), columns=list(CLASSES), fill_value=0
        )
        return cls(table.rename_axis(index="actual", columns="predicted").astype(np.int64))

    @property
    def n(self) -> int:
        """Labelled texts compared."""
        return int(self.matrix.to_numpy().sum())

    @property
    def accuracy(self) -> float:
        """Share of the labelled texts classed as people did (fraction)."""
        return float(np.trace(self.matrix.to_numpy()) / max(self.n, 1))

    @property
    def rates(self) -> pd.DataFrame:
        """P(predicted | actual): the matrix with each row divided by its total."""
        totals = self.matrix.sum(axis=1).replace(0, np.nan)
        return self.matrix.div(totals, axis=0).fillna(0.0)

    def report(self) -> pd.DataFrame:
        """Per-class precision, recall, F1 and support, the weighted row and accuracy."""
        pairs = self.matrix.stack()
        actual = pd.Series(np.repeat([a for a, _ in pairs.index], pairs.to_numpy()))
        predicted = pd.Series(np.repeat([p for _, p in pairs.index], pairs.to_numpy()))
        return classification_report(actual, predicted)


@dataclass(frozen=True)
class DomainModel:
    """A classifier trained on labelled mentions (`train`), with its cross-validated
    ``validation`` and the lexicon's ``lexicon`` on the same labels; ``key`` identifies the
    labels, texts and settings it was trained from (`model_store`)."""

    pipeline: Pipeline
    validation: Validation
    lexicon: Validation
    key: str = ""

    @property
    def better(self) -> Literal["model", "lexicon"]:
        """Which scorer classed more labelled texts right (the model on a tie)."""
        return "model" if self.validation.accuracy >= self.lexicon.accuracy else "lexicon"

    def predict(
        self, texts: Sequence[str] | pd.Series, lexicon_scores: pd.DataFrame, *, n_jobs: int = 1
    ) -> pd.Series:
        """The model's class of each text (``positive``, ``neutral``, ``negative``), on the
        index of ``lexicon_scores``; identical texts are classed once, in ``n_jobs`` processes."""
        frame = _frame(texts, lexicon_scores)
        codes, unique = pd.factorize(frame["text"], sort=False)
        first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        distinct = frame.iloc[first]
        if not isinstance(n_jobs, int) or not 1 <= n_jobs <= 64:
            raise InputError(f"is {n_jobs!r}", key="n_jobs", expected="1 to 64 processes")
        if n_jobs == 1 or len(distinct) < 2 * _PREDICT_CHUNK:
            classes = _predict(self.pipeline, distinct) if len(first) else np.array([], dtype=object)
        else:
            from concurrent.futures import ProcessPoolExecutor

            step = _PREDICT_CHUNK
            parts = [distinct.iloc[i : i + step] for i in range(0, len(distinct), step)]
            with ProcessPoolExecutor(max_workers=n_jobs) as pool:
                classes = np.concatenate(list(pool.map(_predict, [self.pipeline] * len(parts), parts)))
        return pd.Series(np.asarray(classes, dtype=object)[codes], index=lexicon_scores.index, name="label")

    def comparison(self) -> pd.DataFrame:
        """One row per scorer (``model``, ``lexicon``): ``labels``, ``accuracy``, the F1 of each
        class (``f1_negative``, ...) and ``weighted_f1``, all on the same labelled texts."""
        rows = {}
        for name, v in (("model", self.validation), ("lexicon", self.lexicon)):
            report = v.report()
            rows[name] = {"labels": v.n, "accuracy": v.accuracy,
                          **{f"f1_{c}": float(report.loc[c, "f1"]) if c in report.index else 0.0 for c in CLASSES},
                          "weighted_f1": float(report.loc["weighted", "f1"])}  # fmt: skip
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scorer")


def _predict(fitted: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    """``fitted.predict(frame)`` without stacking the three feature blocks into one matrix: the
    linear scores are the sum of each block times its slice of the coefficients (a third faster)."""
    features: Features = fitted.named_steps["features"]
    regression: LogisticRegression = fitted.named_steps["model"]
    texts = frame["text"].tolist()
    words = features.words_.transform(texts)
    chars = features.chars_.transform(texts)
    lexicon = frame[list(LEXICON_COLUMNS)].to_numpy(dtype=float) * features.lexicon_weight
    coef = regression.coef_
    w, c = words.shape[1], chars.shape[1]
    scores = words @ coef[:, :w].T + chars @ coef[:, w : w + c].T + lexicon @ coef[:, w + c :].T
    scores = np.asarray(scores) + regression.intercept_
    if scores.shape[1] == 1:  # two classes: scikit-learn keeps one row of coefficients
        return regression.classes_[(scores[:, 0] > 0).astype(int)]
    return regression.classes_[np.argmax(scores, axis=1)]


def _frame(texts: Sequence[str] | pd.Series, lexicon_scores: pd.DataFrame) -> pd.DataFrame:
    values = pd.Series(texts).astype("string").fillna("").astype(str).tolist()
    if len(values) != len(lexicon_scores):
        raise InputError(f"{len(values):,} texts but {len(lexicon_scores):,} rows of lexicon scores",
                         key="lexicon_scores", expected="one row of `sentiment.score` per text")  # fmt: skip
    missing = [c for c in LEXICON_COLUMNS if c not in lexicon_scores.columns]
    if missing:
        raise InputError(f"has no column {missing[0]!r}", key="lexicon_scores",
                         expected="the columns of `sentiment.score`: " + ", ".join(LEXICON_COLUMNS))  # fmt: skip
    frame = lexicon_scores[list(LEXICON_COLUMNS)].astype(float).reset_index(drop=True)
    frame.insert(0, "text", values)
    return frame


def check_labels(labels: Sequence[str] | pd.Series, *, folds: int = MIN_PER_CLASS) -> np.ndarray:
    """The labels as an array, checked: only `CLASSES`, and at least ``folds`` of each."""
    values = np.asarray(pd.Series(labels).astype(str).str.strip().str.lower())
    unknown = sorted(set(values) - set(CLASSES))
    if unknown:
        raise InputError(
            f"has the label {unknown[0]!r}", key="labels", expected="positive, neutral or negative"
        )
    counts = {c: int((values == c).sum()) for c in CLASSES}
    few = [c for c in CLASSES if counts[c] < folds]
    if few:
        raise InputError(f"has {counts[few[0]]} '{few[0]}' labels", key="labels",
                         expected=f"at least {folds} labelled mentions of each class (one per fold); "
                         "label more of the sample")  # fmt: skip
    return values


def train(
    texts: Sequence[str] | pd.Series,
    labels: Sequence[str] | pd.Series,
    lexicon_scores: pd.DataFrame,
    *,
    folds: int = 5,
    seed: int = 0,
) -> DomainModel:
    """Train the domain classifier on labelled texts and validate it against the lexicon.

    Parameters
    ----------
    texts
        The labelled mentions' texts, as they will be scored (brand names already masked).
    labels
        People's class of each text: ``positive``, ``neutral`` or ``negative`` (case and
        surrounding spaces ignored), at least ``folds`` of each.
    lexicon_scores
        `score` of the same texts, one row each in the same order.
    folds
        Folds of the stratified cross-validation (shuffled with ``seed``).

    Returns
    -------
    DomainModel
        Fitted on all labels; ``validation`` holds the cross-validated confusion matrix (each text
        predicted by a model that did not see it), ``lexicon`` the lexicon's on the same labels.

    Raises
    ------
    InputError
        Unknown labels, too few of a class, or texts and scores of different lengths.
    """
    frame = _frame(texts, lexicon_scores)
    y = check_labels(labels, folds=folds)
    if len(y) != len(frame):
        raise InputError(f"{len(y):,} labels for {len(frame):,} texts", key="labels",
                         expected="one label per text")  # fmt: skip
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    # one BLAS thread: on a few thousand sparse rows threads only contend (6x slower on 2 cores)
    with threadpool_limits(1):
        predicted = cross_val_predict(pipeline(seed), frame, y, cv=splitter)
        fitted = pipeline(seed).fit(frame, y)
    lexicon = _lexicon_classes(frame["compound"])
    return DomainModel(fitted, Validation.of(y, predicted), Validation.of(y, lexicon))


def _lexicon_classes(compound: pd.Series) -> np.ndarray:
    from .scorer import label

    return label(compound.reset_index(drop=True)).to_numpy()


@dataclass(frozen=True)
class Choice:
    """The classes a report uses: ``labels`` (on the mentions' index), the ``scorer`` that gave
    them (``model`` or ``lexicon``) and its ``validation`` (None when nothing was labelled)."""

    labels: pd.Series
    scorer: Literal["model", "lexicon"]
    validation: Validation | None

    @property
    def note(self) -> str:
        """The validation status every sentiment figure states (issue 15, point 4).

        >>> Choice(pd.Series(dtype=str), "lexicon", None).note
        'Not validated on this data: lexicon scores, label a sample to calibrate.'
        """
        if self.validation is None:
            return "Not validated on this data: lexicon scores, label a sample to calibrate."
        what = "domain model" if self.scorer == "model" else "lexicon, more accurate than the domain model"
        return (f"Validated on {self.validation.n:,} labelled mentions: accuracy {self.validation.accuracy:.0%} "
                f"({what}{', cross-validated' if self.scorer == 'model' else ''}).")  # fmt: skip


def choose(
    model: DomainModel | None,
    texts: Sequence[str] | pd.Series,
    lexicon_scores: pd.DataFrame,
    *,
    n_jobs: int = 1,
) -> Choice:
    """Score with whichever of the domain model and the lexicon was more accurate on the labels.

    Without a model (no ``labels.csv``) the lexicon's classes, unvalidated. With one, the model's
    classes when its cross-validated accuracy is at least the lexicon's on the same labels, else
    the lexicon's; either way with that scorer's confusion matrix for `prevalence.corrected_shares`.
    """
    if model is None:
        return Choice(_lexicon_series(lexicon_scores), "lexicon", None)
    if model.better == "model":
        return Choice(model.predict(texts, lexicon_scores, n_jobs=n_jobs), "model", model.validation)
    return Choice(_lexicon_series(lexicon_scores), "lexicon", model.lexicon)


def _lexicon_series(lexicon_scores: pd.DataFrame) -> pd.Series:
    from .scorer import label

    if "compound" not in lexicon_scores.columns:
        raise InputError(
            "has no column 'compound'", key="lexicon_scores", expected="the output of `sentiment.score`"
        )
    return label(lexicon_scores["compound"]).rename("label")
