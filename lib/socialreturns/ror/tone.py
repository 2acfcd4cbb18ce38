"""Which of the brand's posts are negative, for earned media value: the sentiment report's classes
(`sentiment.classify_mentions`: the same masking, lexicon, domain model and cache), so that the
negative posts ROR leaves out are the negative mentions the sentiment report counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .relationships import _brand_mentions


def negative_posts(
    mentions: pd.DataFrame,
    *,
    brand: str,
    labels: pd.Series | None = None,
    brand_aliases: Mapping[str, Sequence[str]] | None = None,
    overrides: Mapping[str, float] | None = None,
    max_text_chars: int = 20_000,
    n_jobs: int = 1,
) -> pd.Series:
    """Whether each of ``brand``'s mentions is negative, as the sentiment report classes it.

    Every mention is classed by `sentiment.classify_mentions` (every brand's name masked, with
    ``brand_aliases`` added; lexicon ``overrides``; the domain model trained on ``labels``, people's
    classes by ``post_id`` from `data.load_labels`, when it measured better than the lexicon), and
    a post counts as negative when `sentiment.negative_mentions` says so (classed negative, in
    English). Given the sentiment report's data, labels and parameters, the classes are that
    report's, read from the same cache entry. Indexed like the brand's mentions.
    """
    from socialreturns import sentiment  # the scorer's import is not free: only when classes are wanted

    own = _brand_mentions(mentions, brand)
    names = sentiment.aliases(
        [brand, *sorted(mentions["brand"].dropna().astype(str).unique())], brand_aliases
    )
    classified = sentiment.classify_mentions(
        mentions, labels, names=names, overrides=overrides, max_text_chars=max_text_chars, n_jobs=n_jobs
    )
    return sentiment.negative_mentions(mentions, classified.scores, brand=brand).reindex(own.index)
