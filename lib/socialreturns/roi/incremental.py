"""Incremental return: a media-mix regression of revenue on carried-over, saturating spend.

Owns the response-curve shapes (geometric `adstock`, `hill` saturation), `IncrementalFit`,
the variable-projection solver and its grid start, and `fit_incremental`. Its inputs are
prepared in `socialreturns.roi.design`; its intervals come from the moving-block bootstrap run
by `socialreturns.roi.bootstrap`, refitting through `_Resampling.refit`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA
from socialreturns.parameters import ALPHA as ALPHA_RANGE
from socialreturns.roi.bootstrap import _block_samples, _run_bootstrap
from socialreturns.roi.design import _controls, _prepare

#: Bounds of the response-curve parameters: adstock decay per period, half-saturation relative
#: to the channel's median positive adstocked spend, and the Hill shape.
DECAY_BOUNDS = (0.0, 0.95)
HALF_SAT_BOUNDS = (0.05, 20.0)
SHAPE_BOUNDS = (0.5, 3.0)


def adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """Geometric carry-over: ``a_t = x_t + decay * a_{t-1}`` (spend units, per period).

    >>> adstock(np.array([100.0, 0.0, 0.0]), 0.5).tolist()
    [100.0, 50.0, 25.0]
    """
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -decay], np.asarray(spend, dtype=float), axis=0)


def hill(x: np.ndarray, half_saturation: float, shape: float) -> np.ndarray:
    """Hill saturation ``x**s / (x**s + K**s)``: 0 at no spend, 1/2 at ``K``, towards 1.

    >>> hill(np.array([0.0, 2.0]), 2.0, 1.0).tolist()
    [0.0, 0.5]
    """
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return x**shape / (x**shape + half_saturation**shape)


@dataclass(frozen=True)
class IncrementalFit:
    """A fitted media-mix regression and its bootstrap; see `fit_incremental`."""

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
    bootstrap: pd.DataFrame  # one row per replicate and channel: roas and curve parameters
    alpha: float
    margin_rate: float

    def contributions(self) -> pd.DataFrame:
        """Fitted incremental revenue per period and channel (currency per period)."""
        h = _saturated(self.spend.to_numpy(), self.decay, self.half_saturation, self.hill_shape)
        return pd.DataFrame(h * self.coef, index=self.dates, columns=self.channels)

    def fitted(self) -> pd.Series:
        """Fitted revenue per period (currency)."""
        return pd.Series(self.regression.fittedvalues, index=self.dates, name="fitted")

    def summary(self) -> pd.DataFrame:
        """One row per channel: ``channel``, ``spend``, ``incremental_revenue``, ``roas``,
        ``ci_lower``, ``ci_upper``, ``marginal_roas``, ``roi``, ``adstock_decay``,
        ``half_saturation``, ``hill_shape``, ``identifiable``, ``note``."""
        rows = []
        roas = self.bootstrap.pivot(index="replicate", columns="channel", values="roas")
        roas = roas.reindex(columns=self.channels)
        lo, hi = roas.quantile([self.alpha / 2, 1 - self.alpha / 2]).to_numpy()
        total = self.spend.sum().to_numpy()
        revenue = self.contributions().sum().to_numpy()
        marginal = _marginal_roas(self.spend.to_numpy(), self.decay, self.half_saturation,
                                  self.hill_shape, self.coef)  # fmt: skip
        for i, channel in enumerate(self.channels):
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
                "identifiable": True,
                "note": "",
            })  # fmt: skip
        for channel, note in self.not_identifiable.items():
            rows.append({"channel": channel, "identifiable": False, "note": note})
        return pd.DataFrame(rows)


def _saturated(x: np.ndarray, decay: np.ndarray, ratio_or_half: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Hill of adstock per channel (columns of ``x``); ``ratio_or_half`` is the half-saturation."""
    a = np.column_stack([adstock(x[:, i], decay[i]) for i in range(x.shape[1])])
    return hill(a, ratio_or_half, shape)


def _half_saturation(x: np.ndarray, decay: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Half-saturation from its ratio to each channel's typical adstocked spend, the mean
    positive spend per period divided by ``1 - decay`` (the adstock of a steady flight).

    Parametrising by the ratio keeps the saturation search on one scale whatever the currency,
    the period and the carry-over.
    """
    active = np.where(x > 0, x, np.nan)
    typical = np.nanmean(active, axis=0) / (1.0 - decay)
    return ratio * typical


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


def _to_params(z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unbounded search variables to (decay, half-saturation ratio, shape) within bounds."""
    from scipy.special import expit

    sig = expit(z)
    decay = DECAY_BOUNDS[0] + (DECAY_BOUNDS[1] - DECAY_BOUNDS[0]) * sig[:k]
    lo, hi = np.log(HALF_SAT_BOUNDS)
    ratio = np.exp(lo + (hi - lo) * sig[k : 2 * k])
    shape = SHAPE_BOUNDS[0] + (SHAPE_BOUNDS[1] - SHAPE_BOUNDS[0]) * sig[2 * k :]
    return decay, ratio, shape


def _from_params(decay: np.ndarray, ratio: np.ndarray, shape: np.ndarray) -> np.ndarray:
    def logit(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
        f = np.clip((v - lo) / (hi - lo), 1e-6, 1 - 1e-6)
        return np.log(f / (1 - f))

    lo, hi = np.log(HALF_SAT_BOUNDS)
    return np.r_[logit(decay, *DECAY_BOUNDS), logit(np.log(ratio), lo, hi),
                 logit(shape, *SHAPE_BOUNDS)]  # fmt: skip


def _solve(
    x: np.ndarray,
    y: np.ndarray,
    c: np.ndarray,
    z0: np.ndarray,
    *,
    max_nfev: int | None = None,
    ftol: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    """Nonlinear least squares over the response-curve parameters with the linear coefficients
    profiled out (variable projection): the controls are projected out once, so each step
    solves only a channels-by-channels system.

    Returns the unbounded search variables (see `_to_params`) and the media coefficients.
    """
    from scipy.optimize import least_squares

    k = x.shape[1]
    q, _ = np.linalg.qr(c)
    y_perp = y - q @ (q.T @ y)

    def media(z: np.ndarray) -> np.ndarray:
        decay, ratio, shape = _to_params(z, k)
        h = _saturated(x, decay, _half_saturation(x, decay, ratio), shape)
        return h - q @ (q.T @ h)

    def coef(h_perp: np.ndarray) -> np.ndarray:
        gram = h_perp.T @ h_perp + 1e-9 * np.eye(k) * np.trace(h_perp.T @ h_perp)
        return np.linalg.solve(gram, h_perp.T @ y_perp)

    def residuals(z: np.ndarray) -> np.ndarray:
        h_perp = media(z)
        return h_perp @ coef(h_perp) - y_perp

    def column(z: np.ndarray, i: int) -> np.ndarray:
        decay, ratio, shape = _to_params(z[[i, k + i, 2 * k + i]], 1)
        h = hill(adstock(x[:, i], decay[0]), _half_saturation(x[:, [i]], decay, ratio)[0], shape[0])
        return h - q @ (q.T @ h)

    def jacobian(z: np.ndarray) -> np.ndarray:
        # Forward differences like scipy's, but a parameter moves only its own channel's curve,
        # so each column recomputes one channel instead of all of them.
        h_perp = media(z)
        base = h_perp @ coef(h_perp) - y_perp
        jac = np.empty((len(y), z.size))
        for j in range(z.size):
            step = 1.5e-8 * max(1.0, abs(z[j]))
            moved = z.copy()
            moved[j] += step
            h_moved = h_perp.copy()
            h_moved[:, j % k] = column(moved, j % k)
            jac[:, j] = (h_moved @ coef(h_moved) - y_perp - base) / step
        return jac

    # Levenberg-Marquardt (MINPACK) on unbounded variables; the bounds live in _to_params.
    result = least_squares(residuals, z0, jac=jacobian, method="lm", xtol=1e-6, ftol=ftol, max_nfev=max_nfev)
    return result.x, coef(media(result.x))


def _grid_start(x: np.ndarray, y: np.ndarray, c: np.ndarray, sweeps: int = 2) -> np.ndarray:
    """A starting point for `_solve` by coordinate-wise grid search of each channel's curve.

    The joint least-squares surface has many shallow local minima (small channels trade
    carry-over against saturation); a profile over a grid per channel, holding the others,
    starts Levenberg-Marquardt in the right basin.
    """
    k = x.shape[1]
    q, _ = np.linalg.qr(c)
    y_perp = y - q @ (q.T @ y)
    decays = np.array([0.0, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.88, 0.94])
    ratios = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    shapes = np.array([0.75, 1.0, 1.5, 2.25])
    decay, ratio, shape = np.full(k, 0.5), np.ones(k), np.ones(k)

    def curve(i: int, d: float, r: float, sh: float) -> np.ndarray:
        a = adstock(x[:, i], d)
        half = _half_saturation(x[:, [i]], np.array([d]), np.array([r]))[0]
        h = hill(a, half, sh)
        return h - q @ (q.T @ h)

    grid = [(d, r, sh) for d in decays for r in ratios for sh in shapes]
    cols = np.column_stack([curve(i, decay[i], ratio[i], shape[i]) for i in range(k)])
    for _ in range(sweeps):
        for i in range(k):
            # Every candidate curve of channel i at once: with the other channels held, the
            # residual sum of squares of adding a column h is |r|^2 - (h'r)^2 / |h|^2, where
            # h and r have the controls and the other channels projected out.
            q_o, _ = np.linalg.qr(np.delete(cols, i, axis=1))
            resid = y_perp - q_o @ (q_o.T @ y_perp)
            cand = np.empty((len(y), len(grid)))
            for d_idx, d in enumerate(decays):
                a = adstock(x[:, i], d)[:, None]
                typical = _half_saturation(x[:, [i]], np.array([d]), np.ones(1))[0]
                half = np.repeat(ratios * typical, shapes.size)
                sh = np.tile(shapes, ratios.size)
                block = slice(d_idx * half.size, (d_idx + 1) * half.size)
                cand[:, block] = a**sh / (a**sh + half**sh)
            cand -= q @ (q.T @ cand)
            cand -= q_o @ (q_o.T @ cand)
            norm = np.einsum("ij,ij->j", cand, cand)
            gain = np.where(norm > 1e-12 * norm.max(), (cand.T @ resid) ** 2 / np.maximum(norm, 1e-300), 0.0)
            decay[i], ratio[i], shape[i] = grid[int(np.argmax(gain))]
            cols[:, i] = curve(i, decay[i], ratio[i], shape[i])
    return _from_params(decay, ratio, shape)


#: Columns of `IncrementalFit.bootstrap`, one row per replicate and channel.
_BOOTSTRAP_COLUMNS = ["replicate", "channel", "roas", "adstock_decay", "half_saturation", "hill_shape",
                      "coef"]  # fmt: skip


@dataclass(frozen=True)
class _Resampling:
    """What every bootstrap refit needs: spend, fitted values and residuals of the estimate,
    the controls, the estimate's search variables and the channel names."""

    x: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    controls: np.ndarray
    z: np.ndarray
    channels: list[str]

    def refit(self, idx: np.ndarray, replicate: int) -> pd.DataFrame:
        """Refit the curves on the residual-bootstrap replicate drawing residuals ``idx``."""
        x, k = self.x, self.x.shape[1]
        # Warm-started at the estimate, a few Levenberg-Marquardt steps reach the replicate's
        # optimum to well within its sampling spread.
        y_star = self.fitted + self.resid[idx]
        zb, beta_b = _solve(x, y_star, self.controls, self.z, max_nfev=10, ftol=1e-5)
        d_b, r_b, s_b = _to_params(zb, k)
        half_b = _half_saturation(x, d_b, r_b)
        roas_b = (_saturated(x, d_b, half_b, s_b) * beta_b).sum(axis=0) / x.sum(axis=0)
        return pd.DataFrame({
            "replicate": replicate, "channel": self.channels, "roas": roas_b,
            "adstock_decay": d_b, "half_saturation": half_b, "hill_shape": s_b, "coef": beta_b,
        })  # fmt: skip


def _check_options(adstock: str, saturation: str, alpha: float) -> None:
    """Stop on a curve shape other than geometric adstock and Hill, or an alpha outside (0, 1)."""
    if adstock != "geometric" or saturation != "hill":
        raise InputError(
            f"is {adstock!r}/{saturation!r}", key="adstock/saturation",
            expected="'geometric' and 'hill'",
        )  # fmt: skip
    ALPHA_RANGE.check("alpha", alpha)


def _identifiable(wide: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Spend without the channels too flat to estimate (constant, or spending in under 5% of
    periods), and a note per dropped channel."""
    not_identifiable = {}
    for channel in list(wide.columns):
        x = wide[channel]
        active = (x > 0).mean()
        if x.std() == 0 or active < 0.05 or x.sum() == 0:
            not_identifiable[channel] = (
                f"{channel} has too little variation in spend to estimate "
                f"(spend in {active:.0%} of periods, constant = {x.std() == 0}); "
                "reported as not identifiable"
            )
            wide = wide.drop(columns=channel)
    if wide.shape[1] == 0:
        raise InputError("no channel varies enough to estimate", key="spend",
                         expected="spend that changes over time in at least one channel")  # fmt: skip
    return wide, not_identifiable


def _estimate(
    wide: pd.DataFrame, y: pd.Series, c: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, object]:
    """The curves by variable projection from a grid start, then the final linear fit.

    Returns the search variables, decay, half-saturation, shape and the statsmodels OLS
    results on the saturated spend and the controls."""
    import statsmodels.api as sm

    x, yy, cc = wide.to_numpy(), y.to_numpy(), c.to_numpy()
    z, _ = _solve(x, yy, cc, _grid_start(x, yy, cc))
    decay, ratio, shape = _to_params(z, x.shape[1])
    half = _half_saturation(x, decay, ratio)
    h = _saturated(x, decay, half, shape)
    design = pd.DataFrame(h, index=y.index, columns=list(wide.columns)).join(c)
    return z, decay, half, shape, sm.OLS(y, design).fit()


def _bootstrap(
    wide: pd.DataFrame,
    y: pd.Series,
    c: pd.DataFrame,
    z: np.ndarray,
    regression: object,
    *,
    freq: str,
    n_bootstrap: int,
    seed: int,
    n_jobs: int | None,
) -> pd.DataFrame:
    """Refit every parameter on moving-block resamples of the residuals (blocks of four weeks);
    one row per replicate and channel, columns `_BOOTSTRAP_COLUMNS`."""
    yy = y.to_numpy()
    fitted = regression.fittedvalues.to_numpy()
    problem = _Resampling(wide.to_numpy(), fitted, yy - fitted, c.to_numpy(), z, list(wide.columns))
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
        Moving-block bootstrap replicates for the intervals (blocks of four weeks).
    seed
        Seed of the bootstrap.
    n_jobs
        Processes for the bootstrap (default: the machine's cores); results do not depend on it.

    Returns
    -------
    IncrementalFit
        Use ``.summary()`` for the per-channel table, ``.regression`` (statsmodels) for
        diagnostics.

    Notes
    -----
    ``revenue_t = controls_t γ + Σ_c β_c hill(adstock_c(spend)_t; K_c, s_c) + ε_t``. The decay,
    ``K`` and ``s`` of all channels are estimated jointly by nonlinear least squares with
    ``β`` and ``γ`` profiled out (Golub & Pereyra 1973, variable projection); the final linear
    fit is statsmodels OLS. Intervals come from a moving-block bootstrap of the residuals that
    re-estimates every parameter, so they include the uncertainty of the curve shapes. ROAS is
    the fitted incremental revenue over the data divided by the spend.
    """
    _check_options(adstock, saturation, alpha)
    wide, y, freq = _prepare(spend, revenue, channels)
    wide, not_identifiable = _identifiable(wide)
    c = _controls(y.index, freq, controls)
    z, decay, half, shape, regression = _estimate(wide, y, c)
    bootstrap = _bootstrap(wide, y, c, z, regression, freq=freq, n_bootstrap=n_bootstrap, seed=seed,
                           n_jobs=n_jobs)  # fmt: skip
    return IncrementalFit(
        channels=list(wide.columns), not_identifiable=not_identifiable, freq=freq, dates=y.index,
        spend=wide, revenue=y, controls=c, decay=decay, half_saturation=half, hill_shape=shape,
        coef=regression.params.to_numpy()[: len(wide.columns)], regression=regression,
        bootstrap=bootstrap, alpha=alpha, margin_rate=margin_rate,
    )  # fmt: skip


def incremental_return(spend: pd.DataFrame, revenue: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    """Incremental ROAS and ROI per channel with intervals: `fit_incremental` then
    ``.summary()``; see there for the parameters and columns."""
    return fit_incremental(spend, revenue, **kwargs).summary()
