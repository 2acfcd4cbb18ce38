"""`route`: which team each mention is for, and why.

Every route is one compiled alternation over the lower-cased text (`patterns`, `rules`), matched
with pandas' ``str.extract`` on the distinct texts only (a retweet or a copied post is matched
once), after the negated and settled phrasings (`rules.GUARDS`, the claims file's guards) are
blanked out. Creators come from ``params/organisation/creators.yaml``, claims from
``params/organisation/claims.yaml`` (`lists`), crisis windows from
`socialreturns.sentiment.detect_spikes`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialreturns.data import require_columns
from socialreturns.inputs import InputError

from . import rules as R
from .lists import Claims, Creator, creators_by_author, read_claims
from .patterns import (
    END,
    RE2_END,
    RE2_START,
    START,
    alternation,
    brand_fill,
    compile_route,
    route_pattern,
    rule_matchers,
    rule_of,
)

COMPLAINT_COMPOUND = -0.5  # VADER compound at or below which a post is a complaint (with scores)
MAX_TEXT_CHARS = 5_000  # routed on a post's first 5,000 characters (a rule's words come early)
_CARE_ADDRESSED = ["you", "your", "you guys", "u", "ur", "y'all"]


def _aliases(brands: Mapping[str, Sequence[str]] | Sequence[str]) -> dict[str, list[str]]:
    if isinstance(brands, str) or not isinstance(brands, Mapping | Sequence) or not brands:
        raise InputError("brands is not a list or mapping of brand names", key="brands", values=[brands],
                         rows=["brands"], expected="brand names as in the mentions' brand column, or a mapping "
                         "brand -> its names and handles, e.g. {'Lumora': ['@lumora', 'Lumora']}")  # fmt: skip
    items = brands.items() if isinstance(brands, Mapping) else ((b, []) for b in brands)
    out = {}
    for brand, names in items:
        names = [names] if isinstance(names, str) else list(names)
        out[str(brand)] = [str(brand), "@" + str(brand).replace(" ", ""), *map(str, names)]
    return out


def _extract(texts: pa.Array, pattern: str) -> pd.Series:
    """The first match of the RE2 ``pattern`` (its group ``hit``) per text, None where none."""
    found = pc.extract_regex(texts, pattern)
    hits = pc.if_else(found.is_valid(), pc.struct_field(found, "hit"), pa.scalar(None, pa.string()))
    return pd.Series(hits.to_numpy(zero_copy_only=False), dtype=object)


def _reasons(hits: pd.Series, matchers: Mapping[str, re.Pattern[str]], route: str) -> pd.Series:
    """``route/rule: 'words'`` for each matched text, "" elsewhere (each distinct hit named once)."""
    named = {
        h: f"{route}/{rule_of(h.strip(), matchers)}: '{' '.join(h.split())}'" for h in hits.dropna().unique()
    }
    return pd.Series(
        [named.get(h, "") if isinstance(h, str) else "" for h in hits], index=hits.index, dtype=object
    )


def _match(texts: pa.Array, route_rules: Mapping[str, Sequence[str]], fills: Mapping[str, str], route: str):
    hits = _extract(texts, route_pattern(route_rules, fills))
    return hits.notna().to_numpy(), _reasons(hits, rule_matchers(route_rules, fills), route)


def _normalised(mentions: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    """The distinct lower-cased texts (typographic apostrophes made plain) and each row's index."""
    codes, uniques = pd.factorize(mentions["text"].fillna("").astype(str).str.slice(0, MAX_TEXT_CHARS))
    texts = pc.utf8_lower(pa.array(np.asarray(uniques, dtype=object), type=pa.string()))
    return pc.replace_substring(texts, "\u2019", "'"), codes


def _guarded(texts: pa.Array, claims: Claims | None) -> pa.Array:
    """``texts`` with every guard phrase blanked. Twice: RE2 has no lookaround, so a boundary
    character consumed by one guard hides an adjacent guard ("no issues no problems") until the
    second pass."""
    guards = [*R.GUARDS, *(claims.guards if claims else ())]
    pattern = f"{RE2_START}(?:{alternation(guards, {}, engine='re2')}){RE2_END}"
    for _ in range(2):
        texts = pc.replace_substring_regex(texts, pattern, " ")
    return texts


def _competitor(texts: np.ndarray, brand: np.ndarray, aliases: dict[str, list[str]]) -> list[str]:
    """The other brand a comparing or switching post names: the first brand after a switching
    verb, else the first brand named that is not the mention's own ("" when none)."""
    lookup = {a.lower(): b for b, names in aliases.items() for a in names}
    every = compile_route({"brand": ["{other}"]}, {"{other}": brand_fill(list(lookup))})
    switch = compile_route(
        {"switch": R.SWITCH}, {"{other}": brand_fill(list(lookup)), "{brand}": brand_fill([])}
    )

    def other(text: str, own: str) -> str:
        for m in switch.finditer(text):
            named = lookup.get(every.search(m.group(0))[0])
            if named and named != own:
                return named
        return next((lookup[m[0]] for m in every.finditer(text) if lookup.get(m[0]) not in (None, own)), "")

    return [other(t, b) for t, b in zip(texts, brand, strict=True)]


def _crisis(
    mentions: pd.DataFrame, episodes: pd.DataFrame | None, own: str, freq: str
) -> tuple[np.ndarray, np.ndarray]:
    """Mentions of an episode's brand (``own`` when ``episodes`` has no ``brand``) inside it."""
    n = len(mentions)
    fired, reason = np.zeros(n, dtype=bool), np.full(n, "", dtype=object)
    if episodes is None or episodes.empty:
        return fired, reason
    require_columns(episodes, ("start", "end"), "episodes (from sentiment.detect_spikes)")
    require_columns(mentions, ("timestamp",), "mentions")
    naive = pd.to_datetime(mentions["timestamp"], utc=True).dt.tz_localize(None)
    brands = episodes["brand"] if "brand" in episodes else pd.Series(own, index=episodes.index)
    for (start, end), brand in zip(episodes[["start", "end"]].itertuples(index=False), brands, strict=True):
        start = pd.Timestamp(start).tz_localize(None) if pd.Timestamp(start).tzinfo else pd.Timestamp(start)
        end = pd.Timestamp(end).tz_localize(None) if pd.Timestamp(end).tzinfo else pd.Timestamp(end)
        inside = (
            (naive >= start) & (naive < end + pd.Timedelta(1, unit=freq)) & (mentions["brand"] == brand)
        ).to_numpy()
        new = inside & ~fired
        reason[new] = f"crisis/episode: {brand} {start:%Y-%m-%d} to {end:%Y-%m-%d}"
        fired |= inside
    return fired, reason


@functools.cache
def _disclosed(language: str) -> re.Pattern[str]:
    """The disclosures accepted in a post of ``language``: its own terms and the platforms' labels
    (English terms too when the language is undetermined)."""
    accepted = [*R.DISCLOSURES.get(language, R.DISCLOSURES["en"]), *R.PLATFORM_LABELS]
    accepted += R.DISCLOSURES["en"] if language == "und" else []
    return re.compile(f"{START}(?:{alternation(accepted, {})}){END}")


def _creators(mentions: pd.DataFrame, creators: Sequence[Creator]) -> pd.Series:
    """Each mention's paid creator (by ``author_id``, or ``author_handle`` / ``author`` when the
    export has them) when the mention is of the brand that pays them, else None."""
    by_author = creators_by_author(creators)
    creator = pd.Series([None] * len(mentions), index=mentions.index, dtype=object)
    for key in [c for c in ("author_id", "author_handle", "author") if c in mentions]:
        creator = creator.where(creator.notna(), mentions[key].astype(str).str.lower().map(by_author))
    paid = creator.map(lambda c: c.brand if isinstance(c, Creator) else None) == mentions["brand"]
    return creator.where(paid, None)


def _disclosure(mentions: pd.DataFrame, texts, creators: Sequence[Creator],
                languages: pd.Series | None) -> tuple[np.ndarray, pd.Series]:  # fmt: skip
    """Creators' posts without a disclosure in their language; ``texts(rows)`` gives the rows' texts."""
    from socialreturns.sentiment import detect_language

    creator = _creators(mentions, creators) if creators else pd.Series([None] * len(mentions), dtype=object)
    fired, reason = np.zeros(len(mentions), dtype=bool), np.full(len(mentions), "", dtype=object)
    rows = np.flatnonzero(creator.notna().to_numpy())
    for i, text in zip(rows, texts(rows), strict=True):
        language = languages.iloc[i] if languages is not None else detect_language(text)
        if not _disclosed(language).search(text):
            c, terms = creator.iloc[i], ", ".join(R.DISCLOSURES.get(language, R.DISCLOSURES["en"])[:3])
            fired[i] = True
            reason[i] = (
                f"disclosure_missing/creator: {c.name} ({c.brand}), language {language}, none of {terms}..."
            )
    return fired, pd.Series(reason, index=mentions.index)


def route(
    mentions: pd.DataFrame,
    *,
    brands: Mapping[str, Sequence[str]] | Sequence[str],
    creators: Sequence[Creator] | None = None,
    claims: Claims | None = None,
    episodes: pd.DataFrame | None = None,
    scores: pd.DataFrame | None = None,
    freq: str = "D",
) -> pd.DataFrame:
    """Route each mention to the teams that should see it, with the rule that sent it there.

    Parameters
    ----------
    mentions
        The mentions table (``post_id``, ``brand``, ``text``; ``timestamp`` for crisis,
        ``author_id`` for creators, ``is_question`` when the export flags questions).
    brands
        The brands as spelled in ``brand``, the brand the report is for first (crisis episodes
        without a ``brand`` column are that brand's); or a mapping brand -> its other names and
        handles (``{"Lumora": ["@lumora", "lumora glow"]}``), used for "addressed to the brand",
        switching and employer rules. A brand's name and ``@name`` are always included.
    creators
        Paid creators (`lists.read_creators`); without them no post is ``disclosure_missing``.
    claims
        Regulated claims (`lists.read_claims`); defaults to ``params/organisation/claims.yaml``.
    episodes
        Crisis episodes from `socialreturns.sentiment.detect_spikes` (``start``, ``end``: first
        and last period, naive UTC) at period ``freq``; a mention of the brand inside one is ``crisis``.
    scores
        `socialreturns.sentiment.score` of ``mentions["text"]`` (same rows); its ``language``
        picks the disclosure language (else detected for creators' posts only) and a ``compound``
        at or below `COMPLAINT_COMPOUND` makes a post a complaint (reason ``complaint/negative_score``).

    Returns
    -------
    One row per mention, in order: ``post_id``, ``brand``, then for each route of `rules.ROUTES`
    a boolean column and ``<route>_reason`` (``route/rule: 'matched words'``, "" when the route
    did not fire), ``competitor`` (the other brand a comparing or switching post names, "" when
    none) and ``routes`` (the fired routes, comma-separated).

    Raises
    ------
    InputError
        A missing column, an empty ``brands``, or ``scores`` not aligned with ``mentions``.
    """
    require_columns(mentions, ("post_id", "brand", "text"), "mentions")
    aliases = _aliases(brands)
    if scores is not None and len(scores) != len(mentions):
        raise InputError(f"scores has {len(scores)} rows, mentions {len(mentions)}", key="scores",
                         expected="sentiment.score(mentions['text']) for the same rows")  # fmt: skip
    claims = read_claims() if claims is None else claims
    uniques, codes = _normalised(mentions)
    out = pd.DataFrame({"post_id": mentions["post_id"].to_numpy(), "brand": mentions["brand"].to_numpy()})
    for name, (fired, reason) in _text_routes(uniques, codes, claims, aliases, scores).items():
        out[name], out[f"{name}_reason"] = fired[codes], reason.to_numpy()[codes]
    if "is_question" in mentions:
        flag = mentions["is_question"].fillna(False).astype(bool).to_numpy() & ~out["care"].to_numpy()
        out.loc[flag, "care_reason"] = "care/is_question: flagged by the export"
        out["care"] |= flag

    def texts(rows: np.ndarray) -> list[str]:
        return uniques.take(pa.array(codes[rows])).to_pylist()

    languages = None
    if scores is not None and "language" in scores:
        languages = scores["language"].reset_index(drop=True).set_axis(mentions.index)
    out["disclosure_missing"], out["disclosure_missing_reason"] = _disclosure(
        mentions, texts, creators or (), languages
    )
    out["crisis"], out["crisis_reason"] = _crisis(mentions, episodes, next(iter(aliases)), freq)
    switching = out["purchase_intent_reason"].str.startswith("purchase_intent/compare_or_switch").to_numpy()
    out["competitor"] = ""
    if switching.any():
        rows = np.flatnonzero(switching)
        out.loc[switching, "competitor"] = _competitor(
            texts(rows), mentions["brand"].to_numpy()[rows], aliases
        )
    return _ordered(out)


def _text_routes(uniques: pa.Array, codes: np.ndarray, claims: Claims, aliases: dict[str, list[str]],
                 scores: pd.DataFrame | None) -> dict[str, tuple[np.ndarray, pd.Series]]:  # fmt: skip
    """The routes decided by the text alone, per distinct text: (fired, reason)."""
    guarded = _guarded(uniques, claims)
    all_names = [a for names in aliases.values() for a in names]
    fills = {"{brand}": brand_fill(all_names), "{other}": brand_fill(all_names)}
    route_rules = {"complaint": R.COMPLAINT, "purchase_intent": R.PURCHASE, "product_feedback": R.PRODUCT,
                   "employer": R.EMPLOYER, "regulated_claim": dict(claims.categories)}  # fmt: skip
    matched = {name: _match(guarded, rules, fills, name) for name, rules in route_rules.items()}
    if scores is not None and "compound" in scores:
        matched["complaint"] = _scored(matched["complaint"], scores["compound"].to_numpy(), codes)
    matched["care"] = _care(guarded, matched["complaint"], fills, [a for a in all_names if a.startswith("@")])
    return matched


def _ordered(out: pd.DataFrame) -> pd.DataFrame:
    """The columns in `rules.ROUTES` order, and ``routes``: the fired routes, comma-separated."""
    out = out[["post_id", "brand", *(c for r in R.ROUTES for c in (r, f"{r}_reason")), "competitor"]]
    bits = out[list(R.ROUTES)].to_numpy() @ (1 << np.arange(len(R.ROUTES)))
    combos = {b: ",".join(r for k, r in enumerate(R.ROUTES) if b >> k & 1) for b in np.unique(bits)}
    return out.assign(routes=pd.Series(bits).map(combos).to_numpy())


def _scored(complaint: tuple[np.ndarray, pd.Series], compound: np.ndarray, codes: np.ndarray):
    """Complaints also where the sentiment score is strongly negative (the lowest score of a text's rows)."""
    lowest = pd.Series(compound).groupby(codes).min().reindex(range(len(complaint[0]))).to_numpy()
    negative = (lowest <= COMPLAINT_COMPOUND) & ~complaint[0]
    reason = complaint[1].where(
        ~negative, pd.Series([f"complaint/negative_score: compound {c:.2f}" for c in lowest])
    )
    return complaint[0] | negative, reason


def _care(texts: pa.Array, complaint: tuple[np.ndarray, pd.Series], fills: Mapping[str, str],
          handles: Sequence[str]) -> tuple[np.ndarray, pd.Series]:  # fmt: skip
    """Care: a help request, or a question or complaint addressed to the brand (its handle, or
    "you"/"your"); a question to the crowd ("where can I buy...") is not the brand's to answer."""
    asked, asked_reason = _match(texts, {"help_request": R.CARE["help_request"]}, fills, "care")
    question, question_reason = _match(texts, {"question": R.CARE["question"]}, fills, "care")
    pattern = route_pattern({"addressed": [*_CARE_ADDRESSED, "{brand}"]}, {"{brand}": brand_fill(handles)})
    addressed = pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)
    asked_reason = asked_reason.where(asked, question_reason)
    asked = asked | (question & addressed)
    problem = complaint[0] & addressed & ~asked
    reason = asked_reason.copy()
    reason[problem] = "care/problem_addressed: " + complaint[1][problem].str.split(": ", n=1).str[-1]
    return asked | problem, reason
