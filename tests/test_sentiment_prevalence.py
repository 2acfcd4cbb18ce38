"""Shares corrected for the classifier's confusion (adjusted classify-and-count): exact recovery
where the observed shares are exactly Cᵀp, recovery within sampling error from drawn data, the
intervals' coverage over repeated draws, and a hand-computed two-class case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialreturns import sentiment
from socialreturns.inputs import InputError
from socialreturns.sentiment.classifier import CLASSES

# P(predicted | true) with rows and columns negative, neutral, positive: a lexicon-like scorer
# that misses many complaints (25% of negatives read neutral) and over-reads positives.
RATES = np.array([[0.70, 0.25, 0.05], [0.10, 0.75, 0.15], [0.03, 0.12, 0.85]])
TRUE = {
    "A": np.array([0.55, 0.25, 0.20]),
    "B": np.array([0.10, 0.35, 0.55]),
    "C": np.array([0.30, 0.40, 0.30]),
}


def _frame(counts: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per mention: brand and predicted label, from predicted-class counts per brand."""
    parts = [pd.DataFrame({"brand": brand, "label": np.repeat(CLASSES, n)}) for brand, n in counts.items()]
    return pd.concat(parts, ignore_index=True)


def _confusion(counts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(counts, index=list(CLASSES), columns=list(CLASSES))


def _draw(rng: np.random.Generator, n_labels: int, n_mentions: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A labelled set (true classes from a flat prior, predicted through RATES) and each brand's
    predicted classes (true classes at its TRUE shares, predicted through RATES)."""
    per_true = rng.multinomial(n_labels, [1 / 3] * 3)
    confusion = np.array([rng.multinomial(k, RATES[i]) for i, k in enumerate(per_true)])
    predicted = {}
    for brand, p in TRUE.items():
        true_counts = rng.multinomial(n_mentions, p)
        predicted[brand] = sum(rng.multinomial(k, RATES[i]) for i, k in enumerate(true_counts))
    return _frame(predicted), _confusion(confusion)


def test_two_classes_by_hand():
    # 90% of positives and 20% of negatives read positive: 55% observed positive is
    # 0.9 p + 0.2 (1 - p) = 0.55, so p = 0.5 (Forman 2008, eq. for ACC: (q - fpr) / (tpr - fpr))
    p = sentiment.adjusted_shares([0.45, 0.55], [[0.8, 0.2], [0.1, 0.9]])
    assert p == pytest.approx([0.5, 0.5], abs=1e-6)
    p = sentiment.adjusted_shares([0.7, 0.3], [[0.8, 0.2], [0.1, 0.9]])
    assert p[1] == pytest.approx((0.3 - 0.2) / (0.9 - 0.2), abs=1e-6)


def test_three_classes_recovered_exactly_from_exact_shares():
    for p in TRUE.values():
        assert sentiment.adjusted_shares(RATES.T @ p, RATES) == pytest.approx(p, abs=1e-6)


def test_shares_outside_the_reachable_set_stay_on_the_simplex():
    # all observed positive, more than even a true 100% positive would give: the nearest point
    p = sentiment.adjusted_shares([0.0, 0.0, 1.0], RATES)
    assert (p >= 0).all() and p.sum() == pytest.approx(1.0)
    assert p == pytest.approx([0.0, 0.0, 1.0], abs=1e-3)


def test_corrected_shares_exact_counts_recover_the_truth():
    n = 100_000
    counts = {b: np.round(RATES.T @ p * n).astype(int) for b, p in TRUE.items()}
    out = sentiment.corrected_shares(_frame(counts), _confusion(np.round(RATES * 1e6)), n_bootstrap=20)
    out = out.set_index("brand")
    for brand, p in TRUE.items():
        got = out.loc[brand, ["negative", "neutral", "positive"]].to_numpy(dtype=float)
        assert got == pytest.approx(p, abs=1e-4)
        assert out.loc[brand, "net"] == pytest.approx(p[2] - p[0], abs=1e-4)
        assert out.loc[brand, "observed_net"] == pytest.approx((RATES.T @ p)[2] - (RATES.T @ p)[0], abs=1e-4)
    assert out["corrected"].all() and (out["mentions"] == [sum(c) for c in counts.values()]).all()


def test_corrected_shares_from_drawn_data_within_sampling_error():
    predicted, confusion = _draw(np.random.default_rng(3), n_labels=3000, n_mentions=20_000)
    out = sentiment.corrected_shares(predicted, confusion, n_bootstrap=200, seed=1).set_index("brand")
    for brand, p in TRUE.items():
        assert out.loc[brand, "net"] == pytest.approx(p[2] - p[0], abs=0.04)
        # the raw shares are visibly biased for the complained-about brand; the corrected are not
    assert abs(out.loc["A", "observed_net"] - (TRUE["A"][2] - TRUE["A"][0])) > 0.1


def test_intervals_cover_the_truth_at_their_level():
    rng = np.random.default_rng(11)
    covered, total = 0, 0
    for _ in range(60):
        predicted, confusion = _draw(rng, n_labels=300, n_mentions=1500)
        out = sentiment.corrected_shares(predicted, confusion, n_bootstrap=200, alpha=0.1,
                                         seed=int(rng.integers(1 << 30))).set_index("brand")  # fmt: skip
        for brand, p in TRUE.items():
            truth = p[2] - p[0]
            covered += out.loc[brand, "net_lower"] <= truth <= out.loc[brand, "net_upper"]
            total += 1
    assert 0.85 <= covered / total <= 0.97, covered / total  # not so wide as to say nothing


def test_intervals_include_the_labelled_sets_uncertainty():
    # the same mentions, a confusion matrix measured on 100x fewer labels: wider intervals
    predicted, _ = _draw(np.random.default_rng(5), n_labels=300, n_mentions=3000)
    few = sentiment.corrected_shares(predicted, _confusion(np.round(RATES * 100)), n_bootstrap=300)
    many = sentiment.corrected_shares(predicted, _confusion(np.round(RATES * 10_000)), n_bootstrap=300)
    assert ((few["net_upper"] - few["net_lower"]) > 1.5 * (many["net_upper"] - many["net_lower"])).all()


def test_without_a_confusion_matrix_the_shares_are_the_observed():
    counts = {"A": np.array([10, 30, 60]), "B": np.array([50, 25, 25])}
    out = sentiment.corrected_shares(_frame(counts), None, n_bootstrap=50).set_index("brand")
    assert out.loc["A", "net"] == pytest.approx(0.5) and out.loc["B", "net"] == pytest.approx(-0.25)
    assert out.loc["A", "positive"] == pytest.approx(0.6) and not out["corrected"].any()
    assert (out["net_lower"] <= out["net"]).all() and (out["net"] <= out["net_upper"]).all()


def test_groups_by_several_columns():
    frame = _frame({"A": np.array([1, 1, 2]), "B": np.array([0, 2, 2])})
    frame["platform"] = ["x", "y"] * 4
    out = sentiment.corrected_shares(frame, None, by=("brand", "platform"), n_bootstrap=10)
    assert list(out.columns[:3]) == ["brand", "platform", "mentions"]
    assert out["mentions"].sum() == 8 and len(out) == 4


TWO_CLASSES = pd.DataFrame(np.ones((2, 2)), index=["negative", "positive"], columns=["negative", "positive"])


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"confusion": TWO_CLASSES}, "confusion"),
        ({"confusion": _confusion(-np.ones((3, 3)))}, "confusion"),
        ({"confusion": None, "alpha": 1.5}, "alpha"),
        ({"confusion": None, "n_bootstrap": 0}, "n_bootstrap"),
    ],
)
def test_bad_arguments_are_named(kwargs, key):
    frame = _frame({"A": np.array([1, 1, 1])})
    confusion = kwargs.pop("confusion")
    with pytest.raises(InputError) as error:
        sentiment.corrected_shares(frame, confusion, **kwargs)
    assert error.value.key == key


def test_an_unknown_predicted_label_is_named():
    frame = pd.DataFrame({"brand": ["A", "A"], "label": ["positive", "great"]})
    with pytest.raises(InputError, match="great"):
        sentiment.corrected_shares(frame, None)
