"""The BG/NBD model of repeat purchasing: likelihood, fit, P(alive) and expected purchases.

Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2);
written on scipy rather than ``lifetimes`` (archived, pins old pandas/autograd). Times are in the
summary's time unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from socialreturns.inputs import InputError

from .fit import PURCHASE_MODELS, ModelFit, _maximise, _mean_neg_log_likelihood, _need, _unique_rows, cached
from .mbgnbd import _mbg_conditional_expected, _mbg_log_odds_gone, _mbg_new_customer
from .rfm import _columns

BGNBD_PARAMS = ("r", "alpha", "a", "b")


def _bgnbd_terms(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
    """Per-customer log-likelihood of BG/NBD and its gradient in (r, alpha, a, b).

    FHL (2005) eq. 6, rearranged so every term is a log:
    ``ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
    + ln[(α+T)^−(r+x) + δ(x>0) a/(b+x−1) (α+t_x)^−(r+x)]``.
    """
    r, alpha, a, b = params
    rx = r + x
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    u1 = -rx * log_at
    repeat = x > 0
    u2 = np.full_like(x, -np.inf)
    u2[repeat] = np.log(a) - np.log(b + x[repeat] - 1) - rx[repeat] * log_atx[repeat]
    mix = np.logaddexp(u1, u2)
    w2 = np.exp(u2 - mix)
    w1 = 1.0 - w2
    ll = (special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
          + special.betaln(a, b + x) - special.betaln(a, b) + mix)  # fmt: skip
    d_r = special.digamma(rx) - special.digamma(r) + np.log(alpha) - w1 * log_at - w2 * log_atx
    d_alpha = r / alpha - rx * (w1 / (alpha + T) + w2 / (alpha + t_x))
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + x)
    d_a = psi_ab - psi_abx + w2 / a
    d_b = special.digamma(b + x) - special.digamma(b) + psi_ab - psi_abx
    d_b = d_b - np.where(repeat, w2 / np.where(repeat, b + x - 1, 1.0), 0.0)
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


def bgnbd_log_likelihood(summary: pd.DataFrame, *, r: float, alpha: float, a: float, b: float) -> pd.Series:
    """Each customer's BG/NBD log-likelihood (FHL 2005, eq. 6) at the given parameters.

    ``summary`` needs ``frequency``, ``recency`` and ``T`` (``alpha`` is in the same time unit).

    Examples
    --------
    A customer with no repeat purchase observed for one week, at r = alpha = a = b = 1:
    ``L = B(1, 1)/B(1, 1) * Γ(1)/Γ(1) * 1 / (1 + 1) = 0.5``.

    >>> s = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [1.0]})
    >>> float(np.exp(bgnbd_log_likelihood(s, r=1, alpha=1, a=1, b=1).iloc[0]))
    0.5
    """
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    ll, _ = _bgnbd_terms(np.array([r, alpha, a, b], float), x, t_x, T)
    return pd.Series(ll, index=summary.index, name="log_likelihood")


def _check_summary(summary: pd.DataFrame) -> None:
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    bad = (x < 0) | (t_x < 0) | (t_x > T + 1e-9) | ((x == 0) & (t_x > 0)) | ~np.isfinite(x + t_x + T)
    if bad.any():
        rows = summary.index[bad][:5].tolist()
        raise InputError(
            "impossible frequency, recency or T for some customers",
            rows=rows,
            expected="0 <= recency <= T, recency 0 when frequency is 0 (build it with rfm_summary)",
        )
    if len(summary) == 0:
        raise InputError("the customer summary is empty", expected="at least one customer")


@cached(("frequency", "recency", "T"))
def fit_bgnbd(summary: pd.DataFrame) -> ModelFit:
    """Fit the BG/NBD model of repeat purchasing by maximum likelihood.

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
        If no customer has a repeat purchase, or the fit does not converge.

    Notes
    -----
    Purchases of an active customer follow a Poisson process with rate λ ~ Gamma(r, α); after
    each purchase the customer drops out with probability p ~ Beta(a, b) (FHL 2005). The
    likelihood is eq. 6 in log form; identical customers are collapsed into weighted rows.
    """
    _check_summary(summary)
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    if not (x > 0).any():
        raise InputError(
            "no customer has a repeat purchase, so the BG/NBD model cannot tell buying from dropping out",
            column="frequency",
            expected="some customers with two or more purchases on different days",
            hint="Use a longer period or check that orders carry the right customer_id",
        )
    (x, t_x, T), weight = _unique_rows([x, t_x, T])
    total = weight.sum()
    neg = _mean_neg_log_likelihood(_bgnbd_terms, [x, t_x, T], weight)

    start = np.array([1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0])
    return _maximise(
        "BG/NBD", BGNBD_PARAMS, neg, start, int(total), summary.attrs.get("time_unit", "W"),
        expected="customers who differ in how often they buy and some who stop buying",
        hint="Use a longer calibration period, check the time unit, or check that the orders are complete",
    )  # fmt: skip


def _log_odds_gone(fit: ModelFit, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    if fit.model == "MBG/NBD":
        return _mbg_log_odds_gone(fit, x, t_x, T)
    r, alpha, a, b = fit.params[list(BGNBD_PARAMS)]
    log_odds = np.full_like(x, -np.inf)
    k = x > 0
    log_odds[k] = (np.log(a) - np.log(b + x[k] - 1)
                   + (r + x[k]) * (np.log(alpha + T[k]) - np.log(alpha + t_x[k])))  # fmt: skip
    return log_odds


def p_alive(fit: ModelFit, summary: pd.DataFrame) -> pd.Series:
    """Probability that each customer is still active at the end of their observation (T).

    BG/NBD: ``P(alive) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x))`` (FHL 2005 note,
    eq. 2). A customer with no repeat purchase has P(alive) = 1: under BG/NBD a customer can only
    drop out right after a repeat purchase, so the figure says nothing about them (see
    `share_active`). MBG/NBD: ``1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x))`` (Batislam et al. 2007,
    appendix A, eq. 5), below 1 for one-time buyers too.
    """
    _need(fit, *PURCHASE_MODELS)
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    return pd.Series(special.expit(-_log_odds_gone(fit, x, t_x, T)), index=summary.index, name="p_alive")


def _hyp2f1(a: np.ndarray, b: np.ndarray, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    value = special.hyp2f1(a, b, c, z)
    if not np.all(np.isfinite(value)):
        raise InputError(
            "the hypergeometric function in the BG/NBD expectation overflowed",
            expected="a horizon of a few years in the fit's time unit",
            hint="Shorten the horizon",
        )
    return value


def expected_purchases_new_customer(fit: ModelFit, t: float | np.ndarray) -> np.ndarray:
    """Expected repeat purchases of a newly acquired customer in their first ``t`` time units.

    ``E[X(t)] = (a+b−1)/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))]`` (FHL 2005, eq. 7);
    for an MBG/NBD fit, `mbgnbd._mbg_new_customer`.
    """
    _need(fit, *PURCHASE_MODELS)
    t = np.asarray(t, float)
    if fit.model == "MBG/NBD":
        return _mbg_new_customer(fit, t, _hyp2f1)
    r, alpha, a, b = fit.params[list(BGNBD_PARAMS)]
    z = t / (alpha + t)
    hyp = _hyp2f1(r, b, a + b - 1, z)
    return (a + b - 1) / (a - 1) * (1 - np.exp(r * np.log(alpha / (alpha + t))) * hyp)


def _conditional_expected(fit: ModelFit, x, t_x, T, horizon: np.ndarray) -> np.ndarray:
    if fit.model == "MBG/NBD":
        return _mbg_conditional_expected(fit, x, t_x, T, horizon, _hyp2f1)
    r, alpha, a, b = fit.params[list(BGNBD_PARAMS)]
    horizon = np.asarray(horizon, float)
    rx = r + x
    z = horizon / (alpha + T + horizon)
    hyp = _hyp2f1(rx, b + x, a + b + x - 1, z)
    numer = (a + b + x - 1) / (a - 1) * (1 - np.exp(rx * np.log((alpha + T) / (alpha + T + horizon))) * hyp)
    return numer * special.expit(-_log_odds_gone(fit, x, t_x, T))


def expected_purchases(fit: ModelFit, summary: pd.DataFrame, horizon: float) -> pd.Series:
    """Expected purchases of each customer in (T, T + horizon], given their history.

    ``horizon`` is in the fit's time unit. FHL (2005) eq. 10; for an MBG/NBD fit, Wagner &
    Hoppe (2008) eq. 3.
    """
    _need(fit, *PURCHASE_MODELS)
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    value = _conditional_expected(fit, x, t_x, T, np.full_like(x, float(horizon)))
    return pd.Series(value, index=summary.index, name="expected_purchases")
