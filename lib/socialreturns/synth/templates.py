"""Mention texts: templates per mood, the decoration around them, and how their fields are filled.

A post's text is a template of its kind (positive, neutral, negative, a question to the brand,
a crisis post, a follow-up, a non-English post) with an opener and a closer that carry no
sentiment of their own, its fields (``{p}`` product, ``{h}`` handle, ``{e+}`` emoji...) filled
from the post's own uniform draws, and now and then personal data pasted in.
"""

from __future__ import annotations

import numpy as np

from .truth import BRAND, TRAPS

_PRODUCTS = {
    BRAND: ["Lumora Glow", "Lumora Pods", "Glow lamp", "Lumora Beam", "Lumora app"],
    "Brightwell": ["Brightwell Arc", "Brightwell buds", "Arc lamp"],
    "Kestrel": ["Kestrel One", "Kestrel earbuds", "Kestrel app"],
    "Bliss": ["Bliss Halo", "Bliss lamp", "Bliss One"],
}
_HANDLES = {BRAND: "@lumora", "Brightwell": "@brightwell", "Kestrel": "@kestrel_audio",
            "Bliss": "@bliss"}  # fmt: skip
_POSITIVE = [
    "Absolutely love my {p}! {e+}",
    "{p} is amazing, best purchase this year {e+}",
    "Honestly the {p} is fire 🔥",
    "Can't complain, {p} works great so far",
    "{p} is not bad at all, really happy with it",
    "Wow. {p} sounds SO good {e+} {tag}",
    "Shoutout to {h} support, they fixed my {p} in minutes. Thank you!",
    "The {p} setup was super easy and the light is gorgeous",
    "ok the {p} is lit, my room looks incredible now",
    "Had doubts but the {p} exceeded expectations {e+}",
    "{e+}{e+} new {p} day",
    "10/10 would recommend the {p} to anyone",
    "Battery was a bit weak at first but after the update the {p} is excellent",
    "{p} never disappoints",
]
_NEGATIVE = [
    "My {p} stopped working after two weeks. Terrible. {e-}",
    "{p} is trash, want my money back {e-}",
    "Worst customer service ever, {h} still hasn't replied about my {p}",
    "not happy with the {p} at all",
    "{p} keeps disconnecting, so frustrating {e-}",
    "Great, another update that breaks the {p} 🙄",
    "The {p} looks nice but the sound is awful",
    "Never buying {b} again. {e-} {tag}",
    "{p} is mid tbh, overpriced and meh",
    "Returned the {p}. Cheap plastic, no bass, not worth it",
    "{e-}{e-} {p} died again",
    "Why is the {p} so bad?? it was supposed to be good",
    "I don't like the new {p}, the app is useless",
]
_NEUTRAL = [
    "Anyone know when the {p} restocks?",
    "{b} announces a new colour for the {p} {url}",
    "Comparing the {p} with the {q} for my desk setup",
    "Unboxing the {p} tonight, stream at 8 {tag}",
    "{p} vs {q} — which one should I get?",
    "Picked up the {p} at the mall today",
    "Does the {p} work with Android 15?",
    "The {p} is on sale this weekend {url}",
    "{h} what is the warranty on the {p}?",
    "Thread: everything I learned setting up the {p}",
    "Saw an ad for the {p} on the train",
]
_QUESTIONS = [
    "{h} how do I reset my {p}?",
    "{h} my order hasn't arrived, can you check? {pii}",
    "{h} is the {p} compatible with my old charger?",
    "{h} where can I get a replacement cable for the {p}?",
    "{h} the app won't pair with my {p}, any fix?",
    "Hey {h}, when does the {p} firmware update come out?",
]
_CRISIS = [
    "My {p} started overheating and smelled like burning plastic. Unsafe! {tag2} {e-}",
    "{h} my {p} battery swelled up, is there a recall?? {e-}",
    "Scary: {p} got so hot it burned my desk {tag2}",
    "Returning my {p} before it catches fire. Refund now {h} {tag2}",
    "Why hasn't {b} issued a recall for the overheating {p} yet? {tag2}",
    "Overheating {p} again. This is dangerous {e-}",
]
_FOLLOWUP = {
    "positive": ["Thanks {h}, that fixed it! {e+}", "Quick answer from {h}, impressed {e+}",
                 "Problem solved, thanks for the help {h}"],
    "negative": ["Still no answer from {h}. Useless. {e-}", "Days later and {h} ignores me {e-}",
                 "Gave up waiting for {h}, returning the {p}"],
    "neutral": ["Update on my {p} question: still testing", "Following up on my {p} question"],
}  # fmt: skip
_NON_ENGLISH = {
    "positive": ["Me encanta mi {p}, funciona perfecto {e+}", "J'adore ma {p}, trop bien {e+}",
                 "Die {p} ist super, absolut empfehlenswert", "Adoro o {p}, muito bom"],
    "negative": ["Mi {p} dejó de funcionar, qué decepción {e-}", "Ma {p} est nulle, très déçu",
                 "Die {p} ist kaputt, sehr enttäuschend {e-}", "O {p} parou de funcionar, péssimo"],
    "neutral": ["¿Alguien sabe cuándo vuelve la {p}?", "Quelqu'un a testé la {p} ?",
                "Wann kommt die neue {p}?", "Alguém sabe o preço do {p}?"],
}  # fmt: skip
# Traps for a lexicon, with the label their writer meant (negative for the first two).
_PLAIN_COMPLAINT = [  # complaints without a word of the lexicon
    "order {order} never arrived {h}",
    "{h} still waiting on my refund for the {p}",
    "{n} minutes on hold and counting {h}",
    "week {n}, the {p} replacement has not shipped",
    "my {p} turns off every night at 2am",
    "the {b} app logged me out again, fourth time today",
    "ordered the {p} in March, it is now May",
    "same issue with the {p} since the last update, nobody replies",
    "refund for the {p} requested 3 weeks ago, still pending",
    "third delay this week {h}",
    "still no refund {h}",
]
_SARCASM = [
    "great, another delay {h} 🙃",
    "love waiting three weeks for a {p}",
    "thanks {h} for nothing",
    "wow, the {p} broke again, amazing quality",
    "oh perfect, the {b} app crashed right when I needed it",
    "so glad I paid extra for express shipping on my {p} that took 10 days",
]
_MIXED_LANGUAGE = {
    "positive": ["the {p} is muy bueno, love it", "me encanta the new {p}, so good",
                 "la {p} is great, j'adore"],
    "negative": ["kaputt after two days, the {p} is a joke", "the {p} is nul, really disappointed",
                 "qué decepción, the {p} stopped working"],
    "neutral": ["ordered the {p}, ¿alguien sabe when it ships?", "is the {p} sold in Deutschland, bitte?",
                "the {p} arrived today, on verra"],
}  # fmt: skip
_EMOJI_POS = ["😍", "🔥", "👍", "❤️", "🙌", "😊", "✨", "💯"]
_EMOJI_NEG = ["😡", "👎", "😤", "💔", "😞", "🤬", "😒"]
_TAGS = ["#smarthome", "#setup", "#gadgets", "#techreview", "#wfh", "#deskgoals"]
_OPENERS = [
    "",
    "",
    "",
    "",
    "ngl ",
    "Honestly, ",
    "lol ",
    "Update: ",
    "So... ",
    "PSA: ",
    "omg ",
    "Day {n}: ",
    "Okay ",
    "Quick one: ",
    "Hot take: ",
    "fyi ",
    "Well, ",
    "Real talk: ",
]
_CLOSERS = [
    "",
    "",
    "",
    "",
    " {tag}",
    " {tag} {tag}",
    "!",
    "!!",
    " {e+}",
    " {e-}",
    " cc @{user}",
    " (week {n})",
    " #{brandtag}",
    " via @{user}",
    " lol",
    " 🤷",
    " #ad",
    " ...",
    " {url}",
]
_PII = ["email me at sam.rivera82@example.com", "call me +44 20 7946 0958",
        "my number is (555) 013-4567", "reach me on +49 30 1234 5678",
        "order ref sent to j.doe@example.org", "text +1 202-555-0143"]  # fmt: skip


_OTHER_PRODUCT = {b: [_PRODUCTS[o][0] for o in _PRODUCTS if o != b] for b in _PRODUCTS}
_FIELDS = ("{p}", "{q}", "{b}", "{h}", "{tag}", "{tag2}", "{url}", "{pii}", "{e+}", "{e-}", "{n}",
           "{user}", "{brandtag}", "{order}")  # fmt: skip


def _field(token: str, u: np.ndarray, brand: str) -> str:
    """The value of one template field; ``u`` holds this text's uniform draws."""
    pick = {"{p}": (_PRODUCTS[brand], 0), "{q}": (_OTHER_PRODUCT[brand], 1), "{tag}": (_TAGS, 2),
            "{pii}": (_PII, 4), "{e+}": (_EMOJI_POS, 5), "{e-}": (_EMOJI_NEG, 6)}  # fmt: skip
    if token in pick:
        options, k = pick[token]
        return options[int(u[k] * len(options))]
    if token == "{b}":
        return brand
    if token == "{h}":
        return _HANDLES[brand]
    if token == "{tag2}":
        return "#LumoraRecall" if brand == BRAND else "#recall"
    if token == "{url}":
        return f"https://shop.example.com/{brand.lower()}?utm_source=social&id={int(u[3] * 1e6)}"
    if token == "{n}":
        return str(2 + int(u[9] * 40))
    if token == "{order}":
        return str(1000 + int(u[9] * 9000))
    if token == "{user}":
        return f"user{int(u[10] * 99_999):05d}"
    return brand.lower() + ["", "fam", "love", "fail", "life"][int(u[11] * 5)]  # {brandtag}


def _fill(template: str, u: np.ndarray, brand: str) -> str:
    """Fill a template's fields from this text's uniform draws ``u``."""
    for token in _FIELDS:
        if token in template:
            template = template.replace(token, _field(token, u, brand))
    return template


_MOODS = ("positive", "neutral", "negative")
_POOLS = {"positive": _POSITIVE, "negative": _NEGATIVE, "neutral": _NEUTRAL, "crisis": _CRISIS}
# Closers per mood: an emoji closer only of the post's own mood.
_CLOSERS_FOR = {
    lab: [c for c in _CLOSERS if ("{e-}" not in c or lab == "negative")
          and ("{e+}" not in c or lab == "positive")]
    for lab in _MOODS
}  # fmt: skip


def _trap(kind: str, u: float) -> str:
    """Which trap (`TRAPS`) an English ordinary post of ``kind`` is, from its draw ``u``; "" for none."""
    if u >= 1.0 - TRAPS["mixed_language"]:
        return "mixed_language"
    if kind != "negative":
        return ""
    if u < TRAPS["plain_complaint"]:
        return "plain_complaint"
    return "sarcasm" if u < TRAPS["plain_complaint"] + TRAPS["sarcasm"] else ""


def _compose(kind: str, question: bool, non_english: bool, u: np.ndarray, brand: str) -> tuple[str, str, str]:
    """One post's text, its true label and its trap ("" for none), from its kind and its uniform
    draws ``u``.

    ``kind`` is ``positive``, ``neutral``, ``negative``, ``crisis`` or a follow-up's
    ``f``-prefixed mood; ``u`` holds the post's 15 uniform draws.
    """
    trap = "" if question or non_english or kind not in _MOODS else _trap(kind, u[14])
    if trap:
        lab = kind
        pool = {"plain_complaint": _PLAIN_COMPLAINT, "sarcasm": _SARCASM}.get(trap) or _MIXED_LANGUAGE[kind]
    elif question:
        pool, lab = _QUESTIONS, "neutral"
    elif kind.startswith("f"):
        lab = kind[1:]
        pool = _FOLLOWUP[lab]
    elif non_english:
        pool, lab = _NON_ENGLISH[kind], kind
    else:
        lab = "negative" if kind == "crisis" else kind
        pool = _POOLS[kind]
    core = pool[int(u[7] * len(pool))]
    if not non_english and not question:
        # Neutral decoration: openers and closers carry no sentiment of their own, except an
        # emoji of the post's own mood.
        closers = _CLOSERS_FOR[lab]
        core = _OPENERS[int(u[12] * len(_OPENERS))] + core + closers[int(u[13] * len(closers))]
    text = _fill(core, u, brand)
    if u[8] < 0.04:  # personal data pasted into an ordinary post
        text = text + " " + _PII[int(u[8] / 0.04 * len(_PII))]
    return text, lab, trap
