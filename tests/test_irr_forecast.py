"""Programme cash flows, returns, simulation and sensitivity on hand-made cases."""

from __future__ import annotations

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
    assert set(s.index) == {"cost of capital", "margin rate", "spend", "ROAS", "horizon"}
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
    ],
)
def test_parameters_name_the_key(change, key):
    values = {"data_dir": "data/sample", "cost_of_capital_annual": 0.09, "hurdle_rate_annual": 0.15,
              "horizon_months": 24, "setup_cost": 1000.0, "spend_plan": {"facebook": 100.0},
              "margin_rate": 0.4, "n_sims": 1000, "seed": 0, "currency": "EUR",
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
    table = irr_forecast.history_vs_plan(fit, plan, flows, returns, margin_rate=0.5)
    history, future = table.iloc[0], table.iloc[1]
    last_year = fit.dates > fit.dates.max() - pd.Timedelta(days=365)
    assert history["spend"] == pytest.approx(fit.spend[last_year].to_numpy().sum())
    assert history["roi"] == pytest.approx(history["roas"] * 0.5 - 1)
    assert future["spend"] == pytest.approx(12 * 3000.0 + 5000.0)
    assert future["irr_annual"] == returns.irr_annual and np.isnan(history["npv"])
    assert future["view"] == "plan: next 12 months"


def test_conclusions_state_the_figures():
    returns = irr_forecast.Returns(npv=1234.0, irr_annual=0.2, mirr_annual=0.12, payback_months=10.5,
                                   discounted_payback_months=11.0)  # fmt: skip
    paths = pd.DataFrame({"npv": np.linspace(-100, 2000, 101), "irr_annual": np.linspace(0, 0.4, 101),
                          "payback_months": np.full(101, 10.0)})  # fmt: skip
    sim = irr_forecast.Simulation(paths, prob_irr_above_hurdle=0.78, prob_npv_positive=0.95)
    text = irr_forecast.conclusions(returns, sim, cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR")  # fmt: skip
    assert "At a 9% cost of capital the plan's NPV is **1,234 EUR**" in text
    assert "IRR **20.0% a year**, with a **78% chance of beating the 15% hurdle**" in text
    assert "clears it" in text and "from 5 to 1,895 EUR" in text  # 5th, 95th of the grid
    assert "Payback after 10.5 months (11.0 months discounted)" in text
    never = irr_forecast.Returns(-5.0, -0.1, -0.05, np.nan, np.nan)
    text = irr_forecast.conclusions(never, sim, cost_of_capital_annual=0.09, hurdle_rate_annual=0.15,
                                    currency="EUR")  # fmt: skip
    assert "does not pay back its set-up cost within the horizon" in text and "does not clear" in text
