"""Return on investment (history): attribution of orders to channels and campaigns.

Rule-based models credit each converting journey's touchpoints by position or time; the
Markov model credits channels by how much conversion would be lost without them. Every model
conserves the total: attributed conversions and revenue sum to those of the attributed orders
(orders with at least one touchpoint in the lookback window).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from socialreturns.data import Tables
from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA
from socialreturns.notebook import check_data_dir, check_iso_date, check_rules, check_types

Model = Literal["last_touch", "first_touch", "linear", "time_decay", "position_based", "markov"]
MODELS: tuple[Model, ...] = (
    "last_touch",
    "first_touch",
    "linear",
    "time_decay",
    "position_based",
    "markov",
)


def build_journeys(
    touchpoints: pd.DataFrame, orders: pd.DataFrame, *, lookback_days: float = 30.0
) -> pd.DataFrame:
    """Group touchpoints into journeys: one row per touchpoint, in journey order.

    A touchpoint belongs to the customer's first order at or after it, if that order is at most
    ``lookback_days`` later; the touchpoints an order collects form its converting journey.
    Touchpoints followed by no order within the window form non-converting journeys, split
    where two of them are more than ``lookback_days`` apart.

    Parameters
    ----------
    touchpoints
        Columns ``customer_id``, ``timestamp``, ``channel``, ``campaign`` (as loaded by
        `socialreturns.data.load_touchpoints`).
    orders
        Columns ``order_id``, ``customer_id``, ``timestamp``, ``revenue`` (currency).
    lookback_days
        Longest time from a touchpoint to the order it is credited to (days).

    Returns
    -------
    pandas.DataFrame
        ``journey_id`` (int), ``customer_id``, ``order_id`` (empty for non-converting
        journeys), ``converted`` (bool), ``revenue`` (the order's revenue, 0 if none;
        repeated on every row of the journey), ``timestamp``, ``channel``, ``campaign``,
        ``position`` (0 for the first touch), ``length`` (touches in the journey) and
        ``days_before`` (days from the touch to the order, or to the journey's last touch).
    """
    if lookback_days <= 0:
        raise InputError(f"is {lookback_days!r}", key="lookback_days", expected="a positive number of days")
    tp = touchpoints[["customer_id", "timestamp", "channel", "campaign"]].copy()
    tp["customer_id"] = tp["customer_id"].astype(str)
    tp = tp.sort_values("timestamp", kind="stable").reset_index(drop=True)
    od = orders[["order_id", "customer_id", "timestamp", "revenue"]].rename(
        columns={"timestamp": "order_time"}
    )
    od = od.astype({"customer_id": str, "order_id": str}).sort_values("order_time", kind="stable")
    joined = pd.merge_asof(
        tp,
        od,
        left_on="timestamp",
        right_on="order_time",
        by="customer_id",
        direction="forward",
        tolerance=pd.Timedelta(days=lookback_days),
    )
    converted = joined["order_id"].notna()
    # Non-converting touches: a new journey after a gap longer than the lookback window.
    rest = joined[~converted].sort_values(["customer_id", "timestamp"], kind="stable")
    gap = rest.groupby("customer_id")["timestamp"].diff() > pd.Timedelta(days=lookback_days)
    new_path = rest["customer_id"].ne(rest["customer_id"].shift()) | gap
    joined.loc[rest.index, "path_key"] = "~" + new_path.cumsum().astype(str)
    joined.loc[converted, "path_key"] = joined.loc[converted, "order_id"]
    joined["journey_id"] = pd.factorize(joined["path_key"], sort=True)[0]
    joined = joined.sort_values(["journey_id", "timestamp"], kind="stable", ignore_index=True)
    converted = joined["order_id"].notna()
    end = joined["order_time"].where(converted)
    end = end.fillna(joined.groupby("journey_id")["timestamp"].transform("max"))
    group = joined.groupby("journey_id")
    out = pd.DataFrame({
        "journey_id": joined["journey_id"],
        "customer_id": joined["customer_id"],
        "order_id": joined["order_id"],
        "converted": converted,
        "revenue": joined["revenue"].fillna(0.0).astype(float),
        "timestamp": joined["timestamp"],
        "channel": joined["channel"].astype(str),
        "campaign": joined["campaign"].fillna("(none)").astype(str),
        "position": group.cumcount(),
        "length": group["timestamp"].transform("size"),
        "days_before": (end - joined["timestamp"]).dt.total_seconds() / 86400.0,
    })  # fmt: skip
    return out


def _rule_weights(
    journeys: pd.DataFrame,
    model: Model,
    *,
    half_life_days: float,
    position_weights: tuple[float, float, float],
) -> np.ndarray:
    """Credit of each touch of converting journeys; each journey's credits sum to 1."""
    pos = journeys["position"].to_numpy()
    n = journeys["length"].to_numpy()
    first, last = pos == 0, pos == n - 1
    if model == "last_touch":
        return last.astype(float)
    if model == "first_touch":
        return first.astype(float)
    if model == "linear":
        return 1.0 / n
    if model == "time_decay":
        raw = np.exp2(-journeys["days_before"].to_numpy() / half_life_days)
        return raw / pd.Series(raw).groupby(journeys["journey_id"].to_numpy()).transform("sum").to_numpy()
    # position_based (U-shaped): first, middle and last shares; two touches split first/last.
    w_first, w_middle, w_last = position_weights
    middle = ~first & ~last
    weights = np.where(first, w_first, 0.0) + np.where(last, w_last, 0.0)
    weights = np.where(middle, w_middle / np.maximum(n - 2, 1), weights)
    two = n == 2
    weights = np.where(two & first, w_first / (w_first + w_last), weights)
    weights = np.where(two & last, w_last / (w_first + w_last), weights)
    return np.where(n == 1, 1.0, weights)


def markov_removal_effects(journeys: pd.DataFrame, *, by: str = "channel") -> pd.Series:
    """Removal effect of each state in a first-order Markov model of the journeys.

    States are the values of ``by``, plus start, conversion and null. Transition probabilities
    are estimated from every journey, converting (ending in conversion) or not (ending in
    null). The removal effect of a state is ``1 - P(conversion | state removed) /
    P(conversion)``, where removing a state sends every transition into it to null.

    Notes
    -----
    Anderl, Becker, von Wangenheim & Schumann (2016), "Mapping the customer journey: Lessons
    learned from graph-based online attribution modeling", IJRM 33(3), section 3; as in the
    ChannelAttribution package with ``order=1``. Absorption probabilities are solved exactly,
    ``p = (I - Q)^{-1} r``, not simulated. Repeated touches of one state (self-loops) do not
    change absorption probabilities, so they are kept.
    """
    states = np.sort(journeys[by].unique())
    k = states.size
    code = pd.Categorical(journeys[by], categories=states).codes.astype(np.int64)
    jid = journeys["journey_id"].to_numpy()
    start_idx, conv_idx, null_idx = k, k + 1, k + 2
    nxt = np.empty_like(code)
    nxt[:-1] = code[1:]
    last = np.r_[jid[1:] != jid[:-1], True]
    converted = journeys["converted"].to_numpy()
    nxt[last] = np.where(converted[last], conv_idx, null_idx)
    first = journeys["position"].to_numpy() == 0
    src = np.r_[np.full(first.sum(), start_idx), code]
    dst = np.r_[code[first], nxt]
    counts = np.zeros((k + 3, k + 3))
    np.add.at(counts, (src, dst), 1.0)
    transient = list(range(k)) + [start_idx]
    totals = counts[transient].sum(axis=1, keepdims=True)
    probs = np.divide(counts[transient], totals, out=np.zeros_like(counts[transient]),
                      where=totals > 0)  # fmt: skip
    q = probs[:, transient]  # transient -> transient, rows/cols: channels..., start
    r = probs[:, conv_idx]

    def p_conversion(removed: int | None) -> float:
        qq, rr = q.copy(), r.copy()
        if removed is not None:
            qq[:, removed] = 0.0  # entering the removed state means null
            qq[removed, :] = 0.0
            rr[removed] = 0.0
        p = np.linalg.solve(np.eye(k + 1) - qq, rr)
        return float(p[-1])

    base = p_conversion(None)
    effects = [1.0 - p_conversion(i) / base if base > 0 else 0.0 for i in range(k)]
    return pd.Series(effects, index=pd.Index(states, name=by), name="removal_effect")


def attribute(
    touchpoints: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    model: Model,
    lookback_days: float = 30.0,
    half_life_days: float = 7.0,
    position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
    by: Literal["channel", "campaign"] = "channel",
) -> pd.DataFrame:
    """Credit conversions and revenue to channels (or campaigns) under one attribution model.

    Parameters
    ----------
    touchpoints, orders
        As loaded by `socialreturns.data`; see `build_journeys`.
    model
        ``last_touch``, ``first_touch``, ``linear`` (equal credit), ``time_decay`` (credit
        halves every ``half_life_days`` before the order), ``position_based`` (first, middle and
        last shares from ``position_weights``; with two touches first and last share it in
        proportion) or ``markov`` (removal effects, see `markov_removal_effects`).
    lookback_days
        Longest time from a touchpoint to the order it is credited to (days).
    half_life_days
        Half-life of the time-decay model (days).
    position_weights
        Shares of the first, all middle, and the last touch for ``position_based``; sum to 1.
    by
        ``channel``, or ``campaign`` for a campaign-level breakdown (each campaign keeps its
        channel).

    Returns
    -------
    pandas.DataFrame
        One row per channel (or channel and campaign): ``conversions`` (credited orders),
        ``revenue`` (credited revenue, currency), ``share`` (fraction of attributed
        conversions), sorted by revenue. Totals equal the attributed orders' count and revenue.

    Raises
    ------
    InputError
        Unknown model or ``by``, bad weights or half-life, or no order with a touchpoint.
    """
    if model not in MODELS:
        raise InputError(f"is {model!r}", key="model", expected="one of " + ", ".join(MODELS))
    if by not in ("channel", "campaign"):
        raise InputError(f"is {by!r}", key="by", expected="'channel' or 'campaign'")
    if half_life_days <= 0:
        raise InputError(f"is {half_life_days!r}", key="half_life_days", expected="> 0 days")
    if len(position_weights) != 3 or min(position_weights) < 0 or not np.isclose(sum(position_weights), 1.0):
        raise InputError(
            f"is {position_weights!r}",
            key="position_weights",
            expected="three non-negative shares (first, middle, last) summing to 1",
        )
    journeys = build_journeys(touchpoints, orders, lookback_days=lookback_days)
    state = "channel" if by == "channel" else "state"
    journeys["state"] = journeys["channel"] + "\x1f" + journeys["campaign"]
    conv = journeys[journeys["converted"]]
    if conv.empty:
        raise InputError(
            f"no order has a touchpoint in the {lookback_days:g} days before it",
            key="lookback_days",
            expected="touchpoints and orders of the same customers and period",
        )
    n_orders = conv["journey_id"].nunique()
    total_revenue = conv.drop_duplicates("journey_id")["revenue"].sum()
    if model == "markov":
        effects = markov_removal_effects(journeys, by=state)
        present = effects.index.isin(conv[state].unique())
        effects = effects.where(present, 0.0).clip(lower=0.0)
        share = effects / effects.sum() if effects.sum() > 0 else effects
        # Revenue shares the conversion shares: the removal effects of a first-order model do
        # not depend on order value (ChannelAttribution does the same with value-free paths).
        credit = pd.DataFrame({"conversions": share * n_orders, "revenue": share * total_revenue})
    else:
        w = _rule_weights(conv, model, half_life_days=half_life_days,
                          position_weights=position_weights)  # fmt: skip
        credit = (
            conv.assign(conversions=w, revenue=w * conv["revenue"].to_numpy())
            .groupby(state)[["conversions", "revenue"]]
            .sum()
        )
    credit["share"] = credit["conversions"] / n_orders
    credit = credit[credit["conversions"] > 0].sort_values("revenue", ascending=False)
    credit = credit.reset_index()
    if by == "campaign":
        parts = credit.pop("state").str.split("\x1f", n=1, expand=True)
        credit.insert(0, "channel", parts[0])
        credit.insert(1, "campaign", parts[1])
    credit.attrs.update(model=model, attributed_orders=n_orders, attributed_revenue=total_revenue)
    return credit


def compare_models(touchpoints: pd.DataFrame, orders: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    """`attribute` under every model: long table ``model``, ``channel``, ``conversions``,
    ``revenue``, ``share``."""
    frames = [attribute(touchpoints, orders, model=m, **kwargs).assign(model=m) for m in MODELS]
    out = pd.concat(frames, ignore_index=True)
    return out[["model", *[c for c in out.columns if c != "model"]]]


# --------------------------------------------------------------------------- incremental return

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


def _infer_freq(dates: pd.DatetimeIndex) -> str:
    step = pd.Series(dates).diff().dt.days.median()
    if step == 1:
        return "D"
    if step == 7:
        return "W"
    raise InputError(
        f"dates are {step:g} days apart",
        key="revenue.date",
        expected="daily or weekly dates (1 or 7 days apart)",
    )


def _prepare(
    spend: pd.DataFrame,
    revenue: pd.DataFrame,
    channels: list[str] | None,
) -> tuple[pd.DataFrame, pd.Series, str]:
    """Spend as one column per channel on the revenue's dates, and the revenue series."""
    for frame, name, cols in ((spend, "spend", ("date", "channel", "spend")),
                              (revenue, "revenue", ("date", "revenue"))):  # fmt: skip
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"missing column '{missing[0]}'", key=name,
                             expected="columns " + ", ".join(cols))  # fmt: skip
    if (spend["spend"] < 0).any():
        bad = spend.loc[spend["spend"] < 0, "channel"].astype(str).unique()
        raise InputError(f"negative spend for {', '.join(bad)}", key="spend",
                         expected="spend of 0 or more")  # fmt: skip
    y = revenue.assign(date=pd.to_datetime(revenue["date"], utc=True).dt.normalize())
    y = y.groupby("date")["revenue"].sum().sort_index()
    freq = _infer_freq(y.index)
    s = spend.assign(date=pd.to_datetime(spend["date"], utc=True).dt.normalize())
    known = sorted(s["channel"].astype(str).unique())
    if channels:
        unknown = [c for c in channels if c not in known]
        if unknown:
            raise InputError(f"channel '{unknown[0]}' never appears in the spend table",
                             key="channels", expected="some of " + ", ".join(known))  # fmt: skip
        s = s[s["channel"].isin(channels)]
    if s["date"].min() < y.index.min() or s["date"].max() > y.index.max() + pd.Timedelta(
        days=6 if freq == "W" else 0
    ):
        raise InputError(
            f"revenue covers {y.index.min().date()} to {y.index.max().date()} but spend runs "
            f"from {s['date'].min().date()} to {s['date'].max().date()}",
            key="revenue.date",
            expected="revenue for every period that has spend",
        )
    # Each spend date goes to the revenue period it falls in (the period starting on or before).
    period = y.index[np.searchsorted(y.index, s["date"], side="right") - 1]
    wide = s.assign(period=period).pivot_table(
        index="period", columns="channel", values="spend", aggfunc="sum"
    )
    wide = wide.reindex(y.index, fill_value=0.0).fillna(0.0)
    weeks = (y.index.max() - y.index.min()).days / 7 + (1 if freq == "W" else 1 / 7)
    if weeks < 8:
        raise InputError(f"only {weeks:.1f} weeks of data", key="revenue.date",
                         expected="at least 8 weeks (a year or more for seasonality)")  # fmt: skip
    wide.columns = [str(c) for c in wide.columns]
    return wide, y.astype(float), freq


def _controls(
    dates: pd.DatetimeIndex,
    freq: str,
    extra: pd.DataFrame | None,
    *,
    fit_until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Intercept, a piecewise-linear trend (a knot every half year of the fitted span), yearly
    Fourier terms when a year or more is fitted, and weekday dummies for daily data.

    ``fit_until`` is the last fitted date when ``dates`` run past it (a holdout): the terms
    are those of the fitted span, extrapolated."""
    t = (dates - dates[0]).days.to_numpy() / 365.25
    span = (((fit_until or dates[-1]) - dates[0]).days) / 365.25
    cols = {"const": np.ones(len(dates)), "trend": t}
    for knot in np.arange(0.5, span - 0.2, 0.5):
        cols[f"trend_after_{knot:.2f}y"] = np.maximum(t - knot, 0.0)
    if span >= 0.95:
        day = dates.day_of_year.to_numpy() / 365.25
        for k in (1, 2):
            cols[f"sin{k}"] = np.sin(2 * np.pi * k * day)
            cols[f"cos{k}"] = np.cos(2 * np.pi * k * day)
    if freq == "D":
        for d in range(1, 7):
            cols[f"weekday{d}"] = (dates.day_of_week == d).astype(float)
    out = pd.DataFrame(cols, index=dates)
    if extra is not None:
        e = extra.assign(date=pd.to_datetime(extra["date"], utc=True).dt.normalize())
        e = e.set_index("date").reindex(dates)
        if e.isna().any().any():
            raise InputError("controls do not cover every revenue date", key="controls",
                             expected="a value for every date of the revenue table")  # fmt: skip
        out = out.join(e.astype(float))
    return out


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


def _block_indices(rng: np.random.Generator, n: int, block: int) -> np.ndarray:
    """Indices of a moving-block bootstrap sample of length ``n``."""
    starts = rng.integers(0, n - block + 1, size=int(np.ceil(n / block)))
    return (starts[:, None] + np.arange(block)).ravel()[:n]


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


def _bootstrap_chunk(problem: _Resampling, samples: list[np.ndarray], first: int) -> list[pd.DataFrame]:
    """Refit the curves on residual-bootstrap replicates; one frame per replicate."""
    x, k = problem.x, problem.x.shape[1]
    spent = x.sum(axis=0)
    out = []
    for j, idx in enumerate(samples):
        # Warm-started at the estimate, a few Levenberg-Marquardt steps reach the replicate's
        # optimum to well within its sampling spread.
        y_star = problem.fitted + problem.resid[idx]
        zb, beta_b = _solve(x, y_star, problem.controls, problem.z, max_nfev=10, ftol=1e-5)
        d_b, r_b, s_b = _to_params(zb, k)
        half_b = _half_saturation(x, d_b, r_b)
        roas_b = (_saturated(x, d_b, half_b, s_b) * beta_b).sum(axis=0) / spent
        out.append(pd.DataFrame({
            "replicate": first + j, "channel": problem.channels, "roas": roas_b,
            "adstock_decay": d_b, "half_saturation": half_b, "hill_shape": s_b, "coef": beta_b,
        }))  # fmt: skip
    return out


def _one_blas_thread() -> None:
    """Worker set-up: one BLAS thread per process. The matrices are small, and processes that
    each start a BLAS thread per core fight over the cores (measured: slower than serial)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _run_bootstrap(problem: _Resampling, samples: list[np.ndarray], n_jobs: int) -> list[pd.DataFrame]:
    """Run the replicates in ``n_jobs`` processes; the resamples are drawn beforehand, so the
    result does not depend on ``n_jobs``."""
    n_jobs = max(1, min(n_jobs, len(samples)))
    if n_jobs == 1:
        return _bootstrap_chunk(problem, samples, 0)
    import concurrent.futures as cf

    bounds = np.linspace(0, len(samples), n_jobs + 1).astype(int)
    with cf.ProcessPoolExecutor(max_workers=n_jobs, initializer=_one_blas_thread) as pool:
        futures = [
            pool.submit(_bootstrap_chunk, problem, samples[lo:hi], lo)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return [frame for f in futures for frame in f.result()]


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
    import statsmodels.api as sm

    if adstock != "geometric" or saturation != "hill":
        raise InputError(
            f"is {adstock!r}/{saturation!r}", key="adstock/saturation",
            expected="'geometric' and 'hill'",
        )  # fmt: skip
    if not 0 < alpha < 1:
        raise InputError(f"is {alpha!r}", key="alpha", expected="a fraction between 0 and 1")
    wide, y, freq = _prepare(spend, revenue, channels)
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
    c = _controls(y.index, freq, controls)
    x, yy, cc = wide.to_numpy(), y.to_numpy(), c.to_numpy()
    k = x.shape[1]
    z, beta = _solve(x, yy, cc, _grid_start(x, yy, cc))
    decay, ratio, shape = _to_params(z, k)
    half = _half_saturation(x, decay, ratio)
    h = _saturated(x, decay, half, shape)
    design = pd.DataFrame(h, index=y.index, columns=list(wide.columns)).join(c)
    regression = sm.OLS(y, design).fit()

    rng = np.random.default_rng(seed)
    n_jobs = n_jobs or os.cpu_count() or 1
    fitted = regression.fittedvalues.to_numpy()
    resid = yy - fitted
    block = 28 if freq == "D" else 4
    samples = [_block_indices(rng, len(yy), block) for _ in range(n_bootstrap)]
    problem = _Resampling(x, fitted, resid, cc, z, list(wide.columns))
    draws = _run_bootstrap(problem, samples, n_jobs)
    columns = ["replicate", "channel", "roas", "adstock_decay", "half_saturation", "hill_shape",
               "coef"]  # fmt: skip
    bootstrap = pd.concat(draws, ignore_index=True) if draws else pd.DataFrame(columns=columns)
    return IncrementalFit(
        channels=list(wide.columns),
        not_identifiable=not_identifiable,
        freq=freq,
        dates=y.index,
        spend=wide,
        revenue=y,
        controls=c,
        decay=decay,
        half_saturation=half,
        hill_shape=shape,
        coef=regression.params.to_numpy()[:k],
        regression=regression,
        bootstrap=bootstrap,
        alpha=alpha,
        margin_rate=margin_rate,
    )


def incremental_return(spend: pd.DataFrame, revenue: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    """Incremental ROAS and ROI per channel with intervals: `fit_incremental` then
    ``.summary()``; see there for the parameters and columns."""
    return fit_incremental(spend, revenue, **kwargs).summary()


# --------------------------------------------------------------------------- curves and budget


def _steady_revenue(
    spend: np.ndarray, decay: np.ndarray, half: np.ndarray, shape: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """Incremental revenue per period of a steady spend per period (adstock at steady state)."""
    return coef * hill(spend / (1.0 - decay), half, shape)


def _replicates(fit: IncrementalFit) -> dict[str, np.ndarray]:
    b = fit.bootstrap
    return {
        col: b.pivot(index="replicate", columns="channel", values=col)
        .reindex(columns=fit.channels)
        .to_numpy()
        for col in ("adstock_decay", "half_saturation", "hill_shape", "coef")
    }


def response_curves(fit: IncrementalFit, *, points: int = 41, max_multiple: float = 2.0) -> pd.DataFrame:
    """Expected incremental revenue per period against a steady spend per period, per channel.

    Parameters
    ----------
    fit
        From `fit_incremental`.
    points
        Spend levels per channel, from 0 to ``max_multiple`` times the channel's average spend
        per period.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``spend`` (currency per period), ``revenue`` (expected incremental revenue
        per period at that steady spend), ``ci_lower``, ``ci_upper`` (the bootstrap band at level
        ``1 - fit.alpha``), ``current`` (True at the channel's average spend).
    """
    mean_spend = fit.spend.mean().to_numpy()
    reps = _replicates(fit)
    frames = []
    for i, channel in enumerate(fit.channels):
        levels = np.r_[np.linspace(0.0, max_multiple * mean_spend[i], points), mean_spend[i]]
        est = fit.coef[i] * hill(levels / (1 - fit.decay[i]), fit.half_saturation[i],
                                 fit.hill_shape[i])  # fmt: skip
        boot = reps["coef"][:, [i]] * hill(levels / (1 - reps["adstock_decay"][:, [i]]),
                                           reps["half_saturation"][:, [i]],
                                           reps["hill_shape"][:, [i]])  # fmt: skip
        lo, hi = np.quantile(boot, [fit.alpha / 2, 1 - fit.alpha / 2], axis=0)
        frames.append(pd.DataFrame({
            "channel": channel, "spend": levels, "revenue": est, "ci_lower": lo, "ci_upper": hi,
            "current": np.r_[np.zeros(points, dtype=bool), True],
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["channel", "spend"], kind="stable", ignore_index=True)


@dataclass(frozen=True)
class Reallocation:
    """A recommended split of the budget; see `reallocate`."""

    table: pd.DataFrame
    gain: float
    gain_lower: float
    gain_upper: float

    def to_frame(self) -> pd.DataFrame:
        """The headline as one row: ``gain``, ``gain_lower``, ``gain_upper``."""
        return pd.DataFrame([{"gain": self.gain, "gain_lower": self.gain_lower,
                              "gain_upper": self.gain_upper}])  # fmt: skip


def reallocate(
    fit: IncrementalFit, *, total_budget: float | None = None, max_change: float = 0.3
) -> Reallocation:
    """The steady spend per channel that maximises expected incremental revenue.

    Parameters
    ----------
    fit
        From `fit_incremental`.
    total_budget
        Spend per period to split (currency per day for daily data, per week for weekly);
        None keeps today's total (the average spend per period over the data).
    max_change
        Largest change of a channel's spend, as a fraction of its current average spend.

    Returns
    -------
    Reallocation
        ``table``: ``channel``, ``current_spend``, ``recommended_spend`` (currency per period),
        ``change`` (fraction), ``current_revenue``, ``expected_revenue`` (incremental revenue
        per period); ``gain`` (expected extra incremental revenue per period against the
        current split scaled to the same budget) with its bootstrap interval.

    Notes
    -----
    Spend is assumed steady within the period (adstock at its steady state); flighting the same
    budget earns less where curves saturate. Solved with SLSQP under the budget equality and the
    per-channel bounds.
    """
    from scipy.optimize import minimize

    current = fit.spend.mean().to_numpy()
    if total_budget is None:
        total_budget = float(current.sum())
    if total_budget <= 0:
        raise InputError(f"is {total_budget!r}", key="total_budget", expected="a positive amount")
    if not 0 <= max_change < 1:
        raise InputError(f"is {max_change!r}", key="max_change", expected="a fraction in [0, 1)")
    lower, upper = current * (1 - max_change), current * (1 + max_change)
    if not lower.sum() <= total_budget <= upper.sum():
        raise InputError(
            f"is {total_budget:,.2f} per period, which the change limit cannot reach from the "
            f"current {current.sum():,.2f}",
            key="total_budget",
            expected=f"between {lower.sum():,.2f} and {upper.sum():,.2f} with max_change "
            f"{max_change:g}, or a larger max_change",
        )
    params = (fit.decay, fit.half_saturation, fit.hill_shape, fit.coef)
    scale = total_budget / current.sum()
    baseline = np.clip(current * scale, lower, upper)

    def negative(s: np.ndarray) -> float:
        return -float(_steady_revenue(s, *params).sum())

    result = minimize(
        negative, baseline, method="SLSQP", bounds=list(zip(lower, upper, strict=True)),
        constraints=[{"type": "eq", "fun": lambda s: s.sum() - total_budget}],
        options={"ftol": 1e-10, "maxiter": 500},
    )  # fmt: skip
    best = result.x
    reps = _replicates(fit)
    rep = (reps["adstock_decay"], reps["half_saturation"], reps["hill_shape"], reps["coef"])
    gains = (_steady_revenue(best, *rep) - _steady_revenue(baseline, *rep)).sum(axis=1)
    lo, hi = np.quantile(gains, [fit.alpha / 2, 1 - fit.alpha / 2]) if len(gains) else (np.nan,) * 2
    table = pd.DataFrame({
        "channel": fit.channels,
        "current_spend": baseline,
        "recommended_spend": best,
        "change": best / baseline - 1,
        "current_revenue": _steady_revenue(baseline, *params),
        "expected_revenue": _steady_revenue(best, *params),
    })  # fmt: skip
    gain = float(table["expected_revenue"].sum() - table["current_revenue"].sum())
    return Reallocation(table, gain, float(lo), float(hi))


@dataclass(frozen=True)
class Holdout:
    """Out-of-sample check of the incremental model; see `holdout_check`."""

    frame: pd.DataFrame  # date, actual, predicted, holdout (bool)
    mape: float  # mean absolute percentage error on the holdout (fraction)
    rmse: float  # root mean squared error on the holdout (currency per period)

    def to_frame(self) -> pd.DataFrame:
        """The headline as one row: ``mape``, ``rmse``."""
        return pd.DataFrame([{"mape": self.mape, "rmse": self.rmse}])


def holdout_check(
    spend: pd.DataFrame, revenue: pd.DataFrame, *, holdout_weeks: int = 8, **kwargs: object
) -> Holdout:
    """Fit `fit_incremental` without the last ``holdout_weeks`` and predict them.

    Returns the actual and predicted revenue per period for the whole span and the error on
    the held-out weeks. Keyword arguments go to `fit_incremental` (without the bootstrap).
    """
    wide, y, freq = _prepare(spend, revenue, kwargs.get("channels"))  # type: ignore[arg-type]
    cut = y.index.max() - pd.Timedelta(weeks=holdout_weeks)
    if holdout_weeks < 1 or (y.index <= cut).sum() < 56 / (7 if freq == "W" else 1):
        raise InputError(f"is {holdout_weeks!r}", key="holdout_weeks",
                         expected="at least 1 week, leaving 8 weeks or more to fit")  # fmt: skip
    train_spend = spend[pd.to_datetime(spend["date"], utc=True) <= cut]
    train_rev = revenue[pd.to_datetime(revenue["date"], utc=True) <= cut]
    fit = fit_incremental(train_spend, train_rev, **{**kwargs, "n_bootstrap": 0})
    x = wide.reindex(columns=fit.channels, fill_value=0.0).to_numpy()
    h = _saturated(x, fit.decay, fit.half_saturation, fit.hill_shape)
    c = _controls(y.index, freq, kwargs.get("controls"), fit_until=cut)  # type: ignore[arg-type]
    design = pd.DataFrame(h, index=y.index, columns=fit.channels).join(c)
    predicted = design[fit.regression.params.index].to_numpy() @ fit.regression.params.to_numpy()
    frame = pd.DataFrame({"date": y.index, "actual": y.to_numpy(), "predicted": predicted,
                          "holdout": y.index > cut})  # fmt: skip
    held = frame[frame["holdout"]]
    err = held["predicted"] - held["actual"]
    mape = float((err.abs() / held["actual"].abs()).mean())
    return Holdout(frame, mape, float(np.sqrt((err**2).mean())))


def daily_revenue(orders: pd.DataFrame) -> pd.DataFrame:
    """Order revenue per UTC day: ``date``, ``revenue`` (currency per day); days without orders
    inside the span are 0."""
    day = orders["timestamp"].dt.normalize()
    out = orders.assign(date=day).groupby("date")["revenue"].sum()
    full = pd.date_range(day.min(), day.max(), freq="D")
    return out.reindex(full, fill_value=0.0).rename_axis("date").reset_index()


def last_touch_roas(attribution: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Revenue credited by an attribution model per unit of spend: ``channel``, ``roas``."""
    total = spend.groupby("channel")["spend"].sum()
    credited = attribution.set_index("channel")["revenue"]
    roas = (credited / total.reindex(credited.index)).dropna()
    return roas.rename("roas").rename_axis("channel").reset_index()


def conclusions(
    summary: pd.DataFrame,
    attribution: pd.DataFrame,
    plan: Reallocation,
    *,
    currency: str,
    alpha: float,
    period: str = "day",
) -> str:
    """Markdown conclusions of the ROI report; every number comes from the arguments."""
    ok = summary[summary["identifiable"]].sort_values("roas", ascending=False)
    best, worst = ok.iloc[0], ok.iloc[-1]
    level = f"{1 - alpha:.0%}"
    lines = [
        f"- **{best['channel']}** returned the most: {best['roas']:.2f} {currency} of "
        f"incremental revenue per {currency} spent ({level} interval {best['ci_lower']:.2f} to "
        f"{best['ci_upper']:.2f}); **{worst['channel']}** the least, {worst['roas']:.2f} "
        f"({worst['ci_lower']:.2f} to {worst['ci_upper']:.2f}).",
    ]
    losing = ok[ok["roi"] < 0]
    if len(losing):
        lines.append(
            "- At the given margin, spend did not pay back on: "
            + ", ".join(f"{r.channel} (ROI {r.roi:+.0%})" for r in losing.itertuples())
            + "."
        )
    else:
        lines.append("- At the given margin every identifiable channel paid back its spend.")
    lt = attribution.set_index("channel")["share"]
    inc = ok.set_index("channel")["incremental_revenue"]
    inc_share = inc / inc.sum()
    diff = (lt.reindex(inc_share.index) - inc_share).dropna()
    if len(diff):
        over = diff.idxmax()
        lines.append(
            f"- Last-touch attribution gives {over} {lt[over]:.0%} of the credit; the incremental "
            f"model gives it {inc_share[over]:.0%} of the incremental revenue."
        )
    moved = plan.table.sort_values("change")
    lines.append(
        f"- Moving budget from {moved.iloc[0]['channel']} to {moved.iloc[-1]['channel']} (within "
        f"the change limit, same total) is expected to add {plan.gain:,.0f} {currency} of revenue "
        f"per {period} ({level} interval {plan.gain_lower:,.0f} to {plan.gain_upper:,.0f})."
    )
    for channel, note in summary.loc[~summary["identifiable"], ["channel", "note"]].itertuples(index=False):
        lines.append(f"- {channel}: {note}.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Parameters:
    """Parameters of the ROI notebook (mirrors its ``parameters`` cell)."""

    data_dir: str
    start_date: str
    end_date: str
    lookback_days: float
    half_life_days: float
    margin_rate: float
    alpha: float
    channels: list[str]
    currency: str
    budget_per_day: float
    max_change: float
    holdout_weeks: int
    n_bootstrap: int
    seed: int

    def __post_init__(self) -> None:
        check_types(self)
        rules = [
            ("lookback_days", self.lookback_days > 0, "a positive number of days"),
            ("half_life_days", self.half_life_days > 0, "a positive number of days"),
            ("margin_rate", 0 < self.margin_rate <= 1, "a fraction in (0, 1], e.g. 0.4"),
            ("alpha", 0 < self.alpha < 1, "a fraction in (0, 1), e.g. 0.1 for 90% intervals"),
            ("budget_per_day", self.budget_per_day >= 0, "0 (keep the total) or a positive amount"),
            ("max_change", 0 <= self.max_change < 1, "a fraction in [0, 1)"),
            ("holdout_weeks", self.holdout_weeks >= 1, "at least 1 week"),
            ("n_bootstrap", self.n_bootstrap >= 20, "at least 20 replicates"),
        ]
        check_rules(self, rules)
        start = check_iso_date("start_date", self.start_date)
        end = check_iso_date("end_date", self.end_date)
        if start is not None and end is not None and start >= end:
            raise InputError(f"{self.start_date} is not before end_date {self.end_date}",
                             key="start_date", expected="start_date before end_date")  # fmt: skip
        check_data_dir(self.data_dir)

    @property
    def total_budget(self) -> float | None:
        """The budget to reallocate (currency per day), None for today's total."""
        return self.budget_per_day if self.budget_per_day > 0 else None

    def select(self, tables: Tables) -> Tables:
        """The tables restricted to the analysis period (UTC days, inclusive) and channels."""
        start = check_iso_date("start_date", self.start_date)
        end = check_iso_date("end_date", self.end_date)

        def window(frame: pd.DataFrame, column: str) -> pd.DataFrame:
            keep = pd.Series(True, index=frame.index)
            if start is not None:
                keep &= frame[column] >= start
            if end is not None:
                keep &= frame[column] < end + pd.Timedelta(days=1)
            return frame[keep]

        spend, touch = window(tables.spend, "date"), window(tables.touchpoints, "timestamp")
        if self.channels:
            known = set(tables.spend["channel"])
            unknown = [c for c in self.channels if c not in known]
            if unknown:
                raise InputError(f"channel '{unknown[0]}' never appears in the spend table",
                                 key="channels", expected="some of " + ", ".join(sorted(known)))  # fmt: skip
            spend = spend[spend["channel"].isin(self.channels)]
            touch = touch[touch["channel"].isin(self.channels)]
        return Tables(
            mentions=tables.mentions,
            spend=spend,
            touchpoints=touch,
            orders=window(tables.orders, "timestamp"),
            customers=tables.customers,
            sources=tables.sources,
        )


def campaign_returns(
    touchpoints: pd.DataFrame,
    orders: pd.DataFrame,
    spend: pd.DataFrame,
    *,
    model: Model = "markov",
    **kwargs: object,
) -> pd.DataFrame:
    """Attributed revenue per campaign against the campaign's spend.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``campaign``, ``spend`` (currency), ``conversions``, ``revenue``
        (credited by ``model``, currency), ``roas`` (credited revenue per unit of spend; empty
        for touchpoints outside any paid campaign), sorted by revenue.
    """
    credit = attribute(touchpoints, orders, model=model, by="campaign", **kwargs)
    spent = spend.groupby(["channel", "campaign"])["spend"].sum().rename("spend")
    out = credit.join(spent, on=["channel", "campaign"])
    out["roas"] = out["revenue"] / out["spend"].where(out["spend"] > 0)
    return out[["channel", "campaign", "spend", "conversions", "revenue", "roas"]]
