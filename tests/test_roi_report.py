"""How the ROI page shows its results: spend by week with its pauses, the attribution models by
name, no lift-test tables without lift tests, not-identified channels named so (hand-made cases)."""

from types import SimpleNamespace

import pandas as pd
import pytest

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
