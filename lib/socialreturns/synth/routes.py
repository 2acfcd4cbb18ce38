"""Brand-directed posts with known routes: labelled examples for the organisation's routing.

Each template carries its true routes (care, complaint, purchase intent, product feedback,
employer, regulated claim) and, for switching posts, the competitor; creators' sponsored posts
with and without an advertising disclosure in five languages carry ``disclosure_missing``; posts of
the brand inside a known crisis window carry ``crisis``. Hard negatives use a route's words
without its meaning ("no issues at all", "we're not hiring", "the price was fair") and some
posts belong to two or three routes at once. Decoration varies the wording: lower case, a
dropped question mark, slang, emoji, a typo, the brand's handle in front.

The templates come in two disjoint sets written in different words: ``"tuning"``, on which the
phrase lists of `socialreturns.organisation.rules` were checked, and ``"heldout"``, written after
them and never used to change them, on which the tests measure precision and recall. Neither set
was written from the rule lists: they paraphrase how customers write.

`labelled_mentions(seed, n, split=...)` returns a mentions-shaped frame with a ``true_<route>``
column per route and ``true_competitor``; `crisis_episodes` the window as
`socialreturns.sentiment.detect_spikes` would report it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .truth import BRAND, COMPETITORS, CRISIS, PLATFORMS

ROUTES = ("care", "complaint", "purchase_intent", "disclosure_missing", "regulated_claim",
          "product_feedback", "employer", "crisis")  # fmt: skip
CREATORS = {"cr_mia": BRAND, "cr_jonas": BRAND, "cr_camille": BRAND, "cr_lucia": BRAND, "cr_daan": BRAND}
CRISIS_START, CRISIS_END = pd.Timestamp("2025-03-10"), pd.Timestamp("2025-03-16")  # naive UTC days, inclusive
_PRODUCTS = ["Glow lamp", "Lumora Pods", "Lumora Beam", "Lumora app", "Glow", "Beam speaker"]
_C, _K, _P, _F, _E, _R = (
    "complaint",
    "care",
    "purchase_intent",
    "product_feedback",
    "employer",
    "regulated_claim",
)

# (true routes, template). {h} brand handle, {b} brand, {p} product, {c} competitor (recorded as
# the truth's competitor when the routes include purchase_intent), {n} a number.
TEMPLATES: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "tuning": [
        ((_C,), "My {p} stopped working after a week. Terrible."),
        ((_C,), "{p} is trash, want my money back"),
        ((_C,), "Never buying {b} again, the {p} broke on day 3"),
        ((_C,), "Ordered a {p} {n} days ago and it never arrived"),
        ((_C,), "so disappointed with the {p}, cheap plastic and it rattles"),
        ((_C, _K), "{h} my order still hasn't shipped and nobody replies to my emails"),
        ((_C, _K), "{h} you charged me twice for the same {p}!!"),
        ((_K,), "{h} how do I reset the {p}?"),
        ((_K,), "{h} can you tell me if the {p} works with 110V"),
        ((_K,), "{h} what is the warranty on the {p}"),
        ((_K, _P), "{h} do you ship to Canada?"),
        ((_P,), "Where can I buy the {p} in Berlin"),
        ((_P,), "how much is the {p} in the US"),
        ((_P,), "Should I get the {p} or wait for the new one?"),
        ((_P,), "{p} vs {c} for a small bedroom, thoughts?"),
        ((_P,), "Thinking of switching to {c} after all this"),
        ((_P,), "any discount code for the {p}? want one for my mum"),
        ((_F,), "Please add a sleep timer to the {p}"),
        ((_F,), "wish the {p} had a dark mode"),
        ((_F,), "{p} crashes every time I open the schedule tab"),
        ((_F,), "Since the latest update the {p} won't sync"),
        ((_F, _C), "the {p} app is so buggy it's ridiculous"),
        ((_E,), "First day at {b} today, nervous but excited"),
        ((_E,), "{b} is hiring for the warehouse in Leeds"),
        ((_E,), "Anyone know what the company culture at {b} is like?"),
        ((_E,), "Got a job offer from {b}!!"),
        ((_R,), "This {p} cures insomnia, no joke"),
        ((_R,), "the {p} light is clinically proven to fix your mood"),
        ((_R,), "Buy the {p} and get guaranteed returns on your sleep investment lol"),
        ((_R,), "{p} boosts your immune system, my naturopath said"),
        ((_P, _C), "Done with {b}, switching to {c}, the {p} broke again"),
        ((_K, _C, _F), "{h} the {p} keeps crashing since the update, can you fix it?"),
        ((), "Love my {p}, no problems at all"),
        ((), "No questions, all good, the {p} is perfect"),
        ((), "The price was fair and delivery was quick"),
        ((), "Lol I'm not hiring a decorator, the {p} does the job"),
        ((), "Picked up the {p} at the mall today"),
        ((), "The {p} setup was super easy"),
        ((), "{b} announces a new colour for the {p}"),
        ((), "can't complain, the {p} works great"),
        ((), "Unboxing the {p} tonight"),
        ((), "My {p} never disappoints"),
    ],
    "heldout": [
        ((_C,), "three weeks in and the {p} is already dead. unreal"),
        ((_C,), "the {p} flickers nonstop now, what a waste of money"),
        ((_C,), "{b} sent me the wrong colour and support just shrugged"),
        ((_C,), "genuinely the worst purchase I've made this year, the {p}"),
        ((_C,), "paid for express shipping, the {p} is still not here"),
        ((_C,), "the {p} arrived with a cracked base, not impressed"),
        ((_C,), "returned my {p} because it kept overheating"),
        ((_C, _K), "{h} been on hold for an hour about my refund, sort it out please"),
        ((_C, _K), "{h} your courier left my {p} in the rain, the box is soaked and it won't turn on"),
        ((_C, _K), "{h} the {p} you replaced is faulty too. what now"),
        ((_K,), "{h} is the {p} safe to leave on overnight"),
        ((_K,), "{h} hi, how long does the battery on the {p} last"),
        ((_K,), "{h} could you tell me which bulb fits the {p}"),
        ((_K,), "{h} where is my order, it says processing since monday"),
        ((_P,), "who sells the {p} near Manchester"),
        ((_P,), "is the {p} worth it or is it hype"),
        ((_P,), "ready to buy a {p}, is there a student deal anywhere"),
        ((_P,), "torn between the {p} and {c}, which one would you pick"),
        ((_P,), "gonna ditch {b} for {c} tbh"),
        ((_P,), "moving to {c} next month, {b} just isn't it anymore"),
        ((_P,), "need a bedside lamp recommendation, is the {p} any good"),
        ((_P,), "when does the {p} go on sale for black friday"),
        ((_F,), "it would be great if the {p} could follow the sunrise"),
        ((_F,), "the {p} really needs a proper widget for the lock screen"),
        ((_F,), "app freezes on the pairing screen every single time"),
        ((_F,), "bug: the {p} resets itself to full brightness at 3am"),
        ((_F,), "could you add Google Home support to the {p}?"),
        ((_F, _C), "after updating the firmware the {p} won't connect at all, so frustrating"),
        ((_E,), "just finished my internship at {b}, learned a ton"),
        ((_E,), "{b} recruiters please check your inbox, applied twice for the design role"),
        ((_E,), "heard the work-life balance at {b} is rough, any employees here?"),
        ((_E,), "Interviewed at {b} last week, super friendly team"),
        ((_E, _C), "{b} laid off half the support team and now nobody answers, shocking"),
        ((_R,), "honestly the {p} healed my seasonal depression"),
        ((_R,), "doctors recommend the {p} for jet lag, says the ad"),
        ((_R,), "the {p} literally pays for itself with the energy savings, risk free"),
        ((_R,), "my {p} helped me lose weight because I sleep better, miracle"),
        ((_P, _C), "the {p} died twice, I'm going back to {c}"),
        ((_K, _P), "{h} do you have the {p} in white?"),
        ((_K, _F), "{h} can the {p} app get a vacation mode please?"),
        ((), "zero issues with my {p} so far"),
        ((), "we're not hiring right now but thanks for asking"),
        ((), "the {p} was a fair price for what you get"),
        ((), "not bad at all, the {p} is nice"),
        ((), "my cat loves sitting under the {p}"),
        ((), "New {p} colours dropped today"),
        ((), "Just set up the {p}, looks lovely in the hallway"),
        ((), "the {p} is everything I hoped for"),
        ((), "watching the game with the {p} on"),
        ((), "This is fine. The {p} is fine. Everything is fine"),
        ((), "gave the {p} to my sister for her birthday, she loved it"),
    ],
}
# Creators' posts about the brand: (disclosed, language, text).
SPONSORED: dict[str, list[tuple[bool, str, str]]] = {
    "tuning": [
        (True, "en", "#ad My evenings got so much cosier with the {p} from {h}"),
        (False, "en", "Obsessed with my new {p} from {h}, link in bio"),
        (True, "de", "Werbung | Mein Schreibtisch mit der {p} von {h}, ich liebe das Licht"),
        (False, "de", "Mein Abend mit der {p} von {h}, so gemütlich und schön"),
        (True, "fr", "Collaboration commerciale avec {h} : ma {p} pour les soirées d'hiver"),
        (False, "fr", "Ma nouvelle {p} de {h} est parfaite pour le salon"),
        (True, "es", "#publicidad Mi nueva {p} de {h} es lo mejor para leer por la noche"),
        (False, "es", "Mi nueva {p} de {h} es lo mejor para leer por la noche"),
        (True, "nl", "#adv Mijn nieuwe {p} van {h} is echt heel mooi in de kamer"),
        (False, "nl", "Mijn nieuwe {p} van {h} is echt heel mooi in de kamer"),
    ],
    "heldout": [
        (True, "en", "Paid partnership with {h}: my morning routine with the {p}"),
        (False, "en", "the {p} from {h} changed my mornings, use my code MIA15"),
        (True, "de", "#anzeige Die {p} von {h} ist jetzt auf meinem Nachttisch und ich bin so froh"),
        (False, "de", "Ich bin so froh mit der {p} von {h}, sie ist jetzt auf meinem Nachttisch #ad"),
        (True, "fr", "#pub la {p} de {h} est dans ma chambre depuis une semaine et je l'adore"),
        (False, "fr", "la {p} de {h} est dans ma chambre depuis une semaine et je l'adore"),
        (True, "es", "#patrocinado con {h}: la {p} es ahora mi favorita para el salón"),
        (False, "es", "la {p} de {h} es ahora mi favorita para el salón, código LUCIA10"),
        (True, "nl", "#reclame de {p} van {h} staat nu op mijn bureau en het is echt fijn"),
        (False, "nl", "de {p} van {h} staat nu op mijn bureau en het is echt fijn"),
    ],
}
_SLANG = ["ngl ", "tbh ", "lol ", "fr ", "smh ", "honestly ", "ok so ", ""]
_EMOJI = [" 😡", " 🙄", " 😍", " 🤔", " 💀", " 🔥", " 😭", ""]


def _typo(rng: np.random.Generator, text: str) -> str:
    """Swap two neighbouring letters of one longer word (a realistic slip of the thumb)."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if not long:
        return text
    i = long[rng.integers(len(long))]
    w = words[i]
    j = int(rng.integers(1, len(w) - 2))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _decorate(rng: np.random.Generator, text: str) -> str:
    u = rng.random(5)
    if u[0] < 0.25:
        text = text.lower()
    if u[1] < 0.4:
        text = text.replace("?", "")
    if u[2] < 0.3:
        text = _SLANG[rng.integers(len(_SLANG))] + text
    if u[3] < 0.35:
        text += _EMOJI[rng.integers(len(_EMOJI))]
    if u[4] < 0.1:
        text = _typo(rng, text)
    return text


def _fill(rng: np.random.Generator, template: str, brand: str) -> tuple[str, str]:
    others = [b for b in (BRAND, *COMPETITORS) if b != brand]
    competitor = others[rng.integers(len(others))]
    product = _PRODUCTS[rng.integers(len(_PRODUCTS))]
    product = product if brand == BRAND else product.replace(BRAND, brand).replace("Glow", f"{brand} lamp")
    handle = "@" + brand.lower() if rng.random() < 0.8 else f"@{brand.lower()}_help"
    text = template.format(h=handle, b=brand, p=product, c=competitor, n=int(rng.integers(2, 30)))
    return text, competitor if "{c}" in template else ""


def labelled_mentions(seed: int = 20241117, n: int = 3000, *, split: str = "heldout",
                      sponsored_share: float = 0.1) -> pd.DataFrame:  # fmt: skip
    """``n`` labelled brand-directed posts drawn from one template set.

    Parameters
    ----------
    seed
        Seed of `numpy.random.default_rng`.
    n
        Number of posts.
    split
        ``"heldout"`` (the measuring set) or ``"tuning"`` (the set the rules were checked on).
    sponsored_share
        Fraction of posts that are paid creators' sponsored posts (half of them by non-creators,
        which need no disclosure).

    Returns
    -------
    The mentions columns (``post_id``, ``timestamp`` UTC, ``platform``, ``brand``, ``author_id``,
    ``customer_id`` (missing), ``text``, ``likes``, ``shares``, ``comments``, ``reach``,
    ``is_question`` (all false: the rules are measured alone), ``answered_at`` (missing)), then
    ``true_<route>`` per route and ``true_competitor`` ("" unless the post switches or compares
    with a competitor it names). Posts of ``BRAND`` dated `CRISIS_START` to `CRISIS_END` are
    ``true_crisis``.
    """
    if split not in TEMPLATES:
        raise ValueError(f"split must be one of {sorted(TEMPLATES)}, not {split!r}")
    rng = np.random.default_rng(seed)
    templates, sponsored = TEMPLATES[split], SPONSORED[split]
    days = rng.integers(0, 180, size=n)
    stamps = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(
        rng.integers(0, 86_400, size=n), unit="s")  # fmt: skip
    brands = np.where(rng.random(n) < 0.8, BRAND, rng.choice(COMPETITORS, size=n))
    rows = []
    for i in range(n):
        brand = str(brands[i])
        truth = dict.fromkeys(ROUTES, False)
        if rng.random() < sponsored_share:
            disclosed, _, template = sponsored[rng.integers(len(sponsored))]
            text, competitor = _fill(rng, template, brand)
            by_creator = rng.random() < 0.5
            author = (
                list(CREATORS)[rng.integers(len(CREATORS))] if by_creator else f"u{rng.integers(10**6):06d}"
            )
            truth["disclosure_missing"] = by_creator and not disclosed and CREATORS[author] == brand
            text += _EMOJI[rng.integers(len(_EMOJI))]
        else:
            routes, template = templates[rng.integers(len(templates))]
            text, competitor = _fill(rng, template, brand)
            text = _decorate(rng, text)
            author = f"u{rng.integers(10**6):06d}"
            truth.update(dict.fromkeys(routes, True))
            competitor = competitor if _P in routes else ""
        rows.append({"text": text, "author_id": author, "true_competitor": competitor,
                     **{f"true_{r}": v for r, v in truth.items()}})  # fmt: skip
    out = pd.DataFrame(rows)
    naive = stamps.tz_localize(None)
    out["true_crisis"] = (
        (brands == BRAND) & (naive >= CRISIS_START) & (naive < CRISIS_END + pd.Timedelta(1, "D"))
    )
    mentions = pd.DataFrame({
        "post_id": [f"r{split[0]}{seed % 1000:03d}{i:06d}" for i in range(n)], "timestamp": stamps,
        "platform": rng.choice(["twitter", "instagram", "facebook", "tiktok"], size=n), "brand": brands,
        "author_id": out["author_id"], "customer_id": pd.Series([None] * n, dtype=object), "text": out["text"],
        "likes": rng.poisson(3, n), "shares": rng.poisson(1, n), "comments": rng.poisson(1, n),
        "reach": rng.poisson(400, n), "is_question": np.zeros(n, dtype=bool), "answered_at": pd.NaT,
    })  # fmt: skip
    return pd.concat([mentions, out[[f"true_{r}" for r in ROUTES] + ["true_competitor"]]], axis=1)


def crisis_episodes() -> pd.DataFrame:
    """The labelled set's crisis window in `socialreturns.sentiment.detect_spikes`' columns
    (daily periods; ``start`` and ``end`` naive UTC days, ``end`` inclusive)."""
    return pd.DataFrame({"start": [CRISIS_START], "end": [CRISIS_END], "periods": [7], "peak": [CRISIS_START],
                         "score": [6.0], "negative_mentions": [0], "excess_negative_mentions": [0]})  # fmt: skip


# --------------------------------------------------------------------------- in the sample

#: True sentiment of the templates whose label is not the default (complaints negative, posts
#: without a route positive, the rest neutral), as a person would read them.
SENTIMENT: dict[str, str] = {
    "{p} crashes every time I open the schedule tab": "negative",
    "Since the latest update the {p} won't sync": "negative",
    "app freezes on the pairing screen every single time": "negative",
    "bug: the {p} resets itself to full brightness at 3am": "negative",
    "gonna ditch {b} for {c} tbh": "negative",
    "moving to {c} next month, {b} just isn't it anymore": "negative",
    "heard the work-life balance at {b} is rough, any employees here?": "negative",
    "First day at {b} today, nervous but excited": "positive",
    "Got a job offer from {b}!!": "positive",
    "just finished my internship at {b}, learned a ton": "positive",
    "Interviewed at {b} last week, super friendly team": "positive",
    "This {p} cures insomnia, no joke": "positive",
    "the {p} light is clinically proven to fix your mood": "positive",
    "{p} boosts your immune system, my naturopath said": "positive",
    "honestly the {p} healed my seasonal depression": "positive",
    "the {p} literally pays for itself with the energy savings, risk free": "positive",
    "my {p} helped me lose weight because I sleep better, miracle": "positive",
    "Picked up the {p} at the mall today": "neutral",
    "{b} announces a new colour for the {p}": "neutral",
    "Unboxing the {p} tonight": "neutral",
    "we're not hiring right now but thanks for asking": "neutral",
    "New {p} colours dropped today": "neutral",
    "watching the game with the {p} on": "neutral",
    "This is fine. The {p} is fine. Everything is fine": "neutral",
}


def _label(routes: tuple[str, ...], template: str) -> str:
    if template in SENTIMENT:
        return SENTIMENT[template]
    return "negative" if _C in routes else "positive" if not routes else "neutral"


def sample_posts(rng: np.random.Generator, n: int, *, customer_ids: np.ndarray, n_days: int,
                 start: pd.Timestamp, sponsored_share: float = 0.12) -> pd.DataFrame:  # fmt: skip
    """``n`` brand-directed posts with known routes for the bundled sample, from both template
    sets, spread evenly over the ``n_days`` days from ``start`` (UTC) outside the crisis.

    A third of the authors are matched customers (``customer_ids``); posts routed to care and
    addressed to the brand are flagged ``is_question`` (the inbox sees them), and a tenth of the
    care posts fall in the last three days, still unanswered, so the queue at the data's end is
    live. The inbox's answers are drawn afterwards (`synth.mentions`), as for every question.

    Returns
    -------
    The mentions columns but ``post_id`` and ``answered_at`` (``day``: days since ``start``,
    fractional), then ``_label`` (true sentiment), ``_non_english`` and ``_routes`` (the true
    routes, comma-separated; ``disclosure_missing`` for a creator's undisclosed post).
    """
    rows = []
    templates = [t for split in ("tuning", "heldout") for t in TEMPLATES[split]]
    sponsored = [s for split in ("tuning", "heldout") for s in SPONSORED[split]]
    for _ in range(n):
        brand = BRAND if rng.random() < 0.6 else str(COMPETITORS[rng.integers(len(COMPETITORS))])
        if rng.random() < sponsored_share:
            disclosed, language, template = sponsored[rng.integers(len(sponsored))]
            brand = BRAND  # the creators are paid by the brand
            text = _fill(rng, template, brand)[0] + _EMOJI[rng.integers(len(_EMOJI))]
            by_creator = rng.random() < 0.7
            author = list(CREATORS)[rng.integers(len(CREATORS))] if by_creator else ""
            routes = ("disclosure_missing",) if by_creator and not disclosed else ()
            label, foreign = "positive", language != "en"
        else:
            routes, template = templates[rng.integers(len(templates))]
            text = _decorate(rng, _fill(rng, template, brand)[0])
            author, label, foreign = "", _label(routes, template), False
        rows.append({"brand": brand, "text": text, "author_id": author, "_label": label,
                     "_non_english": foreign, "_routes": ",".join(routes)})  # fmt: skip
    out = pd.DataFrame(rows)
    care = out["_routes"].str.contains(_K).to_numpy() & (out["brand"] == BRAND).to_numpy()
    # ordinary days only: outside the crisis window and a week either side, so the episode the
    # sentiment report detects starts where the truth's crisis does (a complaint among these posts
    # the days before would start it early)
    crisis = (
        (pd.Timestamp(CRISIS["start"], tz="UTC") - start).days - 7,
        (pd.Timestamp(CRISIS["end"], tz="UTC") - start).days + 8,
    )
    day = rng.uniform(0, n_days - (crisis[1] - crisis[0]), n)
    day[day >= crisis[0]] += crisis[1] - crisis[0]
    late = care & (rng.random(n) < 0.1)
    day[late] = rng.uniform(n_days - 3, n_days, int(late.sum()))
    matched = rng.random(n) < 1 / 3
    out["customer_id"] = np.where(matched, customer_ids[rng.integers(0, customer_ids.size, n)], "")
    unnamed = out["author_id"] == ""
    out.loc[unnamed, "author_id"] = [f"U9{rng.integers(10**5):05d}" for _ in range(int(unnamed.sum()))]
    out["day"] = day
    out["platform"] = rng.choice(PLATFORMS, size=n, p=[0.28, 0.22, 0.18, 0.14, 0.10, 0.08])
    out["is_question"] = care
    return out
