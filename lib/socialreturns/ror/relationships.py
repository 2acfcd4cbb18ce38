"""Relationship values beyond a customer's own purchases, and Return on Relationship per segment.

* **recommendations**: customer referral value (Kumar, Petersen & Leone 2007, "How valuable is
  word of mouth?", HBR 85(10)): the value of the customers a customer brought in, net of those who
  would have joined anyway, minus what the referral cost; and their CLV × referral quadrants.
* **sharing**: the earned media value of the reach that customers' posts about the brand create.

Then each customer's relationship value (loyalty + recommendations + sharing), its sum per
segment over the segment's acquisition spend, and the customers slipping away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialreturns.data import is_member, require_brand, require_columns
from socialreturns.finance import DAYS_PER_MONTH
from socialreturns.inputs import InputError

from .bgnbd import p_alive
from .fit import ModelFit, _need
from .rfm import DAYS_PER_UNIT, _days

QUADRANTS = ("champions", "affluents", "advocates", "misers")


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
    require_columns(
        customers, ("customer_id", "acquisition_date", "acquisition_channel", "referred_by"), "customers"
    )
    require_columns(orders, ("customer_id", "timestamp"), "orders")
    buyers = pd.Index(orders["customer_id"].astype(str).unique())
    ids = customers["customer_id"].astype(str)
    no_orders = ~is_member(ids, buyers)
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
    require_columns(customers, ("customer_id", "referred_by"), "customers")
    ids = customers["customer_id"].astype(str)
    referrer = customers["referred_by"].astype("string").fillna("").to_numpy(str)
    referred = referrer != ""
    missing = ~is_member(ids[referred], customer_clv.index)
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
    require_columns(values, ("clv", "referral_value"), "the customer values")
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
    require_columns(mentions, ("platform", "brand", "customer_id", "likes", "shares", "reach"), "mentions")
    require_brand(mentions, brand)
    return mentions[mentions["brand"] == brand]


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
    require_columns(customers, ("customer_id", "acquisition_channel", "referred_by"), "customers")
    ids = customers["customer_id"].astype(str)
    missing = ~is_member(ids, summary.index)
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
        require_columns(spend, ("date", "channel", "spend"), "spend")
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
