"""The Gamma-Gamma model of order value: likelihood, fit and expected order value.

Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4); Fader & Hardie
2013, "The Gamma-Gamma model of monetary value". Money is in the data's currency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from socialreturns.inputs import InputError

from .fit import ModelFit, _maximise, _mean_neg_log_likelihood, _need, _unique_rows, cached
from .rfm import _columns

GAMMA_GAMMA_PARAMS = ("p", "q", "gamma")


def _gg_terms(params: np.ndarray, x: np.ndarray, m: np.ndarray):
    """Per-customer Gamma-Gamma log-likelihood of the mean value ``m`` of ``x`` purchases.

    ``f(m | x) = Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px−1) x^(px) / (γ + m x)^(px+q)``
    (Fader & Hardie 2013, eq. 3).
    """
    p, q, gamma = params
    px = p * x
    log_gm = np.log(gamma + m * x)
    ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
          + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_gm)  # fmt: skip
    psi = special.digamma(px + q)
    d_p = x * (psi - special.digamma(px) + np.log(m) + np.log(x) - log_gm)
    d_q = psi - special.digamma(q) + np.log(gamma) - log_gm
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return ll, np.vstack([d_p, d_q, d_gamma])


def _repeat_buyers(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    x, m = _columns(summary, ("frequency", "monetary_value"))
    keep = x > 0
    if not keep.any():
        raise InputError(
            "no customer has a repeat purchase, so there are no repeat order values to model",
            column="frequency",
            expected="some customers with two or more purchases on different days",
            hint="Use a longer period",
        )
    bad = keep & ~(m > 0)
    if bad.any():
        raise InputError(
            "repeat buyers with a mean order value of 0 or less",
            column="monetary_value",
            rows=summary.index[bad][:5].tolist(),
            expected="positive order values (refunds netted out per order, not as separate orders)",
        )
    return x[keep], m[keep]


def gamma_gamma_log_likelihood(summary: pd.DataFrame, *, p: float, q: float, gamma: float) -> pd.Series:
    """Each repeat buyer's Gamma-Gamma log-likelihood at the given parameters.

    Needs ``frequency`` and ``monetary_value`` (mean of the repeat purchases, currency); rows
    with no repeat purchase are left out.
    """
    x, m = _repeat_buyers(summary)
    ll, _ = _gg_terms(np.array([p, q, gamma], float), x, m)
    return pd.Series(ll, index=summary.index[summary["frequency"].to_numpy() > 0], name="log_likelihood")


@cached(("frequency", "monetary_value"))
def fit_gamma_gamma(summary: pd.DataFrame) -> ModelFit:
    """Fit the Gamma-Gamma model of order value on the repeat buyers.

    Returns
    -------
    ModelFit with ``params`` ``p``, ``q`` and ``gamma`` (currency).

    Notes
    -----
    A customer's order values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, so the
    mean order value is ``pγ/(q−1)`` and it is independent of purchase frequency (Fader & Hardie
    2013). Fitted on customers with at least one repeat purchase, using their repeat purchases.
    """
    x, m = _repeat_buyers(summary)
    (x, m), weight = _unique_rows([x, m])
    total = weight.sum()
    neg = _mean_neg_log_likelihood(_gg_terms, [x, m], weight)

    mean = float(np.average(m, weights=weight))
    start = np.array([1.0, 2.0, mean])  # gives the observed mean value pγ/(q−1) at the start
    return _maximise(
        "Gamma-Gamma", GAMMA_GAMMA_PARAMS, neg, start, int(total), "currency",
        expected="order values that vary within and between customers",
        hint="Check that monetary_value holds order values (not a constant or a count)",
    )  # fmt: skip


def expected_order_value(fit: ModelFit, summary: pd.DataFrame) -> pd.Series:
    """Expected value of each customer's future orders (currency).

    ``E[M | x, m_x] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m_x``: a weighted average of the
    population mean and the customer's own mean (Fader & Hardie 2013, eq. 5). Customers with no
    repeat purchase get the population mean.
    """
    _need(fit, "Gamma-Gamma")
    p, q, gamma = fit.params[list(GAMMA_GAMMA_PARAMS)]
    x, m = _columns(summary, ("frequency", "monetary_value"))
    value = (p * (gamma + x * m)) / (p * x + q - 1)
    return pd.Series(value, index=summary.index, name="expected_order_value")
