"""Return on Relationship: the value that accrues through loyalty, recommendations and sharing.

ROI counts this quarter's money; ROR counts what a customer relationship is worth from here on,
discounted at finance's cost of capital, in three parts:

* **loyalty**: customer lifetime value (CLV) from repeat purchases. Purchase counts follow the
  BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing
  Science 24(2)); order values follow the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and
  CLV: using iso-value curves", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of
  monetary value").
* **recommendations**: customer referral value (Kumar, Petersen & Leone 2007, "How valuable is
  word of mouth?", HBR 85(10)): the value of the customers a customer brought in, net of those who
  would have joined anyway, minus what the referral cost.
* **sharing**: the earned media value of the reach that customers' posts about the brand create.

Both models are written here on scipy (maximum likelihood in log space with analytic gradients)
instead of using ``lifetimes`` (archived, pins old pandas/autograd) or ``pymc-marketing`` (a
PyMC install for two closed-form likelihoods). Times are in ``time_unit`` units (weeks by
default: days / 7, not calendar weeks); money is in the data's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special

from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError
from socialreturns.intervals import norm_ppf
from socialreturns.notebook import check_data_dir, check_iso_date, check_rules, check_types

TimeUnit = Literal["D", "W"]
DAYS_PER_UNIT = {"D": 1.0, "W": 7.0}
BGNBD_PARAMS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMS = ("p", "q", "gamma")
QUADRANTS = ("champions", "affluents", "advocates", "misers")


# --------------------------------------------------------------------------- summary


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{what} has no column '{missing[0]}'",
            column=missing[0],
            expected=f"columns {', '.join(columns)} (load it with socialreturns.data)",
        )


def _days(stamps: pd.Series) -> np.ndarray:
    """Whole UTC days since the epoch (same-day orders share a day)."""
    stamps = pd.to_datetime(stamps, utc=True)
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[D]").astype(np.int64)


def _day_of(key: str, value: str | pd.Timestamp | None) -> int | None:
    if value is None or value == "":
        return None
    stamp = value if isinstance(value, pd.Timestamp) else check_iso_date(key, str(value))
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(np.datetime64(stamp.tz_convert("UTC").tz_localize(None).date(), "D").astype(np.int64))


def _date(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def rfm_summary(
    orders: pd.DataFrame,
    *,
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    time_unit: TimeUnit = "W",
    value_column: str = "revenue",
) -> pd.DataFrame:
    """Summarise each customer's purchases as frequency, recency, T and monetary value.

    Orders on the same UTC day are merged into one purchase (their values summed), as in the
    papers. Times count whole days divided by the unit's length (7 for weeks).

    Parameters
    ----------
    orders
        One row per order with ``customer_id``, ``timestamp`` and ``value_column``.
    calibration_end
        ISO date; the last day of the calibration period (inclusive). When given, only customers
        whose first purchase falls on or before it are kept, the model columns describe the
        calibration period, and the holdout columns count what happened after it.
    observation_end
        ISO date; the last day observed (inclusive). Default: the day of the last order.
    time_unit
        ``"W"`` (weeks, days / 7) or ``"D"`` (days).
    value_column
        The order value column (currency), ``revenue`` by default.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with ``first_purchase`` (date), ``frequency`` (repeat
    purchases), ``recency`` (first to last purchase), ``T`` (first purchase to the end of the
    calibration or observation period), ``monetary_value`` (mean value of the repeat purchases,
    0 without any), ``n_purchases`` and ``total_value`` (currency, all purchases); with
    ``calibration_end`` also ``frequency_holdout``, ``monetary_value_holdout`` and
    ``duration_holdout``. ``attrs`` carry ``time_unit`` and the period ends.

    Raises
    ------
    InputError
        A missing column, an unknown time unit, or a period end outside the orders' dates.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B"],
    ...     "timestamp": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 12:00", "2025-01-15 10:00",
    ...                                  "2025-01-08 17:30"], utc=True),
    ...     "revenue": [10.0, 5.0, 20.0, 7.0]})
    >>> summary = rfm_summary(orders)[["frequency", "recency", "T", "monetary_value"]]
    >>> print(summary.to_string(index_names=False))
       frequency  recency    T  monetary_value
    A          1      2.0  2.0            20.0
    B          0      0.0  1.0             0.0
    """
    _require(orders, ("customer_id", "timestamp", value_column), "orders")
    if time_unit not in DAYS_PER_UNIT:
        raise InputError(f"is {time_unit!r}", key="time_unit", expected="'W' (weeks) or 'D' (days)")
    if orders.empty:
        raise InputError("orders has no rows", expected="at least one order per customer")
    unit = DAYS_PER_UNIT[time_unit]
    frame = pd.DataFrame({
        "customer_id": orders["customer_id"].astype(str).to_numpy(),
        "day": _days(orders["timestamp"]),
        "value": pd.to_numeric(orders[value_column]).to_numpy(float),
    })  # fmt: skip
    daily = frame.groupby(["customer_id", "day"], sort=True, as_index=False)["value"].sum()
    first_day, last_day = int(daily["day"].min()), int(daily["day"].max())
    end = _day_of("observation_end", observation_end)
    end = last_day if end is None else end
    if end < first_day:
        raise InputError(
            f"is {_date(end)}, before the first order", key="observation_end",
            expected=f"a date from {_date(first_day)} to {_date(last_day)}",
        )  # fmt: skip
    cal = _day_of("calibration_end", calibration_end)
    if cal is not None and not first_day <= cal < end:
        raise InputError(
            f"is {_date(cal)}, outside the orders, which run from {_date(first_day)} to {_date(end)}",
            key="calibration_end",
            expected=f"a date on or after {_date(first_day)} and before {_date(end)}",
            hint="Move it inside the data so that both periods have purchases",
        )
    daily = daily[daily["day"] <= end]
    firsts = daily.groupby("customer_id", sort=True)["day"].min()
    daily["first"] = daily["customer_id"].map(firsts).to_numpy()
    cut = end if cal is None else cal
    daily = daily[daily["first"] <= cut]
    in_cal = daily["day"] <= cut
    cal_rows = daily[in_cal]
    grouped = cal_rows.groupby("customer_id", sort=True)
    n = grouped["day"].size()
    first = grouped["day"].min()
    last = grouped["day"].max()
    total = grouped["value"].sum()
    first_value = cal_rows.loc[cal_rows["day"] == cal_rows["first"]].set_index("customer_id")["value"]
    frequency = n - 1
    repeat_value = total - first_value.reindex(n.index).to_numpy()
    summary = pd.DataFrame({
        "first_purchase": pd.to_datetime(first.to_numpy().astype("datetime64[D]")),
        "frequency": frequency.astype(np.int64),
        "recency": (last - first) / unit,
        "T": (cut - first) / unit,
        "monetary_value": np.where(frequency > 0, repeat_value / frequency.where(frequency > 0, 1), 0.0),
        "n_purchases": n.astype(np.int64),
        "total_value": total,
    })  # fmt: skip
    summary.index.name = "customer_id"
    if cal is not None:
        hold = daily[~in_cal].groupby("customer_id")
        summary["frequency_holdout"] = (
            hold["day"].size().reindex(summary.index, fill_value=0).astype(np.int64)
        )
        hold_value = hold["value"].sum().reindex(summary.index, fill_value=0.0)
        summary["monetary_value_holdout"] = np.where(
            summary["frequency_holdout"] > 0,
            hold_value / summary["frequency_holdout"].clip(lower=1),
            0.0,
        )
        summary["duration_holdout"] = (end - cal) / unit
    summary.attrs.update(
        time_unit=time_unit,
        calibration_end=None if cal is None else _date(cal),
        observation_end=_date(end),
    )
    return summary


# --------------------------------------------------------------------------- fitted models


@dataclass(frozen=True)
class ModelFit:
    """A maximum-likelihood fit of the BG/NBD or Gamma-Gamma model.

    ``params`` is indexed by the model's parameter names; ``standard_errors`` come from the
    inverse of the observed information (the Hessian of the log-likelihood, by central differences
    of the analytic gradient, in log parameters, then by the delta method).
    """

    model: Literal["BG/NBD", "Gamma-Gamma"]
    params: pd.Series
    standard_errors: pd.Series
    log_likelihood: float
    n_customers: int
    time_unit: str
    iterations: int

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals with columns ``ci_lower`` and ``ci_upper``.

        Computed on the log scale (where the likelihood is closer to quadratic and the bounds stay
        positive): ``estimate * exp(±z * se / estimate)``.
        """
        z = norm_ppf(1 - alpha / 2)
        log_se = self.standard_errors / self.params
        return pd.DataFrame({
            "ci_lower": self.params * np.exp(-z * log_se),
            "ci_upper": self.params * np.exp(z * log_se),
        })  # fmt: skip

    def to_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per parameter: ``estimate``, ``std_error``, ``ci_lower``, ``ci_upper``."""
        frame = pd.DataFrame({"estimate": self.params, "std_error": self.standard_errors})
        frame = frame.join(self.conf_int(alpha))
        frame.index.name = "parameter"
        return frame


def _unique_rows(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Collapse identical customers into one row with a weight (a big speed-up on real data)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


def _numeric_hessian(grad, theta: np.ndarray) -> np.ndarray:
    h = 1e-5 * np.maximum(1.0, np.abs(theta))
    hess = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h[i]
        hess[i] = (grad(theta + step) - grad(theta - step)) / (2 * h[i])
    return (hess + hess.T) / 2


def _maximise(
    model: str,
    names: tuple[str, ...],
    neg_ll_and_grad,
    start: np.ndarray,
    n_customers: int,
    time_unit: str,
    *,
    expected: str,
    hint: str,
) -> ModelFit:
    """Minimise the mean negative log-likelihood over log parameters; errors from the Hessian."""
    result = optimize.minimize(
        neg_ll_and_grad, np.log(start), jac=True, method="L-BFGS-B",
        bounds=[(-15.0, 15.0)] * len(names), options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )  # fmt: skip
    theta = result.x
    hess = _numeric_hessian(lambda t: neg_ll_and_grad(t)[1], theta) * n_customers
    converged = (result.success or np.max(np.abs(result.jac)) < 1e-5) and np.isfinite(result.fun)
    # An estimate that runs off towards 0 or infinity (e^±12) or a flat direction in the
    # likelihood (a Hessian that is not positive definite) means the data cannot pin the model down.
    finite_optimum = np.all(np.abs(theta) < 12) and np.all(np.isfinite(hess))
    if finite_optimum:
        finite_optimum = bool(np.all(np.linalg.eigvalsh(hess) > 0))
    if not (converged and finite_optimum):
        shown = ", ".join(f"{n}={v:.3g}" for n, v in zip(names, np.exp(theta), strict=True))
        raise InputError(
            f"the {model} fit did not reach a finite maximum of the likelihood (stopped at {shown})",
            expected=expected,
            hint=hint,
        )
    log_se = np.sqrt(np.diag(np.linalg.inv(hess)))
    params = pd.Series(np.exp(theta), index=list(names), name="estimate")
    return ModelFit(
        model=model,  # type: ignore[arg-type]
        params=params,
        standard_errors=pd.Series(params.to_numpy() * log_se, index=list(names), name="std_error"),
        log_likelihood=float(-result.fun * n_customers),
        n_customers=int(n_customers),
        time_unit=time_unit,
        iterations=int(result.nit),
    )


def _columns(summary: pd.DataFrame, names: tuple[str, ...]) -> list[np.ndarray]:
    _require(summary, names, "the customer summary")
    return [summary[c].to_numpy(float) for c in names]


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

    def neg(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        ll, grad = _bgnbd_terms(params, x, t_x, T)
        value = -(weight @ ll) / total
        g = -(grad @ weight) / total * params
        return (float(value), g) if np.isfinite(value) else (np.inf, np.zeros_like(g))

    start = np.array([1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0])
    return _maximise(
        "BG/NBD", BGNBD_PARAMS, neg, start, int(total), summary.attrs.get("time_unit", "W"),
        expected="customers who differ in how often they buy and some who stop buying",
        hint="Use a longer calibration period, check the time unit, or check that the orders are complete",
    )  # fmt: skip


def _need(fit: ModelFit, model: str) -> None:
    if fit.model != model:
        raise InputError(f"got a {fit.model} fit", expected=f"a {model} fit")


def p_alive(fit: ModelFit, summary: pd.DataFrame) -> pd.Series:
    """Probability that each customer is still active at the end of their observation (T).

    ``P(alive) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x))`` (FHL 2005 note, eq. 2).
    A customer with no repeat purchase has P(alive) = 1: under BG/NBD a customer can only drop
    out right after a purchase.
    """
    _need(fit, "BG/NBD")
    r, alpha, a, b = fit.params[list(BGNBD_PARAMS)]
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    log_odds = np.full_like(x, -np.inf)
    k = x > 0
    log_odds[k] = (np.log(a) - np.log(b + x[k] - 1)
                   + (r + x[k]) * (np.log(alpha + T[k]) - np.log(alpha + t_x[k])))  # fmt: skip
    return pd.Series(special.expit(-log_odds), index=summary.index, name="p_alive")


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

    ``E[X(t)] = (a+b−1)/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))]`` (FHL 2005, eq. 7).
    """
    _need(fit, "BG/NBD")
    r, alpha, a, b = fit.params[list(BGNBD_PARAMS)]
    t = np.asarray(t, float)
    z = t / (alpha + t)
    hyp = _hyp2f1(r, b, a + b - 1, z)
    return (a + b - 1) / (a - 1) * (1 - np.exp(r * np.log(alpha / (alpha + t))) * hyp)


def _conditional_expected(fit: ModelFit, x, t_x, T, horizon: np.ndarray) -> np.ndarray:
    r, alpha, a, b = fit.params[list(BGNBD_PARAMS)]
    horizon = np.asarray(horizon, float)
    rx = r + x
    z = horizon / (alpha + T + horizon)
    hyp = _hyp2f1(rx, b + x, a + b + x - 1, z)
    numer = (a + b + x - 1) / (a - 1) * (1 - np.exp(rx * np.log((alpha + T) / (alpha + T + horizon))) * hyp)
    log_odds = np.where(
        x > 0,
        np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) + rx * (np.log(alpha + T) - np.log(alpha + t_x)),
        -np.inf,
    )
    return numer * special.expit(-log_odds)


def expected_purchases(fit: ModelFit, summary: pd.DataFrame, horizon: float) -> pd.Series:
    """Expected purchases of each customer in (T, T + horizon], given their history.

    ``horizon`` is in the fit's time unit. FHL (2005) eq. 10.
    """
    _need(fit, "BG/NBD")
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    value = _conditional_expected(fit, x, t_x, T, np.full_like(x, float(horizon)))
    return pd.Series(value, index=summary.index, name="expected_purchases")


# --------------------------------------------------------------------------- Gamma-Gamma


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

    def neg(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        ll, grad = _gg_terms(params, x, m)
        value = -(weight @ ll) / total
        g = -(grad @ weight) / total * params
        return (float(value), g) if np.isfinite(value) else (np.inf, np.zeros_like(g))

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


# --------------------------------------------------------------------------- CLV


def clv(
    bgnbd: ModelFit,
    gamma_gamma: ModelFit,
    summary: pd.DataFrame,
    *,
    horizon_months: int,
    discount_rate_annual: float,
    margin_rate: float,
) -> pd.DataFrame:
    """Discounted expected margin of each customer over the next ``horizon_months`` months.

    Month ``m`` contributes (expected purchases in month m) × (expected order value) ×
    ``margin_rate``, discounted by ``(1 + discount_rate_annual) ** (-m / 12)`` (end of month).
    A month is 365.25 / 12 days.

    Parameters
    ----------
    horizon_months
        Months ahead, from each customer's ``T`` (the end of the observation).
    discount_rate_annual
        Finance's cost of capital, an annual rate as a fraction (0.09 for 9 %).
    margin_rate
        Gross margin as a fraction of order value.

    Returns
    -------
    DataFrame indexed like ``summary`` with ``p_alive``, ``expected_purchases`` (over the
    horizon), ``discounted_purchases`` (the same, discounted), ``expected_order_value``
    (currency) and ``clv`` (currency).
    """
    _need(bgnbd, "BG/NBD")
    _need(gamma_gamma, "Gamma-Gamma")
    if not (isinstance(horizon_months, int) and 1 <= horizon_months <= 240):
        raise InputError(f"is {horizon_months!r}", key="horizon_months", expected="1 to 240 months")
    if not -1 < discount_rate_annual < 1:
        raise InputError(f"is {discount_rate_annual!r}", key="discount_rate_annual",
                         expected="an annual rate as a fraction, e.g. 0.09")  # fmt: skip
    if not 0 < margin_rate <= 1:
        raise InputError(f"is {margin_rate!r}", key="margin_rate", expected="a fraction in (0, 1]")
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    units_per_month = DAYS_PER_MONTH / DAYS_PER_UNIT[bgnbd.time_unit]
    months = np.arange(horizon_months + 1)
    cumulative = np.column_stack(
        [np.zeros_like(x)] + [_conditional_expected(bgnbd, x, t_x, T, np.full_like(x, m * units_per_month))
                              for m in months[1:]]
    )  # fmt: skip
    per_month = np.diff(cumulative, axis=1)
    discount = (1 + discount_rate_annual) ** (-months[1:] / 12)
    value = expected_order_value(gamma_gamma, summary).to_numpy()
    discounted = per_month @ discount
    return pd.DataFrame(
        {
            "p_alive": p_alive(bgnbd, summary).to_numpy(),
            "expected_purchases": cumulative[:, -1],
            "discounted_purchases": discounted,
            "expected_order_value": value,
            "clv": discounted * value * margin_rate,
        },
        index=summary.index,
    )


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Holdout:
    """Calibration/holdout check of the BG/NBD model (FHL 2005, section 4).

    ``summary`` is the calibration summary with ``predicted_holdout``; ``totals`` holds
    ``actual``, ``predicted``, ``error`` (predicted − actual) and ``error_share`` (of actual);
    ``by_frequency`` the conditional expectations per calibration frequency (0, 1, …, 7+);
    ``cumulative`` the weekly cumulative repeat purchases in the holdout period.
    """

    fit: ModelFit
    summary: pd.DataFrame
    totals: pd.Series
    by_frequency: pd.DataFrame
    cumulative: pd.DataFrame


def calibration_holdout(
    orders: pd.DataFrame,
    *,
    calibration_end: str,
    holdout_end: str | None = None,
    time_unit: TimeUnit = "W",
    max_bucket: int = 7,
) -> Holdout:
    """Fit BG/NBD on the calibration period and compare its forecast with the holdout purchases.

    Parameters
    ----------
    calibration_end, holdout_end
        ISO dates, inclusive. ``holdout_end`` defaults to the last order's day.
    max_bucket
        Calibration frequencies above it are pooled into one ``max_bucket+`` bucket.
    """
    summary = rfm_summary(orders, calibration_end=calibration_end, observation_end=holdout_end,
                          time_unit=time_unit)  # fmt: skip
    fit = fit_bgnbd(summary)
    x, t_x, T = _columns(summary, ("frequency", "recency", "T"))
    duration = summary["duration_holdout"].to_numpy(float)
    summary = summary.assign(predicted_holdout=_conditional_expected(fit, x, t_x, T, duration))
    actual = float(summary["frequency_holdout"].sum())
    predicted = float(summary["predicted_holdout"].sum())
    totals = pd.Series({
        "customers": float(len(summary)), "actual": actual, "predicted": predicted,
        "error": predicted - actual, "error_share": (predicted - actual) / actual if actual else np.nan,
    })  # fmt: skip
    bucket = summary["frequency"].clip(upper=max_bucket)
    by_frequency = summary.groupby(bucket).agg(
        customers=("frequency", "size"),
        actual=("frequency_holdout", "mean"),
        predicted=("predicted_holdout", "mean"),
    )
    by_frequency.index = [f"{i}+" if i == max_bucket else str(i) for i in by_frequency.index]
    by_frequency.index.name = "calibration_frequency"

    # Weekly cumulative curve: actual repeat purchases (days) after calibration_end, against the
    # sum of each customer's conditional expectation up to that week.
    unit = DAYS_PER_UNIT[time_unit]
    cal_day = _day_of("calibration_end", calibration_end)
    days = _days(orders["timestamp"])
    ids = orders["customer_id"].astype(str)
    keep = (days > cal_day) & ids.isin(summary.index).to_numpy()  # np.isin is quadratic on text
    ids = ids.to_numpy()
    end_day = cal_day + int(round(duration.max() * unit))
    hold_days = np.unique(np.column_stack([pd.factorize(ids[keep])[0], days[keep]]), axis=0)[:, 1]
    hold_days = hold_days[hold_days <= end_day]
    weeks = np.arange(1, int(np.ceil((end_day - cal_day) / 7)) + 1)
    steps = np.minimum(weeks * 7.0 / unit, duration.max())
    predicted_curve = [float(_conditional_expected(fit, x, t_x, T, np.full_like(x, s)).sum()) for s in steps]
    cumulative = pd.DataFrame({
        "week": weeks,
        "actual": np.searchsorted(np.sort(hold_days), cal_day + weeks * 7, side="right"),
        "predicted": predicted_curve,
    })  # fmt: skip
    return Holdout(fit=fit, summary=summary, totals=totals, by_frequency=by_frequency, cumulative=cumulative)


# --------------------------------------------------------------------------- relationships


def _raise_if_without_orders(ids: pd.Series, without: pd.Series, where: str, hint: str) -> None:
    if without.any():
        raise InputError(
            f"{int(without.sum())} customers have no orders{where}",
            column="customer_id",
            rows=ids[without].head(5).tolist(),
            expected="every customer to have at least one order (the models start at the first purchase)",
            hint=hint,
        )


def check_customers(customers: pd.DataFrame, orders: pd.DataFrame) -> None:
    """Check that every customer has an order and no order precedes its acquisition date.

    Raises
    ------
    InputError
        Naming the first offending customers and what to change.
    """
    _require(
        customers, ("customer_id", "acquisition_date", "acquisition_channel", "referred_by"), "customers"
    )
    _require(orders, ("customer_id", "timestamp"), "orders")
    buyers = pd.Index(orders["customer_id"].astype(str).unique())
    ids = customers["customer_id"].astype(str)
    no_orders = ~ids.isin(buyers)
    _raise_if_without_orders(ids, no_orders, "", "Drop customers who never bought from the customers table, "
                             "or add their first order")  # fmt: skip
    first_day = (
        pd.Series(_days(orders["timestamp"]), index=orders["customer_id"].astype(str)).groupby(level=0).min()
    )
    acquired = _days(pd.to_datetime(customers["acquisition_date"], utc=True))
    early = first_day.reindex(ids).to_numpy() < acquired
    if early.any():
        raise InputError(
            "orders dated before their customer's acquisition_date",
            column="acquisition_date",
            rows=ids[early].head(5).tolist(),
            expected="acquisition_date on or before the customer's first order",
            hint="Fix the acquisition dates (or the order timestamps' time zone)",
        )


def referral_value(
    customers: pd.DataFrame,
    customer_clv: pd.Series,
    *,
    share_would_join_anyway: float,
    referral_cost: float,
) -> pd.DataFrame:
    """Customer referral value (Kumar, Petersen & Leone 2007) of every customer.

    ``referral_value = (1 − share_would_join_anyway) × Σ CLV(referred) − referral_cost × n_referred``

    Parameters
    ----------
    customers
        With ``customer_id`` and ``referred_by`` (empty when not referred).
    customer_clv
        CLV per customer (currency), indexed by ``customer_id``.
    share_would_join_anyway
        Fraction of referred customers who would have become customers without the referral.
    referral_cost
        Cost of one referral (reward, voucher; currency).

    Returns
    -------
    DataFrame indexed like ``customer_clv`` with ``n_referred``, ``referred_clv`` and
    ``referral_value`` (0 for customers who referred nobody).
    """
    if not 0 <= share_would_join_anyway <= 1:
        raise InputError(f"is {share_would_join_anyway!r}", key="share_would_join_anyway",
                         expected="a fraction from 0 to 1")  # fmt: skip
    if referral_cost < 0:
        raise InputError(f"is {referral_cost!r}", key="referral_cost", expected="0 or more (currency)")
    _require(customers, ("customer_id", "referred_by"), "customers")
    ids = customers["customer_id"].astype(str)
    referrer = customers["referred_by"].astype("string").fillna("").to_numpy(str)
    referred = referrer != ""
    missing = ~ids[referred].isin(customer_clv.index)
    if missing.any():
        raise InputError(
            "referred customers without a CLV",
            column="customer_id",
            rows=ids[referred][missing].head(5).tolist(),
            expected="a CLV for every customer (every customer needs at least one order)",
        )
    frame = pd.DataFrame(
        {"referrer": referrer[referred], "clv": customer_clv.reindex(ids[referred]).to_numpy()}
    )
    by_referrer = frame.groupby("referrer")["clv"].agg(["size", "sum"])
    out = pd.DataFrame(index=customer_clv.index)
    out["n_referred"] = by_referrer["size"].reindex(out.index, fill_value=0).astype(np.int64)
    out["referred_clv"] = by_referrer["sum"].reindex(out.index, fill_value=0.0)
    out["referral_value"] = (1 - share_would_join_anyway) * out["referred_clv"] - referral_cost * out[
        "n_referred"
    ]
    return out


def value_quadrants(values: pd.DataFrame) -> pd.DataFrame:
    """Kumar et al.'s CLV × referral-value quadrants, per quadrant.

    A customer is high-CLV above the median CLV and high-referral above the median referral
    value (so, when most customers refer nobody, any positive referral value counts as high).
    Champions are high on both, affluents high on CLV only, advocates high on referrals only,
    misers low on both.

    Returns
    -------
    DataFrame indexed by ``quadrant`` with ``customers``, ``share_of_customers``, ``clv`` and
    ``referral_value`` (currency, totals) and ``clv_per_customer``.
    """
    _require(values, ("clv", "referral_value"), "the customer values")
    high_clv = values["clv"] > values["clv"].median()
    high_ref = values["referral_value"] > values["referral_value"].median()
    quadrant = np.select(
        [high_clv & high_ref, high_clv, high_ref], ["champions", "affluents", "advocates"], "misers"
    )
    grouped = values.assign(quadrant=quadrant).groupby("quadrant")
    out = grouped.agg(customers=("clv", "size"), clv=("clv", "sum"), referral_value=("referral_value", "sum"))
    out = out.reindex(list(QUADRANTS), fill_value=0)
    out["share_of_customers"] = out["customers"] / max(len(values), 1)
    out["clv_per_customer"] = out["clv"] / out["customers"].where(out["customers"] > 0)
    out.index.name = "quadrant"
    return out


def _brand_mentions(mentions: pd.DataFrame, brand: str) -> pd.DataFrame:
    _require(mentions, ("platform", "brand", "customer_id", "likes", "shares", "reach"), "mentions")
    own = mentions[mentions["brand"] == brand]
    if own.empty:
        known = ", ".join(sorted(mentions["brand"].astype(str).unique())[:10])
        raise InputError(f"no mention of brand {brand!r}", key="brand", expected=f"one of {known}")
    return own


def sharing_by_platform(mentions: pd.DataFrame, *, brand: str, cpm: float) -> pd.DataFrame:
    """Earned reach of the brand's mentions per platform, valued at ``cpm``.

    ``earned_media_value = reach / 1000 × cpm``, taking a post's ``reach`` as the impressions it
    earned (shares included) and valuing every mention alike, whatever its tone.

    Returns
    -------
    DataFrame indexed by ``platform`` with ``posts``, ``customer_posts`` (by known customers),
    ``shares``, ``likes``, ``reach``, ``amplification_rate`` (shares per post), ``applause_rate``
    (likes per post), ``earned_media_value`` and ``customer_earned_media_value`` (currency).
    """
    if cpm < 0:
        raise InputError(f"is {cpm!r}", key="cpm", expected="0 or more (currency per 1,000 impressions)")
    own = _brand_mentions(mentions, brand)
    by_customer = own["customer_id"].notna() & (own["customer_id"].astype("string") != "")
    out = own.assign(
        customer_posts=by_customer.astype(int),
        customer_reach=own["reach"].where(by_customer, 0),
    ).groupby("platform").agg(
        posts=("reach", "size"), customer_posts=("customer_posts", "sum"), shares=("shares", "sum"),
        likes=("likes", "sum"), reach=("reach", "sum"), customer_reach=("customer_reach", "sum"),
    )  # fmt: skip
    out = out.astype(float)
    out["amplification_rate"] = out["shares"] / out["posts"]
    out["applause_rate"] = out["likes"] / out["posts"]
    out["earned_media_value"] = out["reach"] / 1000 * cpm
    out["customer_earned_media_value"] = out.pop("customer_reach") / 1000 * cpm
    return out.sort_values("earned_media_value", ascending=False)


def sharing_by_customer(mentions: pd.DataFrame, *, brand: str, cpm: float) -> pd.DataFrame:
    """Each customer's mentions of the brand: ``posts``, ``shares``, ``reach`` and
    ``earned_media_value`` (currency, reach / 1000 × cpm), indexed by ``customer_id``."""
    own = _brand_mentions(mentions, brand)
    own = own[own["customer_id"].notna() & (own["customer_id"].astype("string") != "")]
    out = own.groupby(own["customer_id"].astype(str)).agg(
        posts=("reach", "size"), shares=("shares", "sum"), reach=("reach", "sum")
    )
    out["earned_media_value"] = out["reach"] / 1000 * cpm
    out.index.name = "customer_id"
    return out


def relationship_values(
    summary: pd.DataFrame,
    customer_clv: pd.DataFrame,
    customers: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    brand: str,
    cpm: float,
    share_would_join_anyway: float,
    referral_cost: float,
    cohort_freq: str = "Q",
) -> pd.DataFrame:
    """Each customer's relationship value: loyalty, recommendations and sharing (currency).

    * ``clv``: the customer's own CLV (from `clv`).
    * ``referral_value``: their customer referral value (from `referral_value`).
    * ``sharing_value``: their earned media value per purchase so far, times their discounted
      expected purchases: customers are assumed to keep sharing in step with buying.
    * ``loyalty_value``: ``clv``, less the part credited to the referrer for referred customers
      (``(1 − share_would_join_anyway) × clv``), so that the firm's total counts each euro once.
    * ``relationship_value = loyalty_value + referral_value + sharing_value``.

    Also carries ``acquisition_channel``, ``cohort`` (first-purchase period, ``cohort_freq``),
    ``referred``, ``p_alive``, ``n_purchases``, ``total_value`` and ``last_purchase``.
    """
    _require(customers, ("customer_id", "acquisition_channel", "referred_by"), "customers")
    ids = customers["customer_id"].astype(str)
    missing = ~ids.isin(summary.index)
    _raise_if_without_orders(ids, missing, " in the observation period",
                             "Drop customers who never bought, or move the holdout end to cover their first order")  # fmt: skip
    values = customer_clv[["p_alive", "discounted_purchases", "clv"]].copy()
    info = customers.assign(customer_id=ids).set_index("customer_id")
    values["acquisition_channel"] = info["acquisition_channel"].reindex(values.index).astype(str)
    referrer = info["referred_by"].astype("string").fillna("").reindex(values.index).fillna("")
    values["referred"] = (referrer != "").to_numpy()
    values["cohort"] = summary["first_purchase"].dt.to_period(cohort_freq).astype(str)
    values["n_purchases"] = summary["n_purchases"]
    values["total_value"] = summary["total_value"]
    unit = DAYS_PER_UNIT[summary.attrs.get("time_unit", "W")]
    values["last_purchase"] = summary["first_purchase"] + pd.to_timedelta(summary["recency"] * unit, unit="D")
    ref = referral_value(info.reset_index(), values["clv"], share_would_join_anyway=share_would_join_anyway,
                         referral_cost=referral_cost)  # fmt: skip
    values["n_referred"] = ref["n_referred"]
    values["referral_value"] = ref["referral_value"]
    shared = sharing_by_customer(mentions, brand=brand, cpm=cpm)["earned_media_value"]
    per_purchase = shared.reindex(values.index, fill_value=0.0) / values["n_purchases"]
    values["sharing_value"] = per_purchase * values["discounted_purchases"]
    values["loyalty_value"] = values["clv"] * np.where(values["referred"], share_would_join_anyway, 1.0)
    values["relationship_value"] = values[["loyalty_value", "referral_value", "sharing_value"]].sum(axis=1)
    return values


def ror_by_segment(
    values: pd.DataFrame,
    spend: pd.DataFrame | None = None,
    *,
    by: str = "acquisition_channel",
) -> pd.DataFrame:
    """Return on Relationship per segment: relationship value per unit of acquisition spend.

    Parameters
    ----------
    values
        From `relationship_values`.
    spend
        Daily spend with ``date``, ``channel`` and ``spend`` (currency). By acquisition channel, a
        segment's acquisition spend is its channel's total spend; by cohort, all spend in the
        cohort's period. Segments without spend (organic, referral: the referral cost is already
        netted in the referrers' value) get no ROR.
    by
        ``"acquisition_channel"``, ``"cohort"``, or another column of ``values``.

    Returns
    -------
    DataFrame indexed by segment with ``customers``, ``clv``, ``loyalty_value``,
    ``referral_value``, ``sharing_value``, ``relationship_value``, ``acquisition_spend``
    (currency) and ``ror`` (relationship value / acquisition spend), largest value first.
    """
    if by not in values.columns:
        raise InputError(
            f"is {by!r}, not a segment column", key="segment_column",
            expected="acquisition_channel, cohort or another customer column",
        )  # fmt: skip
    parts = ["clv", "loyalty_value", "referral_value", "sharing_value", "relationship_value"]
    out = values.groupby(by)[parts].sum()
    out.insert(0, "customers", values.groupby(by).size())
    out["acquisition_spend"] = np.nan
    if spend is not None and not spend.empty:
        _require(spend, ("date", "channel", "spend"), "spend")
        if by == "acquisition_channel":
            paid = spend.groupby(spend["channel"].astype(str))["spend"].sum()
        elif by == "cohort":
            freq = pd.Period(values["cohort"].iloc[0]).freqstr if len(values) else "Q"
            dates = pd.to_datetime(spend["date"])
            dates = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
            periods = dates.dt.to_period(freq).astype(str)
            paid = spend.groupby(periods)["spend"].sum()
        else:
            paid = pd.Series(dtype=float)
        out["acquisition_spend"] = paid.astype(float).reindex(out.index).where(lambda s: s > 0)
    out["ror"] = out["relationship_value"] / out["acquisition_spend"]
    out.index.name = by
    return out.sort_values("relationship_value", ascending=False) if by != "cohort" else out.sort_index()


def at_risk(
    bgnbd: ModelFit,
    summary: pd.DataFrame,
    values: pd.DataFrame,
    *,
    n: int = 20,
    lookback_months: float = 1.0,
) -> pd.DataFrame:
    """The customers worth calling: valuable if they stay, and slipping away now.

    ``value_if_retained = clv / p_alive`` (BG/NBD's CLV is P(alive) times the value given alive);
    ``p_alive_change`` is the change in P(alive) over the last ``lookback_months`` without a
    purchase; ``value_slipping = value_if_retained × −p_alive_change`` is (approximately) the
    expected value lost over that month. Customers long gone (P(alive) near 0) have little left
    to lose and rank low; those drifting now rank high.

    Returns
    -------
    The ``n`` customers with the largest ``value_slipping`` (currency), indexed by
    ``customer_id``, with their acquisition channel, last purchase, purchases, value so far, CLV
    and P(alive).
    """
    _need(bgnbd, "BG/NBD")
    units = lookback_months * DAYS_PER_MONTH / DAYS_PER_UNIT[bgnbd.time_unit]
    earlier = summary.assign(T=np.maximum(summary["T"] - units, summary["recency"]))
    now = p_alive(bgnbd, summary)
    table = values[["acquisition_channel", "last_purchase", "n_purchases", "total_value", "clv"]].copy()
    table["p_alive"] = now
    table["p_alive_change"] = now - p_alive(bgnbd, earlier)
    table["value_if_retained"] = values["clv"] / now.clip(lower=1e-12)
    table["value_slipping"] = table["value_if_retained"] * -table["p_alive_change"]
    table = table[table["p_alive_change"] < 0]
    return table.sort_values("value_slipping", ascending=False).head(n)


def segment_chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """`ror_by_segment`'s value parts in long form (segment, part, value) for a stacked bar chart."""
    parts = {
        "loyalty_value": "loyalty (CLV)",
        "referral_value": "recommendations",
        "sharing_value": "sharing",
    }
    long = table[list(parts)].rename(columns=parts).reset_index().melt(
        id_vars=table.index.name, var_name="part", value_name="value"
    )  # fmt: skip
    return long.rename(columns={table.index.name: "segment"})


# --------------------------------------------------------------------------- notebook


@dataclass(frozen=True)
class Parameters:
    """Parameters of the ROR notebook (mirrors its ``parameters`` cell)."""

    data_dir: str
    brand: str
    calibration_end: str
    holdout_end: str
    horizon_months: int
    discount_rate_annual: float
    margin_rate: float
    cpm: float
    referral_cost: float
    share_would_join_anyway: float
    segment_column: str
    currency: str

    def __post_init__(self) -> None:
        check_types(self)
        cal = check_iso_date("calibration_end", self.calibration_end)
        end = check_iso_date("holdout_end", self.holdout_end)
        rules = [
            ("holdout_end", cal is not None and end is not None and end > cal,
             f"an ISO date after calibration_end ({self.calibration_end})"),
            ("horizon_months", 1 <= self.horizon_months <= 240, "1 to 240 months"),
            ("discount_rate_annual", -1 < self.discount_rate_annual < 1,
             "an annual rate as a fraction, e.g. 0.09"),
            ("margin_rate", 0 < self.margin_rate <= 1, "a fraction in (0, 1], e.g. 0.4"),
            ("cpm", self.cpm >= 0, "0 or more (currency per 1,000 impressions)"),
            ("referral_cost", self.referral_cost >= 0, "0 or more (currency per referral)"),
            ("share_would_join_anyway", 0 <= self.share_would_join_anyway <= 1, "a fraction from 0 to 1"),
            ("segment_column", self.segment_column in ("acquisition_channel", "cohort"),
             "'acquisition_channel' or 'cohort'"),
        ]  # fmt: skip
        check_rules(self, rules)
        check_data_dir(self.data_dir)


def conclusions(
    holdout: Holdout,
    values: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    horizon_months: int,
    discount_rate_annual: float,
    currency: str,
) -> str:
    """The notebook's closing paragraph, its figures computed here so that they stay true."""
    err = holdout.totals["error_share"]
    trust = "close enough to plan with" if abs(err) <= 0.1 else "too far off to plan with without care"
    total = values[["loyalty_value", "referral_value", "sharing_value", "relationship_value"]].sum()
    ranked = segments.dropna(subset=["ror"]).sort_values("ror", ascending=False)
    lines = [
        f"- **Trust.** On the holdout period the model predicted {holdout.totals['predicted']:,.0f} repeat "
        f"purchases against {holdout.totals['actual']:,.0f} actual ({err:+.1%}): {trust}.",
        f"- **Relationship value** over the next {horizon_months} months, discounted at "
        f"{discount_rate_annual:.1%} a year: {total['relationship_value']:,.0f} {currency}, of which loyalty "
        f"{total['loyalty_value']:,.0f}, recommendations {total['referral_value']:,.0f} and sharing "
        f"{total['sharing_value']:,.0f} {currency} ({len(values):,} customers, "
        f"{(values['p_alive'] >= 0.5).mean():.0%} of them likely still active).",
    ]
    if len(ranked):
        best, worst = ranked.index[0], ranked.index[-1]
        lines.append(
            f"- **Return on Relationship.** {best} customers return {ranked['ror'].iloc[0]:.2f} {currency} of "
            f"relationship value per {currency} of acquisition spend; {worst} customers "
            f"{ranked['ror'].iloc[-1]:.2f}."
        )
    return "\n".join(lines)
