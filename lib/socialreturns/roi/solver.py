"""The response curves and their estimation: geometric `adstock`, `hill` saturation, the
weakly informative priors on the curve parameters, and the penalised variable-projection solver
with its grid start.

The estimate is a maximum a posteriori (MAP) one: the least squares of the revenue residuals
gains one row per curve parameter, ``sigma * (g(theta) - centre) / scale``, which is minus the
log of a normal prior in units of the residuals; lift tests (`socialreturns.roi.calibration`)
add one row per test. The linear coefficients are profiled out (variable projection), so the
search runs over the curve parameters only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Bounds of the response-curve parameters: adstock decay per period, half-saturation relative
#: to the channel's median positive adstocked spend, and the Hill shape.
DECAY_BOUNDS = (0.0, 0.95)
HALF_SAT_BOUNDS = (0.05, 20.0)
SHAPE_BOUNDS = (0.5, 3.0)

#: Weakly informative priors, (centre, scale), each on the scale its effect is roughly even:
#:
#: * decay per period, normal on the decay itself around 0.5 with scale 0.25: carry-over
#:   anywhere from none to long is plausible; it only keeps a flat likelihood from running to 0.95.
#: * Hill shape, normal on log(shape) around log(1.0) with scale 0.4: published response curves
#:   are concave or gently S-shaped (shapes about 0.5 to 2, two scales either side of 1); a shape
#:   of 3 needs strong evidence. Without it short weekly data pin the shape at its bound.
#: * half-saturation, normal on log(K / typical adstocked spend) around log(1.0) with scale 1.0:
#:   a channel is bought around the point where it starts to saturate (the half-saturation within
#:   a factor of e**2, 0.14 to 7.4, of the typical spend), not far on its flat or steep part.
#:
#: A prior row carries the weight of one residual: with 100 weeks or more of data it moves a
#: well-identified curve little, and decides only what the data leave open.
#:
#: Measured on 24 confounded weekly mixes (`socialreturns.synth.weekly`), these scales are not
#: what limits the recovery. Multiplying all three by 0.5, 2 or 1000 helps no set of seeds and
#: hurts another; picking the factor (0.5, 1 or 2) per data set by time-ordered
#: cross-validation (three 13-week folds), or even by the truth, leaves the worst channel 21%
#: (one set of seeds) and 49% (another) off. The optimum is the same from the truth and from
#: random starts, and the true curves, with only the linear coefficients fitted, still miss 3
#: of 72 channels by more than 15%. With the true curves but one parameter of every channel
#: fitted, 81% to 92% are within 15%: each parameter the data must set costs recovery, the Hill
#: shape most. Moving the shape prior's centre (to 1.2 or 1.3, where pooling the channels'
#: shapes would put it), its scale (0.25, 0.8) or fixing the shape (at 1 or 1.3) helps one set
#: of seeds and not the other (`bench/roi_recovery_bench.py --variants`). The rest is what the
#: data leave open, which the intervals must carry (see
#: `socialreturns.roi.bootstrap._posterior_draws`) and the identification flag must say.
PRIOR_DECAY = (0.5, 0.25)
PRIOR_LOG_SHAPE = (0.0, 0.4)
PRIOR_LOG_HALF_RATIO = (0.0, 1.0)


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


def _saturated(x: np.ndarray, decay: np.ndarray, ratio_or_half: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Hill of adstock per channel (columns of ``x``); ``ratio_or_half`` is the half-saturation."""
    a = np.column_stack([adstock(x[:, i], decay[i]) for i in range(x.shape[1])])
    return hill(a, ratio_or_half, shape)


def _typical(x: np.ndarray, decay: np.ndarray) -> np.ndarray:
    """Each channel's typical adstocked spend: the mean positive spend per period divided by
    ``1 - decay`` (the adstock of a steady flight)."""
    return _mean_positive(x) / (1.0 - decay)


def _mean_positive(x: np.ndarray) -> np.ndarray:
    """Mean spend per period over the periods with spend, per channel (column)."""
    active = x > 0
    return np.where(active, x, 0.0).sum(axis=0) / np.maximum(active.sum(axis=0), 1)


def _half_saturation(x: np.ndarray, decay: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Half-saturation from its ratio to each channel's typical adstocked spend (`_typical`).

    Parametrising by the ratio keeps the saturation search on one scale whatever the currency,
    the period and the carry-over.
    """
    return ratio * _typical(x, decay)


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


def _prior_rows(z: np.ndarray, k: int, sigma: float) -> np.ndarray:
    """The priors as residual rows: ``sigma * (g(theta) - centre) / scale`` per parameter, in the
    order of ``z`` (decays, half-saturation ratios, shapes)."""
    decay, ratio, shape = _to_params(z, k)
    rows = (
        (decay - PRIOR_DECAY[0]) / PRIOR_DECAY[1],
        (np.log(ratio) - PRIOR_LOG_HALF_RATIO[0]) / PRIOR_LOG_HALF_RATIO[1],
        (np.log(shape) - PRIOR_LOG_SHAPE[0]) / PRIOR_LOG_SHAPE[1],
    )
    return sigma * np.concatenate(rows)


@dataclass(frozen=True)
class _Lifts:
    """Lift tests as the solver uses them: ``window`` (tests by periods, 1 inside a test's
    window), ``channel`` (the tested channel's column per test), ``measured`` and
    ``standard_error`` (currency over the window)."""

    window: np.ndarray
    channel: np.ndarray
    measured: np.ndarray
    standard_error: np.ndarray

    def design(self, h: np.ndarray) -> np.ndarray:
        """Tests by channels: the saturated spend summed over each window, in its channel's
        column; times the coefficients it is the implied lift."""
        out = np.zeros((len(self.measured), h.shape[1]))
        rows = np.arange(len(self.measured))
        out[rows, self.channel] = np.einsum("jt,tj->j", self.window, h[:, self.channel])
        return out

    def with_measured(self, measured: np.ndarray) -> _Lifts:
        return _Lifts(self.window, self.channel, measured, self.standard_error)


def _residual_sigma(x: np.ndarray, y: np.ndarray, c: np.ndarray, z: np.ndarray) -> float:
    """Residual standard deviation of the unpenalised fit at ``z`` (currency per period),
    with the linear and curve parameters counted as degrees of freedom."""
    k = x.shape[1]
    decay, ratio, shape = _to_params(z, k)
    design = np.column_stack([_saturated(x, decay, _half_saturation(x, decay, ratio), shape), c])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = max(len(y) - design.shape[1] - 3 * k, 1)
    return float(np.sqrt(np.sum((y - design @ beta) ** 2) / dof))


def _solve(
    x: np.ndarray,
    y: np.ndarray,
    c: np.ndarray,
    z0: np.ndarray,
    *,
    sigma: float,
    lifts: _Lifts | None = None,
    basis: np.ndarray | None = None,
    max_nfev: int | None = None,
    ftol: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    """Penalised nonlinear least squares over the response-curve parameters with the linear
    coefficients profiled out (variable projection): the controls are projected out once, so
    each step solves only a channels-by-channels system. ``sigma`` (currency per period) weighs
    the prior rows and the lift rows, ``sigma / standard_error`` each, against the residuals.

    ``basis`` is an orthonormal basis of the controls' columns (``numpy.linalg.qr(c)[0]``), for
    callers that solve many times with the same controls.

    Returns the unbounded search variables (see `_to_params`) and the media coefficients.
    """
    from scipy.optimize import least_squares

    k = x.shape[1]
    q = np.linalg.qr(c)[0] if basis is None else basis
    mean_positive = _mean_positive(x)
    y_perp = y - q @ (q.T @ y)
    w = sigma / lifts.standard_error if lifts is not None else np.zeros(0)

    def curves(z: np.ndarray) -> np.ndarray:
        decay, ratio, shape = _to_params(z, k)
        return _saturated(x, decay, ratio * mean_positive / (1.0 - decay), shape)

    def project(h: np.ndarray) -> np.ndarray:
        return h - q @ (q.T @ h)

    def linear_residuals(h: np.ndarray, h_perp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residuals of the profiled linear solve and its coefficients: the projected media rows,
        then the weighted lift rows."""
        design, target = h_perp, y_perp
        if lifts is not None:
            design = np.vstack([h_perp, w[:, None] * lifts.design(h)])
            target = np.r_[y_perp, w * lifts.measured]
        gram = design.T @ design
        beta = np.linalg.solve(gram + 1e-9 * np.eye(k) * np.trace(gram), design.T @ target)
        return design @ beta - target, beta

    def residuals(z: np.ndarray) -> np.ndarray:
        h = curves(z)
        return np.r_[linear_residuals(h, project(h))[0], _prior_rows(z, k, sigma)]

    def column(z: np.ndarray, i: int) -> np.ndarray:
        decay, ratio, shape = _to_params(z[[i, k + i, 2 * k + i]], 1)
        return hill(adstock(x[:, i], decay[0]), ratio[0] * mean_positive[i] / (1.0 - decay[0]), shape[0])

    def jacobian(z: np.ndarray) -> np.ndarray:
        # Forward differences like scipy's, but a parameter moves only its own channel's curve,
        # so each column recomputes one channel instead of all of them.
        h = curves(z)
        h_perp = project(h)
        base = np.r_[linear_residuals(h, h_perp)[0], _prior_rows(z, k, sigma)]
        jac = np.empty((base.size, z.size))
        for j in range(z.size):
            step = 1.5e-8 * max(1.0, abs(z[j]))
            moved = z.copy()
            moved[j] += step
            h_moved, hp_moved = h.copy(), h_perp.copy()
            h_moved[:, j % k] = column(moved, j % k)
            hp_moved[:, j % k] = project(h_moved[:, j % k])
            jac[:, j] = (
                np.r_[linear_residuals(h_moved, hp_moved)[0], _prior_rows(moved, k, sigma)] - base
            ) / step
        return jac

    # Levenberg-Marquardt (MINPACK) on unbounded variables; the bounds live in _to_params.
    result = least_squares(residuals, z0, jac=jacobian, method="lm", xtol=1e-6, ftol=ftol, max_nfev=max_nfev)
    h = curves(result.x)
    return result.x, linear_residuals(h, project(h))[1]


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


def _leverage(x: np.ndarray, c: np.ndarray, z: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Leverage of each period in the fit linearised at ``z``: the diagonal of the hat matrix of
    the fitted revenue's derivatives, with respect to the media coefficients, the controls'
    coefficients and the curve parameters (forward differences in the search variables)."""
    k = x.shape[1]
    mean_positive = _mean_positive(x)

    def column(zz: np.ndarray, i: int) -> np.ndarray:
        decay, ratio, shape = _to_params(zz[[i, k + i, 2 * k + i]], 1)
        return hill(adstock(x[:, i], decay[0]), ratio[0] * mean_positive[i] / (1.0 - decay[0]), shape[0])

    h = np.column_stack([column(z, i) for i in range(k)])
    derivs = []
    for j in range(z.size):
        step = 1e-6 * max(1.0, abs(z[j]))
        moved = z.copy()
        moved[j] += step
        derivs.append(coef[j % k] * (column(moved, j % k) - h[:, j % k]) / step)
    # A curve parameter whose move barely changes its channel's contribution (a coefficient of
    # 0, or a parameter at its bound, where the logistic map is flat) is not free: left out.
    scale = np.abs(np.tile(coef, 3)) * np.linalg.norm(h, axis=0)[np.arange(z.size) % k]
    free = [d for d, sc in zip(derivs, scale, strict=True) if np.linalg.norm(d) > 1e-4 * sc]
    design = np.column_stack([h, c, *free])
    norms = np.linalg.norm(design, axis=0)
    # Leverage does not depend on the columns' scales; scaled to one, a column that repeats
    # others shows as a zero singular value and is left out.
    u, s, _ = np.linalg.svd(design[:, norms > 0] / norms[norms > 0], full_matrices=False)
    u = u[:, s > 1e-8 * s.max()]
    return np.einsum("ij,ij->i", u, u)


def _prior_scales() -> np.ndarray:
    """The priors' scales in the order of `_contraction`'s columns: decay, log half-saturation
    ratio, log Hill shape."""
    return np.array([PRIOR_DECAY[1], PRIOR_LOG_HALF_RATIO[1], PRIOR_LOG_SHAPE[1]])


def _posterior(
    x: np.ndarray,
    c: np.ndarray,
    decay: np.ndarray,
    ratio: np.ndarray,
    shape: np.ndarray,
    coef: np.ndarray,
    *,
    sigma: float,
    lifts: _Lifts | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Laplace approximation of the posterior at the MAP estimate: the covariance of every
    parameter (media coefficients, controls' coefficients, then the curve parameters decay, log
    half-saturation ratio and log shape, parameter-major like the solver's ``z``), the
    saturated spend ``h`` (periods by channels) and its derivatives ``d_h`` in the curve
    parameters (periods by ``3 * channels``).

    The covariance is the inverse Gauss-Newton Hessian of the MAP objective, ``sigma**2
    (J'J)^-1``, with ``J`` the derivatives of the revenue residuals, the lift rows and the prior
    rows (``sigma / scale`` on the diagonal).
    """
    n, k = x.shape
    mean_positive = _mean_positive(x)
    theta = np.column_stack([decay, np.log(ratio), np.log(shape)])

    def column(i: int, t: np.ndarray) -> np.ndarray:
        return hill(adstock(x[:, i], t[0]), np.exp(t[1]) * mean_positive[i] / (1.0 - t[0]), np.exp(t[2]))

    h = np.column_stack([column(i, theta[i]) for i in range(k)])
    d_h = np.empty((n, 3 * k))  # d h_i / d theta_ip, parameter-major like the solver's z
    for p in range(3):
        for i in range(k):
            step = np.zeros(3)
            step[p] = 1e-6
            d_h[:, p * k + i] = (column(i, theta[i] + step) - h[:, i]) / 1e-6
    owner = np.tile(np.arange(k), 3)
    rows = [np.column_stack([h, c, coef[owner] * d_h])]
    if lifts is not None:
        w = (sigma / lifts.standard_error)[:, None]
        lift_curves = [lifts.design(np.where(np.arange(k) == owner[j], d_h[:, [j]], 0.0)) @ coef
                       for j in range(3 * k)]  # fmt: skip
        rows.append(np.column_stack([w * lifts.design(h), np.zeros((len(w), c.shape[1])),
                                     w * np.column_stack(lift_curves)]))  # fmt: skip
    prior = np.zeros((3 * k, k + c.shape[1] + 3 * k))
    prior[:, k + c.shape[1] :] = np.diag(sigma / np.repeat(_prior_scales(), k))
    jac = np.vstack([*rows, prior])
    gram = jac.T @ jac
    # Equilibrated before inverting: the coefficients' columns are in currency, the curves' in
    # fractions; a coefficient the data cannot separate from the controls is left out (pinv).
    norm = np.sqrt(np.diag(gram))
    norm = np.where(norm > 0, norm, 1.0)
    cov = np.linalg.pinv(gram / np.outer(norm, norm), hermitian=True) / np.outer(norm, norm)
    return cov * sigma**2, h, d_h


def _contraction(
    x: np.ndarray,
    c: np.ndarray,
    decay: np.ndarray,
    ratio: np.ndarray,
    shape: np.ndarray,
    coef: np.ndarray,
    *,
    sigma: float,
    lifts: _Lifts | None = None,
) -> np.ndarray:
    """Posterior over prior standard deviation of each curve parameter, channels by (decay,
    log half-saturation ratio, log shape), the scales the priors are stated on: near 1 when the
    prior alone sets the parameter, near 0 when the data pin it.

    The posterior is `_posterior`'s, over every parameter (media and control coefficients and
    the curve parameters, so a parameter traded against another counts as unpinned); the
    prior's variance is ``scale**2``.
    """
    k = x.shape[1]
    cov = _posterior(x, c, decay, ratio, shape, coef, sigma=sigma, lifts=lifts)[0]
    post_sd = np.sqrt(np.maximum(np.diag(cov)[k + c.shape[1] :], 0.0))
    return (post_sd / np.repeat(_prior_scales(), k)).reshape(3, k).T


def _roas_relative_sd(
    x: np.ndarray,
    c: np.ndarray,
    decay: np.ndarray,
    ratio: np.ndarray,
    shape: np.ndarray,
    coef: np.ndarray,
    *,
    sigma: float,
    lifts: _Lifts | None = None,
) -> np.ndarray:
    """Posterior standard deviation of each channel's ROAS over the ROAS (a fraction), by the
    delta method on `_posterior`: ``sqrt(g' Σ g) / roas`` with ``g`` the gradient of ``roas =
    β Σ_t h_t / Σ_t x_t`` in every parameter. Infinite for a ROAS of 0.

    Unlike the bootstrap's interval it needs no replicates, so it reads the same whatever their
    number, and it counts the directions the prior alone holds.
    """
    n, k = x.shape
    cov, h, d_h = _posterior(x, c, decay, ratio, shape, coef, sigma=sigma, lifts=lifts)
    total = x.sum(axis=0)
    roas = coef * h.sum(axis=0) / total
    out = np.empty(k)
    for i in range(k):
        g = np.zeros(cov.shape[0])
        g[i] = h[:, i].sum() / total[i]
        curve = k + c.shape[1] + np.arange(3) * k + i
        g[curve] = coef[i] * d_h[:, np.arange(3) * k + i].sum(axis=0) / total[i]
        sd = np.sqrt(max(g @ cov @ g, 0.0))
        out[i] = sd / abs(roas[i]) if roas[i] != 0 else np.inf
    return out
