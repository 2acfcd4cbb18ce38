"""The project's cache: where it lives (`cache_root`) and entries kept as plain data (JSON, NumPy
``.npz`` without pickles, Parquet), each file checked against the SHA-256 its ``meta.json``
records before it is trusted (`read_entry`). The shared ROI fit (`roi.cache`), the trained
sentiment model (`sentiment.model_store`) and the parameter ranges (`batch.spec.cached_ranges`)
are kept this way, so a damaged or tampered entry is recomputed, never unpickled or half-read.
`cached_frames` keeps computed DataFrames the same way (the parsed tables, `data.cache`; the
forecast's backtests and outlook, `forecast`), keyed by `frames_key`.

numpy is imported where an entry is read, not here: the command line reads the parameter ranges'
cache without loading the numeric stack."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialreturns.inputs import project_root

log = logging.getLogger(__name__)


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


# --------------------------------------------------------------------------- frames

#: Bump when the layout of a `cached_frames` entry changes.
FRAMES_FORMAT = 1
Computed = tuple[dict[str, Any], dict[str, Any]]


def frames_key(*parts: Any) -> str:
    """Hex SHA-256 of ``parts`` and the library's source digest (`inputs.library_digest`): frames
    and series by their columns, dtypes, index and values (`frame_digest`), anything else by its
    JSON (``repr`` where JSON has no form), so a change to the data, an argument or any module
    gives a new key."""
    from socialreturns.inputs import library_digest

    payload = [FRAMES_FORMAT, library_digest(), *(_part(p) for p in parts)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=repr).encode()).hexdigest()


def _part(value: Any) -> Any:
    import pandas as pd

    return frame_digest(value) if isinstance(value, pd.DataFrame | pd.Series) else value


def frame_digest(frame: Any) -> str:
    """SHA-256 of a DataFrame's or Series' name, columns, dtypes, index and values (order counts)."""
    import pandas as pd

    digest = hashlib.sha256()
    if isinstance(frame, pd.Series):
        digest.update(repr(frame.name).encode())
        frame = frame.to_frame(name="value")
    digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(str(frame.index.dtype).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def cached_frames(domain: str, key: str, compute: Callable[[], Computed]) -> Computed:
    """``compute()`` (DataFrames by name, plus plain JSON data), kept under ``cache_root(domain)/key``
    and read back from there while the entry is whole.

    An entry is each frame as Parquet, with ``meta.json`` holding the key, every file's SHA-256,
    each frame's dtypes and ``attrs``, and the plain data. A frame is stored only when it reads
    back from Parquet equal to what was computed (values, dtypes, index, attrs), so a hit returns
    what the computation would; an entry whose key, hashes or dtypes do not match is recomputed and
    replaced, never trusted. Without a cache (``SOCIALRETURNS_CACHE=off``) it just computes.
    Concurrent processes may both compute a missing entry; the first to finish writing keeps it.
    """
    root = cache_root(domain)
    if root is None:
        return compute()
    folder = root / key
    if folder.is_dir():
        try:
            return _read_frames(folder, key)
        except Exception as error:  # pyarrow and json raise many types: recompute
            log.warning("recomputing: the cached entry in %s is not usable (%s)", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
    frames, plain = compute()
    partial = root / f".{key}.partial-{os.getpid()}"
    try:
        _write_frames(partial, key, frames, plain)
        partial.rename(folder)
    except (OSError, TypeError, ValueError, AssertionError) as error:  # full disk, read-only, or not storable
        log.info("not cached in %s (%s)", folder, error)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return frames, plain


def _write_frames(folder: Path, key: str, frames: dict[str, Any], plain: dict[str, Any]) -> None:
    """Write an entry into the new folder ``folder``; AssertionError when a frame does not read back
    from Parquet as it is (then nothing is kept)."""
    import pandas as pd

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    dtypes, attrs = {}, {}
    for name, frame in frames.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path)
        back = pd.read_parquet(path)
        back.attrs = json.loads(json.dumps(frame.attrs, default=_refuse))  # TypeError: not plain data
        pd.testing.assert_frame_equal(back, frame, check_exact=True)
        assert back.attrs == frame.attrs and _dtypes(back) == _dtypes(frame), "dtypes or attrs differ"
        dtypes[name], attrs[name] = _dtypes(frame), back.attrs
    meta = {"key": key, "format": FRAMES_FORMAT, "frames": list(frames), "dtypes": dtypes, "attrs": attrs,
            "plain": plain, "sha256": {f"{n}.parquet": sha256(folder / f"{n}.parquet") for n in frames}}  # fmt: skip
    (folder / "meta.json").write_text(json.dumps(meta, indent=1, default=_refuse), encoding="utf-8")


def _read_frames(folder: Path, key: str) -> Computed:
    """An entry's frames and plain data; ValueError when it is not whole or not the entry of ``key``."""
    import pandas as pd

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("key") != key or meta.get("format") != FRAMES_FORMAT:
        raise ValueError("key or format differs")
    frames = {}
    for name in meta["frames"]:
        path = folder / f"{name}.parquet"
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != meta["sha256"][f"{name}.parquet"]:
            raise ValueError(f"{path.name} does not have its recorded hash")
        frame = pd.read_parquet(io.BytesIO(data))
        if _dtypes(frame) != meta["dtypes"][name]:
            raise ValueError(f"{path.name} does not have its recorded dtypes")
        frame.attrs = meta["attrs"][name]
        frames[name] = frame
    return frames, meta["plain"]


def _dtypes(frame: Any) -> list[list[str]]:
    return [[str(c), str(t)] for c, t in frame.dtypes.items()] + [["<index>", str(frame.index.dtype)]]


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not plain data")


def by_library(domain: str, name: str, compute: Callable[[], Any], *, encode: Callable[[Any], str],
               decode: Callable[[str], Any]) -> Any:  # fmt: skip
    """``compute()``, kept as JSON text in ``<domain>/<name>-<library digest>.json`` of the cache
    and read back (``decode``) while the library's source is unchanged; a file of another library
    version is removed, one that cannot be read is computed again, and a cache that cannot be
    written (read-only, off) only costs the computation. For plain data the library derives from
    its own source (record contracts, parameter ranges), read without importing the domains."""
    from socialreturns.inputs import InputError, library_digest, write_atomically

    root = cache_root(domain)
    if root is None:
        return compute()
    path = root / f"{name}-{library_digest()}.json"
    try:
        return decode(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f"{name}-*.json"):  # another library's
            stale.unlink(missing_ok=True)
        write_atomically(path, encode(value))
    except (InputError, OSError, TypeError, ValueError):  # read-only, or not JSON: computed next time
        pass
    return value
