"""Attribution: orders credited to channels and campaigns along customer journeys.

Rule-based models credit each converting journey's touchpoints by position or time; the
Markov model credits channels by how much conversion would be lost without them. Every model
conserves the total: attributed conversions and revenue sum to those of the attributed orders
(orders with at least one touchpoint in the lookback window).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from socialreturns.data import as_utc
from socialreturns.inputs import InputError
from socialreturns.parameters import Range

#: Ranges of the attribution window and of the time-decay half-life (the ROI notebook's too).
LOOKBACK_DAYS = Range("a positive number of days, at most 365", gt=0, le=365)
HALF_LIFE_DAYS = Range("a positive number of days, at most 365", gt=0, le=365)

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
    LOOKBACK_DAYS.check("lookback_days", lookback_days)
    tp = touchpoints[["customer_id", "timestamp", "channel", "campaign"]].copy()
    tp["customer_id"] = tp["customer_id"].astype(str)
    # merge_asof needs both keys at one resolution; frames passed in may differ (ns vs us)
    tp["timestamp"] = as_utc(tp["timestamp"], column="touchpoints.timestamp")
    tp = tp.sort_values("timestamp", kind="stable").reset_index(drop=True)
    od = orders[["order_id", "customer_id", "timestamp", "revenue"]].rename(
        columns={"timestamp": "order_time"}
    )
    od["order_time"] = as_utc(od["order_time"], column="orders.timestamp")
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


def _check_options(model: str, by: str, half_life_days: float, position_weights: tuple[float, ...]) -> None:
    """Stop on an unknown model or ``by``, a non-positive half-life or bad position weights."""
    if model not in MODELS:
        raise InputError(f"is {model!r}", key="model", expected="one of " + ", ".join(MODELS))
    if by not in ("channel", "campaign"):
        raise InputError(f"is {by!r}", key="by", expected="'channel' or 'campaign'")
    HALF_LIFE_DAYS.check("half_life_days", half_life_days)
    if len(position_weights) != 3 or min(position_weights) < 0 or not np.isclose(sum(position_weights), 1.0):
        raise InputError(
            f"is {position_weights!r}",
            key="position_weights",
            expected="three non-negative shares (first, middle, last) summing to 1",
        )


def _markov_credit(
    journeys: pd.DataFrame, conv: pd.DataFrame, state: str, n_orders: int, total_revenue: float
) -> pd.DataFrame:
    """Conversions and revenue per state in proportion to the Markov removal effects of the
    states seen in converting journeys (``conv``)."""
    effects = markov_removal_effects(journeys, by=state)
    present = effects.index.isin(conv[state].unique())
    effects = effects.where(present, 0.0).clip(lower=0.0)
    share = effects / effects.sum() if effects.sum() > 0 else effects
    # Revenue shares the conversion shares: the removal effects of a first-order model do
    # not depend on order value (ChannelAttribution does the same with value-free paths).
    return pd.DataFrame({"conversions": share * n_orders, "revenue": share * total_revenue})


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
    _check_options(model, by, half_life_days, position_weights)
    journeys = build_journeys(touchpoints, orders, lookback_days=lookback_days)
    return _credit(journeys, model=model, lookback_days=lookback_days, half_life_days=half_life_days,
                   position_weights=position_weights, by=by)  # fmt: skip


def _credit(
    journeys: pd.DataFrame,
    *,
    model: Model,
    lookback_days: float = 30.0,
    half_life_days: float = 7.0,
    position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
    by: Literal["channel", "campaign"] = "channel",
) -> pd.DataFrame:
    """`attribute`'s credit from journeys already built (`build_journeys`; left unchanged)."""
    state = "channel" if by == "channel" else "state"
    journeys = journeys.assign(state=journeys["channel"] + "\x1f" + journeys["campaign"])
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
        credit = _markov_credit(journeys, conv, state, n_orders, total_revenue)
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
    frames, journeys = [], None
    for m in MODELS:  # the journeys built once: they do not depend on the model
        _check_options(m, kwargs.get("by", "channel"), kwargs.get("half_life_days", 7.0),  # type: ignore[arg-type]
                       kwargs.get("position_weights", (0.4, 0.2, 0.4)))  # type: ignore[arg-type]  # fmt: skip
        if journeys is None:
            journeys = build_journeys(touchpoints, orders, lookback_days=kwargs.get("lookback_days", 30.0))  # type: ignore[arg-type]
        frames.append(_credit(journeys, model=m, **kwargs).assign(model=m))  # type: ignore[arg-type]
    out = pd.concat(frames, ignore_index=True)
    return out[["model", *[c for c in out.columns if c != "model"]]]


def last_touch_roas(attribution: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Revenue credited by an attribution model per unit of spend: ``channel``, ``roas``."""
    total = spend.groupby("channel")["spend"].sum()
    credited = attribution.set_index("channel")["revenue"]
    roas = (credited / total.reindex(credited.index)).dropna()
    return roas.rename("roas").rename_axis("channel").reset_index()


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
