"""A confounded weekly media mix with known truth, to test the incremental model's recovery.

A latent demand factor (a smooth autoregressive series, observed as a control) drives both the
first channel's spend (the brand spends more when demand is high) and revenue. Fitted without
the factor, that channel's return is biased upwards; with it as a control, an estimator that
recovers the truth is one whose curves stay identified. Every channel runs flighted bursts with
steady spend between them, carried over by geometric adstock (decay per week) and saturating
through a Hill curve; the truth's ``roas`` is the channel's expected incremental revenue over the
span divided by its spend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .commerce import _adstock, _hill

#: Per channel: share of the media budget, adstock decay per week, Hill shape, half-saturation
#: relative to the channel's typical adstocked weekly spend, and true ROAS (currency per currency).
WEEKLY_CHANNELS: dict[str, dict[str, float]] = {
    "search": {"spend_share": 0.35, "decay": 0.30, "hill_shape": 1.3, "half_ratio": 0.8, "roas": 2.4},
    "social": {"spend_share": 0.25, "decay": 0.50, "hill_shape": 1.0, "half_ratio": 0.6, "roas": 1.6},
    "video": {"spend_share": 0.20, "decay": 0.65, "hill_shape": 1.8, "half_ratio": 1.2, "roas": 1.1},
    "display": {"spend_share": 0.20, "decay": 0.20, "hill_shape": 0.9, "half_ratio": 0.5, "roas": 0.8},
}
WEEKLY_START = pd.Timestamp("2023-01-02", tz="UTC")  # a Monday


@dataclass(frozen=True)
class WeeklySample:
    """Long ``spend`` (``date``, ``channel``, ``spend``), ``revenue`` (``date``, ``revenue``),
    ``controls`` (``date``, ``demand``: the confounder), the truth per channel and the true
    incremental revenue per week and channel (``contributions``, indexed by week start)."""

    spend: pd.DataFrame
    revenue: pd.DataFrame
    controls: pd.DataFrame
    truth: dict[str, dict[str, float]]
    contributions: pd.DataFrame

    def lift_tests(self, channel: str, windows: list[tuple[int, int]], *, relative_se: float = 0.1,
                   seed: int = 0) -> pd.DataFrame:  # fmt: skip
        """Lift tests of ``channel`` as an ``experiments`` table: for each window of week numbers
        ``(first, last)`` (inclusive) the true incremental revenue plus a normal measurement
        error whose standard deviation, ``relative_se`` times the truth, is the stated
        ``standard_error``."""
        rng = np.random.default_rng(seed)
        rows = []
        for first, last in windows:
            true = float(self.contributions[channel].iloc[first : last + 1].sum())
            se = relative_se * abs(true)
            rows.append({"channel": channel, "start_date": self.contributions.index[first],
                         "end_date": self.contributions.index[last] + pd.Timedelta(days=6),
                         "incremental_revenue": true + rng.normal(0.0, se), "standard_error": se})  # fmt: skip
        return pd.DataFrame(rows)

    @property
    def truth_roas(self) -> dict[str, float]:
        """True ROAS per channel (currency of revenue per currency of spend)."""
        return {c: t["roas"] for c, t in self.truth.items()}


def generate_weekly(
    seed: int,
    *,
    weeks: int = 156,
    n_channels: int = 3,
    confounding: float = 0.5,
    noise: float = 0.02,
    weekly_budget: float = 20_000.0,
) -> WeeklySample:
    """Draw a confounded weekly media mix with known truth.

    Parameters
    ----------
    seed
        Seed of `numpy.random.default_rng`.
    weeks
        Length of the series (weeks; 104 to 156 are two to three years).
    n_channels
        Channels, the first ``n_channels`` of `WEEKLY_CHANNELS` (2 to 4).
    confounding
        How strongly the latent demand drives the first channel's spend: its log spend moves by
        ``confounding`` per standard deviation of demand.
    noise
        Standard deviation of the revenue noise as a fraction of the base revenue per week.
    weekly_budget
        Average media spend per week over all channels (currency per week).

    Returns
    -------
    WeeklySample
        The tables and the truth: per channel ``roas``, ``adstock_decay`` (per week),
        ``half_saturation`` (adstocked spend, currency per week), ``hill_shape``, ``beta``
        (revenue per week at full saturation), ``spend`` and ``incremental_revenue`` (currency).
    """
    if not 2 <= n_channels <= len(WEEKLY_CHANNELS):
        raise ValueError(f"n_channels must be 2 to {len(WEEKLY_CHANNELS)}, got {n_channels!r}")
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    demand = np.zeros(weeks)
    shocks = rng.normal(0.0, 1.0, weeks)
    for i in range(1, weeks):  # AR(1) with a persistence of about two months
        demand[i] = 0.85 * demand[i - 1] + shocks[i]
    demand = (demand - demand.mean()) / demand.std()
    base = 100_000.0
    revenue = base * (1 + 0.0015 * t + 0.08 * np.sin(2 * np.pi * t / 52.18) + 0.06 * demand)
    revenue = revenue + rng.normal(0.0, noise * base, weeks)
    names = list(WEEKLY_CHANNELS)[:n_channels]
    shares = np.array([WEEKLY_CHANNELS[c]["spend_share"] for c in names])
    shares = shares / shares.sum()
    spend_rows, truth, contributions = [], {}, {}
    for i, channel in enumerate(names):
        spec = WEEKLY_CHANNELS[channel]
        # Bursts of 3 to 8 weeks at 1.5 to 3 times a low always-on level, pauses between them.
        level = np.full(weeks, 0.4)
        week = 0
        while week < weeks:
            pause, burst = int(rng.integers(2, 9)), int(rng.integers(3, 9))
            level[week + pause : week + pause + burst] = rng.uniform(1.5, 3.0)
            level[week : week + pause] = 0.0 if rng.random() < 0.4 else 0.4
            week += pause + burst
        x = level * rng.lognormal(0.0, 0.2, weeks)
        if i == 0:
            x = x * np.exp(confounding * demand)
        x = x * weekly_budget * shares[i] / x.mean()
        x = np.round(x, 2)
        a = _adstock(x, spec["decay"])
        half = spec["half_ratio"] * x[x > 0].mean() / (1 - spec["decay"])
        h = _hill(a, half, spec["hill_shape"])
        beta = spec["roas"] * x.sum() / h.sum()
        revenue = revenue + beta * h
        contributions[channel] = beta * h
        truth[channel] = {
            "roas": spec["roas"], "adstock_decay": spec["decay"], "half_saturation": float(half),
            "hill_shape": spec["hill_shape"], "beta": float(beta), "spend": float(x.sum()),
            "incremental_revenue": float(beta * h.sum()),
        }  # fmt: skip
        spend_rows.append(pd.DataFrame({"channel": channel, "spend": x, "week": t}))
    dates = WEEKLY_START + pd.to_timedelta(7 * t, unit="D")
    spend = pd.concat(spend_rows, ignore_index=True)
    spend = spend.assign(date=dates[spend["week"].to_numpy()])[["date", "channel", "spend"]]
    return WeeklySample(
        spend=spend,
        revenue=pd.DataFrame({"date": dates, "revenue": revenue}),
        controls=pd.DataFrame({"date": dates, "demand": demand}),
        truth=truth,
        contributions=pd.DataFrame(contributions, index=dates),
    )
