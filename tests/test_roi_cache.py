"""The shared incremental fit: fitted once per inputs and arguments, checked before it is reused."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading

import numpy as np
import pandas as pd
import pytest
from test_roi import _mmm_data

from socialreturns import roi, store
from socialreturns.roi import cache

ARGS = {"n_bootstrap": 12, "seed": 3, "margin_rate": 0.4}


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """The cache in a fresh folder, and a list that grows by one per real fit."""
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / "fits"))
    calls = []
    real = cache.fit_incremental

    def fit(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "fit_incremental", fit)
    return calls


@pytest.fixture(scope="module")
def mmm():
    spend, revenue, _ = _mmm_data(days=300)
    return spend, revenue


def _assert_same_fit(a: roi.IncrementalFit, b: roi.IncrementalFit) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "regression":
            np.testing.assert_array_equal(x.params, y.params)
            np.testing.assert_array_equal(x.bse, y.bse)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_freq=False)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, check_freq=False)
        elif isinstance(x, pd.Index):
            pd.testing.assert_index_equal(x, y)
        else:
            assert x == y, f.name


def test_a_second_call_reads_the_same_fit_without_fitting(counted, mmm):
    first = roi.shared_fit(*mmm, **ARGS)
    again = roi.shared_fit(*mmm, **{**ARGS, "n_jobs": 1, "alpha": 0.1})  # the default alpha, stated
    assert len(counted) == 1
    _assert_same_fit(first, again)
    _assert_same_fit(first, roi.fit_incremental(*mmm, **ARGS))
    pd.testing.assert_frame_equal(first.summary(), again.summary())


def test_the_margin_is_applied_to_a_cached_fit_not_refitted(counted, mmm):
    at_40 = roi.shared_fit(*mmm, **ARGS)
    at_30 = roi.shared_fit(*mmm, **{**ARGS, "margin_rate": 0.3})
    assert len(counted) == 1
    assert at_30.margin_rate == 0.3
    s40, s30 = at_40.summary().set_index("channel"), at_30.summary().set_index("channel")
    pd.testing.assert_series_equal(s40["roas"], s30["roas"])
    np.testing.assert_allclose(s30["roi"], s30["roas"] * 0.3 - 1)


@pytest.mark.parametrize(
    "change",
    ["one spend value", "one revenue value", "n_bootstrap", "seed", "alpha", "controls", "library"],
)
def test_anything_that_changes_the_fit_refits(counted, mmm, monkeypatch, change):
    spend, revenue = (frame.copy() for frame in mmm)
    roi.shared_fit(spend, revenue, **ARGS)
    args = dict(ARGS)
    if change == "one spend value":
        spend.loc[5, "spend"] += 0.01
    elif change == "one revenue value":
        revenue.loc[7, "revenue"] -= 1.0
    elif change in ("n_bootstrap", "seed"):
        args[change] += 1
    elif change == "alpha":
        args["alpha"] = 0.2
    elif change == "controls":
        args["controls"] = pd.DataFrame(
            {"date": revenue["date"], "weather": np.random.default_rng(5).normal(size=len(revenue))}
        )
    else:
        monkeypatch.setattr(cache, "library_digest", lambda: "another version of the library")
    fit = roi.shared_fit(spend, revenue, **args)
    assert len(counted) == 2
    _assert_same_fit(fit, roi.fit_incremental(spend, revenue, **args))


@pytest.mark.parametrize("damage", ["arrays", "parquet", "meta key", "missing file", "not json"])
def test_a_damaged_entry_is_refitted_never_trusted(counted, mmm, caplog, damage):
    fit = roi.shared_fit(*mmm, **ARGS)
    (entry,) = [p for p in cache.cache_root().iterdir() if p.is_dir()]
    if damage == "arrays":
        raw = bytearray((entry / "arrays.npz").read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        (entry / "arrays.npz").write_bytes(bytes(raw))
    elif damage == "parquet":
        (entry / "bootstrap.parquet").write_bytes(b"PAR1 not a table")
    elif damage == "meta key":
        meta = (entry / "meta.json").read_text()
        (entry / "meta.json").write_text(meta.replace(entry.name, "0" * 64))
    elif damage == "missing file":
        (entry / "spend.parquet").unlink()
    else:
        (entry / "meta.json").write_text("{")
    with caplog.at_level(logging.WARNING, logger="socialreturns.roi.cache"):
        again = roi.shared_fit(*mmm, **ARGS)
    assert len(counted) == 2
    assert "refitting" in caplog.text and str(entry) in caplog.text
    _assert_same_fit(fit, again)
    roi.shared_fit(*mmm, **ARGS)  # the entry was rewritten whole: read, not refitted
    assert len(counted) == 2


def test_off_turns_the_cache_off(monkeypatch, mmm, tmp_path):
    monkeypatch.setenv("SOCIALRETURNS_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    assert cache.cache_root() is None
    _assert_same_fit(roi.shared_fit(*mmm, **ARGS), roi.fit_incremental(*mmm, **ARGS))


def test_an_unwritable_cache_still_returns_the_fit(counted, mmm, caplog, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "_save", full_disk)
    with caplog.at_level(logging.WARNING, logger="socialreturns.roi.cache"):
        fit = roi.shared_fit(*mmm, **ARGS)
    assert "could not cache the fit" in caplog.text
    assert sorted(p.name for p in cache.cache_root().iterdir() if p.is_dir()) == []  # nothing half-written
    _assert_same_fit(fit, roi.fit_incremental(*mmm, **ARGS))


def test_two_callers_at_once_fit_once(counted, mmm):
    results: list[roi.IncrementalFit] = []
    threads = [
        threading.Thread(target=lambda: results.append(roi.shared_fit(*mmm, **ARGS))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(counted) == 1 and len(results) == 2
    _assert_same_fit(*results)


def test_a_cached_fit_serves_its_regression_without_refitting_it(counted, mmm, monkeypatch):
    fresh = roi.shared_fit(*mmm, **ARGS)
    refits = []
    real = cache._regression
    monkeypatch.setattr(cache, "_regression", lambda *a: refits.append(1) or real(*a))
    again = roi.shared_fit(*mmm, **ARGS)
    pd.testing.assert_series_equal(again.regression.params, fresh.regression.params)
    pd.testing.assert_series_equal(again.fitted(), fresh.fitted())
    assert refits == []  # the coefficients and fitted values were stored
    np.testing.assert_array_equal(again.regression.bse, fresh.regression.bse)  # anything else: refitted
    assert refits == [1]
    again.regression.rsquared  # noqa: B018 - once
    assert refits == [1]


def test_stored_regression_arrays_that_do_not_fit_the_fit_are_refitted(counted, mmm, caplog):
    roi.shared_fit(*mmm, **ARGS)
    (entry,) = [p for p in cache.cache_root().iterdir() if p.is_dir()]
    with np.load(entry / "arrays.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["regression_params"] = arrays["regression_params"][:-1]  # one coefficient short, hash updated
    np.savez(entry / "arrays.npz", **arrays)
    meta = json.loads((entry / "meta.json").read_text())
    meta["sha256"]["arrays.npz"] = store.sha256(entry / "arrays.npz")
    (entry / "meta.json").write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING, logger="socialreturns.roi.cache"):
        fit = roi.shared_fit(*mmm, **ARGS)
    assert len(counted) == 2 and "do not match" in caplog.text
    _assert_same_fit(fit, roi.fit_incremental(*mmm, **ARGS))
