"""The MBG/NBD model of repeat purchasing: BG/NBD with a drop-out chance at the first purchase too.

Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models for customer
base analysis", International Journal of Research in Marketing 24(3), 201-209, with the
correction of Wagner & Hoppe 2008, "Erratum on the MBG/NBD model", IJRM 25(3), 225-226 (the same
likelihood as Hoppe & Wagner's 2007 central variant, CBG/NBD). Under BG/NBD a customer can drop
out only right after a repeat purchase, so everyone who bought once is "alive" for sure; under
MBG/NBD they may also drop out right after the first purchase, so a long silence after one
purchase counts against them too. Times are in the summary's time unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from socialreturns.inputs import InputError

from .fit import ModelFit, _maximise, _mean_neg_log_likelihood, _unique_rows, cached
from .rfm import _columns

MBGNBD_PARAMS = ("r", "alpha", "a", "b")


def _mbgnbd_terms(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
    """Per-customer log-likelihood of MBG/NBD and its gradient in (r, alpha, a, b).

    Batislam et al. (2007), appendix A, eq. 3 (as corrected by Wagner & Hoppe 2008), in logs:
    ``ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b)
    + ln[(α+T)^−(r+x) + a/(b+x) (α+t_x)^−(r+x)]``; unlike BG/NBD the second term is there for
    ``x = 0`` too (``t_x = 0``).
    """
    r, alpha, a, b = params
    rx = r + x
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    u1 = -rx * log_at
    u2 = np.log(a) - np.log(b + x) - rx * log_atx
    mix = np.logaddexp(u1, u2)
    w2 = np.exp(u2 - mix)
    w1 = 1.0 - w2
    ll = (special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
          + special.betaln(a, b + x + 1) - special.betaln(a, b) + mix)  # fmt: skip
    d_r = special.digamma(rx) - special.digamma(r) + np.log(alpha) - w1 * log_at - w2 * log_atx
    d_alpha = r / alpha - rx * (w1 / (alpha + T) + w2 / (alpha + t_x))
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + x + 1)
    d_a = psi_ab - psi_abx + w2 / a
    d_b = special.digamma(b + x + 1) - special.digamma(b) + psi_ab - psi_abx - w2 / (b + x)
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


def mbgnbd_log_likelihood(summary: pd.DataFrame, *, r: float, alpha: float, a: float, b: float) -> pd.Series:
    """Each customer's MBG/NBD log-likelihood at the given parameters (``alpha`` in the summary's
    time unit).

    Examples
    --------
    A customer with no repeat purchase observed for one week, at r = alpha = a = b = 1:
    ``L = B(1, 2)/B(1, 1) × [1/2 + 1/1] = 0.5 × 1.5 = 0.75``.

    >>> s = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [1.0]})
    >>> round(float(np.exp(mbgnbd_log_likelihood(s, r=1, alpha=1, a=1, b=1).iloc[0])), 12)
    0.75
    """
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    ll, _ = _mbgnbd_terms(np.array([r, alpha, a, b], float), x, t_x, T)
    return pd.Series(ll, index=summary.index, name="log_likelihood")


@cached(("frequency", "recency", "T"))
def fit_mbgnbd(summary: pd.DataFrame) -> ModelFit:
    """Fit the MBG/NBD model by maximum likelihood.

    Parameters
    ----------
    summary
        From `rfm_summary`: ``frequency``, ``recency`` and ``T`` per customer.

    Returns
    -------
    ModelFit with ``params`` ``r``, ``alpha`` (in the summary's time unit), ``a``, ``b``.

    Raises
    ------
    InputError
        If the summary is impossible or empty, no customer has a repeat purchase, or the fit does
        not converge.
    """
    from .bgnbd import _check_summary

    _check_summary(summary)
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    if not (x > 0).any():
        raise InputError(
            "no customer has a repeat purchase, so the MBG/NBD model cannot tell buying from dropping out",
            column="frequency",
            expected="some customers with two or more purchases on different days",
            hint="Use a longer period or check that orders carry the right customer_id",
        )
    (x, t_x, T), weight = _unique_rows([x, t_x, T])
    neg = _mean_neg_log_likelihood(_mbgnbd_terms, [x, t_x, T], weight)
    start = np.array([1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0])
    return _maximise(
        "MBG/NBD", MBGNBD_PARAMS, neg, start, int(weight.sum()), summary.attrs.get("time_unit", "W"),
        expected="customers who differ in how often they buy and some who stop buying",
        hint="Use a longer calibration period, check the time unit, or check that the orders are complete",
    )  # fmt: skip


def _mbg_log_odds_gone(fit: ModelFit, x, t_x, T) -> np.ndarray:
    """``ln[a/(b+x) ((α+T)/(α+t_x))^(r+x)]``: P(alive) = expit(−this) (Batislam et al. 2007, A.5)."""
    r, alpha, a, b = fit.params[list(MBGNBD_PARAMS)]
    return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def _mbg_conditional_expected(fit: ModelFit, x, t_x, T, horizon: np.ndarray, hyp2f1) -> np.ndarray:
    """Expected purchases in (T, T+horizon] given the history (Wagner & Hoppe 2008, eq. 3)."""
    r, alpha, a, b = fit.params[list(MBGNBD_PARAMS)]
    horizon = np.asarray(horizon, float)
    rx = r + x
    z = horizon / (alpha + T + horizon)
    hyp = hyp2f1(rx, b + x + 1, a + b + x, z)
    numer = (a + b + x) / (a - 1) * (1 - np.exp(rx * np.log((alpha + T) / (alpha + T + horizon))) * hyp)
    return numer * special.expit(-_mbg_log_odds_gone(fit, x, t_x, T))


def _mbg_new_customer(fit: ModelFit, t: np.ndarray, hyp2f1) -> np.ndarray:
    """``E[X(t)] = b/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))]`` (Batislam et al. 2007)."""
    r, alpha, a, b = fit.params[list(MBGNBD_PARAMS)]
    z = t / (alpha + t)
    return b / (a - 1) * (1 - np.exp(r * np.log(alpha / (alpha + t))) * hyp2f1(r, b + 1, a + b, z))
