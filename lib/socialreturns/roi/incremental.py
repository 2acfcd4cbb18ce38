"""Incremental return: a media-mix regression of revenue on carried-over, saturating spend.

Owns `IncrementalFit` and `fit_incremental`; whether a channel is identified is decided in
`socialreturns.roi.identification`. The curve shapes, their
priors and the solver live in `socialreturns.roi.solver` (`adstock` and `hill` are re-exported
here); its inputs are prepared in `socialreturns.roi.design`; lift tests are turned into
pseudo-observations by `socialreturns.roi.calibration`; its intervals come from draws of the
posterior's Laplace approximation (`socialreturns.roi.bootstrap._posterior_draws`) or, on
request, from the moving-block bootstrap run by `socialreturns.roi.bootstrap`, refitting through
`_Resampling.refit`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA
from socialreturns.parameters import ALPHA as ALPHA_RANGE
from socialreturns.roi.bootstrap import _block_samples, _posterior_draws, _run_bootstrap
from socialreturns.roi.design import _controls, _prepare
from socialreturns.roi.identification import (
    BOUND_TOLERANCE,
    MAX_ROAS_RELATIVE_SD,
    MIN_SPEND_VARIATION,
    PRIOR_SET_SD_RATIO,
    drop_flat_channels,
    unidentified_reasons,
)
from socialreturns.roi.solver import (
    DECAY_BOUNDS,
    HALF_SAT_BOUNDS,
    SHAPE_BOUNDS,
    _contraction,
    _grid_start,
    _half_saturation,
    _leverage,
    _Lifts,
    _residual_sigma,
    _roas_relative_sd,
    _saturated,
    _solve,
    _to_params,
    adstock,
    hill,
)

__all__ = ["BOUND_TOLERANCE", "DECAY_BOUNDS", "HALF_SAT_BOUNDS", "MAX_ROAS_RELATIVE_SD", "MIN_SPEND_VARIATION", "PRIOR_SET_SD_RATIO",
           "SHAPE_BOUNDS", "IncrementalFit", "adstock", "fit_incremental", "hill", "incremental_return"]  # fmt: skip


@dataclass(frozen=True)
class IncrementalFit:
    """A fitted media-mix regression and its bootstrap; see `fit_incremental`.

    Every field is plain data (arrays, frames, scalars, dicts of str) except ``regression``, the
    statsmodels OLS of ``revenue`` on the final saturated spend (`_saturated` of ``spend`` with
    ``decay``, ``half_saturation``, ``hill_shape``) and ``controls``, which those fields recompute.
    ``coef`` equals its media coefficients unless lift tests calibrated the fit, in which case
    ``coef`` holds the calibrated ones and ``regression`` stays the diagnostic OLS.
    """

    channels: list[str]
    not_identifiable: dict[str, str]
    freq: str
    dates: pd.DatetimeIndex
    spend: pd.DataFrame
    revenue: pd.Series
    controls: pd.DataFrame
    decay: np.ndarray
    half_saturation: np.ndarray
    hill_shape: np.ndarray
    coef: np.ndarray
    regression: object  # statsmodels RegressionResults of the final linear fit
    #: One row per replicate and channel: roas and curve parameters; the replicates are draws of
    #: the posterior or bootstrap refits, as ``intervals`` says.
    bootstrap: pd.DataFrame
    alpha: float
    margin_rate: float
    #: Residual standard deviation (currency per period) weighing the priors and the lift tests.
    residual_sigma: float = float("nan")
    #: The lift tests that calibrated the fit (see `socialreturns.roi.calibration`), or None.
    experiments: pd.DataFrame | None = None
    #: Without the lift tests: ``channel``, ``adstock_decay``, ``half_saturation``, ``hill_shape``,
    #: ``coef``; None when the fit was not calibrated.
    uncalibrated: pd.DataFrame | None = None
    #: Posterior over prior sd of the curve parameters, channels by (decay, log half-saturation
    #: ratio, log shape), see `PRIOR_SET_SD_RATIO`; None for given curves.
    prior_contraction: np.ndarray | None = None
    #: Posterior sd of each channel's ROAS over the ROAS (`socialreturns.roi.solver._roas_relative_sd`),
    #: see `MAX_ROAS_RELATIVE_SD`; None for given curves.
    roas_relative_sd: np.ndarray | None = None
    #: How the replicates in ``bootstrap`` were drawn: ``"posterior"`` (Laplace approximation of
    #: the posterior at the estimate) or ``"bootstrap"`` (moving-block bootstrap refits).
    intervals: str = "posterior"

    def contributions(self) -> pd.DataFrame:
        """Fitted incremental revenue per period and channel (currency per period)."""
        h = _saturated(self.spend.to_numpy(), self.decay, self.half_saturation, self.hill_shape)
        return pd.DataFrame(h * self.coef, index=self.dates, columns=self.channels)

    def fitted(self) -> pd.Series:
        """Fitted revenue per period (currency): the media contributions plus the controls'
        least-squares fit to the rest (the OLS fitted values when the fit is not calibrated)."""
        if self.experiments is None:
            return pd.Series(self.regression.fittedvalues, index=self.dates, name="fitted")
        media = self.contributions().sum(axis=1).to_numpy()
        c = self.controls.to_numpy()
        gamma, *_ = np.linalg.lstsq(c, self.revenue.to_numpy() - media, rcond=None)
        return pd.Series(media + c @ gamma, index=self.dates, name="fitted")

    def summary(self) -> pd.DataFrame:
        """One row per channel: ``channel``, ``spend``, ``incremental_revenue``, ``roas``,
        ``ci_lower``, ``ci_upper``, ``marginal_roas``, ``roi``, ``adstock_decay``,
        ``half_saturation``, ``hill_shape``, ``identifiable``, ``note``.

        ``identifiable`` is False, with the reasons in ``note``, when a curve parameter sits at
        its bound or is set by its prior rather than the data, the data pin the ROAS only
        loosely, the interval is wider than the estimate or the spend barely varies (see
        `socialreturns.roi.identification`); the estimate columns are kept, but they are no
        finding. Channels too flat to fit at all have no estimate."""
        rows = []
        roas = self.bootstrap.pivot(index="replicate", columns="channel", values="roas")
        roas = roas.reindex(columns=self.channels)
        lo, hi = roas.quantile([self.alpha / 2, 1 - self.alpha / 2]).to_numpy()
        total = self.spend.sum().to_numpy()
        revenue = self.contributions().sum().to_numpy()
        marginal = _marginal_roas(self.spend.to_numpy(), self.decay, self.half_saturation,
                                  self.hill_shape, self.coef)  # fmt: skip
        for i, channel in enumerate(self.channels):
            reasons = unidentified_reasons(self, i, revenue[i] / total[i], lo[i], hi[i])
            rows.append({
                "channel": channel,
                "spend": total[i],
                "incremental_revenue": revenue[i],
                "roas": revenue[i] / total[i],
                "ci_lower": lo[i],
                "ci_upper": hi[i],
                "marginal_roas": marginal[i],
                "roi": (revenue[i] * self.margin_rate - total[i]) / total[i],
                "adstock_decay": self.decay[i],
                "half_saturation": self.half_saturation[i],
                "hill_shape": self.hill_shape[i],
                "identifiable": not reasons,
                "note": f"not identified: {'; '.join(reasons)}" if reasons else "",
            })  # fmt: skip
        for channel, note in self.not_identifiable.items():
            rows.append({"channel": channel, "identifiable": False, "note": note})
        return pd.DataFrame(rows)


def _marginal_roas(
    x: np.ndarray,
    decay: np.ndarray,
    half: np.ndarray,
    shape: np.ndarray,
    coef: np.ndarray,
    bump: float = 0.01,
) -> np.ndarray:
    """Extra revenue from 1% more spend in every period, per unit of that extra spend."""
    base = (_saturated(x, decay, half, shape) * coef).sum(axis=0)
    up = (_saturated(x * (1 + bump), decay, half, shape) * coef).sum(axis=0)
    return (up - base) / (bump * x.sum(axis=0))


#: Columns of `IncrementalFit.bootstrap`, one row per replicate and channel.
_BOOTSTRAP_COLUMNS = ["replicate", "channel", "roas", "adstock_decay", "half_saturation", "hill_shape",
                      "coef"]  # fmt: skip


@dataclass(frozen=True)
class _Resampling:
    """What every bootstrap refit needs: spend, fitted values and residuals of the estimate,
    the controls, the estimate's search variables, the channel names, the residual sigma that
    weighs the priors, and the lift tests with the estimate's implied lifts and the standard
    normal draws (replicates by tests) that perturb them."""

    x: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    controls: np.ndarray
    z: np.ndarray
    channels: list[str]
    sigma: float
    lifts: _Lifts | None = None
    lift_fitted: np.ndarray | None = None
    lift_draws: np.ndarray | None = None

    @functools.cached_property
    def basis(self) -> np.ndarray:
        """Orthonormal basis of the controls, computed once per worker."""
        return np.linalg.qr(self.controls)[0]

    def refit(self, idx: np.ndarray, replicate: int) -> pd.DataFrame:
        """Refit the curves on the residual-bootstrap replicate drawing residuals ``idx``; each
        lift test's measurement is redrawn around the estimate's implied lift with its
        standard error."""
        x, k = self.x, self.x.shape[1]
        lifts = self.lifts
        if lifts is not None:
            lifts = lifts.with_measured(self.lift_fitted + lifts.standard_error * self.lift_draws[replicate])
        # Warm-started at the estimate, a few Levenberg-Marquardt steps reach the replicate's
        # optimum to well within its sampling spread.
        y_star = self.fitted + self.resid[idx]
        zb, beta_b = _solve(x, y_star, self.controls, self.z, sigma=self.sigma, lifts=lifts, basis=self.basis,
                            max_nfev=10, ftol=1e-5)  # fmt: skip
        d_b, r_b, s_b = _to_params(zb, k)
        half_b = _half_saturation(x, d_b, r_b)
        roas_b = (_saturated(x, d_b, half_b, s_b) * beta_b).sum(axis=0) / x.sum(axis=0)
        return pd.DataFrame({
            "replicate": replicate, "channel": self.channels, "roas": roas_b,
            "adstock_decay": d_b, "half_saturation": half_b, "hill_shape": s_b, "coef": beta_b,
        })  # fmt: skip


def _check_options(adstock: str, saturation: str, alpha: float, intervals: str = "posterior") -> None:
    """Stop on a curve shape other than geometric adstock and Hill, an alpha outside (0, 1) or
    intervals other than posterior draws or the bootstrap."""
    if adstock != "geometric" or saturation != "hill":
        raise InputError(
            f"is {adstock!r}/{saturation!r}", key="adstock/saturation",
            expected="'geometric' and 'hill'",
        )  # fmt: skip
    if intervals not in ("posterior", "bootstrap"):
        raise InputError(f"is {intervals!r}", key="intervals", expected="'posterior' or 'bootstrap'")
    ALPHA_RANGE.check("alpha", alpha)


@dataclass(frozen=True)
class _Estimate:
    """The point estimate: search variables, curves, media coefficients, the residual sigma,
    the diagnostic OLS, and the uncalibrated curves when lift tests calibrated it."""

    z: np.ndarray
    decay: np.ndarray
    half: np.ndarray
    shape: np.ndarray
    coef: np.ndarray
    sigma: float
    regression: object
    uncalibrated: pd.DataFrame | None
    contraction: np.ndarray
    roas_relative_sd: np.ndarray


def _curve_frame(channels: list[str], x: np.ndarray, z: np.ndarray, coef: np.ndarray) -> pd.DataFrame:
    decay, ratio, shape = _to_params(z, x.shape[1])
    return pd.DataFrame({"channel": channels, "adstock_decay": decay,
                         "half_saturation": _half_saturation(x, decay, ratio), "hill_shape": shape,
                         "coef": coef})  # fmt: skip


def _design(
    wide: pd.DataFrame, controls: pd.DataFrame, decay: np.ndarray, half: np.ndarray, shape: np.ndarray
) -> pd.DataFrame:
    """The regression's design: each channel's saturated, carried-over spend, then the controls."""
    h = _saturated(wide.to_numpy(), decay, half, shape)
    return pd.DataFrame(h, index=wide.index, columns=list(wide.columns)).join(controls)


def _regression(
    wide: pd.DataFrame,
    y: pd.Series,
    controls: pd.DataFrame,
    decay: np.ndarray,
    half: np.ndarray,
    shape: np.ndarray,
) -> object:
    """`IncrementalFit.regression`: statsmodels OLS of revenue on `_design` at the fitted curves
    (the diagnostic fit; a calibrated fit's coefficients are its ``coef``)."""
    import statsmodels.api as sm

    return sm.OLS(y, _design(wide, controls, decay, half, shape)).fit()


def _estimate(wide: pd.DataFrame, y: pd.Series, c: pd.DataFrame, lifts: _Lifts | None) -> _Estimate:
    """The curves by penalised variable projection from a grid start (then, with lift tests,
    again from there with the tests as pseudo-observations), and the diagnostic OLS.

    The residual sigma that weighs the priors is that of the grid start's unpenalised fit."""
    x, yy, cc = wide.to_numpy(), y.to_numpy(), c.to_numpy()
    z0 = _grid_start(x, yy, cc)
    sigma = _residual_sigma(x, yy, cc, z0)
    z, beta = _solve(x, yy, cc, z0, sigma=sigma)
    uncalibrated = None
    if lifts is not None:
        uncalibrated = _curve_frame(list(wide.columns), x, z, beta)
        z, beta = _solve(x, yy, cc, z, sigma=sigma, lifts=lifts)
    decay, ratio, shape = _to_params(z, x.shape[1])
    half = _half_saturation(x, decay, ratio)
    regression = _regression(wide, y, c, decay, half, shape)
    coef = regression.params.to_numpy()[: x.shape[1]] if lifts is None else beta
    contraction = _contraction(x, cc, decay, ratio, shape, coef, sigma=sigma, lifts=lifts)
    relative_sd = _roas_relative_sd(x, cc, decay, ratio, shape, coef, sigma=sigma, lifts=lifts)
    return _Estimate(z, decay, half, shape, coef, sigma, regression, uncalibrated, contraction, relative_sd)


def _modified_residuals(resid: np.ndarray, leverage: np.ndarray) -> np.ndarray:
    """Residuals rescaled to the noise's variance for resampling: ``r_t / sqrt(1 - h_t)``, then
    centred (Davison & Hinkley 1997, eq. 6.9), with ``h_t`` the leverage of period ``t``.

    A fitted residual is smaller than the noise it estimates, most of all in the periods that
    pinned the curves (bursts): about ``sqrt(1 - p / n)`` with ``p`` parameters, 0.89 with 22 on
    two years of weeks. Resampled as they are, the bootstrap's intervals come out too narrow
    (measured over 24 confounded weekly mixes: 76% of the truths inside the 90% intervals,
    81% with modified residuals)."""
    modified = resid / np.sqrt(1.0 - np.minimum(leverage, 0.99))
    return modified - modified.mean()


def _bootstrap(
    wide: pd.DataFrame,
    y: pd.Series,
    c: pd.DataFrame,
    est: _Estimate,
    fitted: np.ndarray,
    lifts: _Lifts | None,
    *,
    freq: str,
    n_bootstrap: int,
    seed: int,
    n_jobs: int | None,
    intervals: str = "posterior",
) -> pd.DataFrame:
    """The replicates behind the intervals, one row per replicate and channel, columns
    `_BOOTSTRAP_COLUMNS`: ``n_bootstrap`` draws of the posterior (`_posterior_draws`), or with
    ``intervals="bootstrap"`` refits of every parameter on moving-block resamples of the modified
    residuals (blocks of four weeks, see `_modified_residuals`)."""
    yy = y.to_numpy()
    x = wide.to_numpy()
    if n_bootstrap == 0:
        return pd.DataFrame(columns=_BOOTSTRAP_COLUMNS)
    if intervals == "posterior":
        ratio = _to_params(est.z, x.shape[1])[1]
        draws = _posterior_draws(x, c.to_numpy(), est.decay, ratio, est.shape, est.coef, sigma=est.sigma,
                                 lifts=lifts, n=n_bootstrap, seed=seed)  # fmt: skip
        k = x.shape[1]
        columns = {name: values.ravel() for name, values in draws.items()}
        return pd.DataFrame({"replicate": np.repeat(np.arange(n_bootstrap), k),
                             "channel": np.tile(list(wide.columns), n_bootstrap), **columns})[_BOOTSTRAP_COLUMNS]  # fmt: skip
    extra = {}
    if lifts is not None:
        h = _saturated(x, est.decay, est.half, est.shape)
        draws = np.random.default_rng([seed, 14]).standard_normal((n_bootstrap, len(lifts.measured)))
        extra = {"lifts": lifts, "lift_fitted": lifts.design(h) @ est.coef, "lift_draws": draws}
    resid = _modified_residuals(yy - fitted, _leverage(x, c.to_numpy(), est.z, est.coef))
    problem = _Resampling(x, fitted, resid, c.to_numpy(), est.z, list(wide.columns), est.sigma, **extra)
    samples = _block_samples(seed, len(yy), 28 if freq == "D" else 4, n_bootstrap)
    draws = _run_bootstrap(problem, samples, n_jobs or os.cpu_count() or 1)
    return pd.concat(draws, ignore_index=True) if draws else pd.DataFrame(columns=_BOOTSTRAP_COLUMNS)


def fit_incremental(
    spend: pd.DataFrame,
    revenue: pd.DataFrame,
    *,
    controls: pd.DataFrame | None = None,
    alpha: float = ALPHA,
    adstock: Literal["geometric"] = "geometric",
    saturation: Literal["hill"] = "hill",
    margin_rate: float = 1.0,
    channels: list[str] | None = None,
    n_bootstrap: int = 200,
    seed: int = 0,
    n_jobs: int | None = None,
    experiments: pd.DataFrame | None = None,
    intervals: Literal["posterior", "bootstrap"] = "posterior",
) -> IncrementalFit:
    """Fit revenue on carried-over, saturating spend per channel, with trend and seasonality.

    Parameters
    ----------
    spend
        Long table ``date``, ``channel``, ``spend`` (currency per day or week); several rows
        per date and channel (campaigns) are summed.
    revenue
        ``date``, ``revenue`` (currency per period), daily or weekly; its dates set the period.
    controls
        Optional extra regressors: ``date`` and one numeric column each.
    alpha
        Intervals are at level ``1 - alpha``.
    adstock, saturation
        The carry-over (geometric) and saturation (Hill) shapes; their parameters, decay per
        period, half-saturation and shape, are estimated per channel.
    margin_rate
        Gross margin as a fraction of revenue, for ``roi``; 1.0 gives return on revenue.
    channels
        Channels to include (default all in ``spend``).
    n_bootstrap
        Replicates for the intervals: draws of the posterior, or bootstrap refits (``intervals``).
    seed
        Seed of the draws or of the bootstrap's resamples.
    n_jobs
        Processes for the bootstrap's refits (default: the machine's cores); results do not
        depend on it. Posterior draws need no refit and run in this process.
    experiments
        Optional lift tests: ``channel``, ``start_date``, ``end_date`` (inclusive UTC days),
        ``incremental_revenue`` (the measured lift over the window, currency) and
        ``standard_error`` (currency), as `socialreturns.data.load_experiments` reads them.
        Each constrains the fit; see `socialreturns.roi.calibration`. Tests of channels left
        out by ``channels`` or wholly outside the revenue's dates are left out.
    intervals
        ``"posterior"``: the replicates are draws of the Laplace approximation of the posterior
        at the estimate (revenue, lift tests and priors); ``"bootstrap"``: refits on moving-block
        resamples of the residuals (blocks of four weeks), whose intervals are too narrow on
        short weekly data (see `socialreturns.roi.bootstrap._posterior_draws`).

    Returns
    -------
    IncrementalFit
        Use ``.summary()`` for the per-channel table, ``.regression`` (statsmodels) for
        diagnostics, `socialreturns.roi.lift_tests` and `calibration_effect` for the lift tests.

    Raises
    ------
    InputError
        Missing columns, negative spend, revenue not covering the spend, fewer than 8 weeks, no
        channel that varies; a lift test on a channel without spend or too flat to fit, ending
        before it starts or with a standard error that is not positive.

    Notes
    -----
    ``revenue_t = controls_t γ + Σ_c β_c hill(adstock_c(spend)_t; K_c, s_c) + ε_t``. The decay,
    ``K`` and ``s`` of all channels are estimated jointly by penalised nonlinear least squares,
    a MAP estimate under the weakly informative priors of `socialreturns.roi.solver`, with
    ``β`` and ``γ`` profiled out (Golub & Pereyra 1973, variable projection); the final linear
    fit is statsmodels OLS. A lift test adds the pseudo-observation ``(lift_j(β) - measured_j)
    / standard_error_j`` (in units of the residual sigma), linear in ``β`` given the curves.
    Intervals are quantiles of the ROAS over draws of every media coefficient and curve
    parameter from the posterior's Laplace approximation (the inverse Gauss-Newton Hessian of the
    MAP objective, the controls' coefficients integrated out), so they include the uncertainty
    of the curve shapes and what the priors and lift tests add; with ``intervals="bootstrap"``
    from a moving-block bootstrap of the modified (leverage-rescaled) residuals that
    re-estimates every parameter under the same priors (and redraws each lift test within its
    standard error). ROAS is the fitted incremental revenue over the data divided by the spend.
    """
    from socialreturns.roi.calibration import _experiment_lifts

    _check_options(adstock, saturation, alpha, intervals)
    wide, y, freq = _prepare(spend, revenue, channels)
    wide, not_identifiable = drop_flat_channels(wide)
    c = _controls(y.index, freq, controls)
    known = set(spend["channel"].astype(str))
    tests, lifts = _experiment_lifts(experiments, y.index, freq, list(wide.columns), not_identifiable, known)
    est = _estimate(wide, y, c, lifts)
    fit = IncrementalFit(
        channels=list(wide.columns), not_identifiable=not_identifiable, freq=freq, dates=y.index,
        spend=wide, revenue=y, controls=c, decay=est.decay, half_saturation=est.half,
        hill_shape=est.shape, coef=est.coef, regression=est.regression,
        bootstrap=pd.DataFrame(columns=_BOOTSTRAP_COLUMNS), alpha=alpha, margin_rate=margin_rate,
        residual_sigma=est.sigma, experiments=tests, uncalibrated=est.uncalibrated,
        prior_contraction=est.contraction, roas_relative_sd=est.roas_relative_sd, intervals=intervals,
    )  # fmt: skip
    bootstrap = _bootstrap(wide, y, c, est, fit.fitted().to_numpy(), lifts, freq=freq,
                           n_bootstrap=n_bootstrap, seed=seed, n_jobs=n_jobs, intervals=intervals)  # fmt: skip
    return dataclasses.replace(fit, bootstrap=bootstrap)


def incremental_return(spend: pd.DataFrame, revenue: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    """Incremental ROAS and ROI per channel with intervals: `fit_incremental` then
    ``.summary()``; see there for the parameters and columns."""
    return fit_incremental(spend, revenue, **kwargs).summary()
