"""The story's parameters and the `Truth` record written beside the tables.

The constants below are the generating truth (brand, channels and their response curves,
BG/NBD and Gamma-Gamma parameters, the brand's answer behaviour, the crisis window); `Truth`
records them, with what the draws made of them, in ``truth.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DEFAULT_SEED = 20241101
BRAND = "Lumora"
#: The competitors. "Bliss" is a word of the sentiment lexicon (+2.7), and its mentions are the
#: category's least happy: a trap for a scorer that reads the brand's own name as praise.
COMPETITORS = ("Brightwell", "Kestrel", "Bliss")
LEXICON_WORD_COMPETITOR = "Bliss"
#: Share of positive, neutral and negative ordinary posts per brand (others: `MOODS_DEFAULT`).
MOODS_DEFAULT = (0.42, 0.33, 0.25)
MOODS_BY_BRAND = {"Bliss": (0.08, 0.20, 0.72)}
#: Share of a brand's English ordinary posts written as a trap for a lexicon: negative posts as a
#: complaint without a sentiment word ("order 4417 never arrived") or as sarcasm ("great, another
#: delay"), and posts of any mood in mixed languages ("kaputt after two days, the ... is a joke").
TRAPS = {"plain_complaint": 0.20, "sarcasm": 0.10, "mixed_language": 0.04}
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
    traps: dict[str, object] = field(default_factory=dict, repr=False)
    #: post ids of the posts with known routes (`routes.sample_posts`) per route, and ``unrouted``:
    #: those that go to no team (hard negatives); a post of none of these ids has no route truth
    routes: dict[str, list[str]] = field(default_factory=dict, repr=False)
    #: the lift tests of ``experiments.csv`` (`synth.sample.LIFT_TESTS`), each with its
    #: ``true_incremental_revenue`` (currency): what a perfect test would have measured
    lift_tests: list[dict[str, object]] = field(default_factory=list)

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
