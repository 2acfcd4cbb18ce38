"""Which of the brand's posts are negative, for earned media value: the lexicon's classes, kept in
the cache by the texts they were computed from.

Scoring every post of the brand with VADER's rules is the most expensive step of the ROR report
(about as long as fitting BG/NBD), and its result depends only on the texts, the brand names
masked and the scorer's code and lexicon: so it is computed once per such input and read back
as plain data (`socialreturns.store`), checked by SHA-256, on later runs.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns import store

from .relationships import _brand_mentions

log = logging.getLogger(__name__)

FORMAT = 1
#: The code and word lists a post's lexicon class depends on (the key changes with any of them).
_SCORER_FILES = (
    "sentiment/scorer.py",
    "sentiment/lexicon.py",
    "sentiment/brands.py",
    "sentiment/language.py",
)


def _scorer_digest() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in [package / name for name in _SCORER_FILES] + sorted((package / "lexicons").glob("*.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    try:
        digest.update(metadata.version("vaderSentiment").encode())
    except metadata.PackageNotFoundError:  # scoring will name the missing package
        pass
    return digest.hexdigest()


def tone_key(texts: pd.Series, brands: list[str]) -> str:
    """Hex SHA-256 of what the classes depend on: the texts, the brand names masked, the scorer."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"format": FORMAT, "scorer": _scorer_digest(), "brands": brands}).encode())
    digest.update(json.dumps(texts.tolist()).encode())
    return digest.hexdigest()


def _score_negative(texts: pd.Series, brands: list[str]) -> np.ndarray:
    from socialreturns import sentiment  # only on a cache miss: the scorer's import is not free

    masked = sentiment.mask(texts, sentiment.aliases(brands))
    return sentiment.score(masked)["label"].to_numpy() == "negative"


def _read(folder: Path, key: str) -> np.ndarray | None:
    try:
        return store.read_entry(folder, key, FORMAT)[1]["negative"].astype(bool)
    except (OSError, ValueError, KeyError) as error:
        if folder.exists():
            log.warning("rescoring: the cached classes in %s are not usable (%s)", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
        return None


def _write(root: Path, key: str, negative: np.ndarray) -> None:
    partial = root / f"{key}.partial"
    try:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        buffer = io.BytesIO()
        np.savez(buffer, negative=negative)
        (partial / "arrays.npz").write_bytes(buffer.getvalue())
        meta = {"key": key, "format": FORMAT, "sha256": {"arrays.npz": store.sha256(partial / "arrays.npz")}}
        (partial / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        partial.rename(root / key)
    except OSError as error:  # a full disk, a read-only cache, another run first: still the classes
        log.warning("could not cache the post classes in %s (%s)", root, error)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def negative_posts(mentions: pd.DataFrame, *, brand: str) -> pd.Series:
    """Whether each of ``brand``'s mentions is negative, by the lexicon (VADER, compound ≤ −0.05).

    Every brand's name in the mentions is masked first, as in the sentiment report. The lexicon,
    not the sentiment report's domain model: this report must not train a model, and a post's
    tone only decides whether its reach counts as value (`sharing_by_platform`). Cached by
    `tone_key` (``SOCIALRETURNS_CACHE=off`` scores every time). Indexed like the brand's mentions.
    """
    own = _brand_mentions(mentions, brand)
    texts = own["text"].fillna("").astype(str)
    brands = sorted(mentions["brand"].astype(str).unique())
    root = store.cache_root("ror")
    key = tone_key(texts, brands)
    negative = None if root is None else _read(root / key, key)
    if negative is None or len(negative) != len(own):
        negative = _score_negative(texts, brands)
        if root is not None:
            _write(root, key, negative)
    return pd.Series(negative, index=own.index, name="negative")
