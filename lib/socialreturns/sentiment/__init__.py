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
* `voice`: `select`, `brand_shares`, `share_of_voice`, `response_gap` and `followup_sentiment`.
* `crisis`: `negative_volume`, `detect_spikes` and the words and examples of each episode.
* `accuracy`: `confusion_matrix`, `classification_report`, `true_labels` and `accuracy`.
* `report`: the notebook's `Parameters` and `conclusions`.
"""

from .accuracy import (
    Accuracy,
    accuracy,
    classification_report,
    confusion_matrix,
    true_labels,
)
from .brands import MASK_TOKEN, aliases, brand_handles, mask
from .crisis import (
    detect_spikes,
    distinctive_words,
    episode_examples,
    episode_words,
    negative_volume,
)
from .language import LANGUAGES, detect_language, stopwords
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
from .privacy import contains_personal_data, redact
from .report import FIGURES, Parameters, conclusions
from .scorer import NEGATIVE_AT, POSITIVE_AT, label, score, split_sentences
from .voice import (
    brand_shares,
    describe_selection,
    followup_sentiment,
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
    "mask",
    "negative_volume",
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
