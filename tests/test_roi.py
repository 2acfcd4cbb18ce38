"""ROI: journeys and attribution on hand-computed cases and the sample data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import data, roi
from socialreturns.inputs import InputError

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


# --------------------------------------------------------------------------- incremental return


def _mmm_data(seed=0, days=540, noise=20.0, weekly=False):
    """Two channels with known curves, a trend and noise (currency per day)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D", tz="UTC")
    on_a = (np.arange(days) // 21) % 2 == 0
    on_b = (np.arange(days) // 35) % 3 == 1
    spend = {
        "alpha": np.where(on_a, rng.uniform(50, 150, days), 0.0),
        "beta": np.where(on_b, rng.uniform(100, 300, days), 0.0),
    }
    truth = {"alpha": (0.5, 150.0, 1.0, 400.0), "beta": (0.2, 200.0, 1.5, 500.0)}
    revenue = 1000 + 0.5 * np.arange(days) + rng.normal(0, noise, days)
    roas = {}
    for ch, (decay, half, shape, beta) in truth.items():
        contrib = beta * roi.hill(roi.adstock(spend[ch], decay), half, shape)
        revenue = revenue + contrib
        roas[ch] = contrib.sum() / spend[ch].sum()
    long = pd.DataFrame(
        [(d, ch, v) for ch, vals in spend.items() for d, v in zip(dates, vals, strict=True)],
        columns=["date", "channel", "spend"],
    )
    rev = pd.DataFrame({"date": dates, "revenue": revenue})
    if weekly:  # weeks start on Mondays; 2024-01-01 is one

        def week(d):
            return d - pd.to_timedelta(d.dt.day_of_week, unit="D")

        long = long.groupby([week(long["date"]), "channel"], as_index=False)["spend"].sum()
        rev = rev.groupby(week(rev["date"]), as_index=False)["revenue"].sum()
    return long, rev, roas


def test_adstock_and_hill_known_values():
    assert roi.adstock(np.array([10.0, 0, 0, 10]), 0.5).tolist() == [10.0, 5.0, 2.5, 11.25]
    assert roi.hill(np.array([0.0, 3.0, 6.0]), 3.0, 2.0).tolist() == [0.0, 0.5, 0.8]


def test_incremental_return_recovers_known_curves():
    spend, revenue, roas = _mmm_data()
    fit = roi.fit_incremental(spend, revenue, n_bootstrap=30, margin_rate=0.4)
    table = fit.summary().set_index("channel")
    for ch, true in roas.items():
        assert table.loc[ch, "roas"] == pytest.approx(true, rel=0.05), ch
        assert table.loc[ch, "ci_lower"] <= table.loc[ch, "roas"] <= table.loc[ch, "ci_upper"]
        assert table.loc[ch, "roi"] == pytest.approx(table.loc[ch, "roas"] * 0.4 - 1)
        assert 0 < table.loc[ch, "marginal_roas"] < table.loc[ch, "roas"]
    assert table.loc["alpha", "adstock_decay"] == pytest.approx(0.5, abs=0.1)
    assert fit.regression.rsquared > 0.9
    contributions = fit.contributions().sum()
    assert contributions["beta"] == pytest.approx(table.loc["beta", "incremental_revenue"])


def test_incremental_return_on_weekly_data():
    spend, revenue, roas = _mmm_data(noise=5.0, weekly=True, days=728)
    fit = roi.fit_incremental(spend, revenue, n_bootstrap=20)
    assert fit.freq == "W"
    table = fit.summary().set_index("channel")
    for ch, true in roas.items():
        assert table.loc[ch, "roas"] == pytest.approx(true, rel=0.15), ch


def test_constant_channel_is_reported_not_identifiable():
    spend, revenue, _ = _mmm_data()
    flat = spend[spend["channel"] == "alpha"].assign(channel="gamma", spend=100.0)
    table = roi.incremental_return(pd.concat([spend, flat]), revenue, n_bootstrap=5)
    row = table.set_index("channel").loc["gamma"]
    assert not row["identifiable"] and "too little variation" in row["note"]
    assert np.isnan(row["roas"])


@pytest.mark.parametrize(
    ("change", "key", "text"),
    [
        ("unknown_channel", "channels", "never appears"),
        ("short_revenue", "revenue.date", "covers"),
        ("negative", "spend", "negative"),
        ("eight_weeks", "revenue.date", "8 weeks"),
    ],
)
def test_incremental_return_bad_input(change, key, text):
    spend, revenue, _ = _mmm_data()
    kwargs = {}
    if change == "unknown_channel":
        kwargs["channels"] = ["alpha", "delta"]
    if change == "short_revenue":
        revenue = revenue.iloc[30:]
    if change == "negative":
        spend.loc[3, "spend"] = -1.0
    if change == "eight_weeks":
        spend, revenue = spend[spend["date"] < spend["date"].min() + pd.Timedelta(days=50)], \
            revenue.iloc[:50]  # fmt: skip
    with pytest.raises(InputError) as info:
        roi.incremental_return(spend, revenue, n_bootstrap=5, **kwargs)
    assert info.value.key == key and text in str(info.value)


def _daily_revenue(orders):
    return (
        orders.assign(date=orders["timestamp"].dt.normalize())
        .groupby("date", as_index=False)["revenue"]
        .sum()
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", [None, 1, 2], ids=["sample", "seed1", "seed2"])
def test_incremental_roas_recovers_the_sample_truth(seed):
    """ROAS within 20% of the truth for every channel with at least 10% of spend, the truth
    inside the 90% interval for most channels, and every small channel either marked not
    identified or with the truth inside its interval."""
    from socialreturns import synth

    if seed is None:
        spend, orders = data.load_spend(SAMPLE), data.load_orders(SAMPLE)
        truth = synth.load_truth(SAMPLE)
    else:
        sample = synth.generate(seed)
        spend, orders, truth = sample.spend, sample.orders, sample.truth
    table = roi.incremental_return(spend, _daily_revenue(orders), n_bootstrap=100, seed=7)
    table = table.set_index("channel")
    inside = 0
    for channel, t in truth.channels.items():
        row = table.loc[channel]
        if t["spend_share"] >= 0.10:
            assert row["roas"] == pytest.approx(t["roas"], rel=0.20), channel
        else:
            assert not row["identifiable"] or row["ci_lower"] <= t["roas"] <= row["ci_upper"], channel
        inside += row["ci_lower"] <= t["roas"] <= row["ci_upper"]
    assert inside >= 4, table


@pytest.fixture(scope="module")
def small_fit():
    spend, revenue, _ = _mmm_data()
    return roi.fit_incremental(spend, revenue, n_bootstrap=30)


def test_response_curves(small_fit):
    curves = roi.response_curves(small_fit, points=11)
    recent = small_fit.spend[small_fit.spend.index > small_fit.spend.index.max() - pd.Timedelta(days=90)]
    for channel, c in curves.groupby("channel"):
        assert c["revenue"].iloc[0] == 0.0
        assert (np.diff(c["revenue"]) >= -1e-9).all(), channel
        assert ((c["ci_lower"] <= c["revenue"] + 1e-9) & (c["revenue"] <= c["ci_upper"] + 1e-9)).all()
        current = c[c["current"]].iloc[0]
        assert len(recent) == 90 and current["spend"] == pytest.approx(recent[channel].mean())
    # A window longer than the data: today's spend is the average over all of it.
    whole = roi.response_curves(small_fit, points=11, recent_days=3000)
    now = whole[whole["current"]].set_index("channel")["spend"]
    assert now.to_dict() == pytest.approx(small_fit.spend.mean().to_dict())


def test_reallocate_keeps_budget_and_bounds(small_fit):
    current = roi.current_spend(small_fit, recent_days=90)
    total = float(current.sum())
    plan = roi.reallocate(small_fit, total_budget=total, max_change=0.3)
    t = plan.table.set_index("channel")
    assert t["current_spend"].to_dict() == pytest.approx(current.to_dict())
    assert t["recommended_spend"].sum() == pytest.approx(total)
    assert ((t["change"] >= -0.3 - 1e-6) & (t["change"] <= 0.3 + 1e-6)).all()
    assert plan.gain >= -1e-9
    assert plan.gain_lower <= plan.gain <= plan.gain_upper + 1e-9
    # No room to move: the plan is the current split and gains nothing.
    frozen = roi.reallocate(small_fit, total_budget=total, max_change=0.0)
    assert frozen.gain == pytest.approx(0.0, abs=1e-6) and frozen.verdict == "hold"


def test_reallocation_is_optimal(small_fit):
    """Optimality (KKT) of the fixed budget at the fit's margin: channels strictly inside their
    bounds earn the same marginal profit; one at its upper bound at least that, one at its
    lower bound at most that."""
    f = small_fit
    plan = roi.reallocate(f, max_change=0.5, margin_rate=0.5)
    s = plan.table["recommended_spend"].to_numpy()
    params = (f.decay, f.half_saturation, f.hill_shape, f.coef)
    eps = 1e-4 * s
    marginal = (roi.steady_revenue(s + eps, *params) - roi.steady_revenue(s - eps, *params)) / (2 * eps)
    assert marginal == pytest.approx(plan.table["marginal_roas_recommended"].to_numpy(), rel=1e-5)
    change = plan.table["change"].to_numpy()
    inside = np.abs(np.abs(change) - 0.5) > 1e-4
    if inside.sum() >= 2:
        assert np.ptp(marginal[inside]) < 1e-3 * marginal[inside].mean()
    level = marginal[inside].mean() if inside.any() else np.median(marginal)
    assert (marginal[change > 0.5 - 1e-4] >= level - 1e-6).all()
    assert (marginal[change < -0.5 + 1e-4] <= level + 1e-6).all()
    assert plan.gain > 0


def test_reallocate_unreachable_budget_names_the_key(small_fit):
    with pytest.raises(InputError) as info:
        roi.reallocate(small_fit, total_budget=10 * float(roi.current_spend(small_fit).sum()))
    assert info.value.key == "total_budget" and "max_change" in str(info.value)


def _many_channels(k=10, weeks=156, seed=3):
    """k channels of weekly spend over three years with known curves and little noise."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=weeks, freq="7D", tz="UTC")
    rows, revenue, roas = [], 50_000 + 40 * np.arange(weeks) + rng.normal(0, 300, weeks), {}
    for i in range(k):
        on = rng.random(weeks) < 0.5
        x = np.where(on, rng.uniform(500, 1500, weeks), 0.0)
        contrib = (2000 + 300 * i) * roi.hill(roi.adstock(x, 0.3), 900.0, 1.0)
        revenue = revenue + contrib
        roas[f"ch{i}"] = contrib.sum() / x.sum()
        rows.append(pd.DataFrame({"date": dates, "channel": f"ch{i}", "spend": x}))
    return pd.concat(rows), pd.DataFrame({"date": dates, "revenue": revenue}), roas


def test_ten_weekly_channels_over_three_years():
    spend, revenue, roas = _many_channels()
    table = roi.incremental_return(spend, revenue, n_bootstrap=20).set_index("channel")
    assert list(table.index) == sorted(roas)
    errors = np.array([table.loc[c, "roas"] / r - 1 for c, r in roas.items()])
    assert np.median(np.abs(errors)) < 0.1 and np.abs(errors).max() < 0.3


def test_campaign_returns_join_spend(three_paths):
    touch, orders = three_paths
    spend = pd.DataFrame({"date": [T0, T0], "channel": ["A", "B"], "campaign": ["A_c", "B_c"],
                          "spend": [30.0, 0.0]})  # fmt: skip
    out = roi.campaign_returns(touch, orders, spend, model="linear").set_index("campaign")
    assert out.loc["A_c", "revenue"] == pytest.approx(125.0)
    assert out.loc["A_c", "roas"] == pytest.approx(125.0 / 30.0)
    assert np.isnan(out.loc["B_c", "roas"])  # no spend: no ratio, rather than infinity


def test_conclusions_state_the_figures():
    summary = pd.DataFrame({
        "channel": ["a", "b", "c"], "roas": [3.0, 1.5, np.nan], "ci_lower": [2.5, 1.0, np.nan],
        "ci_upper": [3.5, 2.0, np.nan], "roi": [0.2, -0.4, np.nan],
        "incremental_revenue": [300.0, 100.0, np.nan], "identifiable": [True, True, False],
        "note": ["", "", "c has too little variation in spend to estimate"],
    })  # fmt: skip
    last_touch = pd.DataFrame({"channel": ["a", "b"], "share": [0.5, 0.5], "revenue": [100.0, 100.0]})
    table = pd.DataFrame({
        "channel": ["a", "b"], "average_spend": [100.0, 100.0], "latest_spend": [100.0, 100.0],
        "current_spend": [100.0, 100.0], "recommended_spend": [130.0, 70.0],
        "change": [0.3, -0.3], "marginal_roas_current": [3.0, 1.0], "marginal_roas_recommended": [2.7, 1.4],
        "break_even_roas": 2.5, "held": "",
    })  # fmt: skip
    plan = roi.Reallocation(table, gain=12.0, gain_lower=4.0, gain_upper=20.0, margin_rate=0.4, break_even_roas=2.5,
                            budget="fixed", verdict="shift", recent_days=90, current_total=200.0,
                            recommended_total=200.0, max_change=0.3)  # fmt: skip
    text = roi.conclusions(summary, last_touch, plan, currency="EUR", alpha=0.1)
    assert "**a** returned the most: 3.00 EUR" in text and "(90% interval 2.50 to 3.50)" in text
    assert "**b** the least, 1.50" in text
    assert (
        "At the 40% margin (break-even ROAS 2.50), over the whole period, spend did not pay back: "
        "b (ROI -40%)"
    ) in text and "paid back: a" not in text  # a's interval 2.5-3.5 holds break-even
    assert "too close to call (the 90% interval holds break-even): a (ROI +20%)" in text
    assert "gives b 50% of the credit; the incremental model gives it 25%" in text
    assert ("the incremental model credits these channels with 400 EUR, more than attribution credits them"
            in text and "(200 EUR of tracked orders)" in text)  # fmt: skip
    assert "**Move budget.** At a 40% gross margin" in text and "break-even ROAS = 1 / margin" in text
    assert "a (3.00) is above break-even at the margin; b (1.00) is below" in text
    assert (
        "- Cut first b 100 → 70 EUR per day (-30%)." in text
        and "- Grow a 100 → 130 EUR per day (+30%)." in text
    )
    assert (
        "Total spend stays at 200 EUR per day; expected profit (gross margin less spend) +12 EUR per day "
        "(90% interval +4 to +20)" in text
    )
    assert (
        "**c** is not identified, so this report makes no ROI finding for it: c has too little variation"
        in text
    )


@pytest.mark.parametrize("identified", [0, 1])
def test_conclusions_when_few_channels_are_identified(identified):
    """A small or flat dataset may identify one channel or none: the conclusions still read (they
    raised IndexError with none), name no finding for the rest and rank nothing that is not there."""
    summary = pd.DataFrame({
        "channel": ["a", "b"], "roas": [3.0, 1.5], "ci_lower": [2.5, 1.0], "ci_upper": [3.5, 2.0],
        "roi": [0.2, -0.4], "incremental_revenue": [300.0, 100.0], "identifiable": [identified == 1, False],
        "note": ["its spend barely varies", "its spend barely varies"],
    })  # fmt: skip
    table = pd.DataFrame({
        "channel": ["a", "b"], "average_spend": [100.0, 100.0], "latest_spend": [100.0, 100.0],
        "current_spend": [100.0, 100.0], "recommended_spend": [100.0, 100.0], "change": [0.0, 0.0], "marginal_roas_current": [np.nan, np.nan],
        "marginal_roas_recommended": [np.nan, np.nan], "break_even_roas": 2.5, "held": "not identified",
    })  # fmt: skip
    plan = roi.Reallocation(table, gain=0.0, gain_lower=0.0, gain_upper=0.0, margin_rate=0.4, break_even_roas=2.5,
                            budget="fixed", verdict="hold", recent_days=90, current_total=200.0,
                            recommended_total=200.0, max_change=0.3)  # fmt: skip
    text = roi.conclusions(summary, pd.DataFrame({"channel": ["a", "b"], "share": [0.5, 0.5], "revenue": [1.0, 1.0]}),
                           plan,
                           currency="EUR", alpha=0.1)  # fmt: skip
    assert "**b** is not identified, so this report makes no ROI finding for it" in text
    assert "the least" not in text and "b (ROI" not in text
    if identified:
        assert "**a** is the only identified channel; it returned 3.00 EUR" in text
    else:
        assert "The data identify no channel's return" in text and "returned" not in text
        assert "every identifiable channel paid back" not in text
