"""One incremental fit, shared: `shared_fit` fits once per data and fit parameters and reuses it.

The ROI notebook, every IRR scenario and the executive summary report the same ROAS, so they
must read the same fit, not refit with their own replicates. `shared_fit` keys a fit by the
bytes of its inputs (spend, revenue, controls and any other frame passed), the fit's keyword
arguments and the library's source digest, and stores it under
``.cache/socialreturns/roi/<key>/`` in the repository (`cache_root`; the ``SOCIALRETURNS_CACHE``
environment variable moves the cache to ``$SOCIALRETURNS_CACHE/roi/``, ``off`` turns it off).

An entry is plain data, no pickle: the numpy arrays in ``arrays.npz`` (read with
``allow_pickle=False``), the frames as Parquet, and the rest in ``meta.json`` with each file's
SHA-256. An entry whose key, hashes or fields do not match is refitted and replaced, never
trusted. The statsmodels regression is not stored as an object: its coefficients and fitted
values (what the reports read) are stored with the arrays and served by a `StoredRegression`,
which refits the OLS of revenue on the stored saturated spend and controls only when anything
else is asked of it (a rerun that reads the fit then never imports statsmodels, a second in a
fresh kernel). Processes asking for the same fit at once wait on a lock, so a batch fits once.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import inspect
import io
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialreturns.inputs import library_digest
from socialreturns.roi import incremental
from socialreturns.roi.incremental import IncrementalFit, _regression, fit_incremental
from socialreturns.store import cache_root as store_root
from socialreturns.store import read_entry, sha256

log = logging.getLogger(__name__)

#: Keyword arguments of `fit_incremental` that do not change the fit: they are applied after
#: loading (``margin_rate`` only scales ``roi`` in ``summary()``; ``n_jobs`` does not change
#: results).
NOT_IN_KEY = ("margin_rate", "n_jobs")
#: Bump when the layout of an entry changes.
FORMAT = 3
#: The arrays holding the regression's coefficients and fitted values (`StoredRegression`).
_REGRESSION_ARRAYS = ("regression_params", "regression_fittedvalues")


class StoredRegression:
    """`IncrementalFit.regression` of a cached fit: ``params`` and ``fittedvalues`` as the fit
    stored them; any other attribute (``bse``, ``summary()``, ...) refits the statsmodels OLS on
    first use (`incremental._regression` on the stored spend, revenue, controls and curves) and
    is read from it."""

    def __init__(self, params: pd.Series, fittedvalues: pd.Series, refit: Callable[[], Any]) -> None:
        self.params = params
        self.fittedvalues = fittedvalues
        self._refit = refit
        self._results: Any = None

    def __getattr__(self, name: str) -> Any:  # only for names not set in __init__
        if name.startswith("__") or name in ("_refit", "_results"):
            raise AttributeError(name)
        if self._results is None:
            self._results = self._refit()
        return getattr(self._results, name)


def cache_root() -> Path | None:
    """Where fits are kept (`store.cache_root` of ``roi``): ``$SOCIALRETURNS_CACHE/roi`` if set
    (``off`` for no cache), else ``.cache/socialreturns/roi`` under the repository root."""
    return store_root("roi")


def _frame_digest(frame: pd.DataFrame | pd.Series | None) -> str:
    """SHA-256 of a frame's columns, dtypes and values (row order counts)."""
    digest = hashlib.sha256()
    if frame is None:
        return "none"
    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def fit_key(spend: pd.DataFrame, revenue: pd.DataFrame, **kwargs: Any) -> str:
    """The cache key of ``fit_incremental(spend, revenue, **kwargs)``: hex SHA-256 of the inputs'
    bytes, the arguments that change the fit (with `fit_incremental`'s defaults filled in, so
    ``alpha=0.1`` and leaving the default 0.1 are one fit) and the library's source digest."""
    bound = inspect.signature(incremental.fit_incremental).bind(spend, revenue, **kwargs)
    bound.apply_defaults()
    kwargs = {k: v for k, v in bound.arguments.items() if k not in ("spend", "revenue")}
    frames = {k: _frame_digest(v) for k, v in kwargs.items() if isinstance(v, pd.DataFrame | pd.Series)}
    others = {k: v for k, v in kwargs.items() if k not in frames and k not in NOT_IN_KEY}
    payload = {
        "format": FORMAT,
        "library": library_digest(),
        "spend": _frame_digest(spend),
        "revenue": _frame_digest(revenue),
        "frames": frames,
        "arguments": others,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=repr).encode()).hexdigest()


def _row_major(value: Any) -> bool:
    """Whether a frame of one dtype holds its values row by row (as a pivot builds it): Parquet
    reads it back column by column, and pandas sums the two layouts in a different order, so a
    mean over the days would differ from the fresh fit's in its last bits."""
    return (isinstance(value, pd.DataFrame) and value.shape[1] > 0 and value.dtypes.nunique() == 1
            and bool(value.to_numpy().flags["C_CONTIGUOUS"]))  # fmt: skip


def _as_row_major(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its values held row by row, like the frame that was saved (`_row_major`)."""
    out = pd.DataFrame(
        np.ascontiguousarray(table.to_numpy()), index=table.index, columns=table.columns, copy=False
    )
    out.attrs = table.attrs
    return out


def _save(fit: IncrementalFit, folder: Path, key: str) -> None:
    """Write ``fit`` into the new folder ``folder`` as plain data (see the module docstring)."""
    folder.mkdir(parents=True)
    arrays, frames, plain = {}, {}, {}
    for f in dataclasses.fields(fit):
        value = getattr(fit, f.name)
        if f.name == "regression":  # what the reports read of it; the rest is refitted on demand
            if value is None:
                continue
            arrays["regression_params"] = np.asarray(value.params, dtype=float)
            arrays["regression_fittedvalues"] = np.asarray(value.fittedvalues, dtype=float)
            continue
        if isinstance(value, np.ndarray):
            arrays[f.name] = value
        elif isinstance(value, pd.DataFrame | pd.Series | pd.DatetimeIndex):
            frames[f.name] = value
        else:
            json.dumps(value)  # TypeError for a field that is not plain data: the fit is not cached
            plain[f.name] = value
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (folder / "arrays.npz").write_bytes(buffer.getvalue())
    kinds = {}
    for name, value in frames.items():
        kinds[name] = [type(value).__name__, value.name if isinstance(value, pd.Series | pd.Index) else None,
                       _row_major(value)]  # fmt: skip
        table = value.to_frame(name="value", index=False) if isinstance(value, pd.Index) else value
        table = table.to_frame(name="value") if isinstance(table, pd.Series) else table
        table.to_parquet(folder / f"{name}.parquet")
    files = ["arrays.npz", *(f"{name}.parquet" for name in frames)]
    meta = {"key": key, "format": FORMAT, "plain": plain, "frames": kinds,
            "sha256": {name: sha256(folder / name) for name in files}}  # fmt: skip
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _load(folder: Path, key: str) -> IncrementalFit:
    """Read an entry back; ValueError (or an OS/parquet error) when it is not the fit of ``key``."""
    meta, arrays = read_entry(folder, key, FORMAT)
    regression = [arrays.pop(name, None) for name in _REGRESSION_ARRAYS]
    values: dict[str, Any] = dict(arrays)
    for name, (kind, label, row_major) in meta["frames"].items():
        table = pd.read_parquet(folder / f"{name}.parquet")
        if kind == "DataFrame":
            values[name] = _as_row_major(table) if row_major else table
        elif kind == "Series":
            values[name] = table["value"].rename(label)
        else:
            values[name] = pd.DatetimeIndex(table["value"], name=label)
    values.update(meta["plain"])
    values["regression"] = _stored_regression(values, *regression)
    names = {f.name for f in dataclasses.fields(IncrementalFit)}
    if set(values) != names:
        raise ValueError(f"fields differ: {sorted(set(values) ^ names)}")
    return IncrementalFit(**values)


def _stored_regression(
    values: dict[str, Any], params: np.ndarray | None, fitted: np.ndarray | None
) -> StoredRegression | None:
    """The regression of the fit in ``values`` (its fields as loaded) from its stored coefficients
    (one per channel, then per control, as `incremental._design` orders them) and fitted values
    (one per period), None for a fit without one; ValueError when their shapes do not match."""
    if params is None and fitted is None:
        return None
    if params is None or fitted is None:
        raise ValueError("the regression's arrays are incomplete")
    names = [*values["spend"].columns, *values["controls"].columns]
    if params.shape != (len(names),) or fitted.shape != (len(values["dates"]),):
        raise ValueError("the regression's arrays do not match the fit's channels, controls and dates")

    def refit() -> Any:
        return _regression(values["spend"], values["revenue"], values["controls"], values["decay"],
                           values["half_saturation"], values["hill_shape"])  # fmt: skip

    return StoredRegression(
        pd.Series(params, index=names), pd.Series(fitted, index=values["revenue"].index), refit
    )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) while the block runs; the
    operating system releases it if the process dies."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_fit(spend: pd.DataFrame, revenue: pd.DataFrame, **kwargs: Any) -> IncrementalFit:
    """`fit_incremental` fitted once per inputs and arguments, and reused by every notebook.

    Takes the same arguments as `fit_incremental` and returns the same fit. ``margin_rate`` and
    ``n_jobs`` are not part of the key: a fit cached at one margin is returned with the margin
    asked for. See the module docstring for where entries live and how they are checked.
    """
    root = cache_root()
    if root is None:
        return fit_incremental(spend, revenue, **kwargs)
    key = fit_key(spend, revenue, **kwargs)
    margin = {k: kwargs[k] for k in ("margin_rate",) if k in kwargs}
    folder = root / key
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f"{key}.lock"):
        if folder.is_dir():
            try:
                return dataclasses.replace(_load(folder, key), **margin)
            except (OSError, ValueError, KeyError, TypeError) as error:
                log.warning("refitting: the cached fit in %s is not usable (%s)", folder, error)
                shutil.rmtree(folder, ignore_errors=True)
        fit = fit_incremental(spend, revenue, **kwargs)
        partial = root / f"{key}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        try:
            _save(fit, partial, key)
            partial.rename(folder)
        except (OSError, TypeError, ValueError) as error:  # a full disk or read-only cache: still a fit
            log.warning("could not cache the fit in %s (%s)", folder, error)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return fit
