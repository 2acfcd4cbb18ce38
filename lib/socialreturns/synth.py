"""Sample data with known truth: a fictional brand, its paid social channels and its customers.

`generate(seed, scale)` draws five tables (``mentions``, ``spend``, ``touchpoints``, ``orders``,
``customers``) and a `Truth` that records every parameter that drew them, so the analyses can be
tested against known answers. The generating story, in one paragraph each:

* **Spend → revenue.** Each paid channel runs campaigns with bursts, flighting and pauses. Its
  daily spend is carried over by geometric adstock ``a_t = x_t + decay * a_{t-1}`` (spend units,
  per day) and saturates through a Hill curve ``beta * a**s / (a**s + K**s)``; that is the
  channel's expected *first-order* revenue that day. It arrives as newly acquired customers,
  each placing a first order. The truth's ``roas`` is that expected revenue summed over the
  24 months divided by the channel's spend (currency per currency).
* **Customers.** Besides paid acquisition there is organic acquisition (a trend, a yearly
  season, a weekly pattern) and referral acquisition (existing customers refer new ones at a
  known rate). After the first order every customer buys again by the BG/NBD process (Fader,
  Hardie & Lee 2005, section 2): Poisson purchases at rate ``lambda ~ Gamma(r, alpha)`` per
  week, dropping out after each repeat purchase with probability ``p ~ Beta(a, b)``. Order
  values follow the Gamma-Gamma model (Fader, Hardie & Lee 2005b): ``nu ~ Gamma(q, gamma)``
  per customer, each order's value ``~ Gamma(p, nu)``.
* **Journeys.** A share of orders is tracked: their touchpoints in the 45 days before the order
  (paid acquisitions always show their channel), plus journeys of prospects that never convert.
* **Mentions.** Posts about the brand and three competitors with a true sentiment label,
  emoji, slang, negation, contrast, hashtags, handles, URLs, some non-English text and some
  personal data. Customer questions to the brand are answered at a known rate and speed per
  platform; an asker whose question was answered is more likely to post positively afterwards.
  A product crisis makes negative mentions of the brand spike in a known window.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_SEED = 20241101
BRAND = "Lumora"
COMPETITORS = ("Brightwell", "Kestrel", "Novalux")
CURRENCY = "EUR"
START = pd.Timestamp("2024-11-01", tz="UTC")
N_DAYS = 730  # 24 months: 2024-11-01 to 2026-10-31 inclusive
TRACKED_SHARE = 0.35  # share of orders whose journey the tracking saw

#: Paid channels with their share of spend and the parameters of their response curve.
#: decay is per day; hill_shape is dimensionless; roas is currency of revenue per currency of spend.
CHANNELS: dict[str, dict[str, float]] = {
    "facebook": {"spend_share": 0.25, "decay": 0.50, "hill_shape": 1.2, "roas": 2.2},
    "instagram": {"spend_share": 0.24, "decay": 0.60, "hill_shape": 1.0, "roas": 2.8},
    "tiktok": {"spend_share": 0.20, "decay": 0.35, "hill_shape": 1.4, "roas": 3.4},
    "youtube": {"spend_share": 0.19, "decay": 0.65, "hill_shape": 1.0, "roas": 1.9},
    "pinterest": {"spend_share": 0.07, "decay": 0.55, "hill_shape": 1.1, "roas": 1.3},
    "linkedin": {"spend_share": 0.05, "decay": 0.60, "hill_shape": 1.0, "roas": 0.7},
}
PLATFORMS = ("twitter", "instagram", "facebook", "tiktok", "reddit", "youtube")
#: Brand's answer behaviour per platform: share of questions answered, median hours to answer.
RESPONSE = {
    "twitter": (0.78, 2.5),
    "instagram": (0.62, 6.0),
    "facebook": (0.70, 4.0),
    "tiktok": (0.35, 20.0),
    "reddit": (0.25, 30.0),
    "youtube": (0.40, 24.0),
}
RESPONSE_SIGMA = 1.0  # log-normal sigma of answer times
BGNBD = {"r": 0.25, "alpha": 12.0, "a": 0.8, "b": 2.5}  # alpha in weeks
GAMMA_GAMMA = {"p": 6.0, "q": 8.0, "gamma": 45.0}  # gamma in currency
CRISIS = {"start": "2025-09-15", "end": "2025-09-28", "peak_multiplier": 5.0}


@dataclass(frozen=True)
class Truth:
    """The generating truth of a sample; written to ``truth.json`` beside the tables."""

    seed: int
    scale: float
    brand: str
    competitors: list[str]
    currency: str
    start_date: str
    end_date: str
    channels: dict[str, dict[str, float]]
    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float]
    margin_rate_mean: float
    acquisition: dict[str, float]
    referral: dict[str, float]
    crisis: dict[str, object]
    response: dict[str, dict[str, float]]
    followup: dict[str, float]
    non_english_post_ids: list[str]
    mention_sentiment: dict[str, str] = field(repr=False)

    def sentiment_labels(self) -> pd.Series:
        """True sentiment per mention: a Series indexed by ``post_id`` of
        ``positive``/``neutral``/``negative``."""
        codes = {"p": "positive", "u": "neutral", "n": "negative"}
        ids = self.mention_sentiment["post_ids"]
        first, step = int(ids["first"]), int(ids["step"])
        labels = self.mention_sentiment["labels"]
        index = [_post_id(first + step * i) for i in range(len(labels))]
        return pd.Series([codes[c] for c in labels], index=pd.Index(index, name="post_id"))


def load_truth(path: str | Path) -> Truth:
    """Read ``truth.json`` (a file, or the folder holding it) into a `Truth`."""
    path = Path(path)
    if path.is_dir():
        path = path / "truth.json"
    return Truth(**json.loads(path.read_text(encoding="utf-8")))


def _post_id(i: int) -> str:
    return f"M{i:08d}"


def _adstock(x: np.ndarray, decay: float) -> np.ndarray:
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -decay], x)


def _hill(a: np.ndarray, half_saturation: float, shape: float) -> np.ndarray:
    return a**shape / (a**shape + half_saturation**shape)


# --------------------------------------------------------------------------- spend


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


def _customers_and_orders(
    rng: np.random.Generator, paid_revenue: pd.DataFrame, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], dict[str, float], float]:
    gg = GAMMA_GAMMA
    mean_value = gg["p"] * gg["gamma"] / (gg["q"] - 1)
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
    t_acq, channel = t_acq[order], channel[order]

    # Referrals: existing non-referred customers refer at a zero-inflated gamma propensity.
    propensity = np.where(rng.random(t_acq.size) < 0.25, rng.gamma(0.8, 1.0, t_acq.size), 0.0)
    referral_rate_year = 0.12  # referrals per customer-year, over all customers
    exposure_years = (N_DAYS - t_acq) / 365.25
    n_ref = rng.poisson(referral_rate_year * exposure_years.sum())
    w = np.cumsum(propensity)
    t_ref = np.sort(rng.uniform(t_acq[0] + 1.0, N_DAYS, n_ref))
    n_before = np.searchsorted(t_acq, t_ref)
    u = rng.random(n_ref) * w[n_before - 1]
    referrer = np.minimum(np.searchsorted(w, u, side="right"), n_before - 1)

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

    # BG/NBD repeat purchases (time in weeks from the first purchase).
    b = BGNBD
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
    t_order_days = t_all[cust_idx] + np.concatenate(times) * 7.0

    # Gamma-Gamma order values, gross margin by product mix.
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n_cust)
    value = rng.gamma(gg["p"], 1.0 / nu[cust_idx])
    margin_rate = np.clip(rng.beta(8.0, 12.0, value.size), 0.05, 0.9)
    orders = pd.DataFrame({
        "customer_id": ids[cust_idx],
        "timestamp": START + pd.to_timedelta(np.floor(t_order_days * 86400), unit="s"),
        "revenue": np.round(value, 2),
        "gross_margin": np.round(value * margin_rate, 2),
    }).sort_values(["timestamp", "customer_id"], kind="stable", ignore_index=True)  # fmt: skip
    orders.insert(0, "order_id", [f"O{i + 1:08d}" for i in range(len(orders))])
    referrals = {
        "rate_per_customer_year": referral_rate_year,
        "share_of_customers_who_refer": 0.25,
        "n_referred_customers": int(n_ref),
    }
    acquisition = {
        "organic_per_day_start": 7.0 * scale * 0.8,
        "organic_per_day_end": 7.0 * scale * 1.2,
        "mean_first_order_value": round(mean_value, 4),
    }
    return customers, orders, referrals, acquisition, 8.0 / 20.0


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


# --------------------------------------------------------------------------- mentions

_PRODUCTS = {
    BRAND: ["Lumora Glow", "Lumora Pods", "Glow lamp", "Lumora Beam", "Lumora app"],
    "Brightwell": ["Brightwell Arc", "Brightwell buds", "Arc lamp"],
    "Kestrel": ["Kestrel One", "Kestrel earbuds", "Kestrel app"],
    "Novalux": ["Novalux Halo", "Novalux lamp", "Halo speaker"],
}
_HANDLES = {BRAND: "@lumora", "Brightwell": "@brightwell", "Kestrel": "@kestrel_audio",
            "Novalux": "@novalux"}  # fmt: skip
_POSITIVE = [
    "Absolutely love my {p}! {e+}",
    "{p} is amazing, best purchase this year {e+}",
    "Honestly the {p} is fire 🔥",
    "Can't complain, {p} works great so far",
    "{p} is not bad at all, really happy with it",
    "Wow. {p} sounds SO good {e+} {tag}",
    "Shoutout to {h} support, they fixed my {p} in minutes. Thank you!",
    "The {p} setup was super easy and the light is gorgeous",
    "ok the {p} is lit, my room looks incredible now",
    "Had doubts but the {p} exceeded expectations {e+}",
    "{e+}{e+} new {p} day",
    "10/10 would recommend the {p} to anyone",
    "Battery was a bit weak at first but after the update the {p} is excellent",
    "{p} never disappoints",
]
_NEGATIVE = [
    "My {p} stopped working after two weeks. Terrible. {e-}",
    "{p} is trash, want my money back {e-}",
    "Worst customer service ever, {h} still hasn't replied about my {p}",
    "not happy with the {p} at all",
    "{p} keeps disconnecting, so frustrating {e-}",
    "Great, another update that breaks the {p} 🙄",
    "The {p} looks nice but the sound is awful",
    "Never buying {b} again. {e-} {tag}",
    "{p} is mid tbh, overpriced and meh",
    "Returned the {p}. Cheap plastic, no bass, not worth it",
    "{e-}{e-} {p} died again",
    "Why is the {p} so bad?? it was supposed to be good",
    "I don't like the new {p}, the app is useless",
]
_NEUTRAL = [
    "Anyone know when the {p} restocks?",
    "{b} announces a new colour for the {p} {url}",
    "Comparing the {p} with the {q} for my desk setup",
    "Unboxing the {p} tonight, stream at 8 {tag}",
    "{p} vs {q} — which one should I get?",
    "Picked up the {p} at the mall today",
    "Does the {p} work with Android 15?",
    "The {p} is on sale this weekend {url}",
    "{h} what is the warranty on the {p}?",
    "Thread: everything I learned setting up the {p}",
    "Saw an ad for the {p} on the train",
]
_QUESTIONS = [
    "{h} how do I reset my {p}?",
    "{h} my order hasn't arrived, can you check? {pii}",
    "{h} is the {p} compatible with my old charger?",
    "{h} where can I get a replacement cable for the {p}?",
    "{h} the app won't pair with my {p}, any fix?",
    "Hey {h}, when does the {p} firmware update come out?",
]
_CRISIS = [
    "My {p} started overheating and smelled like burning plastic. Unsafe! {tag2} {e-}",
    "{h} my {p} battery swelled up, is there a recall?? {e-}",
    "Scary: {p} got so hot it burned my desk {tag2}",
    "Returning my {p} before it catches fire. Refund now {h} {tag2}",
    "Why hasn't {b} issued a recall for the overheating {p} yet? {tag2}",
    "Overheating {p} again. This is dangerous {e-}",
]
_FOLLOWUP = {
    "positive": ["Thanks {h}, that fixed it! {e+}", "Quick answer from {h}, impressed {e+}",
                 "Problem solved, thanks for the help {h}"],
    "negative": ["Still no answer from {h}. Useless. {e-}", "Days later and {h} ignores me {e-}",
                 "Gave up waiting for {h}, returning the {p}"],
    "neutral": ["Update on my {p} question: still testing", "Following up on my {p} question"],
}  # fmt: skip
_NON_ENGLISH = {
    "positive": ["Me encanta mi {p}, funciona perfecto {e+}", "J'adore ma {p}, trop bien {e+}",
                 "Die {p} ist super, absolut empfehlenswert", "Adoro o {p}, muito bom"],
    "negative": ["Mi {p} dejó de funcionar, qué decepción {e-}", "Ma {p} est nulle, très déçu",
                 "Die {p} ist kaputt, sehr enttäuschend {e-}", "O {p} parou de funcionar, péssimo"],
    "neutral": ["¿Alguien sabe cuándo vuelve la {p}?", "Quelqu'un a testé la {p} ?",
                "Wann kommt die neue {p}?", "Alguém sabe o preço do {p}?"],
}  # fmt: skip
_EMOJI_POS = ["😍", "🔥", "👍", "❤️", "🙌", "😊", "✨", "💯"]
_EMOJI_NEG = ["😡", "👎", "😤", "💔", "😞", "🤬", "😒"]
_TAGS = ["#smarthome", "#setup", "#gadgets", "#techreview", "#wfh", "#deskgoals"]
_OPENERS = [
    "",
    "",
    "",
    "",
    "ngl ",
    "Honestly, ",
    "lol ",
    "Update: ",
    "So... ",
    "PSA: ",
    "omg ",
    "Day {n}: ",
    "Okay ",
    "Quick one: ",
    "Hot take: ",
    "fyi ",
    "Well, ",
    "Real talk: ",
]
_CLOSERS = [
    "",
    "",
    "",
    "",
    " {tag}",
    " {tag} {tag}",
    "!",
    "!!",
    " {e+}",
    " {e-}",
    " cc @{user}",
    " (week {n})",
    " #{brandtag}",
    " via @{user}",
    " lol",
    " 🤷",
    " #ad",
    " ...",
    " {url}",
]
_PII = ["email me at sam.rivera82@example.com", "call me +44 20 7946 0958",
        "my number is (555) 013-4567", "reach me on +49 30 1234 5678",
        "order ref sent to j.doe@example.org", "text +1 202-555-0143"]  # fmt: skip


_OTHER_PRODUCT = {b: [_PRODUCTS[o][0] for o in _PRODUCTS if o != b] for b in _PRODUCTS}
_FIELDS = ("{p}", "{q}", "{b}", "{h}", "{tag}", "{tag2}", "{url}", "{pii}", "{e+}", "{e-}", "{n}",
           "{user}", "{brandtag}")  # fmt: skip


def _field(token: str, u: np.ndarray, brand: str) -> str:
    """The value of one template field; ``u`` holds this text's uniform draws."""
    pick = {"{p}": (_PRODUCTS[brand], 0), "{q}": (_OTHER_PRODUCT[brand], 1), "{tag}": (_TAGS, 2),
            "{pii}": (_PII, 4), "{e+}": (_EMOJI_POS, 5), "{e-}": (_EMOJI_NEG, 6)}  # fmt: skip
    if token in pick:
        options, k = pick[token]
        return options[int(u[k] * len(options))]
    if token == "{b}":
        return brand
    if token == "{h}":
        return _HANDLES[brand]
    if token == "{tag2}":
        return "#LumoraRecall" if brand == BRAND else "#recall"
    if token == "{url}":
        return f"https://shop.example.com/{brand.lower()}?utm_source=social&id={int(u[3] * 1e6)}"
    if token == "{n}":
        return str(2 + int(u[9] * 40))
    if token == "{user}":
        return f"user{int(u[10] * 99_999):05d}"
    return brand.lower() + ["", "fam", "love", "fail", "life"][int(u[11] * 5)]  # {brandtag}


def _fill(template: str, u: np.ndarray, brand: str) -> str:
    """Fill a template's fields from this text's uniform draws ``u``."""
    for token in _FIELDS:
        if token in template:
            template = template.replace(token, _field(token, u, brand))
    return template


def _mentions(
    rng: np.random.Generator, customers: pd.DataFrame, scale: float
) -> tuple[pd.DataFrame, dict[str, object]]:
    n = int(round(50_000 * scale))
    days = np.arange(N_DAYS)
    brands = np.array([BRAND, *COMPETITORS], dtype=object)
    brand_p = np.array([0.40, 0.25, 0.20, 0.15])
    crisis_start = (pd.Timestamp(CRISIS["start"], tz="UTC") - START).days
    crisis_end = (pd.Timestamp(CRISIS["end"], tz="UTC") - START).days
    # Ordinary mentions: volume with a season and a slow trend.
    rate = _season(days) * (0.85 + 0.3 * days / N_DAYS)
    day = rng.choice(days, size=n, p=rate / rate.sum())
    brand = rng.choice(brands, size=n, p=brand_p)
    kind = rng.choice(["positive", "neutral", "negative"], size=n, p=[0.42, 0.33, 0.25])
    kind = kind.astype(object)
    question = (rng.random(n) < 0.25) & (kind == "neutral")
    # Crisis: extra negative mentions of the brand, rising then fading over the window.
    length = crisis_end - crisis_start + 1
    shape = np.sin(np.pi * (np.arange(length) + 0.5) / length)
    base_neg = n * 0.40 * 0.25 / N_DAYS
    extra = rng.poisson(base_neg * (CRISIS["peak_multiplier"] - 1) * shape)
    c_day = np.repeat(np.arange(crisis_start, crisis_end + 1), extra)
    m = c_day.size
    day = np.concatenate([day, c_day])
    brand = np.concatenate([brand, np.full(m, BRAND, dtype=object)])
    kind = np.concatenate([kind, np.full(m, "crisis", dtype=object)])
    question = np.concatenate([question, np.zeros(m, dtype=bool)])
    total = day.size
    t = day + rng.random(total)

    n_authors = int(round(18_000 * scale))
    author_weights = 1.0 / np.arange(1, n_authors + 1) ** 0.6
    author = rng.choice(n_authors, size=total, p=author_weights / author_weights.sum())
    # About a third of authors are known customers of the brand (matched by the CRM).
    cust_ids = customers["customer_id"].to_numpy()
    author_customer = np.where(
        rng.random(n_authors) < 0.33, cust_ids[rng.integers(0, cust_ids.size, n_authors)], ""
    )
    platform = rng.choice(PLATFORMS, size=total, p=[0.28, 0.22, 0.18, 0.14, 0.10, 0.08])

    # Answers to questions addressed to the brand (the brand's inbox knows only its own).
    answered_at = np.full(total, np.nan)
    to_brand = question & (brand == BRAND)
    for plat, (rate_answered, median_h) in RESPONSE.items():
        sel = np.flatnonzero(to_brand & (platform == plat))
        ok = sel[rng.random(sel.size) < rate_answered]
        answered_at[ok] = t[ok] + rng.lognormal(np.log(median_h), RESPONSE_SIGMA, ok.size) / 24.0

    # Follow-ups: half of the askers post again 1-10 days later; mood depends on being answered.
    asked = np.flatnonzero(to_brand)
    follows = asked[rng.random(asked.size) < 0.5]
    f_answered = ~np.isnan(answered_at[follows])
    p_pos = np.where(f_answered, 0.60, 0.15)
    p_neg = np.where(f_answered, 0.10, 0.60)
    u = rng.random(follows.size)
    f_kind = np.where(u < p_pos, "fpositive", np.where(u < p_pos + p_neg, "fnegative", "fneutral"))
    f_t = t[follows] + rng.uniform(1.0, 10.0, follows.size)
    keep = f_t < N_DAYS
    follows, f_kind, f_t = follows[keep], f_kind[keep], f_t[keep]
    t = np.concatenate([t, f_t])
    brand = np.concatenate([brand, brand[follows]])
    kind = np.concatenate([kind, f_kind.astype(object)])
    question = np.concatenate([question, np.zeros(follows.size, dtype=bool)])
    author = np.concatenate([author, author[follows]])
    platform = np.concatenate([platform, platform[follows]])
    answered_at = np.concatenate([answered_at, np.full(follows.size, np.nan)])
    total = t.size

    non_english = (rng.random(total) < 0.03) & ~question & np.isin(kind, ["positive", "neutral", "negative"])
    label = np.empty(total, dtype=object)
    texts = np.empty(total, dtype=object)
    pools = {"positive": _POSITIVE, "negative": _NEGATIVE, "neutral": _NEUTRAL,
             "crisis": _CRISIS}  # fmt: skip
    draws = rng.random((total, 14))
    closers_for = {
        lab: [c for c in _CLOSERS if ("{e-}" not in c or lab == "negative")
              and ("{e+}" not in c or lab == "positive")]
        for lab in ("positive", "neutral", "negative")
    }  # fmt: skip
    for i in range(total):
        k = kind[i]
        if question[i]:
            pool, lab = _QUESTIONS, "neutral"
        elif k.startswith("f"):
            lab = k[1:]
            pool = _FOLLOWUP[lab]
        elif non_english[i]:
            pool, lab = _NON_ENGLISH[k], k
        else:
            lab = "negative" if k == "crisis" else k
            pool = pools[k]
        u = draws[i]
        core = pool[int(u[7] * len(pool))]
        if not non_english[i] and not question[i]:
            # Neutral decoration: openers and closers carry no sentiment of their own, except an
            # emoji of the post's own mood.
            closers = closers_for[lab]
            core = _OPENERS[int(u[12] * len(_OPENERS))] + core + closers[int(u[13] * len(closers))]
        text = _fill(core, u, brand[i])
        if u[8] < 0.04:  # personal data pasted into an ordinary post
            text = text + " " + _PII[int(u[8] / 0.04 * len(_PII))]
        texts[i] = text
        label[i] = lab
    # Retweets: about 6% of ordinary posts repeat an earlier post verbatim behind "RT @author:".
    ordinary = np.flatnonzero(~question & ~np.char.startswith(kind.astype(str), "f"))
    retweets = ordinary[rng.random(ordinary.size) < 0.06]
    sources = ordinary[rng.integers(0, ordinary.size, retweets.size)]
    for i, j in zip(retweets, sources, strict=True):
        if t[j] < t[i]:
            texts[i] = f"RT @U{author[j] + 1:06d}: {texts[j]}"
            label[i], brand[i], non_english[i] = label[j], brand[j], non_english[j]
    # Human labels disagree with the writer's intent now and then.
    flip = rng.random(total) < 0.03
    label[flip] = rng.choice(["positive", "neutral", "negative"], size=int(flip.sum()))

    reach = np.round(rng.lognormal(6.0, 1.4, total)).astype(np.int64) + 1
    virality = np.where(np.isin(kind, ["crisis", "negative"]), 1.6, 1.0)
    likes = rng.poisson(reach * 0.03 * virality)
    shares = rng.negative_binomial(1.0, 1.0 / (1.0 + reach * 0.004 * virality))
    comments = rng.poisson(reach * 0.006 * virality)
    ts = START + pd.to_timedelta(np.round(t * 86400), unit="s")
    ans = pd.to_timedelta(np.round(answered_at * 86400), unit="s")
    frame = pd.DataFrame({
        "timestamp": ts,
        "platform": platform,
        "brand": brand,
        "author_id": np.array([f"U{a + 1:06d}" for a in range(n_authors)], dtype=object)[author],
        "customer_id": author_customer[author],
        "text": texts,
        "likes": likes,
        "shares": shares,
        "comments": comments,
        "reach": reach,
        "is_question": question,
        "answered_at": START + ans,
        "_label": label,
        "_non_english": non_english,
    })  # fmt: skip
    frame = frame.sort_values("timestamp", kind="stable", ignore_index=True)
    frame.insert(0, "post_id", [_post_id(i + 1) for i in range(len(frame))])
    labels = "".join({"positive": "p", "neutral": "u", "negative": "n"}[x] for x in frame["_label"])
    truth = {
        "mention_sentiment": {
            "post_ids": {"first": 1, "step": 1},
            "encoding": "one character per mention in post_id order: p=positive, u=neutral, "
            "n=negative; use Truth.sentiment_labels()",
            "labels": labels,
        },
        "non_english_post_ids": frame.loc[frame["_non_english"], "post_id"].tolist(),
    }
    return frame.drop(columns=["_label", "_non_english"]), truth


# --------------------------------------------------------------------------- entry points


@dataclass(frozen=True)
class Sample:
    """The five tables of a sample and its truth."""

    mentions: pd.DataFrame
    spend: pd.DataFrame
    touchpoints: pd.DataFrame
    orders: pd.DataFrame
    customers: pd.DataFrame
    truth: Truth


def generate(seed: int = DEFAULT_SEED, scale: float = 1.0) -> Sample:
    """Draw a sample with known truth.

    Parameters
    ----------
    seed
        Seed of `numpy.random.default_rng`; each table draws from its own child stream.
    scale
        Multiplies every table's size (customers, orders, spend, journeys, mentions);
        ``scale=20`` gives about a million mentions.

    Returns
    -------
    Sample
        Tables as documented in ``data/README.md`` and the `Truth` that drew them.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    spend_days = _campaign_spend(streams[0], scale)
    daily = _daily_matrix(spend_days)
    channels, paid_revenue = _response_truth(daily, scale)
    customers, orders, referral, acquisition, margin_mean = _customers_and_orders(
        streams[1], paid_revenue, scale
    )
    touchpoints = _touchpoints(streams[2], orders, customers, spend_days, scale)
    mentions, mention_truth = _mentions(streams[3], customers, scale)

    spend = spend_days.assign(date=(START + pd.to_timedelta(spend_days["day"], unit="D")).dt.date)
    spend = spend[["date", "channel", "campaign", "spend"]].sort_values(
        ["date", "channel", "campaign"], ignore_index=True
    )
    response = {
        plat: {
            "answer_rate": rate,
            "median_response_hours": median,
            "p90_response_hours": round(float(median * np.exp(1.2815515655 * RESPONSE_SIGMA)), 4),
        }
        for plat, (rate, median) in RESPONSE.items()
    }
    truth = Truth(
        seed=int(seed),
        scale=float(scale),
        brand=BRAND,
        competitors=list(COMPETITORS),
        currency=CURRENCY,
        start_date=str(START.date()),
        end_date=str((START + pd.Timedelta(days=N_DAYS - 1)).date()),
        channels=channels,
        bgnbd=dict(BGNBD),
        gamma_gamma=dict(GAMMA_GAMMA),
        margin_rate_mean=margin_mean,
        acquisition=acquisition,
        referral=referral,
        crisis={**CRISIS, "brand": BRAND},
        response=response,
        followup={
            "share_of_askers_who_post_again": 0.5,
            "p_positive_if_answered": 0.60,
            "p_negative_if_answered": 0.10,
            "p_positive_if_unanswered": 0.15,
            "p_negative_if_unanswered": 0.60,
        },
        non_english_post_ids=mention_truth["non_english_post_ids"],
        mention_sentiment=mention_truth["mention_sentiment"],
    )
    return Sample(mentions, spend, touchpoints, orders, customers, truth)


#: File format per table in a written sample. Mentions and touchpoints are Parquet to keep the
#: committed sample small (their CSV would be about 14 MB); the loader reads either format.
FORMATS = {"mentions": "parquet", "touchpoints": "parquet", "spend": "csv", "orders": "csv",
           "customers": "csv"}  # fmt: skip


def write(sample: Sample, out: str | Path) -> dict[str, Path]:
    """Write a sample's tables and ``truth.json`` to the folder ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, fmt in FORMATS.items():
        frame = getattr(sample, name).copy()
        for col in frame.columns:
            if fmt == "csv" and isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False, lineterminator="\n")
        else:
            frame.to_parquet(path, index=False, compression="zstd")
        paths[name] = path
    truth_path = out / "truth.json"
    truth_path.write_text(json.dumps(asdict(sample.truth), indent=1) + "\n", encoding="utf-8")
    paths["truth"] = truth_path
    return paths
