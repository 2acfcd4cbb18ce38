"""ROI response curves: priors that keep them identified, lift-test calibration, honest
identification and stable refreshes, checked against the truth of a confounded generator and the
sample's truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import data, roi, synth
from socialreturns.inputs import InputError
from socialreturns.roi.calibration import _window_weights
from socialreturns.roi.design import _controls, _prepare
from socialreturns.roi.incremental import _modified_residuals, _Resampling
from socialreturns.synth.weekly import generate_weekly

#: The confounded scenarios: (seed, weeks, channels); two to three years, two to four channels.
SCENARIOS = [(s, (104, 131, 156)[s % 3], 2 + (s + 1) % 3) for s in range(12)]
#: The same designs on disjoint seeds, never used to choose the estimator: a check that what was
#: measured on `SCENARIOS` is not fitted to its seeds.
VALIDATION = [(s, (104, 131, 156)[s % 3], 2 + (s + 1) % 3) for s in range(100, 112)]
#: A third set, added after the flag's threshold was last looked at, to confirm on only.
FRESH = [(s, (104, 131, 156)[s % 3], 2 + (s + 1) % 3) for s in range(200, 212)]


def _scenario(seed, weeks, n_channels, **kwargs):
    return generate_weekly(seed, weeks=weeks, n_channels=n_channels, **kwargs)


def _roas(fit):
    return fit.summary().set_index("channel")["roas"]


# --------------------------------------------------------------------------- the generator


def test_the_confounded_generator_keeps_its_truth():
    w = _scenario(4, 131, 4)
    spend = w.spend.pivot(index="date", columns="channel", values="spend")
    for channel, t in w.truth.items():
        assert w.contributions[channel].sum() / spend[channel].sum() == pytest.approx(t["roas"])
        assert t["spend"] == pytest.approx(spend[channel].sum())
    # The first channel's spend follows the demand that also drives revenue; the others do not.
    demand = w.controls.set_index("date")["demand"]
    first = np.log(spend["search"].where(spend["search"] > 0)).corr(demand)
    assert first > 0.3
    assert abs(np.log(spend["social"].where(spend["social"] > 0)).corr(demand)) < 0.25
    assert len(w.revenue) == 131 and (w.revenue["date"].dt.day_of_week == 0).all()


def _oracle_errors(seed, weeks, n_channels):
    """ROAS error per channel of the OLS on the fit's own design and controls with the TRUE curves
    (decay, half-saturation and Hill shape fixed at the generator's), and whether the truth is
    inside that OLS's 90% interval."""
    import statsmodels.api as sm

    w = _scenario(seed, weeks, n_channels)
    wide, y, freq = _prepare(w.spend, w.revenue, None)
    x, names = wide.to_numpy(), list(wide.columns)
    curve = [
        np.array([w.truth[n][key] for n in names])
        for key in ("adstock_decay", "half_saturation", "hill_shape")
    ]
    h = roi.solver._saturated(x, *curve)
    ols = sm.OLS(y.to_numpy(), np.column_stack([h, _controls(y.index, freq, w.controls).to_numpy()])).fit()
    per_spend = h.sum(axis=0) / x.sum(axis=0)
    true = np.array([w.truth_roas[n] for n in names])
    lo, hi = ols.conf_int(0.1)[: len(names)].T * per_spend
    return ols.params[: len(names)] * per_spend / true - 1, (lo <= true) & (true <= hi)


@pytest.mark.parametrize(
    "scenarios", [SCENARIOS, VALIDATION, FRESH], ids=["scenarios", "validation", "fresh"]
)
def test_the_true_curves_recover_the_scenarios_within_15_percent(scenarios):
    """The oracle: with the generator's curves, only the linear coefficients fitted, 15% is
    reachable at the generator's noise. Measured (`bench/roi_recovery_bench.py`): 97%, 94% and 97%
    of the channels within 15%, median 2.3%, 2.5% and 2.6%, worst 19%, 21% and 22% (scenario 4
    display; validation 109 display and 111 video; fresh 210 social), 94%, 94% and 92% of the
    truths inside the OLS's 90% interval. The gap between this and the estimator is the curves'
    freedom, not the design or the controls."""
    errors, covered = zip(*(_oracle_errors(*s) for s in scenarios), strict=True)
    errors, covered = np.abs(np.concatenate(errors)), np.concatenate(covered)
    assert np.mean(errors <= 0.15) >= 0.94 and np.median(errors) < 0.03 and errors.max() < 0.23
    assert np.mean(covered) >= 0.9


# --------------------------------------------------------------------------- priors


@pytest.mark.parametrize(("seed", "weeks", "n_channels"), [SCENARIOS[2], SCENARIOS[5]])
def test_priors_recover_a_confounded_weekly_mix(seed, weeks, n_channels):
    w = _scenario(seed, weeks, n_channels)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
    roas = _roas(fit)
    for channel, true in w.truth_roas.items():
        assert roas[channel] == pytest.approx(true, rel=0.10), channel
    assert (fit.hill_shape > roi.SHAPE_BOUNDS[0] + 0.1).all() and (
        fit.hill_shape < roi.SHAPE_BOUNDS[1] - 0.1
    ).all()
    assert (fit.decay < roi.DECAY_BOUNDS[1] - 0.05).all()


def test_bootstrap_refits_use_the_same_priors():
    """Refitting the estimate's own data (no resampling) stays at the estimate: the replicates
    optimise the same penalised objective, not the bare least squares."""
    w = _scenario(0, 104, 3)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
    fitted = fit.fitted().to_numpy()
    x = fit.spend.to_numpy()
    ratio = fit.half_saturation / (x.sum(axis=0) / (x > 0).sum(axis=0) / (1 - fit.decay))
    z = roi.solver._from_params(fit.decay, ratio, fit.hill_shape)
    problem = _Resampling(x, fitted, fit.revenue.to_numpy() - fitted, fit.controls.to_numpy(), z,
                          fit.channels, fit.residual_sigma)  # fmt: skip
    again = problem.refit(np.arange(len(fitted)), 0).set_index("channel")
    assert again["roas"].to_numpy() == pytest.approx(_roas(fit)[fit.channels].to_numpy(), rel=1e-3)
    assert again["hill_shape"].to_numpy() == pytest.approx(fit.hill_shape, rel=1e-3)


def test_posterior_draws_spread_as_the_delta_method_says():
    """The default replicates are draws of the posterior's Laplace approximation: their ROAS
    spreads as the delta method on the same covariance (`roi.solver._roas_relative_sd`) says,
    around the estimate, and their curve parameters stay within the search's bounds."""
    w = _scenario(5, 156, 2)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=2000, seed=1)
    assert fit.intervals == "posterior"
    roas = fit.bootstrap.pivot(index="replicate", columns="channel", values="roas")[fit.channels]
    estimate = _roas(fit)[fit.channels].to_numpy()
    assert (roas.std() / estimate).to_numpy() == pytest.approx(fit.roas_relative_sd, rel=0.1)
    assert (np.abs(roas.median().to_numpy() / estimate - 1) < 0.5 * fit.roas_relative_sd).all()
    b = fit.bootstrap
    assert (
        b["adstock_decay"].between(*roi.DECAY_BOUNDS).all()
        and b["hill_shape"].between(*roi.SHAPE_BOUNDS).all()
    )
    # The same seed draws the same replicates.
    again = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=2000, seed=1)
    pd.testing.assert_frame_equal(again.bootstrap, fit.bootstrap)


def test_the_bootstrap_stays_available_and_a_bad_choice_names_the_key():
    w = _scenario(5, 156, 2)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=8, intervals="bootstrap")
    assert fit.intervals == "bootstrap" and len(fit.bootstrap) == 8 * 2
    with pytest.raises(InputError) as info:
        roi.fit_incremental(w.spend, w.revenue, n_bootstrap=0, intervals="jackknife")
    assert info.value.key == "intervals"


def test_leverage_is_the_hat_matrix_diagonal():
    """The leverages of the linearised fit sum to its parameter count (the trace of a hat matrix
    is its rank): the controls, and per channel its coefficient and three curve parameters."""
    w = _scenario(0, 104, 3)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
    x = fit.spend.to_numpy()
    ratio = fit.half_saturation / (x.sum(axis=0) / (x > 0).sum(axis=0) / (1 - fit.decay))
    z = roi.solver._from_params(fit.decay, ratio, fit.hill_shape)
    leverage = roi.solver._leverage(x, fit.controls.to_numpy(), z, fit.coef)
    assert leverage.sum() == pytest.approx(fit.controls.shape[1] + 4 * len(fit.channels))
    assert (leverage > 0).all() and (leverage < 1).all()


def test_modified_residuals_are_rescaled_by_their_leverage_and_centred():
    # 1 / sqrt(1 - 0.75) = 2 and -1 / sqrt(1 - 0) = -1, then centred on their mean 0.5.
    assert _modified_residuals(np.array([1.0, -1.0]), np.array([0.75, 0.0])).tolist() == [1.5, -1.5]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenarios", "median", "within", "worst", "coverage", "wrong", "flagged"),
    [(SCENARIOS, 0.05, 0.75, 0.35, 0.85, 0, 20), (VALIDATION, 0.075, 0.72, 0.55, 0.85, 2, 18),
     (FRESH, 0.075, 0.75, 0.55, 0.85, 1, 21)],
    ids=["scenarios", "validation", "fresh"],
)  # fmt: skip
def test_confounded_scenarios_recover_the_truth(scenarios, median, within, worst, coverage, wrong, flagged):
    """Over twelve scenarios (36 channels) each, the median error, the share of channels within
    15% of the true ROAS, the worst error, the share of truths inside the 90% interval, how many
    channels reported as identified miss their truth by more than 15%, how many are flagged, and
    the share of errors beyond 1.645 posterior sds (10% if the sd the flag reads is calibrated).

    Measured (`bench/roi_recovery_bench.py`), scenarios: median 4.2%, 78% within 15%, worst 30%,
    89% covered by the posterior draws' intervals (83% by the bootstrap's), 18 of 36 flagged not
    identified, none of the 18 identified more than 15% off, 10 flagged within 15%, 3% of the
    errors beyond 1.645 sds; validation seeds: median 6.5%, 75% within 15%, worst 50%, 89%
    covered (78% by the bootstrap's), 15 flagged, 2 of the 21 identified 15.7% and 16.9% off
    (both social), 8 flagged within 15%, 14% beyond 1.645 sds; fresh seeds (added only to
    confirm): median 6.7%, 78% within, worst 50%, 89% covered, 19 flagged, 1 of the 17
    identified 18.9% off (205 social, posterior sd 0.128, just under the threshold of 0.13), 6%
    beyond 1.645 sds. The flag's threshold (`roi.MAX_ROAS_RELATIVE_SD`) was chosen on the
    scenarios' seeds only. The three misses are draws 1.5 to 2 posterior sds out that nothing in
    the data marks (the bench's diagnostics); removing them needs a threshold of 0.085, which
    flags every identified channel of the sample (see `roi.MAX_ROAS_RELATIVE_SD`).

    Every channel within 15% is not reachable from these data by fitting the curves: with the
    true curves and only the linear coefficients fitted (the oracle,
    `test_the_true_curves_recover_the_scenarios_within_15_percent`) 97%, 94% and 97% are within;
    with the true curves but one parameter of every channel fitted under its prior, 83-92%,
    81-83% and 83-92% (the Hill shape costs most: video's +36% to +41% on three validation
    seeds), so the misses are what the data leave open, which the ROAS's posterior sd (about 0.2
    for video) says. The MAP's curves fit the data better than the true ones by 4 to 14 residual
    variances, what fitting 3 curve parameters per channel to noise gives. Tried without gain on
    both seed sets (the bench, ``--variants``): the shape prior centred on 1.2 or 1.3 (what
    pooling the shapes across channels would move it to), its scale 0.25 or 0.8, the shape fixed
    at 1 or 1.3, the half-saturation prior's scale 0.5, a tighter decay prior; the bagged
    estimate and the bootstrap's bias correction; the posterior median and mean by importance
    sampling from the Laplace approximation (78% and 69% within); no trend knots.
    """
    errors, covered, identified, sds = [], [], [], []
    for seed, weeks, n_channels in scenarios:
        w = _scenario(seed, weeks, n_channels)
        fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=100, seed=7)
        table = fit.summary().set_index("channel")
        for channel, true in w.truth_roas.items():
            row = table.loc[channel]
            errors.append(row["roas"] / true - 1)
            covered.append(row["ci_lower"] <= true <= row["ci_upper"])
            identified.append(bool(row["identifiable"]))
            sds.append(fit.roas_relative_sd[fit.channels.index(channel)])
    errors, identified = np.abs(errors), np.array(identified)
    assert np.mean(covered) >= coverage and np.mean(errors > 1.645 * np.array(sds)) <= 0.16
    assert np.median(errors) < median and np.mean(errors < 0.15) >= within and errors.max() < worst
    assert (errors[identified] > 0.15).sum() <= wrong and errors[identified].max() < 0.20
    assert (~identified).sum() <= flagged


# --------------------------------------------------------------------------- lift tests


def test_window_weights_count_the_days_inside():
    dates = pd.date_range("2025-01-06", periods=3, freq="7D", tz="UTC")  # Mondays
    tests = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-08"], utc=True),
                          "end_date": pd.to_datetime(["2025-01-14"], utc=True)})  # fmt: skip
    # Wednesday to the next Tuesday: 5 days of the first week, 2 of the second.
    assert _window_weights(tests, dates, "W").tolist() == [[5 / 7, 2 / 7, 0.0]]
    days = pd.date_range("2025-01-06", periods=4, freq="D", tz="UTC")
    tests = tests.assign(start_date=days[1], end_date=days[2])
    assert _window_weights(tests, days, "D").tolist() == [[0.0, 1.0, 1.0, 0.0]]


@pytest.fixture(scope="module")
def omitted_confounder():
    """The confounder left out of the fit: the first channel's ROAS is biased upwards; three
    eight-week lift tests measure its true lift with a 3% standard error."""
    w = _scenario(1, 131, 4, confounding=0.8)
    tests = w.lift_tests("search", [(10, 17), (40, 47), (70, 77)], relative_se=0.03, seed=1)
    plain = roi.fit_incremental(w.spend, w.revenue, n_bootstrap=0)
    calibrated = roi.fit_incremental(w.spend, w.revenue, n_bootstrap=30, experiments=tests)
    return w, tests, plain, calibrated


def test_a_lift_test_pulls_the_confounded_channel_back_to_the_truth(omitted_confounder):
    w, _, plain, calibrated = omitted_confounder
    true = w.truth_roas["search"]
    assert _roas(plain)["search"] / true - 1 > 0.15
    assert _roas(calibrated)["search"] == pytest.approx(true, rel=0.15)
    row = calibrated.summary().set_index("channel").loc["search"]
    assert row["ci_lower"] <= row["roas"] <= row["ci_upper"]


def test_lift_test_gaps_before_and_after(omitted_confounder):
    w, tests, plain, calibrated = omitted_confounder
    gaps = roi.lift_tests(calibrated)
    assert len(gaps) == 3 and (gaps["channel"] == "search").all()
    assert gaps["measured"].to_numpy() == pytest.approx(tests["incremental_revenue"].to_numpy())
    # Before calibration the implied lifts are the uncalibrated fit's: the sum of its fitted
    # contribution over each window.
    contributions = plain.contributions()["search"]
    for row in gaps.itertuples():
        inside = (contributions.index >= row.start_date) & (contributions.index <= row.end_date)
        assert row.lift_uncalibrated == pytest.approx(contributions[inside].sum(), rel=1e-6)
        assert row.gap_uncalibrated == pytest.approx(
            (row.lift_uncalibrated - row.measured) / row.standard_error
        )
    assert gaps["gap_calibrated"].abs().mean() < gaps["gap_uncalibrated"].abs().mean() / 2
    effect = roi.calibration_effect(calibrated).set_index("channel")
    assert effect["roas_uncalibrated"].to_dict() == pytest.approx(_roas(plain).to_dict(), rel=1e-6)
    assert effect["roas_calibrated"].to_dict() == pytest.approx(_roas(calibrated).to_dict())
    assert effect.loc["search", "tests"] == 3 and effect.loc["social", "tests"] == 0
    text = roi.calibration_text(calibrated, currency="EUR")
    assert (
        f"search {effect.loc['search', 'roas_uncalibrated']:.2f} → {effect.loc['search', 'roas_calibrated']:.2f}"
        in text
    )


def test_without_lift_tests_nothing_is_calibrated():
    w = _scenario(2, 156, 2)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
    assert fit.experiments is None and fit.uncalibrated is None and roi.lift_tests(fit).empty
    effect = roi.calibration_effect(fit)
    assert (effect["change"] == 0).all() and (effect["tests"] == 0).all()
    assert "No lift tests" in roi.calibration_text(fit, currency="EUR")
    # The OLS diagnostic's media coefficients are the fit's when no test moved them.
    assert fit.regression.params.to_numpy()[: len(fit.channels)] == pytest.approx(fit.coef)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ("missing", "experiments"),
        ("backwards", "experiments.end_date"),
        ("zero_se", "experiments.standard_error"),
        ("unknown", "experiments.channel"),
        ("bad_date", "experiments.start_date"),
    ],
)
def test_bad_lift_tests_name_the_column(change, key):
    w = _scenario(2, 156, 2)
    tests = w.lift_tests("search", [(10, 17)])
    if change == "missing":
        tests = tests.drop(columns="standard_error")
    if change == "backwards":
        tests["end_date"] = tests["start_date"] - pd.Timedelta(days=1)
    if change == "zero_se":
        tests["standard_error"] = 0.0
    if change == "unknown":
        tests["channel"] = "radio"
    if change == "bad_date":
        tests["start_date"] = "soon"
    with pytest.raises(InputError) as info:
        roi.fit_incremental(w.spend, w.revenue, n_bootstrap=0, experiments=tests)
    assert info.value.key == key


HEADER = "channel,start_date,end_date,incremental_revenue,standard_error\n"


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        ("facebook,2025-04-01,2025-03-28,100,10", "end_date", "ends before it starts"),
        ("facebook,2025-03-01,2025-03-28,100,0", "standard_error", "0 or less"),
        ("facebook,2025-03-01,2025-03-28,100,-5", "standard_error", "0 or less"),
        ("myspace,2025-03-01,2025-03-28,100,10", "channel", "no spend"),
        ("facebook,2025-03-01,later,100,10", "end_date", "cannot be read as date"),
    ],
)
def test_the_experiments_file_is_validated(tmp_path, row, column, text):
    (tmp_path / "experiments.csv").write_text(HEADER + "tiktok,2025-03-01,2025-03-28,5000,800\n" + row + "\n")
    spend = data.load_spend(SAMPLE)
    with pytest.raises(InputError) as info:
        data.load_experiments(tmp_path, spend=spend)
    error = info.value
    assert error.column == column and str(error.file).endswith("experiments.csv") and text in str(error)
    assert "line 3" in str(error)


def test_the_experiments_file_is_optional(tmp_path):
    assert data.load_experiments(tmp_path) is None
    (tmp_path / "experiments.csv").write_text(HEADER + "tiktok,2025-03-01,2025-03-28,-500,800\n")
    frame = data.load_experiments(tmp_path, spend=data.load_spend(SAMPLE))
    assert list(frame.columns) == list(roi.EXPERIMENT_COLUMNS)
    assert frame["end_date"].iloc[0] == pd.Timestamp("2025-03-28", tz="UTC")
    assert frame["incremental_revenue"].iloc[0] == -500.0


# --------------------------------------------------------------------------- identification


@pytest.fixture(scope="module")
def weekly_fit():
    w = _scenario(5, 156, 2)
    return roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=40)


def test_a_well_measured_channel_is_identified(weekly_fit):
    table = weekly_fit.summary().set_index("channel")
    assert table["identifiable"].all() and (table["note"] == "").all()


def test_a_curve_parameter_at_its_bound_is_not_identified(weekly_fit):
    pinned = dataclasses.replace(
        weekly_fit, hill_shape=np.array([roi.SHAPE_BOUNDS[1], weekly_fit.hill_shape[1]])
    )
    table = pinned.summary().set_index("channel")
    first, second = weekly_fit.channels
    assert not table.loc[first, "identifiable"] and table.loc[second, "identifiable"]
    assert "Hill shape (3) sits at the upper bound" in table.loc[first, "note"]
    assert np.isfinite(table.loc[first, "roas"])  # the estimate is kept, only not a finding
    # No carry-over is an answer, not a bound that stopped the search.
    no_carry = dataclasses.replace(weekly_fit, decay=np.array([0.0, weekly_fit.decay[1]]))
    assert "adstock" not in no_carry.summary().set_index("channel").loc[first, "note"]


def test_an_interval_wider_than_the_estimate_is_not_identified(weekly_fit):
    first = weekly_fit.channels[0]
    b = weekly_fit.bootstrap.copy()
    roas = b.loc[b["channel"] == first, "roas"]
    b.loc[b["channel"] == first, "roas"] = roas.mean() + 3 * (roas - roas.mean()) / roas.std() * roas.mean()
    table = dataclasses.replace(weekly_fit, bootstrap=b).summary().set_index("channel")
    assert not table.loc[first, "identifiable"]
    assert (
        "interval" in table.loc[first, "note"] and "wider than its ROAS estimate" in table.loc[first, "note"]
    )
    assert table.loc[first, "ci_upper"] - table.loc[first, "ci_lower"] > table.loc[first, "roas"]


def test_spend_that_barely_varies_is_not_identified():
    w = _scenario(5, 156, 2)
    steady = w.spend[w.spend["channel"] == "social"].assign(channel="radio")
    steady["spend"] = 3000.0 * np.random.default_rng(0).lognormal(0.0, 0.03, len(steady))
    fit = roi.fit_incremental(pd.concat([w.spend, steady]), w.revenue, controls=w.controls, n_bootstrap=0)
    table = fit.summary().set_index("channel")
    assert not table.loc["radio", "identifiable"] and "barely varies" in table.loc["radio", "note"]
    assert table.loc[["search", "social"], "identifiable"].all()


def test_a_loosely_pinned_roas_is_not_identified(weekly_fit):
    loose = dataclasses.replace(weekly_fit, roas_relative_sd=np.array([0.2, weekly_fit.roas_relative_sd[1]]))
    table = loose.summary().set_index("channel")
    first, second = weekly_fit.channels
    assert not table.loc[first, "identifiable"] and table.loc[second, "identifiable"]
    # 1.645 * 0.2 = 0.33: the 90% band of a posterior sd of 20% of the estimate.
    assert "the data pin its ROAS only to within about ±33% (90%)" in table.loc[first, "note"]
    assert (weekly_fit.roas_relative_sd < roi.MAX_ROAS_RELATIVE_SD).all()


def test_the_identification_rule_states_the_thresholds_in_force():
    # 1.645 * 0.13 = 0.214 and 1.960 * 0.13 = 0.255; spread narrowed by 1 - 0.8; spread 10%.
    assert roi.MAX_ROAS_RELATIVE_SD == 0.13 and roi.PRIOR_SET_SD_RATIO == 0.8
    text = roi.identification_rule()
    assert "its 90% band from the fit's curvature is within about ±21% of the estimate" in text
    assert "by at least 20%" in text and "at least 10% of its mean" in text
    assert "its 95% band from the fit's curvature is within about ±25%" in roi.identification_rule(0.05)
    # 2 * Phi(-0.15 / 0.13) = 2 * Phi(-1.154) = 0.249
    assert "about a 25% chance of being more than 15% off its true return" in text


def test_the_miss_probability_is_the_normal_tails_beyond_the_tolerance():
    # 2 * Phi(-1.96) = 0.050, 2 * Phi(-1) = 0.317, 2 * Phi(-0.15 / 0.13) = 0.249 (normal tables).
    p = roi.miss_probability(np.array([0.15 / 1.959964, 0.15, 0.13]))
    assert p == pytest.approx([0.05, 0.3173, 0.2486], abs=1e-4)
    assert roi.miss_probability(0.1, tolerance=0.2) == pytest.approx(0.0455, abs=1e-4)


#: Two-channel scenarios of the seeds the flag was chosen on (fast fits): every channel is
#: within 15% of its truth except where the rule flags it.
_TWO_CHANNELS = [s for s in SCENARIOS if s[2] == 2]


@pytest.mark.parametrize(("seed", "weeks", "n_channels"), _TWO_CHANNELS)
def test_the_rule_reports_only_channels_near_their_truth(seed, weeks, n_channels):
    """On the two-channel scenarios of seeds 2, 5, 8 and 11, search (the confounded channel) and
    social are identified and within 15% of their truths (measured 0.3% to 10% off, posterior sds
    0.02 to 0.11), and a channel is identified exactly when no check objects."""
    w = _scenario(seed, weeks, n_channels)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=40, seed=7)
    table = fit.summary().set_index("channel")
    sd = pd.Series(fit.roas_relative_sd, index=fit.channels)
    for channel, true in w.truth_roas.items():
        row = table.loc[channel]
        assert row["identifiable"] == (row["note"] == "")
        if row["identifiable"]:
            assert abs(row["roas"] / true - 1) <= 0.15 and sd[channel] <= roi.MAX_ROAS_RELATIVE_SD
            assert roi.miss_probability(sd[channel]) <= roi.miss_probability(roi.MAX_ROAS_RELATIVE_SD)
    assert table.loc["search", "identifiable"] and table["identifiable"].all()


def test_the_roas_posterior_sd_matches_refits_on_fresh_noise():
    """The Laplace approximation's sd of each ROAS against the spread of full refits (grid start
    and all) on 30 fresh draws of the noise around the fit: measured 0.022 vs 0.023 (search) and
    0.073 vs 0.075 (social)."""
    w = _scenario(5, 156, 2)
    fit = roi.fit_incremental(w.spend, w.revenue, controls=w.controls, n_bootstrap=0)
    mean, rng = fit.fitted().to_numpy(), np.random.default_rng(0)
    draws = []
    for _ in range(30):
        noisy = w.revenue.assign(revenue=mean + rng.normal(0.0, fit.residual_sigma, len(mean)))
        again = roi.fit_incremental(w.spend, noisy, controls=w.controls, n_bootstrap=0)
        draws.append(_roas(again)[fit.channels].to_numpy())
    draws = np.array(draws)
    assert fit.roas_relative_sd == pytest.approx(draws.std(axis=0) / draws.mean(axis=0), rel=0.3)


def _two_level_mix():
    """156 weeks, two channels with the same curve (no carry-over, Hill shape 1.5, half-saturation
    at the typical spend): ``flighted`` spends 4000 or nothing, so its revenue takes two levels and
    only their difference (one number) is measured, never the curve's bend; ``varied`` spends a
    lognormal amount (log sd 0.8), tracing its curve."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2023-01-02", periods=156, freq="W-MON", tz="UTC")
    spend = {"flighted": np.where(rng.random(156) < 0.5, 4000.0, 0.0),
             "varied": rng.lognormal(np.log(4000.0), 0.8, 156)}  # fmt: skip
    effect = sum(30_000.0 * roi.hill(x, np.median(x[x > 0]), 1.5) for x in spend.values())
    revenue = pd.DataFrame({"date": dates, "revenue": 50_000.0 + effect + rng.normal(0.0, 1000.0, 156)})
    long = pd.concat([pd.DataFrame({"date": dates, "channel": c, "spend": x}) for c, x in spend.items()])
    return long, revenue


def test_a_curve_the_data_cannot_bend_is_set_by_the_prior():
    """Measured with `roi.PRIOR_SET_SD_RATIO` 0.8: on the sample and ``synth.generate(1)``, ``(2)``
    the four large channels' largest posterior over prior sd is 0.44 to 0.76 (mostly the Hill
    shape; youtube's highest), pinterest's and linkedin's 0.87 to 0.98, so both are flagged in
    all three. On the 72 channels of `SCENARIOS` and `VALIDATION` it flags 11: 6 of the 17 more
    than 15% off the true ROAS, and 5 of the 55 within (display, social, video; shapes 0.82-0.88)."""
    fit = roi.fit_incremental(*_two_level_mix(), n_bootstrap=0)
    contraction = pd.DataFrame(fit.prior_contraction, index=fit.channels, columns=["decay", "half", "shape"])
    # Two spend levels pin the revenue step, not where the curve saturates: the data narrow the
    # half-saturation's prior by about a tenth; the varied channel's by about 95%.
    assert contraction.loc["flighted", "half"] > roi.PRIOR_SET_SD_RATIO
    assert (contraction.loc["varied"] < 0.5).all()
    table = fit.summary().set_index("channel")
    assert not table.loc["flighted", "identifiable"] and table.loc["varied", "identifiable"]
    note = table.loc["flighted", "note"]
    assert "half-saturation is set by the prior, not the data (the data narrow it by only" in note


def test_without_an_effect_the_curve_is_all_prior():
    """A channel with coefficient 0: its curve moves no revenue, so the posterior of its curve
    parameters is their prior (ratio 1) whatever the data."""
    spend, _ = _two_level_mix()
    x = spend.pivot(index="date", columns="channel", values="spend").to_numpy()
    c = np.column_stack([np.ones(len(x)), np.arange(len(x))])
    ratio = roi.solver._contraction(x, c, np.array([0.3, 0.3]), np.ones(2), np.ones(2), np.array([0.0, 5e4]),
                                    sigma=1000.0)  # fmt: skip
    assert ratio[0] == pytest.approx(np.ones(3), abs=1e-6)
    assert (ratio[1] < 0.5).all()


def test_conclusions_make_no_finding_for_an_unidentified_channel(weekly_fit):
    first, second = weekly_fit.channels
    pinned = dataclasses.replace(
        weekly_fit, hill_shape=np.array([roi.SHAPE_BOUNDS[1], weekly_fit.hill_shape[1]])
    )
    summary = pinned.summary()
    last_touch = pd.DataFrame({"channel": [first, second], "share": [0.5, 0.5]})
    plan = roi.reallocate(pinned)
    text = roi.conclusions(summary, last_touch, plan, currency="EUR", alpha=0.1)
    findings, _, unidentified = text.partition(f"- **{first}** is not identified")
    assert (
        unidentified and "makes no ROI finding" in unidentified and "sits at the upper bound" in unidentified
    )
    assert f"**{first}** returned" not in findings and f"{first} (ROI" not in findings


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample_fit():
    spend, orders = data.load_spend(SAMPLE), data.load_orders(SAMPLE)
    return spend, roi.daily_revenue(orders), roi.fit_incremental(spend, roi.daily_revenue(orders),
                                                                 n_bootstrap=100, seed=7)  # fmt: skip


@pytest.mark.slow
def test_small_sample_channels_are_not_identified_or_near_their_truth(sample_fit):
    truth = synth.load_truth(SAMPLE).channels
    table = sample_fit[2].summary().set_index("channel")
    for channel in ("pinterest", "linkedin"):
        row, true = table.loc[channel], truth[channel]["roas"]
        near = abs(row["roas"] / true - 1) <= 0.15 and row["ci_lower"] <= true <= row["ci_upper"]
        assert near or (not row["identifiable"] and "not identified" in row["note"]), row


@pytest.mark.slow
def test_four_more_weeks_move_no_identified_roas_by_half_its_interval(sample_fit):
    spend, revenue, fit = sample_fit
    cut = revenue["date"].max() - pd.Timedelta(weeks=4)
    earlier = roi.fit_incremental(spend[spend["date"] <= cut], revenue[revenue["date"] <= cut], n_bootstrap=0)
    now, before = fit.summary().set_index("channel"), _roas(earlier)
    identified = now[now["identifiable"]]
    assert len(identified) >= 3
    for channel, row in identified.iterrows():
        assert abs(before[channel] - row["roas"]) <= (row["ci_upper"] - row["ci_lower"]) / 2, channel


def test_regression_is_recomputed_from_the_plain_fields(omitted_confounder):
    """The fit cache's contract: ``regression`` is the OLS of revenue on the saturated spend of the
    stored curves and the stored controls, calibrated or not."""
    import statsmodels.api as sm

    from socialreturns.roi.solver import _saturated

    for fit in omitted_confounder[2:]:
        h = _saturated(fit.spend.to_numpy(), fit.decay, fit.half_saturation, fit.hill_shape)
        design = pd.DataFrame(h, index=fit.dates, columns=fit.channels).join(fit.controls)
        again = sm.OLS(fit.revenue, design).fit()
        assert again.params.to_numpy() == pytest.approx(fit.regression.params.to_numpy(), rel=1e-9)
    calibrated = omitted_confounder[3]
    assert not np.allclose(
        calibrated.coef, calibrated.regression.params.to_numpy()[: len(calibrated.channels)]
    )


def test_the_holdout_of_a_calibrated_fit_predicts_with_its_calibrated_coefficients(omitted_confounder):
    w, tests, _, _ = omitted_confounder
    holdout = roi.holdout_check(w.spend, w.revenue, holdout_weeks=8, experiments=tests)
    # on the weeks it was fitted on, the prediction is the calibrated fit's own fitted revenue
    cut = holdout.frame.loc[~holdout.frame["holdout"], "date"].max()
    train = roi.fit_incremental(
        w.spend[w.spend["date"] <= cut], w.revenue[w.revenue["date"] <= cut], n_bootstrap=0, experiments=tests
    )
    assert train.experiments is not None
    fitted = holdout.frame.loc[~holdout.frame["holdout"], "predicted"].to_numpy()
    np.testing.assert_allclose(fitted, train.fitted().to_numpy(), rtol=1e-9)
    assert 0 < holdout.mape < 0.5
