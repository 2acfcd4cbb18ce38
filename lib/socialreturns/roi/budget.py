"""Response curves and the budget: what a steady spend per channel earns, the spend per
channel that earns the most profit (gross margin less spend), and an out-of-sample check of the incremental model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.parameters import MARGIN_RATE, MAX_AMOUNT, Range
from socialreturns.roi.incremental import IncrementalFit, hill

#: How far the reallocation may move one channel's budget (the ROI notebook's ``max_change``).
MAX_CHANGE = Range("a fraction in [0, 1)", ge=0, lt=1)
#: Days at the end of the data whose mean spend is today's spend (the ROI notebook's ``recent_days``).
RECENT_DAYS = Range("a whole number of days from 1 to 3,660", ge=1, le=3660)
RECENT_DAYS_DEFAULT = 90
#: Days of the "last four weeks" spend shown beside today's (a burst or pause inside the window).
LATEST_DAYS = 28


def steady_revenue(
    spend: np.ndarray, decay: np.ndarray, half: np.ndarray, shape: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """Incremental revenue per period of a steady spend per period (adstock at steady state).

    Parameters
    ----------
    spend
        Spend per period of the fit (currency per day for daily data, per week for weekly),
        one value per channel; held the same in every period.
    decay
        Adstock decay per period (fraction), per channel.
    half
        Half-saturation per channel, in adstocked spend (currency per period).
    shape
        Hill shape per channel (dimensionless).
    coef
        Incremental revenue per period at full saturation (currency per period), per channel.

    Returns
    -------
    numpy.ndarray
        Expected incremental revenue per period (currency per period), per channel.

    Notes
    -----
    A spend ``x`` in every period carries over to the steady adstock ``x / (1 - decay)``; the
    revenue is ``coef * hill(x / (1 - decay), half, shape)``. The arguments broadcast
    together: the arrays of `curve_replicates` (replicates by channels) give the
    distribution.

    >>> steady_revenue(np.array([50.0]), np.array([0.5]), np.array([100.0]), np.array([1.0]),
    ...                np.array([200.0])).tolist()
    [100.0]
    """
    return coef * hill(spend / (1.0 - decay), half, shape)


def curve_replicates(fit: IncrementalFit) -> dict[str, np.ndarray]:
    """The response-curve parameters of every replicate of ``fit``.

    Returns
    -------
    dict of numpy.ndarray
        ``adstock_decay`` (fraction per period), ``half_saturation`` (adstocked spend, currency
        per period), ``hill_shape`` (dimensionless) and ``coef`` (incremental revenue per period
        at full saturation, currency per period); each an array of replicates by channels, the
        channels in the order of ``fit.channels``. No rows when the fit has no replicates.
    """
    b = fit.bootstrap
    return {
        col: b.pivot(index="replicate", columns="channel", values=col)
        .reindex(columns=fit.channels)
        .to_numpy()
        for col in ("adstock_decay", "half_saturation", "hill_shape", "coef")
    }


def response_curves(
    fit: IncrementalFit,
    *,
    points: int = 41,
    max_multiple: float = 2.0,
    recent_days: int = RECENT_DAYS_DEFAULT,
) -> pd.DataFrame:
    """Expected incremental revenue per period against a steady spend per period, per channel.

    Parameters
    ----------
    fit
        From `fit_incremental`.
    points
        Spend levels per channel, from 0 to ``max_multiple`` times the larger of the channel's
        current spend (see `current_spend`) and its average spend over the data, per period.
    recent_days
        Days at the end of the data whose mean spend is the current spend (marked ``current``).

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``spend`` (currency per period), ``revenue`` (expected incremental revenue
        per period at that steady spend), ``ci_lower``, ``ci_upper`` (the band, from the replicates, at level
        ``1 - fit.alpha``), ``current`` (True at the channel's current spend).
    """
    now = current_spend(fit, recent_days=recent_days).to_numpy()
    top = max_multiple * np.maximum(now, fit.spend.mean().to_numpy())
    reps = curve_replicates(fit)
    frames = []
    for i, channel in enumerate(fit.channels):
        levels = np.r_[np.linspace(0.0, top[i], points), now[i]]
        est = steady_revenue(levels, fit.decay[i], fit.half_saturation[i], fit.hill_shape[i], fit.coef[i])
        boot = steady_revenue(levels, reps["adstock_decay"][:, [i]], reps["half_saturation"][:, [i]],
                              reps["hill_shape"][:, [i]], reps["coef"][:, [i]])  # fmt: skip
        lo, hi = np.quantile(boot, [fit.alpha / 2, 1 - fit.alpha / 2], axis=0) if len(boot) else (est, est)
        frames.append(pd.DataFrame({
            "channel": channel, "spend": levels, "revenue": est, "ci_lower": lo, "ci_upper": hi,
            "current": np.r_[np.zeros(points, dtype=bool), True],
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["channel", "spend"], kind="stable", ignore_index=True)


def current_spend(fit: IncrementalFit, *, recent_days: int = RECENT_DAYS_DEFAULT) -> pd.Series:
    """Today's spend per channel: the mean spend per period over the last ``recent_days`` days of
    the fit's data (currency per period of the fit: per day for daily data, per week for weekly).

    A period counts when its date lies less than ``recent_days`` days before the last date, so
    the last period always does; a window longer than the data takes all of it.

    Raises
    ------
    InputError
        Naming ``recent_days`` when it is not a whole number of days from 1 to 3,660.
    """
    if isinstance(recent_days, bool) or not isinstance(recent_days, int | np.integer):
        raise InputError(f"is {recent_days!r}", key="recent_days", expected=RECENT_DAYS.expected)
    RECENT_DAYS.check("recent_days", recent_days)
    dates = fit.spend.index
    recent = fit.spend[dates > dates.max() - pd.Timedelta(days=int(recent_days))]
    return recent.mean().rename("current_spend")


def break_even_roas(margin_rate: float) -> float:
    """The ROAS at which spend pays back at a gross margin of ``margin_rate``: ``1 / margin_rate``.

    A unit of spend returning ``r`` units of revenue earns ``margin_rate * r`` of gross margin,
    which covers the unit when ``r >= 1 / margin_rate``.

    >>> break_even_roas(0.4)
    2.5
    """
    MARGIN_RATE.check("margin_rate", margin_rate)
    return 1.0 / margin_rate


def steady_marginal_roas(
    spend: np.ndarray, decay: np.ndarray, half: np.ndarray, shape: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """Extra incremental revenue per extra unit of steady spend (the derivative of `steady_revenue`).

    Same arguments and broadcasting as `steady_revenue`; the result is revenue per unit of spend
    (a ratio, as ROAS). At zero spend it is ``coef / (half (1 - decay))`` for a Hill shape of 1,
    0 above 1 and infinite below.

    Notes
    -----
    With ``a = x / (1 - decay)``: ``d/dx coef a^s / (a^s + K^s) = coef s a^(s-1) K^s / (a^s + K^s)^2 / (1 - decay)``.

    >>> steady_marginal_roas(np.array([50.0]), np.array([0.5]), np.array([100.0]), np.array([1.0]),
    ...                      np.array([200.0])).tolist()
    [1.0]
    """
    a = np.maximum(np.asarray(spend, dtype=float), 0.0) / (1.0 - decay)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = shape * a ** (shape - 1) * half**shape / (a**shape + half**shape) ** 2
    return coef * slope / (1.0 - decay)


Budget = Literal["fixed", "free"]
Verdict = Literal["cut", "grow", "shift", "hold"]


@dataclass(frozen=True)
class Reallocation:
    """A recommended steady spend per channel that maximises profit; see `reallocate`.

    Amounts are per period of the fit (per day for daily data). ``gain`` is the expected extra
    profit (gross margin less spend) against today's spend, ``gain_lower``/``gain_upper`` its
    interval from the replicates. ``verdict`` reads the marginal ROAS of the channels free to move at
    today's spend against ``break_even_roas``: "cut" when every one is below (spend less), "grow"
    when every one is above, "shift" otherwise, "hold" when no channel may move.
    """

    table: pd.DataFrame
    gain: float
    gain_lower: float
    gain_upper: float
    margin_rate: float
    break_even_roas: float
    budget: Budget
    verdict: Verdict
    recent_days: int
    current_total: float
    recommended_total: float
    max_change: float

    def overview(self) -> pd.DataFrame:
        """The table's columns a report shows: spend today and recommended, the change, the
        marginal ROAS at both (against ``break_even_roas``) and the profit at both, and why a
        channel is held. A marginal ROAS is blank where it says nothing: for a channel not
        identified, and at zero spend on a curve steeper than linear there (infinite); the profits
        are blank for a channel not identified. ``latest_spend`` is the mean of the last
        `LATEST_DAYS` days, beside today's (the ``recent_days`` window), to show a burst or pause."""
        out = self.table[["channel", "latest_spend", "current_spend", "recommended_spend", "change",
                          "marginal_roas_current", "marginal_roas_recommended", "current_profit", "expected_profit",
                          "held"]].copy()  # fmt: skip
        marginal = ["marginal_roas_current", "marginal_roas_recommended"]
        unknown = (out["held"] == "not identified").to_numpy()
        out[marginal] = out[marginal].mask(unknown[:, None] | ~np.isfinite(out[marginal].to_numpy()))
        out[["current_profit", "expected_profit"]] = out[["current_profit", "expected_profit"]].mask(
            np.repeat(unknown[:, None], 2, axis=1)
        )  # a channel not identified has no profit finding
        return out

    def moves(self) -> pd.DataFrame:
        """The recommendation as a record: one row per channel with ``channel``,
        ``current_spend`` and ``recommended_spend`` (currency per period), ``change`` (fraction)
        and ``held`` (why it keeps its spend, else empty), and the plan's ``verdict`` on every
        row."""
        out = self.table[["channel", "current_spend", "recommended_spend", "change", "held"]].copy()
        return out.assign(verdict=self.verdict)

    def to_frame(self) -> pd.DataFrame:
        """The headline as one row: ``gain``, ``gain_lower``, ``gain_upper`` (profit per period)."""
        return pd.DataFrame([{"gain": self.gain, "gain_lower": self.gain_lower,
                              "gain_upper": self.gain_upper}])  # fmt: skip


def _held(fit: IncrementalFit, fixed_channels: Sequence[str]) -> np.ndarray:
    """Why each channel of ``fit`` keeps its spend: "fixed" (asked), "not identified" (the
    fit's summary says so) or "" (free to move)."""
    if isinstance(fixed_channels, str) or not all(isinstance(c, str) for c in fixed_channels):
        raise InputError(f"is {fixed_channels!r}", key="fixed_channels", expected="a list of channel names")
    known = [*fit.channels, *fit.not_identifiable]
    unknown = [c for c in fixed_channels if c not in known]
    if unknown:
        raise InputError(f"names '{unknown[0]}', which the fit does not have", key="fixed_channels",
                         expected="some of " + ", ".join(known))  # fmt: skip
    summary = fit.summary().set_index("channel")
    identified = summary["identifiable"].reindex(fit.channels).fillna(True).astype(bool).to_numpy()
    return np.where(np.isin(fit.channels, list(fixed_channels)), "fixed",
                    np.where(identified, "", "not identified"))  # fmt: skip


def _total_range(
    lower: np.ndarray,
    upper: np.ndarray,
    current: np.ndarray,
    *,
    budget: str,
    total_budget: float | None,
    min_total: float | None,
    max_total: float | None,
    max_change: float,
) -> tuple[float, float]:
    """The lowest and highest total spend per period the plan may have; checks the arguments."""
    if budget not in ("fixed", "free"):
        raise InputError(f"is {budget!r}", key="budget", expected="'fixed' or 'free'")
    for key, value in (("total_budget", total_budget), ("min_total", min_total), ("max_total", max_total)):
        if value is not None and not (isinstance(value, int | float) and 0 <= value <= MAX_AMOUNT):
            raise InputError(
                f"is {value!r}", key=key, expected="an amount from 0 to 1e12 (currency per period)"
            )
    reach = f"between {lower.sum():,.2f} and {upper.sum():,.2f} with max_change {max_change:g}, or a larger max_change"
    if budget == "fixed":
        for key, value in (("min_total", min_total), ("max_total", max_total)):
            if value is not None:
                raise InputError(f"is {value!r} with a fixed budget", key=key,
                                 expected="no value unless budget is 'free'")  # fmt: skip
        total = float(current.sum()) if total_budget is None else float(total_budget)
        if total <= 0:
            raise InputError(f"is {total!r}", key="total_budget", expected="a positive amount")
        if not lower.sum() - 1e-9 * total <= total <= upper.sum() + 1e-9 * total:
            raise InputError(f"is {total:,.2f} per period, which the change limit cannot reach from the "
                             f"current {current.sum():,.2f}", key="total_budget", expected=reach)  # fmt: skip
        return total, total
    if total_budget is not None:
        raise InputError(f"is {total_budget!r} with a free budget", key="total_budget",
                         expected="no value when budget is 'free' (bound the total with min_total and max_total)")  # fmt: skip
    lo = 0.0 if min_total is None else float(min_total)
    hi = np.inf if max_total is None else float(max_total)
    if lo > hi:
        raise InputError(f"is {lo:,.2f}, above max_total {hi:,.2f}", key="min_total",
                         expected="at most max_total")  # fmt: skip
    if lo > upper.sum() + 1e-9 * lo:
        raise InputError(f"is {lo:,.2f} per period, which the change limit cannot reach", key="min_total",
                         expected=reach)  # fmt: skip
    if hi < lower.sum() - 1e-9 * hi:
        raise InputError(f"is {hi:,.2f} per period, which the change limit cannot reach", key="max_total",
                         expected=reach)  # fmt: skip
    return lo, hi


def _starts(
    lower: np.ndarray, upper: np.ndarray, current: np.ndarray, lo: float, hi: float
) -> list[np.ndarray]:
    """Feasible starting points: today's spend, and each channel filled first, moved into the
    total's range along the segment towards the upper (or lower) bounds."""

    def feasible(p: np.ndarray) -> np.ndarray:
        target = float(np.clip(p.sum(), lo, hi))
        if p.sum() < target:
            return p + (upper - p) * (target - p.sum()) / max((upper - p).sum(), 1e-300)
        if p.sum() > target:
            return p - (p - lower) * (p.sum() - target) / max((p - lower).sum(), 1e-300)
        return p

    points = [np.clip(current, lower, upper), lower.copy(), upper.copy()]
    for j in range(len(lower)):
        p = lower.copy()
        p[j] = upper[j]
        points.append(p)
    return [feasible(p) for p in points]


def _maximise_profit(
    params: tuple[np.ndarray, ...], margin: float, lower: np.ndarray, upper: np.ndarray,
    current: np.ndarray, lo: float, hi: float,
) -> np.ndarray:  # fmt: skip
    """The spend within the bounds and the total's range with the most profit, by SLSQP from
    several starts (Hill curves with a shape above 1 are not concave)."""
    from scipy.optimize import LinearConstraint, minimize

    move = upper > lower
    if not move.any():
        return current.copy()
    scale = np.where(move, upper, 1.0)
    fixed_sum = current[~move].sum()

    def spend(u: np.ndarray) -> np.ndarray:
        s = current.copy()
        s[move] = u * scale[move]
        return s

    def negative(u: np.ndarray) -> tuple[float, np.ndarray]:
        s = spend(u)
        profit = margin * steady_revenue(s, *params) - s
        grad = (margin * steady_marginal_roas(s, *params) - 1.0)[move] * scale[move]
        return -float(profit.sum()), -np.nan_to_num(grad, posinf=1e12)

    # The total as one linear constraint, scaled to order 1; lo == hi makes it an equality.
    norm = max(float(upper.sum()), 1.0)
    cons = [LinearConstraint(scale[move][None, :] / norm, (lo - fixed_sum) / norm, (hi - fixed_sum) / norm)]
    bounds = list(zip(lower[move] / scale[move], upper[move] / scale[move], strict=True))
    best, best_profit = None, -np.inf
    for start in _starts(lower, upper, current, lo, hi):
        res = minimize(negative, start[move] / scale[move], jac=True, method="SLSQP", bounds=bounds,
                       constraints=cons, options={"ftol": 1e-12, "maxiter": 500})  # fmt: skip
        s = np.clip(spend(res.x), lower, upper)
        ok = lo - 1e-6 * max(lo, 1.0) <= s.sum() <= hi + 1e-6 * max(hi, 1.0)
        profit = -negative(s[move] / scale[move])[0]
        if ok and profit > best_profit:
            best, best_profit = s, profit
    if best is None:  # pragma: no cover - a feasible start always exists once _total_range passed
        raise RuntimeError("the budget optimiser found no feasible plan")
    return best


def reallocate(
    fit: IncrementalFit,
    *,
    margin_rate: float | None = None,
    budget: Budget = "fixed",
    total_budget: float | None = None,
    min_total: float | None = None,
    max_total: float | None = None,
    max_change: float = 0.3,
    fixed_channels: Sequence[str] = (),
    recent_days: int = RECENT_DAYS_DEFAULT,
) -> Reallocation:
    """The steady spend per channel that maximises profit: gross margin less spend.

    Parameters
    ----------
    fit
        From `fit_incremental`.
    margin_rate
        Gross margin as a fraction of revenue; None takes the fit's ``margin_rate``.
    budget
        "fixed": the plan spends ``total_budget`` in total; "free": any total from ``min_total``
        to ``max_total`` (the change limit bounds it anyway).
    total_budget
        Fixed budget only: total spend per period (currency per day for daily data, per week for
        weekly); None keeps today's total.
    min_total, max_total
        Free budget only: lowest and highest total spend per period; None for no bound.
    max_change
        Largest change of a channel's spend, as a fraction of its current spend.
    fixed_channels
        Channels that keep their current spend exactly. Channels whose ``fit.summary()`` says
        ``identifiable`` False keep theirs too.
    recent_days
        Today's spend is the mean spend per period over the last ``recent_days`` days of the data
        (see `current_spend`).

    Returns
    -------
    Reallocation
        ``table``: one row per channel of the fit: ``channel``, ``average_spend`` (over all the
        data, for comparison), ``current_spend``,
        ``recommended_spend`` (currency per period), ``change`` (fraction of current spend),
        ``marginal_roas_current``, ``marginal_roas_recommended`` (extra revenue per extra unit of
        steady spend), ``break_even_roas`` (``1 / margin_rate``), ``current_profit``,
        ``expected_profit`` (incremental gross margin less spend, currency per period),
        ``current_revenue``, ``expected_revenue`` (incremental revenue per period), ``held``
        ("fixed", "not identified" or ""); the profit gain with its interval and a
        ``verdict`` (see `Reallocation`).

    Raises
    ------
    InputError
        Naming the argument (``margin_rate``, ``budget``, ``total_budget``, ``min_total``,
        ``max_total``, ``max_change``, ``fixed_channels``, ``recent_days``) that is out of range
        or that the change limit cannot reach.

    Notes
    -----
    Maximises ``Σ_c margin_rate · R_c(x_c) − x_c`` over steady spend ``x_c`` per period, with
    ``R_c`` the channel's `steady_revenue`, subject to ``(1 − max_change) x⁰_c ≤ x_c ≤
    (1 + max_change) x⁰_c`` around today's spend ``x⁰`` and the budget (SLSQP from several
    starts, `scipy.optimize.minimize`). At the optimum (Karush-Kuhn-Tucker) every channel
    strictly inside its bounds has the same marginal profit ``margin_rate · R'_c − 1``: zero
    when the total is free and not at a bound, so its marginal ROAS equals ``1 / margin_rate``;
    a channel at its lower bound has a marginal profit at most that level. A channel whose
    marginal ROAS stays below break-even over its range thus never gains budget in a free
    budget. Spend is assumed steady (adstock at its steady state); flighting the same budget
    earns less where curves saturate.
    """
    margin = fit.margin_rate if margin_rate is None else margin_rate
    MARGIN_RATE.check("margin_rate", margin)
    MAX_CHANGE.check("max_change", max_change)
    current = current_spend(fit, recent_days=recent_days).to_numpy()
    held = _held(fit, fixed_channels)
    lower = np.where(held == "", current * (1 - max_change), current)
    upper = np.where(held == "", current * (1 + max_change), current)
    lo, hi = _total_range(lower, upper, current, budget=budget, total_budget=total_budget, min_total=min_total,
                          max_total=max_total, max_change=max_change)  # fmt: skip
    params = (fit.decay, fit.half_saturation, fit.hill_shape, fit.coef)
    best = _maximise_profit(params, margin, lower, upper, current, lo, hi)
    reps = curve_replicates(fit)
    rep = (reps["adstock_decay"], reps["half_saturation"], reps["hill_shape"], reps["coef"])
    gains = (
        margin * (steady_revenue(best, *rep) - steady_revenue(current, *rep)).sum(axis=1)
        - (best - current).sum()
    )
    lo_gain, hi_gain = np.quantile(gains, [fit.alpha / 2, 1 - fit.alpha / 2]) if len(gains) else (np.nan,) * 2
    even = break_even_roas(margin)
    rev_now, rev_best = steady_revenue(current, *params), steady_revenue(best, *params)
    table = pd.DataFrame({
        "channel": fit.channels,
        "average_spend": fit.spend.mean().to_numpy(),
        "latest_spend": current_spend(fit, recent_days=min(LATEST_DAYS, int(recent_days))).to_numpy(),
        "current_spend": current,
        "recommended_spend": best,
        "change": np.divide(best - current, current, out=np.zeros_like(best), where=current > 0),
        "marginal_roas_current": steady_marginal_roas(current, *params),
        "marginal_roas_recommended": steady_marginal_roas(best, *params),
        "break_even_roas": even,
        "current_profit": margin * rev_now - current,
        "expected_profit": margin * rev_best - best,
        "current_revenue": rev_now,
        "expected_revenue": rev_best,
        "held": held,
    })  # fmt: skip
    movable = (held == "") & (upper > lower)
    marginal = table["marginal_roas_current"].to_numpy()[movable]
    verdict: Verdict = ("hold" if not movable.any() else "cut" if (marginal < even).all()
                        else "grow" if (marginal > even).all() else "shift")  # fmt: skip
    gain = float(table["expected_profit"].sum() - table["current_profit"].sum())
    return Reallocation(table, gain, float(lo_gain), float(hi_gain), margin_rate=float(margin),
                        break_even_roas=even, budget=budget, verdict=verdict, recent_days=int(recent_days),
                        current_total=float(current.sum()), recommended_total=float(best.sum()),
                        max_change=float(max_change))  # fmt: skip
