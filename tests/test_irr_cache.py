"""The IRR report reads the same with and without its caches (tables, ROI fit, backtests, outlook):
the notebook's own cells run three times in this process, cache off, cold and warm."""

from __future__ import annotations

import json

import matplotlib
import pandas as pd
import pytest

from conftest import ROOT
from socialreturns import forecast, notebook
from socialreturns.data import load
from socialreturns.roi import cache as roi_cache

#: Fewer replicates and draws than the report: the same code paths, in seconds.
SMALL = {"n_bootstrap": 20, "n_sims": 2000}
FRAMES = ("history", "backtests", "outlook", "demand", "plan", "flows", "reconciliation", "swings")


def _plain(value):
    """A recorded value as comparable data (a Series, e.g. the backtests' MASE, as a dict)."""
    return value.to_dict() if isinstance(value, pd.Series) else value


def _run(monkeypatch):
    """Execute the notebook's code cells with `SMALL`; its records, frames and the computations
    each cache saves (table parses, backtest folds, ROI fits) counted."""
    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    records, counts = {}, {"parsed": 0, "folds": 0, "fits": 0}
    monkeypatch.setattr(
        notebook, "record", lambda figure, value: records.__setitem__(figure.name, _plain(value))
    )
    for name, module, attribute in (("parsed", load, "_read_raw"), ("folds", forecast, "backtest"),
                                    ("fits", roi_cache, "fit_incremental")):  # fmt: skip
        real = getattr(module, attribute)

        def counted(*args, _real=real, _name=name, **kwargs):
            counts[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, attribute, counted)
    cells = json.loads((ROOT / "notebooks" / "irr_forecast.ipynb").read_text(encoding="utf-8"))["cells"]
    codes = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    namespace: dict = {}
    try:
        exec(codes[0], namespace)
        namespace.update(SMALL)
        for code in codes[1:]:
            exec(code, namespace)
    finally:
        plt.close("all")
        monkeypatch.undo()
    frames = {name: namespace[name] for name in FRAMES} | {"paths": namespace["sim"].paths}
    return records, frames, counts


@pytest.mark.slow
def test_the_report_reads_the_same_with_and_without_caches(monkeypatch, tmp_path):
    monkeypatch.setenv("SOCIALRETURNS_CACHE", "off")
    off = _run(monkeypatch)
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / "cache"))
    cold = _run(monkeypatch)
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / "cache"))
    warm = _run(monkeypatch)
    # three tables parsed: spend, orders and the lift tests (experiments.csv)
    assert off[2]["parsed"] == 3 and off[2]["folds"] > 0 and off[2]["fits"] >= 1
    assert cold[2] == off[2]  # a cold cache computes what no cache does
    assert warm[2] == {"parsed": 0, "folds": 0, "fits": 0}  # everything read back
    assert set(off[0]) >= {"npv", "irr", "mirr", "payback_months", "prob_irr_above_hurdle", "backtest_mase"}
    for run in (cold, warm):
        assert run[0] == off[0]  # every recorded figure, exactly
        for name, frame in off[1].items():
            equal = (
                pd.testing.assert_series_equal
                if isinstance(frame, pd.Series)
                else pd.testing.assert_frame_equal
            )
            equal(run[1][name], frame, check_exact=True)
