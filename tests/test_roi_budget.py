"""The budget: today's spend, break-even and the profit-maximising reallocation, on fits built
from known curves (hand-computed optima) and on the sample against its generator's truth."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import data, plots, roi, synth
from socialreturns.inputs import InputError


def _fit(curves, spend, *, margin=0.4, days=200, replicates=40, seed=0, cls=roi.IncrementalFit):
    """An `IncrementalFit` with known curves: ``curves`` maps channel to (decay, half-saturation,
    Hill shape, coef); ``spend`` to its daily spend (a number, or an array of ``days`` values).
    The bootstrap replicates scale each coef by 1 + N(0, 5%)."""
    dates = pd.date_range("2025-01-01", periods=days, freq="D", tz="UTC")
    names = list(curves)
    wide = pd.DataFrame(
        {c: np.broadcast_to(np.asarray(spend[c], dtype=float), days) for c in names}, index=dates
    )
    d, k, s, b = (np.array([curves[c][j] for c in names], dtype=float) for j in range(4))
    rng = np.random.default_rng(seed)
    boot = pd.DataFrame([
        {"replicate": r, "channel": c, "roas": 1.0, "adstock_decay": d[i], "half_saturation": k[i],
         "hill_shape": s[i], "coef": b[i] * (1 + 0.05 * rng.standard_normal())}
        for r in range(replicates) for i, c in enumerate(names)
    ])  # fmt: skip
    return cls(
        channels=names, not_identifiable={}, freq="D", dates=dates, spend=wide,
        revenue=pd.Series(0.0, index=dates), controls=pd.DataFrame(index=dates), decay=d, half_saturation=k,
        hill_shape=s, coef=b, regression=None, bootstrap=boot, alpha=0.1, margin_rate=margin,
    )  # fmt: skip


def _marginal_profit(fit, plan, margin):
    """margin · R'(x) − 1 at the recommended spend, by central differences of `steady_revenue`."""
    s = plan.table["recommended_spend"].to_numpy()
    params = (fit.decay, fit.half_saturation, fit.hill_shape, fit.coef)
    eps = 1e-5 * s
    slope = (roi.steady_revenue(s + eps, *params) - roi.steady_revenue(s - eps, *params)) / (2 * eps)
    return margin * slope - 1.0


def test_break_even_is_one_over_the_margin():
    assert roi.break_even_roas(0.4) == 2.5 and roi.break_even_roas(1.0) == 1.0
    with pytest.raises(InputError) as info:
        roi.break_even_roas(0.0)
    assert info.value.key == "margin_rate"


def test_steady_marginal_roas_is_the_derivative_of_steady_revenue():
    rng = np.random.default_rng(1)
    x, d = rng.uniform(1, 500, 50), rng.uniform(0, 0.9, 50)
    k, s, b = rng.uniform(20, 400, 50), rng.uniform(0.5, 3, 50), rng.uniform(100, 2000, 50)
    eps = 1e-4 * x
    numeric = (roi.steady_revenue(x + eps, d, k, s, b) - roi.steady_revenue(x - eps, d, k, s, b)) / (2 * eps)
    assert roi.steady_marginal_roas(x, d, k, s, b) == pytest.approx(numeric, rel=1e-6)
    # At zero spend with shape 1: coef / (half (1 - decay)); shape above 1: flat.
    assert roi.steady_marginal_roas(
        np.array([0.0, 0.0]), 0.5, 100.0, np.array([1.0, 2.0]), 200.0
    ).tolist() == [4.0, 0.0]


def test_current_spend_is_the_mean_of_the_recent_window():
    # 110 days at 50 a day, then 90 days at 10: today's spend is 10, the average (5,500 + 900) / 200 = 32.
    fit = _fit({"a": (0.0, 100.0, 1.0, 300.0)}, {"a": np.r_[np.full(110, 50.0), np.full(90, 10.0)]})
    assert roi.current_spend(fit)["a"] == pytest.approx(10.0)
    assert roi.current_spend(fit, recent_days=100)["a"] == pytest.approx((10 * 50 + 90 * 10) / 100)
    assert roi.current_spend(fit, recent_days=3000)["a"] == pytest.approx(32.0)
    curves = roi.response_curves(fit, points=5)
    assert curves.loc[curves["current"], "spend"].tolist() == pytest.approx([10.0])
    plan = roi.reallocate(fit, budget="free")
    assert plan.table["current_spend"].tolist() == pytest.approx([10.0]) and plan.recent_days == 90


def test_free_budget_stops_where_the_marginal_roas_meets_break_even():
    """Hill shape 1: R(x) = c a / (a + K), a = x / (1 - d), so R'(x) = 1 / m at
    a* = sqrt(c K m / (1 - d)) - K (hand-solved). With c = 2000, K = 100, d = 0.5, m = 0.4:
    a* = sqrt(160,000) - 100 = 300, x* = 150."""
    fit = _fit({"a": (0.5, 100.0, 1.0, 2000.0)}, {"a": 120.0})
    plan = roi.reallocate(fit, budget="free", max_change=0.5)
    row = plan.table.iloc[0]
    assert row["recommended_spend"] == pytest.approx(150.0, rel=1e-4)
    assert row["marginal_roas_recommended"] == pytest.approx(2.5, rel=1e-4) and row["break_even_roas"] == 2.5
    assert row["marginal_roas_current"] > 2.5 and plan.verdict == "grow"
    profit = lambda x: 0.4 * roi.steady_revenue(np.array([x]), 0.5, 100.0, 1.0, 2000.0)[0] - x  # noqa: E731
    assert row["current_profit"] == pytest.approx(profit(120.0))
    assert plan.gain == pytest.approx(profit(150.0) - profit(120.0), rel=1e-6) and plan.gain > 0
    assert plan.gain_lower <= plan.gain <= plan.gain_upper


def test_fixed_budget_equalises_marginal_returns():
    """Two shape-1 curves with the same K = 100 and coefs 4 : 1 earn the same marginal return
    where x_a + K = 2 (x_b + K); with the total 400 kept, x_b = (400 + 2K) / 3 - K = 100 and
    x_a = 300 (hand-solved). The higher marginal return gets more."""
    fit = _fit({"a": (0.0, 100.0, 1.0, 4000.0), "b": (0.0, 100.0, 1.0, 1000.0)}, {"a": 200.0, "b": 200.0})
    plan = roi.reallocate(fit, budget="fixed", max_change=0.9)
    t = plan.table.set_index("channel")
    assert t["recommended_spend"].to_dict() == pytest.approx({"a": 300.0, "b": 100.0}, rel=1e-4)
    assert t["marginal_roas_current"]["a"] > t["marginal_roas_current"]["b"]
    assert t.loc["a", "change"] > 0 > t.loc["b", "change"]
    assert t["marginal_roas_recommended"]["a"] == pytest.approx(t["marginal_roas_recommended"]["b"], rel=1e-4)
    assert plan.recommended_total == pytest.approx(400.0) == plan.current_total


def test_fixed_budget_keeps_the_total_given_or_todays():
    curves = {"a": (0.3, 80.0, 1.3, 900.0), "b": (0.6, 150.0, 0.8, 1500.0), "c": (0.1, 40.0, 2.0, 300.0)}
    fit = _fit(curves, {"a": 100.0, "b": 60.0, "c": 40.0})
    assert roi.reallocate(fit).table["recommended_spend"].sum() == pytest.approx(200.0, rel=1e-9)
    plan = roi.reallocate(fit, total_budget=230.0, max_change=0.5)
    assert plan.table["recommended_spend"].sum() == pytest.approx(230.0, rel=1e-9)
    assert plan.recommended_total == pytest.approx(230.0) and plan.budget == "fixed"
    shown = plan.overview()
    assert {"current_spend", "recommended_spend", "marginal_roas_current", "expected_profit"} <= set(
        shown.columns
    )
    pd.testing.assert_frame_equal(shown, plan.table[shown.columns])


def _random_fits(n=12, seed=5):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        k = int(rng.integers(2, 5))
        curves = {f"c{i}": (rng.uniform(0, 0.8), rng.uniform(30, 300), rng.uniform(0.6, 2.5), rng.uniform(100, 3000))
                  for i in range(k)}  # fmt: skip
        yield _fit(
            curves, {c: rng.uniform(20, 300) for c in curves}, margin=rng.uniform(0.2, 0.8), replicates=5
        )


@pytest.mark.parametrize("budget", ["free", "fixed"])
def test_kkt_conditions_hold_on_random_curves(budget):
    """At the optimum: channels strictly inside their bounds share one marginal profit (zero
    when the total is free); a channel at its upper bound earns at least that, one at its lower
    bound at most that. In a free budget a channel below break-even over its whole range never
    gains budget."""
    inside_seen = 0
    for fit in _random_fits():
        plan = roi.reallocate(fit, budget=budget, max_change=0.6)
        mp = _marginal_profit(fit, plan, fit.margin_rate)
        change = plan.table["change"].to_numpy()
        inside = np.abs(np.abs(change) - 0.6) > 1e-4
        inside_seen += inside.sum()
        level = 0.0 if budget == "free" else (mp[inside].mean() if inside.any() else None)
        if level is not None:
            assert np.abs(mp[inside] - level).max(initial=0) < 1e-3, plan.table
            assert (mp[change > 0.6 - 1e-4] >= level - 1e-3).all(), plan.table
            assert (mp[change < -0.6 + 1e-4] <= level + 1e-3).all(), plan.table
        if budget == "free":
            x = plan.table["current_spend"].to_numpy()
            grid = np.linspace(0.4, 1.6, 200)[:, None] * x
            best = roi.steady_marginal_roas(
                grid, fit.decay, fit.half_saturation, fit.hill_shape, fit.coef
            ).max(axis=0)
            losing = best < roi.break_even_roas(fit.margin_rate)
            assert (plan.table["recommended_spend"].to_numpy()[losing] <= x[losing] * (1 + 1e-9)).all()
        assert plan.gain >= -1e-9
    assert inside_seen >= 3  # the interior condition was exercised


def test_free_budget_below_break_even_everywhere_cuts_spend():
    curves = {"a": (0.5, 400.0, 1.0, 1000.0), "b": (0.2, 300.0, 1.2, 600.0)}  # marginal ROAS < 2.5 throughout
    fit = _fit(curves, {"a": 250.0, "b": 150.0})
    plan = roi.reallocate(fit, budget="free", max_change=0.3)
    t = plan.table
    assert (t["marginal_roas_current"] < 2.5).all() and plan.verdict == "cut"
    assert t["change"].to_numpy() == pytest.approx([-0.3, -0.3])
    assert plan.recommended_total == pytest.approx(0.7 * 400.0) and plan.current_total == pytest.approx(400.0)
    assert plan.gain > 0 and plan.gain_lower <= plan.gain <= plan.gain_upper
    assert t["expected_profit"].sum() - t["current_profit"].sum() == pytest.approx(plan.gain)
    # A floor on the total stops the cut there.
    floored = roi.reallocate(fit, budget="free", max_change=0.3, min_total=350.0)
    assert floored.recommended_total == pytest.approx(350.0, rel=1e-6)
    text = "\n".join(roi.reallocation_conclusions(plan, currency="EUR", alpha=0.1))
    assert "**Cut spend.**" in text and "break-even ROAS = 1 / margin" in text and "2.50" in text
    assert "Total spend 400 → 280 EUR per day (-120 EUR per day, -30%)" in text
    assert f"{plan.gain:+,.0f} EUR per day" in text
    first = t.sort_values("marginal_roas_current").iloc[0]  # the lowest marginal return is cut first
    assert f"Cut first {first['channel']} {first['current_spend']:,.0f} →" in text


class _OneUnidentified(roi.IncrementalFit):
    """A fit whose summary marks channel "b" not identified (as the fit's checks may)."""

    def summary(self) -> pd.DataFrame:
        out = super().summary()
        return out.assign(identifiable=out["channel"] != "b")


def test_fixed_and_unidentified_channels_keep_their_spend():
    curves = {"a": (0.3, 80.0, 1.0, 3000.0), "b": (0.3, 80.0, 1.0, 3000.0), "c": (0.1, 200.0, 1.0, 200.0)}
    fit = _fit(curves, {"a": 100.0, "b": 100.0, "c": 100.0}, cls=_OneUnidentified)
    for budget in ("fixed", "free"):
        plan = roi.reallocate(fit, budget=budget, fixed_channels=["a"], max_change=0.5)
        t = plan.table.set_index("channel")
        assert t.loc["a", "recommended_spend"] == t.loc["a", "current_spend"] == 100.0
        assert t.loc["b", "recommended_spend"] == t.loc["b", "current_spend"] == 100.0
        assert t["held"].to_dict() == {"a": "fixed", "b": "not identified", "c": ""}
    # With a and b held and the total fixed, c cannot move; the verdict reads c alone.
    assert plan.verdict == "cut" and t.loc["c", "change"] == pytest.approx(-0.5)
    fixed = roi.reallocate(fit, budget="fixed", fixed_channels=["a"], max_change=0.5)
    assert fixed.table["change"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    text = "\n".join(roi.reallocation_conclusions(plan, currency="EUR", alpha=0.1))
    assert (
        "a keeps its 100 EUR per day (fixed)" in text
        and "b keeps its 100 EUR per day (not identified)" in text
    )


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"margin_rate": 0.0}, "margin_rate"),
        ({"margin_rate": 1.5}, "margin_rate"),
        ({"budget": "flexible"}, "budget"),
        ({"total_budget": -5.0}, "total_budget"),
        ({"total_budget": 1e6}, "total_budget"),
        ({"budget": "free", "total_budget": 100.0}, "total_budget"),
        ({"min_total": 10.0}, "min_total"),
        ({"budget": "free", "min_total": 300.0, "max_total": 200.0}, "min_total"),
        ({"budget": "free", "min_total": 1e6}, "min_total"),
        ({"budget": "free", "max_total": 1.0}, "max_total"),
        ({"budget": "free", "max_total": float("nan")}, "max_total"),
        ({"max_change": 1.0}, "max_change"),
        ({"fixed_channels": ["nope"]}, "fixed_channels"),
        ({"fixed_channels": "a"}, "fixed_channels"),
        ({"recent_days": 0}, "recent_days"),
        ({"recent_days": 1.5}, "recent_days"),
    ],
)
def test_bad_arguments_name_the_key(kwargs, key):
    fit = _fit({"a": (0.3, 80.0, 1.0, 900.0), "b": (0.3, 80.0, 1.0, 900.0)}, {"a": 100.0, "b": 100.0})
    with pytest.raises(InputError) as info:
        roi.reallocate(fit, **kwargs)
    assert info.value.key == key


def test_parameters_map_the_budget_and_refuse_mixed_bounds():
    p = roi.Parameters(budget="free", max_budget_per_day=500.0)
    assert (p.total_budget, p.min_total, p.max_total) == (None, 0.0, 500.0)
    p = roi.Parameters(budget="fixed", budget_per_day=700.0)
    assert (p.total_budget, p.min_total, p.max_total) == (700.0, None, None)
    for kwargs, key in [({"budget": "free", "budget_per_day": 700.0}, "budget_per_day"),
                        ({"budget": "fixed", "max_budget_per_day": 700.0}, "max_budget_per_day"),
                        ({"budget": "free", "min_budget_per_day": 9.0, "max_budget_per_day": 5.0}, "min_budget_per_day"),
                        ({"budget": "grow"}, "budget"), ({"recent_days": 0}, "recent_days")]:  # fmt: skip
        with pytest.raises(InputError) as info:
            roi.Parameters(**kwargs)
        assert info.value.key == key


def test_plots_draw_break_even():
    frame = pd.DataFrame(
        {"channel": ["a", "b"], "roas": [1.2, 3.0], "ci_lower": [0.8, 2.0], "ci_upper": [1.5, 4.0]}
    )
    ax = plots.forest(frame, label="channel", estimate="roas", lower="ci_lower", upper="ci_upper",
                      break_even=2.5, break_even_label="break-even at 40% margin")  # fmt: skip
    lines = {ln.get_label(): ln.get_xdata() for ln in ax.get_lines()}
    assert list(lines["break-even at 40% margin"]) == [2.5, 2.5]
    plt.close(ax.figure)
    fit = _fit({"a": (0.3, 80.0, 1.0, 900.0)}, {"a": 100.0})
    curves = roi.response_curves(fit, points=9)
    fig = plots.response_curves(curves, currency="EUR", margin_rate=0.4)
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("break-even")]
    assert line.get_ydata() == pytest.approx(line.get_xdata() / 0.4)
    assert [ax.get_title() for ax in fig.axes] == ["a"]  # one panel per channel, the empty ones removed
    plt.close(fig)


@pytest.fixture(scope="module")
def sample_fit():
    spend, orders = data.load_spend(SAMPLE), data.load_orders(SAMPLE)
    return roi.fit_incremental(spend, roi.daily_revenue(orders), margin_rate=0.4, n_bootstrap=0)


def _truth_fit(fit):
    """The same fit with the generator's true curves."""
    t = synth.load_truth(SAMPLE).channels
    true = {
        k: np.array([t[c][k] for c in fit.channels])
        for k in ("adstock_decay", "half_saturation", "hill_shape", "beta")
    }
    return dataclasses.replace(fit, decay=true["adstock_decay"], half_saturation=true["half_saturation"],
                               hill_shape=true["hill_shape"], coef=true["beta"])  # fmt: skip


@pytest.mark.parametrize("recent_days", [90, 3660], ids=["last-90-days", "two-year-average"])
def test_sample_plan_moves_channels_as_the_truth_does(sample_fit, recent_days):
    """The plan from the fitted curves moves every channel the way the plan from the true curves
    does (where the truth moves it by 10% or more), and never grows a channel the truth cuts.

    From the two-year average (facebook 250 a day, the issue's "today") every channel is below
    break-even: cut, facebook included. From the last 90 days (facebook 67 a day) facebook's true
    marginal ROAS is above break-even (4.7 > 2.5), so both plans grow it."""
    plan = roi.reallocate(sample_fit, budget="free", recent_days=recent_days)
    truth = roi.reallocate(_truth_fit(sample_fit), budget="free", recent_days=recent_days)
    fitted, true = plan.table.set_index("channel"), truth.table.set_index("channel")
    free = fitted.index[fitted["held"] == ""]
    clear = [c for c in free if abs(true.loc[c, "change"]) >= 0.10]
    assert len(clear) >= 3
    assert (np.sign(fitted.loc[clear, "change"]) == np.sign(true.loc[clear, "change"])).all(), (fitted, true)
    assert not ((fitted.loc[free, "change"] > 0.01) & (true.loc[free, "change"] < -0.01)).any()
    assert plan.recommended_total < plan.current_total and truth.recommended_total < truth.current_total
    if recent_days == 3660:
        assert plan.verdict == truth.verdict == "cut" and fitted.loc["facebook", "change"] < 0


def test_the_overview_blanks_marginal_returns_that_say_nothing():
    # b is not identified; d has spent nothing lately (pinterest on the sample), on a curve steeper
    # than linear at 0 (shape < 1): its marginal ROAS there is infinite, which must not print as "inf"
    curves = {"a": (0.3, 80.0, 1.0, 3000.0), "b": (0.3, 80.0, 1.0, 3000.0), "c": (0.1, 200.0, 1.0, 200.0),
              "d": (0.2, 50.0, 0.7, 500.0)}  # fmt: skip
    paused = np.r_[np.full(100, 50.0), np.zeros(100)]
    fit = _fit(curves, {"a": 100.0, "b": 100.0, "c": 100.0, "d": paused}, cls=_OneUnidentified)
    plan = roi.reallocate(fit, budget="fixed", max_change=0.5)
    raw = plan.table.set_index("channel")
    assert np.isinf(raw.loc["d", "marginal_roas_current"])
    shown = plan.overview().set_index("channel")
    marginal = ["marginal_roas_current", "marginal_roas_recommended"]
    assert shown.loc[["b", "d"], marginal].isna().all().all()
    assert shown.loc[["a", "c"], marginal].to_numpy() == pytest.approx(
        raw.loc[["a", "c"], marginal].to_numpy()
    )
    assert shown["held"].to_dict() == raw["held"].to_dict()


def test_reported_returns_make_no_finding_for_a_channel_not_identified():
    summary = pd.DataFrame({
        "channel": ["a", "b"], "spend": [100.0, 50.0], "incremental_revenue": [300.0, 90.0], "roas": [3.0, 1.8],
        "ci_lower": [2.5, -0.2], "ci_upper": [3.5, 3.1], "marginal_roas": [1.2, 0.9], "roi": [0.2, -0.28],
        "adstock_decay": [0.5, 0.3], "half_saturation": [80.0, 40.0], "hill_shape": [1.0, 3.0],
        "identifiable": [True, False], "note": ["", "not identified: its Hill shape sits at its bound"],
    })  # fmt: skip
    shown = roi.reported_returns(summary).set_index("channel")
    assert not {"adstock_decay", "half_saturation", "hill_shape"} & set(shown.columns)
    assert shown.loc["b", list(roi.report.RETURN_COLUMNS)].isna().all()
    assert shown.loc["b", "spend"] == 50.0 and shown.loc["a", "roas"] == 3.0 and shown.loc["a", "roi"] == 0.2
    assert roi.not_identified(summary).to_dict() == {"b": "its Hill shape sits at its bound"}
    assert roi.not_identified(summary[summary["identifiable"]]).empty


def test_a_pause_inside_todays_window_is_said_and_no_profit_is_shown_unidentified():
    curves = {"a": (0.3, 80.0, 1.0, 3000.0), "b": (0.3, 80.0, 1.0, 3000.0), "e": (0.2, 60.0, 1.0, 900.0)}
    stopping = np.r_[np.full(180, 100.0), np.zeros(20)]  # spent 100 a day, paused for the last 20 days
    fit = _fit(curves, {"a": 100.0, "b": 100.0, "e": stopping}, cls=_OneUnidentified)
    plan = roi.reallocate(fit, budget="fixed", max_change=0.5)
    t = plan.table.set_index("channel")
    assert t.loc["e", "current_spend"] == pytest.approx(100.0 * 70 / 90)  # the 90-day mean
    assert t.loc["e", "latest_spend"] == pytest.approx(100.0 * 8 / 28)  # the last 28 days
    assert t.loc["a", "latest_spend"] == pytest.approx(100.0)
    shown = plan.overview().set_index("channel")
    assert shown.loc["b", ["current_profit", "expected_profit"]].isna().all()  # b is not identified
    assert shown.loc["a", ["current_profit", "expected_profit"]].notna().all()
    text = "\n".join(roi.reallocation_conclusions(plan, currency="EUR", alpha=0.1))
    lately = next(line for line in text.splitlines() if "a level to set" in line)
    assert "in the last 28 days e 29 EUR per day instead" in lately
    assert " a " not in lately.split("instead")[0]  # a channel that spent as usual is not listed
    assert roi.reallocation_conclusions(roi.reallocate(fit, budget="fixed", max_change=0.5, recent_days=28),
                                        currency="EUR", alpha=0.1)[-1].find("a level to set") == -1  # fmt: skip
