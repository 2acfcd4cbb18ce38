"""History at the data's own margin: recent ROAS and ROI per channel, the same in every scenario."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, SAMPLE
from socialreturns import roi
from socialreturns.inputs import InputError

DAYS = 420
DECAY, HALF, BETA = 0.4, 100.0, 400.0  # the generator's truth for "social"


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-01-01", periods=DAYS, freq="D", tz="UTC")
    x = np.where((np.arange(DAYS) // 14) % 2 == 0, rng.uniform(80, 120, DAYS), 0.0)
    tiny = np.where(np.arange(DAYS) % 50 == 0, 30.0, 0.0)  # spends on 2% of days: not identifiable
    revenue = 2000 + BETA * roi.hill(roi.adstock(x, DECAY), HALF, 1.0) + rng.normal(0, 15, DAYS)
    spend = pd.concat([pd.DataFrame({"date": dates, "channel": "social", "spend": x}),
                       pd.DataFrame({"date": dates, "channel": "tiny", "spend": tiny})])  # fmt: skip
    return roi.fit_incremental(spend, pd.DataFrame({"date": dates, "revenue": revenue}), n_bootstrap=30,
                               margin_rate=0.9, n_jobs=1)  # fmt: skip


def _truth_roas(days: int = 365) -> float:
    rng = np.random.default_rng(3)
    x = np.where((np.arange(DAYS) // 14) % 2 == 0, rng.uniform(80, 120, DAYS), 0.0)
    contribution = BETA * roi.hill(roi.adstock(x, DECAY), HALF, 1.0)
    return float(contribution[-days:].sum() / x[-days:].sum())


def test_data_margin_rate_hand_computed_and_on_the_sample():
    orders = pd.DataFrame({"revenue": [100.0, 300.0, 0.0], "gross_margin": [30.0, 130.0, 0.0]})
    assert roi.data_margin_rate(orders) == pytest.approx(0.4)
    sample = pd.read_csv(SAMPLE / "orders.csv", usecols=["revenue", "gross_margin"])
    assert roi.data_margin_rate(sample) == pytest.approx(
        sample["gross_margin"].sum() / sample["revenue"].sum()
    )
    assert round(roi.data_margin_rate(sample), 3) == 0.400
    with pytest.raises(InputError) as info:
        roi.data_margin_rate(orders.drop(columns="gross_margin"))
    assert info.value.column == "gross_margin"
    with pytest.raises(InputError) as info:
        roi.data_margin_rate(orders.iloc[[2]])
    assert info.value.column == "revenue"


def test_recent_returns_over_the_last_year(fit):
    table = roi.recent_returns(fit, margin_rate=0.4).set_index("channel")
    last_year = fit.dates > fit.dates.max() - pd.Timedelta(days=365)
    social = table.loc["social"]
    assert social["spend"] == pytest.approx(fit.spend["social"][last_year].sum())
    assert social["incremental_revenue"] == pytest.approx(fit.contributions()["social"][last_year].sum())
    assert social["roas"] == pytest.approx(social["incremental_revenue"] / social["spend"])
    assert social["roi"] == pytest.approx(social["roas"] * 0.4 - 1)
    assert social["ci_lower"] < social["roas"] < social["ci_upper"]
    assert social["roas"] == pytest.approx(_truth_roas(), rel=0.1)  # the generator's truth
    assert social["identifiable"] and social["note"] == ""
    total = table.loc[roi.ALL_CHANNELS]
    assert total["roas"] == pytest.approx(roi.recent_roas(fit)) and total["spend"] == social["spend"]


def test_history_does_not_move_with_the_scenario_margin(fit):
    # the notebook's margin and the fit's own margin differ by scenario; the history does not
    margin = 0.4
    one = roi.recent_returns(dataclasses.replace(fit, margin_rate=0.3), margin_rate=margin)
    other = roi.recent_returns(dataclasses.replace(fit, margin_rate=0.45), margin_rate=margin)
    pd.testing.assert_frame_equal(one, other)
    assert roi.recent_returns(fit, margin_rate=0.3)["roi"].iloc[0] != one["roi"].iloc[0]


def test_a_channel_not_identified_shows_its_note_not_a_return(fit, monkeypatch):
    table = roi.recent_returns(fit, margin_rate=0.4).set_index("channel")
    tiny = table.loc["tiny"]
    assert not tiny["identifiable"] and "too little variation" in tiny["note"]
    assert tiny[["spend", "incremental_revenue", "roas", "ci_lower", "ci_upper", "roi"]].isna().all()
    # a channel in the fit that the summary flags (e.g. a curve parameter at its bound)
    summary = roi.IncrementalFit.summary

    def flagged(self):
        out = summary(self)
        out.loc[out["channel"] == "social", ["identifiable", "note"]] = [False, "social: shape at its bound"]
        return out

    monkeypatch.setattr(roi.IncrementalFit, "summary", flagged)
    social = roi.recent_returns(fit, margin_rate=0.4).set_index("channel").loc["social"]
    assert (
        social["note"] == "social: shape at its bound"
        and np.isnan(social["roas"])
        and np.isnan(social["roi"])
    )
    assert social["spend"] > 0


def test_the_interval_comes_from_the_fits_replicates(fit):
    # every replicate equal to the estimate: the interval collapses onto it
    same = fit.bootstrap.copy()
    for col, values in [("adstock_decay", fit.decay), ("half_saturation", fit.half_saturation),
                        ("hill_shape", fit.hill_shape), ("coef", fit.coef)]:  # fmt: skip
        same[col] = same["channel"].map(dict(zip(fit.channels, values, strict=True)))
    row = roi.recent_returns(dataclasses.replace(fit, bootstrap=same), margin_rate=0.4).iloc[0]
    assert row["ci_lower"] == pytest.approx(row["roas"]) and row["ci_upper"] == pytest.approx(row["roas"])


def test_recent_returns_checks_its_arguments(fit):
    with pytest.raises(InputError) as info:
        roi.recent_returns(fit, margin_rate=40)
    assert info.value.key == "margin_rate"
    with pytest.raises(InputError) as info:
        roi.recent_returns(fit, margin_rate=0.4, days=0)
    assert info.value.key == "days"


def test_the_irr_notebook_shows_history_at_the_datas_margin():
    cells = [
        "".join(c["source"])
        for c in json.loads((ROOT / "notebooks" / "irr_forecast.ipynb").read_text())["cells"]
    ]
    history = [c for c in cells if "recent_returns(" in c]
    assert len(history) == 1
    assert "margin = roi.data_margin_rate(tables.orders)" in history[0]
    assert "margin_rate=margin" in history[0] and "params.margin_rate" not in history[0]
