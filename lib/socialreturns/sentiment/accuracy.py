"""How good the scores are: predicted classes against human labels (`true_labels`), as a
`confusion_matrix` and `classification_report`, bundled by `accuracy`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns.data import require_columns


def confusion_matrix(actual: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """Counts of true class (rows) against predicted class (columns), both aligned on the index.

    Only rows present in both are compared. A few lines of pandas rather than scikit-learn,
    which the project does not otherwise need.
    """
    both = pd.DataFrame({"actual": actual, "predicted": predicted}).dropna()
    classes = sorted(set(both["actual"]) | set(both["predicted"]))
    table = pd.crosstab(both["actual"], both["predicted"]).reindex(
        index=classes, columns=classes, fill_value=0
    )
    return table.rename_axis(index="actual", columns="predicted")


def classification_report(actual: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """Per-class ``precision``, ``recall``, ``f1`` and ``support`` (true count), then the
    ``weighted`` row (averages weighted by support) and ``accuracy`` (in every column but support).
    """
    matrix = confusion_matrix(actual, predicted)
    hits = pd.Series(np.diag(matrix), index=matrix.index, dtype=float)
    support = matrix.sum(axis=1)
    precision = hits / matrix.sum(axis=0).where(lambda s: s > 0)
    recall = hits / support.where(support > 0)
    f1 = (2 * precision * recall / (precision + recall)).fillna(0.0)
    out = pd.DataFrame({"precision": precision.fillna(0.0), "recall": recall.fillna(0.0), "f1": f1,
                        "support": support})  # fmt: skip
    weights = support / support.sum()
    out.loc["weighted"] = [*(out[c] @ weights for c in ("precision", "recall", "f1")), support.sum()]
    accuracy = hits.sum() / support.sum()
    out.loc["accuracy"] = [accuracy, accuracy, accuracy, support.sum()]
    out["support"] = out["support"].astype(int)
    return out.rename_axis("class")


def true_labels(data_dir: str | Path) -> pd.Series | None:
    """True sentiment labels of mentions, by ``post_id``, if the data folder has them.

    A synthetic sample's ``truth.json`` (the generator's label of every mention) first, else the
    people's ``labels.csv`` (`data.load_labels`); None when there are neither.
    """
    from socialreturns.data import load_labels
    from socialreturns.inputs import resolve

    folder = resolve(data_dir)
    if (folder / "truth.json").is_file():
        from socialreturns.synth import load_truth

        return load_truth(folder).sentiment_labels()
    return load_labels(folder)


@dataclass(frozen=True)
class Accuracy:
    """Predicted classes against human labels (`accuracy`); empty tables when there are none."""

    report: pd.DataFrame
    matrix: pd.DataFrame
    note: str

    @property
    def f1(self) -> float | None:
        """Weighted F1, or None without labels."""
        return None if self.report.empty else float(self.report.loc["weighted", "f1"])


def accuracy(mentions: pd.DataFrame, scores: pd.DataFrame, labels: pd.Series | None) -> Accuracy:
    """`classification_report` and `confusion_matrix` of the English mentions' predicted class
    against ``labels`` (by ``post_id``, from `true_labels`), with a one-line ``note``."""
    if labels is None:
        return Accuracy(pd.DataFrame(), pd.DataFrame(),
                        "No human labels in this data folder: add `labels.csv` to measure accuracy.")  # fmt: skip
    require_columns(mentions, ("post_id",), "mentions")
    english = scores["english"].reindex(mentions.index).fillna(False).astype(bool)
    predicted = pd.Series(scores.loc[english, "label"].to_numpy(), index=mentions.loc[english, "post_id"])
    actual = labels.reindex(predicted.index)
    report = classification_report(actual, predicted)
    note = (
        f"{int(actual.notna().sum()):,} labelled English mentions: accuracy "
        f"{report.loc['accuracy', 'precision']:.1%}, weighted F1 {report.loc['weighted', 'f1']:.3f}."
    )
    return Accuracy(report, confusion_matrix(actual, predicted), note)
