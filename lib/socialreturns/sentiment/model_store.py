"""The trained domain model, kept: `shared_model` trains once per labels and reuses the model;
`domain_model` is the notebook's call (None without labels).

A model is keyed by the SHA-256 of the labelled texts, their labels and lexicon scores, the
training settings and the library's source digest, and kept under ``<cache root>/sentiment/``
beside the ROI fits (`model_root`; as for `roi.cache.cache_root`, ``SOCIALRETURNS_CACHE`` moves
it and ``off`` turns it off). An entry is plain data, never a pickle (a pickle runs code when loaded, and a cache folder
is no place to trust code from): the word vocabulary and the confusion matrices in ``meta.json``,
the IDF weights, kept character buckets and the regression's coefficients in ``arrays.npz``
(read with ``allow_pickle=False``), each file with its SHA-256. Loading rebuilds the fitted
scikit-learn objects from those arrays; an entry whose key, format or hashes do not match is
retrained and replaced, never trusted.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from socialreturns.inputs import InputError, library_digest
from socialreturns.store import cache_root, read_entry, sha256

from .classifier import (
    CLASSES,
    LEXICON_COLUMNS,
    CharTfidf,
    DomainModel,
    Features,
    Validation,
    _frame,
    check_labels,
    pipeline,
    train,
    word_vectorizer,
)

log = logging.getLogger(__name__)
#: Bump when the layout of an entry changes.
FORMAT = 1


def model_root() -> Path | None:
    """Where models are kept (`store.cache_root` of ``sentiment``): ``$SOCIALRETURNS_CACHE/sentiment``
    if set (``off`` for no cache), else ``.cache/socialreturns/sentiment`` under the repository
    root, beside the ROI fits."""
    return cache_root("sentiment")


def model_key(texts: Sequence[str] | pd.Series, labels: Sequence[str] | pd.Series,
              lexicon_scores: pd.DataFrame, *, folds: int = 5, seed: int = 0) -> str:  # fmt: skip
    """Hex SHA-256 of what `train` is given (texts, normalised labels, lexicon scores, settings)
    and the library's source digest."""
    frame = _frame(texts, lexicon_scores)
    digest = hashlib.sha256()
    payload = {"format": FORMAT, "library": library_digest(), "folds": folds, "seed": seed}
    digest.update(json.dumps(payload, sort_keys=True).encode())
    digest.update(json.dumps(frame["text"].tolist()).encode())
    digest.update(json.dumps(check_labels(labels, folds=folds).tolist()).encode())
    digest.update(np.ascontiguousarray(frame[list(LEXICON_COLUMNS)].to_numpy(dtype=float)).tobytes())
    return digest.hexdigest()


def save_model(model: DomainModel, folder: Path) -> None:
    """Write ``model`` into the new folder ``folder`` as plain data (module docstring)."""
    features: Features = model.pipeline.named_steps["features"]
    regression: LogisticRegression = model.pipeline.named_steps["model"]
    folder.mkdir(parents=True)
    arrays = {"word_idf": features.words_.idf_, "char_buckets": features.chars_.buckets_,
              "char_idf": features.chars_.idf_, "coef": regression.coef_,
              "intercept": regression.intercept_}  # fmt: skip
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (folder / "arrays.npz").write_bytes(buffer.getvalue())
    meta = {
        "key": model.key,
        "format": FORMAT,
        "classes": [str(c) for c in regression.classes_],
        "vocabulary": {term: int(i) for term, i in features.words_.vocabulary_.items()},
        "char_ngram_range": list(features.chars_.ngram_range),
        "lexicon_weight": features.lexicon_weight,
        "validation": model.validation.matrix.to_numpy().tolist(),
        "lexicon": model.lexicon.matrix.to_numpy().tolist(),
        "sha256": {"arrays.npz": sha256(folder / "arrays.npz")},
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def load_model(folder: Path, key: str) -> DomainModel:
    """Rebuild the model saved in ``folder``; ValueError (or an OS error) when it is not the
    model of ``key`` or a file does not have its recorded hash."""
    meta, arrays = read_entry(folder, key, FORMAT)
    words = word_vectorizer().set_params(vocabulary=meta["vocabulary"])
    words.idf_ = arrays["word_idf"]  # scikit-learn's setter: a fitted vectorizer of that vocabulary
    chars = CharTfidf(ngram_range=tuple(meta["char_ngram_range"]))
    chars.buckets_, chars.idf_ = arrays["char_buckets"], arrays["char_idf"]
    features = Features(lexicon_weight=meta["lexicon_weight"])
    features.words_, features.chars_ = words, chars
    fitted: Pipeline = pipeline()
    regression = fitted.named_steps["model"]
    regression.coef_, regression.intercept_ = arrays["coef"], arrays["intercept"]
    regression.classes_ = np.array(meta["classes"], dtype=object)
    regression.n_features_in_ = arrays["coef"].shape[1]
    fitted.steps[0] = ("features", features)
    index = pd.Index(list(CLASSES), name="actual")
    columns = pd.Index(list(CLASSES), name="predicted")
    matrices = [Validation(pd.DataFrame(np.array(meta[k], dtype=np.int64), index=index, columns=columns))
                for k in ("validation", "lexicon")]  # fmt: skip
    return DomainModel(fitted, matrices[0], matrices[1], key=key)


def shared_model(texts: Sequence[str] | pd.Series, labels: Sequence[str] | pd.Series,
                 lexicon_scores: pd.DataFrame, *, folds: int = 5, seed: int = 0) -> DomainModel:  # fmt: skip
    """`train`, once per labels: the same arguments and result, read back from the cache when
    the same texts, labels, scores and settings were trained on before (module docstring)."""
    key = model_key(texts, labels, lexicon_scores, folds=folds, seed=seed)
    root = model_root()
    if root is None:
        return _keyed(train(texts, labels, lexicon_scores, folds=folds, seed=seed), key)
    folder = root / key
    if folder.is_dir():
        try:
            return load_model(folder, key)
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("retraining: the cached model in %s is not usable (%s)", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
    model = _keyed(train(texts, labels, lexicon_scores, folds=folds, seed=seed), key)
    partial = root / f"{key}.partial-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        save_model(model, partial)
        partial.rename(folder)
    except OSError as error:  # a full disk or read-only cache: still a model
        log.warning("could not cache the model in %s (%s)", folder, error)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return model


def _keyed(model: DomainModel, key: str) -> DomainModel:
    return DomainModel(model.pipeline, model.validation, model.lexicon, key=key)


def domain_model(
    mentions: pd.DataFrame,
    texts: Sequence[str] | pd.Series,
    lexicon_scores: pd.DataFrame,
    labels: pd.Series | None,
    *,
    folds: int = 5,
    seed: int = 0,
) -> DomainModel | None:
    """The notebook's one call: `shared_model` on the labelled mentions, or None without labels.

    Parameters
    ----------
    mentions
        The mentions table (``post_id``), in the order of ``texts`` and ``lexicon_scores``.
    texts
        The mentions' texts as scored (brand names masked).
    lexicon_scores
        `score` of ``texts``.
    labels
        People's labels by ``post_id`` (`data.load_labels`), or None.

    Raises
    ------
    InputError
        As `train` (too few labels of a class, say), or when no labelled post is among the mentions.
    """
    if labels is None:
        return None
    post_ids = mentions["post_id"].astype(str).to_numpy()
    where = pd.Series(np.arange(len(post_ids)), index=post_ids)
    where = where[~where.index.duplicated()].reindex(labels.index.astype(str)).dropna().astype(int).to_numpy()
    if len(where) == 0:
        raise InputError("labels no post of these mentions", key="labels",
                         expected="labels.csv from a sample of this data (socialreturns label-sample)")  # fmt: skip
    picked = pd.Series(texts).iloc[where].reset_index(drop=True)
    chosen = labels.astype(str).reindex(post_ids[where]).to_numpy()
    return shared_model(picked, chosen, lexicon_scores.iloc[where], folds=folds, seed=seed)
