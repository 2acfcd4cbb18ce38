"""Cache entries kept as plain data (JSON, NumPy ``.npz`` without pickles, Parquet), each file
checked against the SHA-256 its ``meta.json`` records before it is trusted: the shared ROI fit
(`roi.cache`) and the trained sentiment model (`sentiment.model_store`) are stored this way, so a
damaged or tampered entry is refitted, never unpickled or half-read."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_entry(folder: Path, key: str, fmt: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``meta.json`` and the arrays of ``arrays.npz`` in ``folder``, after checking that the entry is
    the one of ``key`` in layout ``fmt`` and that every file has its recorded hash.

    Raises
    ------
    ValueError
        When the key or layout differs, or a file does not have its recorded hash (an OS error
        when a file is missing).
    """
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("key") != key or meta.get("format") != fmt:
        raise ValueError("key or format differs")
    for name, digest in meta["sha256"].items():
        if sha256(folder / name) != digest:
            raise ValueError(f"{name} does not have its recorded hash")
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        return meta, {name: npz[name] for name in npz.files}
