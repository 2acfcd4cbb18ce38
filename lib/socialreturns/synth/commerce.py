"""The numeric generators: spend, its revenue, customers, orders and journeys.

Spend is carried over by geometric adstock and saturates through a Hill curve into paid
first-order revenue; customers arrive paid, organic and by referral, buy again by the BG/NBD
process with Gamma-Gamma order values; a tracked share of orders gets its touchpoints, beside
prospects' journeys that never convert (the story in full is in the package docstring).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .truth import BGNBD, CHANNELS, GAMMA_GAMMA, N_DAYS, START, TRACKED_SHARE

# --------------------------------------------------------------------------- spend


def _adstock(x: np.ndarray, decay: float) -> np.ndarray:
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -decay], x)


def _hill(a: np.ndarray, half_saturation: float, shape: float) -> np.ndarray:
    return a**shape / (a**shape + half_saturation**shape)


def _campaign_spend(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Daily spend per channel and campaign (currency per day)."""
    themes = ["launch", "spring", "summer", "backtoschool", "blackfriday", "holiday", "retarget",
              "creator", "brand", "always_on"]  # fmt: skip
    base_daily_total = 1000.0 * scale
    rows = []
    for channel, spec in CHANNELS.items():
        budget = base_daily_total * spec["spend_share"]
        n_campaigns = max(1, int(round(8 * scale)))
        for k in range(n_campaigns):
            always_on = k % 8 == 0  # one always-on campaign per eight
            length = int(rng.integers(180, 365)) if always_on else int(rng.integers(21, 100))
            start = int(rng.integers(0, N_DAYS - 14))
            end = min(N_DAYS, start + length)
            days = np.arange(start, end)
            level = budget * rng.lognormal(0.0, 0.5) * (0.4 if always_on else 2.0)
            # Flighting: some campaigns run on/off weeks, all get daily noise and a ramp.
            on = np.ones(days.size)
            if not always_on and rng.random() < 0.6:
                on = ((days - start) // 7 % 2 == 0).astype(float)
            ramp = np.minimum(1.0, (days - start + 1) / 5.0)
            daily = level * on * ramp * rng.lognormal(0.0, 0.25, days.size)
            theme = "always_on" if always_on else themes[int(rng.integers(len(themes) - 1))]
            first_day = START + pd.Timedelta(days=start)
            name = f"{channel[:2]}_{theme}_{first_day:%Y%m}_{k + 1:02d}"
            rows.append(pd.DataFrame({"day": days, "channel": channel, "campaign": name,
                                      "spend": daily}))  # fmt: skip
    spend = pd.concat(rows, ignore_index=True)
    # Each channel's total is its stated share of the budget, whatever the draws of its campaigns.
    target = {c: base_daily_total * N_DAYS * spec["spend_share"] for c, spec in CHANNELS.items()}
    spend["spend"] *= spend["channel"].map(target) / spend.groupby("channel")["spend"].transform("sum")
    spend = spend[spend["spend"] > 0].copy()
    spend["spend"] = spend["spend"].round(2)
    spend = spend[spend["spend"] > 0]
    return spend.groupby(["day", "channel", "campaign"], as_index=False)["spend"].sum()


def _daily_matrix(spend: pd.DataFrame) -> pd.DataFrame:
    wide = spend.pivot_table(index="day", columns="channel", values="spend", aggfunc="sum")
    return wide.reindex(index=range(N_DAYS), columns=list(CHANNELS), fill_value=0.0).fillna(0.0)


def _response_truth(daily: pd.DataFrame, scale: float) -> tuple[dict[str, dict[str, float]], pd.DataFrame]:
    """Choose each channel's Hill parameters so its average ROAS is the stated one.

    Returns the truth per channel and the expected paid first-order revenue per day and channel.
    """
    truth: dict[str, dict[str, float]] = {}
    expected = pd.DataFrame(index=daily.index)
    for channel, spec in CHANNELS.items():
        x = daily[channel].to_numpy()
        a = _adstock(x, spec["decay"])
        half_sat = float(np.median(a[a > 0.5]))  # saturation bites at typical flighted levels
        h = _hill(a, half_sat, spec["hill_shape"])
        beta = spec["roas"] * x.sum() / h.sum()
        revenue = beta * h
        # Marginal ROAS: extra revenue of 1% more spend on every day, per unit of that spend.
        h_up = _hill(_adstock(x * 1.01, spec["decay"]), half_sat, spec["hill_shape"])
        marginal = (beta * h_up.sum() - revenue.sum()) / (0.01 * x.sum())
        truth[channel] = {
            "spend": round(float(x.sum()), 2),
            "spend_share": round(float(x.sum() / daily.to_numpy().sum()), 4),
            "roas": spec["roas"],
            "marginal_roas": round(float(marginal), 4),
            "incremental_revenue": round(float(revenue.sum()), 2),
            "adstock_decay": spec["decay"],
            "half_saturation": round(half_sat, 4),
            "hill_shape": spec["hill_shape"],
            "beta": round(float(beta), 4),
        }
        expected[channel] = revenue
    return truth, expected


# --------------------------------------------------------------------------- customers, orders


def _season(days: np.ndarray) -> np.ndarray:
    """Yearly season (peak in late November) times a weekly pattern; mean about 1."""
    doy = (START + pd.to_timedelta(days, unit="D")).day_of_year.to_numpy()
    dow = (START + pd.to_timedelta(days, unit="D")).day_of_week.to_numpy()
    yearly = 1.0 + 0.25 * np.cos(2 * np.pi * (doy - 330) / 365.25)
    weekly = np.array([0.95, 0.95, 0.97, 1.0, 1.05, 1.1, 0.98])[dow]
    return yearly * weekly


# Referral acquisition: referrals per customer-year over all customers, and the share of
# (non-referred) customers with a non-zero propensity to refer.
_REFERRAL_RATE_YEAR = 0.12
_REFERRER_SHARE = 0.25


def _customers_and_orders(
    rng: np.random.Generator, paid_revenue: pd.DataFrame, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], dict[str, float], float]:
    """Draw the customers and their orders.

    Returns the ``customers`` and ``orders`` tables, the truth of referrals and of acquisition,
    and the mean gross-margin rate.
    """
    gg = GAMMA_GAMMA
    mean_value = gg["p"] * gg["gamma"] / (gg["q"] - 1)
    t_acq, channel = _acquisitions(rng, paid_revenue, scale, mean_value)
    t_ref, referrer = _referrals(rng, t_acq)
    customers, t_all = _customer_table(t_acq, channel, t_ref, referrer)
    cust_idx, t_order_days = _repeat_purchases(rng, t_all)
    orders = _order_table(rng, customers["customer_id"].to_numpy(), cust_idx, t_order_days)
    referrals = {
        "rate_per_customer_year": _REFERRAL_RATE_YEAR,
        "share_of_customers_who_refer": _REFERRER_SHARE,
        "n_referred_customers": int(t_ref.size),
    }
    acquisition = {
        "organic_per_day_start": 7.0 * scale * 0.8,
        "organic_per_day_end": 7.0 * scale * 1.2,
        "mean_first_order_value": round(mean_value, 4),
    }
    return customers, orders, referrals, acquisition, 8.0 / 20.0


def _acquisitions(
    rng: np.random.Generator, paid_revenue: pd.DataFrame, scale: float, mean_value: float
) -> tuple[np.ndarray, np.ndarray]:
    """Paid and organic acquisitions: their times (days since START, sorted) and channels."""
    days = np.arange(N_DAYS)
    # Paid acquisitions: expected first-order revenue / mean first-order value, Poisson per day.
    acq_day, acq_channel = [], []
    for channel in CHANNELS:
        n = rng.poisson(paid_revenue[channel].to_numpy() / mean_value)
        acq_day.append(np.repeat(days, n))
        acq_channel.append(np.full(n.sum(), channel, dtype=object))
    organic_rate = 7.0 * scale * (0.8 + 0.4 * days / N_DAYS) * _season(days)
    n = rng.poisson(organic_rate)
    acq_day.append(np.repeat(days, n))
    acq_channel.append(np.full(n.sum(), "organic", dtype=object))
    day = np.concatenate(acq_day)
    channel = np.concatenate(acq_channel)
    t_acq = day + rng.random(day.size)  # in days since START, continuous
    order = np.argsort(t_acq, kind="stable")
    return t_acq[order], channel[order]


def _referrals(rng: np.random.Generator, t_acq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Referred customers' times (days since START, sorted) and their referrers' indices in ``t_acq``."""
    # Existing non-referred customers refer at a zero-inflated gamma propensity.
    propensity = np.where(rng.random(t_acq.size) < _REFERRER_SHARE, rng.gamma(0.8, 1.0, t_acq.size), 0.0)
    exposure_years = (N_DAYS - t_acq) / 365.25
    n_ref = rng.poisson(_REFERRAL_RATE_YEAR * exposure_years.sum())
    w = np.cumsum(propensity)
    t_ref = np.sort(rng.uniform(t_acq[0] + 1.0, N_DAYS, n_ref))
    n_before = np.searchsorted(t_acq, t_ref)
    u = rng.random(n_ref) * w[n_before - 1]
    referrer = np.minimum(np.searchsorted(w, u, side="right"), n_before - 1)
    return t_ref, referrer


def _customer_table(
    t_acq: np.ndarray, channel: np.ndarray, t_ref: np.ndarray, referrer: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """The ``customers`` table, numbered in order of acquisition, and their acquisition times."""
    n_ref = t_ref.size
    n_cust = t_acq.size + n_ref
    t_all = np.concatenate([t_acq, t_ref])
    ch_all = np.concatenate([channel, np.full(n_ref, "referral", dtype=object)])
    ref_all = np.concatenate([np.full(t_acq.size, -1), referrer])
    order = np.argsort(t_all, kind="stable")
    rank = np.empty(n_cust, dtype=np.int64)
    rank[order] = np.arange(n_cust)
    t_all, ch_all = t_all[order], ch_all[order]
    ref_all = ref_all[order]
    ref_all = np.where(ref_all >= 0, rank[np.maximum(ref_all, 0)], -1)
    ids = np.array([f"C{i + 1:07d}" for i in range(n_cust)], dtype=object)
    customers = pd.DataFrame({
        "customer_id": ids,
        "acquisition_date": (START + pd.to_timedelta(np.floor(t_all), unit="D")).date,
        "acquisition_channel": ch_all,
        "referred_by": np.where(ref_all >= 0, ids[np.maximum(ref_all, 0)], ""),
    })  # fmt: skip
    return customers, t_all


def _repeat_purchases(rng: np.random.Generator, t_all: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every order by the BG/NBD process: its customer's index and its time (days since START).

    The first order of each customer is at its acquisition; time runs in weeks from there.
    """
    b = BGNBD
    n_cust = t_all.size
    lam = rng.gamma(b["r"], 1.0 / b["alpha"], n_cust)
    p_drop = rng.beta(b["a"], b["b"], n_cust)
    horizon_weeks = (N_DAYS - t_all) / 7.0
    cust_idx, times = [np.arange(n_cust)], [np.zeros(n_cust)]
    t = np.zeros(n_cust)
    alive = np.ones(n_cust, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1.0, idx.size) / lam[idx]
        bought = t[idx] <= horizon_weeks[idx]
        idx_b = idx[bought]
        cust_idx.append(idx_b)
        times.append(t[idx_b].copy())
        alive[idx[~bought]] = False
        alive[idx_b[rng.random(idx_b.size) < p_drop[idx_b]]] = False
    cust_idx = np.concatenate(cust_idx)
    return cust_idx, t_all[cust_idx] + np.concatenate(times) * 7.0


def _order_table(
    rng: np.random.Generator, ids: np.ndarray, cust_idx: np.ndarray, t_order_days: np.ndarray
) -> pd.DataFrame:
    """The ``orders`` table: Gamma-Gamma order values, gross margin by product mix."""
    gg = GAMMA_GAMMA
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], ids.size)
    value = rng.gamma(gg["p"], 1.0 / nu[cust_idx])
    margin_rate = np.clip(rng.beta(8.0, 12.0, value.size), 0.05, 0.9)
    orders = pd.DataFrame({
        "customer_id": ids[cust_idx],
        "timestamp": START + pd.to_timedelta(np.floor(t_order_days * 86400), unit="s"),
        "revenue": np.round(value, 2),
        "gross_margin": np.round(value * margin_rate, 2),
    }).sort_values(["timestamp", "customer_id"], kind="stable", ignore_index=True)  # fmt: skip
    orders.insert(0, "order_id", [f"O{i + 1:08d}" for i in range(len(orders))])
    return orders


# --------------------------------------------------------------------------- touchpoints


def _touchpoints(
    rng: np.random.Generator,
    orders: pd.DataFrame,
    customers: pd.DataFrame,
    spend: pd.DataFrame,
    scale: float,
) -> pd.DataFrame:
    channels = np.array(list(CHANNELS), dtype=object)
    daily = _daily_matrix(spend).to_numpy()
    active = spend.groupby(["day", "channel"])["campaign"].first()
    first_order = ~orders["customer_id"].duplicated()
    tracked = rng.random(len(orders)) < TRACKED_SHARE
    o = orders[tracked]
    acq = customers.set_index("customer_id")["acquisition_channel"]
    paid_first = (first_order[tracked].to_numpy()) & acq.reindex(o["customer_id"]).isin(channels).to_numpy()
    n_touch = rng.poisson(1.2, len(o)) + paid_first
    n_touch = np.where(paid_first, n_touch, np.maximum(n_touch, 0))
    owner = np.repeat(np.arange(len(o)), n_touch)
    t_order = (o["timestamp"] - START).dt.total_seconds().to_numpy() / 86400.0
    lag = rng.exponential(7.0, owner.size)
    # The paid acquisition's own channel is the touch closest to its first order.
    is_acq_touch = np.zeros(owner.size, dtype=bool)
    starts = np.cumsum(n_touch) - n_touch
    is_acq_touch[starts[paid_first]] = True
    lag[is_acq_touch] = rng.exponential(1.0, is_acq_touch.sum())
    t_touch = t_order[owner] - lag
    keep = t_touch >= 0
    day = np.clip(np.floor(t_touch).astype(int), 0, N_DAYS - 1)
    weights = daily[day] + 0.15 * daily.mean(axis=0)
    cum = np.cumsum(weights, axis=1)
    pick = (rng.random(owner.size)[:, None] * cum[:, -1:] > cum).sum(axis=1)
    ch = channels[np.minimum(pick, channels.size - 1)]
    acq_ch = acq.reindex(o["customer_id"].to_numpy()[owner]).to_numpy()
    ch = np.where(is_acq_touch, acq_ch, ch)
    cust = o["customer_id"].to_numpy()[owner]

    # Prospects' journeys that never convert.
    n_pros = int(round(9000 * scale))
    n_ptouch = 1 + rng.poisson(0.8, n_pros)
    powner = np.repeat(np.arange(n_pros), n_ptouch)
    pday = np.repeat(rng.integers(0, N_DAYS, n_pros), n_ptouch) - rng.integers(0, 20, powner.size)
    pday = np.clip(pday, 0, N_DAYS - 1)
    pw = daily[pday] + 0.15 * daily.mean(axis=0)
    pcum = np.cumsum(pw, axis=1)
    ppick = (rng.random(powner.size)[:, None] * pcum[:, -1:] > pcum).sum(axis=1)
    pch = channels[np.minimum(ppick, channels.size - 1)]
    pt = pday + rng.random(powner.size)
    pcust = np.array([f"P{i + 1:07d}" for i in range(n_pros)], dtype=object)[powner]

    t_all = np.concatenate([t_touch[keep], pt])
    ch_all = np.concatenate([ch[keep], pch])
    day_all = np.floor(t_all).astype(int)
    key = pd.MultiIndex.from_arrays([day_all, ch_all])
    campaign = active.reindex(key).to_numpy()
    campaign = np.where(pd.isna(campaign), "(organic)", campaign)
    touch = pd.DataFrame({
        "customer_id": np.concatenate([cust[keep], pcust]),
        "timestamp": START + pd.to_timedelta(np.round(t_all * 86400), unit="s"),
        "channel": ch_all,
        "campaign": campaign,
    })  # fmt: skip
    return touch.sort_values(["timestamp", "customer_id"], kind="stable", ignore_index=True)
