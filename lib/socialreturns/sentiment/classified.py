"""The classes a sentiment report uses and how far they were validated: `classify` picks the
domain model or the lexicon (`classifier.choose`) and puts its classes into the scores, so every
figure downstream (share of voice, net sentiment, crises, follow-ups) reads the same classes;
`Classified.note` is the validation sentence each figure carries (issue 15, point 4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from socialreturns import store

from .brands import mask
from .classifier import Choice, DomainModel, choose
from .model_store import domain_model
from .scorer import score

#: The cache's domain under `store.cache_root` for `classify_mentions`.
DOMAIN = "sentiment-classes"


@dataclass(frozen=True)
class Classified:
    """`score`'s table with ``label`` the chosen scorer's class (the lexicon's kept as
    ``lexicon_label``), the `Choice` behind it and the trained model (None without labels)."""

    scores: pd.DataFrame
    choice: Choice
    model: DomainModel | None

    @property
    def note(self) -> str:
        """ "Validated on N labelled mentions: accuracy X" or "Not validated on this data: ..."."""
        return self.choice.note

    @property
    def confusion(self) -> pd.DataFrame | None:
        """The chosen scorer's confusion counts on the labels (cross-validated for the model), or
        None when nothing was labelled: what `share_of_voice` corrects the shares with."""
        return None if self.choice.validation is None else self.choice.validation.matrix

    @property
    def weighted_f1(self) -> float | None:
        """The chosen scorer's weighted F1 on the labels (cross-validated for the model), or None
        when nothing was labelled."""
        if self.choice.validation is None:
            return None
        return float(self.choice.validation.report().loc["weighted", "f1"])

    def comparison(self) -> pd.DataFrame:
        """Accuracy and per-class F1 of the domain model and the lexicon on the same labels (one
        row per scorer, the one used first); empty without labels."""
        if self.model is None:
            return pd.DataFrame()
        table = self.model.comparison()
        used = table.index == self.choice.scorer
        return pd.concat([table[used], table[~used]])


def classify(
    mentions: pd.DataFrame,
    texts: Sequence[str] | pd.Series,
    scores: pd.DataFrame,
    labels: pd.Series | None,
    *,
    n_jobs: int = 1,
) -> Classified:
    """Train the domain model on ``labels`` (cached by their hash; `model_store.domain_model`),
    score with whichever of model and lexicon measured better, and return the scores with that
    scorer's classes.

    ``mentions`` (with ``post_id``), ``texts`` (as scored: brand names masked) and ``scores``
    (`score` of ``texts``) are in the same order; ``labels`` are people's classes by ``post_id``
    (`data.load_labels`), or None: then the lexicon's classes, unvalidated.
    """
    model = domain_model(mentions, texts, scores, labels)
    choice = choose(model, texts, scores, n_jobs=n_jobs)
    out = scores.assign(lexicon_label=scores["label"], label=choice.labels.reindex(scores.index))
    return Classified(out, choice, model)


def classify_mentions(
    mentions: pd.DataFrame,
    labels: pd.Series | None,
    *,
    names: Mapping[str, Sequence[str]],
    overrides: Mapping[str, float] | None = None,
    max_text_chars: int = 20_000,
    n_jobs: int = 1,
) -> Classified:
    """The sentiment report's classes of ``mentions``: brand names masked (`mask` with ``names``,
    `aliases`' result), scored by the lexicon (`score` with ``overrides``), then `classify` with
    ``labels``. Every report that needs a post's tone calls this (ROR's earned media value too),
    so a post is negative in one report exactly when it is in the other.

    The scores are kept in the cache (`store.cached_frames`, domain ``sentiment-classes``), keyed
    by the mentions' ``post_id`` and ``text``, the labels, the masked spellings, the overrides,
    ``max_text_chars`` and the library's source digest; the domain model by its own key
    (`model_store.shared_model`). ``n_jobs`` only speeds the scoring up. Indexed like ``mentions``.
    """
    masked = mask(mentions["text"], names)
    spellings = sorted({a.lower() for spelled in names.values() for a in spelled if a})
    key = store.frames_key("classes", mentions.reindex(columns=["post_id", "text"]), labels, spellings,
                           sorted((overrides or {}).items()), max_text_chars)  # fmt: skip
    fresh: list[Classified] = []

    def compute() -> store.Computed:
        lexicon = score(masked, overrides=overrides, n_jobs=n_jobs, max_text_chars=max_text_chars)
        fresh.append(classify(mentions, masked, lexicon, labels, n_jobs=n_jobs))
        return {"scores": fresh[0].scores}, {}

    frames, _ = store.cached_frames(DOMAIN, key, compute)
    if fresh:
        return fresh[0]
    scores = frames["scores"]
    lexicon = scores.assign(label=scores["lexicon_label"]).drop(columns="lexicon_label")
    model = domain_model(mentions, masked, lexicon, labels)  # the kept model: no retraining
    if model is None:
        choice = Choice(scores["label"], "lexicon", None)
    else:
        validation = model.validation if model.better == "model" else model.lexicon
        choice = Choice(scores["label"], model.better, validation)
    return Classified(scores, choice, model)


def labelling_advice(classified: Classified, *, data_dir: str) -> str:
    """What to do next about labels, as Markdown: how to draw a sample to label when there are
    none, how to add a round when the domain model was trained (``data_dir`` as given)."""
    command = f"socialreturns label-sample {data_dir} --out to_label.csv"
    if classified.model is None:
        return (f"**No labels in this data folder.** `{command}` writes a stratified sample of 300 mentions "
                "(by brand, platform and lexicon class; texts redacted) to label in a spreadsheet: fill the "
                "`label` column with positive, neutral or negative and save it as `labels.csv` in the data "
                "folder. The next run trains a domain model on them, measures it against the lexicon and "
                "corrects the shares for its errors.")  # fmt: skip
    return (f"{classified.model.validation.n:,} labelled mentions in `labels.csv`. `{command} --seed 1` "
            "draws another round; more labels narrow the corrected shares' intervals.")  # fmt: skip
