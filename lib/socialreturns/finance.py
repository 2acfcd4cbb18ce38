"""Investment arithmetic with numpy-financial's names and conventions, spreadsheet-exact.

Conventions (as numpy-financial): ``values[0]`` is the flow at t=0, later values one period
apart; outflows are negative; rates are per period of the flows and are fractions (0.09, not
9%). Functions that take ``values`` accept one project (1-D) or many (2-D, one row each) and
are vectorised over rows.

Written here rather than imported: numpy-financial's ``irr`` finds polynomial roots one
project at a time (an eigenvalue problem per row), far too slow for a Monte Carlo of 10,000
plans; ``xnpv``/``xirr`` and payback periods are not in it at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError

ArrayLike = Sequence[float] | np.ndarray
#: Days in the average month (365.25 / 12), the convention of every monthly figure here.
DAYS_PER_MONTH = 365.25 / 12


def _flows(values: ArrayLike) -> tuple[np.ndarray, bool]:
    """Values as a 2-D float array (rows are projects) and whether the input was 1-D."""
    v = np.asarray(values, dtype=float)
    if v.ndim not in (1, 2) or v.shape[-1] < 1:
        raise InputError(
            f"has shape {v.shape}", key="values", expected="cash flows in 1-D (one project) or "
            "2-D (one row per project)",
        )  # fmt: skip
    return np.atleast_2d(v), v.ndim == 1


def _out(result: np.ndarray, one: bool) -> float | np.ndarray:
    return float(result[0]) if one else result


def npv(rate: float, values: ArrayLike) -> float | np.ndarray:
    """Net present value of cash flows, the first at t=0.

    Parameters
    ----------
    rate
        Discount rate per period of the flows (fraction).
    values
        Cash flows (currency), 1-D or 2-D with one project per row.

    Returns
    -------
    float or numpy.ndarray
        ``sum(values[t] / (1 + rate) ** t)``, one per project.

    Warnings
    --------
    A spreadsheet's ``NPV(rate, v1, ..., vn)`` discounts its *first* value by one period. To
    reproduce it, prepend a zero: ``NPV(r, v1..vn) == npv(r, [0, v1, ..., vn])``; the usual
    spreadsheet idiom ``NPV(r, v1..vn) + v0`` equals ``npv(r, [v0, v1, ..., vn])``.

    Examples
    --------
    >>> round(npv(0.1, [-100, 60, 60]), 4)
    4.1322
    """
    v, one = _flows(values)
    t = np.arange(v.shape[1])
    return _out(v @ (1.0 + rate) ** -t, one)


def irr_roots(values: ArrayLike) -> np.ndarray:
    """Every real internal rate of return of one project, ascending (empty if none).

    The rates ``r > -1`` with ``npv(r, values) == 0``: the positive real roots ``x`` of
    ``sum(values[t] * x**t)``, as ``r = 1/x - 1``.

    >>> irr_roots([-100, 230, -132]).round(6).tolist()
    [0.1, 0.2]
    """
    v = np.trim_zeros(np.asarray(values, dtype=float), "b")
    if v.size < 2:
        return np.array([])
    roots = np.roots(v[::-1])
    real = roots[(np.abs(roots.imag) <= 1e-10 * np.maximum(1.0, np.abs(roots))) & (roots.real > 0)]
    return np.sort(1.0 / real.real - 1.0)


def _irr_like_numpy_financial(v: np.ndarray) -> float:
    """numpy-financial's root selection: among the real positive roots of the polynomial, the
    rate closest to zero."""
    res = np.roots(v[::-1])
    mask = (res.imag == 0) & (res.real > 0)
    if not mask.any():
        return np.nan
    rate = 1.0 / res[mask].real - 1.0
    return float(rate[np.argmin(np.abs(rate))])


def _irr_like_numpy_financial_rows(v: np.ndarray) -> np.ndarray:
    """`_irr_like_numpy_financial` of each row of ``v`` (trailing zeros trimmed), the rows whose
    polynomials have one degree solved together: ``np.roots``' companion matrices, stacked, go
    to the same LAPACK routine one by one, so the roots, and the rates, are the same bits. A
    Monte Carlo's paths without a bracketed IRR (a tenth of a downside scenario's) cost a
    Python call each otherwise."""
    out = np.full(v.shape[0], np.nan)
    nonzero = v != 0
    first = np.argmax(nonzero, axis=1)  # np.roots drops the polynomial's trailing zeros: roots at 0
    last = v.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    degree = np.where(nonzero.any(axis=1), last - first, -1)
    for n in np.unique(degree[degree >= 1]):
        rows = np.flatnonzero(degree == n)
        take = first[rows, None] + np.arange(n + 1)
        p = v[rows[:, None], take][:, ::-1]  # the polynomial in 1 / (1 + rate), highest power first
        companion = np.zeros((rows.size, n, n))
        companion[:, np.arange(1, n), np.arange(n - 1)] = 1.0
        companion[:, 0, :] = -p[:, 1:] / p[:, :1]
        roots = np.linalg.eigvals(companion)
        real = (roots.imag == 0) & (roots.real > 0)
        with np.errstate(divide="ignore"):
            rate = 1.0 / roots.real - 1.0
        nearest = np.argmin(np.where(real, np.abs(rate), np.inf), axis=1)
        found = real.any(axis=1)
        out[rows[found]] = rate[found, nearest[found]]
    return out


def irr(values: ArrayLike) -> float | np.ndarray:
    """Internal rate of return per period: the rate at which ``npv`` is zero.

    Parameters
    ----------
    values
        Cash flows (currency), 1-D or 2-D with one project per row; the first at t=0.

    Returns
    -------
    float or numpy.ndarray
        One rate per project (fraction per period of the flows); NaN where there is no real
        IRR (for instance all flows of one sign). Where several exist, the one closest to zero,
        as numpy-financial returns; `irr_roots` lists them all.

    Notes
    -----
    All rows are solved together. The NPV of every row is evaluated on a grid of rates
    spreading out from zero on both sides; the sign change nearest zero brackets the root
    numpy-financial would pick, which safeguarded Newton steps (bisection when a step leaves
    the bracket) then polish to machine precision. Rows where the grid finds no bracket but the
    flows change sign (a root of even multiplicity, or one beyond the grid) fall back to
    numpy-financial's own method, polynomial roots.

    Warnings
    --------
    A spreadsheet's ``IRR`` iterates from a guess and may return another root than this
    function when several exist; for flows that change sign once they agree.

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]), 5)
    0.28095
    """
    v, one = _flows(values)
    out = np.full(v.shape[0], np.nan)
    rows = np.flatnonzero((v > 0).any(axis=1) & (v < 0).any(axis=1))
    if rows.size:
        out[rows] = _irr_nearest_zero(v[rows])
    return _out(out, one)


#: Distances from zero at which `irr` looks for sign changes of the NPV: rate g above zero
#: and g / (1 + g) below (so the negative side runs towards -1).
_IRR_GRID = np.r_[0.0, np.geomspace(1e-6, 1e4, 80)]


def _npv_and_slope(v: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(v.shape[1])
    disc = np.exp(-np.outer(np.log1p(r), t))
    value = (v * disc).sum(axis=1)
    slope = -(v * t * disc).sum(axis=1) / (1.0 + r)
    return value, slope


def _refine(v: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Roots of each row's NPV in the brackets [a, b] (signs differ at the ends).

    Safeguarded Newton on the rows not yet converged; a step that leaves the bracket is
    replaced by bisection.
    """
    fa, _ = _npv_and_slope(v, a)
    r = 0.5 * (a + b)
    active = np.arange(v.shape[0])
    for _ in range(200):
        f, df = _npv_and_slope(v[active], r[active])
        ra, aa, ba, faa = r[active], a[active], b[active], fa[active]
        same = np.sign(f) == np.sign(faa)
        aa, ba = np.where(same, ra, aa), np.where(same, ba, ra)
        fa[active] = np.where(same, f, faa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = ra - f / df
        inside = (newton > np.minimum(aa, ba)) & (newton < np.maximum(aa, ba)) & np.isfinite(newton)
        step = np.where(inside, newton, 0.5 * (aa + ba))
        step = np.where(f == 0, ra, step)
        a[active], b[active], r[active] = aa, ba, step
        done = (np.abs(step - ra) <= 1e-15 * np.maximum(1.0, np.abs(ra))) | (f == 0)
        active = active[~done]
        if active.size == 0:
            break
    return r


def _irr_nearest_zero(v: np.ndarray) -> np.ndarray:
    g = _IRR_GRID
    rates = np.r_[g, -g[1:] / (1.0 + g[1:])]
    t = np.arange(v.shape[1])
    table = v @ np.exp(-np.outer(t, np.log1p(rates)))
    sides = []
    for cols in (np.arange(g.size), np.r_[0, np.arange(g.size, rates.size)]):
        s = np.sign(table[:, cols])
        change = (s[:, :-1] * s[:, 1:] <= 0) & ((s[:, :-1] != 0) | (s[:, 1:] != 0))
        k = np.argmax(change, axis=1)
        sides.append((change.any(axis=1), rates[cols][k], rates[cols][k + 1]))
    (has_p, a_p, b_p), (has_n, a_n, b_n) = sides
    root_p = np.full(v.shape[0], np.nan)
    root_n = np.full(v.shape[0], np.nan)
    # Refine a side only where it can hold the nearest root: its bracket starts no farther
    # from zero than the other side's bracket ends.
    need_p = has_p & (~has_n | (np.abs(a_p) <= np.abs(b_n)))
    need_n = has_n & (~has_p | (np.abs(a_n) <= np.abs(b_p)))
    if need_p.any():
        root_p[need_p] = _refine(v[need_p], a_p[need_p], b_p[need_p])
    if need_n.any():
        root_n[need_n] = _refine(v[need_n], a_n[need_n], b_n[need_n])
    out = np.where(np.isnan(root_p) | (np.abs(root_n) < np.abs(root_p)), root_n, root_p)
    rest = np.flatnonzero(np.isnan(out))
    if rest.size:
        out[rest] = _irr_like_numpy_financial_rows(v[rest])
    return out


def mirr(values: ArrayLike, finance_rate: float, reinvest_rate: float) -> float | np.ndarray:
    """Modified internal rate of return per period.

    Negative flows are discounted to t=0 at ``finance_rate``, positive flows compounded to
    the last period at ``reinvest_rate`` (both per period, fractions); the MIRR is the rate
    that grows the first into the second. NaN unless there are flows of both signs.

    Examples
    --------
    >>> round(mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12), 6)
    0.126094
    """
    v, one = _flows(values)
    n = v.shape[1]
    pos = np.where(v > 0, v, 0.0)
    neg = np.where(v < 0, v, 0.0)
    both = (pos.sum(axis=1) > 0) & (neg.sum(axis=1) < 0)
    numer = np.abs(np.atleast_1d(npv(reinvest_rate, pos)))
    denom = np.abs(np.atleast_1d(npv(finance_rate, neg)))
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (numer / denom) ** (1.0 / (n - 1)) * (1.0 + reinvest_rate) - 1.0
    return _out(np.where(both, result, np.nan), one)


def _year_fractions(dates: Sequence[dt.date | str | pd.Timestamp]) -> np.ndarray:
    d = pd.to_datetime(pd.Series(list(dates)), utc=True).dt.normalize()
    if d.isna().any():
        raise InputError("has a missing date", key="dates", expected="one date per cash flow")
    days = (d - d.iloc[0]).dt.days.to_numpy()
    if (days < 0).any():
        raise InputError(
            "has a date before the first one", key="dates",
            expected="the first date to be the earliest (it is t=0)",
        )  # fmt: skip
    return days / 365.0


def xnpv(rate: float, values: ArrayLike, dates: Sequence[dt.date | str]) -> float:
    """Net present value of flows on given dates, as a spreadsheet's ``XNPV``.

    ``sum(values[i] / (1 + rate) ** ((dates[i] - dates[0]).days / 365))``: actual/365 day
    count, the first date is t=0, ``rate`` is annual (fraction).
    """
    v = np.asarray(values, dtype=float)
    years = _year_fractions(dates)
    if v.shape != years.shape:
        raise InputError(f"has {v.size} values for {years.size} dates", key="values",
                         expected="one value per date")  # fmt: skip
    return float(np.sum(v / (1.0 + rate) ** years))


def xirr(values: ArrayLike, dates: Sequence[dt.date | str]) -> float:
    """Annual internal rate of return of flows on given dates, as a spreadsheet's ``XIRR``:
    the rate at which `xnpv` is zero (actual/365, first date t=0). NaN when the flows do not
    change sign.

    >>> round(xirr([-1000, 1100], ["2025-01-01", "2026-01-01"]), 6)
    0.1
    """
    v = np.asarray(values, dtype=float)
    years = _year_fractions(dates)
    if not ((v > 0).any() and (v < 0).any()):
        return np.nan
    from scipy.optimize import brentq

    def f(log_growth: float) -> float:  # solve in log(1 + r) for a well-scaled bracket
        return float(np.sum(v * np.exp(-log_growth * years)))

    grid = np.linspace(-10.0, 10.0, 401)
    vals = np.array([f(g) for g in grid])
    crossing = np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)
    if crossing.size == 0:
        return np.nan
    # The root nearest r = 0 (log growth 0), as a spreadsheet iterating from a small guess.
    nearest = crossing[np.argmin(np.abs(grid[crossing]))]
    g = brentq(f, grid[nearest], grid[nearest + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return float(np.expm1(g))


def _payback(v: np.ndarray) -> np.ndarray:
    cum = np.cumsum(v, axis=1)
    # Rounding can leave a break-even total a hair below zero; count it as recovered.
    ok = cum >= -1e-12 * np.abs(v).max(axis=1, keepdims=True)
    out = np.full(v.shape[0], np.nan)
    first = np.argmax(ok, axis=1)
    has = ok.any(axis=1)
    rows = np.flatnonzero(has)
    t = first[rows]
    before = np.where(t > 0, cum[rows, np.maximum(t - 1, 0)], 0.0)
    flow = v[rows, t]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(t > 0, -before / flow, 0.0)
    out[rows] = np.where(t > 0, t - 1 + frac, 0.0)
    return out


def payback_period(values: ArrayLike) -> float | np.ndarray:
    """Periods until the cumulative cash flow turns non-negative, interpolated within the
    period (flows taken as even through their period); 0 if it never is negative, NaN if it
    never recovers.

    >>> payback_period([-100, 30, 50, 40])
    2.5
    """
    v, one = _flows(values)
    return _out(_payback(v), one)


def discounted_payback_period(rate: float, values: ArrayLike) -> float | np.ndarray:
    """`payback_period` of the flows discounted to t=0 at ``rate`` per period (fraction).

    >>> round(discounted_payback_period(0.1, [-100, 55, 60.5]), 6)
    2.0
    """
    v, one = _flows(values)
    t = np.arange(v.shape[1])
    return _out(_payback(v * (1.0 + rate) ** -t), one)


def annual_to_periodic(rate_annual: float, periods_per_year: int) -> float:
    """The rate per period that compounds to ``rate_annual`` over a year (fractions).

    >>> round(annual_to_periodic(0.1268250301, 12), 6)
    0.01
    """
    if periods_per_year <= 0 or rate_annual <= -1:
        raise InputError(
            f"is {rate_annual!r} with {periods_per_year!r} periods a year", key="rate_annual",
            expected="a rate above -1 and a positive number of periods",
        )  # fmt: skip
    return (1.0 + rate_annual) ** (1.0 / periods_per_year) - 1.0


def periodic_to_annual(rate_periodic: float, periods_per_year: int) -> float:
    """The annual rate that ``rate_periodic`` compounds to over ``periods_per_year`` periods.

    >>> round(periodic_to_annual(0.01, 12), 10)
    0.1268250301
    """
    return (1.0 + rate_periodic) ** periods_per_year - 1.0
