"""What customers say: offline sentiment scores, language flags and redaction, share of voice,
crisis episodes, the response gap and the scores' accuracy.

Scoring is VADER (Hutto & Gilbert 2014) re-implemented in linear time, with emoji scored by the
Emoji Sentiment Ranking (Kralj Novak et al. 2015); `scorer` states the deliberate differences
from ``vaderSentiment``. Nothing is downloaded: the lexicons come from installed packages and the
stop-word lists from ``socialreturns/lexicons/``.

Submodules:

* `lexicon`: VADER's constants, word lexicon and emoji descriptions, the emoji ranking, overrides.
* `scorer`: the VADER rules port, `split_sentences`, `score` and `label`.
* `language`: the shipped stop-word lists and `detect_language`.
* `brands`: `aliases` of each brand, `mask` (every brand mention as one neutral token) and
  `brand_handles`.
* `privacy`: the personal-data patterns, `redact` and `contains_personal_data`.
* `voice`: `select`, `brand_shares`, `share_of_voice`, `net_sentiment` (per brand, platform or
  any grouping, corrected), `response_gap` and `followup_sentiment`.
* `crisis`: `negative_volume`, `detect_spikes` and the words and examples of each episode.
* `accuracy`: `confusion_matrix`, `classification_report`, `true_labels` and `accuracy`.
* `report`: the notebook's `Parameters` and `conclusions`.
* `labelling`: `label_sample` and `write_label_sample`, the mentions people label.
* `classifier`: the domain model trained on those labels (`train`, `DomainModel`, `Validation`)
  and `choose`, which scores with whichever of model and lexicon measured better.
* `model_store`: `shared_model`, the trained model cached as plain data by its labels' hash,
  and `domain_model`, the notebook's call.
* `prevalence`: `corrected_shares` and `adjusted_shares`, shares corrected for the confusion.
* `classified`: `classify`, the classes every figure of a report reads, their validation note, and
  `labelling_advice`.
"""

from .accuracy import (
    Accuracy,
    accuracy,
    classification_report,
    confusion_matrix,
    true_labels,
)
from .brands import MASK_TOKEN, aliases, brand_handles, mask
from .classified import Classified, classify, classify_mentions, labelling_advice
from .classifier import Choice, DomainModel, Validation, choose, train
from .crisis import (
    detect_spikes,
    distinctive_words,
    episode_examples,
    episode_words,
    negative_mentions,
    negative_volume,
)
from .labelling import label_sample, neutralise_formula, write_label_sample
from .language import LANGUAGES, detect_language, languages_table, stopwords
from .lexicon import (
    B_DECR,
    B_INCR,
    BOOSTERS,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    check_overrides,
    emoji_ranking,
    read_overrides,
)
from .model_store import domain_model, shared_model
from .prevalence import adjusted_shares, corrected_shares
from .privacy import contains_personal_data, redact
from .report import FIGURES, Parameters, conclusions, load_overrides
from .scorer import NEGATIVE_AT, POSITIVE_AT, label, score, split_sentences
from .voice import (
    brand_shares,
    describe_selection,
    followup_sentiment,
    net_sentiment,
    response_gap,
    select,
    share_of_voice,
)

__all__ = [
    "B_DECR",
    "B_INCR",
    "BOOSTERS",
    "C_INCR",
    "LANGUAGES",
    "MASK_TOKEN",
    "N_SCALAR",
    "NEGATE",
    "NEGATIVE_AT",
    "POSITIVE_AT",
    "SPECIAL_CASES",
    "Accuracy",
    "Choice",
    "Classified",
    "DomainModel",
    "Validation",
    "adjusted_shares",
    "choose",
    "classify",
    "classify_mentions",
    "corrected_shares",
    "domain_model",
    "label_sample",
    "labelling_advice",
    "neutralise_formula",
    "shared_model",
    "train",
    "write_label_sample",
    "FIGURES",
    "Parameters",
    "accuracy",
    "aliases",
    "brand_handles",
    "brand_shares",
    "check_overrides",
    "classification_report",
    "conclusions",
    "confusion_matrix",
    "contains_personal_data",
    "detect_language",
    "detect_spikes",
    "distinctive_words",
    "emoji_ranking",
    "episode_examples",
    "episode_words",
    "describe_selection",
    "followup_sentiment",
    "label",
    "languages_table",
    "load_overrides",
    "mask",
    "negative_mentions",
    "negative_volume",
    "net_sentiment",
    "read_overrides",
    "redact",
    "response_gap",
    "score",
    "select",
    "share_of_voice",
    "split_sentences",
    "stopwords",
    "true_labels",
]
