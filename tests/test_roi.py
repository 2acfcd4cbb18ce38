"""ROI: journeys and attribution on hand-computed cases and the sample data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import data, roi
from socialreturns.data import InputError

T0 = pd.Timestamp("2025-01-01", tz="UTC")


def _touch(rows):
    """rows: (customer, day, channel)."""
    return pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "timestamp": [T0 + pd.Timedelta(days=r[1]) for r in rows],
        "channel": [r[2] for r in rows],
        "campaign": [f"{r[2]}_c" for r in rows],
    })  # fmt: skip


def _orders(rows):
    """rows: (order_id, customer, day, revenue)."""
    return pd.DataFrame({
        "order_id": [r[0] for r in rows],
        "customer_id": [r[1] for r in rows],
        "timestamp": [T0 + pd.Timedelta(days=r[2]) for r in rows],
        "revenue": [float(r[3]) for r in rows],
    })  # fmt: skip


@pytest.fixture
def three_paths():
    """Journeys A -> conversion, A -> B -> conversion, B -> null."""
    touch = _touch([("u1", 0, "A"), ("u2", 0, "A"), ("u2", 2, "B"), ("u3", 0, "B")])
    orders = _orders([("o1", "u1", 1, 100), ("o2", "u2", 3, 50)])
    return touch, orders


def test_journeys_assign_touches_to_the_next_order_in_the_window():
    touch = _touch([("u1", 0, "A"), ("u1", 5, "B"), ("u1", 50, "C"), ("u1", 120, "D"),
                    ("u1", 200, "E"), ("u2", 1, "F")])  # fmt: skip
    orders = _orders([("o1", "u1", 10, 80), ("o2", "u1", 60, 20)])
    j = roi.build_journeys(touch, orders, lookback_days=30)
    by_channel = j.set_index("channel")
    assert by_channel.loc["A", "order_id"] == "o1" and by_channel.loc["B", "order_id"] == "o1"
    assert by_channel.loc["C", "order_id"] == "o2"
    assert by_channel.loc["B", "days_before"] == pytest.approx(5.0)
    # D and E are 80 days apart: two non-converting journeys; u2's touch a third.
    assert j.loc[~j["converted"], "journey_id"].nunique() == 3
    assert by_channel.loc["D", "revenue"] == 0.0
    assert list(j[j["order_id"] == "o1"]["position"]) == [0, 1]
    assert set(j[j["order_id"] == "o1"]["length"]) == {2}


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("last_touch", {"A": (1.0, 100.0), "B": (1.0, 50.0)}),
        ("first_touch", {"A": (2.0, 150.0)}),
        ("linear", {"A": (1.5, 125.0), "B": (0.5, 25.0)}),
        # Position-based with two touches: first and last split 0.4 : 0.4, i.e. half each.
        ("position_based", {"A": (1.5, 125.0), "B": (0.5, 25.0)}),
        # Markov (hand-computed): P(conv) = 2/3; without A 1/6, without B 1/3; removal
        # effects 3/4 and 1/2, shares 0.6 and 0.4 of 2 orders and 150 revenue.
        ("markov", {"A": (1.2, 90.0), "B": (0.8, 60.0)}),
    ],
)
def test_attribution_hand_computed(three_paths, model, expected):
    touch, orders = three_paths
    out = roi.attribute(touch, orders, model=model).set_index("channel")
    got = {ch: (row.conversions, row.revenue) for ch, row in out.iterrows()}
    assert got.keys() == expected.keys()
    for ch, (conv, rev) in expected.items():
        assert got[ch] == pytest.approx((conv, rev)), ch


def test_time_decay_hand_computed(three_paths):
    touch, orders = three_paths
    # u2: A is 3 days, B 1 day before the order; half-life 2 days -> weights 2^-1.5, 2^-0.5.
    out = roi.attribute(touch, orders, model="time_decay", half_life_days=2.0)
    wa, wb = 2**-1.5, 2**-0.5
    a = out.set_index("channel").loc["A", "conversions"]
    assert a == pytest.approx(1.0 + wa / (wa + wb))


def test_position_based_three_touches():
    touch = _touch([("u1", 0, "A"), ("u1", 1, "B"), ("u1", 2, "C"), ("u1", 3, "D")])
    orders = _orders([("o1", "u1", 4, 10)])
    out = roi.attribute(touch, orders, model="position_based").set_index("channel")
    assert out["conversions"].to_dict() == pytest.approx({"A": 0.4, "B": 0.1, "C": 0.1, "D": 0.4})


def test_markov_removal_effects_hand_computed(three_paths):
    journeys = roi.build_journeys(*three_paths)
    effects = roi.markov_removal_effects(journeys)
    assert effects.to_dict() == pytest.approx({"A": 0.75, "B": 0.5})


@pytest.fixture(scope="module")
def sample_tables():
    return data.load_tables(SAMPLE, tables=("touchpoints", "orders"))


@pytest.mark.parametrize("model", roi.MODELS)
def test_every_model_conserves_the_total(sample_tables, model):
    t = sample_tables
    out = roi.attribute(t.touchpoints, t.orders, model=model)
    journeys = roi.build_journeys(t.touchpoints, t.orders)
    attributed = journeys[journeys["converted"]].drop_duplicates("order_id")
    assert out["conversions"].sum() == pytest.approx(len(attributed), rel=1e-9)
    assert out["revenue"].sum() == pytest.approx(attributed["revenue"].sum(), rel=1e-9)
    assert out["share"].sum() == pytest.approx(1.0)
    assert (out["conversions"] >= 0).all()


@pytest.mark.parametrize("model", ["linear", "markov"])
def test_campaign_breakdown_sums_to_channels(sample_tables, model):
    t = sample_tables
    channels = roi.attribute(t.touchpoints, t.orders, model=model).set_index("channel")
    campaigns = roi.attribute(t.touchpoints, t.orders, model=model, by="campaign")
    assert {"channel", "campaign"} <= set(campaigns.columns)
    total = campaigns["conversions"].sum()
    assert total == pytest.approx(channels["conversions"].sum(), rel=1e-9)
    if model == "linear":  # rule-based credit adds up exactly from campaigns to channels
        summed = campaigns.groupby("channel")["conversions"].sum()
        pd.testing.assert_series_equal(
            summed.sort_index(), channels["conversions"].sort_index(), check_names=False
        )


def test_last_touch_credits_the_acquiring_channel(sample_tables):
    """In the sample, a paid acquisition's own channel is its last touch before the first order."""
    customers = data.load_customers(SAMPLE)
    t = sample_tables
    paid = customers[customers["acquisition_channel"].isin(["tiktok", "facebook"])]
    first = t.orders.drop_duplicates("customer_id")
    first = first[first["customer_id"].isin(paid["customer_id"])]
    journeys = roi.build_journeys(t.touchpoints, first)
    last = journeys[journeys["converted"] & (journeys["position"] == journeys["length"] - 1)]
    acq = paid.set_index("customer_id")["acquisition_channel"]
    agree = (last["channel"].to_numpy() == acq.reindex(last["customer_id"]).to_numpy()).mean()
    assert agree > 0.8


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"model": "shapley"}, "model"),
        ({"model": "linear", "by": "platform"}, "by"),
        ({"model": "time_decay", "half_life_days": 0}, "half_life_days"),
        ({"model": "position_based", "position_weights": (0.5, 0.5, 0.5)}, "position_weights"),
        ({"model": "linear", "lookback_days": -1}, "lookback_days"),
    ],
)
def test_bad_arguments_name_the_key(three_paths, kwargs, key):
    with pytest.raises(InputError) as info:
        roi.attribute(*three_paths, **kwargs)
    assert info.value.key == key


def test_no_attributable_order_is_a_clear_error():
    touch = _touch([("u1", 0, "A")])
    orders = _orders([("o1", "u1", 90, 10)])
    with pytest.raises(InputError) as info:
        roi.attribute(touch, orders, model="linear")
    assert info.value.key == "lookback_days"


def test_compare_models_is_long_and_complete(three_paths):
    table = roi.compare_models(*three_paths)
    assert set(table["model"]) == set(roi.MODELS)
    assert np.allclose(table.groupby("model")["conversions"].sum(), 2.0)
