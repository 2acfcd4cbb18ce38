"""The project's cache: where it lives (`cache_root`) and entries kept as plain data (JSON, NumPy
``.npz`` without pickles, Parquet), each file checked against the SHA-256 its ``meta.json``
records before it is trusted (`read_entry`). The shared ROI fit (`roi.cache`), the trained
sentiment model (`sentiment.model_store`) and the parameter ranges (`batch.spec.cached_ranges`)
are kept this way, so a damaged or tampered entry is recomputed, never unpickled or half-read.

numpy is imported where an entry is read, not here: the command line reads the parameter ranges'
cache without loading the numeric stack."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from socialreturns.inputs import project_root


def cache_root(domain: str) -> Path | None:
    """Where ``domain``'s entries are kept (``roi``, ``sentiment``, ``parameters``):
    ``$SOCIALRETURNS_CACHE/<domain>`` when that variable names a folder, None when it is ``off``
    (no cache), else ``.cache/socialreturns/<domain>`` under the repository root."""
    setting = os.environ.get("SOCIALRETURNS_CACHE", "")
    if setting.lower() == "off":
        return None
    return (Path(setting) if setting else project_root() / ".cache" / "socialreturns") / domain


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_entry(folder: Path, key: str, fmt: int) -> tuple[dict[str, Any], dict[str, Any]]:
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
    import numpy as np

    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        return meta, {name: npz[name] for name in npz.files}
