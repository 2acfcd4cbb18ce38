"""The entry points: draw a `Sample` from a seed and write it, tables and ``truth.json``, to a folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .commerce import _campaign_spend, _customers_and_orders, _daily_matrix, _response_truth, _touchpoints
from .mentions import _mentions
from .truth import (
    BGNBD,
    BRAND,
    COMPETITORS,
    CRISIS,
    CURRENCY,
    DEFAULT_SEED,
    GAMMA_GAMMA,
    N_DAYS,
    RESPONSE,
    RESPONSE_SIGMA,
    START,
    Truth,
)


@dataclass(frozen=True)
class Sample:
    """The tables of a sample and its truth."""

    mentions: pd.DataFrame
    spend: pd.DataFrame
    touchpoints: pd.DataFrame
    orders: pd.DataFrame
    customers: pd.DataFrame
    truth: Truth
    experiments: pd.DataFrame  # the optional lift tests (`_experiments`)


#: The sample's lift tests, as a brand runs them: two conversion-lift studies on facebook and a
#: geo test on youtube, each `LIFT_DAYS` long, starting this far through the channel's spending
#: days; each measures the channel's true incremental revenue over its window with a normal
#: error of `LIFT_RELATIVE_SE` of it (the study's standard error, as it reports it).
LIFT_TESTS = (("facebook", 0.35), ("facebook", 0.8), ("youtube", 0.5))
LIFT_DAYS = 28
LIFT_RELATIVE_SE = 0.15


def _experiments(
    rng: np.random.Generator, daily: pd.DataFrame, paid_revenue: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """The ``experiments`` table (`LIFT_TESTS`) and each test's truth: its true lift, the channel's
    expected paid revenue (currency) summed over the window's days."""
    rows, truth = [], []
    for channel, where in LIFT_TESTS:
        spending = np.flatnonzero(daily[channel].to_numpy() > 0)
        first = min(int(spending[int(where * (len(spending) - 1))]), N_DAYS - LIFT_DAYS)
        lift = float(paid_revenue[channel].iloc[first : first + LIFT_DAYS].sum())
        start = START + pd.Timedelta(days=first)
        row = {"channel": channel, "start_date": str(start.date()),
               "end_date": str((start + pd.Timedelta(days=LIFT_DAYS - 1)).date()),
               "incremental_revenue": round(lift + float(rng.normal(0.0, LIFT_RELATIVE_SE * lift)), 2),
               "standard_error": round(LIFT_RELATIVE_SE * lift, 2)}  # fmt: skip
        rows.append(row)
        truth.append({**row, "true_incremental_revenue": round(lift, 2)})
    return pd.DataFrame(rows), truth


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
    # the sixth stream (the posts with known routes) and the seventh (the lift tests' errors) were
    # added later: the streams before them are unchanged by them
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    spend_days = _campaign_spend(streams[0], scale)
    daily = _daily_matrix(spend_days)
    channels, paid_revenue = _response_truth(daily, scale)
    customers, orders, referral, acquisition, margin_mean = _customers_and_orders(
        streams[1], paid_revenue, scale
    )
    touchpoints = _touchpoints(streams[2], orders, customers, spend_days, scale)
    mentions, mention_truth = _mentions(streams[3], customers, scale, routed_rng=streams[5])
    experiments, lift_truth = _experiments(streams[6], daily, paid_revenue)

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
        traps=mention_truth["traps"],
        routes=mention_truth["routes"],
        lift_tests=lift_truth,
    )
    return Sample(mentions, spend, touchpoints, orders, customers, truth, experiments)


#: File format per table in a written sample. Mentions and touchpoints are Parquet to keep the
#: committed sample small (their CSV would be about 14 MB); the loader reads either format.
FORMATS = {"mentions": "parquet", "touchpoints": "parquet", "spend": "csv", "orders": "csv",
           "customers": "csv", "experiments": "csv"}  # fmt: skip


#: Mentions a person labelled in the sample's ``labels.csv``: a brand's first labelling round
#: (the sentiment report trains its domain model on them; `socialreturns label-sample`'s default
#: is 300, a second round makes 500).
LABELLED = 500


def write_labels(sample: Sample, path: str | Path, *, size: int = LABELLED, seed: int = 0) -> Path:
    """``labels.csv`` as a person returns it: `sentiment.label_sample`'s stratified draw (by brand
    and platform; the sample has no lexicon scores at this point) with each mention's true label
    filled in, written as `sentiment.write_label_sample` writes it."""
    from socialreturns.sentiment import label_sample, write_label_sample

    # drawn from the ordinary posts, in their order: the posts with known routes (ids after
    # theirs) came later, and the labels, so the sentiment report's domain model, stay as they were
    routed = {i for ids in sample.truth.routes.values() for i in ids} | set(
        sample.truth.routes.get("unrouted", [])
    )
    ordinary = sample.mentions[~sample.mentions["post_id"].isin(routed)].sort_values(
        "post_id", ignore_index=True
    )
    unscored = pd.Series("", index=ordinary.index)
    drawn = label_sample(ordinary, unscored, size=size, seed=seed)
    truth = sample.truth.sentiment_labels()
    return write_label_sample(drawn.assign(label=truth.reindex(drawn["post_id"]).to_numpy()), path)


def write(sample: Sample, out: str | Path) -> dict[str, Path]:
    """Write a sample's tables, its ``labels.csv`` (`write_labels`) and ``truth.json`` to the
    folder ``out``; return the paths."""
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
    paths["labels"] = write_labels(sample, out / "labels.csv")
    truth_path = out / "truth.json"
    truth_path.write_text(json.dumps(asdict(sample.truth), indent=1) + "\n", encoding="utf-8")
    paths["truth"] = truth_path
    return paths
