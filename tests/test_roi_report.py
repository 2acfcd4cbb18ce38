"""How the ROI page shows its results: spend by week with its pauses, the attribution models by
name, no lift-test tables without lift tests, not-identified channels named so (hand-made cases)."""

from types import SimpleNamespace

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE
from socialreturns import roi


def test_weekly_spend_keeps_pauses_as_zero_weeks_and_every_unit_of_spend():
    spend = pd.DataFrame({
        "date": pd.to_datetime(["2025-01-06", "2025-01-08", "2025-01-27", "2025-01-07"], utc=True),
        "channel": ["a", "a", "a", "b"], "spend": [10.0, 5.0, 7.0, 3.0],
    })  # fmt: skip
    weeks = roi.weekly_spend(spend).set_index(["week", "channel"])["spend"]
    mondays = pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"])
    assert weeks.xs("a", level="channel").to_dict() == dict(zip(mondays, [15.0, 0.0, 0.0, 7.0], strict=True))
    assert weeks.xs("b", level="channel").to_dict() == dict(zip(mondays, [3.0, 0.0, 0.0, 0.0], strict=True))
    assert weeks.sum() == pytest.approx(spend["spend"].sum())


def test_the_attribution_models_read_by_name_in_their_order():
    long = pd.DataFrame({"model": list(roi.MODELS) * 2, "channel": ["x"] * 6 + ["y"] * 6,
                         "revenue": [1.0] * 6 + [2.0] * 6, "share": [0.5] * 12})  # fmt: skip
    wide = roi.attribution_table(long)
    assert list(wide.columns) == [
        "last touch",
        "first touch",
        "linear",
        "time decay",
        "position based",
        "Markov",
    ]
    assert wide.index.tolist() == ["y", "x"] and (wide.loc["y"] == 2.0).all()
    assert set(roi.readable_models(long)["model"]) == set(wide.columns)


def test_no_lift_tests_no_tables():
    assert roi.calibration_tables(SimpleNamespace(experiments=None), currency="EUR") == []


def test_not_identified_channels_are_named_so():
    summary = pd.DataFrame({"channel": ["tiktok", "linkedin"], "identifiable": [True, False]})
    curves = pd.DataFrame({"channel": ["tiktok", "linkedin"], "spend": [1.0, 2.0]})
    marked = roi.mark_not_identified(curves, summary)
    assert marked["channel"].tolist() == ["tiktok", "linkedin (not identified)"]
    assert marked["spend"].tolist() == [1.0, 2.0]


def _true_lift(channel: str, days: int = 28) -> dict[str, object]:
    """A perfect lift test of a sample channel: its true contribution (the generator's curve,
    `synth.load_truth`) over ``days`` days from the middle of its spending days, standard error 10%."""
    import numpy as np

    from socialreturns import synth
    from socialreturns.synth.commerce import _adstock, _hill

    truth = synth.load_truth(SAMPLE).channels[channel]
    spend = pd.read_csv(SAMPLE / "spend.csv", parse_dates=["date"])
    daily = spend.groupby(["date", "channel"])["spend"].sum().unstack(fill_value=0.0)
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"), fill_value=0.0)
    x = daily[channel].to_numpy()
    contribution = truth["beta"] * _hill(_adstock(x, truth["adstock_decay"]), truth["half_saturation"],
                                         truth["hill_shape"])  # fmt: skip
    assert contribution.sum() / x.sum() == pytest.approx(truth["roas"], rel=1e-4)  # the truth's own ROAS
    on = np.flatnonzero(x > 0)
    first = on[len(on) // 2]
    lift = float(contribution[first : first + days].sum())
    return {"channel": channel, "start_date": f"{daily.index[first]:%Y-%m-%d}",
            "end_date": f"{daily.index[first + days - 1]:%Y-%m-%d}", "incremental_revenue": round(lift, 2),
            "standard_error": round(0.1 * lift, 2)}  # fmt: skip


@pytest.mark.slow
def test_the_roi_page_shows_the_sample_calibrated_by_lift_tests(sample_copy, tmp_path):
    import re

    from socialreturns import notebook, synth

    pd.DataFrame([_true_lift("linkedin"), _true_lift("pinterest")]).to_csv(
        sample_copy / "experiments.csv", index=False
    )
    result = notebook.execute(ROOT / "notebooks" / "roi.ipynb", tmp_path / "roi.ipynb",
                              parameters={"data_dir": str(sample_copy)})  # fmt: skip
    assert result.status == "ok", result.error
    page = result.html.read_text()
    assert "2 lift tests calibrated the fit" in page
    assert "ROAS before and after calibration" in page and "Lift tests against the model" in page
    # the implied lifts meet the tests after calibration, not before
    after, before = map(float, re.search(r"within ([\d.]+) standard errors of the measured ones "
                                         r"\(before: ([\d.]+)\)", page).groups())  # fmt: skip
    assert after < 0.5 < 1.5 < before
    # linkedin's ROAS moves to its truth (0.70); a channel the fit still does not identify says so
    truth = synth.load_truth(SAMPLE).channels
    moved = dict(re.findall(r"(linkedin|pinterest) [\d.]+ → ([\d.]+)", page))
    assert float(moved["linkedin"]) == pytest.approx(truth["linkedin"]["roas"], rel=0.05)
    for channel in result.records["not_identified"]:
        assert f"{channel} (not identified)" in page
        if channel in moved:
            assert re.search(rf"{channel} [\d.]+ → [\d.]+ \(still not identified: no finding\)", page)
