"""What paid social returned recently: ROAS and ROI per channel over the last months of the data,
at the data's own gross margin, so that the history reads the same in every report and scenario.

The ROI report's fit (`socialreturns.roi.fit_incremental`) is the only source: the revenue is
its fitted contribution per channel, the interval comes from its replicates (posterior draws or bootstrap refits, as the fit says).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialreturns.data.checks import require_columns
from socialreturns.inputs import InputError
from socialreturns.roi.incremental import IncrementalFit, _saturated

#: The ``channel`` of the row that sums every modelled channel in `recent_returns`.
ALL_CHANNELS = "all channels"

_COLUMNS = ["channel", "spend", "incremental_revenue", "roas", "ci_lower", "ci_upper", "roi", "identifiable",
            "note"]  # fmt: skip


def data_margin_rate(orders: pd.DataFrame) -> float:
    """The data's own gross margin: total ``gross_margin`` over total ``revenue`` of the orders.

    Parameters
    ----------
    orders
        The orders table (`socialreturns.data.load_orders`): ``revenue`` and ``gross_margin``
        (currency per order).

    Returns
    -------
    float
        Gross margin as a fraction of revenue (0.400 on the sample).

    Raises
    ------
    InputError
        When a column is missing or the orders have no revenue.

    >>> data_margin_rate(pd.DataFrame({"revenue": [100.0, 300.0], "gross_margin": [30.0, 130.0]}))
    0.4
    """
    require_columns(orders, ["revenue", "gross_margin"], "orders")
    revenue = float(orders["revenue"].sum())
    if not revenue > 0:
        raise InputError(f"sums to {revenue!r}", column="revenue",
                         expected="orders with a positive total revenue, to divide the gross margin by")  # fmt: skip
    return float(orders["gross_margin"].sum()) / revenue


def _window(fit: IncrementalFit, days: int) -> np.ndarray:
    """The fit's periods within the last ``days`` days of the data (a boolean mask)."""
    if not 1 <= days <= 100_000:
        raise InputError(f"is {days!r}", key="days", expected="a window of 1 day or more")
    return np.asarray(fit.dates > fit.dates.max() - pd.Timedelta(days=days))


def _replicate_revenue(fit: IncrementalFit, recent: np.ndarray) -> np.ndarray:
    """Fitted incremental revenue within ``recent`` of every replicate of the curves: replicates by
    channels (currency), no rows when the fit has no replicates."""
    b = fit.bootstrap
    if len(b) == 0:
        return np.empty((0, len(fit.channels)))
    wide = {c: b.pivot(index="replicate", columns="channel", values=c).reindex(columns=fit.channels).to_numpy()
            for c in ("adstock_decay", "half_saturation", "hill_shape", "coef")}  # fmt: skip
    x = fit.spend.to_numpy()
    out = np.empty_like(wide["coef"])
    for r in range(out.shape[0]):
        h = _saturated(x, wide["adstock_decay"][r], wide["half_saturation"][r], wide["hill_shape"][r])
        out[r] = (h[recent] * wide["coef"][r]).sum(axis=0)
    return out


def recent_returns(
    fit: IncrementalFit, *, margin_rate: float, days: int = 365, total: bool = True
) -> pd.DataFrame:
    """ROAS and ROI per channel over the last ``days`` of the data, with intervals from the replicates.

    Parameters
    ----------
    fit
        From `fit_incremental` (its margin rate is not used: ``margin_rate`` is).
    margin_rate
        Gross margin as a fraction of revenue; the data's own (`data_margin_rate`) keeps the
        history the same whatever a scenario assumes for the future.
    days
        The window, ending on the data's last day (365: the last 12 months).
    total
        Add a last row, ``channel`` = ``"all channels"``, over every modelled channel.

    Returns
    -------
    pandas.DataFrame
        One row per channel (then the total): ``channel``, ``spend`` (currency over the window),
        ``incremental_revenue`` (fitted contribution over the window, currency), ``roas``,
        ``ci_lower``, ``ci_upper`` (interval, from the replicates, of the ROAS at level ``1 - fit.alpha``),
        ``roi`` (``roas * margin_rate - 1``), ``identifiable`` and ``note`` (from
        ``fit.summary()``). A channel that is not identified shows no revenue, ROAS, interval or
        ROI (NaN), only its note; a channel left out of the fit also no spend. The total
        includes every modelled channel's revenue: the split between channels is what is
        uncertain, less their sum.

    Notes
    -----
    ROAS over the window is ``Σ_t∈window contribution_t / Σ_t∈window spend_t``; the contribution
    carries over spend from before the window (adstock), as in the fit.
    """
    if not 0 < margin_rate <= 1:
        raise InputError(f"is {margin_rate!r}", key="margin_rate", expected="a fraction in (0, 1], e.g. 0.4")
    recent = _window(fit, days)
    spend = fit.spend.to_numpy()[recent].sum(axis=0)
    revenue = fit.contributions().to_numpy()[recent].sum(axis=0)
    reps = _replicate_revenue(fit, recent)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(spend > 0, revenue / spend, np.nan)
        rep_ratio = np.where(spend > 0, reps / spend, np.nan)
        rep_total = reps.sum(axis=1) / spend.sum()
    q = [fit.alpha / 2, 1 - fit.alpha / 2]
    lo, hi = np.quantile(rep_ratio, q, axis=0) if len(reps) else np.full((2, len(spend)), np.nan)
    summary = fit.summary().set_index("channel")
    out = pd.DataFrame({"channel": fit.channels, "spend": spend, "incremental_revenue": revenue, "roas": ratio,
                        "ci_lower": lo, "ci_upper": hi})  # fmt: skip
    out = pd.concat([out, pd.DataFrame({"channel": list(fit.not_identifiable)})], ignore_index=True)
    out["identifiable"] = summary["identifiable"].reindex(out["channel"]).eq(True).to_numpy()
    out["note"] = (
        summary["note"].reindex(out["channel"]).astype("string").fillna("").astype(object).to_numpy()
    )
    hidden = ~out["identifiable"]
    out.loc[hidden, ["incremental_revenue", "roas", "ci_lower", "ci_upper"]] = np.nan
    if total:
        t_lo, t_hi = np.quantile(rep_total, q) if len(reps) else (np.nan, np.nan)
        row = {"channel": ALL_CHANNELS, "spend": spend.sum(), "incremental_revenue": revenue.sum(),
               "roas": recent_roas(fit, days=days), "ci_lower": t_lo, "ci_upper": t_hi, "identifiable": True,
               "note": "every modelled channel, identified or not"}  # fmt: skip
        out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
    out["roi"] = out["roas"] * margin_rate - 1
    return out[_COLUMNS]


def recent_roas(fit: IncrementalFit, *, days: int = 365) -> float:
    """ROAS of every modelled channel together over the last ``days`` of the data: the
    ``"all channels"`` row of `recent_returns` (fitted incremental revenue over spend)."""
    recent = _window(fit, days)
    return float(fit.contributions().to_numpy()[recent].sum() / fit.spend.to_numpy()[recent].sum())
