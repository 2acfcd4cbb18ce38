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
from .fit import PURCHASE_MODELS, ModelFit, _need
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


def _post_weights(own: pd.DataFrame, negative: pd.Series | None, negative_weight: float) -> np.ndarray:
    """Each of the brand's posts' weight in earned media value: 1, or ``negative_weight`` when negative."""
    if not 0 <= negative_weight <= 1:
        raise InputError(f"is {negative_weight!r}", key="negative_post_weight",
                         expected="a fraction from 0 (negative posts excluded) to 1 (counted like the others)")  # fmt: skip
    if negative is None:
        return np.ones(len(own))
    flags = negative.reindex(own.index)
    if flags.isna().any():
        raise InputError(
            "has no class for some of the brand's mentions", key="negative",
            rows=own.index[flags.isna().to_numpy()][:5].tolist(),
            expected="True/False for every mention of the brand, indexed like mentions (ror.negative_posts)",
        )  # fmt: skip
    return np.where(flags.to_numpy(bool), negative_weight, 1.0)


def sharing_by_platform(
    mentions: pd.DataFrame,
    *,
    brand: str,
    cpm: float,
    negative: pd.Series | None = None,
    negative_weight: float = 0.0,
) -> pd.DataFrame:
    """Earned reach of the brand's mentions per platform, valued at ``cpm``.

    ``earned_media_value = Σ weight × reach / 1000 × cpm``, taking a post's ``reach`` as the
    impressions it earned (shares included). A negative post (``negative``, from
    `negative_posts`) weighs ``negative_weight``: 0 excludes it (the default: a complaint's
    reach, a crisis's above all, is no value to the brand), 1 counts it like any other post.
    Without ``negative`` every post counts alike.

    Returns
    -------
    DataFrame indexed by ``platform`` with ``posts``, ``negative_posts``, ``customer_posts`` (by
    known customers), ``shares``, ``likes``, ``reach`` (all posts), ``amplification_rate``
    (shares per post), ``applause_rate`` (likes per post), ``earned_media_value`` and
    ``customer_earned_media_value`` (currency, weighted), largest value first.
    """
    if cpm < 0:
        raise InputError(f"is {cpm!r}", key="cpm", expected="0 or more (currency per 1,000 impressions)")
    own = _brand_mentions(mentions, brand)
    weight = _post_weights(own, negative, negative_weight)
    by_customer = own["customer_id"].notna() & (own["customer_id"].astype("string") != "")
    valued = own["reach"].to_numpy(float) * weight
    out = own.assign(
        customer_posts=by_customer.astype(int),
        negative_posts=(weight < 1).astype(int) if negative is not None else 0,
        valued_reach=valued,
        customer_reach=np.where(by_customer, valued, 0.0),
    ).groupby("platform").agg(
        posts=("reach", "size"), negative_posts=("negative_posts", "sum"), customer_posts=("customer_posts", "sum"),
        shares=("shares", "sum"), likes=("likes", "sum"), reach=("reach", "sum"),
        valued_reach=("valued_reach", "sum"), customer_reach=("customer_reach", "sum"),
    )  # fmt: skip
    out = out.astype(float).astype({"negative_posts": np.int64})
    out["amplification_rate"] = out["shares"] / out["posts"]
    out["applause_rate"] = out["likes"] / out["posts"]
    out["earned_media_value"] = out.pop("valued_reach") / 1000 * cpm
    out["customer_earned_media_value"] = out.pop("customer_reach") / 1000 * cpm
    return out.sort_values("earned_media_value", ascending=False)


def sharing_note(sharing: pd.DataFrame, *, negative_weight: float, cpm: float, currency: str) -> str:
    """How the earned media value treated negative posts, in one sentence (Markdown)."""
    from socialreturns.markup import escape_markdown as md

    n = int(sharing["negative_posts"].sum())
    how = ("excluded" if negative_weight == 0 else "counted like the others" if negative_weight == 1
           else f"counted at {negative_weight:.0%} of their reach")  # fmt: skip
    return (f"Earned media value {sharing['earned_media_value'].sum():,.0f} {md(currency)} at {cpm:,.2f} "
            f"{md(currency)} per 1,000 impressions; the {n:,} negative posts (as the sentiment report classes them; "
            f"crisis posts among them) are {how}.")  # fmt: skip


def sharing_by_customer(
    mentions: pd.DataFrame,
    *,
    brand: str,
    cpm: float,
    negative: pd.Series | None = None,
    negative_weight: float = 0.0,
) -> pd.DataFrame:
    """Each customer's mentions of the brand: ``posts``, ``shares``, ``reach`` and
    ``earned_media_value`` (currency, Σ weight × reach / 1000 × cpm, negative posts weighted as in
    `sharing_by_platform`), indexed by ``customer_id``."""
    own = _brand_mentions(mentions, brand)
    own = own.assign(valued=own["reach"].to_numpy(float) * _post_weights(own, negative, negative_weight))
    own = own[own["customer_id"].notna() & (own["customer_id"].astype("string") != "")]
    out = own.groupby(own["customer_id"].astype(str)).agg(
        posts=("reach", "size"), shares=("shares", "sum"), reach=("reach", "sum"), valued=("valued", "sum")
    )
    out["earned_media_value"] = out.pop("valued") / 1000 * cpm
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
    negative: pd.Series | None = None,
    negative_weight: float = 0.0,
) -> pd.DataFrame:
    """Each customer's relationship value: loyalty, recommendations and sharing (currency).

    * ``clv``: the customer's own CLV (from `clv`).
    * ``referral_value``: their customer referral value (from `referral_value`).
    * ``sharing_value``: their earned media value per purchase so far (negative posts weighted by
      ``negative_weight``, as in `sharing_by_platform`), times their discounted expected
      purchases: customers are assumed to keep sharing in step with buying.
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
    shared = sharing_by_customer(mentions, brand=brand, cpm=cpm, negative=negative,
                                 negative_weight=negative_weight)["earned_media_value"]  # fmt: skip
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
        segment's acquisition spend is its channel's total spend. Segments without spend (organic,
        referral: the referral cost is already netted in the referrers' value) get no ROR, and so
        does every cohort: future value favours young cohorts by construction, so cohorts are
        compared at equal age instead (`cohort_value_at_age`).
    by
        ``"acquisition_channel"``, ``"cohort"``, or another column of ``values``.

    Returns
    -------
    DataFrame indexed by segment with ``customers``, ``loyalty_value``, ``referral_value``,
    ``sharing_value``, ``relationship_value``, ``acquisition_spend`` (currency) and ``ror``
    (relationship value / acquisition spend), largest value first (cohorts in time order).
    The customers' CLV is not repeated here: a segment's loyalty value is its CLV less the part
    of its referred customers' CLV credited to their referrers (see `glossary`).
    """
    if by not in values.columns:
        raise InputError(
            f"is {by!r}, not a segment column", key="segment_column",
            expected="acquisition_channel, cohort or another customer column",
        )  # fmt: skip
    parts = ["loyalty_value", "referral_value", "sharing_value", "relationship_value"]
    out = values.groupby(by)[parts].sum()
    out.insert(0, "customers", values.groupby(by).size())
    out["acquisition_spend"] = np.nan
    if spend is not None and not spend.empty and by == "acquisition_channel":
        require_columns(spend, ("date", "channel", "spend"), "spend")
        paid = spend.groupby(spend["channel"].astype(str))["spend"].sum()
        out["acquisition_spend"] = paid.astype(float).reindex(out.index).where(lambda s: s > 0)
    out["ror"] = out["relationship_value"] / out["acquisition_spend"]
    out.index.name = by
    return out.sort_values("relationship_value", ascending=False) if by != "cohort" else out.sort_index()


def referral_note(values: pd.DataFrame, *, referral_cost: float, share_would_join_anyway: float,
                  currency: str) -> str:  # fmt: skip
    """Why some referrers' referral value is negative, in numbers (Markdown).

    A referral's value is the referred customer's future CLV (less the share who would have come
    anyway) minus the reward paid for it; a referred customer who has bought once and gone has
    little future CLV left, so a referrer whose referrals have lapsed is worth less than the
    rewards they were paid. Their referred customers' past purchases are not counted: every value
    here is a value from now on.
    """
    from socialreturns.markup import escape_markdown as md

    referrers = values[values["n_referred"] > 0]
    negative = referrers[referrers["referral_value"] < 0]
    if negative.empty:
        return (
            f"No referrer's referral value is negative at {referral_cost:,.2f} {md(currency)} per referral."
        )
    lost = float(negative["referral_value"].sum())
    per_referral = float(negative["referral_value"].add(referral_cost * negative["n_referred"]).sum()
                         / negative["n_referred"].sum())  # fmt: skip
    return (f"{len(negative):,} of {len(referrers):,} referrers have a negative referral value ({lost:,.0f} "
            f"{md(currency)} together): their referred customers' future CLV, {per_referral:,.2f} {md(currency)} per "
            f"referral after the {share_would_join_anyway:.0%} who would have come anyway, is below the "
            f"{referral_cost:,.2f} {md(currency)} reward paid for each. Those referred customers have mostly bought "
            "and gone; what they already bought is past value, not counted in a value from now on. "
            "Segments and quadrants that hold such referrers can show a negative referral value.")  # fmt: skip


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
    _need(bgnbd, *PURCHASE_MODELS)
    units = lookback_months * DAYS_PER_MONTH / DAYS_PER_UNIT[bgnbd.time_unit]
    earlier = summary.assign(T=np.maximum(summary["T"] - units, summary["recency"]))
    now = p_alive(bgnbd, summary)
    table = values[["acquisition_channel", "last_purchase", "n_purchases", "total_value", "clv"]].copy()
    table["p_alive"] = now
    table["p_alive_change"] = now - p_alive(bgnbd, earlier)
    table["value_if_retained"] = values["clv"] / now.clip(lower=1e-12)
    table["value_slipping"] = table["value_if_retained"] * -table["p_alive_change"]
    # P(alive) says something only about customers with a repeat purchase (see `share_active`)
    table = table[(table["p_alive_change"] < 0) & (summary["frequency"] > 0).reindex(table.index).to_numpy()]
    return table.sort_values("value_slipping", ascending=False).head(n)


def segment_chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """`ror_by_segment`'s value parts in long form (segment, part, value) for a stacked bar chart."""
    parts = {
        "loyalty_value": "loyalty value",
        "referral_value": "referral value",
        "sharing_value": "sharing value",
    }
    long = table[list(parts)].rename(columns=parts).reset_index().melt(
        id_vars=table.index.name, var_name="part", value_name="value"
    )  # fmt: skip
    return long.rename(columns={table.index.name: "segment"})
