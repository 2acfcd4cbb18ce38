"""What product should build and fix: themes of the feature requests and bug reports.

The posts routed ``product_feedback`` (every brand's, so competitors' weak spots show too) are
turned into TF-IDF vectors with the brands' names masked, and factorised by non-negative matrix
factorisation (NMF, Lee & Seung 1999; scikit-learn's, on TF-IDF as in its topic-extraction
example). Each post goes to the theme that weighs most in it; a theme is named by its top terms.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns.data import as_utc, require_columns
from socialreturns.inputs import InputError
from socialreturns.sentiment import MASK_TOKEN, mask, redact

THEME_COLUMNS = ["theme", "top_terms", "posts", "recent", "previous", "change"]


@dataclass(frozen=True)
class Themes:
    """Product themes.

    Attributes
    ----------
    themes
        One row per theme, largest first: ``theme`` (1, 2, ...), ``top_terms`` (its heaviest
        words), ``posts``, ``recent`` and ``previous`` (posts in the last ``trend_days`` days and
        the same length before) and ``change`` (recent over previous less 1; missing when
        previous is 0).
    by_brand
        Posts per theme (rows) and brand (columns).
    examples
        Two redacted examples per theme (the posts weighing most in it): ``theme``, ``post_id``,
        ``brand``, ``text``.
    """

    themes: pd.DataFrame
    by_brand: pd.DataFrame
    examples: pd.DataFrame

    def sentence(self, brand: str) -> str:
        """Product's answer in one Markdown sentence."""
        if self.themes.empty:
            return "No feature requests or bug reports in the data."
        top = self.themes.iloc[0]
        ours = self.by_brand[brand] if brand in self.by_brand else pd.Series(dtype=int)
        mine = int(ours.idxmax()) if len(ours) and ours.max() > 0 else None
        about = f"; {brand}'s own largest is theme {mine}" if mine is not None else ""
        return (f"{int(self.themes['posts'].sum()):,} feature requests and bug reports fall into "
                f"{len(self.themes)} themes; the largest, **{top['top_terms']}**, holds {int(top['posts']):,} posts"
                f"{about}.")  # fmt: skip


def product_themes(
    mentions: pd.DataFrame,
    routed: pd.DataFrame,
    *,
    aliases: Mapping[str, Sequence[str]],
    as_of: pd.Timestamp,
    n_themes: int = 6,
    trend_days: float = 90,
    n_terms: int = 5,
    keep_handles: Collection[str] = (),
    seed: int = 0,
) -> Themes:
    """Themes of the product feedback (feature requests, bug reports) posted up to ``as_of`` (UTC).

    Parameters
    ----------
    aliases
        `sentiment.aliases` of the brands: masked before the TF-IDF, so themes are about what is
        asked, not who makes it.
    n_themes
        NMF components (at most the number of distinct posts less one).
    trend_days
        Length of the recent and the previous window of ``change`` (days).
    seed
        NMF's ``random_state`` (initialisation NNDSVDa is deterministic; kept for safety).

    Raises
    ------
    InputError
        A missing column or a bad ``n_themes`` / ``trend_days``.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    require_columns(mentions, ("post_id", "timestamp", "brand", "text"), "mentions")
    require_columns(routed, ("product_feedback",), "routed (from organisation.route)")
    if isinstance(n_themes, bool) or not isinstance(n_themes, int) or not 2 <= n_themes <= 50:
        raise InputError(f"is {n_themes!r}", key="n_themes", expected="a whole number of themes, 2 to 50")
    stamps = as_utc(mentions["timestamp"], column="timestamp")
    pick = routed["product_feedback"].to_numpy() & (stamps <= as_of).to_numpy()
    rows, posted = mentions[pick], stamps[pick]
    empty = Themes(pd.DataFrame(columns=THEME_COLUMNS), pd.DataFrame(), pd.DataFrame())
    if rows["text"].nunique() <= n_themes:
        return empty
    masked = mask(rows["text"].astype(str), aliases)
    vectoriser = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.8, ngram_range=(1, 2),
                                 token_pattern=r"(?u)\b[a-z][a-z']+\b")  # fmt: skip
    matrix = vectoriser.fit_transform(masked.str.replace(MASK_TOKEN, " ", regex=False).str.lower())
    model = NMF(n_components=n_themes, init="nndsvda", random_state=seed, max_iter=400)
    with np.errstate(invalid="ignore"):  # a near-exact fit's error rounds below 0 before its square root
        weights = model.fit_transform(matrix)
    terms = np.asarray(vectoriser.get_feature_names_out())
    top = [", ".join(terms[np.argsort(c)[::-1][:n_terms]]) for c in model.components_]
    theme = weights.argmax(axis=1)
    theme[weights.max(axis=1) == 0] = -1  # no known word: no theme
    recent = (posted > as_of - pd.Timedelta(days=trend_days)).to_numpy()
    previous = ~recent & (posted > as_of - pd.Timedelta(days=2 * trend_days)).to_numpy()
    table = pd.DataFrame({
        "component": range(n_themes), "top_terms": top,
        "posts": np.bincount(theme[theme >= 0], minlength=n_themes),
        "recent": np.bincount(theme[(theme >= 0) & recent], minlength=n_themes),
        "previous": np.bincount(theme[(theme >= 0) & previous], minlength=n_themes),
    }).sort_values(["posts", "component"], ascending=[False, True], ignore_index=True)  # fmt: skip
    table["change"] = (table["recent"] / table["previous"].where(table["previous"] > 0)) - 1
    number = {c: i + 1 for i, c in enumerate(table["component"])}
    table.insert(0, "theme", table["component"].map(number))
    by_brand = pd.crosstab(pd.Series(theme, name="component").map(number),
                           rows["brand"].astype(str).to_numpy()).rename_axis(index="theme", columns="brand")  # fmt: skip
    examples = []
    for component in table["component"]:
        best = np.argsort(-weights[:, component] * (theme == component), kind="stable")[:2]
        examples.extend({"theme": number[component], "post_id": rows["post_id"].iloc[i],
                         "brand": rows["brand"].iloc[i],
                         "text": redact(str(rows["text"].iloc[i]), handles=True, keep=keep_handles)}
                        for i in best if theme[i] == component)  # fmt: skip
    return Themes(table.drop(columns="component")[THEME_COLUMNS], by_brand, pd.DataFrame(examples))
