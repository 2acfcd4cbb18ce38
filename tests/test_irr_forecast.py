"""Programme cash flows, returns, simulation and sensitivity on hand-made cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from socialreturns import finance, irr_forecast, roi
from socialreturns.inputs import InputError


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(0)
    days = 420
    dates = pd.date_range("2024-01-01", periods=days, freq="D", tz="UTC")
    x = np.where((np.arange(days) // 14) % 2 == 0, rng.uniform(80, 120, days), 0.0)
    revenue = 2000 + 400 * roi.hill(roi.adstock(x, 0.4), 100.0, 1.0) + rng.normal(0, 15, days)
    spend = pd.DataFrame({"date": dates, "channel": "social", "spend": x})
    return roi.fit_incremental(spend, pd.DataFrame({"date": dates, "revenue": revenue}),
                               n_bootstrap=40)  # fmt: skip


def _flat_demand(months):
    return pd.DataFrame({"month": pd.date_range("2025-01-01", periods=months, freq="MS"),
                         "index": np.ones(months), "sd": np.zeros(months)})  # fmt: skip


def test_cash_flows_hand_computed():
    flows = irr_forecast.cash_flows(setup_cost=100.0, monthly_spend=10.0,
                                    monthly_revenue=np.array([50.0, 50.0]), margin_rate=0.4,
                                    cost_of_capital_monthly=0.1)  # fmt: skip
    assert flows["net_cash_flow"].tolist() == [-100.0, 10.0, 10.0]
    assert flows["discounted"].tolist() == pytest.approx([-100.0, 10 / 1.1, 10 / 1.21])
    assert flows["cumulative"].tolist() == [-100.0, -90.0, -80.0]


def test_evaluate_matches_finance_functions():
    flows = irr_forecast.cash_flows(setup_cost=1000.0, monthly_spend=100.0,
                                    monthly_revenue=np.full(24, 400.0), margin_rate=0.5,
                                    cost_of_capital_monthly=0.01)  # fmt: skip
    r = irr_forecast.evaluate(flows, cost_of_capital_monthly=0.01)
    v = flows["net_cash_flow"].to_numpy()
    assert r.npv == pytest.approx(flows["discounted"].sum())
    assert (1 + r.irr_annual) ** (1 / 12) - 1 == pytest.approx(finance.irr(v))
    assert r.payback_months == pytest.approx(10.0)  # 1000 / 100 per month
    assert r.discounted_payback_months > r.payback_months


def test_plan_revenue_follows_the_curve(fit):
    plan = irr_forecast.plan_revenue(fit, {"social": 3000.0})
    per_day = 3000.0 / irr_forecast.DAYS_PER_MONTH
    expected = roi.steady_revenue(np.array([per_day]), fit.decay, fit.half_saturation,
                                  fit.hill_shape, fit.coef)[0] * irr_forecast.DAYS_PER_MONTH  # fmt: skip
    assert plan["revenue"].iloc[0] == pytest.approx(expected)
    more = irr_forecast.plan_revenue(fit, {"social": 6000.0})
    assert more["revenue"].iloc[0] > plan["revenue"].iloc[0]
    assert more["roas"].iloc[0] < plan["roas"].iloc[0]  # diminishing returns
    with pytest.raises(InputError) as info:
        irr_forecast.plan_revenue(fit, {"tiktok": 100.0})
    assert info.value.key == "spend_plan" and "social" in str(info.value)


def test_simulation_centres_on_the_point_estimate(fit):
    plan, demand = {"social": 3000.0}, _flat_demand(12)
    sim = irr_forecast.simulate(fit, plan, demand, setup_cost=5000.0, margin_rate=0.5,
                                cost_of_capital_monthly=0.01, hurdle_rate_annual=0.15,
                                n_sims=2000, seed=1)  # fmt: skip
    revenue = irr_forecast.plan_revenue(fit, plan)["revenue"].sum()
    flows = irr_forecast.cash_flows(setup_cost=5000.0, monthly_spend=3000.0,
                                    monthly_revenue=np.full(12, revenue), margin_rate=0.5,
                                    cost_of_capital_monthly=0.01)  # fmt: skip
    point = irr_forecast.evaluate(flows, cost_of_capital_monthly=0.01)
    spread = sim.paths["npv"].std()
    assert abs(sim.paths["npv"].median() - point.npv) < 0.5 * spread + 1e-9
    assert sim.prob_npv_positive == pytest.approx(np.mean(sim.paths["npv"] > 0))
    assert sim.prob_irr_above_hurdle == pytest.approx(np.mean(sim.paths["irr_annual"] > 0.15))
    same = irr_forecast.simulate(fit, plan, demand, setup_cost=5000.0, margin_rate=0.5,
                                 cost_of_capital_monthly=0.01, hurdle_rate_annual=0.15,
                                 n_sims=2000, seed=1)  # fmt: skip
    pd.testing.assert_frame_equal(sim.paths, same.paths)  # seeded


def test_tornado_base_and_directions(fit):
    demand = _flat_demand(12)
    swings = irr_forecast.tornado(fit, {"social": 3000.0}, demand, setup_cost=5000.0,
                                  margin_rate=0.5, cost_of_capital_annual=0.1)  # fmt: skip
    s = swings.set_index("driver")
    assert set(s.index) == {"cost of capital", "margin rate", "spend", "ROAS", "horizon", "set-up cost"}
    # the set-up cost is paid at month 0, undiscounted: 20% of it moves the NPV by exactly 1,000
    assert s.loc["set-up cost", "low"] - s["base"].iloc[0] == pytest.approx(1000.0)
    assert s["base"].iloc[0] - s.loc["set-up cost", "high"] == pytest.approx(1000.0)
    assert s.loc["margin rate", "high"] > s["base"].iloc[0] > s.loc["margin rate", "low"]
    assert s.loc["cost of capital", "high"] < s.loc["cost of capital", "low"]
    assert (np.diff(swings["range"]) <= 0).all()


def test_demand_index_averages_one_over_the_first_year():
    outlook = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=14, freq="MS"),
                            "mean": np.r_[np.linspace(90, 110, 12), 120, 130],
                            "ci_lower": 0.0, "ci_upper": 0.0})  # fmt: skip
    outlook["ci_lower"], outlook["ci_upper"] = outlook["mean"] - 10, outlook["mean"] + 10
    outlook.attrs["alpha"] = 0.1
    d = irr_forecast.demand_index(outlook)
    assert d["index"].iloc[:12].mean() == pytest.approx(1.0)
    assert d["sd"].iloc[0] == pytest.approx(10 / 1.6448536 / 100, rel=1e-5)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"cost_of_capital_annual": 9.0}, "cost_of_capital_annual"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"spend_plan": {"facebook": -5.0}}, "spend_plan"),
        ({"spend_plan": {"facebook": "lots"}}, "spend_plan"),
        ({"forecast_method": "prophet"}, "forecast_method"),
        ({"margin_rate": "40%"}, "margin_rate"),
        ({"roas_scale": 0.0}, "roas_scale"),
        ({"demand_scale": -1.0}, "demand_scale"),
        ({"demand_scaling": "yes"}, "demand_scaling"),
        ({"scenario": " "}, "scenario"),
    ],
)
def test_parameters_name_the_key(change, key):
    values = {"data_dir": "data/sample", "cost_of_capital_annual": 0.09, "hurdle_rate_annual": 0.15,
              "horizon_months": 24, "setup_cost": 1000.0, "spend_plan": {"facebook": 100.0},
              "margin_rate": 0.4, "n_sims": 1000, "seed": 0, "currency": "EUR", "scenario": "base",
              "forecast_method": "ets"} | change  # fmt: skip
    with pytest.raises(InputError) as info:
        irr_forecast.Parameters(**values)
    assert info.value.key == key


def test_history_vs_plan(fit):
    plan = irr_forecast.plan_revenue(fit, {"social": 3000.0})
    flows = irr_forecast.cash_flows(setup_cost=5000.0, monthly_spend=3000.0,
                                    monthly_revenue=np.full(12, plan["revenue"].sum()),
                                    margin_rate=0.5, cost_of_capital_monthly=0.01)  # fmt: skip
    returns = irr_forecast.evaluate(flows, cost_of_capital_monthly=0.01)
    recent = roi.recent_returns(fit, margin_rate=0.3)
    table = irr_forecast.history_vs_plan(recent, flows, returns)
    history, future = table.iloc[0], table.iloc[1]
    last_year = fit.dates > fit.dates.max() - pd.Timedelta(days=365)
    assert history["spend"] == pytest.approx(fit.spend[last_year].to_numpy().sum())
    # history at the margin it was given (the data's), the plan at the scenario's
    assert history["roi"] == pytest.approx(history["roas"] * 0.3 - 1)
    assert history["roas"] == pytest.approx(roi.recent_roas(fit))
    assert future["spend"] == pytest.approx(12 * 3000.0) and future["setup_cost"] == 5000.0
    assert future["roas"] == pytest.approx(future["incremental_revenue"] / future["spend"])  # checkable
    assert np.isnan(history["setup_cost"])
    assert future["roi"] == pytest.approx((12 * plan["revenue"].sum() * 0.5 - 12 * 3000.0 - 5000.0) / 41000.0)
    assert future["roas"] == pytest.approx(irr_forecast.plan_roas(flows))
    assert future["irr_annual"] == returns.irr_annual and np.isnan(history["npv"])
    assert future["view"] == "plan: next 12 months"
    with pytest.raises(InputError) as info:
        irr_forecast.history_vs_plan(roi.recent_returns(fit, margin_rate=0.3, total=False), flows, returns)
    assert info.value.key == "recent"


def _sim():
    paths = pd.DataFrame({"npv": np.linspace(-100, 2000, 101), "irr_annual": np.linspace(0, 0.4, 101),
                          "payback_months": np.full(101, 10.0)})  # fmt: skip
    return irr_forecast.Simulation(paths, prob_irr_above_hurdle=0.78, prob_npv_positive=0.95)


def test_conclusions_state_the_figures():
    returns = irr_forecast.Returns(npv=1234.0, irr_annual=0.2, mirr_annual=0.12, payback_months=10.5,
                                   discounted_payback_months=11.0)  # fmt: skip
    text = irr_forecast.conclusions(returns, _sim(), cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR", horizon_months=24)  # fmt: skip
    assert text.startswith("- **Worth funding.** At a 9% cost of capital the plan's NPV is **1,234 EUR**")
    assert "IRR **20.0% a year**, with a **78% chance of beating the 15% hurdle**" in text
    assert "clears it" in text and "from 5 to 1,895 EUR" in text  # 5th, 95th of the grid
    sure = irr_forecast.conclusions(returns, dataclasses.replace(_sim(), prob_irr_above_hurdle=0.84),
                                    cost_of_capital_annual=0.09, hurdle_rate_annual=0.15, currency="EUR",
                                    horizon_months=24)  # fmt: skip
    assert "with an **84% chance of beating" in sure
    assert "Payback after 10.5 months (11.0 months discounted)" in text
    never = irr_forecast.Returns(-5.0, -0.1, -0.05, np.nan, np.nan)
    text = irr_forecast.conclusions(never, _sim(), cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR", horizon_months=24)  # fmt: skip
    assert text.startswith("- **Not worth funding as planned.** ")  # the index's and the summary's rule
    assert (
        "does not pay back its set-up cost within the 24-month horizon" in text and "does not clear" in text
    )


def test_conclusions_never_read_nan():
    late = irr_forecast.Returns(npv=-5.0, irr_annual=0.05, mirr_annual=np.nan, payback_months=20.0,
                                discounted_payback_months=np.nan)  # fmt: skip
    text = irr_forecast.conclusions(late, _sim(), cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR", horizon_months=24)  # fmt: skip
    assert "Payback after 20.0 months (beyond the 24-month horizon discounted)" in text
    assert "MIRR none" in text and "nan" not in text.lower()
    lost = irr_forecast.Returns(npv=-5.0, irr_annual=np.nan, mirr_annual=np.nan, payback_months=np.nan,
                                discounted_payback_months=np.nan)  # fmt: skip
    text = irr_forecast.conclusions(lost, _sim(), cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR", horizon_months=36)  # fmt: skip
    assert "IRR **none (the cash flows never turn positive)**" in text and "does not clear" in text
    assert "36-month horizon" in text and "nan" not in text.lower()


def test_conclusions_name_the_largest_step_of_the_reconciliation():
    returns = irr_forecast.Returns(1.0, 0.2, 0.1, 5.0, 6.0)
    steps = pd.DataFrame({"step": ["history as flighted", "held steady", "demand: the plan"],
                          "roas": [2.0, 3.0, 2.7]})  # fmt: skip
    steps["change"] = steps["roas"] / steps["roas"].shift() - 1
    text = irr_forecast.conclusions(returns, _sim(), cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR", horizon_months=24, reconciliation=steps)  # fmt: skip
    assert "a ROAS of 2.70 against 2.00 in history; the largest step is *held steady* (+50%)" in text
    assert "holds only if the plan is spent evenly" in text  # the steady-spend step is the plan's main bet
    steps["roas"] = [2.0, 2.1, 3.5]
    steps["change"] = steps["roas"] / steps["roas"].shift() - 1
    other = irr_forecast.conclusions(returns, _sim(), cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                     currency="EUR", horizon_months=24, reconciliation=steps)  # fmt: skip
    assert "the largest step is *demand: the plan*" in other and "spent evenly" not in other


def _rising_demand(months):
    index = np.linspace(0.9, 1.3, months)
    return pd.DataFrame({"month": pd.date_range("2025-01-01", periods=months, freq="MS"),
                         "index": index, "sd": np.full(months, 0.02)})  # fmt: skip


def test_reconciliation_runs_from_history_to_the_plan(fit):
    plan_spend, demand = {"social": 2000.0}, _rising_demand(24)
    demand["index"] *= 0.9  # as demand_index(..., demand_scale=0.9) gives it
    steps = irr_forecast.reconcile(fit, plan_spend, demand, roas_scale=0.7, demand_scale=0.9, currency="EUR")
    assert steps["step"].tolist() == ["history as flighted", "the same spend held steady", "the plan's mix",
                                      "the plan's level", "the scenario's ROAS scale", "demand: the plan"]  # fmt: skip
    # the first row is the history table's ROAS, the last the plan's ROAS of its cash flows
    recent = roi.recent_returns(fit, margin_rate=0.4).set_index("channel")
    assert steps["roas"].iloc[0] == pytest.approx(recent.loc[roi.ALL_CHANNELS, "roas"])
    plan = irr_forecast.plan_revenue(fit, plan_spend, roas_scale=0.7)
    flows = irr_forecast.cash_flows(setup_cost=1.0, monthly_spend=plan["spend"].sum(),
                                    monthly_revenue=plan["revenue"].sum() * demand["index"].to_numpy(),
                                    margin_rate=0.4, cost_of_capital_monthly=0.01)  # fmt: skip
    assert steps["roas"].iloc[-1] == pytest.approx(irr_forecast.plan_roas(flows))
    assert steps["change"].iloc[1:].to_numpy() == pytest.approx(
        steps["roas"].pct_change().iloc[1:].to_numpy()
    )
    assert steps["change"].iloc[4] == pytest.approx(-0.3)  # the ROAS scale
    assert steps["change"].iloc[5] == pytest.approx(demand["index"].mean() - 1)
    assert "times the scenario's demand scale 0.9" in steps["explanation"].iloc[5]


def test_reconciliation_of_history_held_steady_changes_nothing_after_it(fit):
    # a plan that spends history's last year evenly: same mix, same level, demand flat
    last_year = fit.dates > fit.dates.max() - pd.Timedelta(days=365)
    per_month = fit.spend["social"][last_year].sum() / last_year.sum() * irr_forecast.DAYS_PER_MONTH
    steps = irr_forecast.reconcile(fit, {"social": per_month}, _flat_demand(12), demand_scaling=False)
    assert steps["roas"].iloc[1:].to_numpy() == pytest.approx(np.full(5, steps["roas"].iloc[1]))
    steady = roi.steady_revenue(np.array([per_month / irr_forecast.DAYS_PER_MONTH]), fit.decay,
                                fit.half_saturation, fit.hill_shape, fit.coef)[0]  # fmt: skip
    assert steps["roas"].iloc[1] == pytest.approx(steady / (per_month / irr_forecast.DAYS_PER_MONTH))
    assert "plan not scaled by forecast demand" in steps["explanation"].iloc[-1]


def test_demand_index_scaling_off_and_scaled():
    outlook = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=24, freq="MS"),
                            "mean": np.linspace(90, 130, 24)})  # fmt: skip
    outlook["ci_lower"], outlook["ci_upper"] = outlook["mean"] - 10, outlook["mean"] + 10
    on = irr_forecast.demand_index(outlook, demand_scale=0.8)
    off = irr_forecast.demand_index(outlook, demand_scaling=False, demand_scale=0.8)
    assert on["index"].iloc[:12].mean() == pytest.approx(0.8)
    assert off["index"].tolist() == pytest.approx([0.8] * 24) and off["sd"].tolist() == on["sd"].tolist()
    with pytest.raises(InputError) as info:
        irr_forecast.demand_index(outlook, demand_scale=0.0)
    assert info.value.key == "demand_scale"


def test_model_error_from_the_holdout_hand_computed(fit):
    dates = fit.dates[-56:]
    paid = fit.contributions().sum(axis=1).reindex(dates).to_numpy()
    actual = fit.revenue.reindex(dates).to_numpy()
    miss = np.r_[np.full(28, 0.1), np.full(28, -0.3)] * paid  # 10% then -30% of paid social's revenue
    frame = pd.DataFrame({"date": fit.dates, "actual": fit.revenue.to_numpy(), "predicted": fit.revenue.to_numpy(),
                          "holdout": fit.dates.isin(dates)})  # fmt: skip
    frame.loc[frame["holdout"], "predicted"] = actual + miss
    error = irr_forecast.model_error(roi.Holdout(frame, mape=0.05, rmse=1.0), fit)
    assert error.blocks == pytest.approx((0.1, -0.3))
    assert error.sd == pytest.approx(np.sqrt((0.1**2 + 0.3**2) / 2))
    assert error.holdout_days == 56 and error.to_frame()["blocks"].iloc[0] == 2


def _holdout_without_miss(fit):
    frame = pd.DataFrame({"date": fit.dates, "actual": fit.revenue.to_numpy(), "predicted": fit.revenue.to_numpy(),
                          "holdout": fit.dates.isin(fit.dates[-56:])})  # fmt: skip
    frame.loc[frame["holdout"].to_numpy().nonzero()[0][:28], "predicted"] += 1.0  # a tiny miss, one block
    return roi.Holdout(frame, mape=0.0, rmse=1.0)


def test_lift_tests_residuals_widen_the_model_error(fit):
    # a test that measured half the curve's lift over four weeks: the calibrated model sits between
    # the curve and the test, and its residual is what the simulation must draw as model error
    spend = pd.DataFrame({"date": fit.dates, "channel": "social", "spend": fit.spend["social"].to_numpy()})
    revenue = pd.DataFrame({"date": fit.dates, "revenue": fit.revenue.to_numpy()})
    window = fit.dates[100:128]
    implied = float(fit.contributions()["social"].reindex(window).sum())
    tests = pd.DataFrame({"channel": ["social"], "start_date": [window[0].date()], "end_date": [window[-1].date()],
                          "incremental_revenue": [implied / 2], "standard_error": [implied / 20]})  # fmt: skip
    calibrated = roi.fit_incremental(spend, revenue, n_bootstrap=0, experiments=tests)
    error = irr_forecast.model_error(_holdout_without_miss(calibrated), calibrated)
    row = roi.lift_tests(calibrated).iloc[0]
    expected = (row["lift_calibrated"] - row["measured"]) / row["lift_calibrated"]
    assert error.lift_residuals == pytest.approx((expected,)) and expected > 0.05
    assert error.sd == pytest.approx(max(abs(expected), error.holdout_sd)) and error.sd > error.holdout_sd
    assert error.to_frame()["lift_tests"].iloc[0] == 1
    scope = irr_forecast.simulation_scope(error, n_bootstrap=200, demand_scaling=True)
    assert "1 lift test, whose" in scope and f"{expected:+.0%}" in scope and "no lift tests" not in scope
    without = irr_forecast.model_error(_holdout_without_miss(fit), fit)
    assert without.lift_residuals == () and without.sd == without.holdout_sd
    assert "this data has no lift tests" in irr_forecast.simulation_scope(without, n_bootstrap=200,
                                                                          demand_scaling=True)  # fmt: skip


def _certain_curves(fit):
    """The fit with every bootstrap replicate equal to its estimate: only demand and model error vary."""
    same = fit.bootstrap.copy()
    for col, values in [("adstock_decay", fit.decay), ("half_saturation", fit.half_saturation),
                        ("hill_shape", fit.hill_shape), ("coef", fit.coef)]:  # fmt: skip
        same[col] = same["channel"].map(dict(zip(fit.channels, values, strict=True)))
    return dataclasses.replace(fit, bootstrap=same)


def test_simulation_draws_the_model_error(fit):
    certain, plan, demand = _certain_curves(fit), {"social": 3000.0}, _flat_demand(12)
    kwargs = {"setup_cost": 5000.0, "margin_rate": 0.5, "cost_of_capital_monthly": 0.01,
              "hurdle_rate_annual": 0.15, "n_sims": 4000, "seed": 2}  # fmt: skip
    exact = irr_forecast.simulate(certain, plan, demand, **kwargs)
    assert exact.paths["npv"].std() == pytest.approx(0.0, abs=1e-6)  # nothing drawn: no spread
    sim = irr_forecast.simulate(certain, plan, demand, model_error_sd=0.3, roas_scale=0.8, **kwargs)
    # NPV is linear in the revenue factor: recover each path's factor from its NPV
    revenue = irr_forecast.plan_revenue(certain, plan, roas_scale=0.8)["revenue"].sum()
    annuity = np.sum(1.01 ** -np.arange(1, 13))
    factor = (sim.paths["npv"] + 5000.0 + 3000.0 * annuity) / (revenue * 0.5 * annuity)
    sd = np.sqrt(np.exp(0.3**2) - 1)  # log-normal with mean 1 and log-sd 0.3
    assert factor.mean() == pytest.approx(1.0, abs=4 * sd / np.sqrt(4000))
    assert factor.std() == pytest.approx(sd, rel=0.06)
    assert np.log(factor).std() == pytest.approx(0.3, rel=0.05)
    with pytest.raises(InputError) as info:
        irr_forecast.simulate(certain, plan, demand, model_error_sd=-0.1, **kwargs)
    assert info.value.key == "model_error_sd"


def test_model_error_makes_a_sure_plan_unsure(fit):
    plan, demand = {"social": 3000.0}, _flat_demand(12)
    kwargs = {"setup_cost": 5000.0, "margin_rate": 0.5, "cost_of_capital_monthly": 0.01,
              "hurdle_rate_annual": 0.15, "n_sims": 2000, "seed": 1}  # fmt: skip
    sure = irr_forecast.simulate(_certain_curves(fit), plan, demand, **kwargs)
    unsure = irr_forecast.simulate(_certain_curves(fit), plan, demand, model_error_sd=0.5, **kwargs)
    assert sure.prob_irr_above_hurdle in (0.0, 1.0) and 0.0 < unsure.prob_irr_above_hurdle < 1.0


def test_payback_percentiles_beyond_the_horizon_are_missing_not_the_payers():
    paths = pd.DataFrame({"npv": [1.0, 2.0, 3.0, 4.0], "irr_annual": [0.1, 0.2, 0.3, 0.4],
                          "payback_months": [5.0, 7.0, np.nan, np.nan]})  # fmt: skip
    p = irr_forecast.Simulation(paths, 0.5, 1.0).percentiles((0.25, 0.5, 0.75)).set_index("quantile")
    assert p.loc[0.25, "payback_months"] == 5.0 and p.loc[0.5, "payback_months"] == 7.0
    assert np.isnan(p.loc[0.75, "payback_months"])  # half the paths never pay back
    assert p.loc[0.5, "npv"] == pytest.approx(2.5)


def test_simulation_scope_says_what_is_drawn_and_what_is_not():
    error = irr_forecast.ModelError(sd=0.21, blocks=(-0.17, -0.24), holdout_mape=0.08, holdout_days=56)
    text = irr_forecast.simulation_scope(error, n_bootstrap=200, demand_scaling=True)
    drawn, left_out = text.split("**It does not include**")
    assert (
        "200 draws from the curves' posterior" in drawn
        and "log-normal with sd 21%" in drawn
        and "56-day" in drawn
    )
    assert (
        "in its 2 held-out months a fit that had not seen them predicted revenue 17% under, 24% under"
        in drawn
    )
    assert "as a share of total revenue the holdout's error is 8.0%" in drawn
    assert "flighting" in left_out and "lift tests" in left_out and "margin rate" in left_out
    none = irr_forecast.simulation_scope(None, n_bootstrap=50, demand_scaling=False, intervals="bootstrap")
    assert "not the model's own error" in none and "demand_scaling is off" in none
    assert "50 bootstrap refits of the curves" in none
